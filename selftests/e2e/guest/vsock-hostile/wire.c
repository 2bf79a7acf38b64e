// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-hostile: the wire.  Messages are encoded with the little-endian
 * helpers of wire.h over the uapi structs (not with common/proto.c: an
 * independent encoder is a better test), sent and received on a bounded
 * socket, and the host's answers judged against Documentation/protocol.rst.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../say.h"
#include "wire.h"

/* The byte-offset tables of protocol.rst, checked against the uapi. */
static_assert(sizeof(struct mrm_msg_hdr) == 16, "header size");
static_assert(offsetof(struct mrm_msg_hdr, version) == 4, "hdr.version");
static_assert(offsetof(struct mrm_msg_hdr, type) == 6, "hdr.type");
static_assert(offsetof(struct mrm_msg_hdr, length) == 8, "hdr.length");
static_assert(offsetof(struct mrm_msg_hdr, seq) == 12, "hdr.seq");
static_assert(sizeof(struct mrm_msg_hello) == 40, "HELLO size");
static_assert(offsetof(struct mrm_msg_hello, caps) == 8, "hello.caps");
static_assert(offsetof(struct mrm_msg_hello, ram_pages) == 16, "ram_pages");
static_assert(offsetof(struct mrm_msg_hello, boot_id) == 32, "boot_id");
static_assert(sizeof(struct mrm_msg_welcome) == 24, "WELCOME size");
static_assert(offsetof(struct mrm_msg_welcome, target_pages) == 8,
	      "welcome.target_pages");
static_assert(offsetof(struct mrm_msg_welcome, stats_period_ms) == 16,
	      "welcome.stats_period_ms");
static_assert(sizeof(struct mrm_msg_set_target) == 8, "SET_TARGET size");
static_assert(sizeof(struct mrm_msg_inflate) == 8, "INFLATE size");
static_assert(offsetof(struct mrm_msg_deflate, reason) == 2, "reason");
static_assert(sizeof(struct mrm_msg_ack) == 8, "ACK size");
static_assert(offsetof(struct mrm_msg_ack, status) == 6, "ack.status");
static_assert(sizeof(struct mrm_stat) == 16, "stat size");
static_assert(offsetof(struct mrm_stat, value) == 8, "stat.value");
static_assert(sizeof(struct mrm_msg_error) == 8, "ERROR size");
static_assert(offsetof(struct mrm_msg_error, ref_seq) == 4, "ref_seq");
static_assert(sizeof(struct mrm_msg_goodbye) == 8, "GOODBYE size");
static_assert(MRM_PROTO_MAX_PAYLOAD == 4104, "largest payload");

/* Lowest reserved port tried (MRM_PROTO_PEER_PORT_MAX the highest). */
#define HS_PORT_LOW		512

/* --- messages ------------------------------------------------------------- */

/* Every header field explicit, so that a case can get any of them wrong. */
void hs_put_hdr(u8 *b, u32 magic, u16 version, u16 type, u32 length,
		u32 seq)
{
	put32(b + HDR(magic), magic);
	put16(b + HDR(version), version);
	put16(b + HDR(type), type);
	put32(b + HDR(length), length);
	put32(b + HDR(seq), seq);
}

/*
 * HELLO @h (a struct mrm_msg_hello in wire order: every field little
 * endian) after a header with @seq.
 */
size_t hs_enc_hello(u8 *b, const struct mrm_msg_hello *h, u32 seq)
{
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_HANDSHAKE,
		   MRM_MSG_HELLO, sizeof(*h), seq);
	memcpy(b + HS_HDR, h, sizeof(*h));
	return HS_HDR + sizeof(*h);
}

/* INFLATE (@reason ignored) or DEFLATE of @nr frames. */
size_t hs_enc_frames(u8 *b, u16 type, u16 reason, const u64 *frames,
		     unsigned int nr, u32 seq)
{
	size_t len = MRM_MSG_FRAMES_LEN(nr);
	unsigned int i;

	memset(b, 0, HS_HDR + len);
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1, type, len, seq);
	put16(b + FRAMES(nr_frames), nr);
	if (type == MRM_MSG_DEFLATE)
		put16(b + DEFLATE(reason), reason);
	for (i = 0; i < nr; i++)
		put64(b + FRAMES(frames) + sizeof(__le64) * i, frames[i]);
	return HS_HDR + len;
}

