// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-hostile: the cases.  Each one runs its steps against the host and
 * reports one line a step; what the host must do is in the usage at the
 * top of main.c and in Documentation/protocol.rst.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <grp.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "wire.h"

/* A close owed to a timeout may come this part of it early. */
#define HS_EARLY_PART		5
/* Bytes the transport may buffer beyond the host's read budget. */
#define HS_FLOOD_SLACK_BYTES	(1024 * 1024)
/* The pause in which the host's policy may chew on the liar's stats. */
#define HS_LIAR_PAUSE_MS	2000
/* uid and gid of the unprivileged user ("nobody"). */
#define HS_NOBODY		65534

/* The long output lines. */
#define HS_FMT_FLOOD "msgs=%llu frames=%llu ms=%llu msgs_per_s=%llu frames_per_s=%llu max_frames=%llu"
#define HS_FMT_STORM "attempts=%u welcomed=%u refused=%u hung=%u bad=%u connect_failed=%u refuse_ms_max=%llu"

/* Frames the cases use (protocol.rst, Frames). */
#define HS_GPA_1T		0x10000000000ULL	/* 1 TiB */
#define HS_FRAME_1T		HS_GPA_1T
#define HS_FRAME_TOP		(MRM_FRAME_GFN_MAX << MRM_FRAME_GFN_SHIFT)
#define HS_FRAME_BIOS		0xfffff000ULL
#define HS_FRAME_1T_2M		(HS_GPA_1T | MRM_FRAME_ORDER_2M)
/* Order 9 with an odd GFN. */
#define HS_FRAME_MISALIGNED	(HS_GPA_1T + (1ULL << MRM_FRAME_GFN_SHIFT) + \
				 MRM_FRAME_ORDER_2M)
#define HS_FRAME_RESERVED_BIT	(HS_GPA_1T | 0x40)
#define HS_FRAME_BAD_ORDER	(HS_GPA_1T | 5)
/* Low guest RAM, for DEFLATEs of frames that were never inflated. */
#define HS_GFN_LOW		0x100

static_assert(HS_FRAME_RESERVED_BIT & MRM_FRAME_RESERVED_MASK,
	      "HS_FRAME_RESERVED_BIT sets a reserved bit");

/* Where the garbage comes from. */
#define HS_SALT_GARBAGE		0x67617262ULL

static void hs_step_probe(struct hs_ctx *x, const char *step)
{
	struct hs_res r = { 0 };
	struct hs_conn c;

	if (!hs_open(x, &c, step, false, &r) && !hs_hello_welcome(&c, &r) &&
	    !hs_goodbye(&c, &r)) {
		r.result = "welcome";
		hs_key(&r, "caps=0x%x max_frames=%u target_pages=%llu",
		       c.caps, c.max_frames, (unsigned long long)c.target);
	}
	hs_close(&c);
	hs_report(x, step, &r);
}

static void hs_case_probe(struct hs_ctx *x)
{
	hs_step_probe(x, "hello-goodbye");
}

/* In a child: become the unprivileged user if root.  0, or -errno. */
static int hs_drop_root(void)
{
	if (getuid() && geteuid())
		return 0;
	if (setgroups(0, NULL) ||
	    setresgid(HS_NOBODY, HS_NOBODY, HS_NOBODY) ||
	    setresuid(HS_NOBODY, HS_NOBODY, HS_NOBODY))
		return -errno;
	return 0;
}

/* Unprivileged: binding a reserved port must fail with EACCES. */
static void hs_unpriv_bind(struct hs_ctx *x)
{
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = MRM_PROTO_PEER_PORT_MAX,
	};
	struct hs_res r = { 0 };
	int fd;

	hs_key(&r, "uid=%u port=%u", (unsigned int)geteuid(), svm.svm_port);
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r.result = "no-vsock";
		hs_key(&r, "err=%s", hs_errno_name(errno));
		r.skip = true;
	} else if (!bind(fd, (struct sockaddr *)&svm, sizeof(svm))) {
		r.result = "bound";
		hs_fail(&r, "user-bound-reserved-port");
	} else {
		r.result = errno == EACCES ? "eacces" : "failed";
		if (errno != EACCES) {
			hs_key(&r, "err=%s", hs_errno_name(errno));
			hs_fail(&r, "not-eacces");
		}
	}
	if (fd >= 0)
		close(fd);
	hs_report(x, "bind-reserved", &r);
}

