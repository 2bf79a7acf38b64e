// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_proto: the wire format (common/proto.c).  Round trips of
 * every message type, golden bytes for the layout, and every rejection of
 * the header and payload decoders, each checked to leave its output alone.
 */
#include <kunit/test.h>

#include <mrm/proto.h>

#include "proto_samples.h"

#define POISON 0x5a

/* The message types, in wire order. */
static const u16 all_types[] = {
	MRM_MSG_HELLO, MRM_MSG_WELCOME, MRM_MSG_SET_TARGET, MRM_MSG_INFLATE,
	MRM_MSG_DEFLATE, MRM_MSG_ACK, MRM_MSG_STATS, MRM_MSG_STATS_REQUEST,
	MRM_MSG_ERROR, MRM_MSG_GOODBYE,
};

/* Encoded length of each sample (header included), by type. */
static const int sample_len[MRM_MSG_TYPE_MAX + 1] = {
	[MRM_MSG_HELLO] = 16 + 40,
	[MRM_MSG_WELCOME] = 16 + 24,
	[MRM_MSG_SET_TARGET] = 16 + 8,
	[MRM_MSG_INFLATE] = 16 + 8 + 3 * 8,
	[MRM_MSG_DEFLATE] = 16 + 8 + 3 * 8,
	[MRM_MSG_ACK] = 16 + 8,
	[MRM_MSG_STATS] = 16 + 8 + 6 * 16,
	[MRM_MSG_STATS_REQUEST] = 16,
	[MRM_MSG_ERROR] = 16 + 8,
	[MRM_MSG_GOODBYE] = 16 + 8,
};

/* Room for any message, plus slack to misalign it; freed by KUnit. */
#define MSGBUF_SIZE (MRM_PROTO_MAX_MSG + 8)

static u8 *msgbuf(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, MSGBUF_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	return buf;
}

/* Encode the sample of @type into @buf; fails the test if it does not. */
static int encode_sample(struct kunit *test, u16 type, u32 seq, u8 *buf,
			 size_t size)
{
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;
	int len;

	KUNIT_ASSERT_TRUE(test, mrm_sample_msg(type, seq, &msg, frames));
	len = mrm_proto_encode(buf, size, &msg);
	KUNIT_ASSERT_GT_MSG(test, len, 0, "%s", mrm_proto_type_name(type));
	return len;
}

static void put_le(u8 *p, unsigned int width, u64 v)
{
	unsigned int i;

	for (i = 0; i < width; i++)
		p[i] = v >> (8 * i);
}

/* --- Round trips and golden bytes ------------------------------------------ */

static void mrm_proto_round_trip_test(struct kunit *test)
{
	u8 *buf = msgbuf(test), *again = msgbuf(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		u16 type = all_types[i];
		const char *name = mrm_proto_type_name(type);
		__le64 frames[MRM_SAMPLE_MAX_FRAMES];
		struct mrm_msg in, out;
		int len, len2;

		KUNIT_ASSERT_TRUE(test, mrm_sample_msg(type, 1000 + i, &in,
						       frames));
		len = mrm_proto_encode(buf, MSGBUF_SIZE, &in);
		KUNIT_EXPECT_EQ_MSG(test, len, sample_len[type], "%s", name);
		if (len < 0)
			continue;

		memset(&out, POISON, sizeof(out));
		KUNIT_EXPECT_EQ_MSG(test, mrm_proto_decode(buf, len, &out), 0,
				    "%s", name);
		KUNIT_EXPECT_TRUE_MSG(test, mrm_sample_msg_equal(&in, &out),
				      "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, out.hdr.len,
				    (u32)len - MRM_PROTO_HDR_SIZE, "%s", name);

		/* Decoded messages re-encode to the very same bytes. */
		len2 = mrm_proto_encode(again, MSGBUF_SIZE, &out);
		KUNIT_EXPECT_EQ_MSG(test, len2, len, "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, again, len), 0, "%s",
				    name);
	}
}

static void mrm_proto_golden_hello_test(struct kunit *test)
{
	static const u8 golden[] = {
		0x4d, 0x52, 0x4d, 0x21, 0x01, 0x00, 0x01, 0x00, /* MRM! v1 HELLO */
		0x28, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, /* len 40, seq 5 */
		0x01, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, /* 1..1, 4096 */
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* caps, rsvd */
		0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, /* ram 2^18 */
		0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* balloon 1000 */
		0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, /* boot id */
	};
	u8 buf[64];
	int len = encode_sample(test, MRM_MSG_HELLO, 5, buf, sizeof(buf));

	KUNIT_ASSERT_EQ(test, len, (int)sizeof(golden));
	KUNIT_EXPECT_EQ(test, memcmp(buf, golden, sizeof(golden)), 0);
}

