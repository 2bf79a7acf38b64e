// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's side of the mrm protocol (Documentation/protocol.rst): one
 * kernel thread that connects to the host over vsock from a reserved port
 * (the host serves no other), reconnects with back-off, keeps the balloon
 * at the host's target, reports statistics and says goodbye at unload.
 * The protocol's checks live in common/proto*.c; the page bookkeeping in
 * balloon.c.
 *
 * The thread is the only sender, so no lock guards the socket.  It wakes
 * at least every MRM_SESSION_TICK_MS to send what the pressure hooks
 * queued and to notice kthread_stop().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/vm_sockets.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "balloon.h"
#include "pressure.h"
#include "session.h"

/* Longest the thread blocks in a receive before looking around. */
#define MRM_SESSION_TICK_MS		100
/* No new balloon pages for this long after an allocation failed. */
#define MRM_SESSION_ALLOC_HOLD_MS	1000
/* ... or after the host declined an INFLATE. */
#define MRM_SESSION_DECLINED_HOLD_MS	5000
/* A stuck send is a broken connection. */
#define MRM_SESSION_SEND_TIMEOUT_MS	5000
/* Lowest reserved source port tried (MRM_PROTO_PEER_PORT_MAX the highest). */
#define MRM_SESSION_PORT_LOW		512

static const char * const mrm_conn_state_names[] = {
	[MRM_CONN_DISCONNECTED] = "disconnected",
	[MRM_CONN_CONNECTING] = "connecting",
	[MRM_CONN_HANDSHAKE] = "handshake",
	[MRM_CONN_CONNECTED] = "connected",
	[MRM_CONN_CLOSING] = "closing",
};

/**
 * mrm_conn_state_name() - name of a connection state, for sysfs
 * @state: enum mrm_conn_state
 *
 * Return: a constant string.
 */
const char *mrm_conn_state_name(int state)
{
	if (state < 0 || state >= ARRAY_SIZE(mrm_conn_state_names))
		return "unknown";
	return mrm_conn_state_names[state];
}

static void mrm_session_set_state(struct mrm_session *s, int state)
{
	WRITE_ONCE(s->state, state);
}

/* The reserved port below @port, wrapping from the lowest to the highest. */
static u32 mrm_session_port_below(u32 port)
{
	return port > MRM_SESSION_PORT_LOW ? port - 1 : MRM_PROTO_PEER_PORT_MAX;
}

/*
 * Bind @sock to a free reserved port in MRM_SESSION_PORT_LOW ..
 * MRM_PROTO_PEER_PORT_MAX: the host serves no other.  A socket of an
 * earlier connection may still hold a port while it closes, so a busy port
 * is not an error: the next one down is tried (as rresvport() does).  Each
 * connection starts one port below the last one's, and the first at a
 * random port: either end may hold a closed connection's socket for a
 * while, and a new connection with the same ports would meet it and be
 * reset.
 *
 * Binding a reserved port takes CAP_NET_BIND_SERVICE, which af_vsock
 * checks with capable() on the calling task, kernel socket or not: the
 * session thread, a kthread, has every capability (6.1 and 6.12 alike).
 */
static int mrm_session_bind(struct mrm_session *s, struct socket *sock)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
	};
	u32 port = s->next_port, i;
	int err = -EADDRINUSE;

	for (i = MRM_SESSION_PORT_LOW; i <= MRM_PROTO_PEER_PORT_MAX; i++) {
		addr.svm_port = port;
		err = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
		if (err != -EADDRINUSE)
			break;
		port = mrm_session_port_below(port);
	}
	if (!err)
		s->next_port = mrm_session_port_below(port);
	else if (err == -EADDRINUSE)
		pr_warn_ratelimited("no free reserved vsock port (%u..%u) to connect from\n",
				    MRM_SESSION_PORT_LOW,
				    MRM_PROTO_PEER_PORT_MAX);
	else
		pr_warn_ratelimited("cannot bind reserved vsock port %u: %d\n",
				    port, err);
	return err;
}

static int mrm_session_connect(struct mrm_session *s)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_HOST,
		.svm_port = s->port,
	};
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, AF_VSOCK, SOCK_STREAM, 0, &sock);
	if (err)
		return err;
	sock->sk->sk_sndtimeo = msecs_to_jiffies(MRM_SESSION_SEND_TIMEOUT_MS);
	err = mrm_session_bind(s, sock);
	if (err) {
		sock_release(sock);
		return err;
	}
	err = kernel_connect(sock, (struct sockaddr *)&addr, sizeof(addr), 0);
	if (err) {
		sock_release(sock);
		return err;
	}
	s->sock = sock;
	return 0;
}