/*
 * Unprivileged: connect from the port the kernel picks and send a HELLO.
 * The host must close without a message.
 */
static void hs_unpriv_connect(struct hs_ctx *x)
{
	struct sockaddr_vm local = { 0 };
	socklen_t len = sizeof(local);
	u8 b[MRM_PROTO_MAX_MSG];
	struct hs_res r = { 0 };
	struct mrm_msg_hello h;
	struct hs_conn c;
	struct hs_in in;
	enum hs_rx rx;
	int err;

	if (x->unix_path) {
		r.result = "unix";
		hs_key(&r, "ports=none");
		r.skip = true;
		hs_report(x, "unreserved", &r);
		return;
	}
	/* Not paced: a refused connection does not count against the limit. */
	x->unreserved = true;
	err = hs_open(x, &c, "unreserved", true, &r);
	x->unreserved = false;
	if (err == -ECONNRESET) {
		/* Closed while connecting: refused as well. */
		r.result = "reset";
		r.why = NULL;
	}
	if (err)
		goto out;
	if (!x->dump) {
		if (getsockname(c.fd, (struct sockaddr *)&local, &len))
			local.svm_port = 0;
		hs_key(&r, "port=%u", local.svm_port);
		if (local.svm_port <= MRM_PROTO_PEER_PORT_MAX)
			hs_fail(&r, "port-not-unreserved");
	}
	hs_honest_hello(x, &h);
	err = hs_send(&c, b, hs_enc_hello(b, &h, c.tx_seq++));
	if (err && err != -EPIPE && err != -ECONNRESET) {
		r.result = "send-failed";
		hs_key(&r, "err=%s", hs_errno_name(-err));
		hs_fail(&r, "hello-not-sent");
		goto out;
	}
	rx = hs_recv(&c, c.last_tx + x->wait_ms * HS_MS, &in);
	if (rx == HS_RX_EOF) {
		r.result = "closed";
	} else if (rx == HS_RX_RESET) {
		r.result = "reset";
	} else if (rx == HS_RX_MSG) {
		r.result = in.type == MRM_MSG_WELCOME ? "welcome" : "answered";
		hs_key(&r, "got=%s", hs_type_str(in.type));
		hs_fail(&r, in.type == MRM_MSG_WELCOME ?
			"served-unreserved-port" : "answered-unreserved-port");
	} else {
		hs_rx_fail(&c, rx, &r, "not-closed");
	}
out:
	hs_close(&c);
	hs_report(x, "unreserved", &r);
}

/*
 * The steps above in a child that gave up root; its exit status is
 * steps << 4 | failed steps.
 */
static void hs_case_unreserved(struct hs_ctx *x)
{
	struct hs_res r = { 0 };
	int status, err;
	pid_t pid;

	if (x->dump) {
		hs_unpriv_connect(x);
		return;
	}
	pid = fork();
	if (!pid) {
		x->steps = 0;
		x->failed = 0;
		err = hs_drop_root();
		if (err) {
			r.result = "setuid-failed";
			hs_key(&r, "err=%s", hs_errno_name(-err));
			hs_fail(&r, "cannot-drop-root");
			hs_report(x, "drop-root", &r);
		} else {
			hs_unpriv_bind(x);
			hs_unpriv_connect(x);
		}
		_exit(x->steps << 4 | x->failed);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status)) {
		r.result = pid < 0 ? "fork-failed" : "child-died";
		hs_fail(&r, "no-unprivileged-run");
		hs_report(x, "unprivileged", &r);
	} else {
		x->steps += WEXITSTATUS(status) >> 4;
		x->failed += WEXITSTATUS(status) & 15;
	}
	if (!x->no_probe)
		hs_step_probe(x, "still-serving");
}