static void mrm_proto_golden_inflate_test(struct kunit *test)
{
	static const u8 golden[] = {
		0x4d, 0x52, 0x4d, 0x21, 0x01, 0x00, 0x04, 0x00, /* v1 INFLATE */
		0x20, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, /* len 32, seq 9 */
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 3 frames */
		0x00, 0x40, 0x23, 0x01, 0x00, 0x00, 0x00, 0x00, /* 0x1234 4K */
		0x09, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, /* 0x200 2M */
		0x00, 0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* GFN_MAX 4K */
	};
	u8 buf[64];
	int len = encode_sample(test, MRM_MSG_INFLATE, 9, buf, sizeof(buf));

	KUNIT_ASSERT_EQ(test, len, (int)sizeof(golden));
	KUNIT_EXPECT_EQ(test, memcmp(buf, golden, sizeof(golden)), 0);
}

/* Frames packed straight into the output buffer need no copy. */
static void mrm_proto_encode_in_place_test(struct kunit *test)
{
	u8 *buf = msgbuf(test);
	__le64 *frames = (__le64 *)(buf + MRM_PROTO_HDR_SIZE +
				    sizeof(struct mrm_msg_inflate));
	struct mrm_msg msg = { .hdr.version = 1, .hdr.type = MRM_MSG_INFLATE };
	struct mrm_msg out;
	struct mrm_frame f;
	unsigned int i;
	int len;

	for (i = 0; i < MRM_PROTO_MAX_FRAMES; i++)
		KUNIT_ASSERT_EQ(test, mrm_proto_frame_pack(i, 0, &frames[i]), 0);
	msg.frames.nr = MRM_PROTO_MAX_FRAMES;
	msg.frames.raw = frames;
	len = mrm_proto_encode(buf, MSGBUF_SIZE, &msg);
	KUNIT_ASSERT_EQ(test, len, (int)MRM_PROTO_MAX_MSG);
	KUNIT_ASSERT_EQ(test, mrm_proto_decode(buf, len, &out), 0);
	KUNIT_ASSERT_EQ(test, out.frames.nr, MRM_PROTO_MAX_FRAMES);
	for (i = 0; i < MRM_PROTO_MAX_FRAMES; i++) {
		KUNIT_ASSERT_EQ(test, mrm_proto_frame_at(&out.frames, i, &f), 0);
		KUNIT_EXPECT_EQ(test, f.gfn, (u64)i);
	}
}

/* --- Header rejections ------------------------------------------------------ */

struct mutation {
	const char *what;
	u16 type;		/* sample to start from */
	unsigned int off;	/* byte offset in the encoded message */
	unsigned int width;	/* bytes written, little endian */
	u64 value;
	int err;		/* expected result */
};

static const struct mutation hdr_cases[] = {
	{ "magic off by one", MRM_MSG_HELLO, 0, 4, 0x214d524e, -EILSEQ },
	{ "magic zero", MRM_MSG_ACK, 0, 4, 0, -EILSEQ },
	{ "magic byte-swapped", MRM_MSG_ACK, 0, 4, 0x4d524d21, -EILSEQ },
	{ "version 0", MRM_MSG_HELLO, 4, 2, 0, -EPROTONOSUPPORT },
	{ "version 2", MRM_MSG_ACK, 4, 2, 2, -EPROTONOSUPPORT },
	{ "version max", MRM_MSG_ACK, 4, 2, 0xffff, -EPROTONOSUPPORT },
	{ "type 0", MRM_MSG_ACK, 6, 2, 0, -ENOMSG },
	{ "type max+1", MRM_MSG_ACK, 6, 2, MRM_MSG_TYPE_MAX + 1, -ENOMSG },
	{ "type 0xffff", MRM_MSG_ACK, 6, 2, 0xffff, -ENOMSG },
	{ "HELLO short", MRM_MSG_HELLO, 8, 4, 39, -EBADMSG },
	{ "HELLO empty", MRM_MSG_HELLO, 8, 4, 0, -EBADMSG },
	{ "HELLO long", MRM_MSG_HELLO, 8, 4, 41, -EMSGSIZE },
	{ "HELLO huge", MRM_MSG_HELLO, 8, 4, 0xffffffff, -EMSGSIZE },
	{ "WELCOME short", MRM_MSG_WELCOME, 8, 4, 16, -EBADMSG },
	{ "WELCOME long", MRM_MSG_WELCOME, 8, 4, 32, -EMSGSIZE },
	{ "SET_TARGET short", MRM_MSG_SET_TARGET, 8, 4, 4, -EBADMSG },
	{ "SET_TARGET long", MRM_MSG_SET_TARGET, 8, 4, 9, -EMSGSIZE },
	{ "ACK short", MRM_MSG_ACK, 8, 4, 7, -EBADMSG },
	{ "ACK long", MRM_MSG_ACK, 8, 4, 16, -EMSGSIZE },
	{ "ERROR long", MRM_MSG_ERROR, 8, 4, 4096, -EMSGSIZE },
	{ "GOODBYE short", MRM_MSG_GOODBYE, 8, 4, 0, -EBADMSG },
	{ "STATS_REQUEST with payload", MRM_MSG_STATS_REQUEST, 8, 4, 1,
	  -EMSGSIZE },
	{ "INFLATE no frames", MRM_MSG_INFLATE, 8, 4, 8, -EBADMSG },
	{ "INFLATE partial frame", MRM_MSG_INFLATE, 8, 4, 17, -EBADMSG },
	{ "INFLATE one frame", MRM_MSG_INFLATE, 8, 4, 16, 0 },
	{ "INFLATE max frames", MRM_MSG_INFLATE, 8, 4, 8 + 8 * 512, 0 },
	{ "INFLATE max+1 frames", MRM_MSG_INFLATE, 8, 4, 8 + 8 * 513,
	  -EMSGSIZE },
	{ "DEFLATE partial frame", MRM_MSG_DEFLATE, 8, 4, 31, -EBADMSG },
	{ "DEFLATE max+1 frames", MRM_MSG_DEFLATE, 8, 4, 8 + 8 * 513,
	  -EMSGSIZE },
	{ "STATS empty", MRM_MSG_STATS, 8, 4, 8, 0 },
	{ "STATS short", MRM_MSG_STATS, 8, 4, 7, -EBADMSG },
	{ "STATS partial entry", MRM_MSG_STATS, 8, 4, 8 + 15, -EBADMSG },
	{ "STATS max entries", MRM_MSG_STATS, 8, 4, 8 + 16 * 64, 0 },
	{ "STATS max+1 entries", MRM_MSG_STATS, 8, 4, 8 + 16 * 65,
	  -EMSGSIZE },
};

