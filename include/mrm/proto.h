/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mrm wire protocol as a library: one API that both modules, the KUnit
 * suites and the fuzzer use.  Plain C (see plain.h).
 *
 *   common/proto.c          message format: header and payload decoding,
 *                           encoding, frame packing
 *   common/proto_reader.c   a bounded incremental reader that turns the
 *                           bytes of a stream into validated messages
 *   common/proto_session.c  the per-connection state machine: which
 *                           message is legal when, on either side
 *
 * The wire layout is in include/uapi/linux/mrm_proto.h; the specification is
 * Documentation/protocol.rst.  Nothing here allocates, sleeps or locks: a
 * caller owns each object and serialises its use.
 *
 * Error convention: functions return 0 (or a length) on success and a
 * negative errno on failure; on failure they change nothing the caller can
 * see (outputs and objects untouched), except the reader, whose errors are
 * sticky.  mrm_proto_err_code() maps an errno to the MRM_ERR_* code an
 * ERROR message carries.  Errnos returned for bad input:
 *
 *   -EILSEQ           bad magic (not mrm, or framing lost)
 *   -EPROTONOSUPPORT  version outside what this side speaks or negotiated
 *   -ENOMSG           unknown message type
 *   -EMSGSIZE         length or count over a limit
 *   -EBADMSG          length below a bound, inconsistent, or a field that is
 *                     out of range, unknown, misaligned or reserved-not-zero
 *   -ENODATA          the input ends inside a message (truncated)
 *   -EPROTO           a well-formed message that is not legal now
 */
#ifndef _MRM_PROTO_H
#define _MRM_PROTO_H

#include "plain.h"
#include "../uapi/linux/mrm_proto.h"

/* Size of an array indexed by statistic tag. */
#define MRM_STAT_NR			(MRM_STAT_TAG_MAX + 1)

/**
 * struct mrm_hdr - a decoded message header, host endian
 * @version: protocol version of the message
 * @type: MRM_MSG_*
 * @len: payload length in bytes (excluding the header)
 * @seq: the sender's sequence number
 */
struct mrm_hdr {
	u16 version;
	u16 type;
	u32 len;
	u32 seq;
};

/**
 * struct mrm_hello - HELLO, host endian (see struct mrm_msg_hello)
 * @min_version: oldest version the guest speaks
 * @max_version: newest version the guest speaks
 * @page_size: guest base page size in bytes
 * @caps: offered MRM_CAP_* bits
 * @ram_pages: guest RAM, 4 KiB pages
 * @balloon_pages: pages already in the balloon (same boot id), 4 KiB pages
 * @boot_id: non-zero identity of this balloon instance
 */
struct mrm_hello {
	u16 min_version;
	u16 max_version;
	u32 page_size;
	u32 caps;
	u64 ram_pages;
	u64 balloon_pages;
	u64 boot_id;
};

/**
 * struct mrm_welcome - WELCOME, host endian (see struct mrm_msg_welcome)
 * @version: chosen version (also the message header's version)
 * @max_frames: frames per INFLATE/DEFLATE, 1..MRM_PROTO_MAX_FRAMES
 * @caps: accepted MRM_CAP_* bits
 * @target_pages: balloon target, 4 KiB pages
 * @stats_period_ms: periodic STATS interval, 0 for none
 */
struct mrm_welcome {
	u16 version;
	u16 max_frames;
	u32 caps;
	u64 target_pages;
	u32 stats_period_ms;
};

/**
 * struct mrm_frame - one unpacked frame
 * @gfn: guest frame number in 4 KiB units, a multiple of 2^@order
 * @order: MRM_FRAME_ORDER_4K or MRM_FRAME_ORDER_2M
 */
struct mrm_frame {
	u64 gfn;
	unsigned int order;
};

/**
 * struct mrm_frames - the frame list of an INFLATE or DEFLATE
 * @nr: number of frames, 1..MRM_PROTO_MAX_FRAMES
 * @reason: MRM_DEFLATE_* for a DEFLATE; 0 for an INFLATE
 * @raw: @nr packed little-endian frames (any alignment).  After decoding it
 *	points into the decoded buffer (for the reader: valid until more bytes
 *	are given to it); for encoding the caller points it at frames packed
 *	with mrm_proto_frame_pack().  Read entries with mrm_proto_frame_at().
 */
struct mrm_frames {
	u16 nr;
	u16 reason;
	const void *raw;
};

/**
 * struct mrm_ack - ACK, host endian (see struct mrm_msg_ack)
 * @inflate_seq: seq of the INFLATE acknowledged
 * @accepted: length of the accepted prefix of its frame list
 * @status: MRM_ACK_*
 */
struct mrm_ack {
	u32 inflate_seq;
	u16 accepted;
	u16 status;
};