static void hs_case_garbage(struct hs_ctx *x)
{
	static const unsigned int lens[] = { 7, 16, 1000, MRM_PROTO_MAX_MSG };
	u8 b[MRM_PROTO_MAX_MSG];
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		u64 state = hs_mix(x->seed ^ HS_SALT_GARBAGE) + lens[i];
		struct hs_close_spec s = { 0 };
		struct hs_res r = { 0 };
		struct hs_conn c;
		char step[16];

		for (k = 0; k < lens[i]; k++)
			b[k] = hs_mix(state + k * 0x9e3779b97f4a7c15ULL);
		snprintf(step, sizeof(step), "len%u", lens[i]);
		/*
		 * A whole header is judged at once; a shorter one may wait
		 * for the rest until the handshake timeout.
		 */
		s.need_error = lens[i] >= HS_HDR;
		s.max_ms = lens[i] >= HS_HDR ? x->wait_ms :
			   x->handshake_ms + x->wait_ms;
		if (!hs_open(x, &c, step, false, &r))
			hs_send_expect_close(&c, b, lens[i], &s, &r);
		hs_close(&c);
		hs_report(x, step, &r);
	}
}

/*
 * A step: an honest handshake if @active, then the message @b as the
 * next one (its seq already set), rejected as @s says.
 */
static void hs_bad_step(struct hs_ctx *x, const char *step, bool active,
			u8 *b, size_t len, const struct hs_close_spec *s)
{
	struct hs_res r = { 0 };
	struct hs_conn c;

	if (!hs_open(x, &c, step, false, &r) &&
	    (!active || !hs_hello_welcome(&c, &r))) {
		if (active)
			put32(b + HDR(seq), c.tx_seq);
		hs_send_expect_close(&c, b, len, s, &r);
	}
	hs_close(&c);
	hs_report(x, step, &r);
}

static size_t hs_honest_hello_bytes(struct hs_ctx *x, u8 *b)
{
	struct mrm_msg_hello h;

	hs_honest_hello(x, &h);
	return hs_enc_hello(b, &h, 0);
}

static const u64 hs_frame_1t[] = { HS_FRAME_1T };

static void hs_case_bad_magic(struct hs_ctx *x)
{
	struct hs_close_spec s;
	u8 b[MRM_PROTO_MAX_MSG];
	size_t len;

	len = hs_honest_hello_bytes(x, b);
	put32(b + HDR(magic), 0x3f4d524d);	/* "MRM?" */
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_MALFORMED), 0, 0);
	hs_bad_step(x, "hello", false, b, len, &s);

	len = hs_enc_frames(b, MRM_MSG_INFLATE, 0, hs_frame_1t, 1, 0);
	put32(b + HDR(magic), ~MRM_PROTO_MAGIC);
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_MALFORMED), 0, 1);
	hs_bad_step(x, "inflate", true, b, len, &s);
}

static void hs_case_bad_version(struct hs_ctx *x)
{
	struct hs_close_spec s;
	u8 b[MRM_PROTO_MAX_MSG];
	size_t len;

	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_VERSION), 0, 0);
	len = hs_honest_hello_bytes(x, b);
	put16(b + HDR(version), MRM_PROTO_VERSION_1 + 1);
	hs_bad_step(x, "hello-header", false, b, len, &s);

	len = hs_honest_hello_bytes(x, b);
	put16(b + HELLO(min_version), 0xfff0);
	put16(b + HELLO(max_version), 0xffff);
	hs_bad_step(x, "no-common-version", false, b, len, &s);

	len = hs_enc_frames(b, MRM_MSG_INFLATE, 0, hs_frame_1t, 1, 0);
	put16(b + HDR(version), MRM_PROTO_VERSION_1 + 1);
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_VERSION), 0, 1);
	hs_bad_step(x, "inflate-header", true, b, len, &s);
}

static void hs_case_unknown_type(struct hs_ctx *x)
{
	struct hs_close_spec s;
	u8 b[MRM_PROTO_MAX_MSG];

	memset(b, 0, sizeof(b));
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1, 0, 8, 0);
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_MALFORMED), 0, 0);
	hs_bad_step(x, "type0-first", false, b, HS_HDR + 8, &s);

	memset(b, 0, sizeof(b));
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1,
		   MRM_MSG_TYPE_MAX + 1, 0, 0);
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_MALFORMED), 0, 1);
	hs_bad_step(x, "type11-active", true, b, HS_HDR, &s);

	/* A well-formed WELCOME, but the host is the one who sends it. */
	memset(b, 0, sizeof(b));
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1, MRM_MSG_WELCOME,
		   sizeof(struct mrm_msg_welcome), 0);
	put16(b + HS_HDR + WELCOME(version), MRM_PROTO_VERSION_1);
	put16(b + HS_HDR + WELCOME(max_frames), 1);
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_UNEXPECTED), 0, 1);
	hs_bad_step(x, "welcome-from-guest", true, b,
		    HS_HDR + sizeof(struct mrm_msg_welcome), &s);
}