static void mrm_session_disconnect(struct mrm_session *s)
{
	if (!s->sock)
		return;
	kernel_sock_shutdown(s->sock, SHUT_RDWR);
	sock_release(s->sock);
	s->sock = NULL;
}

static int mrm_session_send_bytes(struct mrm_session *s, int len)
{
	struct kvec iov = { .iov_base = s->tx, .iov_len = len };
	struct msghdr m = { .msg_flags = MSG_NOSIGNAL };
	int n;

	n = kernel_sendmsg(s->sock, &m, &iov, 1, len);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/* Encode and send s->msg; on success s->msg.hdr.seq is its seq. */
static int mrm_session_send(struct mrm_session *s)
{
	int len = mrm_proto_sess_tx(&s->proto, &s->msg, s->tx, sizeof(s->tx));

	if (len < 0) {
		pr_warn_ratelimited("cannot send %s: %d\n",
				    mrm_proto_type_name(s->msg.hdr.type), len);
		return len;
	}
	return mrm_session_send_bytes(s, len);
}

/* Tell the host why the connection ends (best effort), then close. */
static void mrm_session_abort(struct mrm_session *s, int err,
			      const struct mrm_hdr *cause)
{
	int len = mrm_proto_sess_error(&s->proto, err, cause, s->tx,
				       sizeof(s->tx));

	if (len > 0)
		mrm_session_send_bytes(s, len);
}

/*
 * Wait up to @timeout jiffies (0: do not wait) for the next message.
 * Returns 1 with the message in s->msg, 0 if none came in time, or a
 * negative errno: -ECONNRESET at end of stream, a reader error for a
 * malformed stream, a socket error.
 */
static int mrm_session_recv(struct mrm_session *s, long timeout)
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
			mrm_session_abort(s, n, mrm_proto_reader_hdr(&s->reader));
			return n;
		}
		want = mrm_proto_reader_want(&s->reader, &dst);
		if (WARN_ON_ONCE(!want))
			return -EPROTO;
		iov.iov_base = dst;
		iov.iov_len = want;
		if (timeout > 0)
			s->sock->sk->sk_rcvtimeo = timeout;
		n = kernel_recvmsg(s->sock, &m, &iov, 1, want,
				   timeout > 0 ? 0 : MSG_DONTWAIT);
		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n < 0)
			return n;
		if (n == 0)
			return -ECONNRESET;
		err = mrm_proto_reader_commit(&s->reader, n);
		if (err) {
			mrm_session_abort(s, err, NULL);
			return err;
		}
	}
}

static int mrm_session_send_stats(struct mrm_session *s)
{
	if (!(s->proto.caps & MRM_CAP_STATS))
		return 0;
	s->msg.hdr.type = MRM_MSG_STATS;
	mrm_guest_stats_collect(&s->stats, mrm_balloon_acked(s->balloon),
				&s->msg.stats);
	return mrm_session_send(s);
}

static int mrm_session_send_deflate(struct mrm_session *s, unsigned int nr,
				    u16 reason)
{
	s->msg.hdr.type = MRM_MSG_DEFLATE;
	s->msg.frames.nr = nr;
	s->msg.frames.reason = reason;
	s->msg.frames.raw = s->frames;
	return mrm_session_send(s);
}

/* Send DEFLATEs for frames freed by pressure or compaction. */
static int mrm_session_send_notices(struct mrm_session *s)
{
	unsigned int nr;
	u16 reason;
	int err;

	while ((nr = mrm_balloon_take_notices(s->balloon, s->frames,
					      s->max_frames, &reason))) {
		err = mrm_session_send_deflate(s, nr, reason);
		if (err)
			return err;
	}
	return 0;
}

static u64 mrm_session_target(struct mrm_session *s)
{
	return READ_ONCE(s->target_pages);
}

/* 4 KiB pages the balloon may still take without crossing the floor. */
static u64 mrm_session_room(struct mrm_session *s)
{
	u64 avail = si_mem_available();
	u64 floor = READ_ONCE(s->floor_pages);

	return avail > floor ? avail - floor : 0;
}

