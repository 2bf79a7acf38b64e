// SPDX-License-Identifier: GPL-2.0
/*
 * The host's vsock endpoint: one kernel thread listens on the mrm port
 * (any CID: the host's transport is vhost-vsock), accepts connections
 * only from a reserved source port (<= MRM_PROTO_PEER_PORT_MAX: the
 * guest's kernel, not one of its users) of the CID of an attached VM, at
 * most MRM_PROTO_MAX_CONNECTS_PER_MIN a minute per VM, and gives each
 * accepted connection a session
 * (session.c) after tearing down the VM's previous one, as the protocol
 * requires before a new WELCOME.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/vm_sockets.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "endpoint.h"
#include "vm.h"

/* How often the accept loop looks for kthread_stop(). */
#define MRM_ACCEPT_TICK_MS		200
#define MRM_LISTEN_BACKLOG		16
#define MRM_CONNECT_WINDOW		(60 * HZ)

/* Set up by mrm_endpoint_start(), torn down by mrm_endpoint_stop(). */
static struct socket *mrm_listen_sock;
static struct task_struct *mrm_accept_thread;

static const char * const mrm_ep_state_names[] = {
	[MRM_EP_DISCONNECTED] = "disconnected",
	[MRM_EP_HANDSHAKE] = "handshake",
	[MRM_EP_CONNECTED] = "connected",
	[MRM_EP_CLOSING] = "closing",
};

/**
 * mrm_ep_state_name() - name of a connection state, for sysfs
 * @state: enum mrm_ep_state
 *
 * Return: a constant string.
 */
const char *mrm_ep_state_name(int state)
{
	if (state < 0 || state >= ARRAY_SIZE(mrm_ep_state_names))
		return "unknown";
	return mrm_ep_state_names[state];
}

/* ->attach: protocol state for a VM about to be published. */
static int mrm_vm_endpoint_attach(struct mrm_vm *vm)
{
	struct mrm_vm_endpoint *ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	unsigned int i;

	if (!ep)
		return -ENOMEM;
	mutex_init(&ep->lock);
	for (i = 0; i < ARRAY_SIZE(ep->connect_times); i++)
		ep->connect_times[i] = jiffies - MRM_CONNECT_WINDOW - 1;
	mrm_vm_balloon_init(&ep->balloon);	/* zeroes what it owns */
	spin_lock_init(&ep->report.lock);
	vm->ep = ep;
	return 0;
}

/*
 * ->detach: no session starts after this; the current one says GOODBYE
 * (bounded by the protocol's GOODBYE timeout) and is torn down, so that
 * nothing uses the VM's struct kvm afterwards.
 */
static void mrm_vm_endpoint_detach(struct mrm_vm *vm)
{
	struct mrm_vm_endpoint *ep = vm->ep;
	struct mrm_host_session *s;

	mutex_lock(&ep->lock);
	ep->closed = true;
	s = ep->session;
	ep->session = NULL;
	if (s)
		mrm_host_session_destroy(s, true);
	mutex_unlock(&ep->lock);
}

/* ->free: nobody uses the VM any more. */
static void mrm_vm_endpoint_free(struct mrm_vm *vm)
{
	mrm_vm_balloon_destroy(&vm->ep->balloon);
	kfree(vm->ep);
	vm->ep = NULL;
}

const struct mrm_vm_hooks mrm_vm_endpoint_hooks = {
	.name = "balloon endpoint",
	.attach = mrm_vm_endpoint_attach,
	.detach = mrm_vm_endpoint_detach,
	.free = mrm_vm_endpoint_free,
};

/**
 * mrm_vm_endpoint_set_target() - ask for a balloon size
 * @ep: the VM's protocol state
 * @pages: target in 4 KiB pages
 *
 * The session sends SET_TARGET within one tick; a guest that connects
 * later gets it in WELCOME.
 */
void mrm_vm_endpoint_set_target(struct mrm_vm_endpoint *ep, u64 pages)
{
	WRITE_ONCE(ep->balloon.target_pages, pages);
}

/*
 * Caller holds ep->lock.  True, and the connection counted, if fewer than
 * MRM_PROTO_MAX_CONNECTS_PER_MIN were accepted in the last minute.  A
 * sliding window: a fixed one would let twice the limit through across
 * the end of a window.
 */
static bool mrm_connect_allowed(struct mrm_vm_endpoint *ep)
{
	unsigned long *oldest = &ep->connect_times[ep->connect_next];

	if (time_before_eq(jiffies, *oldest + MRM_CONNECT_WINDOW))
		return false;
	*oldest = jiffies;
	ep->connect_next = (ep->connect_next + 1) %
			   ARRAY_SIZE(ep->connect_times);
	return true;
}