static void hs_case_oversized(struct hs_ctx *x)
{
	/* Whole frames, one more than MRM_PROTO_MAX_FRAMES: too long only. */
	const u32 over = MRM_MSG_FRAMES_LEN(MRM_PROTO_MAX_FRAMES + 1);
	struct hs_close_spec s;
	u8 b[HS_HDR];

	/* No payload follows: waiting for it would be the bug. */
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_HANDSHAKE,
		   MRM_MSG_HELLO, over, 0);
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_TOO_LONG), 0, 0);
	hs_bad_step(x, "hello-4112", false, b, HS_HDR, &s);

	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1, MRM_MSG_INFLATE,
		   over, 0);
	hs_reject_spec(x, &s, HS_CODE(MRM_ERR_TOO_LONG), 0, 1);
	hs_bad_step(x, "inflate-4112", true, b, HS_HDR, &s);

	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1, MRM_MSG_INFLATE,
		   0xfffffff8, 0);
	hs_bad_step(x, "inflate-4g", true, b, HS_HDR, &s);
}

static void hs_case_truncated(struct hs_ctx *x)
{
	struct hs_close_spec s = {
		.codes = HS_CODE(MRM_ERR_TIMEOUT) | HS_CODE(MRM_ERR_MALFORMED),
		.max_ms = x->handshake_ms + x->wait_ms,
	};
	u8 b[MRM_PROTO_MAX_MSG];
	size_t len = hs_honest_hello_bytes(x, b);

	/*
	 * The handshake timer runs from the connection, a little before
	 * the bytes are sent: allow a fifth of it.
	 */
	s.min_ms = x->handshake_ms - x->handshake_ms / HS_EARLY_PART;
	hs_bad_step(x, "half-header", false, b, HS_HDR / 2, &s);
	hs_bad_step(x, "half-payload", false, b, HS_HDR + (len - HS_HDR) / 2,
		    &s);
}

/* Frames [@first, @first + @nr) of low RAM, never inflated. */
static void hs_low_frames(u64 *frames, unsigned int nr, u64 first)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		frames[i] = (first + i) << MRM_FRAME_GFN_SHIFT;
}

static void hs_case_outside_ram(struct hs_ctx *x)
{
	static const struct {
		const char *step;
		u64 frame;
	} bad[] = {
		{ "misaligned-2m", HS_FRAME_MISALIGNED },
		{ "reserved-bit", HS_FRAME_RESERVED_BIT },
		{ "bad-order", HS_FRAME_BAD_ORDER },
	};
	u64 frames[4] = { HS_FRAME_1T, HS_FRAME_TOP, HS_FRAME_BIOS,
			  HS_FRAME_1T_2M };
	u8 b[MRM_PROTO_MAX_MSG];
	struct hs_res r = { 0 };
	unsigned int i, nr;
	struct hs_conn c;
	u32 first;

	/* Back to back, then the ACKs, in order. */
	if (!hs_open(x, &c, "ack-invalid", false, &r) &&
	    !hs_hello_welcome(&c, &r)) {
		nr = c.caps & MRM_CAP_FRAME_2M ? 4 : 3;
		first = c.tx_seq;
		for (i = 0; i < nr && !r.why; i++) {
			size_t len = hs_enc_frames(b, MRM_MSG_INFLATE, 0,
						   frames + i, 1,
						   c.tx_seq++);

			if (hs_send(&c, b, len)) {
				r.result = "send-failed";
				hs_fail(&r, "inflate-not-sent");
			}
		}
		for (i = 0; i < nr && !r.why; i++)
			hs_expect_ack(&c, first + i, 0, MRM_ACK_INVALID,
				      c.last_tx + x->wait_ms * HS_MS, &r);
		if (!r.why)
			hs_key(&r, "inflates=%u accepted=0 status=invalid",
			       nr);
		if (!r.why)
			hs_goodbye(&c, &r);
	}
	hs_close(&c);
	hs_report(x, "ack-invalid", &r);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct hs_close_spec s;
		u64 two[2] = { HS_FRAME_1T, bad[i].frame };
		struct hs_res rr = { 0 };
		u32 codes = HS_CODE(MRM_ERR_MALFORMED);

		if (hs_open(x, &c, bad[i].step, false, &rr) ||
		    hs_hello_welcome(&c, &rr)) {
			hs_close(&c);
			hs_report(x, bad[i].step, &rr);
			continue;
		}
		/* Order 9 without MRM_CAP_FRAME_2M is also illegal. */
		if (bad[i].frame == HS_FRAME_MISALIGNED &&
		    !(c.caps & MRM_CAP_FRAME_2M))
			codes |= HS_CODE(MRM_ERR_UNEXPECTED);
		/* A payload problem: the ERROR names this very message. */
		hs_reject_spec(x, &s, codes, c.tx_seq, c.tx_seq);
		hs_send_expect_close(&c, b,
				     hs_enc_frames(b, MRM_MSG_INFLATE, 0, two,
						   2, c.tx_seq++),
				     &s, &rr);
		hs_close(&c);
		hs_report(x, bad[i].step, &rr);
	}
}

