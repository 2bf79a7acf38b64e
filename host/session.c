// SPDX-License-Identifier: GPL-2.0
/*
 * One guest's session on the host (Documentation/protocol.rst): a kernel
 * thread per connection that answers HELLO with WELCOME, carries out
 * INFLATE (balloon.c) and DEFLATE, keeps the guest's statistics, sends
 * SET_TARGET when the target changes, and says GOODBYE when its VM is
 * detached.
 *
 * Everything the guest sends is checked by common/proto*.c before it is
 * acted on; any violation ends the session with an ERROR.  The session
 * reads at most MRM_PROTO_MAX_MSGS_PER_SEC messages and
 * MRM_PROTO_MAX_FRAMES_PER_SEC frames a second: over budget it stops
 * reading, and the guest's sends block.  The thread never takes the
 * endpoint's lock, so whoever holds it may stop the thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "endpoint.h"
#include "vm.h"

/* Longest the thread blocks in a receive before looking around. */
#define MRM_SESSION_TICK_MS		100
/* A stuck send is a broken connection. */
#define MRM_SESSION_SEND_TIMEOUT_MS	5000

/**
 * struct mrm_host_session - one connection
 * @vm: the VM (outlives the session: detach destroys it first)
 * @ep: @vm's endpoint state
 * @sock: the connection; the thread frees it when the session ends
 * @thread: the session thread (a task reference is held)
 * @goodbye: set before kthread_stop(): say GOODBYE before ending
 * @proto: protocol state
 * @reader: reassembles received messages
 * @msg: the message being handled or built
 * @tx: the encoded message being sent
 * @sent_target: the target the guest was last told, 4 KiB pages
 * @budget_at: jiffies of the last budget refill
 * @msg_budget: messages that may still be read now
 * @frame_budget: frames that may still be read now
 *
 * Everything after @goodbye is the thread's own.
 */
struct mrm_host_session {
	struct mrm_vm *vm;
	struct mrm_vm_endpoint *ep;
	struct socket *sock;
	struct task_struct *thread;
	bool goodbye;
	struct mrm_proto_sess proto;
	struct mrm_proto_reader reader;
	struct mrm_msg msg;
	u8 tx[MRM_PROTO_MAX_MSG];
	u64 sent_target;
	unsigned long budget_at;
	long msg_budget;
	long frame_budget;
};

static int mrm_hs_send_bytes(struct mrm_host_session *s, int len)
{
	struct kvec iov = { .iov_base = s->tx, .iov_len = len };
	struct msghdr m = { .msg_flags = MSG_NOSIGNAL };
	int n = kernel_sendmsg(s->sock, &m, &iov, 1, len);

	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

static int mrm_hs_send(struct mrm_host_session *s)
{
	int len = mrm_proto_sess_tx(&s->proto, &s->msg, s->tx, sizeof(s->tx));

	if (len < 0) {
		pr_warn_ratelimited("VM %u: cannot send %s: %d\n", s->vm->id,
				    mrm_proto_type_name(s->msg.hdr.type), len);
		return len;
	}
	return mrm_hs_send_bytes(s, len);
}

/* End the session with an ERROR about @err (best effort). */
static void mrm_hs_abort(struct mrm_host_session *s, int err,
			 const struct mrm_hdr *cause)
{
	int len = mrm_proto_sess_error(&s->proto, err, cause, s->tx,
				       sizeof(s->tx));

	pr_notice_ratelimited("VM %u (CID %u): ending session: %d\n",
			      s->vm->id, s->vm->cid, err);
	if (len > 0)
		mrm_hs_send_bytes(s, len);
}

/*
 * The next message within @timeout jiffies: 1 with it in s->msg, 0 if
 * none, or a negative errno (-ECONNRESET at end of stream).
 */
static int mrm_hs_recv(struct mrm_host_session *s, long timeout)
{
	for (;;) {
		struct msghdr m = {};
		struct kvec iov;
		void *dst;
		size_t want;
		int n, err;

		n = mrm_proto_reader_next(&s->reader, &s->msg);
		if (n > 0)
			return n;
		if (n < 0) {
			/* Malformed: the peer hears why before we close. */
			mrm_hs_abort(s, n, mrm_proto_reader_hdr(&s->reader));
			return n;
		}
		want = mrm_proto_reader_want(&s->reader, &dst);
		if (WARN_ON_ONCE(!want))
			return -EPROTO;
		iov.iov_base = dst;
		iov.iov_len = want;
		s->sock->sk->sk_rcvtimeo = max(timeout, 1L);
		n = kernel_recvmsg(s->sock, &m, &iov, 1, want, 0);
		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n < 0)
			return n;
		if (n == 0)
			return -ECONNRESET;
		err = mrm_proto_reader_commit(&s->reader, n);
		if (err) {
			mrm_hs_abort(s, err, NULL);
			return err;
		}
	}
}

