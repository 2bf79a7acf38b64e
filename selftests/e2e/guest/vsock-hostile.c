// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-hostile: a hostile guest.  User space in an e2e test guest that
 * speaks raw AF_VSOCK to mrm_host and sends it garbage, truncated,
 * oversized, flooding and lying messages, to prove that the host closes
 * such sessions in bounded time, answers lies correctly and stays up.
 * Documentation/protocol.rst is the reference for every expectation; the
 * messages are encoded here with their own little-endian helpers over the
 * uapi structs (not with common/proto.c: an independent encoder is a
 * better test).
 *
 * Usage: vsock-hostile [options] <case>
 *
 * Every connection is made from a reserved port (512 to
 * MRM_PROTO_PEER_PORT_MAX, each one below the last), as mrm_balloon's: the
 * host serves no other, so this program runs as root.
 *
 * Cases (each runs the probe first unless --no-probe; "all" runs the probe
 * once, then every case in this order):
 *   probe           HELLO, WELCOME (every field checked), GOODBYE both
 *                   ways, close: the host serves this guest
 *   unreserved-port as an unprivileged user (uid and gid 65534 when run as
 *                   root): binding a reserved port fails with EACCES (the
 *                   guest kernel's half of the rule); a connection from
 *                   the port the kernel picks (above 1023) is closed
 *                   without a message, even after a HELLO; then the probe
 *                   again: the host still serves this guest (the
 *                   connection step is skipped with --unix)
 *   garbage         seeded random bytes of 7, 16, 1000 and 4120 bytes as
 *                   the first message: closed (ERROR required from 16 up)
 *   bad-magic       a HELLO, and later an INFLATE, with a wrong magic
 *   bad-version     HELLO with header version 2; HELLO offering versions
 *                   0xfff0..0xffff; an INFLATE with header version 2
 *   unknown-type    type 0 as the first message; type 11 after WELCOME;
 *                   a WELCOME sent by the guest
 *   oversized       headers announcing 4112 bytes (HELLO, INFLATE) and
 *                   0xfffffff8 bytes (INFLATE), no payload sent: ERROR
 *                   MRM_ERR_TOO_LONG at once, not after waiting for it
 *   truncated       half a HELLO header; a HELLO header and half its
 *                   payload; then silence: closed by the handshake timeout
 *   outside-ram     INFLATEs of frames at 1 TiB, at the top of the address
 *                   space, at 4 GiB - 4 KiB (BIOS ROM) and, with
 *                   MRM_CAP_FRAME_2M, a 2 MiB frame at 1 TiB: each ACKed
 *                   accepted=0 MRM_ACK_INVALID, in order; then INFLATEs
 *                   with a misaligned, a reserved-bit and a bad-order frame
 *                   after a good one: ERROR MRM_ERR_MALFORMED, no ACK
 *   liar            HELLO claiming 2^40 pages of RAM and balloon, DEFLATEs
 *                   of frames never inflated, STATS with absurd but legal
 *                   values (2^63 pages, 2^64-1 totals, MemTotal 0, an
 *                   unknown tag): the session stays up, a later INFLATE
 *                   outside RAM is ACKed MRM_ACK_INVALID, GOODBYE works;
 *                   then STATS with PSI avg10 = 100000 (above
 *                   MRM_STAT_PSI_AVG_MAX: malformed): ERROR, close
 *   flood           max-size DEFLATEs for --flood-secs: the host keeps to
 *                   its read budget (MRM_PROTO_MAX_FRAMES_PER_SEC and
 *                   MRM_PROTO_MAX_MSGS_PER_SEC plus 1 MiB of buffering),
 *                   then ACKs an INFLATE; or it closed with MRM_ERR_RATE and
 *                   a new connection is welcomed
 *   reconnect-storm --storm connections in a row, HELLO on each: at most
 *                   MRM_PROTO_MAX_CONNECTS_PER_MIN welcomed, and at least
 *                   that many less this program's connections of the last
 *                   minute and 2 (min_welcomed); the others closed at
 *                   once; a minute after the last one a new connection is
 *                   welcomed again
 *   all             every case; takes about five minutes because this
 *                   program keeps to --budget connections a minute
 *
 * Options:
 *   --cid N          host CID (default 2, VMADDR_CID_HOST)
 *   --port N         host port (default MRM_PROTO_PORT, 19794)
 *   --seed N         garbage bytes and boot_id (default 1)
 *   --boot-id N      boot_id in HELLO (default: derived from the seed)
 *   --ram-pages N    ram_pages in HELLO (default: from sysinfo())
 *   --wait MS        how long the host gets to react (default 5000); a
 *                    close owed to the handshake timeout may come up to
 *                    MRM_PROTO_HANDSHAKE_TIMEOUT_MS + MS after connecting
 *   --flood-secs N   flood duration (default 10)
 *   --storm N        connections in the storm (default 50)
 *   --budget N       connections a minute this program allows itself
 *                    outside the storm (default 10, leaving room under
 *                    the host's 12 for anything else this guest did)
 *   --force          run although mrm_balloon is loaded (its session
 *                    would fight ours: unload it first)
 *   --no-probe       no probe before the case nor after it (for
 *                    unreserved-port beside a loaded mrm_balloon, whose
 *                    session a probe would replace)
 *   --dump           print the bytes each step would send, as hex, and
 *                    do not connect: "hostile: dump case= step= msg=
 *                    len= hex=" (the host's answers are assumed to be the
 *                    expected ones; flood and storm show one message)
 *   For tests against a model host (not against mrm_host):
 *   --unix PATH      connect to a Unix stream socket instead of vsock
 *   --handshake-ms N the host's handshake timeout (default 5000)
 *   --window-ms N    the host's connection-limit window (default 60000)
 *
 * Output, one line per fact:
 *   hostile: case=<c> step=<s> result=<r> [key=value...] verdict=pass|fail|skip
 *            [why=<reason>]
 *     result is what the host did: welcome, error-closed (ERROR, then end
 *     of stream), closed (end of stream without ERROR), error-reset, reset,
 *     open (nothing within the bound), error-open (ERROR without a close),
 *     answered (another message instead), garbled (bytes that are not a
 *     valid message), ack, connect-failed; keys: error=<code name>,
 *     ref_seq, ms (from the last byte sent), ack status and accepted,
 *     rates for the flood, counts for the storm.
 *   hostile: case=<c> verdict=pass|fail steps=N failed=M
 *   hostile: pace wait_ms=N               (keeping to --budget)
 *   hostile: passed=N failed=M            (all)
 *
 * Exit status: 0 if the host did what the specification requires in every
 * step, 1 otherwise, 2 for a usage error or when mrm_balloon is loaded.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/mrm_proto.h>
#include <linux/types.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

/*
 * Output with compile-time format checks: the printf() that is never
 * called has the compiler check the arguments (as the kernel's
 * no_printk()).
 */
#define say(...) do { if (0) printf(__VA_ARGS__); hs_say(__VA_ARGS__); } while (0)
#define hs_key(r, ...) \
	do { if (0) printf(__VA_ARGS__); hs_add_key(r, __VA_ARGS__); } while (0)
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))

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