static void mrm_accept_one(struct socket *sock)
{
	struct sockaddr_vm peer = {};
	struct mrm_host_session *s, *old;
	struct mrm_vm_endpoint *ep;
	struct mrm_vm *vm;
	int err;

	err = kernel_getpeername(sock, (struct sockaddr *)&peer);
	if (err < 0) {
		sock_release(sock);
		return;
	}
	/*
	 * Any user of the guest can connect from an unreserved port; only
	 * the guest's kernel (or root) can bind a reserved one.  Refused
	 * before anything is read, and before the VM's connection budget is
	 * charged, so that a user cannot use it up either.
	 */
	if (peer.svm_port > MRM_PROTO_PEER_PORT_MAX) {
		pr_notice_ratelimited("refusing vsock CID %u port %u: not a reserved port (> %u)\n",
				      peer.svm_cid, peer.svm_port,
				      MRM_PROTO_PEER_PORT_MAX);
		sock_release(sock);
		return;
	}
	vm = mrm_vm_get_by_cid(peer.svm_cid);
	if (!vm) {
		pr_notice_ratelimited("refusing vsock CID %u: no VM attached with it\n",
				      peer.svm_cid);
		sock_release(sock);
		return;
	}
	ep = vm->ep;

	mutex_lock(&ep->lock);
	if (ep->closed) {
		err = -ESHUTDOWN;
		goto refuse;
	}
	if (!mrm_connect_allowed(ep)) {
		pr_notice_ratelimited("VM %u (CID %u): over %u connections a minute, refused\n",
				      vm->id, vm->cid,
				      MRM_PROTO_MAX_CONNECTS_PER_MIN);
		err = -EBUSY;
		goto refuse;
	}
	s = mrm_host_session_create(vm, sock);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		pr_warn_ratelimited("VM %u: cannot start a session: %d\n",
				    vm->id, err);
		goto refuse;
	}
	/* The old session must be gone before the new one says WELCOME. */
	old = ep->session;
	ep->session = s;
	if (old)
		mrm_host_session_destroy(old, false);
	mrm_host_session_run(s);
	mutex_unlock(&ep->lock);
	mrm_vm_put(vm);
	return;

refuse:
	mutex_unlock(&ep->lock);
	mrm_vm_put(vm);
	sock_release(sock);
}

static int mrm_accept_loop(void *unused)
{
	struct socket *sock;
	int err;

	while (!kthread_should_stop()) {
		err = kernel_accept(mrm_listen_sock, &sock, 0);
		if (err == -EAGAIN || err == -EINTR || err == -ERESTARTSYS)
			continue;
		if (err) {
			pr_warn_ratelimited("vsock accept failed: %d\n", err);
			schedule_timeout_interruptible(msecs_to_jiffies(MRM_ACCEPT_TICK_MS));
			continue;
		}
		mrm_accept_one(sock);
	}
	return 0;
}

/**
 * mrm_endpoint_start() - listen for guests
 * @port: vsock port
 *
 * Return: 0, or a negative errno (-EAFNOSUPPORT without vsock, -EADDRINUSE
 * if the port is taken).
 */
int mrm_endpoint_start(u32 port)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	int err;

	err = sock_create_kern(&init_net, AF_VSOCK, SOCK_STREAM, 0,
			       &mrm_listen_sock);
	if (err)
		return err;
	mrm_listen_sock->sk->sk_rcvtimeo = msecs_to_jiffies(MRM_ACCEPT_TICK_MS);
	err = kernel_bind(mrm_listen_sock, (struct sockaddr *)&addr,
			  sizeof(addr));
	if (err)
		goto release;
	err = kernel_listen(mrm_listen_sock, MRM_LISTEN_BACKLOG);
	if (err)
		goto release;
	mrm_accept_thread = kthread_run(mrm_accept_loop, NULL, "mrm_accept");
	if (IS_ERR(mrm_accept_thread)) {
		err = PTR_ERR(mrm_accept_thread);
		goto release;
	}
	return 0;

release:
	sock_release(mrm_listen_sock);
	mrm_listen_sock = NULL;
	return err;
}

/**
 * mrm_endpoint_stop() - stop accepting guests
 *
 * Sessions of attached VMs are not touched: they end when their VM is
 * detached (mrm_vm_endpoint_close()).
 */
void mrm_endpoint_stop(void)
{
	kthread_stop(mrm_accept_thread);
	sock_release(mrm_listen_sock);
	mrm_listen_sock = NULL;
}
