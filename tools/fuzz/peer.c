// SPDX-License-Identifier: GPL-2.0
/*
 * Model protocol endpoints for the fuzzer (see peer.h).
 *
 * Host policy: WELCOME with every known offered capability and a frame
 * limit taken from the boot id (so limits get explored), ACK every INFLATE
 * at once (all frames, a prefix or none, chosen by its first frame), ask
 * for STATS after the first INFLATE, set the target to 0 after the fourth,
 * say GOODBYE first when a STATS carries tags it does not know.
 *
 * Guest policy: HELLO at start; after WELCOME two INFLATEs; on each ACK
 * one DEFLATE and, while active, one more INFLATE; STATS when asked;
 * GOODBYE first when the target drops to 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "peer.h"

#include "proto_samples.h"

/**
 * fuzz_check() - abort (a libFuzzer crash) unless a rule holds
 * @ok: the rule
 * @what: what it says, for the crash report
 */
void fuzz_check(bool ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz: rule broken: %s\n", what);
	abort();
}

/**
 * fuzz_check_roundtrip() - check that a decoded message re-encodes
 * @raw: the bytes it was decoded from
 * @len: their length
 * @msg: the decoded message
 *
 * The re-encoded bytes must decode to the same message and, but for STATS
 * (whose entry order and unknown tags are not kept), be the same bytes.
 */
void fuzz_check_roundtrip(const u8 *raw, size_t len, const struct mrm_msg *msg)
{
	static u8 buf[MRM_PROTO_MAX_MSG];
	struct mrm_msg again;
	int n;

	n = mrm_proto_encode(buf, sizeof(buf), msg);
	fuzz_check(n > 0, "a decoded message encodes");
	fuzz_check(mrm_proto_decode(buf, n, &again) == 0,
		   "a re-encoded message decodes");
	fuzz_check(mrm_sample_msg_equal(msg, &again),
		   "decode(encode(x)) == x");
	if (msg->hdr.type == MRM_MSG_STATS)
		return;
	fuzz_check((size_t)n == len && !memcmp(buf, raw, len),
		   "encode(decode(bytes)) == bytes");
}

static void check_invariants(const struct mrm_proto_sess *s)
{
	fuzz_check(s->state >= MRM_PROTO_ST_START &&
		   s->state <= MRM_PROTO_ST_CLOSED, "state in range");
	fuzz_check(s->inflight_nr <= MRM_PROTO_MAX_INFLIGHT &&
		   s->inflight_head < MRM_PROTO_MAX_INFLIGHT,
		   "in-flight ring in range");
	if (s->bye_sent || s->bye_rcvd)
		fuzz_check(s->state == MRM_PROTO_ST_CLOSING ||
			   s->state == MRM_PROTO_ST_CLOSED,
			   "GOODBYE implies CLOSING or CLOSED");
	if (s->state != MRM_PROTO_ST_ACTIVE && s->state != MRM_PROTO_ST_CLOSING)
		return;
	fuzz_check(s->version >= MRM_PROTO_VERSION_MIN &&
		   s->version <= MRM_PROTO_VERSION_MAX, "negotiated version");
	fuzz_check(s->version >= s->min_version &&
		   s->version <= s->max_version, "version was offered");
	fuzz_check(s->max_frames >= 1 && s->max_frames <= MRM_PROTO_MAX_FRAMES,
		   "negotiated frame limit");
	fuzz_check(!(s->caps & ~s->offered_caps), "caps were offered");
}

/*
 * Send @msg, which the policy only builds when it is legal: failure is a
 * bug, except -EBUSY when @busy_ok (a full INFLATE pipeline).
 */
