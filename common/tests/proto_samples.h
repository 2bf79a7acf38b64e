/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One valid message of every type, and message equality: shared by the
 * KUnit suites (common/tests/proto*_kunit.c) and the fuzzer's seed
 * generator (tools/fuzz/).  Plain C.
 */
#ifndef _MRM_PROTO_SAMPLES_H
#define _MRM_PROTO_SAMPLES_H

#include <mrm/proto.h>

/* Frames a sample INFLATE or DEFLATE may carry; callers supply the room. */
#define MRM_SAMPLE_MAX_FRAMES	3

/*
 * Fill @msg with a valid message of @type (version 1, sequence number @seq).
 * @frames must have room for MRM_SAMPLE_MAX_FRAMES packed frames; a frame
 * list in @msg points at it.  Returns false for an unknown @type.
 */
static inline bool mrm_sample_msg(unsigned int type, u32 seq,
				  struct mrm_msg *msg, __le64 *frames)
{
	memset(msg, 0, sizeof(*msg));
	msg->hdr.version = MRM_PROTO_VERSION_1;
	msg->hdr.type = type;
	msg->hdr.seq = seq;

	switch (type) {
	case MRM_MSG_HELLO:
		msg->hello.min_version = MRM_PROTO_VERSION_1;
		msg->hello.max_version = MRM_PROTO_VERSION_1;
		msg->hello.page_size = 4096;
		msg->hello.caps = MRM_CAP_FRAME_2M | MRM_CAP_STATS;
		msg->hello.ram_pages = 262144;
		msg->hello.balloon_pages = 1000;
		msg->hello.boot_id = 0x0123456789abcdefULL;
		return true;
	case MRM_MSG_WELCOME:
		msg->welcome.version = MRM_PROTO_VERSION_1;
		msg->welcome.max_frames = MRM_PROTO_MAX_FRAMES;
		msg->welcome.caps = MRM_CAP_FRAME_2M | MRM_CAP_STATS;
		msg->welcome.target_pages = 5000;
		msg->welcome.stats_period_ms = MRM_PROTO_STATS_PERIOD_DEFAULT_MS;
		return true;
	case MRM_MSG_SET_TARGET:
		msg->target_pages = 123456;
		return true;
	case MRM_MSG_INFLATE:
	case MRM_MSG_DEFLATE:
		mrm_proto_frame_pack(0x1234, MRM_FRAME_ORDER_4K, &frames[0]);
		mrm_proto_frame_pack(0x200, MRM_FRAME_ORDER_2M, &frames[1]);
		mrm_proto_frame_pack(MRM_FRAME_GFN_MAX, MRM_FRAME_ORDER_4K,
				     &frames[2]);
		msg->frames.nr = MRM_SAMPLE_MAX_FRAMES;
		msg->frames.raw = frames;
		if (type == MRM_MSG_DEFLATE)
			msg->frames.reason = MRM_DEFLATE_PRESSURE;
		return true;
	case MRM_MSG_ACK:
		msg->ack.inflate_seq = 7;
		msg->ack.accepted = 3;
		msg->ack.status = MRM_ACK_OK;
		return true;
	case MRM_MSG_STATS:
		mrm_stats_set(&msg->stats, MRM_STAT_MEM_TOTAL, 262144);
		mrm_stats_set(&msg->stats, MRM_STAT_MEM_AVAILABLE, 100000);
		mrm_stats_set(&msg->stats, MRM_STAT_MAJOR_FAULTS, 42);
		mrm_stats_set(&msg->stats, MRM_STAT_PSI_SOME_AVG10, 1234);
		mrm_stats_set(&msg->stats, MRM_STAT_PSI_FULL_TOTAL, U64_MAX);
		mrm_stats_set(&msg->stats, MRM_STAT_BALLOON, 0);
		return true;
	case MRM_MSG_STATS_REQUEST:
		return true;
	case MRM_MSG_ERROR:
		msg->error.code = MRM_ERR_UNEXPECTED;
		msg->error.ref_seq = 42;
		return true;
	case MRM_MSG_GOODBYE:
		msg->goodbye.reason = MRM_BYE_UNLOAD;
		return true;
	default:
		return false;
	}
}

/* Same frame lists, compared entry by entry (the raw buffers differ). */
static inline bool mrm_sample_frames_equal(const struct mrm_frames *a,
					   const struct mrm_frames *b)
{
	unsigned int i;

	if (a->nr != b->nr || a->reason != b->reason)
		return false;
	for (i = 0; i < a->nr; i++) {
		struct mrm_frame fa, fb;

		if (mrm_proto_frame_at(a, i, &fa) ||
		    mrm_proto_frame_at(b, i, &fb) ||
		    fa.gfn != fb.gfn || fa.order != fb.order)
			return false;
	}
	return true;
}

static inline bool mrm_sample_stats_equal(const struct mrm_stats *a,
					  const struct mrm_stats *b)
{
	unsigned int tag;

	if (a->present != b->present)
		return false;
	for (tag = 1; tag <= MRM_STAT_TAG_MAX; tag++)
		if ((a->present & (1ULL << tag)) && a->val[tag] != b->val[tag])
			return false;
	return true;
}

/*
 * Do @a and @b carry the same message?  Headers are compared without .len
 * (computed by the encoder); STATS without .skipped (not encoded).
 */
static inline bool mrm_sample_msg_equal(const struct mrm_msg *a,
					const struct mrm_msg *b)
{
	if (a->hdr.version != b->hdr.version || a->hdr.type != b->hdr.type ||
	    a->hdr.seq != b->hdr.seq)
		return false;

	switch (a->hdr.type) {
	case MRM_MSG_HELLO:
		return a->hello.min_version == b->hello.min_version &&
		       a->hello.max_version == b->hello.max_version &&
		       a->hello.page_size == b->hello.page_size &&
		       a->hello.caps == b->hello.caps &&
		       a->hello.ram_pages == b->hello.ram_pages &&
		       a->hello.balloon_pages == b->hello.balloon_pages &&
		       a->hello.boot_id == b->hello.boot_id;
	case MRM_MSG_WELCOME:
		return a->welcome.version == b->welcome.version &&
		       a->welcome.max_frames == b->welcome.max_frames &&
		       a->welcome.caps == b->welcome.caps &&
		       a->welcome.target_pages == b->welcome.target_pages &&
		       a->welcome.stats_period_ms == b->welcome.stats_period_ms;
	case MRM_MSG_SET_TARGET:
		return a->target_pages == b->target_pages;
	case MRM_MSG_INFLATE:
	case MRM_MSG_DEFLATE:
		return mrm_sample_frames_equal(&a->frames, &b->frames);
	case MRM_MSG_ACK:
		return a->ack.inflate_seq == b->ack.inflate_seq &&
		       a->ack.accepted == b->ack.accepted &&
		       a->ack.status == b->ack.status;
	case MRM_MSG_STATS:
		return mrm_sample_stats_equal(&a->stats, &b->stats);
	case MRM_MSG_STATS_REQUEST:
		return true;
	case MRM_MSG_ERROR:
		return a->error.code == b->error.code &&
		       a->error.ref_seq == b->error.ref_seq;
	case MRM_MSG_GOODBYE:
		return a->goodbye.reason == b->goodbye.reason;
	default:
		return false;
	}
}

#endif /* _MRM_PROTO_SAMPLES_H */