/*
 * One step toward the target: one DEFLATE if the balloon is too big, or
 * one INFLATE (reoffered pages first, then new ones) if it is too small or
 * pages are waiting to be offered.  Returns 1 if it sent something (more
 * may follow at once), 0 if idle, or a negative errno.
 */
static int mrm_session_step(struct mrm_session *s)
{
	struct mrm_balloon_batch *batch;
	u64 held, target, grow = 0;
	unsigned int nr;
	int err;

	held = mrm_balloon_held(s->balloon);
	target = mrm_session_target(s);
	if (held > target) {
		nr = mrm_balloon_leak(s->balloon, held - target, s->frames,
				      s->max_frames);
		if (!nr)
			return 0;
		err = mrm_session_send_deflate(s, nr, MRM_DEFLATE_REQUESTED);
		return err ? err : 1;
	}

	if (s->proto.inflight_nr >= MRM_BALLOON_BATCHES)
		return 0;
	if (held < target && time_after_eq(jiffies, s->grow_hold_until) &&
	    !mrm_pressure_recent(s->pressure, s->pressure_hold))
		grow = min(target - held, mrm_session_room(s));
	batch = mrm_balloon_fill(s->balloon, grow, s->max_frames, s->huge_ok);
	if (!batch) {
		if (grow)
			s->grow_hold_until = jiffies +
				msecs_to_jiffies(MRM_SESSION_ALLOC_HOLD_MS);
		return 0;
	}
	/*
	 * Frames freed by pressure while the batch was filled may be in it
	 * again: their DEFLATE must reach the host before this INFLATE.
	 */
	err = mrm_session_send_notices(s);
	if (err)
		return err;	/* the batch goes back with the session */
	s->msg.hdr.type = MRM_MSG_INFLATE;
	s->msg.frames.nr = batch->nr;
	s->msg.frames.reason = 0;
	s->msg.frames.raw = batch->frames;
	err = mrm_proto_sess_tx(&s->proto, &s->msg, s->tx, sizeof(s->tx));
	if (err < 0) {
		pr_warn_ratelimited("cannot build INFLATE: %d\n", err);
		return err;
	}
	/* In flight from now on, even if the send fails halfway. */
	mrm_balloon_batch_sent(s->balloon, batch, s->msg.hdr.seq);
	err = mrm_session_send_bytes(s, err);
	return err ? err : 1;
}

/* Act on one received message the session layer accepted. */
static int mrm_session_handle(struct mrm_session *s)
{
	struct mrm_msg *msg = &s->msg;
	u64 ram = totalram_pages();
	int verdict, err;

	verdict = mrm_proto_sess_rx(&s->proto, msg);
	if (verdict < 0) {
		pr_warn_ratelimited("illegal %s from host: %d\n",
				    mrm_proto_type_name(msg->hdr.type),
				    verdict);
		mrm_session_abort(s, verdict, &msg->hdr);
		return verdict;
	}
	if (verdict == MRM_PROTO_RX_IGNORE)
		return 0;

	switch (msg->hdr.type) {
	case MRM_MSG_SET_TARGET:
		WRITE_ONCE(s->target_pages, min(msg->target_pages, ram));
		s->grow_hold_until = jiffies;
		mrm_balloon_huge_retry(s->balloon);
		return 0;
	case MRM_MSG_ACK:
		err = mrm_balloon_batch_acked(s->balloon, msg->ack.inflate_seq,
					      msg->ack.accepted);
		if (WARN_ON_ONCE(err))
			return err;
		if (msg->ack.status == MRM_ACK_DECLINED)
			s->grow_hold_until = jiffies +
				msecs_to_jiffies(MRM_SESSION_DECLINED_HOLD_MS);
		else if (msg->ack.status != MRM_ACK_OK &&
			 msg->ack.status != MRM_ACK_CLOSING)
			pr_warn_ratelimited("host took %u frames of INFLATE %u: status %u\n",
					    msg->ack.accepted,
					    msg->ack.inflate_seq,
					    msg->ack.status);
		return 0;
	case MRM_MSG_STATS_REQUEST:
		return mrm_session_send_stats(s);
	case MRM_MSG_GOODBYE:
		mrm_session_set_state(s, MRM_CONN_CLOSING);
		if (s->proto.bye_sent)
			return 0;
		msg->hdr.type = MRM_MSG_GOODBYE;
		msg->goodbye.reason = MRM_BYE_REPLY;
		return mrm_session_send(s);
	case MRM_MSG_ERROR:
		pr_warn_ratelimited("host ended the session: error %u\n",
				    msg->error.code);
		return -ECONNABORTED;
	default:
		/* The session layer only lets the types above through. */
		WARN_ON_ONCE(1);
		return -EPROTO;
	}
}

