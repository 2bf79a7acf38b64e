/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsock-hostile: the run's state and output, the encoding of messages with
 * their own little-endian helpers over the uapi structs, and connections
 * to the host that judge what it did.
 */
#ifndef VSOCK_HOSTILE_WIRE_H
#define VSOCK_HOSTILE_WIRE_H

#include <linux/mrm_proto.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

#define HS_NS			1000000000ULL
#define HS_MS			1000000ULL
#define HS_HDR			MRM_PROTO_HDR_SIZE
/* Added to the window when pacing: the host's clock is not ours. */
#define HS_WINDOW_MARGIN_MS	1000
#define HS_MAX_LOG		512
#define HS_FAKE_MAX		16

/* --- little endian, over the uapi structs --------------------------------- */

static inline void put16(u8 *p, u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void put32(u8 *p, u32 v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static inline void put64(u8 *p, u64 v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static inline u16 get16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static inline u32 get32(const u8 *p)
{
	return get16(p) | (u32)get16(p + 2) << 16;
}

static inline u64 get64(const u8 *p)
{
	return get32(p) | (u64)get32(p + 4) << 32;
}

/* Byte offsets in a whole message (header, then payload). */
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

/**
 * struct hs_stat - one statistic to put in a STATS message (CPU order)
 * @tag: MRM_STAT_* (or an unknown tag)
 * @value: its value
 */
struct hs_stat {
	u16 tag;
	u64 value;
};

/* Every header field explicit, so that a case can get any of them wrong. */
void hs_put_hdr(u8 *b, u32 magic, u16 version, u16 type, u32 length,
		u32 seq);
/* HELLO @h (in wire order: little endian) with @seq into @b; the bytes. */
size_t hs_enc_hello(u8 *b, const struct mrm_msg_hello *h, u32 seq);
/* INFLATE (@reason ignored) or DEFLATE of @nr frames; returns the bytes. */
size_t hs_enc_frames(u8 *b, u16 type, u16 reason, const u64 *frames,
		     unsigned int nr, u32 seq);
/* STATS of the @nr statistics @s; returns the bytes. */
size_t hs_enc_stats(u8 *b, const struct hs_stat *s, unsigned int nr,
		    u32 seq);

/* --- names ---------------------------------------------------------------- */

/* Names of a message type, an ERROR code and an errno for the output. */
const char *hs_type_str(unsigned int type);
const char *hs_err_str(unsigned int code);
const char *hs_errno_name(int err);

/* --- context, output ------------------------------------------------------ */

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

/* One output line ("hostile: " + @fmt), written with one write(). */
void hs_say(const char *fmt, ...);

/* CLOCK_MONOTONIC in ns; sleep until such a time. */
u64 hs_now(void);
void hs_sleep_until(u64 t);
/* splitmix64's finalizer: the seeded values are functions of it. */
u64 hs_mix(u64 x);

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

/* Add " key=value" facts to @r (use hs_key(), which checks the format). */
void hs_add_key(struct hs_res *r, const char *fmt, ...);
/* Record a failure; the first reason wins. */
void hs_fail(struct hs_res *r, const char *why);
/* Count step @step of the case and print its line (not with --dump). */
void hs_report(struct hs_ctx *x, const char *step, struct hs_res *r);

/* --- connections ---------------------------------------------------------- */

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

/*
 * Connections this run made in the last window (what the host counts);
 * *@oldest is the time of the oldest of them, or @now.
 */
unsigned int hs_recent(struct hs_ctx *x, u64 now, u64 *oldest);

/*
 * Connect (pacing unless @storm), from a reserved port unless
 * @x->unreserved.  Every later socket call is bounded: the
 * socket is non-blocking and each wait is a poll() with a deadline, with
 * SO_RCVTIMEO and SO_SNDTIMEO as a second guard.  Returns 0, or -errno
 * with @r filled in.
 */
int hs_open(struct hs_ctx *x, struct hs_conn *c, const char *step,
	    bool storm, struct hs_res *r);
void hs_close(struct hs_conn *c);

/*
 * Send @len bytes within the wait bound (with --dump: print them).  0, or
 * -errno: -EPIPE and -ECONNRESET when the host has closed (the caller
 * then reads what it said), -ETIMEDOUT when it stopped reading.
 */
int hs_send(struct hs_conn *c, const u8 *b, size_t len);

/*
 * Receive one message from the host before @deadline and check its
 * header the way the spec makes a guest check it: magic, version, a type
 * the host may send, its exact length, the next seq.
 */
enum hs_rx hs_recv(struct hs_conn *c, u64 deadline, struct hs_in *in);

/*
 * SET_TARGET and STATS_REQUEST may arrive at any time after WELCOME: check
 * and note them.  True if @in was one of them (and fine).
 */
bool hs_background(struct hs_conn *c, const struct hs_in *in);

/*
 * A receive that was not a message: the result word, and @why as the
 * failure (garbled bytes and socket errors say what they were instead).
 */
void hs_rx_fail(struct hs_conn *c, enum hs_rx rx, struct hs_res *r,
		const char *why);

/* An ERROR where another message was expected: note what it said. */
void hs_unwanted_error(const struct hs_in *in, struct hs_res *r);

/* The HELLO an honest guest sends, in wire order. */
void hs_honest_hello(const struct hs_ctx *x, struct mrm_msg_hello *h);

/*
 * Check a WELCOME against the HELLO that asked for it: NULL, or what is
 * wrong with it.
 */
const char *hs_check_welcome(struct hs_conn *c, const struct hs_in *in,
			     const struct mrm_msg_hello *h);

/* HELLO @h, then a valid WELCOME.  0, or -1 with @r saying why not. */
int hs_handshake(struct hs_conn *c, const struct mrm_msg_hello *h,
		 struct hs_res *r);

/* An honest HELLO and its WELCOME.  0, or -1 with @r saying why not. */
int hs_hello_welcome(struct hs_conn *c, struct hs_res *r);

/*
 * Expect the ACK of INFLATE @seq with @accepted and @status, skipping
 * SET_TARGET and STATS_REQUEST.  0, or -1 with @r saying why not.
 */
int hs_expect_ack(struct hs_conn *c, u32 seq, u16 accepted, u16 status,
		  u64 deadline, struct hs_res *r);

/* GOODBYE from us, GOODBYE from the host, end of stream. */
int hs_goodbye(struct hs_conn *c, struct hs_res *r);

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
void hs_reject_spec(struct hs_ctx *x, struct hs_close_spec *s, u32 codes,
		    u32 ref_a, u32 ref_b);

/* Send @b as the offending message and judge the close against @s. */
void hs_send_expect_close(struct hs_conn *c, const u8 *b, size_t len,
			  const struct hs_close_spec *s, struct hs_res *r);

#endif /* VSOCK_HOSTILE_WIRE_H */