static void mrm_proto_hdr_reject_test(struct kunit *test)
{
	u8 *buf = msgbuf(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hdr_cases); i++) {
		const struct mutation *c = &hdr_cases[i];
		struct mrm_hdr hdr, before;
		int err;

		encode_sample(test, c->type, 3, buf, MSGBUF_SIZE);
		put_le(buf + c->off, c->width, c->value);
		memset(&hdr, POISON, sizeof(hdr));
		before = hdr;
		err = mrm_proto_decode_hdr(buf, &hdr);
		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "%s", c->what);
		if (err)
			KUNIT_EXPECT_EQ_MSG(test, memcmp(&hdr, &before,
							 sizeof(hdr)), 0,
					    "%s: output changed", c->what);
		else
			KUNIT_EXPECT_EQ_MSG(test, hdr.len, (u32)c->value, "%s",
					    c->what);
	}
}

/* The header decoder reads exactly 16 bytes at any alignment. */
static void mrm_proto_hdr_unaligned_test(struct kunit *test)
{
	u8 *buf = msgbuf(test);
	struct mrm_hdr hdr;
	unsigned int off;
	int len;

	for (off = 0; off < 8; off++) {
		len = encode_sample(test, MRM_MSG_STATS, 77, buf + off,
				    MSGBUF_SIZE - off);
		KUNIT_EXPECT_EQ(test, mrm_proto_decode_hdr(buf + off, &hdr), 0);
		KUNIT_EXPECT_EQ(test, hdr.seq, 77U);
		KUNIT_EXPECT_EQ(test, hdr.len, (u32)len - MRM_PROTO_HDR_SIZE);
	}
}

/* --- Payload rejections ----------------------------------------------------- */

