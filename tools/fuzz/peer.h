/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model protocol endpoint for the fuzzer and its seed generator: the
 * library's reader and session, driven the way a module drives them, with
 * a simple policy that answers every message a module would answer.  It
 * checks, as it goes, everything that must hold whatever the input: the
 * session invariants, that every message the library accepted or built
 * round-trips, and that every answer a legal message calls for is itself
 * legal.  A broken rule aborts (a libFuzzer crash).
 */
#ifndef _MRM_FUZZ_PEER_H
#define _MRM_FUZZ_PEER_H

#include <mrm/proto.h>

struct fuzz_peer;

/* Called with every message the peer sends, already checked. */
typedef void (*fuzz_sink_t)(struct fuzz_peer *p, const u8 *msg, size_t len);

/**
 * struct fuzz_peer - one model endpoint
 * @s: its protocol session
 * @r: its stream reader
 * @out: scratch for the message being sent
 * @sink: where sent messages go
 * @ctx: for @sink
 * @dead: the connection is over; further input is ignored
 * @pos: stream offset of the message the reader is assembling
 * @inflates: INFLATEs handled (host) or sent (guest)
 */
struct fuzz_peer {
	struct mrm_proto_sess s;
	struct mrm_proto_reader r;
	u8 out[MRM_PROTO_MAX_MSG];
	fuzz_sink_t sink;
	void *ctx;
	bool dead;
	size_t pos;
	unsigned int inflates;
};

void fuzz_check(bool ok, const char *what);
void fuzz_check_roundtrip(const u8 *raw, size_t len, const struct mrm_msg *msg);
void fuzz_peer_init(struct fuzz_peer *p, enum mrm_proto_side side,
		    fuzz_sink_t sink, void *ctx);
void fuzz_peer_start(struct fuzz_peer *p);
void fuzz_peer_input(struct fuzz_peer *p, const u8 *data, size_t len,
		     const u8 *stream);
void fuzz_peer_eof(struct fuzz_peer *p);

#endif /* _MRM_FUZZ_PEER_H */