#define HS_NS			1000000000ULL
#define HS_MS			1000000ULL
#define HS_HDR			MRM_PROTO_HDR_SIZE
/* "per minute" of MRM_PROTO_MAX_CONNECTS_PER_MIN. */
#define HS_CONNECT_WINDOW_MS	60000
/* Added to the window when pacing: the host's clock is not ours. */
#define HS_WINDOW_MARGIN_MS	1000
/* A close owed to a timeout may come this part of it early. */
#define HS_EARLY_PART		5
/* Bytes the transport may buffer beyond the host's read budget. */
#define HS_FLOOD_SLACK_BYTES	(1024 * 1024)
/* The pause in which the host's policy may chew on the liar's stats. */
#define HS_LIAR_PAUSE_MS	2000
#define HS_MAX_LOG		512
/*
 * Connections someone else on this guest (mrm_balloon before it was
 * unloaded) may have made in the host's window: the default --budget
 * leaves them room.
 */
#define HS_OTHERS		2
#define HS_MAX_STORM		1000
/* Lowest reserved port tried (MRM_PROTO_PEER_PORT_MAX the highest). */
#define HS_PORT_LOW		512
/* uid and gid of the unprivileged user ("nobody"). */
#define HS_NOBODY		65534
#define HS_FAKE_MAX		16

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