static const struct mutation payload_cases[] = {
	/* HELLO: payload at 16: min 16, max 18, page 20, caps 24, rsvd 28,
	 * ram 32, balloon 40, boot id 48.
	 */
	{ "HELLO reserved", MRM_MSG_HELLO, 28, 4, 1, -EBADMSG },
	{ "HELLO min 0", MRM_MSG_HELLO, 16, 2, 0, -EBADMSG },
	{ "HELLO min > max", MRM_MSG_HELLO, 16, 2, 2, -EBADMSG },
	{ "HELLO future max", MRM_MSG_HELLO, 18, 2, 0xffff, 0 },
	{ "HELLO page 0", MRM_MSG_HELLO, 20, 4, 0, -EBADMSG },
	{ "HELLO page 2K", MRM_MSG_HELLO, 20, 4, 2048, -EBADMSG },
	{ "HELLO page 8K", MRM_MSG_HELLO, 20, 4, 8192, 0 },
	{ "HELLO page 12K", MRM_MSG_HELLO, 20, 4, 12288, -EBADMSG },
	{ "HELLO page 64K", MRM_MSG_HELLO, 20, 4, 65536, 0 },
	{ "HELLO page 128K", MRM_MSG_HELLO, 20, 4, 131072, -EBADMSG },
	{ "HELLO unknown caps", MRM_MSG_HELLO, 24, 4, 0xffffffff, 0 },
	{ "HELLO ram 0", MRM_MSG_HELLO, 32, 8, 0, -EBADMSG },
	{ "HELLO ram max", MRM_MSG_HELLO, 32, 8, MRM_PROTO_MAX_PAGES, 0 },
	{ "HELLO ram max+1", MRM_MSG_HELLO, 32, 8, MRM_PROTO_MAX_PAGES + 1,
	  -EBADMSG },
	{ "HELLO balloon = ram", MRM_MSG_HELLO, 40, 8, 262144, 0 },
	{ "HELLO balloon > ram", MRM_MSG_HELLO, 40, 8, 262145, -EBADMSG },
	{ "HELLO boot id 0", MRM_MSG_HELLO, 48, 8, 0, -EBADMSG },
	/* WELCOME: version 16, max_frames 18, caps 20, target 24,
	 * period 32, reserved 36.
	 */
	{ "WELCOME version != header", MRM_MSG_WELCOME, 16, 2, 2, -EBADMSG },
	{ "WELCOME max_frames 0", MRM_MSG_WELCOME, 18, 2, 0, -EBADMSG },
	{ "WELCOME max_frames 1", MRM_MSG_WELCOME, 18, 2, 1, 0 },
	{ "WELCOME max_frames 513", MRM_MSG_WELCOME, 18, 2, 513, -EBADMSG },
	{ "WELCOME target max", MRM_MSG_WELCOME, 24, 8, MRM_PROTO_MAX_PAGES,
	  0 },
	{ "WELCOME target max+1", MRM_MSG_WELCOME, 24, 8,
	  MRM_PROTO_MAX_PAGES + 1, -EBADMSG },
	{ "WELCOME period 0", MRM_MSG_WELCOME, 32, 4, 0, 0 },
	{ "WELCOME period too short", MRM_MSG_WELCOME, 32, 4, 999, -EBADMSG },
	{ "WELCOME period too long", MRM_MSG_WELCOME, 32, 4, 3600001,
	  -EBADMSG },
	{ "WELCOME period without STATS", MRM_MSG_WELCOME, 20, 4,
	  MRM_CAP_FRAME_2M, -EBADMSG },
	{ "WELCOME reserved", MRM_MSG_WELCOME, 36, 4, 1, -EBADMSG },
	/* SET_TARGET: target 16. */
	{ "SET_TARGET max", MRM_MSG_SET_TARGET, 16, 8, MRM_PROTO_MAX_PAGES, 0 },
	{ "SET_TARGET max+1", MRM_MSG_SET_TARGET, 16, 8,
	  MRM_PROTO_MAX_PAGES + 1, -EBADMSG },
	/* INFLATE: nr 16, reserved0 18, reserved1 20, frames 24, 32, 40. */
	{ "INFLATE nr < length", MRM_MSG_INFLATE, 16, 2, 2, -EBADMSG },
	{ "INFLATE nr > length", MRM_MSG_INFLATE, 16, 2, 4, -EBADMSG },
	{ "INFLATE nr 0", MRM_MSG_INFLATE, 16, 2, 0, -EBADMSG },
	{ "INFLATE reserved0", MRM_MSG_INFLATE, 18, 2, 1, -EBADMSG },
	{ "INFLATE reserved1", MRM_MSG_INFLATE, 20, 4, 1, -EBADMSG },
	{ "INFLATE frame reserved bit 6", MRM_MSG_INFLATE, 24, 8,
	  0x1234000ULL | 0x40, -EBADMSG },
	{ "INFLATE frame reserved bit 11", MRM_MSG_INFLATE, 40, 8,
	  0x1234000ULL | 0x800, -EBADMSG },
	{ "INFLATE frame order 1", MRM_MSG_INFLATE, 24, 8, 0x1234000ULL | 1,
	  -EBADMSG },
	{ "INFLATE frame order 63", MRM_MSG_INFLATE, 24, 8, 0x1234000ULL | 63,
	  -EBADMSG },
	{ "INFLATE 2M frame misaligned", MRM_MSG_INFLATE, 24, 8,
	  0x1234000ULL | 9, -EBADMSG },
	{ "INFLATE 2M frame aligned", MRM_MSG_INFLATE, 40, 8,
	  0x400000ULL | 9, 0 },
	{ "INFLATE frame 0", MRM_MSG_INFLATE, 24, 8, 0, 0 },
	/* DEFLATE: nr 16, reason 18, reserved 20, frames 24... */
	{ "DEFLATE reason 0", MRM_MSG_DEFLATE, 18, 2, 0, -EBADMSG },
	{ "DEFLATE reason max", MRM_MSG_DEFLATE, 18, 2, MRM_DEFLATE_RESYNC, 0 },
	{ "DEFLATE reason max+1", MRM_MSG_DEFLATE, 18, 2,
	  MRM_DEFLATE_REASON_MAX + 1, -EBADMSG },
	{ "DEFLATE reserved", MRM_MSG_DEFLATE, 20, 4, 0x80000000, -EBADMSG },
	{ "DEFLATE nr mismatch", MRM_MSG_DEFLATE, 16, 2, 1, -EBADMSG },
	{ "DEFLATE frame order 8", MRM_MSG_DEFLATE, 32, 8, 0x200000ULL | 8,
	  -EBADMSG },
	/* ACK: seq 16, accepted 20, status 22. */
	{ "ACK status max+1", MRM_MSG_ACK, 22, 2, MRM_ACK_STATUS_MAX + 1,
	  -EBADMSG },
	{ "ACK accepted 513", MRM_MSG_ACK, 20, 2, 513, -EBADMSG },
	{ "ACK OK accepting none", MRM_MSG_ACK, 20, 2, 0, -EBADMSG },
	{ "ACK CLOSING accepting some", MRM_MSG_ACK, 22, 2, MRM_ACK_CLOSING,
	  -EBADMSG },
	{ "ACK DECLINED partial", MRM_MSG_ACK, 22, 2, MRM_ACK_DECLINED, 0 },
	{ "ACK any seq", MRM_MSG_ACK, 16, 4, 0xffffffff, 0 },
	/* STATS: nr 16, r0 18, r1 20; entry i at 24 + 16 i: tag, r0 +2,
	 * r1 +4, value +8.  Sample tags: 1, 2, 6, 7, 10, 11.
	 */
	{ "STATS nr < length", MRM_MSG_STATS, 16, 2, 5, -EBADMSG },
	{ "STATS nr > length", MRM_MSG_STATS, 16, 2, 7, -EBADMSG },
	{ "STATS reserved0", MRM_MSG_STATS, 18, 2, 1, -EBADMSG },
	{ "STATS reserved1", MRM_MSG_STATS, 20, 4, 1, -EBADMSG },
	{ "STATS tag 0", MRM_MSG_STATS, 24, 2, 0, -EBADMSG },
	{ "STATS entry reserved0", MRM_MSG_STATS, 26, 2, 1, -EBADMSG },
	{ "STATS entry reserved1", MRM_MSG_STATS, 28, 4, 1, -EBADMSG },
	{ "STATS duplicate tag", MRM_MSG_STATS, 40, 2, MRM_STAT_MEM_TOTAL,
	  -EBADMSG },
	{ "STATS unknown tag", MRM_MSG_STATS, 24, 2, MRM_STAT_TAG_MAX + 1, 0 },
	{ "STATS tag 0xffff", MRM_MSG_STATS, 24, 2, 0xffff, 0 },
	{ "STATS PSI avg 100%", MRM_MSG_STATS, 80, 8, MRM_STAT_PSI_AVG_MAX, 0 },
	{ "STATS PSI avg > 100%", MRM_MSG_STATS, 80, 8,
	  MRM_STAT_PSI_AVG_MAX + 1, -EBADMSG },
	{ "STATS absurd amount", MRM_MSG_STATS, 32, 8, U64_MAX, 0 },
	/* ERROR: code 16, reserved 18, ref 20. */
	{ "ERROR code 0", MRM_MSG_ERROR, 16, 2, 0, -EBADMSG },
	{ "ERROR unknown code", MRM_MSG_ERROR, 16, 2, 0xffff, 0 },
	{ "ERROR reserved", MRM_MSG_ERROR, 18, 2, 1, -EBADMSG },
	/* GOODBYE: reason 16, r0 18, r1 20. */
	{ "GOODBYE reason 0", MRM_MSG_GOODBYE, 16, 2, 0, -EBADMSG },
	{ "GOODBYE unknown reason", MRM_MSG_GOODBYE, 16, 2, 0x7fff, 0 },
	{ "GOODBYE reserved0", MRM_MSG_GOODBYE, 18, 2, 1, -EBADMSG },
	{ "GOODBYE reserved1", MRM_MSG_GOODBYE, 20, 4, 1, -EBADMSG },
};