/* Refill the read budget; false while it is exhausted. */
static bool mrm_hs_budget_ok(struct mrm_host_session *s)
{
	unsigned long now = jiffies, elapsed = now - s->budget_at;

	if (elapsed) {
		s->budget_at = now;
		s->msg_budget = min_t(long, MRM_PROTO_MAX_MSGS_PER_SEC,
				      s->msg_budget +
				      elapsed * MRM_PROTO_MAX_MSGS_PER_SEC / HZ);
		s->frame_budget = min_t(long, MRM_PROTO_MAX_FRAMES_PER_SEC,
					s->frame_budget + elapsed *
					MRM_PROTO_MAX_FRAMES_PER_SEC / HZ);
	}
	return s->msg_budget > 0 && s->frame_budget > 0;
}

/* Keep the guest's statistics, clamped to what can be true. */
static void mrm_hs_store_stats(struct mrm_host_session *s)
{
	const struct mrm_stats *st = &s->msg.stats;
	struct mrm_guest_report *r = &s->ep->report;
	u64 ram = READ_ONCE(s->ep->ram_pages);
	unsigned int tag;

	spin_lock(&r->lock);
	r->present = st->present;
	for (tag = 1; tag <= MRM_STAT_TAG_MAX; tag++) {
		u64 v = st->val[tag];

		switch (tag) {
		case MRM_STAT_MEM_TOTAL:
		case MRM_STAT_MEM_AVAILABLE:
		case MRM_STAT_MEM_FREE:
		case MRM_STAT_BALLOON:
			v = min(v, ram);
			break;
		case MRM_STAT_PSI_SOME_AVG10:
		case MRM_STAT_PSI_FULL_AVG10:
			v = min_t(u64, v, MRM_STAT_PSI_AVG_MAX);
			break;
		}
		r->val[tag] = (st->present & BIT_ULL(tag)) ? v : 0;
	}
	r->when = jiffies;
	spin_unlock(&r->lock);
}

static int mrm_hs_inflate(struct mrm_host_session *s)
{
	struct mrm_frames frames = s->msg.frames;
	u32 seq = s->msg.hdr.seq;
	struct mrm_ack ack = {};

	/* An INFLATE that crossed our GOODBYE is answered, not carried out. */
	if (s->proto.bye_sent)
		ack.status = MRM_ACK_CLOSING;
	else
		mrm_vm_balloon_inflate(&s->ep->balloon, s->vm->kvm, &frames,
				       &ack);
	s->msg.hdr.type = MRM_MSG_ACK;
	s->msg.ack.inflate_seq = seq;
	s->msg.ack.accepted = ack.accepted;
	s->msg.ack.status = ack.status;
	return mrm_hs_send(s);
}

/* Act on one received message. */
static int mrm_hs_handle(struct mrm_host_session *s)
{
	struct mrm_msg *msg = &s->msg;
	int verdict;
	u64 pages;

	verdict = mrm_proto_sess_rx(&s->proto, msg);
	if (verdict < 0) {
		mrm_hs_abort(s, verdict, &msg->hdr);
		return verdict;
	}
	s->msg_budget--;
	if (verdict == MRM_PROTO_RX_IGNORE)
		return 0;

	switch (msg->hdr.type) {
	case MRM_MSG_INFLATE:
		s->frame_budget -= msg->frames.nr;
		return mrm_hs_inflate(s);
	case MRM_MSG_DEFLATE:
		s->frame_budget -= msg->frames.nr;
		pages = mrm_vm_balloon_deflate(&s->ep->balloon, &msg->frames);
		if (msg->frames.reason == MRM_DEFLATE_PRESSURE ||
		    msg->frames.reason == MRM_DEFLATE_OOM) {
			WRITE_ONCE(s->ep->pressure_pages,
				   s->ep->pressure_pages + pages);
			WRITE_ONCE(s->ep->pressure_at, jiffies ?: 1);
		}
		return 0;
	case MRM_MSG_STATS:
		mrm_hs_store_stats(s);
		return 0;
	case MRM_MSG_GOODBYE:
		WRITE_ONCE(s->ep->state, MRM_EP_CLOSING);
		if (s->proto.bye_sent)
			return 0;
		msg->hdr.type = MRM_MSG_GOODBYE;
		msg->goodbye.reason = MRM_BYE_REPLY;
		return mrm_hs_send(s);
	case MRM_MSG_ERROR:
		pr_notice_ratelimited("VM %u: guest ended the session: error %u\n",
				      s->vm->id, msg->error.code);
		return -ECONNABORTED;
	default:
		WARN_ON_ONCE(1);
		return -EPROTO;
	}
}