/* Where the seeded values come from. */
#define HS_SALT_BOOT_ID		0x626f6f74ULL
#define HS_SALT_GARBAGE		0x67617262ULL

/* --- little endian, over the uapi structs -------------------------------- */

static void put16(u8 *p, u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(u8 *p, u64 v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static u16 get16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static u32 get32(const u8 *p)
{
	return get16(p) | (u32)get16(p + 2) << 16;
}

static u64 get64(const u8 *p)
{
	return get32(p) | (u64)get32(p + 4) << 32;
}

#define HDR(f)		offsetof(struct mrm_msg_hdr, f)
#define HELLO(f)	(HS_HDR + offsetof(struct mrm_msg_hello, f))
#define FRAMES(f)	(HS_HDR + offsetof(struct mrm_msg_inflate, f))
#define DEFLATE(f)	(HS_HDR + offsetof(struct mrm_msg_deflate, f))
#define STATS(f)	(HS_HDR + offsetof(struct mrm_msg_stats, f))
#define STAT(f)		offsetof(struct mrm_stat, f)
#define BYE(f)		(HS_HDR + offsetof(struct mrm_msg_goodbye, f))
/* Payload offsets of what the host sends. */
#define WELCOME(f)	offsetof(struct mrm_msg_welcome, f)
#define ACK(f)		offsetof(struct mrm_msg_ack, f)
#define ERR(f)		offsetof(struct mrm_msg_error, f)
#define GOODBYE(f)	offsetof(struct mrm_msg_goodbye, f)

/* Every header field explicit, so that a case can get any of them wrong. */
static void hs_put_hdr(u8 *b, u32 magic, u16 version, u16 type, u32 length,
		       u32 seq)
{
	put32(b + HDR(magic), magic);
	put16(b + HDR(version), version);
	put16(b + HDR(type), type);
	put32(b + HDR(length), length);
	put32(b + HDR(seq), seq);
}

/**
 * struct hs_hello - what a HELLO says
 * @min_version: oldest version offered
 * @max_version: newest version offered
 * @page_size: guest page size
 * @caps: capabilities offered
 * @ram_pages: guest RAM, 4 KiB pages
 * @balloon_pages: pages claimed to be in the balloon
 * @boot_id: the balloon's identity
 */
struct hs_hello {
	u16 min_version;
	u16 max_version;
	u32 page_size;
	u32 caps;
	u64 ram_pages;
	u64 balloon_pages;
	u64 boot_id;
};

static size_t hs_enc_hello(u8 *b, const struct hs_hello *h, u32 seq)
{
	memset(b, 0, HS_HDR + sizeof(struct mrm_msg_hello));
	hs_put_hdr(b, MRM_PROTO_MAGIC, MRM_PROTO_VERSION_HANDSHAKE,
		   MRM_MSG_HELLO, sizeof(struct mrm_msg_hello), seq);
	put16(b + HELLO(min_version), h->min_version);
	put16(b + HELLO(max_version), h->max_version);
	put32(b + HELLO(page_size), h->page_size);
	put32(b + HELLO(caps), h->caps);
	put64(b + HELLO(ram_pages), h->ram_pages);
	put64(b + HELLO(balloon_pages), h->balloon_pages);
	put64(b + HELLO(boot_id), h->boot_id);
	return HS_HDR + sizeof(struct mrm_msg_hello);
}

/* INFLATE (@reason ignored) or DEFLATE of @nr frames. */
static size_t hs_enc_frames(u8 *b, u16 type, u16 reason, const u64 *frames,
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
		put64(b + FRAMES(frames) + 8 * i, frames[i]);
	return HS_HDR + len;
}

/**
 * struct hs_stat - one statistic of a STATS message
 * @tag: MRM_STAT_* (or an unknown tag)
 * @value: its value
 */
struct hs_stat {
	u16 tag;
	u64 value;
};

static size_t hs_enc_stats(u8 *b, const struct hs_stat *s, unsigned int nr,
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

static const char *hs_err_str(unsigned int code)
{
	return hs_name(hs_err_name, ARRAY_SIZE(hs_err_name), code);
}

static const char *hs_ack_str(unsigned int status)
{
	return hs_name(hs_ack_name, ARRAY_SIZE(hs_ack_name), status);
}

static const char *hs_errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown";
}

/* --- context, output -------------------------------------------------------- */

/**
 * struct hs_ctx - options and the run's state
 * @cid: host CID
 * @port: host port
 * @seed: seed of garbage and boot_id
 * @boot_id: boot_id of every HELLO
 * @ram_pages: ram_pages of an honest HELLO
 * @page_size: page_size of every HELLO
 * @wait_ms: how long the host gets to react
 * @handshake_ms: the host's handshake timeout
 * @window_ms: the host's connection-limit window
 * @flood_secs: flood duration
 * @storm: connections in the storm
 * @budget: connections per window outside the storm
 * @unix_path: Unix socket instead of vsock (tests), or NULL
 * @dump: print what would be sent, connect nowhere
 * @no_probe: no probe before or after a case
 * @unreserved: connect from the port the kernel picks, not a reserved one
 * @case_name: the case running
 * @steps: steps of the case so far
 * @failed: failed steps of the case so far
 * @log: times of the latest connections (ring)
 * @log_nr: connections made (the ring holds the last HS_MAX_LOG)
 */
struct hs_ctx {
	unsigned int cid;
	unsigned int port;
	u64 seed;
	u64 boot_id;
	u64 ram_pages;
	u32 page_size;
	u64 wait_ms;
	u64 handshake_ms;
	u64 window_ms;
	u64 flood_secs;
	unsigned int storm;
	unsigned int budget;
	const char *unix_path;
	bool dump;
	bool no_probe;
	bool unreserved;
	const char *case_name;
	unsigned int steps;
	unsigned int failed;
	u64 log[HS_MAX_LOG];
	unsigned int log_nr;
};

static void hs_write_line(const char *line, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, line, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		line += w;
		n -= w;
	}
}

/* One output line ("hostile: " + @fmt), written with one write(). */
static void hs_say(const char *fmt, ...)
{
	static char line[16384];
	size_t n = strlen("hostile: ");
	va_list ap;
	int m;

	memcpy(line, "hostile: ", n);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
	line[n++] = '\n';
	hs_write_line(line, n);
}

static u64 hs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * HS_NS + ts.tv_nsec;
}