static int mrm_session_handshake(struct mrm_session *s)
{
	unsigned long deadline = jiffies +
		msecs_to_jiffies(MRM_PROTO_HANDSHAKE_TIMEOUT_MS);
	struct mrm_msg *msg = &s->msg;
	int err;

	mrm_proto_sess_init(&s->proto, MRM_PROTO_GUEST);
	mrm_proto_reader_init(&s->reader);
	memset(msg, 0, sizeof(*msg));
	msg->hdr.type = MRM_MSG_HELLO;
	msg->hello.min_version = MRM_PROTO_VERSION_MIN;
	msg->hello.max_version = MRM_PROTO_VERSION_MAX;
	msg->hello.page_size = PAGE_SIZE;
	msg->hello.caps = MRM_CAP_KNOWN;
	msg->hello.ram_pages = totalram_pages();
	msg->hello.balloon_pages = mrm_balloon_acked(s->balloon);
	msg->hello.boot_id = s->boot_id;
	mrm_session_set_state(s, MRM_CONN_HANDSHAKE);
	err = mrm_session_send(s);
	if (err)
		return err;

	for (;;) {
		long left = deadline - jiffies;

		if (left <= 0 || kthread_should_stop()) {
			mrm_session_abort(s, -ETIMEDOUT, NULL);
			return -ETIMEDOUT;
		}
		left = min_t(long, left, msecs_to_jiffies(MRM_SESSION_TICK_MS));
		err = mrm_session_recv(s, left);
		if (err < 0)
			return err;	/* a malformed stream was answered */
		if (err)
			break;
	}
	if (msg->hdr.type != MRM_MSG_WELCOME) {
		err = mrm_session_handle(s);
		return err ? err : -ECONNABORTED;
	}
	err = mrm_proto_sess_rx(&s->proto, msg);
	if (err < 0) {
		mrm_session_abort(s, err, &msg->hdr);
		return err;
	}

	s->max_frames = msg->welcome.max_frames;
	s->huge_ok = msg->welcome.caps & MRM_CAP_FRAME_2M;
	s->stats_period = msecs_to_jiffies(msg->welcome.stats_period_ms);
	s->next_stats = jiffies;
	s->grow_hold_until = jiffies;
	WRITE_ONCE(s->target_pages,
		   min(msg->welcome.target_pages, (u64)totalram_pages()));
	/* Earlier sessions are over: re-offer everything the balloon holds. */
	mrm_balloon_session_welcomed(s->balloon);
	mrm_session_set_state(s, MRM_CONN_CONNECTED);
	pr_info("connected to host port %u (protocol %u, target %llu pages)\n",
		s->port, s->proto.version, s->target_pages);
	return 0;
}

/*
 * Unload: deflate everything (so the host's record is exact), say
 * GOODBYE, and wait a bounded time for the host's ACKs and GOODBYE.
 */
static void mrm_session_goodbye(struct mrm_session *s)
{
	unsigned long deadline;
	bool busy = false;
	int err;

	WRITE_ONCE(s->target_pages, 0);
	deadline = jiffies + msecs_to_jiffies(MRM_PROTO_GOODBYE_TIMEOUT_MS);
	while (time_before(jiffies, deadline)) {
		if (!s->proto.inflight_nr &&
		    !mrm_balloon_held(s->balloon))
			break;
		/* As in the main loop: no wait while DEFLATEs are going out. */
		err = mrm_session_recv(s, busy ? 0 :
				       msecs_to_jiffies(MRM_SESSION_TICK_MS));
		if (err > 0)
			err = mrm_session_handle(s);
		if (err < 0)
			return;
		err = mrm_session_step(s);
		busy = err > 0;
		if (!err)
			err = mrm_session_send_notices(s);
		if (err < 0)
			return;
	}

	mrm_session_set_state(s, MRM_CONN_CLOSING);
	s->msg.hdr.type = MRM_MSG_GOODBYE;
	s->msg.goodbye.reason = MRM_BYE_UNLOAD;
	if (mrm_session_send(s))
		return;
	deadline = jiffies + msecs_to_jiffies(MRM_PROTO_GOODBYE_TIMEOUT_MS);
	while (s->proto.state != MRM_PROTO_ST_CLOSED &&
	       time_before(jiffies, deadline)) {
		err = mrm_session_recv(s, msecs_to_jiffies(MRM_SESSION_TICK_MS));
		if (err > 0)
			err = mrm_session_handle(s);
		if (err < 0)
			return;
	}
}