size_t hs_enc_stats(u8 *b, const struct hs_stat *s, unsigned int nr,
		    u32 seq)
{
	size_t len = MRM_MSG_STATS_LEN(nr);
	unsigned int i;

	memset(b, 0, HS_HDR + len);
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1, MRM_MSG_STATS,
		   len, seq);
	put16(b + STATS(nr_stats), nr);
	for (i = 0; i < nr; i++) {
		u8 *e = b + STATS(stats) + i * sizeof(struct mrm_stat);

		put16(e + STAT(tag), s[i].tag);
		put64(e + STAT(value), s[i].value);
	}
	return HS_HDR + len;
}

static size_t hs_enc_goodbye(u8 *b, u16 reason, u32 seq)
{
	memset(b, 0, HS_HDR + sizeof(struct mrm_msg_goodbye));
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_1, MRM_MSG_GOODBYE,
		   sizeof(struct mrm_msg_goodbye), seq);
	put16(b + BYE(reason), reason);
	return HS_HDR + sizeof(struct mrm_msg_goodbye);
}

/* --- names ---------------------------------------------------------------- */

static const char * const hs_type_name[] = {
	[MRM_MSG_HELLO] = "hello",
	[MRM_MSG_WELCOME] = "welcome",
	[MRM_MSG_SET_TARGET] = "set-target",
	[MRM_MSG_INFLATE] = "inflate",
	[MRM_MSG_DEFLATE] = "deflate",
	[MRM_MSG_ACK] = "ack",
	[MRM_MSG_STATS] = "stats",
	[MRM_MSG_STATS_REQUEST] = "stats-request",
	[MRM_MSG_ERROR] = "error",
	[MRM_MSG_GOODBYE] = "goodbye",
};

static const char * const hs_err_name[] = {
	[MRM_ERR_MALFORMED] = "malformed",
	[MRM_ERR_VERSION] = "version",
	[MRM_ERR_UNEXPECTED] = "unexpected",
	[MRM_ERR_TOO_LONG] = "too-long",
	[MRM_ERR_REFUSED] = "refused",
	[MRM_ERR_RATE] = "rate",
	[MRM_ERR_RESOURCE] = "resource",
	[MRM_ERR_TIMEOUT] = "timeout",
	[MRM_ERR_INTERNAL] = "internal",
};

static const char * const hs_ack_name[] = {
	[MRM_ACK_OK] = "ok",
	[MRM_ACK_INVALID] = "invalid",
	[MRM_ACK_DECLINED] = "declined",
	[MRM_ACK_FAILED] = "failed",
	[MRM_ACK_CLOSING] = "closing",
};

static const char *hs_name(const char * const *table, size_t nr,
			   unsigned int v)
{
	return v < nr && table[v] ? table[v] : "unknown";
}

const char *hs_type_str(unsigned int type)
{
	return hs_name(hs_type_name, ARRAY_SIZE(hs_type_name), type);
}

const char *hs_err_str(unsigned int code)
{
	return hs_name(hs_err_name, ARRAY_SIZE(hs_err_name), code);
}

static const char *hs_ack_str(unsigned int status)
{
	return hs_name(hs_ack_name, ARRAY_SIZE(hs_ack_name), status);
}

const char *hs_errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown";
}

/* --- context, output ------------------------------------------------------ */

/* One output line ("hostile: " + @fmt), written with one write(). */
void hs_say(const char *fmt, ...)
{
	static char line[16384];
	size_t n = strlen("hostile: ");
	va_list ap;

	memcpy(line, "hostile: ", n);
	va_start(ap, fmt);
	say_vline(line, sizeof(line), n, fmt, ap);
	va_end(ap);
}

u64 hs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * HS_NS + ts.tv_nsec;
}

void hs_sleep_until(u64 t)
{
	u64 now = hs_now();
	struct timespec ts;

	while (now < t) {
		ts.tv_sec = (t - now) / HS_NS;
		ts.tv_nsec = (t - now) % HS_NS;
		nanosleep(&ts, NULL);
		now = hs_now();
	}
}

