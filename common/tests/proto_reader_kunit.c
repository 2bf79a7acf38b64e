// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_proto_reader: the incremental stream reader
 * (common/proto_reader.c).  A stream of every message type is cut at every
 * byte boundary and delivered in every chunk size up to a header and a
 * half; garbage, oversized lengths and truncation give their defined errors.
 */
#include <kunit/test.h>

#include <mrm/proto.h>

#include "proto_samples.h"

/* The stream: every type once, then two empty messages back to back. */
static const u16 stream_types[] = {
	MRM_MSG_HELLO, MRM_MSG_WELCOME, MRM_MSG_SET_TARGET, MRM_MSG_INFLATE,
	MRM_MSG_DEFLATE, MRM_MSG_ACK, MRM_MSG_STATS, MRM_MSG_STATS_REQUEST,
	MRM_MSG_ERROR, MRM_MSG_GOODBYE, MRM_MSG_STATS_REQUEST,
	MRM_MSG_STATS_REQUEST,
};

#define NR_MSGS ARRAY_SIZE(stream_types)
#define STREAM_MAX (NR_MSGS * 128)

/**
 * struct reader_ctx - one test's reader, stream and progress
 * @r: the reader under test
 * @stream: encoded messages back to back
 * @len: bytes in @stream
 * @got: messages taken so far
 */
struct reader_ctx {
	struct mrm_proto_reader r;
	u8 stream[STREAM_MAX];
	size_t len;
	unsigned int got;
};

static struct reader_ctx *ctx_new(struct kunit *test)
{
	struct reader_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	mrm_proto_reader_init(&c->r);
	for (i = 0; i < NR_MSGS; i++) {
		__le64 frames[MRM_SAMPLE_MAX_FRAMES];
		struct mrm_msg msg;
		int len;

		KUNIT_ASSERT_TRUE(test, mrm_sample_msg(stream_types[i], i, &msg,
						       frames));
		len = mrm_proto_encode(c->stream + c->len, STREAM_MAX - c->len,
				       &msg);
		KUNIT_ASSERT_GT(test, len, 0);
		c->len += len;
	}
	return c;
}

static void ctx_restart(struct reader_ctx *c)
{
	mrm_proto_reader_init(&c->r);
	c->got = 0;
}

/* Take every complete message, checking each against the stream's order. */
static void take_all(struct kunit *test, struct reader_ctx *c, const char *how,
		     size_t at)
{
	struct mrm_msg msg, want;
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	int ret;

	while ((ret = mrm_proto_reader_next(&c->r, &msg)) == 1) {
		KUNIT_ASSERT_LT_MSG(test, c->got, (unsigned int)NR_MSGS,
				    "%s %zu: too many messages", how, at);
		mrm_sample_msg(stream_types[c->got], c->got, &want, frames);
		KUNIT_EXPECT_TRUE_MSG(test, mrm_sample_msg_equal(&want, &msg),
				      "%s %zu: message %u differs", how, at,
				      c->got);
		c->got++;
	}
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s %zu", how, at);
}

/* Feed @len bytes at @data, taking messages as they complete. */
static void feed_all(struct kunit *test, struct reader_ctx *c, const u8 *data,
		     size_t len, const char *how, size_t at)
{
	while (len) {
		size_t n = mrm_proto_reader_feed(&c->r, data, len);

		take_all(test, c, how, at);
		KUNIT_ASSERT_LE(test, n, len);
		if (!n) {
			KUNIT_FAIL(test, "%s %zu: no progress", how, at);
			return;
		}
		data += n;
		len -= n;
	}
}

/* Two chunks, the cut at every byte boundary of the stream. */
static void mrm_proto_reader_split_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	size_t cut;

	for (cut = 0; cut <= c->len; cut++) {
		ctx_restart(c);
		feed_all(test, c, c->stream, cut, "cut", cut);
		feed_all(test, c, c->stream + cut, c->len - cut, "cut", cut);
		KUNIT_EXPECT_EQ_MSG(test, c->got, (unsigned int)NR_MSGS,
				    "cut %zu", cut);
		KUNIT_EXPECT_EQ_MSG(test, mrm_proto_reader_eof(&c->r), 0,
				    "cut %zu", cut);
	}
}