static void peer_send(struct fuzz_peer *p, struct mrm_msg *msg, bool busy_ok)
{
	struct mrm_msg check;
	int len;

	len = mrm_proto_sess_tx(&p->s, msg, p->out, sizeof(p->out));
	if (len == -EBUSY && busy_ok)
		return;
	if (len < 0)
		fprintf(stderr, "fuzz: %s: %d\n", mrm_proto_type_name(msg->hdr.type),
			len);
	fuzz_check(len > 0, "a legal answer can be sent");
	fuzz_check(mrm_proto_decode(p->out, len, &check) == 0,
		   "what is sent decodes");
	fuzz_check_roundtrip(p->out, len, &check);
	check_invariants(&p->s);
	if (p->sink)
		p->sink(p, p->out, len);
}

static void fail(struct fuzz_peer *p, int err, const struct mrm_hdr *cause)
{
	int len = mrm_proto_sess_error(&p->s, err, cause, p->out,
				       sizeof(p->out));

	if (len > 0 && p->sink)
		p->sink(p, p->out, len);
	fuzz_check(len > 0 || len == -EPIPE, "ERROR can be sent");
	fuzz_check(p->s.state == MRM_PROTO_ST_CLOSED, "closed after ERROR");
	p->dead = true;
}

static void send_goodbye(struct fuzz_peer *p, u16 reason)
{
	struct mrm_msg msg = {
		.hdr.type = MRM_MSG_GOODBYE,
		.goodbye.reason = reason,
	};

	peer_send(p, &msg, false);
}

/* --- Host ------------------------------------------------------------------ */

static void host_welcome(struct fuzz_peer *p, const struct mrm_hello *hello)
{
	struct mrm_msg msg = { .hdr.type = MRM_MSG_WELCOME };
	u16 version;
	int err;

	err = mrm_proto_choose_version(hello->min_version, hello->max_version,
				       &version);
	if (err) {
		fail(p, err, NULL);
		return;
	}
	msg.welcome.version = version;
	msg.welcome.max_frames = 1 + hello->boot_id % MRM_PROTO_MAX_FRAMES;
	msg.welcome.caps = hello->caps & MRM_CAP_KNOWN;
	msg.welcome.target_pages = hello->ram_pages / 2;
	if (msg.welcome.caps & MRM_CAP_STATS)
		msg.welcome.stats_period_ms = MRM_PROTO_STATS_PERIOD_DEFAULT_MS;
	peer_send(p, &msg, false);
}

static void host_inflate(struct fuzz_peer *p, const struct mrm_frames *f)
{
	const struct mrm_proto_inflight *old =
		&p->s.inflight[p->s.inflight_head];
	struct mrm_msg msg = { .hdr.type = MRM_MSG_ACK };
	struct mrm_frame first;

	fuzz_check(p->s.inflight_nr > 0, "INFLATE awaits its ACK");
	fuzz_check(old->nr == f->nr, "in-flight entry is this INFLATE");
	fuzz_check(mrm_proto_frame_at(f, 0, &first) == 0,
		   "decoded frames read back");
	msg.ack.inflate_seq = old->seq;
	if (old->closing) {
		msg.ack.status = MRM_ACK_CLOSING;
	} else if (first.gfn % 4 == 1) {
		msg.ack.status = MRM_ACK_INVALID;
		msg.ack.accepted = f->nr / 2;
	} else if (first.gfn % 4 == 2) {
		msg.ack.status = MRM_ACK_DECLINED;
	} else {
		msg.ack.status = MRM_ACK_OK;
		msg.ack.accepted = f->nr;
	}
	peer_send(p, &msg, false);
	if (p->s.state != MRM_PROTO_ST_ACTIVE)
		return;

	p->inflates++;
	if (p->inflates == 1 && p->s.caps & MRM_CAP_STATS) {
		msg.hdr.type = MRM_MSG_STATS_REQUEST;
		peer_send(p, &msg, false);
	} else if (p->inflates == 4) {
		msg.hdr.type = MRM_MSG_SET_TARGET;
		msg.target_pages = 0;
		peer_send(p, &msg, false);
	}
}