static void mrm_proto_payload_reject_test(struct kunit *test)
{
	u8 *buf = msgbuf(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(payload_cases); i++) {
		const struct mutation *c = &payload_cases[i];
		struct mrm_msg msg, before;
		int len, err;

		len = encode_sample(test, c->type, 3, buf, MSGBUF_SIZE);
		KUNIT_ASSERT_LE_MSG(test, c->off + c->width, (unsigned int)len,
				    "%s", c->what);
		put_le(buf + c->off, c->width, c->value);
		memset(&msg, POISON, sizeof(msg));
		before = msg;
		err = mrm_proto_decode(buf, len, &msg);
		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "%s", c->what);
		if (err)
			KUNIT_EXPECT_EQ_MSG(test, memcmp(&msg, &before,
							 sizeof(msg)), 0,
					    "%s: output changed", c->what);
	}
}

/* Unknown tags are skipped and counted, known ones still decoded. */
static void mrm_proto_stats_unknown_tag_test(struct kunit *test)
{
	u8 *buf = msgbuf(test);
	struct mrm_msg msg;
	int len;

	len = encode_sample(test, MRM_MSG_STATS, 0, buf, MSGBUF_SIZE);
	put_le(buf + 24, 2, 0x4000);		/* entry 0: MEM_TOTAL */
	put_le(buf + 24 + 16 * 5, 2, 0x4001);	/* entry 5: BALLOON */
	KUNIT_ASSERT_EQ(test, mrm_proto_decode(buf, len, &msg), 0);
	KUNIT_EXPECT_EQ(test, msg.stats.skipped, 2);
	KUNIT_EXPECT_FALSE(test, msg.stats.present & (1ULL << MRM_STAT_MEM_TOTAL));
	KUNIT_EXPECT_FALSE(test, msg.stats.present & (1ULL << MRM_STAT_BALLOON));
	KUNIT_EXPECT_TRUE(test, msg.stats.present & (1ULL << MRM_STAT_MEM_AVAILABLE));
	KUNIT_EXPECT_EQ(test, msg.stats.val[MRM_STAT_MEM_AVAILABLE], 100000ULL);
	KUNIT_EXPECT_EQ(test, msg.stats.val[MRM_STAT_PSI_FULL_TOTAL], U64_MAX);
}