/* Every chunk size from 1 byte to more than a header and a half. */
static void mrm_proto_reader_chunks_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	size_t chunk, off;

	for (chunk = 1; chunk <= 25; chunk++) {
		ctx_restart(c);
		for (off = 0; off < c->len; off += chunk)
			feed_all(test, c, c->stream + off,
				 min_t(size_t, chunk, c->len - off), "chunk",
				 chunk);
		KUNIT_EXPECT_EQ_MSG(test, c->got, (unsigned int)NR_MSGS,
				    "chunk %zu", chunk);
		KUNIT_EXPECT_EQ(test, mrm_proto_reader_eof(&c->r), 0);
	}
}

/* Zero copy: want() asks for the header, then exactly the payload. */
static void mrm_proto_reader_want_commit_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < NR_MSGS; i++) {
		struct mrm_hdr hdr;
		void *dst;
		size_t n;

		KUNIT_ASSERT_EQ(test, mrm_proto_decode_hdr(c->stream + off, &hdr),
				0);
		n = mrm_proto_reader_want(&c->r, &dst);
		KUNIT_ASSERT_EQ(test, n, (size_t)MRM_PROTO_HDR_SIZE);
		memcpy(dst, c->stream + off, n);
		KUNIT_ASSERT_EQ(test, mrm_proto_reader_commit(&c->r, n), 0);
		off += n;
		if (hdr.len) {
			n = mrm_proto_reader_want(&c->r, &dst);
			KUNIT_ASSERT_EQ(test, n, (size_t)hdr.len);
			memcpy(dst, c->stream + off, n);
			KUNIT_ASSERT_EQ(test, mrm_proto_reader_commit(&c->r, n),
					0);
			off += n;
		}
		KUNIT_EXPECT_EQ(test, mrm_proto_reader_want(&c->r, &dst),
				(size_t)0);
		take_all(test, c, "message", i);
		KUNIT_EXPECT_EQ(test, c->got, i + 1);
	}
	KUNIT_EXPECT_EQ(test, off, c->len);
}

/* A commit of more than was wanted is refused and changes nothing. */
static void mrm_proto_reader_overcommit_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	void *dst;

	KUNIT_EXPECT_EQ(test, mrm_proto_reader_commit(&c->r,
						      MRM_PROTO_HDR_SIZE + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_want(&c->r, &dst),
			(size_t)MRM_PROTO_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, c->stream, 0),
			(size_t)0);
	feed_all(test, c, c->stream, c->len, "after overcommit", 0);
	KUNIT_EXPECT_EQ(test, c->got, (unsigned int)NR_MSGS);
}

/* The stream ending inside a message is -ENODATA, at every point. */
static void mrm_proto_reader_truncated_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	size_t first = MRM_PROTO_HDR_SIZE + sizeof(struct mrm_msg_hello);
	size_t cut;

	for (cut = 0; cut <= first + 5; cut++) {
		ctx_restart(c);
		feed_all(test, c, c->stream, cut, "truncated", cut);
		KUNIT_EXPECT_EQ_MSG(test, mrm_proto_reader_eof(&c->r),
				    cut == 0 || cut == first ? 0 : -ENODATA,
				    "cut %zu", cut);
	}
}

/* Check that the reader is stuck on @err for good. */
static void expect_sticky(struct kunit *test, struct reader_ctx *c, int err)
{
	struct mrm_msg msg;
	void *dst;

	KUNIT_EXPECT_EQ(test, mrm_proto_reader_next(&c->r, &msg), err);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_want(&c->r, &dst), (size_t)0);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, c->stream, c->len),
			(size_t)0);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_commit(&c->r, 0), err);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_next(&c->r, &msg), err);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_eof(&c->r), err);
}

/* Garbage is refused as soon as a whole header is in, not before. */
static void mrm_proto_reader_garbage_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	u8 junk[MRM_PROTO_HDR_SIZE];
	struct mrm_msg msg;

	memset(junk, 'A', sizeof(junk));
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, junk, 15),
			(size_t)15);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_next(&c->r, &msg), 0);
	KUNIT_EXPECT_NULL(test, mrm_proto_reader_hdr(&c->r));
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, junk, 16),
			(size_t)1);
	expect_sticky(test, c, -EILSEQ);
	/* No valid header: an ERROR refers to the last good message. */
	KUNIT_EXPECT_NULL(test, mrm_proto_reader_hdr(&c->r));
}