/**
 * struct mrm_stats - the known statistics of a STATS message
 * @present: bit (1ULL << tag) set for each tag present
 * @skipped: entries with tags this side does not know (decode only;
 *	ignored by encode)
 * @val: value per tag, valid where @present has the tag's bit
 */
struct mrm_stats {
	u64 present;
	u16 skipped;
	u64 val[MRM_STAT_NR];
};

/**
 * struct mrm_error - ERROR, host endian
 * @code: MRM_ERR_* (any non-zero value is accepted on receipt)
 * @ref_seq: seq of the message the error refers to
 */
struct mrm_error {
	u16 code;
	u32 ref_seq;
};

/**
 * struct mrm_goodbye - GOODBYE, host endian
 * @reason: MRM_BYE_* (any non-zero value is accepted on receipt)
 */
struct mrm_goodbye {
	u16 reason;
};

/**
 * struct mrm_msg - one decoded message, or one to encode
 * @hdr: the header; @hdr.type selects the member of the union below.  For
 *	encoding, @hdr.version, @hdr.type and @hdr.seq are used and @hdr.len
 *	is computed.
 * @hello: MRM_MSG_HELLO
 * @welcome: MRM_MSG_WELCOME
 * @target_pages: MRM_MSG_SET_TARGET
 * @frames: MRM_MSG_INFLATE and MRM_MSG_DEFLATE
 * @ack: MRM_MSG_ACK
 * @stats: MRM_MSG_STATS
 * @error: MRM_MSG_ERROR
 * @goodbye: MRM_MSG_GOODBYE
 *
 * MRM_MSG_STATS_REQUEST has no payload.
 */
struct mrm_msg {
	struct mrm_hdr hdr;
	union {
		struct mrm_hello hello;
		struct mrm_welcome welcome;
		u64 target_pages;
		struct mrm_frames frames;
		struct mrm_ack ack;
		struct mrm_stats stats;
		struct mrm_error error;
		struct mrm_goodbye goodbye;
	};
};

/**
 * mrm_stats_set() - record one statistic for encoding
 * @stats: the statistics being filled
 * @tag: a known tag, 1..MRM_STAT_TAG_MAX (others are ignored)
 * @value: its value
 */
static inline void mrm_stats_set(struct mrm_stats *stats, unsigned int tag,
				 u64 value)
{
	if (tag == 0 || tag > MRM_STAT_TAG_MAX)
		return;
	stats->present |= 1ULL << tag;
	stats->val[tag] = value;
}

/* --- Format: common/proto.c ---------------------------------------------- */

/**
 * enum mrm_proto_side - the two ends of a connection (distinct bits)
 * @MRM_PROTO_GUEST: mrm_balloon, which connects
 * @MRM_PROTO_HOST: mrm_host, which accepts
 */
enum mrm_proto_side {
	MRM_PROTO_GUEST = 1,
	MRM_PROTO_HOST = 2,
};

int mrm_proto_decode_hdr(const void *buf, struct mrm_hdr *hdr);
int mrm_proto_decode_payload(const struct mrm_hdr *hdr, const void *payload,
			     struct mrm_msg *msg);
int mrm_proto_decode(const void *buf, size_t len, struct mrm_msg *msg);
int mrm_proto_encode(void *buf, size_t size, const struct mrm_msg *msg);

int mrm_proto_frame_pack(u64 gfn, unsigned int order, __le64 *out);
int mrm_proto_frame_unpack(__le64 wire, struct mrm_frame *out);
int mrm_proto_frame_at(const struct mrm_frames *frames, unsigned int i,
		       struct mrm_frame *out);

bool mrm_proto_type_sent_by(unsigned int type, enum mrm_proto_side side);
const char *mrm_proto_type_name(unsigned int type);
u16 mrm_proto_err_code(int err);

/* --- Stream reader: common/proto_reader.c --------------------------------- */

/**
 * struct mrm_proto_reader - reassembles messages from a byte stream
 * @fill: bytes of the current message received so far
 * @need: bytes the current message needs: the header size until the header
 *	is complete and valid, then header plus payload
 * @have_hdr: the current message's header is complete and valid
 * @err: sticky error, 0 while healthy
 * @hdr: the current message's header, once @have_hdr
 * @buf: the current message, header first
 * @align: aligns @buf to 8 bytes
 *
 * Opaque to callers: use the mrm_proto_reader_*() functions.  About 4 KiB;
 * embed it in a per-connection object rather than on a kernel stack.
 */
struct mrm_proto_reader {
	u32 fill;
	u32 need;
	bool have_hdr;
	int err;
	struct mrm_hdr hdr;
	union {
		u8 buf[MRM_PROTO_MAX_MSG];
		u64 align;
	};
};