/* Exactly one message: shorter input is truncated, longer has trailing junk. */
static void mrm_proto_decode_length_test(struct kunit *test)
{
	u8 *buf = msgbuf(test);
	struct mrm_msg msg;
	int len, n;

	len = encode_sample(test, MRM_MSG_INFLATE, 0, buf, MSGBUF_SIZE);
	for (n = 0; n < len; n++)
		KUNIT_EXPECT_EQ_MSG(test, mrm_proto_decode(buf, n, &msg),
				    -ENODATA, "length %d", n);
	KUNIT_EXPECT_EQ(test, mrm_proto_decode(buf, len + 1, &msg), -EBADMSG);
	KUNIT_EXPECT_EQ(test, mrm_proto_decode(buf, len, &msg), 0);
}

static void mrm_proto_decode_payload_unknown_test(struct kunit *test)
{
	struct mrm_hdr hdr = { .version = 1, .type = MRM_MSG_TYPE_MAX + 1 };
	struct mrm_msg msg;
	u8 payload[8] = { 0 };

	KUNIT_EXPECT_EQ(test, mrm_proto_decode_payload(&hdr, payload, &msg),
			-ENOMSG);
	hdr.type = 0;
	KUNIT_EXPECT_EQ(test, mrm_proto_decode_payload(&hdr, payload, &msg),
			-ENOMSG);
}

/* --- Encoder ----------------------------------------------------------------- */

/* Too small a buffer: -ENOSPC and not one byte written, at every size. */
static void mrm_proto_encode_nospc_test(struct kunit *test)
{
	u8 *buf = msgbuf(test);
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		__le64 frames[MRM_SAMPLE_MAX_FRAMES];
		struct mrm_msg msg;
		int size, err;

		mrm_sample_msg(all_types[i], 0, &msg, frames);
		for (size = 0; size < sample_len[all_types[i]]; size++) {
			memset(buf, 0xa5, MRM_PROTO_MAX_MSG);
			err = mrm_proto_encode(buf, size, &msg);
			KUNIT_EXPECT_EQ_MSG(test, err, -ENOSPC, "%s size %d",
					    mrm_proto_type_name(all_types[i]),
					    size);
			for (j = 0; j < MRM_PROTO_MAX_MSG; j++)
				if (buf[j] != 0xa5)
					break;
			KUNIT_EXPECT_EQ_MSG(test, j, MRM_PROTO_MAX_MSG,
					    "%s size %d wrote byte %u",
					    mrm_proto_type_name(all_types[i]),
					    size, j);
		}
		KUNIT_EXPECT_EQ(test, mrm_proto_encode(buf, size, &msg), size);
	}
}