/* Every frame of a decoded list reads back and obeys the negotiation. */
static void host_frames(struct fuzz_peer *p, const struct mrm_frames *f)
{
	struct mrm_frame frame;
	unsigned int i;

	fuzz_check(f->nr >= 1 && f->nr <= p->s.max_frames, "frame count");
	for (i = 0; i < f->nr; i++) {
		fuzz_check(mrm_proto_frame_at(f, i, &frame) == 0,
			   "decoded frames read back");
		fuzz_check(frame.order == MRM_FRAME_ORDER_4K ||
			   (frame.order == MRM_FRAME_ORDER_2M &&
			    p->s.caps & MRM_CAP_FRAME_2M), "frame order allowed");
	}
	fuzz_check(mrm_proto_frame_at(f, f->nr, &frame) == -ERANGE,
		   "frame index bounded");
}

static void host_handle(struct fuzz_peer *p, const struct mrm_msg *msg)
{
	switch (msg->hdr.type) {
	case MRM_MSG_HELLO:
		host_welcome(p, &msg->hello);
		break;
	case MRM_MSG_INFLATE:
		host_frames(p, &msg->frames);
		host_inflate(p, &msg->frames);
		break;
	case MRM_MSG_DEFLATE:
		host_frames(p, &msg->frames);
		break;
	case MRM_MSG_STATS:
		if (msg->stats.skipped && p->s.state == MRM_PROTO_ST_ACTIVE)
			send_goodbye(p, MRM_BYE_DETACH);
		break;
	case MRM_MSG_GOODBYE:
		if (!p->s.bye_sent)
			send_goodbye(p, MRM_BYE_REPLY);
		fuzz_check(p->s.state == MRM_PROTO_ST_CLOSED,
			   "host closes after the GOODBYE exchange");
		break;
	}
}

/* --- Guest ----------------------------------------------------------------- */

static void guest_hello(struct fuzz_peer *p)
{
	struct mrm_msg msg;
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];

	mrm_sample_msg(MRM_MSG_HELLO, 0, &msg, frames);
	msg.hello.balloon_pages = 0;
	msg.hello.boot_id = 3;	/* max_frames 4 with the model host */
	peer_send(p, &msg, false);
}

static void guest_inflate(struct fuzz_peer *p)
{
	__le64 frames[2];
	struct mrm_msg msg = {
		.hdr.type = MRM_MSG_INFLATE,
		.frames.raw = frames,
		.frames.nr = 1,
	};
	u64 gfn = 4 * (u64)p->inflates + p->inflates % 4;

	mrm_proto_frame_pack(gfn, MRM_FRAME_ORDER_4K, &frames[0]);
	if (p->s.max_frames >= 2 && p->s.caps & MRM_CAP_FRAME_2M) {
		mrm_proto_frame_pack((u64)(p->inflates + 1) << 9,
				     MRM_FRAME_ORDER_2M, &frames[1]);
		msg.frames.nr = 2;
	}
	p->inflates++;
	peer_send(p, &msg, true);
}

static void guest_acked(struct fuzz_peer *p, const struct mrm_ack *ack)
{
	__le64 frame;
	struct mrm_msg msg = {
		.hdr.type = MRM_MSG_DEFLATE,
		.frames.raw = &frame,
		.frames.nr = 1,
		.frames.reason = MRM_DEFLATE_REQUESTED,
	};

	if (p->s.state != MRM_PROTO_ST_ACTIVE)
		return;
	if (ack->accepted) {
		mrm_proto_frame_pack(ack->inflate_seq, MRM_FRAME_ORDER_4K, &frame);
		peer_send(p, &msg, false);
	}
	guest_inflate(p);
}

static void guest_stats(struct fuzz_peer *p)
{
	struct mrm_msg msg;
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];

	mrm_sample_msg(MRM_MSG_STATS, 0, &msg, frames);
	peer_send(p, &msg, false);
}