/* Absurd but legal statistics, then inconsistent ones. */
static const struct hs_stat hs_lies[] = {
	{ MRM_STAT_MEM_TOTAL, 1ULL << 63 },
	{ MRM_STAT_MEM_AVAILABLE, 1ULL << 63 },
	{ MRM_STAT_MEM_FREE, ~0ULL },
	{ MRM_STAT_SWAP_IN, ~0ULL },
	{ MRM_STAT_SWAP_OUT, ~0ULL },
	{ MRM_STAT_MAJOR_FAULTS, ~0ULL },
	{ MRM_STAT_PSI_SOME_AVG10, MRM_STAT_PSI_AVG_MAX },
	{ MRM_STAT_PSI_FULL_AVG10, MRM_STAT_PSI_AVG_MAX },
	{ MRM_STAT_PSI_SOME_TOTAL, ~0ULL },
	{ MRM_STAT_PSI_FULL_TOTAL, 0 },
	{ MRM_STAT_BALLOON, 1ULL << 63 },
	{ 0x7fff, 42 },		/* unknown: skipped, not an error */
};

static const struct hs_stat hs_lies2[] = {
	{ MRM_STAT_MEM_TOTAL, 0 },
	{ MRM_STAT_MEM_AVAILABLE, MRM_PROTO_MAX_PAGES },
	{ MRM_STAT_MEM_FREE, 1ULL << 63 },
	{ MRM_STAT_BALLOON, 0 },
	{ MRM_STAT_PSI_FULL_AVG10, MRM_STAT_PSI_AVG_MAX },
	{ MRM_STAT_PSI_SOME_AVG10, 0 },
};