/* The encoder refuses what the decoder would reject. */
static void mrm_proto_encode_invalid_test(struct kunit *test)
{
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	u8 *buf = msgbuf(test);
	struct mrm_msg msg;

#define EXPECT_INVALID(type, field, value) do {				\
		mrm_sample_msg(type, 0, &msg, frames);			\
		msg.field = value;					\
		memset(buf, 0xa5, MSGBUF_SIZE);				\
		KUNIT_EXPECT_EQ_MSG(test, mrm_proto_encode(buf, MSGBUF_SIZE, \
							   &msg), -EINVAL, \
				    #type " " #field " = " #value);	\
		KUNIT_EXPECT_EQ(test, buf[0], 0xa5);			\
	} while (0)

	EXPECT_INVALID(MRM_MSG_HELLO, hdr.type, 0);
	EXPECT_INVALID(MRM_MSG_HELLO, hdr.type, MRM_MSG_TYPE_MAX + 1);
	EXPECT_INVALID(MRM_MSG_HELLO, hdr.version, 0);
	EXPECT_INVALID(MRM_MSG_HELLO, hdr.version, MRM_PROTO_VERSION_MAX + 1);
	EXPECT_INVALID(MRM_MSG_HELLO, hello.boot_id, 0);
	EXPECT_INVALID(MRM_MSG_HELLO, hello.page_size, 1000);
	EXPECT_INVALID(MRM_MSG_HELLO, hello.min_version, 0);
	EXPECT_INVALID(MRM_MSG_WELCOME, welcome.version, 2);
	EXPECT_INVALID(MRM_MSG_WELCOME, welcome.max_frames, 0);
	EXPECT_INVALID(MRM_MSG_WELCOME, welcome.stats_period_ms, 1);
	EXPECT_INVALID(MRM_MSG_SET_TARGET, target_pages, U64_MAX);
	EXPECT_INVALID(MRM_MSG_INFLATE, frames.nr, 0);
	EXPECT_INVALID(MRM_MSG_INFLATE, frames.nr, MRM_PROTO_MAX_FRAMES + 1);
	EXPECT_INVALID(MRM_MSG_INFLATE, frames.reason, MRM_DEFLATE_OOM);
	EXPECT_INVALID(MRM_MSG_DEFLATE, frames.reason, 0);
	EXPECT_INVALID(MRM_MSG_DEFLATE, frames.reason, MRM_DEFLATE_REASON_MAX + 1);
	EXPECT_INVALID(MRM_MSG_ACK, ack.accepted, 0);
	EXPECT_INVALID(MRM_MSG_ACK, ack.status, MRM_ACK_STATUS_MAX + 1);
	EXPECT_INVALID(MRM_MSG_STATS, stats.present, 1);
	EXPECT_INVALID(MRM_MSG_STATS, stats.present, 1ULL << MRM_STAT_NR);
	EXPECT_INVALID(MRM_MSG_STATS, stats.val[MRM_STAT_PSI_SOME_AVG10],
		       MRM_STAT_PSI_AVG_MAX + 1);
	EXPECT_INVALID(MRM_MSG_ERROR, error.code, 0);
	EXPECT_INVALID(MRM_MSG_GOODBYE, goodbye.reason, 0);
#undef EXPECT_INVALID

	/* A bad packed frame in the list. */
	mrm_sample_msg(MRM_MSG_INFLATE, 0, &msg, frames);
	frames[1] = cpu_to_le64(0x201000ULL | MRM_FRAME_ORDER_2M);
	KUNIT_EXPECT_EQ(test, mrm_proto_encode(buf, MSGBUF_SIZE, &msg), -EINVAL);
}

/* --- Frames ------------------------------------------------------------------ */