static void guest_handle(struct fuzz_peer *p, const struct mrm_msg *msg)
{
	switch (msg->hdr.type) {
	case MRM_MSG_WELCOME:
		guest_inflate(p);
		guest_inflate(p);
		break;
	case MRM_MSG_ACK:
		guest_acked(p, &msg->ack);
		break;
	case MRM_MSG_STATS_REQUEST:
		guest_stats(p);
		break;
	case MRM_MSG_SET_TARGET:
		if (msg->target_pages == 0)
			send_goodbye(p, MRM_BYE_UNLOAD);
		break;
	case MRM_MSG_GOODBYE:
		if (!p->s.bye_sent)
			send_goodbye(p, MRM_BYE_REPLY);
		break;
	}
}

/* --- Driving ----------------------------------------------------------------- */

/**
 * fuzz_peer_init() - set up a model endpoint
 * @p: the endpoint
 * @side: which side it plays
 * @sink: called with every message it sends (may be NULL)
 * @ctx: for @sink
 */
void fuzz_peer_init(struct fuzz_peer *p, enum mrm_proto_side side,
		    fuzz_sink_t sink, void *ctx)
{
	memset(p, 0, sizeof(*p));
	mrm_proto_sess_init(&p->s, side);
	mrm_proto_reader_init(&p->r);
	p->sink = sink;
	p->ctx = ctx;
}

/**
 * fuzz_peer_start() - a guest sends its HELLO; a host does nothing
 * @p: the endpoint
 */
void fuzz_peer_start(struct fuzz_peer *p)
{
	if (p->s.side == MRM_PROTO_GUEST)
		guest_hello(p);
}

static void handle(struct fuzz_peer *p, const struct mrm_msg *msg,
		   const u8 *stream)
{
	int verdict;

	fuzz_check_roundtrip(stream + p->pos, MRM_PROTO_HDR_SIZE + msg->hdr.len,
			     msg);
	p->pos += MRM_PROTO_HDR_SIZE + msg->hdr.len;

	verdict = mrm_proto_sess_rx(&p->s, msg);
	check_invariants(&p->s);
	if (verdict < 0) {
		fail(p, verdict, &msg->hdr);
		return;
	}
	if (verdict == MRM_PROTO_RX_IGNORE)
		return;
	if (msg->hdr.type == MRM_MSG_ERROR) {
		fuzz_check(p->s.state == MRM_PROTO_ST_CLOSED,
			   "closed after a received ERROR");
		p->dead = true;
		return;
	}
	if (p->s.side == MRM_PROTO_HOST)
		host_handle(p, msg);
	else
		guest_handle(p, msg);
	if (p->s.state == MRM_PROTO_ST_CLOSED)
		p->dead = true;
}

/**
 * fuzz_peer_input() - bytes arrive from the peer
 * @p: the endpoint
 * @data: the bytes
 * @len: how many
 * @stream: the start of the whole stream @data is part of
 */
void fuzz_peer_input(struct fuzz_peer *p, const u8 *data, size_t len,
		     const u8 *stream)
{
	struct mrm_msg msg;
	int ret = 0;

	while (len && !p->dead) {
		size_t n = mrm_proto_reader_feed(&p->r, data, len);

		/* Messages are taken as they complete, so it always wants more. */
		fuzz_check(n > 0, "the reader makes progress");
		data += n;
		len -= n;
		while (!p->dead && (ret = mrm_proto_reader_next(&p->r, &msg)) > 0)
			handle(p, &msg, stream);
		if (!p->dead && ret < 0)
			fail(p, ret, NULL);
	}
}

/**
 * fuzz_peer_eof() - the stream ends
 * @p: the endpoint
 */
void fuzz_peer_eof(struct fuzz_peer *p)
{
	int err = mrm_proto_reader_eof(&p->r);
	bool closed = p->s.state == MRM_PROTO_ST_CLOSED;

	fuzz_check(p->dead || err == 0 || err == -ENODATA,
		   "reader errors are reported before EOF");
	fuzz_check((mrm_proto_sess_eof(&p->s) == 0) == closed,
		   "EOF is orderly exactly when the session had closed");
	fuzz_check(p->s.state == MRM_PROTO_ST_CLOSED, "closed after EOF");
}