static void hs_liar_lies(struct hs_ctx *x)
{
	static u64 frames[MRM_PROTO_MAX_FRAMES];
	u8 b[MRM_PROTO_MAX_MSG];
	struct hs_res r = { 0 };
	unsigned int stats = 0;
	struct hs_conn c;
	struct mrm_msg_hello h;
	struct hs_in in;
	enum hs_rx rx;
	u32 seq;

	hs_honest_hello(x, &h);
	h.ram_pages = htole64(MRM_PROTO_MAX_PAGES);
	h.balloon_pages = htole64(MRM_PROTO_MAX_PAGES);
	if (hs_open(x, &c, "lies", false, &r) || hs_handshake(&c, &h, &r))
		goto out;
	hs_low_frames(frames, c.max_frames, HS_GFN_LOW);
	if (hs_send(&c, b, hs_enc_frames(b, MRM_MSG_DEFLATE, MRM_DEFLATE_OOM,
					 frames, c.max_frames, c.tx_seq++)) ||
	    hs_send(&c, b, hs_enc_frames(b, MRM_MSG_DEFLATE,
					 MRM_DEFLATE_PRESSURE, hs_frame_1t, 1,
					 c.tx_seq++)))
		goto send_failed;
	if (c.caps & MRM_CAP_STATS) {
		if (hs_send(&c, b, hs_enc_stats(b, hs_lies,
						ARRAY_SIZE(hs_lies),
						c.tx_seq++)) ||
		    hs_send(&c, b, hs_enc_stats(b, hs_lies2,
						ARRAY_SIZE(hs_lies2),
						c.tx_seq++)))
			goto send_failed;
		stats = 2;
	}
	/* Let the host's policy chew on it; it must not close. */
	if (!x->dump) {
		u64 until = hs_now() + HS_LIAR_PAUSE_MS * HS_MS;

		do {
			rx = hs_recv(&c, until, &in);
		} while (rx == HS_RX_MSG && hs_background(&c, &in));
		if (rx != HS_RX_TIMEOUT) {
			if (rx == HS_RX_MSG && in.type == MRM_MSG_ERROR)
				hs_unwanted_error(&in, &r);
			else if (rx == HS_RX_MSG)
				r.result = "answered";
			else
				hs_rx_fail(&c, rx, &r, "did-not-carry-on");
			hs_fail(&r, "did-not-carry-on");
			goto out;
		}
	}
	seq = c.tx_seq;
	if (hs_send(&c, b, hs_enc_frames(b, MRM_MSG_INFLATE, 0, hs_frame_1t, 1,
					 c.tx_seq++)))
		goto send_failed;
	if (hs_expect_ack(&c, seq, 0, MRM_ACK_INVALID,
			  c.last_tx + x->wait_ms * HS_MS, &r) ||
	    hs_goodbye(&c, &r))
		goto out;
	r.result = "carried-on";
	hs_key(&r, "ack=invalid stats_sent=%u stats_requests=%u target_pages=%lld",
	       stats, c.stats_requests,
	       c.target == ~0ULL ? -1LL : (long long)c.target);
	goto out;

send_failed:
	r.result = "send-failed";
	hs_key(&r, "err=%s", hs_errno_name(c.err));
	hs_fail(&r, "closed-on-lies");
out:
	hs_close(&c);
	hs_report(x, "lies", &r);
}

static void hs_liar_psi(struct hs_ctx *x)
{
	static const struct hs_stat psi[] = {
		{ MRM_STAT_PSI_SOME_AVG10, 100000 },
	};
	u8 b[MRM_PROTO_MAX_MSG];
	struct hs_close_spec s;
	struct hs_res r = { 0 };
	struct hs_conn c;

	if (!hs_open(x, &c, "psi-above-max", false, &r) &&
	    !hs_hello_welcome(&c, &r)) {
		if (c.caps & MRM_CAP_STATS) {
			hs_reject_spec(x, &s, HS_CODE(MRM_ERR_MALFORMED),
				       c.tx_seq, c.tx_seq);
			hs_send_expect_close(&c, b,
					     hs_enc_stats(b, psi, 1,
							  c.tx_seq++),
					     &s, &r);
		} else {
			r.result = "welcome";
			hs_key(&r, "caps=0x%x", c.caps);
			r.skip = true;
		}
	}
	hs_close(&c);
	hs_report(x, "psi-above-max", &r);
}

static void hs_case_liar(struct hs_ctx *x)
{
	hs_liar_lies(x);
	hs_liar_psi(x);
}

/*
 * While flooding, take in what the host sends: false once it has ended
 * the session (@r says how).
 */
static bool hs_flood_rx(struct hs_conn *c, struct hs_res *r, u16 *code)
{
	struct hs_in in;
	enum hs_rx rx;

	rx = hs_recv(c, hs_now() + c->x->wait_ms * HS_MS, &in);
	if (rx == HS_RX_MSG && hs_background(c, &in))
		return true;
	if (rx == HS_RX_MSG && in.type == MRM_MSG_ERROR) {
		*code = get16(in.p + ERR(code));
		rx = hs_recv(c, hs_now() + c->x->wait_ms * HS_MS, &in);
		if (rx == HS_RX_EOF || rx == HS_RX_RESET) {
			r->result = "error-closed";
			hs_key(r, "error=%s", hs_err_str(*code));
			return false;
		}
		r->result = "error-open";
		hs_fail(r, "not-closed-after-error");
		return false;
	}
	if (rx == HS_RX_MSG) {
		r->result = "answered";
		hs_key(r, "got=%s", hs_type_str(in.type));
		hs_fail(r, "answered-a-deflate");
		return false;
	}
	hs_rx_fail(c, rx, r, "closed-during-flood");
	return false;
}