static u64 mrm_hs_target(struct mrm_host_session *s)
{
	return min(READ_ONCE(s->ep->balloon.target_pages),
		   READ_ONCE(s->ep->ram_pages));
}

static int mrm_hs_handshake(struct mrm_host_session *s)
{
	unsigned long deadline = jiffies +
		msecs_to_jiffies(MRM_PROTO_HANDSHAKE_TIMEOUT_MS);
	struct mrm_msg *msg = &s->msg;
	struct mrm_hello hello;
	u16 version;
	int err;

	for (;;) {
		long left = deadline - jiffies;

		if (left <= 0 || kthread_should_stop()) {
			mrm_hs_abort(s, -ETIMEDOUT, NULL);
			return -ETIMEDOUT;
		}
		err = mrm_hs_recv(s, min_t(long, left,
					   msecs_to_jiffies(MRM_SESSION_TICK_MS)));
		if (err < 0)
			return err;	/* a malformed stream was answered */
		if (err)
			break;
	}
	err = mrm_proto_sess_rx(&s->proto, msg);
	if (err < 0 || msg->hdr.type != MRM_MSG_HELLO) {
		mrm_hs_abort(s, err < 0 ? err : -EPROTO, &msg->hdr);
		return err < 0 ? err : -EPROTO;
	}
	hello = msg->hello;
	err = mrm_proto_choose_version(hello.min_version, hello.max_version,
				       &version);
	if (err) {
		mrm_hs_abort(s, err, &msg->hdr);
		return err;
	}

	WRITE_ONCE(s->ep->ram_pages, hello.ram_pages);
	mrm_vm_balloon_begin(&s->ep->balloon, hello.boot_id);
	s->sent_target = mrm_hs_target(s);

	memset(msg, 0, sizeof(*msg));
	msg->hdr.type = MRM_MSG_WELCOME;
	msg->welcome.version = version;
	msg->welcome.max_frames = MRM_PROTO_MAX_FRAMES;
	msg->welcome.caps = hello.caps & MRM_CAP_KNOWN;
	msg->welcome.target_pages = s->sent_target;
	if (msg->welcome.caps & MRM_CAP_STATS)
		msg->welcome.stats_period_ms = MRM_PROTO_STATS_PERIOD_DEFAULT_MS;
	err = mrm_hs_send(s);
	if (err)
		return err;
	WRITE_ONCE(s->ep->sessions, s->ep->sessions + 1);
	pr_info("VM %u (CID %u): guest connected (boot id %016llx, %llu pages ballooned)\n",
		s->vm->id, s->vm->cid, hello.boot_id,
		READ_ONCE(s->ep->balloon.pages));
	return 0;
}

/* The VM is detached: GOODBYE, then a bounded wait for the guest's. */
static void mrm_hs_goodbye(struct mrm_host_session *s)
{
	unsigned long deadline;
	int err;

	WRITE_ONCE(s->ep->state, MRM_EP_CLOSING);
	s->msg.hdr.type = MRM_MSG_GOODBYE;
	s->msg.goodbye.reason = MRM_BYE_DETACH;
	if (mrm_hs_send(s))
		return;
	deadline = jiffies + msecs_to_jiffies(MRM_PROTO_GOODBYE_TIMEOUT_MS);
	while (s->proto.state != MRM_PROTO_ST_CLOSED &&
	       time_before(jiffies, deadline)) {
		err = mrm_hs_recv(s, msecs_to_jiffies(MRM_SESSION_TICK_MS));
		if (err > 0)
			err = mrm_hs_handle(s);
		if (err < 0)
			return;
	}
}

