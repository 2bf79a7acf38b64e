// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpus for fuzz_proto, written from the library's own encoder:
 *
 *   conv-to-host*   what a model guest sends in a whole conversation with
 *                   a model host (HELLO ... GOODBYE), for the fuzzed host
 *   conv-to-guest*  what the model host sends back, for the fuzzed guest
 *   sample-<type>   one valid message of each type
 *   max-deflate     the largest message
 *
 * Every seed starts with the fuzzer's read-size byte.
 *
 *   mkseeds <dir>
 */
#include <stdio.h>
#include <stdlib.h>

#include "peer.h"

#include "proto_samples.h"

#define PIPE_SIZE 65536

/**
 * struct pipe - one direction of the simulated connection
 * @buf: every byte sent so far
 * @len: bytes in @buf
 * @delivered: bytes the receiver has been given
 */
struct pipe {
	u8 buf[PIPE_SIZE];
	size_t len;
	size_t delivered;
};

static struct pipe to_host;
static struct pipe to_guest;
static struct fuzz_peer host;
static struct fuzz_peer guest;
static const char *dir;

static void sink(struct fuzz_peer *p, const u8 *msg, size_t len)
{
	struct pipe *q = p->ctx;

	fuzz_check(q->len + len <= sizeof(q->buf), "seed stream fits");
	memcpy(q->buf + q->len, msg, len);
	q->len += len;
}

static bool deliver(struct pipe *q, struct fuzz_peer *to)
{
	size_t at = q->delivered;

	if (at == q->len)
		return false;
	q->delivered = q->len;
	fuzz_peer_input(to, q->buf + at, q->len - at, q->buf);
	return true;
}

static void write_seed(const char *name, u8 chunk, const u8 *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fputc(chunk, f) == EOF || fwrite(data, 1, len, f) != len ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* The first entry tag of the first STATS in @buf becomes unknown. */
static void unknown_stat(u8 *buf, size_t len)
{
	size_t off = 0;
	struct mrm_hdr hdr;

	while (off + MRM_PROTO_HDR_SIZE <= len) {
		fuzz_check(mrm_proto_decode_hdr(buf + off, &hdr) == 0,
			   "seed stream parses");
		if (hdr.type == MRM_MSG_STATS && hdr.len > 8) {
			buf[off + MRM_PROTO_HDR_SIZE + 8 + 1] = 0x40;
			return;
		}
		off += MRM_PROTO_HDR_SIZE + hdr.len;
	}
	fuzz_check(false, "the conversation has a STATS");
}

static void converse(void)
{
	fuzz_peer_init(&host, MRM_PROTO_HOST, sink, &to_guest);
	fuzz_peer_init(&guest, MRM_PROTO_GUEST, sink, &to_host);
	fuzz_peer_start(&guest);
	while (deliver(&to_host, &host) || deliver(&to_guest, &guest))
		;
	fuzz_check(host.s.state == MRM_PROTO_ST_CLOSED &&
		   guest.s.state == MRM_PROTO_ST_CLOSED,
		   "the model peers end with a GOODBYE exchange");
	fuzz_peer_eof(&host);
	fuzz_peer_eof(&guest);

	write_seed("conv-to-host", 0, to_host.buf, to_host.len);
	write_seed("conv-to-host-bytewise", 1, to_host.buf, to_host.len);
	write_seed("conv-to-guest", 0, to_guest.buf, to_guest.len);
	write_seed("conv-to-guest-chunked", 7, to_guest.buf, to_guest.len);
	unknown_stat(to_host.buf, to_host.len);
	write_seed("conv-to-host-unknown-stat", 0, to_host.buf, to_host.len);
}

static void samples(void)
{
	static u8 buf[MRM_PROTO_MAX_MSG];
	static __le64 frames[MRM_PROTO_MAX_FRAMES];
	char name[64];
	struct mrm_msg msg;
	unsigned int type, i;
	int len;

	for (type = 1; type <= MRM_MSG_TYPE_MAX; type++) {
		fuzz_check(mrm_sample_msg(type, 0, &msg, frames), "sample");
		len = mrm_proto_encode(buf, sizeof(buf), &msg);
		fuzz_check(len > 0, "sample encodes");
		snprintf(name, sizeof(name), "sample-%s",
			 mrm_proto_type_name(type));
		write_seed(name, 0, buf, len);
	}

	msg.hdr.type = MRM_MSG_DEFLATE;
	msg.frames.nr = MRM_PROTO_MAX_FRAMES;
	msg.frames.reason = MRM_DEFLATE_OOM;
	msg.frames.raw = frames;
	for (i = 0; i < MRM_PROTO_MAX_FRAMES; i++)
		mrm_proto_frame_pack(i, MRM_FRAME_ORDER_4K, &frames[i]);
	len = mrm_proto_encode(buf, sizeof(buf), &msg);
	fuzz_check(len == MRM_PROTO_MAX_MSG, "largest message encodes");
	write_seed("max-deflate", 0, buf, len);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	converse();
	samples();
	return 0;
}