static void hs_case_flood(struct hs_ctx *x)
{
	static u64 frames[MRM_PROTO_MAX_FRAMES];
	u64 msgs = 0, nr_frames = 0, start, end, ms;
	u64 max_msgs, max_frames, slack_msgs;
	u8 b[MRM_PROTO_MAX_MSG];
	struct hs_res r = { 0 };
	bool up = true;
	struct hs_conn c;
	u16 code = 0;
	size_t len;
	u32 seq;

	if (hs_open(x, &c, "flood", false, &r) || hs_hello_welcome(&c, &r))
		goto out;
	hs_low_frames(frames, c.max_frames, HS_GFN_LOW);
	len = hs_enc_frames(b, MRM_MSG_DEFLATE, MRM_DEFLATE_RESYNC, frames,
			    c.max_frames, c.tx_seq);
	start = hs_now();
	end = start + x->flood_secs * HS_NS;
	while (up && hs_now() < end) {
		size_t off = 0;

		put32(b + HDR(seq), c.tx_seq);
		if (x->dump) {
			hs_send(&c, b, len);
			c.tx_seq++;
			break;
		}
		/* A message once begun is finished, or the stream is broken. */
		while (up && off < len) {
			struct pollfd pfd = {
				.fd = c.fd,
				.events = POLLIN | POLLOUT,
			};
			u64 limit = (off ? end + x->wait_ms * HS_MS : end);
			u64 now = hs_now();
			ssize_t n;

			if (now >= limit)
				break;
			if (poll(&pfd, 1, (limit - now) / HS_MS + 1) <= 0)
				continue;
			if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
				up = hs_flood_rx(&c, &r, &code);
				continue;
			}
			n = send(c.fd, b + off, len - off, MSG_NOSIGNAL);
			if (n > 0)
				off += n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				up = hs_flood_rx(&c, &r, &code);
		}
		if (off == len) {
			msgs++;
			nr_frames += c.max_frames;
			c.tx_seq++;
			c.last_tx = hs_now();
		} else if (off) {
			r.result = "stalled";
			hs_fail(&r, "stopped-reading-mid-message");
			up = false;
		}
	}
	if (x->dump)
		goto out;
	ms = (hs_now() - start) / HS_MS;
	slack_msgs = HS_FLOOD_SLACK_BYTES / len + 1;
	max_msgs = MRM_PROTO_MAX_MSGS_PER_SEC * (ms / 1000 + 1) + slack_msgs;
	max_frames = MRM_PROTO_MAX_FRAMES_PER_SEC * (ms / 1000 + 1) +
		     slack_msgs * c.max_frames;
	hs_key(&r, HS_FMT_FLOOD,
	       (unsigned long long)msgs, (unsigned long long)nr_frames,
	       (unsigned long long)ms,
	       (unsigned long long)(ms ? msgs * 1000 / ms : 0),
	       (unsigned long long)(ms ? nr_frames * 1000 / ms : 0),
	       (unsigned long long)max_frames);
	if (msgs > max_msgs || nr_frames > max_frames)
		hs_fail(&r, "not-rate-limited");
	if (!up) {
		/* Closed: only a rate error is a fair reason. */
		if (!r.why && code != MRM_ERR_RATE)
			hs_fail(&r, "closed-during-flood");
		hs_close(&c);
		hs_report(x, "flood", &r);
		if (code == MRM_ERR_RATE)
			hs_step_probe(x, "still-serving");
		return;
	}
	/* Still up: the host must get through the backlog and answer. */
	seq = c.tx_seq;
	if (hs_send(&c, b, hs_enc_frames(b, MRM_MSG_INFLATE, 0, hs_frame_1t, 1,
					 c.tx_seq++))) {
		r.result = "send-failed";
		hs_fail(&r, "inflate-not-sent");
		goto out;
	}
	if (!hs_expect_ack(&c, seq, 0, MRM_ACK_INVALID,
			   c.last_tx + 2 * x->wait_ms * HS_MS, &r))
		hs_key(&r, "ack=invalid");