/* An oversized length is refused before any payload byte is read. */
static void mrm_proto_reader_oversized_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	u8 hdr[MRM_PROTO_HDR_SIZE];

	memcpy(hdr, c->stream, sizeof(hdr));
	hdr[8] = 0xff;		/* HELLO of 255 bytes */
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, hdr, sizeof(hdr)),
			sizeof(hdr));
	expect_sticky(test, c, -EMSGSIZE);

	mrm_proto_reader_init(&c->r);
	hdr[8] = 0xff;
	hdr[11] = 0xff;		/* about 4 GiB */
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, hdr, sizeof(hdr)),
			sizeof(hdr));
	expect_sticky(test, c, -EMSGSIZE);
}

/* A bad payload is refused when the message completes, then sticks. */
static void mrm_proto_reader_bad_payload_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	size_t hello = MRM_PROTO_HDR_SIZE + sizeof(struct mrm_msg_hello);
	struct mrm_msg msg;

	memset(c->stream + hello - 8, 0, 8);	/* boot id 0 */
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, c->stream, c->len),
			hello);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_next(&c->r, &msg), -EBADMSG);
	expect_sticky(test, c, -EBADMSG);
	/* The header was valid: an ERROR refers to this message's seq. */
	KUNIT_ASSERT_NOT_NULL(test, mrm_proto_reader_hdr(&c->r));
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_hdr(&c->r)->type, MRM_MSG_HELLO);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_hdr(&c->r)->seq,
			le32_to_cpu(((struct mrm_msg_hdr *)c->stream)->seq));
}

/* The largest message fits; the reader never holds more than one. */
static void mrm_proto_reader_max_test(struct kunit *test)
{
	struct reader_ctx *c = ctx_new(test);
	struct mrm_msg msg = {
		.hdr.version = MRM_PROTO_VERSION_1,
		.hdr.type = MRM_MSG_DEFLATE,
	};
	__le64 *frames = kunit_kcalloc(test, MRM_PROTO_MAX_FRAMES,
				       sizeof(*frames), GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, 2 * MRM_PROTO_MAX_MSG, GFP_KERNEL);
	struct mrm_frame f;
	unsigned int i;
	int len;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, frames);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	for (i = 0; i < MRM_PROTO_MAX_FRAMES; i++)
		mrm_proto_frame_pack((u64)i << 9, MRM_FRAME_ORDER_2M, &frames[i]);
	msg.frames.nr = MRM_PROTO_MAX_FRAMES;
	msg.frames.reason = MRM_DEFLATE_OOM;
	msg.frames.raw = frames;
	len = mrm_proto_encode(buf, 2 * MRM_PROTO_MAX_MSG, &msg);
	KUNIT_ASSERT_EQ(test, len, (int)MRM_PROTO_MAX_MSG);
	memcpy(buf + len, buf, len);	/* two of them back to back */

	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, buf, 2 * len),
			(size_t)len);
	KUNIT_ASSERT_EQ(test, mrm_proto_reader_next(&c->r, &msg), 1);
	KUNIT_EXPECT_EQ(test, msg.frames.nr, MRM_PROTO_MAX_FRAMES);
	KUNIT_EXPECT_EQ(test, msg.frames.reason, MRM_DEFLATE_OOM);
	KUNIT_ASSERT_EQ(test, mrm_proto_frame_at(&msg.frames, 511, &f), 0);
	KUNIT_EXPECT_EQ(test, f.gfn, 511ULL << 9);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_feed(&c->r, buf + len, len),
			(size_t)len);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_next(&c->r, &msg), 1);
	KUNIT_EXPECT_EQ(test, mrm_proto_reader_eof(&c->r), 0);
}

static struct kunit_case mrm_proto_reader_cases[] = {
	KUNIT_CASE(mrm_proto_reader_split_test),
	KUNIT_CASE(mrm_proto_reader_chunks_test),
	KUNIT_CASE(mrm_proto_reader_want_commit_test),
	KUNIT_CASE(mrm_proto_reader_overcommit_test),
	KUNIT_CASE(mrm_proto_reader_truncated_test),
	KUNIT_CASE(mrm_proto_reader_garbage_test),
	KUNIT_CASE(mrm_proto_reader_oversized_test),
	KUNIT_CASE(mrm_proto_reader_bad_payload_test),
	KUNIT_CASE(mrm_proto_reader_max_test),
	{}
};

static struct kunit_suite mrm_proto_reader_suite = {
	.name = "mrm_proto_reader",
	.test_cases = mrm_proto_reader_cases,
};

kunit_test_suite(mrm_proto_reader_suite);