static void hs_sleep_until(u64 t)
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

static u64 hs_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/**
 * struct hs_res - the outcome of one step
 * @result: what the host did (see the usage)
 * @why: why the step failed, or NULL
 * @skip: the step could not run (a capability was not accepted)
 * @keys: more " key=value" facts
 */
struct hs_res {
	const char *result;
	const char *why;
	bool skip;
	char keys[512];
};

static void hs_add_key(struct hs_res *r, const char *fmt, ...)
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
static void hs_fail(struct hs_res *r, const char *why)
{
	if (!r->why)
		r->why = why;
}

static void hs_report(struct hs_ctx *x, const char *step, struct hs_res *r)
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

/* --- connections ------------------------------------------------------------ */

/**
 * struct hs_in - a message received from the host
 * @type: MRM_MSG_*
 * @len: payload bytes
 * @seq: its seq
 * @p: the payload
 */
struct hs_in {
	u16 type;
	u32 len;
	u32 seq;
	u8 p[MRM_PROTO_MAX_PAYLOAD];
};

enum hs_rx {
	HS_RX_MSG,	/* a valid message */
	HS_RX_EOF,	/* end of stream */
	HS_RX_RESET,	/* connection reset */
	HS_RX_TIMEOUT,	/* nothing before the deadline */
	HS_RX_GARBLED,	/* bytes that are not a valid host message */
	HS_RX_FAILED,	/* another receive error */
};