out:
	hs_close(&c);
	hs_report(x, "flood", &r);
}

static void hs_case_storm(struct hs_ctx *x)
{
	unsigned int i, welcomed = 0, refused = 0, hung = 0, bad = 0;
	unsigned int failed = 0, recent, min_welcomed = 0;
	u64 worst = 0, last = 0, oldest;
	struct hs_res r = { 0 };
	struct hs_conn c;

	/*
	 * The host may count our connections of the last window, and up to
	 * HS_OTHERS of someone else's on this guest: it must welcome the
	 * rest of its limit, and no more than its limit.
	 */
	recent = hs_recent(x, hs_now(), &oldest) + HS_OTHERS;
	if (recent < MRM_PROTO_MAX_CONNECTS_PER_MIN)
		min_welcomed = MRM_PROTO_MAX_CONNECTS_PER_MIN - recent;
	for (i = 0; i < x->storm; i++) {
		struct hs_res one = { 0 };
		struct mrm_msg_hello h;
		u8 b[MRM_PROTO_MAX_MSG];
		struct hs_in in;
		enum hs_rx rx;
		u64 ms;

		if (hs_open(x, &c, "storm", true, &one)) {
			failed++;
			continue;
		}
		last = hs_now();
		hs_honest_hello(x, &h);
		hs_send(&c, b, hs_enc_hello(b, &h, c.tx_seq++));
		rx = hs_recv(&c, c.last_tx + x->wait_ms * HS_MS, &in);
		/* A refusal may carry an ERROR; then the stream ends. */
		if (rx == HS_RX_MSG && in.type == MRM_MSG_ERROR) {
			u16 code = get16(in.p + ERR(code));

			if (code != MRM_ERR_REFUSED && code != MRM_ERR_RATE)
				bad++;
			rx = hs_recv(&c, c.last_tx + x->wait_ms * HS_MS, &in);
		}
		ms = (hs_now() - c.last_tx) / HS_MS;
		if (rx == HS_RX_MSG && in.type == MRM_MSG_WELCOME &&
		    !hs_check_welcome(&c, &in, &h)) {
			welcomed++;
		} else if (rx == HS_RX_EOF || rx == HS_RX_RESET) {
			refused++;
			if (ms > worst)
				worst = ms;
		} else if (rx == HS_RX_TIMEOUT) {
			hung++;
		} else {
			bad++;
		}
		hs_close(&c);
		if (x->dump)
			break;
	}
	if (x->dump)
		return;
	r.result = "storm";
	hs_key(&r, HS_FMT_STORM,
	       x->storm, welcomed, refused, hung, bad, failed,
	       (unsigned long long)worst);
	hs_key(&r, "min_welcomed=%u", min_welcomed);
	if (welcomed > MRM_PROTO_MAX_CONNECTS_PER_MIN)
		hs_fail(&r, "over-connection-limit");
	else if (welcomed < min_welcomed)
		hs_fail(&r, "refused-below-limit");
	else if (hung)
		hs_fail(&r, "connection-left-hanging");
	else if (bad)
		hs_fail(&r, "bad-answer");
	else if (failed)
		hs_fail(&r, "connect-failed");
	hs_report(x, "storm", &r);

	/* The window passes; the host must serve this guest again. */
	say("pace wait_ms=%llu",
	    (unsigned long long)(x->window_ms + HS_WINDOW_MARGIN_MS));
	hs_sleep_until(last + (x->window_ms + HS_WINDOW_MARGIN_MS) * HS_MS);
	x->log_nr = 0;
	hs_step_probe(x, "recovered");
}

const struct hs_case hs_cases[] = {
	{ "probe", hs_case_probe },
	{ "unreserved-port", hs_case_unreserved },
	{ "garbage", hs_case_garbage },
	{ "bad-magic", hs_case_bad_magic },
	{ "bad-version", hs_case_bad_version },
	{ "unknown-type", hs_case_unknown_type },
	{ "oversized", hs_case_oversized },
	{ "truncated", hs_case_truncated },
	{ "outside-ram", hs_case_outside_ram },
	{ "liar", hs_case_liar },
	{ "flood", hs_case_flood },
	{ "reconnect-storm", hs_case_storm },
};

const unsigned int hs_nr_cases = ARRAY_SIZE(hs_cases);
