// SPDX-License-Identifier: GPL-2.0
/*
 * mrm wire protocol: incremental stream reader.
 *
 * A stream socket delivers bytes, not messages.  The reader asks for
 * exactly the bytes the current message still needs (first the header,
 * then its payload), so it never holds more than one message, needs no
 * compaction, and can bound the length in the header before a single
 * payload byte is read: a header that fails mrm_proto_decode_hdr() is an
 * error the moment its 16th byte arrives.
 *
 * Errors are sticky: once the stream is out of step it cannot be trusted
 * again, so every later call reports the same error and the connection
 * must be closed.
 *
 * Two ways to drive it:
 *
 *   - zero copy: n = mrm_proto_reader_want(r, &dst); receive up to n bytes
 *     into dst; mrm_proto_reader_commit(r, received);
 *   - from a buffer: used = mrm_proto_reader_feed(r, data, len);
 *
 * and after either, mrm_proto_reader_next(r, &msg) until it returns 0.
 */
#include <mrm/proto.h>

/**
 * mrm_proto_reader_init() - reset a reader for a new connection
 * @r: the reader
 */
void mrm_proto_reader_init(struct mrm_proto_reader *r)
{
	r->fill = 0;
	r->need = MRM_PROTO_HDR_SIZE;
	r->have_hdr = false;
	r->err = 0;
	memset(&r->hdr, 0, sizeof(r->hdr));
}

/**
 * mrm_proto_reader_want() - where to put the next bytes, and how many
 * @r: the reader
 * @dst: set to where the caller should place received bytes
 *
 * Receiving fewer bytes than asked is fine; more is not (they belong to the
 * next message and would be lost).
 *
 * Return: the number of bytes the current message still needs; 0 if a
 * complete message waits for mrm_proto_reader_next() or the reader is in
 * error.  *@dst is only meaningful when the return value is non-zero.
 */
size_t mrm_proto_reader_want(struct mrm_proto_reader *r, void **dst)
{
	if (r->err || r->fill >= r->need)
		return 0;
	*dst = r->buf + r->fill;
	return r->need - r->fill;
}

/**
 * mrm_proto_reader_commit() - account for bytes placed at mrm_proto_reader_want()'s
 *	destination
 * @r: the reader
 * @n: bytes placed; at most what mrm_proto_reader_want() returned
 *
 * When the header completes, it is decoded and validated at once, so an
 * oversized or garbage message is rejected before its payload is read.
 *
 * Return: 0; -EINVAL (and no change) if @n exceeds what was wanted; or the
 * reader's sticky error (see mrm_proto_decode_hdr()).
 */
int mrm_proto_reader_commit(struct mrm_proto_reader *r, size_t n)
{
	int err;

	if (r->err)
		return r->err;
	if (n > r->need - r->fill)
		return -EINVAL;
	r->fill += n;
	if (!r->have_hdr && r->fill == MRM_PROTO_HDR_SIZE) {
		err = mrm_proto_decode_hdr(r->buf, &r->hdr);
		if (err) {
			r->err = err;
			return err;
		}
		r->have_hdr = true;
		r->need = MRM_PROTO_HDR_SIZE + r->hdr.len;
	}
	return 0;
}

/**
 * mrm_proto_reader_feed() - give the reader bytes from a buffer
 * @r: the reader
 * @data: bytes received
 * @len: how many
 *
 * Takes only what the current message still needs; call
 * mrm_proto_reader_next() and feed the rest again.  Every call makes
 * progress: when it takes nothing, mrm_proto_reader_next() returns a
 * message or an error.
 *
 * Return: bytes taken from @data (0 if a message is waiting, or on error).
 */
size_t mrm_proto_reader_feed(struct mrm_proto_reader *r, const void *data,
			     size_t len)
{
	size_t taken = 0;

	while (taken < len) {
		void *dst;
		size_t n = mrm_proto_reader_want(r, &dst);

		if (!n)
			break;
		n = min_t(size_t, n, len - taken);
		memcpy(dst, (const u8 *)data + taken, n);
		taken += n;
		if (mrm_proto_reader_commit(r, n))
			break;
	}
	return taken;
}

/**
 * mrm_proto_reader_next() - take the next complete message
 * @r: the reader
 * @msg: where the message is stored
 *
 * The payload is validated with mrm_proto_decode_payload().  A frame list
 * in @msg points into the reader and stays valid until bytes are next given
 * to it (mrm_proto_reader_commit() or mrm_proto_reader_feed()).
 *
 * Return: 1 with *@msg filled; 0 if the message is not complete yet (@msg
 * untouched); a negative errno, sticky, if the stream is invalid.
 */
int mrm_proto_reader_next(struct mrm_proto_reader *r, struct mrm_msg *msg)
{
	int err;

	if (r->err)
		return r->err;
	if (!r->have_hdr || r->fill < r->need)
		return 0;
	err = mrm_proto_decode_payload(&r->hdr, r->buf + MRM_PROTO_HDR_SIZE,
				       msg);
	if (err) {
		r->err = err;
		return err;
	}
	r->fill = 0;
	r->need = MRM_PROTO_HDR_SIZE;
	r->have_hdr = false;
	return 1;
}

/**
 * mrm_proto_reader_eof() - judge the end of the stream
 * @r: the reader
 *
 * Return: 0 if the stream ended between messages; -ENODATA if it ended
 * inside one (a truncated message, or a complete one not yet taken with
 * mrm_proto_reader_next()); the sticky error if there is one.
 */
int mrm_proto_reader_eof(const struct mrm_proto_reader *r)
{
	if (r->err)
		return r->err;
	return r->fill ? -ENODATA : 0;
}

/**
 * mrm_proto_reader_hdr() - the header of the message being read
 * @r: the reader
 *
 * For an ERROR about a message whose payload failed its checks, which
 * refers to that message's seq.
 *
 * Return: the current message's header once it is complete and valid,
 * else NULL.
 */
const struct mrm_hdr *mrm_proto_reader_hdr(const struct mrm_proto_reader *r)
{
	return r->have_hdr ? &r->hdr : NULL;
}