/**
 * struct hs_conn - one connection to the host
 * @x: the run
 * @step: the step it belongs to, for --dump
 * @fd: the socket (-1 with --dump)
 * @tx_seq: seq of our next message
 * @rx_seq: seq expected on the host's next message
 * @caps: capabilities the WELCOME accepted
 * @max_frames: frames per INFLATE/DEFLATE the WELCOME allows
 * @version: the version the WELCOME chose
 * @target: latest target the host set, or ~0
 * @stats_requests: STATS_REQUESTs received
 * @last_tx: when the last byte was sent
 * @garbled: what was wrong with the host's bytes
 * @err: errno of the last failed socket call
 * @dump_nr: messages printed (--dump)
 * @fake: the host's answers assumed by --dump
 * @fake_nr: entries in @fake
 */
struct hs_conn {
	struct hs_ctx *x;
	const char *step;
	int fd;
	u32 tx_seq;
	u32 rx_seq;
	u32 caps;
	u16 max_frames;
	u16 version;
	u64 target;
	unsigned int stats_requests;
	u64 last_tx;
	const char *garbled;
	int err;
	unsigned int dump_nr;
	struct hs_in fake[HS_FAKE_MAX];
	unsigned int fake_nr;
};

static void hs_log_connect(struct hs_ctx *x)
{
	x->log[x->log_nr++ % HS_MAX_LOG] = hs_now();
}