/* One connection, from HELLO to its end.  Returns why it ended. */
static int mrm_session_run(struct mrm_session *s)
{
	int err, busy = 0;

	err = mrm_session_handshake(s);
	if (err)
		return err;
	s->backoff_ms = MRM_PROTO_RECONNECT_MIN_MS;

	while (!kthread_should_stop()) {
		err = mrm_session_recv(s, busy ? 0 :
				       msecs_to_jiffies(MRM_SESSION_TICK_MS));
		if (err > 0)
			err = mrm_session_handle(s);
		if (err < 0)
			return err;
		if (s->proto.state == MRM_PROTO_ST_CLOSED)
			return 0;
		if (s->proto.state == MRM_PROTO_ST_CLOSING)
			continue;

		err = mrm_session_send_notices(s);
		if (!err) {
			busy = mrm_session_step(s);
			err = min(busy, 0);
		}
		if (!err && s->stats_period &&
		    time_after_eq(jiffies, s->next_stats)) {
			s->next_stats = jiffies + s->stats_period;
			err = mrm_session_send_stats(s);
		}
		if (err < 0)
			return err;
	}
	mrm_session_goodbye(s);
	return 0;
}

static int mrm_session_thread(void *data)
{
	struct mrm_session *s = data;
	int err;

	s->backoff_ms = MRM_PROTO_RECONNECT_MIN_MS;
	while (!kthread_should_stop()) {
		mrm_session_set_state(s, MRM_CONN_CONNECTING);
		err = mrm_session_connect(s);
		if (!err) {
			err = mrm_session_run(s);
			if (s->proto.state != MRM_PROTO_ST_CLOSED)
				mrm_proto_sess_eof(&s->proto);
			mrm_balloon_session_lost(s->balloon);
			mrm_session_disconnect(s);
			if (err && err != -ECONNRESET)
				pr_info("session ended: %d\n", err);
			else
				pr_info("session ended by the host\n");
		}
		mrm_session_set_state(s, MRM_CONN_DISCONNECTED);
		if (kthread_should_stop())
			break;
		schedule_timeout_interruptible(msecs_to_jiffies(s->backoff_ms));
		s->backoff_ms = min_t(unsigned long, s->backoff_ms * 2,
				      MRM_PROTO_RECONNECT_MAX_MS);
	}
	return 0;
}

/**
 * mrm_session_start() - start the session thread
 * @s: the session; @balloon, @pressure, @port, @floor_pages and
 *	@pressure_hold set by the caller
 *
 * Return: 0 or a negative errno.
 */
int mrm_session_start(struct mrm_session *s)
{
	int err;

	err = mrm_guest_stats_init(&s->stats);
	if (err)
		return err;
	do {
		s->boot_id = get_random_u64();
	} while (!s->boot_id);
	s->next_port = get_random_u32_inclusive(MRM_SESSION_PORT_LOW,
						MRM_PROTO_PEER_PORT_MAX);
	s->state = MRM_CONN_DISCONNECTED;
	s->thread = kthread_run(mrm_session_thread, s, "mrm_balloon");
	if (IS_ERR(s->thread)) {
		err = PTR_ERR(s->thread);
		goto destroy_stats;
	}
	WRITE_ONCE(s->pressure->owner, s->thread);
	return 0;

destroy_stats:
	mrm_guest_stats_destroy(&s->stats);
	return err;
}

/**
 * mrm_session_stop() - say goodbye and stop the session thread
 * @s: a started session
 *
 * Returns when the thread is gone; the balloon's in-flight INFLATEs are
 * then orphans (see mrm_balloon_drain()).
 */
void mrm_session_stop(struct mrm_session *s)
{
	kthread_stop(s->thread);
	WRITE_ONCE(s->pressure->owner, NULL);
	mrm_guest_stats_destroy(&s->stats);
}