u64 hs_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void hs_add_key(struct hs_res *r, const char *fmt, ...)
{
	size_t n = strlen(r->keys);
	va_list ap;

	if (n + 2 >= sizeof(r->keys))
		return;
	r->keys[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(r->keys + n, sizeof(r->keys) - n, fmt, ap);
	va_end(ap);
}

/* Record a failure; the first reason wins. */
void hs_fail(struct hs_res *r, const char *why)
{
	if (!r->why)
		r->why = why;
}

void hs_report(struct hs_ctx *x, const char *step, struct hs_res *r)
{
	if (x->dump)
		return;
	x->steps++;
	if (r->skip) {
		say("case=%s step=%s result=%s%s verdict=skip", x->case_name,
		    step, r->result ?: "none", r->keys);
		return;
	}
	if (r->why)
		x->failed++;
	say("case=%s step=%s result=%s%s verdict=%s%s%s", x->case_name, step,
	    r->result ?: "none", r->keys, r->why ? "fail" : "pass",
	    r->why ? " why=" : "", r->why ?: "");
}

/* --- connections ---------------------------------------------------------- */

static void hs_log_connect(struct hs_ctx *x)
{
	x->log[x->log_nr++ % HS_MAX_LOG] = hs_now();
}

/* Connections this run made in the last window (what the host counts). */
unsigned int hs_recent(struct hs_ctx *x, u64 now, u64 *oldest)
{
	u64 span = (x->window_ms + HS_WINDOW_MARGIN_MS) * HS_MS;
	unsigned int i, n = 0, nr = x->log_nr < HS_MAX_LOG ? x->log_nr :
								   HS_MAX_LOG;

	*oldest = now;
	for (i = 0; i < nr; i++) {
		u64 t = x->log[i];

		if (t + span > now) {
			n++;
			if (t < *oldest)
				*oldest = t;
		}
	}
	return n;
}

/* Keep to --budget connections per window. */
static void hs_pace(struct hs_ctx *x)
{
	u64 span = (x->window_ms + HS_WINDOW_MARGIN_MS) * HS_MS;
	u64 now = hs_now(), oldest;

	if (x->dump)
		return;
	while (hs_recent(x, now, &oldest) >= x->budget) {
		say("pace wait_ms=%llu",
		    (unsigned long long)(oldest + span - now) / HS_MS);
		hs_sleep_until(oldest + span);
		now = hs_now();
	}
}

/* The reserved port below @port, wrapping from the lowest to the highest. */
static unsigned int hs_port_below(unsigned int port)
{
	return port > HS_PORT_LOW ? port - 1 : MRM_PROTO_PEER_PORT_MAX;
}

/*
 * Bind @fd to a free reserved port in HS_PORT_LOW..MRM_PROTO_PEER_PORT_MAX
 * as mrm_balloon does: the first at a random port, each later one below
 * the last one's, skipping busy ports (either end may hold a closed
 * connection's socket for a while; a new connection with the same ports
 * would meet it and be reset).  0, or -1 with errno set.
 */
static int hs_bind_reserved(int fd)
{
	static unsigned int next;
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
	};
	unsigned int i;

	if (!next)
		next = HS_PORT_LOW + (hs_now() ^ getpid()) %
			(MRM_PROTO_PEER_PORT_MAX - HS_PORT_LOW + 1);
	for (i = HS_PORT_LOW; i <= MRM_PROTO_PEER_PORT_MAX; i++) {
		svm.svm_port = next;
		next = hs_port_below(next);
		if (!bind(fd, (struct sockaddr *)&svm, sizeof(svm)))
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

static void hs_timeval(struct timeval *tv, u64 ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = ms % 1000 * 1000;
}

/*
 * Connect (pacing unless @storm), from a reserved port unless
 * @x->unreserved.  Every later socket call is bounded: the
 * socket is non-blocking and each wait is a poll() with a deadline, with
 * SO_RCVTIMEO and SO_SNDTIMEO as a second guard.  Returns 0, or -errno
 * with @r filled in.
 */
int hs_open(struct hs_ctx *x, struct hs_conn *c, const char *step,
	    bool storm, struct hs_res *r)
{
	struct timeval tv;
	int fd, err;

	memset(c, 0, sizeof(*c));
	c->x = x;
	c->step = step;
	c->fd = -1;
	c->target = ~0ULL;
	c->version = MRM_PROTO_VERSION_1;
	c->max_frames = MRM_PROTO_MAX_FRAMES;
	c->caps = MRM_CAP_KNOWN;
	if (x->dump)
		return 0;
	if (!storm)
		hs_pace(x);
	hs_log_connect(x);
	hs_timeval(&tv, x->wait_ms);
	if (x->unix_path) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
			 x->unix_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
			goto fail_close;
	} else {
		struct sockaddr_vm svm = {
			.svm_family = AF_VSOCK,
			.svm_cid = x->cid,
			.svm_port = x->port,
		};

		fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		if (!x->unreserved && hs_bind_reserved(fd))
			goto fail_close;
		setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv,
			   sizeof(tv));
		if (connect(fd, (struct sockaddr *)&svm, sizeof(svm)))
			goto fail_close;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
		goto fail_close;
	c->fd = fd;
	c->last_tx = hs_now();
	return 0;

fail_close:
	err = errno;
	close(fd);
	errno = err;
fail:
	err = errno;
	r->result = "connect-failed";
	hs_key(r, "err=%s errstr=\"%s\"", hs_errno_name(err), strerror(err));
	hs_fail(r, "connect-failed");
	return -err;
}

void hs_close(struct hs_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* --dump: the answer a conforming host gives to what we just "sent". */
static void hs_fake_answer(struct hs_conn *c, const u8 *b, size_t len)
{
	struct hs_in *in;
	u16 type;

	if (len < HS_HDR || c->fake_nr == HS_FAKE_MAX)
		return;
	type = get16(b + HDR(type));
	in = &c->fake[c->fake_nr];
	memset(in, 0, sizeof(*in));
	in->seq = c->rx_seq + c->fake_nr;
	switch (type) {
	case MRM_MSG_HELLO:
		in->type = MRM_MSG_WELCOME;
		in->len = sizeof(struct mrm_msg_welcome);
		put16(in->p + WELCOME(version), MRM_PROTO_VERSION_1);
		put16(in->p + WELCOME(max_frames), MRM_PROTO_MAX_FRAMES);
		put32(in->p + WELCOME(caps), MRM_CAP_KNOWN);
		break;
	case MRM_MSG_INFLATE:
		in->type = MRM_MSG_ACK;
		in->len = sizeof(struct mrm_msg_ack);
		put32(in->p + ACK(inflate_seq), get32(b + HDR(seq)));
		put16(in->p + ACK(status), MRM_ACK_INVALID);
		break;
	case MRM_MSG_GOODBYE:
		in->type = MRM_MSG_GOODBYE;
		in->len = sizeof(struct mrm_msg_goodbye);
		put16(in->p + GOODBYE(reason), MRM_BYE_REPLY);
		break;
	default:
		return;
	}
	c->fake_nr++;
}

static void hs_dump(struct hs_conn *c, const u8 *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	static char hex[2 * MRM_PROTO_MAX_MSG + 1];
	size_t i;

	for (i = 0; i < len && i < MRM_PROTO_MAX_MSG; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * i] = '\0';
	say("dump case=%s step=%s msg=%u len=%zu hex=%s", c->x->case_name,
	    c->step, c->dump_nr++, len, hex);
	hs_fake_answer(c, b, len);
}

/* Wait for @events; 1 ready, 0 deadline passed, -errno. */
static int hs_poll(int fd, short events, u64 deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		u64 now = hs_now();
		int n;

		if (now >= deadline)
			return 0;
		n = poll(&pfd, 1, (deadline - now + HS_MS - 1) / HS_MS);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * Send @len bytes within the wait bound.  0, or -errno: -EPIPE and
 * -ECONNRESET when the host has closed (the caller then reads what it
 * said), -ETIMEDOUT when it stopped reading.
 */
int hs_send(struct hs_conn *c, const u8 *b, size_t len)
{
	u64 deadline = hs_now() + c->x->wait_ms * HS_MS;
	size_t off = 0;

	if (c->x->dump) {
		hs_dump(c, b, len);
		return 0;
	}
	while (off < len) {
		ssize_t n = send(c->fd, b + off, len - off, MSG_NOSIGNAL);
		int ready;

		if (n > 0) {
			off += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			c->err = errno;
			return -errno;
		}
		ready = hs_poll(c->fd, POLLOUT, deadline);
		if (ready < 0)
			return ready;
		if (!ready) {
			c->err = ETIMEDOUT;
			return -ETIMEDOUT;
		}
	}
	c->last_tx = hs_now();
	return 0;
}

/* Read exactly @len bytes before @deadline; *@got says how many came. */
static enum hs_rx hs_read(struct hs_conn *c, u8 *b, size_t len, u64 deadline,
			  size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = recv(c->fd, b + *got, len - *got, 0);
		int ready;

		if (n > 0) {
			*got += n;
			continue;
		}
		if (!n)
			return HS_RX_EOF;
		if (errno == ECONNRESET)
			return HS_RX_RESET;
		if (errno != EAGAIN && errno != EINTR) {
			c->err = errno;
			return HS_RX_FAILED;
		}
		ready = hs_poll(c->fd, POLLIN, deadline);
		if (ready < 0) {
			c->err = -ready;
			return HS_RX_FAILED;
		}
		if (!ready)
			return HS_RX_TIMEOUT;
	}
	return HS_RX_MSG;
}

/* Payload length a host message of @type must have, or -1 (not H->G). */
static int hs_host_msg_len(u16 type)
{
	switch (type) {
	case MRM_MSG_WELCOME:
		return sizeof(struct mrm_msg_welcome);
	case MRM_MSG_SET_TARGET:
		return sizeof(struct mrm_msg_set_target);
	case MRM_MSG_ACK:
		return sizeof(struct mrm_msg_ack);
	case MRM_MSG_STATS_REQUEST:
		return 0;
	case MRM_MSG_ERROR:
		return sizeof(struct mrm_msg_error);
	case MRM_MSG_GOODBYE:
		return sizeof(struct mrm_msg_goodbye);
	default:
		return -1;
	}
}

/*
 * Receive one message from the host before @deadline and check its
 * header the way the spec makes a guest check it: magic, version, a type
 * the host may send, its exact length, the next seq.
 */
enum hs_rx hs_recv(struct hs_conn *c, u64 deadline, struct hs_in *in)
{
	u8 h[HS_HDR];
	enum hs_rx rx;
	size_t got;
	int want;

	if (c->x->dump) {
		if (!c->fake_nr)
			return HS_RX_EOF;
		*in = c->fake[0];
		memmove(c->fake, c->fake + 1, --c->fake_nr * sizeof(*in));
		c->rx_seq++;
		return HS_RX_MSG;
	}
	rx = hs_read(c, h, HS_HDR, deadline, &got);
	if (rx != HS_RX_MSG) {
		if (got && (rx == HS_RX_EOF || rx == HS_RX_RESET)) {
			c->garbled = "stream-ended-mid-header";
			return HS_RX_GARBLED;
		}
		if (got && rx == HS_RX_TIMEOUT) {
			c->garbled = "half-a-header";
			return HS_RX_GARBLED;
		}
		return rx;
	}
	in->type = get16(h + HDR(type));
	in->len = get32(h + HDR(length));
	in->seq = get32(h + HDR(seq));
	want = hs_host_msg_len(in->type);
	if (get32(h + HDR(magic)) != MRM_PROTO_MAGIC)
		c->garbled = "bad-magic";
	else if (get16(h + HDR(version)) != c->version)
		c->garbled = "bad-version";
	else if (want < 0)
		c->garbled = "not-a-host-message";
	else if (in->len != (u32)want)
		c->garbled = "bad-length";
	else if (in->seq != c->rx_seq)
		c->garbled = "bad-seq";
	if (c->garbled)
		return HS_RX_GARBLED;
	rx = hs_read(c, in->p, in->len, deadline, &got);
	if (rx != HS_RX_MSG) {
		if (rx == HS_RX_EOF || rx == HS_RX_RESET)
			c->garbled = "stream-ended-mid-message";
		else if (rx == HS_RX_TIMEOUT)
			c->garbled = "half-a-message";
		else
			return rx;
		return HS_RX_GARBLED;
	}
	c->rx_seq++;
	return HS_RX_MSG;
}

/*
 * SET_TARGET and STATS_REQUEST may arrive at any time after WELCOME: check
 * and note them.  True if @in was one of them (and fine).
 */
bool hs_background(struct hs_conn *c, const struct hs_in *in)
{
	if (in->type == MRM_MSG_SET_TARGET) {
		u64 t = get64(in->p);

		if (t > MRM_PROTO_MAX_PAGES) {
			c->garbled = "target-above-max-pages";
			return false;
		}
		c->target = t;
		return true;
	}
	if (in->type == MRM_MSG_STATS_REQUEST) {
		if (!(c->caps & MRM_CAP_STATS)) {
			c->garbled = "stats-request-without-cap";
			return false;
		}
		c->stats_requests++;
		return true;
	}
	return false;
}

/*
 * A receive that was not a message: the result word, and @why as the
 * failure (garbled bytes and socket errors say what they were instead).
 */
void hs_rx_fail(struct hs_conn *c, enum hs_rx rx, struct hs_res *r,
		const char *why)
{
	switch (rx) {
	case HS_RX_EOF:
		r->result = "closed";
		hs_fail(r, why);
		break;
	case HS_RX_RESET:
		r->result = "reset";
		hs_fail(r, why);
		break;
	case HS_RX_TIMEOUT:
		r->result = "open";
		hs_fail(r, why);
		break;
	case HS_RX_GARBLED:
		r->result = "garbled";
		hs_fail(r, c->garbled);
		break;
	default:
		r->result = "failed";
		hs_key(r, "err=%s", hs_errno_name(c->err));
		hs_fail(r, "receive-failed");
		break;
	}
}

/* An ERROR where another message was expected: note what it said. */
void hs_unwanted_error(const struct hs_in *in, struct hs_res *r)
{
	r->result = "error";
	hs_key(r, "error=%s ref_seq=%u",
	       hs_err_str(get16(in->p + ERR(code))),
	       get32(in->p + ERR(ref_seq)));
}

/* The HELLO an honest guest sends (in wire order). */
void hs_honest_hello(const struct hs_ctx *x, struct mrm_msg_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->min_version = htole16(MRM_PROTO_VERSION_MIN);
	h->max_version = htole16(MRM_PROTO_VERSION_MAX);
	h->page_size = htole32(x->page_size);
	h->caps = htole32(MRM_CAP_KNOWN);
	h->ram_pages = htole64(x->ram_pages);
	h->boot_id = htole64(x->boot_id);
}

/* Check a WELCOME against the HELLO that asked for it. */
const char *hs_check_welcome(struct hs_conn *c, const struct hs_in *in,
			     const struct mrm_msg_hello *h)
{
	u16 version = get16(in->p + WELCOME(version));
	u16 max_frames = get16(in->p + WELCOME(max_frames));
	u32 caps = get32(in->p + WELCOME(caps));
	u64 target = get64(in->p + WELCOME(target_pages));
	u32 period = get32(in->p + WELCOME(stats_period_ms));

	if (version != c->version || version < le16toh(h->min_version) ||
	    version > le16toh(h->max_version))
		return "welcome-version";
	if (!max_frames || max_frames > MRM_PROTO_MAX_FRAMES)
		return "welcome-max-frames";
	if (caps & ~(le32toh(h->caps) & MRM_CAP_KNOWN))
		return "welcome-caps";
	if (target > MRM_PROTO_MAX_PAGES)
		return "welcome-target";
	if (period && (!(caps & MRM_CAP_STATS) ||
		       period < MRM_PROTO_STATS_PERIOD_MIN_MS ||
		       period > MRM_PROTO_STATS_PERIOD_MAX_MS))
		return "welcome-stats-period";
	if (get32(in->p + WELCOME(reserved)))
		return "welcome-reserved";
	c->caps = caps;
	c->max_frames = max_frames;
	c->target = target;
	return NULL;
}

/* HELLO @h, then a valid WELCOME.  0, or -1 with @r saying why not. */
int hs_handshake(struct hs_conn *c, const struct mrm_msg_hello *h,
		 struct hs_res *r)
{
	u8 b[MRM_PROTO_MAX_MSG];
	struct hs_in in;
	enum hs_rx rx;
	const char *bad;
	int err;

	err = hs_send(c, b, hs_enc_hello(b, h, c->tx_seq++));
	if (err && err != -EPIPE && err != -ECONNRESET) {
		r->result = "send-failed";
		hs_key(r, "err=%s", hs_errno_name(-err));
		hs_fail(r, "hello-not-sent");
		return -1;
	}
	rx = hs_recv(c, c->last_tx + c->x->wait_ms * HS_MS, &in);
	if (rx != HS_RX_MSG) {
		hs_rx_fail(c, rx, r, "no-welcome");
		return -1;
	}
	if (in.type == MRM_MSG_ERROR) {
		hs_unwanted_error(&in, r);
		hs_fail(r, "no-welcome");
		return -1;
	}
	if (in.type != MRM_MSG_WELCOME) {
		r->result = "answered";
		hs_key(r, "got=%s", hs_type_str(in.type));
		hs_fail(r, "not-a-welcome");
		return -1;
	}
	bad = hs_check_welcome(c, &in, h);
	if (bad) {
		r->result = "bad-welcome";
		hs_fail(r, bad);
		return -1;
	}
	return 0;
}

/* An honest HELLO and its WELCOME. */
int hs_hello_welcome(struct hs_conn *c, struct hs_res *r)
{
	struct mrm_msg_hello h;

	hs_honest_hello(c->x, &h);
	return hs_handshake(c, &h, r);
}

/*
 * Expect the ACK of INFLATE @seq with @accepted and @status, skipping
 * SET_TARGET and STATS_REQUEST.  0, or -1 with @r saying why not.
 */
int hs_expect_ack(struct hs_conn *c, u32 seq, u16 accepted, u16 status,
		  u64 deadline, struct hs_res *r)
{
	struct hs_in in;
	enum hs_rx rx;

	do {
		rx = hs_recv(c, deadline, &in);
	} while (rx == HS_RX_MSG && hs_background(c, &in));
	if (rx != HS_RX_MSG) {
		hs_rx_fail(c, rx, r, "no-ack");
		return -1;
	}
	if (in.type == MRM_MSG_ERROR) {
		hs_unwanted_error(&in, r);
		hs_fail(r, "error-instead-of-ack");
		return -1;
	}
	if (in.type != MRM_MSG_ACK) {
		r->result = "answered";
		hs_key(r, "got=%s", hs_type_str(in.type));
		hs_fail(r, "not-an-ack");
		return -1;
	}
	r->result = "ack";
	if (get32(in.p + ACK(inflate_seq)) != seq)
		hs_fail(r, "ack-wrong-inflate-seq");
	else if (get16(in.p + ACK(accepted)) != accepted)
		hs_fail(r, "ack-wrong-accepted");
	else if (get16(in.p + ACK(status)) != status)
		hs_fail(r, "ack-wrong-status");
	else
		return 0;
	hs_key(r, "inflate_seq=%u accepted=%u status=%s expect_seq=%u",
	       get32(in.p + ACK(inflate_seq)), get16(in.p + ACK(accepted)),
	       hs_ack_str(get16(in.p + ACK(status))), seq);
	return -1;
}

/* GOODBYE from us, GOODBYE from the host, end of stream. */
int hs_goodbye(struct hs_conn *c, struct hs_res *r)
{
	u64 deadline;
	u8 b[HS_HDR + sizeof(struct mrm_msg_goodbye)];
	struct hs_in in;
	enum hs_rx rx;

	if (hs_send(c, b, hs_enc_goodbye(b, MRM_BYE_UNLOAD, c->tx_seq++))) {
		r->result = "send-failed";
		hs_fail(r, "goodbye-not-sent");
		return -1;
	}
	deadline = c->last_tx + c->x->wait_ms * HS_MS;
	do {
		rx = hs_recv(c, deadline, &in);
	} while (rx == HS_RX_MSG && hs_background(c, &in));
	if (rx != HS_RX_MSG) {
		hs_rx_fail(c, rx, r, "no-goodbye");
		return -1;
	}
	if (in.type != MRM_MSG_GOODBYE || !get16(in.p + GOODBYE(reason))) {
		r->result = "answered";
		hs_key(r, "got=%s", hs_type_str(in.type));
		hs_fail(r, "no-goodbye");
		return -1;
	}
	rx = hs_recv(c, deadline, &in);
	if (rx != HS_RX_EOF && rx != HS_RX_RESET) {
		r->result = rx == HS_RX_TIMEOUT ? "open" : "answered";
		hs_fail(r, "not-closed-after-goodbye");
		return -1;
	}
	return 0;
}

/* An immediate rejection: ERROR with one of @codes, then end of stream. */
void hs_reject_spec(struct hs_ctx *x, struct hs_close_spec *s,
		    u32 codes, u32 ref_a, u32 ref_b)
{
	memset(s, 0, sizeof(*s));
	s->need_error = true;
	s->codes = codes;
	s->ref_a = ref_a;
	s->ref_b = ref_b;
	s->max_ms = x->wait_ms;
}

/* Read until the host closes and judge how it did against @s. */
static void hs_expect_close(struct hs_conn *c, const struct hs_close_spec *s,
			    struct hs_res *r)
{
	u64 start = c->last_tx, deadline = start + s->max_ms * HS_MS, ms;
	bool error = false;
	u16 code = 0;
	u32 ref = 0;
	struct hs_in in;
	enum hs_rx rx;

	for (;;) {
		rx = hs_recv(c, deadline, &in);
		if (rx != HS_RX_MSG)
			break;
		if (error) {
			c->garbled = "data-after-error";
			rx = HS_RX_GARBLED;
			break;
		}
		if (in.type == MRM_MSG_ERROR) {
			error = true;
			code = get16(in.p + ERR(code));
			ref = get32(in.p + ERR(ref_seq));
			if (get16(in.p + ERR(reserved)))
				c->garbled = "error-reserved";
			continue;
		}
		if (!hs_background(c, &in)) {
			r->result = "answered";
			hs_key(r, "got=%s", hs_type_str(in.type));
			hs_fail(r, in.type == MRM_MSG_ACK ?
				"acked-a-bad-message" : "answered-not-closed");
			return;
		}
	}
	ms = (hs_now() - start) / HS_MS;
	switch (rx) {
	case HS_RX_EOF:
		r->result = error ? "error-closed" : "closed";
		break;
	case HS_RX_RESET:
		r->result = error ? "error-reset" : "reset";
		break;
	case HS_RX_TIMEOUT:
		r->result = error ? "error-open" : "open";
		hs_fail(r, "not-closed");
		break;
	default:
		hs_rx_fail(c, rx, r, "not-closed");
		break;
	}
	if (error)
		hs_key(r, "error=%s ref_seq=%u", hs_err_str(code),
		       ref);
	else
		hs_key(r, "error=none");
	hs_key(r, "ms=%llu", (unsigned long long)ms);
	if (c->garbled)
		hs_fail(r, c->garbled);
	if (s->need_error && !error)
		hs_fail(r, "closed-without-error");
	if (error && (!code || (s->codes && !(s->codes & HS_CODE(code)))))
		hs_fail(r, "wrong-error-code");
	if (error && ref != s->ref_a && ref != s->ref_b)
		hs_fail(r, "wrong-ref-seq");
	if (ms < s->min_ms)
		hs_fail(r, "closed-too-early");
}

/* Send @b as the offending message and judge the close against @s. */
void hs_send_expect_close(struct hs_conn *c, const u8 *b, size_t len,
			  const struct hs_close_spec *s,
			  struct hs_res *r)
{
	int err = hs_send(c, b, len);

	/* A host that closes early makes the send fail: read what it said. */
	if (err && err != -EPIPE && err != -ECONNRESET) {
		r->result = "send-failed";
		hs_key(r, "err=%s", hs_errno_name(-err));
		hs_fail(r, "send-failed");
		return;
	}
	hs_expect_close(c, s, r);
}