static void mrm_proto_frame_pack_test(struct kunit *test)
{
	static const struct {
		u64 gfn;
		unsigned int order;
		int err;
	} cases[] = {
		{ 0, MRM_FRAME_ORDER_4K, 0 },
		{ 1, MRM_FRAME_ORDER_4K, 0 },
		{ MRM_FRAME_GFN_MAX, MRM_FRAME_ORDER_4K, 0 },
		{ MRM_FRAME_GFN_MAX + 1, MRM_FRAME_ORDER_4K, -EINVAL },
		{ U64_MAX, MRM_FRAME_ORDER_4K, -EINVAL },
		{ 0, MRM_FRAME_ORDER_2M, 0 },
		{ 512, MRM_FRAME_ORDER_2M, 0 },
		{ 513, MRM_FRAME_ORDER_2M, -EINVAL },
		{ 256, MRM_FRAME_ORDER_2M, -EINVAL },
		{ MRM_FRAME_GFN_MAX & ~511ULL, MRM_FRAME_ORDER_2M, 0 },
		{ 0, 1, -EINVAL },
		{ 0, 8, -EINVAL },
		{ 0, 10, -EINVAL },
		{ 0, 64, -EINVAL },
		{ 0, ~0U, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		__le64 wire = cpu_to_le64(0x5a5a5a5a5a5a5a5aULL);
		struct mrm_frame f;
		int err = mrm_proto_frame_pack(cases[i].gfn, cases[i].order,
					       &wire);

		KUNIT_EXPECT_EQ_MSG(test, err, cases[i].err, "case %u", i);
		if (err) {
			KUNIT_EXPECT_EQ_MSG(test, le64_to_cpu(wire),
					    0x5a5a5a5a5a5a5a5aULL, "case %u", i);
			continue;
		}
		KUNIT_EXPECT_EQ(test, le64_to_cpu(wire),
				cases[i].gfn << 12 | cases[i].order);
		KUNIT_ASSERT_EQ(test, mrm_proto_frame_unpack(wire, &f), 0);
		KUNIT_EXPECT_EQ(test, f.gfn, cases[i].gfn);
		KUNIT_EXPECT_EQ(test, f.order, cases[i].order);
	}
}

/* Every order but 0 and 9 and every reserved bit is refused. */
static void mrm_proto_frame_unpack_test(struct kunit *test)
{
	const u64 base = 0x40000000ULL << MRM_FRAME_GFN_SHIFT;	/* 2M aligned */
	struct mrm_frame f = { .gfn = 7, .order = 7 };
	unsigned int order, bit;

	for (order = 0; order <= MRM_FRAME_ORDER_MASK; order++) {
		int want = order == MRM_FRAME_ORDER_4K ||
			   order == MRM_FRAME_ORDER_2M ? 0 : -EBADMSG;

		KUNIT_EXPECT_EQ_MSG(test, mrm_proto_frame_unpack(cpu_to_le64(base | order), &f),
				    want, "order %u", order);
	}
	f.gfn = 7;
	for (bit = 6; bit < MRM_FRAME_GFN_SHIFT; bit++) {
		KUNIT_EXPECT_EQ_MSG(test, mrm_proto_frame_unpack(cpu_to_le64(base | 1ULL << bit),
								 &f),
				    -EBADMSG, "bit %u", bit);
		KUNIT_EXPECT_EQ(test, f.gfn, 7ULL);
	}
}

static void mrm_proto_frame_at_test(struct kunit *test)
{
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_frame f = { .gfn = 99 };
	struct mrm_msg msg;

	mrm_sample_msg(MRM_MSG_INFLATE, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, mrm_proto_frame_at(&msg.frames, 1, &f), 0);
	KUNIT_EXPECT_EQ(test, f.gfn, 0x200ULL);
	KUNIT_EXPECT_EQ(test, f.order, (unsigned int)MRM_FRAME_ORDER_2M);
	f.gfn = 99;
	KUNIT_EXPECT_EQ(test, mrm_proto_frame_at(&msg.frames, 3, &f), -ERANGE);
	KUNIT_EXPECT_EQ(test, mrm_proto_frame_at(&msg.frames, ~0U, &f), -ERANGE);
	KUNIT_EXPECT_EQ(test, f.gfn, 99ULL);
}

/* --- Tables -------------------------------------------------------------------- */

static void mrm_proto_tables_test(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, mrm_proto_type_name(MRM_MSG_INFLATE), "INFLATE");
	KUNIT_EXPECT_STREQ(test, mrm_proto_type_name(MRM_MSG_GOODBYE), "GOODBYE");
	KUNIT_EXPECT_STREQ(test, mrm_proto_type_name(0), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, mrm_proto_type_name(0xffff), "UNKNOWN");

	KUNIT_EXPECT_TRUE(test, mrm_proto_type_sent_by(MRM_MSG_HELLO, MRM_PROTO_GUEST));
	KUNIT_EXPECT_FALSE(test, mrm_proto_type_sent_by(MRM_MSG_HELLO, MRM_PROTO_HOST));
	KUNIT_EXPECT_TRUE(test, mrm_proto_type_sent_by(MRM_MSG_ACK, MRM_PROTO_HOST));
	KUNIT_EXPECT_FALSE(test, mrm_proto_type_sent_by(MRM_MSG_ACK, MRM_PROTO_GUEST));
	KUNIT_EXPECT_TRUE(test, mrm_proto_type_sent_by(MRM_MSG_ERROR, MRM_PROTO_GUEST));
	KUNIT_EXPECT_TRUE(test, mrm_proto_type_sent_by(MRM_MSG_ERROR, MRM_PROTO_HOST));
	KUNIT_EXPECT_FALSE(test, mrm_proto_type_sent_by(0, MRM_PROTO_HOST));
	KUNIT_EXPECT_FALSE(test, mrm_proto_type_sent_by(MRM_MSG_ERROR, 0));

	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EILSEQ), MRM_ERR_MALFORMED);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EBADMSG), MRM_ERR_MALFORMED);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-ENOMSG), MRM_ERR_MALFORMED);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-ENODATA), MRM_ERR_MALFORMED);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EPROTONOSUPPORT), MRM_ERR_VERSION);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EPROTO), MRM_ERR_UNEXPECTED);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EMSGSIZE), MRM_ERR_TOO_LONG);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EACCES), MRM_ERR_REFUSED);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EBUSY), MRM_ERR_RATE);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-ENOMEM), MRM_ERR_RESOURCE);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-ETIMEDOUT), MRM_ERR_TIMEOUT);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(-EINVAL), MRM_ERR_INTERNAL);
	KUNIT_EXPECT_EQ(test, mrm_proto_err_code(0), MRM_ERR_INTERNAL);
}

static struct kunit_case mrm_proto_cases[] = {
	KUNIT_CASE(mrm_proto_round_trip_test),
	KUNIT_CASE(mrm_proto_golden_hello_test),
	KUNIT_CASE(mrm_proto_golden_inflate_test),
	KUNIT_CASE(mrm_proto_encode_in_place_test),
	KUNIT_CASE(mrm_proto_hdr_reject_test),
	KUNIT_CASE(mrm_proto_hdr_unaligned_test),
	KUNIT_CASE(mrm_proto_payload_reject_test),
	KUNIT_CASE(mrm_proto_stats_unknown_tag_test),
	KUNIT_CASE(mrm_proto_decode_length_test),
	KUNIT_CASE(mrm_proto_decode_payload_unknown_test),
	KUNIT_CASE(mrm_proto_encode_nospc_test),
	KUNIT_CASE(mrm_proto_encode_invalid_test),
	KUNIT_CASE(mrm_proto_frame_pack_test),
	KUNIT_CASE(mrm_proto_frame_unpack_test),
	KUNIT_CASE(mrm_proto_frame_at_test),
	KUNIT_CASE(mrm_proto_tables_test),
	{}
};

static struct kunit_suite mrm_proto_suite = {
	.name = "mrm_proto",
	.test_cases = mrm_proto_cases,
};

kunit_test_suite(mrm_proto_suite);