/* Connections this run made in the last window (what the host counts). */
static unsigned int hs_recent(struct hs_ctx *x, u64 now, u64 *oldest)
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
static int hs_open(struct hs_ctx *x, struct hs_conn *c, const char *step,
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

static void hs_close(struct hs_conn *c)
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
		put16(in->p, MRM_BYE_REPLY);
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
static int hs_send(struct hs_conn *c, const u8 *b, size_t len)
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
static enum hs_rx hs_recv(struct hs_conn *c, u64 deadline, struct hs_in *in)
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
static bool hs_background(struct hs_conn *c, const struct hs_in *in)
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
static void hs_rx_fail(struct hs_conn *c, enum hs_rx rx, struct hs_res *r,
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
static void hs_unwanted_error(const struct hs_in *in, struct hs_res *r)
{
	r->result = "error";
	hs_key(r, "error=%s ref_seq=%u",
	       hs_err_str(get16(in->p + ERR(code))),
	       get32(in->p + ERR(ref_seq)));
}

/* The HELLO an honest guest sends. */
static void hs_honest_hello(const struct hs_ctx *x, struct hs_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->min_version = MRM_PROTO_VERSION_MIN;
	h->max_version = MRM_PROTO_VERSION_MAX;
	h->page_size = x->page_size;
	h->caps = MRM_CAP_KNOWN;
	h->ram_pages = x->ram_pages;
	h->boot_id = x->boot_id;
}

/* Check a WELCOME against the HELLO that asked for it. */
static const char *hs_check_welcome(struct hs_conn *c, const struct hs_in *in,
				    const struct hs_hello *h)
{
	u16 version = get16(in->p + WELCOME(version));
	u16 max_frames = get16(in->p + WELCOME(max_frames));
	u32 caps = get32(in->p + WELCOME(caps));
	u64 target = get64(in->p + WELCOME(target_pages));
	u32 period = get32(in->p + WELCOME(stats_period_ms));

	if (version != c->version || version < h->min_version ||
	    version > h->max_version)
		return "welcome-version";
	if (!max_frames || max_frames > MRM_PROTO_MAX_FRAMES)
		return "welcome-max-frames";
	if (caps & ~(h->caps & MRM_CAP_KNOWN))
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
static int hs_handshake(struct hs_conn *c, const struct hs_hello *h,
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
		hs_key(r, "got=%s", hs_type_name[in.type]);
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
static int hs_hello_welcome(struct hs_conn *c, struct hs_res *r)
{
	struct hs_hello h;

	hs_honest_hello(c->x, &h);
	return hs_handshake(c, &h, r);
}

/*
 * Expect the ACK of INFLATE @seq with @accepted and @status, skipping
 * SET_TARGET and STATS_REQUEST.  0, or -1 with @r saying why not.
 */
static int hs_expect_ack(struct hs_conn *c, u32 seq, u16 accepted, u16 status,
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
		hs_key(r, "got=%s", hs_type_name[in.type]);
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
static int hs_goodbye(struct hs_conn *c, struct hs_res *r)
{
	u64 deadline;
	u8 b[HS_HDR + 8];
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
		hs_key(r, "got=%s", hs_type_name[in.type]);
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

/**
 * struct hs_close_spec - how the host must end a connection
 * @need_error: an ERROR must come first (the spec says the receiver of a
 *	malformed or illegal message sends one); else it is optional
 * @codes: acceptable ERROR codes (bit per code); 0: any non-zero code
 * @ref_a: acceptable ERROR ref_seq
 * @ref_b: another acceptable ref_seq (an error about a header may refer to
 *	the last valid message or to the message itself)
 * @min_ms: the close must not come earlier (after the last byte sent)
 * @max_ms: nor later
 */
struct hs_close_spec {
	bool need_error;
	u32 codes;
	u32 ref_a;
	u32 ref_b;
	u64 min_ms;
	u64 max_ms;
};

#define HS_CODE(c)	(1U << (c))

/* An immediate rejection: ERROR with one of @codes, then end of stream. */
static void hs_reject_spec(struct hs_ctx *x, struct hs_close_spec *s,
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
			hs_key(r, "got=%s", hs_type_name[in.type]);
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
static void hs_send_expect_close(struct hs_conn *c, const u8 *b, size_t len,
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

static const char *hs_verdict(bool pass)
{
	return pass ? "pass" : "fail";
}

/* --- cases ----------------------------------------------------------------- */

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
	struct hs_hello h;
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
		hs_key(&r, "got=%s", hs_type_name[in.type]);
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
	struct hs_hello h;

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
	struct hs_hello h;
	struct hs_in in;
	enum hs_rx rx;
	u32 seq;

	hs_honest_hello(x, &h);
	h.ram_pages = MRM_PROTO_MAX_PAGES;
	h.balloon_pages = MRM_PROTO_MAX_PAGES;
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
						sizeof(hs_lies) /
						sizeof(hs_lies[0]),
						c.tx_seq++)) ||
		    hs_send(&c, b, hs_enc_stats(b, hs_lies2,
						sizeof(hs_lies2) /
						sizeof(hs_lies2[0]),
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
		hs_key(r, "got=%s", hs_type_name[in.type]);
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
		struct hs_hello h;
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

/* --- main ------------------------------------------------------------------ */

static const struct {
	const char *name;
	void (*run)(struct hs_ctx *x);
} hs_cases[] = {
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

#define HS_NR_CASES ARRAY_SIZE(hs_cases)

/* Run case @i; true if every step passed. */
static bool hs_run_case(struct hs_ctx *x, unsigned int i)
{
	x->case_name = hs_cases[i].name;
	x->steps = 0;
	x->failed = 0;
	hs_cases[i].run(x);
	if (!x->dump)
		say("case=%s verdict=%s steps=%u failed=%u", x->case_name,
		    hs_verdict(!x->failed), x->steps, x->failed);
	return !x->failed;
}

static const char hs_usage[] =
	"usage: vsock-hostile [options] <case>\n"
	"A hostile guest: sends mrm_host malformed, truncated, oversized,\n"
	"flooding and lying messages over AF_VSOCK and checks that the host\n"
	"does what Documentation/protocol.rst requires.  Unload mrm_balloon\n"
	"first.  Every case starts with the probe.  Connects from a reserved\n"
	"port (<= 1023): run as root.\n"
	"\n"
	"cases: probe unreserved-port garbage bad-magic bad-version\n"
	"       unknown-type oversized truncated outside-ram liar flood\n"
	"       reconnect-storm all\n"
	"\n"
	"  --cid N          host CID (default 2)\n"
	"  --port N         host port (default 19794)\n"
	"  --seed N         garbage and boot_id seed (default 1)\n"
	"  --boot-id N      HELLO boot_id (default: from the seed)\n"
	"  --ram-pages N    HELLO ram_pages (default: from sysinfo)\n"
	"  --wait MS        time the host gets to react (default 5000)\n"
	"  --flood-secs N   flood duration (default 10)\n"
	"  --storm N        connections in the storm (default 50)\n"
	"  --budget N       connections a minute outside the storm (10)\n"
	"  --force          run although mrm_balloon is loaded\n"
	"  --no-probe       no probe before the case (nor after\n"
	"                   unreserved-port)\n"
	"  --dump           print the bytes each step would send, as hex\n"
	"For tests against a model host:\n"
	"  --unix PATH      Unix stream socket instead of vsock\n"
	"  --handshake-ms N host handshake timeout (default 5000)\n"
	"  --window-ms N    host connection-limit window (default 60000)\n"
	"\n"
	"Lines: hostile: case=<c> step=<s> result=<what the host did>\n"
	"[key=value...] verdict=pass|fail|skip [why=...]; then\n"
	"hostile: case=<c> verdict=... steps=N failed=M; for all,\n"
	"hostile: passed=N failed=M.\n"
	"Exit: 0 the host behaved, 1 it did not, 2 usage or mrm_balloon\n"
	"loaded.\n";

enum {
	OPT_CID = 256,
	OPT_PORT,
	OPT_SEED,
	OPT_BOOT_ID,
	OPT_RAM_PAGES,
	OPT_WAIT,
	OPT_FLOOD_SECS,
	OPT_STORM,
	OPT_BUDGET,
	OPT_FORCE,
	OPT_NO_PROBE,
	OPT_DUMP,
	OPT_UNIX,
	OPT_HANDSHAKE_MS,
	OPT_WINDOW_MS,
	OPT_HELP,
};

static const struct option hs_longopts[] = {
	{ "cid", required_argument, NULL, OPT_CID },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "boot-id", required_argument, NULL, OPT_BOOT_ID },
	{ "ram-pages", required_argument, NULL, OPT_RAM_PAGES },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "flood-secs", required_argument, NULL, OPT_FLOOD_SECS },
	{ "storm", required_argument, NULL, OPT_STORM },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
	{ "dump", no_argument, NULL, OPT_DUMP },
	{ "unix", required_argument, NULL, OPT_UNIX },
	{ "handshake-ms", required_argument, NULL, OPT_HANDSHAKE_MS },
	{ "window-ms", required_argument, NULL, OPT_WINDOW_MS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int hs_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "vsock-hostile: %s%s%s\n%s", what, arg ? " " : "",
		arg ?: "", hs_usage);
	return 2;
}

/* A decimal (or 0x hexadecimal) integer, all of @s, @min..@max. */
static bool hs_parse(const char *s, u64 min, u64 max, u64 *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &end, !strncmp(s, "0x", 2) ? 16 : 10);
	if (errno || *end || x < min || x > max)
		return false;
	*v = x;
	return true;
}

int main(int argc, char **argv)
{
	struct hs_ctx x = {
		.cid = VMADDR_CID_HOST,
		.port = MRM_PROTO_PORT,
		.seed = 1,
		.wait_ms = 5000,
		.handshake_ms = MRM_PROTO_HANDSHAKE_TIMEOUT_MS,
		.window_ms = HS_CONNECT_WINDOW_MS,
		.flood_secs = 10,
		.storm = 50,
		.budget = MRM_PROTO_MAX_CONNECTS_PER_MIN - HS_OTHERS,
	};
	bool force = false, boot_id_set = false;
	unsigned int i, passed = 0, failed = 0;
	struct sysinfo si;
	const char *name;
	u64 v = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", hs_longopts, NULL)) != -1) {
		bool good = true;

		switch (c) {
		case OPT_CID:
			good = hs_parse(optarg, 0, ~0U, &v);
			x.cid = v;
			break;
		case OPT_PORT:
			good = hs_parse(optarg, 0, ~0U, &v);
			x.port = v;
			break;
		case OPT_SEED:
			good = hs_parse(optarg, 0, ~0ULL, &x.seed);
			break;
		case OPT_BOOT_ID:
			good = hs_parse(optarg, 1, ~0ULL, &x.boot_id);
			boot_id_set = true;
			break;
		case OPT_RAM_PAGES:
			good = hs_parse(optarg, 1, MRM_PROTO_MAX_PAGES,
					&x.ram_pages);
			break;
		case OPT_WAIT:
			good = hs_parse(optarg, 1, 600000, &x.wait_ms);
			break;
		case OPT_FLOOD_SECS:
			good = hs_parse(optarg, 1, 3600, &x.flood_secs);
			break;
		case OPT_STORM:
			good = hs_parse(optarg, 1, HS_MAX_STORM, &v);
			x.storm = v;
			break;
		case OPT_BUDGET:
			good = hs_parse(optarg, 1, HS_MAX_LOG, &v);
			x.budget = v;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_NO_PROBE:
			x.no_probe = true;
			break;
		case OPT_DUMP:
			x.dump = true;
			break;
		case OPT_UNIX:
			x.unix_path = optarg;
			break;
		case OPT_HANDSHAKE_MS:
			good = hs_parse(optarg, 1, 600000, &x.handshake_ms);
			break;
		case OPT_WINDOW_MS:
			good = hs_parse(optarg, 1, 3600000, &x.window_ms);
			break;
		case OPT_HELP:
			fputs(hs_usage, stdout);
			return 0;
		default:
			return hs_usage_error("unknown option", NULL);
		}
		if (!good)
			return hs_usage_error("bad value", optarg);
	}
	if (optind != argc - 1)
		return hs_usage_error("one case expected", NULL);
	name = argv[optind];
	for (i = 0; i < HS_NR_CASES; i++)
		if (!strcmp(name, hs_cases[i].name))
			break;
	if (i == HS_NR_CASES && strcmp(name, "all"))
		return hs_usage_error("unknown case", name);

	if (!boot_id_set)
		x.boot_id = hs_mix(x.seed ^ HS_SALT_BOOT_ID) ?: 1;
	x.page_size = sysconf(_SC_PAGESIZE);
	if (!x.ram_pages) {
		if (sysinfo(&si)) {
			fprintf(stderr, "vsock-hostile: sysinfo: %s\n",
				strerror(errno));
			return 2;
		}
		x.ram_pages = (u64)si.totalram * si.mem_unit / 4096;
	}
	if (!x.dump && !x.unix_path && !force &&
	    !access("/sys/module/mrm_balloon", F_OK)) {
		fprintf(stderr,
			"vsock-hostile: mrm_balloon is loaded and its session would fight ours:\n"
			"rmmod it first (or --force)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	if (x.dump) {
		/* The bytes only: no probe in front of the case. */
		for (c = 0; c < (int)HS_NR_CASES; c++)
			if (i == HS_NR_CASES || (unsigned int)c == i)
				hs_run_case(&x, c);
		return 0;
	}
	if (x.no_probe && strcmp(name, "all"))
		return hs_run_case(&x, i) ? 0 : 1;
	/* The probe first: a host that does not serve us proves nothing. */
	if (!hs_run_case(&x, 0)) {
		if (!strcmp(name, "all"))
			say("passed=0 failed=1 aborted=probe");
		return 1;
	}
	if (strcmp(name, "all"))
		return i == 0 || hs_run_case(&x, i) ? 0 : 1;
	passed = 1;
	for (i = 1; i < HS_NR_CASES; i++) {
		if (hs_run_case(&x, i))
			passed++;
		else
			failed++;
	}
	say("passed=%u failed=%u", passed, failed);
	return failed ? 1 : 0;
}