void mrm_proto_reader_init(struct mrm_proto_reader *r);
size_t mrm_proto_reader_want(struct mrm_proto_reader *r, void **dst);
int mrm_proto_reader_commit(struct mrm_proto_reader *r, size_t n);
size_t mrm_proto_reader_feed(struct mrm_proto_reader *r, const void *data,
			     size_t len);
int mrm_proto_reader_next(struct mrm_proto_reader *r, struct mrm_msg *msg);
int mrm_proto_reader_eof(const struct mrm_proto_reader *r);
const struct mrm_hdr *mrm_proto_reader_hdr(const struct mrm_proto_reader *r);

/* --- Session state machine: common/proto_session.c ------------------------ */

/**
 * enum mrm_proto_state - where a connection is, seen from one side
 * @MRM_PROTO_ST_START: guest: connected, HELLO not sent yet
 * @MRM_PROTO_ST_AWAIT_HELLO: host: accepted, waiting for HELLO
 * @MRM_PROTO_ST_AWAIT_WELCOME: guest: HELLO sent, waiting for WELCOME
 * @MRM_PROTO_ST_NEGOTIATE: host: HELLO received; must send WELCOME or ERROR
 * @MRM_PROTO_ST_ACTIVE: version agreed; normal operation
 * @MRM_PROTO_ST_CLOSING: a GOODBYE was sent or received; finishing
 * @MRM_PROTO_ST_CLOSED: done (ERROR, or GOODBYEs exchanged and every INFLATE
 *	acknowledged, or EOF); close the socket
 */
enum mrm_proto_state {
	MRM_PROTO_ST_START = 1,
	MRM_PROTO_ST_AWAIT_HELLO,
	MRM_PROTO_ST_AWAIT_WELCOME,
	MRM_PROTO_ST_NEGOTIATE,
	MRM_PROTO_ST_ACTIVE,
	MRM_PROTO_ST_CLOSING,
	MRM_PROTO_ST_CLOSED,
};

/* mrm_proto_sess_rx() verdicts for a legal message. */
#define MRM_PROTO_RX_HANDLE		0	/* act on it */
#define MRM_PROTO_RX_IGNORE		1	/* crossed our GOODBYE: drop it */

/**
 * struct mrm_proto_inflight - an INFLATE sent (guest) or received (host)
 *	and not yet acknowledged
 * @seq: its header seq
 * @nr: its number of frames
 * @closing: host: received after the host sent GOODBYE, so it must be
 *	answered with MRM_ACK_CLOSING
 */
struct mrm_proto_inflight {
	u32 seq;
	u16 nr;
	bool closing;
};

/**
 * struct mrm_proto_sess - protocol state of one connection, one side
 * @side: MRM_PROTO_GUEST or MRM_PROTO_HOST
 * @state: enum mrm_proto_state
 * @bye_sent: this side has sent GOODBYE
 * @bye_rcvd: this side has received GOODBYE
 * @version: negotiated version; 0 until WELCOME
 * @min_version: lowest version offered in HELLO
 * @max_version: highest version offered in HELLO
 * @offered_caps: capabilities offered in HELLO
 * @caps: capabilities accepted in WELCOME
 * @max_frames: frames per INFLATE/DEFLATE agreed in WELCOME
 * @tx_seq: seq of the next message this side sends
 * @rx_seq: seq expected on the next message received
 * @rx_count: messages received and accepted
 * @inflight_head: index in @inflight of the oldest unacknowledged INFLATE
 * @inflight_nr: unacknowledged INFLATEs
 * @inflight: ring of unacknowledged INFLATEs, oldest at @inflight_head
 *
 * Callers may read every field; only mrm_proto_sess_*() write them.
 */
struct mrm_proto_sess {
	enum mrm_proto_side side;
	enum mrm_proto_state state;
	bool bye_sent;
	bool bye_rcvd;
	u16 version;
	u16 min_version;
	u16 max_version;
	u32 offered_caps;
	u32 caps;
	u16 max_frames;
	u32 tx_seq;
	u32 rx_seq;
	u32 rx_count;
	unsigned int inflight_head;
	unsigned int inflight_nr;
	struct mrm_proto_inflight inflight[MRM_PROTO_MAX_INFLIGHT];
};

void mrm_proto_sess_init(struct mrm_proto_sess *s, enum mrm_proto_side side);
int mrm_proto_sess_rx(struct mrm_proto_sess *s, const struct mrm_msg *msg);
int mrm_proto_sess_tx(struct mrm_proto_sess *s, struct mrm_msg *msg,
		      void *buf, size_t size);
int mrm_proto_sess_error(struct mrm_proto_sess *s, int err,
			 const struct mrm_hdr *cause, void *buf, size_t size);
int mrm_proto_sess_eof(struct mrm_proto_sess *s);
int mrm_proto_choose_version(u16 min_version, u16 max_version, u16 *version);

#endif /* _MRM_PROTO_H */