static int mrm_hs_loop(struct mrm_host_session *s)
{
	u64 target;
	int err;

	while (!kthread_should_stop()) {
		if (!mrm_hs_budget_ok(s)) {
			schedule_timeout_interruptible(msecs_to_jiffies(MRM_SESSION_TICK_MS));
			continue;
		}
		err = mrm_hs_recv(s, msecs_to_jiffies(MRM_SESSION_TICK_MS));
		if (err > 0)
			err = mrm_hs_handle(s);
		if (err < 0)
			return err;
		if (s->proto.state == MRM_PROTO_ST_CLOSED)
			return 0;
		if (s->proto.state != MRM_PROTO_ST_ACTIVE)
			continue;

		target = mrm_hs_target(s);
		if (target != s->sent_target) {
			s->msg.hdr.type = MRM_MSG_SET_TARGET;
			s->msg.target_pages = target;
			err = mrm_hs_send(s);
			if (err)
				return err;
			s->sent_target = target;
		}
	}
	if (READ_ONCE(s->goodbye) && s->proto.state == MRM_PROTO_ST_ACTIVE)
		mrm_hs_goodbye(s);
	return 0;
}

static int mrm_hs_thread(void *data)
{
	struct mrm_host_session *s = data;
	int err;

	WRITE_ONCE(s->ep->state, MRM_EP_HANDSHAKE);
	err = mrm_hs_handshake(s);
	if (!err) {
		WRITE_ONCE(s->ep->state, MRM_EP_CONNECTED);
		err = mrm_hs_loop(s);
	}
	if (s->proto.state != MRM_PROTO_ST_CLOSED)
		mrm_proto_sess_eof(&s->proto);
	/*
	 * Let the guest see the end at once, and free the socket now rather
	 * than when the next session replaces this one: until it is freed,
	 * vsock answers a new connection from the same guest port (reserved
	 * ports are few, and get reused) with a reset.
	 */
	kernel_sock_shutdown(s->sock, SHUT_RDWR);
	sock_release(s->sock);
	s->sock = NULL;
	WRITE_ONCE(s->ep->state, MRM_EP_DISCONNECTED);
	if (err && err != -ECONNRESET)
		pr_info("VM %u: session ended: %d\n", s->vm->id, err);
	return err;
}

/**
 * mrm_host_session_create() - a session for a newly accepted connection
 * @vm: the attached VM the connection comes from
 * @sock: the connection; owned by the session on success
 *
 * The thread is created but not started: the caller first tears down the
 * VM's previous session, then calls mrm_host_session_run().
 *
 * Return: the session, or an ERR_PTR.
 */
struct mrm_host_session *mrm_host_session_create(struct mrm_vm *vm,
						 struct socket *sock)
{
	struct mrm_host_session *s;
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->vm = vm;
	s->ep = vm->ep;
	s->sock = sock;
	sock->sk->sk_sndtimeo = msecs_to_jiffies(MRM_SESSION_SEND_TIMEOUT_MS);
	mrm_proto_sess_init(&s->proto, MRM_PROTO_HOST);
	mrm_proto_reader_init(&s->reader);
	s->budget_at = jiffies;
	s->msg_budget = MRM_PROTO_MAX_MSGS_PER_SEC;
	s->frame_budget = MRM_PROTO_MAX_FRAMES_PER_SEC;

	s->thread = kthread_create(mrm_hs_thread, s, "mrm_vm%u", vm->id);
	if (IS_ERR(s->thread)) {
		err = PTR_ERR(s->thread);
		kfree(s);
		return ERR_PTR(err);
	}
	get_task_struct(s->thread);
	return s;
}

/**
 * mrm_host_session_run() - start a session's thread
 * @s: from mrm_host_session_create()
 */
void mrm_host_session_run(struct mrm_host_session *s)
{
	wake_up_process(s->thread);
}

/**
 * mrm_host_session_destroy() - end a session and free it
 * @s: the session
 * @goodbye: say GOODBYE first (the VM is being detached) rather than just
 *	closing (the guest has reconnected; this connection is stale)
 *
 * Returns when the thread is gone: nothing of the session runs after it.
 */
void mrm_host_session_destroy(struct mrm_host_session *s, bool goodbye)
{
	WRITE_ONCE(s->goodbye, goodbye);
	kthread_stop(s->thread);
	put_task_struct(s->thread);
	/* Still here if the thread never ran. */
	if (s->sock)
		sock_release(s->sock);
	kfree(s);
}
