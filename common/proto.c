// SPDX-License-Identifier: GPL-2.0
/*
 * mrm wire protocol: message format.
 *
 * Decoding turns bytes that nobody vouches for into host-endian structs;
 * encoding does the reverse for a caller's structs.  Both apply the same
 * validation (one function per message type below), so whatever encodes
 * decodes to the same value, and whatever decodes re-encodes to the same
 * bytes (STATS excepted: entry order and unknown tags are not kept).  The
 * parser checks format only: that a frame is RAM of the VM, that a target
 * is sensible, that statistics are plausible, is for the modules to judge.
 */
#include <mrm/proto.h>

/* The wire layout is ABI: pin every size and offset the spec gives. */
static_assert(sizeof(struct mrm_msg_hdr) == MRM_PROTO_HDR_SIZE);
static_assert(offsetof(struct mrm_msg_hdr, version) == 4);
static_assert(offsetof(struct mrm_msg_hdr, type) == 6);
static_assert(offsetof(struct mrm_msg_hdr, length) == 8);
static_assert(offsetof(struct mrm_msg_hdr, seq) == 12);
static_assert(sizeof(struct mrm_msg_hello) == 40);
static_assert(offsetof(struct mrm_msg_hello, caps) == 8);
static_assert(offsetof(struct mrm_msg_hello, ram_pages) == 16);
static_assert(offsetof(struct mrm_msg_hello, boot_id) == 32);
static_assert(sizeof(struct mrm_msg_welcome) == 24);
static_assert(offsetof(struct mrm_msg_welcome, target_pages) == 8);
static_assert(offsetof(struct mrm_msg_welcome, stats_period_ms) == 16);
static_assert(sizeof(struct mrm_msg_set_target) == 8);
static_assert(sizeof(struct mrm_msg_inflate) == 8);
static_assert(offsetof(struct mrm_msg_inflate, frames) == 8);
static_assert(sizeof(struct mrm_msg_deflate) == 8);
static_assert(offsetof(struct mrm_msg_deflate, frames) == 8);
static_assert(sizeof(struct mrm_msg_ack) == 8);
static_assert(sizeof(struct mrm_stat) == 16);
static_assert(offsetof(struct mrm_stat, value) == 8);
static_assert(sizeof(struct mrm_msg_stats) == 8);
static_assert(offsetof(struct mrm_msg_stats, stats) == 8);
static_assert(sizeof(struct mrm_msg_error) == 8);
static_assert(sizeof(struct mrm_msg_goodbye) == 8);
static_assert(MRM_PROTO_MAX_PAYLOAD == 4104);
static_assert(MRM_PROTO_MAX_MSG == 4120);
static_assert(MRM_MSG_STATS_LEN(MRM_PROTO_MAX_STATS) <= MRM_PROTO_MAX_PAYLOAD);
static_assert(MRM_STAT_NR <= 64);
static_assert(MRM_PROTO_MAX_FRAMES <= U16_MAX);
static_assert(MRM_FRAME_ORDER_2M <= MRM_FRAME_ORDER_MASK);
static_assert((MRM_FRAME_ORDER_MASK | MRM_FRAME_RESERVED_MASK) ==
	      (1ULL << MRM_FRAME_GFN_SHIFT) - 1);

/**
 * struct mrm_type_info - what the format allows for one message type
 * @name: for log messages
 * @min_len: smallest payload
 * @max_len: largest payload
 * @step: size of one list entry for variable payloads (0: fixed size)
 * @from: the sides that send it (enum mrm_proto_side values are bits)
 */
struct mrm_type_info {
	const char *name;
	u32 min_len;
	u32 max_len;
	u32 step;
	u32 from;
};

static const struct mrm_type_info mrm_types[MRM_MSG_TYPE_MAX + 1] = {
	[MRM_MSG_HELLO] = {
		.name = "HELLO",
		.min_len = sizeof(struct mrm_msg_hello),
		.max_len = sizeof(struct mrm_msg_hello),
		.from = MRM_PROTO_GUEST,
	},
	[MRM_MSG_WELCOME] = {
		.name = "WELCOME",
		.min_len = sizeof(struct mrm_msg_welcome),
		.max_len = sizeof(struct mrm_msg_welcome),
		.from = MRM_PROTO_HOST,
	},
	[MRM_MSG_SET_TARGET] = {
		.name = "SET_TARGET",
		.min_len = sizeof(struct mrm_msg_set_target),
		.max_len = sizeof(struct mrm_msg_set_target),
		.from = MRM_PROTO_HOST,
	},
	[MRM_MSG_INFLATE] = {
		.name = "INFLATE",
		.min_len = MRM_MSG_FRAMES_LEN(1),
		.max_len = MRM_MSG_FRAMES_LEN(MRM_PROTO_MAX_FRAMES),
		.step = sizeof(__le64),
		.from = MRM_PROTO_GUEST,
	},
	[MRM_MSG_DEFLATE] = {
		.name = "DEFLATE",
		.min_len = MRM_MSG_FRAMES_LEN(1),
		.max_len = MRM_MSG_FRAMES_LEN(MRM_PROTO_MAX_FRAMES),
		.step = sizeof(__le64),
		.from = MRM_PROTO_GUEST,
	},
	[MRM_MSG_ACK] = {
		.name = "ACK",
		.min_len = sizeof(struct mrm_msg_ack),
		.max_len = sizeof(struct mrm_msg_ack),
		.from = MRM_PROTO_HOST,
	},
	[MRM_MSG_STATS] = {
		.name = "STATS",
		.min_len = MRM_MSG_STATS_LEN(0),
		.max_len = MRM_MSG_STATS_LEN(MRM_PROTO_MAX_STATS),
		.step = sizeof(struct mrm_stat),
		.from = MRM_PROTO_GUEST,
	},
	[MRM_MSG_STATS_REQUEST] = {
		.name = "STATS_REQUEST",
		.min_len = 0,
		.max_len = 0,
		.from = MRM_PROTO_HOST,
	},
	[MRM_MSG_ERROR] = {
		.name = "ERROR",
		.min_len = sizeof(struct mrm_msg_error),
		.max_len = sizeof(struct mrm_msg_error),
		.from = MRM_PROTO_GUEST | MRM_PROTO_HOST,
	},
	[MRM_MSG_GOODBYE] = {
		.name = "GOODBYE",
		.min_len = sizeof(struct mrm_msg_goodbye),
		.max_len = sizeof(struct mrm_msg_goodbye),
		.from = MRM_PROTO_GUEST | MRM_PROTO_HOST,
	},
};

static const struct mrm_type_info *mrm_type(unsigned int type)
{
	if (type == 0 || type > MRM_MSG_TYPE_MAX)
		return NULL;
	return &mrm_types[type];
}

/**
 * mrm_proto_type_sent_by() - whether a message type travels from a side
 * @type: MRM_MSG_* (any value)
 * @side: the sender
 *
 * Return: true if @side may ever send @type; false for unknown types.
 */
bool mrm_proto_type_sent_by(unsigned int type, enum mrm_proto_side side)
{
	const struct mrm_type_info *ti = mrm_type(type);

	if (!ti || (side != MRM_PROTO_GUEST && side != MRM_PROTO_HOST))
		return false;
	return ti->from & side;
}

/**
 * mrm_proto_type_name() - printable name of a message type
 * @type: MRM_MSG_* (any value)
 *
 * Return: a static string; "UNKNOWN" for a type this side does not know,
 * so a peer's value is never printed unbounded.
 */
const char *mrm_proto_type_name(unsigned int type)
{
	const struct mrm_type_info *ti = mrm_type(type);

	return ti ? ti->name : "UNKNOWN";
}

/**
 * mrm_proto_err_code() - the ERROR code that reports an errno
 * @err: a negative errno returned by this library, or by the caller's own
 *	checks (-ENOMEM, -ETIMEDOUT, -EACCES...)
 *
 * Return: the MRM_ERR_* code to put in an ERROR message.
 */
u16 mrm_proto_err_code(int err)
{
	switch (err) {
	case -EILSEQ:
	case -ENOMSG:
	case -EBADMSG:
	case -ENODATA:
		return MRM_ERR_MALFORMED;
	case -EPROTONOSUPPORT:
		return MRM_ERR_VERSION;
	case -EPROTO:
		return MRM_ERR_UNEXPECTED;
	case -EMSGSIZE:
		return MRM_ERR_TOO_LONG;
	case -EACCES:
	case -EPERM:
		return MRM_ERR_REFUSED;
	case -EBUSY:
		return MRM_ERR_RATE;
	case -ENOMEM:
	case -ENOBUFS:
		return MRM_ERR_RESOURCE;
	case -ETIMEDOUT:
		return MRM_ERR_TIMEOUT;
	default:
		return MRM_ERR_INTERNAL;
	}
}

/* --- Frames ---------------------------------------------------------------- */

static bool mrm_frame_valid(u64 gfn, unsigned int order)
{
	if (order != MRM_FRAME_ORDER_4K && order != MRM_FRAME_ORDER_2M)
		return false;
	if (gfn > MRM_FRAME_GFN_MAX)
		return false;
	return (gfn & ((1ULL << order) - 1)) == 0;
}

/**
 * mrm_proto_frame_pack() - pack a frame for INFLATE or DEFLATE
 * @gfn: guest frame number in 4 KiB units, a multiple of 2^@order, at most
 *	MRM_FRAME_GFN_MAX
 * @order: MRM_FRAME_ORDER_4K or MRM_FRAME_ORDER_2M
 * @out: where the packed frame is stored on success
 *
 * Return: 0, or -EINVAL if the frame cannot be expressed (@out untouched).
 */
int mrm_proto_frame_pack(u64 gfn, unsigned int order, __le64 *out)
{
	if (!mrm_frame_valid(gfn, order))
		return -EINVAL;
	*out = cpu_to_le64(gfn << MRM_FRAME_GFN_SHIFT | order);
	return 0;
}

/**
 * mrm_proto_frame_unpack() - unpack and validate one packed frame
 * @wire: the frame as it travels
 * @out: where the frame is stored on success
 *
 * Return: 0, or -EBADMSG if reserved bits are set, the order is not 0 or 9,
 * or the frame number is not aligned to its order (@out untouched).
 */
int mrm_proto_frame_unpack(__le64 wire, struct mrm_frame *out)
{
	u64 v = le64_to_cpu(wire);
	u64 gfn = v >> MRM_FRAME_GFN_SHIFT;
	unsigned int order = v & MRM_FRAME_ORDER_MASK;

	if (v & MRM_FRAME_RESERVED_MASK || !mrm_frame_valid(gfn, order))
		return -EBADMSG;
	out->gfn = gfn;
	out->order = order;
	return 0;
}

static __le64 mrm_frame_raw(const struct mrm_frames *frames, unsigned int i)
{
	__le64 wire;

	memcpy(&wire, (const u8 *)frames->raw + (size_t)i * sizeof(wire),
	       sizeof(wire));
	return wire;
}

/**
 * mrm_proto_frame_at() - read one frame of a frame list
 * @frames: a frame list from a decoded INFLATE or DEFLATE
 * @i: index, below @frames->nr
 * @out: where the frame is stored on success
 *
 * Frames of a decoded message were all validated by the decoder, so this
 * only fails on a caller bug.
 *
 * Return: 0; -ERANGE if @i is out of range; -EBADMSG if the entry is not a
 * valid frame (@out untouched on error).
 */
int mrm_proto_frame_at(const struct mrm_frames *frames, unsigned int i,
		       struct mrm_frame *out)
{
	if (i >= frames->nr)
		return -ERANGE;
	return mrm_proto_frame_unpack(mrm_frame_raw(frames, i), out);
}

/* --- Validation of host-endian messages (shared by decode and encode) ------ */

static bool mrm_is_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

static int mrm_hello_check(const struct mrm_hello *h)
{
	if (h->min_version == 0 || h->min_version > h->max_version)
		return -EBADMSG;
	if (!mrm_is_pow2(h->page_size) ||
	    h->page_size < MRM_PROTO_PAGE_SIZE_MIN ||
	    h->page_size > MRM_PROTO_PAGE_SIZE_MAX)
		return -EBADMSG;
	if (h->ram_pages == 0 || h->ram_pages > MRM_PROTO_MAX_PAGES)
		return -EBADMSG;
	if (h->balloon_pages > h->ram_pages)
		return -EBADMSG;
	if (h->boot_id == 0)
		return -EBADMSG;
	return 0;
}

static int mrm_welcome_check(const struct mrm_hdr *hdr,
			     const struct mrm_welcome *w)
{
	if (w->version != hdr->version)
		return -EBADMSG;
	if (w->max_frames == 0 || w->max_frames > MRM_PROTO_MAX_FRAMES)
		return -EBADMSG;
	if (w->target_pages > MRM_PROTO_MAX_PAGES)
		return -EBADMSG;
	if (w->stats_period_ms == 0)
		return 0;
	if (!(w->caps & MRM_CAP_STATS) ||
	    w->stats_period_ms < MRM_PROTO_STATS_PERIOD_MIN_MS ||
	    w->stats_period_ms > MRM_PROTO_STATS_PERIOD_MAX_MS)
		return -EBADMSG;
	return 0;
}

static int mrm_target_check(u64 target_pages)
{
	return target_pages > MRM_PROTO_MAX_PAGES ? -EBADMSG : 0;
}

/* Checks everything but the frames themselves. */
static int mrm_frames_check(u16 type, const struct mrm_frames *f)
{
	if (f->nr == 0)
		return -EBADMSG;
	if (f->nr > MRM_PROTO_MAX_FRAMES)
		return -EMSGSIZE;
	if (type == MRM_MSG_INFLATE)
		return f->reason ? -EBADMSG : 0;
	if (f->reason == 0 || f->reason > MRM_DEFLATE_REASON_MAX)
		return -EBADMSG;
	return 0;
}

static int mrm_frames_check_each(const struct mrm_frames *f)
{
	struct mrm_frame frame;
	unsigned int i;
	int err;

	for (i = 0; i < f->nr; i++) {
		err = mrm_proto_frame_unpack(mrm_frame_raw(f, i), &frame);
		if (err)
			return err;
	}
	return 0;
}

static int mrm_ack_check(const struct mrm_ack *a)
{
	if (a->status > MRM_ACK_STATUS_MAX)
		return -EBADMSG;
	if (a->accepted > MRM_PROTO_MAX_FRAMES)
		return -EBADMSG;
	/* An INFLATE has at least one frame, so OK accepts at least one. */
	if (a->status == MRM_ACK_OK && a->accepted == 0)
		return -EBADMSG;
	if (a->status == MRM_ACK_CLOSING && a->accepted != 0)
		return -EBADMSG;
	return 0;
}

static int mrm_stat_check(unsigned int tag, u64 value)
{
	if ((tag == MRM_STAT_PSI_SOME_AVG10 || tag == MRM_STAT_PSI_FULL_AVG10) &&
	    value > MRM_STAT_PSI_AVG_MAX)
		return -EBADMSG;
	return 0;
}

static int mrm_stats_check(const struct mrm_stats *st)
{
	unsigned int tag;
	int err;

	/* Tag 0 and unknown tags cannot be encoded. */
	if (st->present & ~(((1ULL << MRM_STAT_NR) - 1) & ~1ULL))
		return -EBADMSG;
	for (tag = 1; tag <= MRM_STAT_TAG_MAX; tag++) {
		if (!(st->present & (1ULL << tag)))
			continue;
		err = mrm_stat_check(tag, st->val[tag]);
		if (err)
			return err;
	}
	return 0;
}

/* --- Header --------------------------------------------------------------- */

/**
 * mrm_proto_decode_hdr() - decode and validate a message header
 * @buf: MRM_PROTO_HDR_SIZE bytes, any alignment
 * @hdr: where the header is stored on success
 *
 * Checks the magic, that the version is one this side can parse
 * (MRM_PROTO_VERSION_MIN..MRM_PROTO_VERSION_MAX; whether it is the
 * negotiated one is mrm_proto_sess_rx()'s business), that the type is
 * known, and that the length is within the type's bounds: exact for fixed
 * payloads, a whole number of entries within [min, max] for lists.  The
 * sequence number is not checked here.
 *
 * Return: 0; -EILSEQ, -EPROTONOSUPPORT, -ENOMSG, -EMSGSIZE (longer than
 * the type allows) or -EBADMSG (shorter, or not a whole number of entries).
 * @hdr is untouched on error.
 */
int mrm_proto_decode_hdr(const void *buf, struct mrm_hdr *hdr)
{
	const struct mrm_type_info *ti;
	struct mrm_msg_hdr w;
	u16 version, type;
	u32 len;

	memcpy(&w, buf, sizeof(w));
	if (le32_to_cpu(w.magic) != MRM_PROTO_MAGIC)
		return -EILSEQ;
	version = le16_to_cpu(w.version);
	if (version < MRM_PROTO_VERSION_MIN || version > MRM_PROTO_VERSION_MAX)
		return -EPROTONOSUPPORT;
	type = le16_to_cpu(w.type);
	ti = mrm_type(type);
	if (!ti)
		return -ENOMSG;
	len = le32_to_cpu(w.length);
	if (len > ti->max_len)
		return -EMSGSIZE;
	if (len < ti->min_len)
		return -EBADMSG;
	if (ti->step && (len - ti->min_len) % ti->step)
		return -EBADMSG;

	hdr->version = version;
	hdr->type = type;
	hdr->len = len;
	hdr->seq = le32_to_cpu(w.seq);
	return 0;
}

/* --- Payload decoders: wire bytes -> host struct, reserved fields zero ---- */

static int mrm_decode_hello(const void *p, struct mrm_msg *msg)
{
	struct mrm_msg_hello w;
	struct mrm_hello h;
	int err;

	memcpy(&w, p, sizeof(w));
	if (w.reserved)
		return -EBADMSG;
	h.min_version = le16_to_cpu(w.min_version);
	h.max_version = le16_to_cpu(w.max_version);
	h.page_size = le32_to_cpu(w.page_size);
	h.caps = le32_to_cpu(w.caps);
	h.ram_pages = le64_to_cpu(w.ram_pages);
	h.balloon_pages = le64_to_cpu(w.balloon_pages);
	h.boot_id = le64_to_cpu(w.boot_id);
	err = mrm_hello_check(&h);
	if (err)
		return err;
	msg->hello = h;
	return 0;
}

static int mrm_decode_welcome(const struct mrm_hdr *hdr, const void *p,
			      struct mrm_msg *msg)
{
	struct mrm_msg_welcome w;
	struct mrm_welcome h;
	int err;

	memcpy(&w, p, sizeof(w));
	if (w.reserved)
		return -EBADMSG;
	h.version = le16_to_cpu(w.version);
	h.max_frames = le16_to_cpu(w.max_frames);
	h.caps = le32_to_cpu(w.caps);
	h.target_pages = le64_to_cpu(w.target_pages);
	h.stats_period_ms = le32_to_cpu(w.stats_period_ms);
	err = mrm_welcome_check(hdr, &h);
	if (err)
		return err;
	msg->welcome = h;
	return 0;
}

static int mrm_decode_set_target(const void *p, struct mrm_msg *msg)
{
	struct mrm_msg_set_target w;
	u64 target;
	int err;

	memcpy(&w, p, sizeof(w));
	target = le64_to_cpu(w.target_pages);
	err = mrm_target_check(target);
	if (err)
		return err;
	msg->target_pages = target;
	return 0;
}

/* INFLATE and DEFLATE share one layout; INFLATE's reason is reserved0. */
static int mrm_decode_frames(const struct mrm_hdr *hdr, const void *p,
			     struct mrm_msg *msg)
{
	struct mrm_msg_deflate w;
	struct mrm_frames f;
	int err;

	memcpy(&w, p, sizeof(w));
	if (w.reserved)
		return -EBADMSG;
	f.nr = le16_to_cpu(w.nr_frames);
	f.reason = le16_to_cpu(w.reason);
	f.raw = (const u8 *)p + sizeof(w);
	/* The header fixed the length; the count must agree with it. */
	if (MRM_MSG_FRAMES_LEN(f.nr) != hdr->len)
		return -EBADMSG;
	err = mrm_frames_check(hdr->type, &f);
	if (err)
		return err;
	err = mrm_frames_check_each(&f);
	if (err)
		return err;
	msg->frames = f;
	return 0;
}

static int mrm_decode_ack(const void *p, struct mrm_msg *msg)
{
	struct mrm_msg_ack w;
	struct mrm_ack a;
	int err;

	memcpy(&w, p, sizeof(w));
	a.inflate_seq = le32_to_cpu(w.inflate_seq);
	a.accepted = le16_to_cpu(w.accepted);
	a.status = le16_to_cpu(w.status);
	err = mrm_ack_check(&a);
	if (err)
		return err;
	msg->ack = a;
	return 0;
}

static int mrm_decode_stats(const struct mrm_hdr *hdr, const void *p,
			    struct mrm_msg *msg)
{
	const u8 *entries = (const u8 *)p + sizeof(struct mrm_msg_stats);
	struct mrm_msg_stats w;
	struct mrm_stats st;
	unsigned int i, nr;
	int err;

	memcpy(&w, p, sizeof(w));
	if (w.reserved0 || w.reserved1)
		return -EBADMSG;
	nr = le16_to_cpu(w.nr_stats);
	if (MRM_MSG_STATS_LEN(nr) != hdr->len)
		return -EBADMSG;

	st.present = 0;
	st.skipped = 0;
	memset(st.val, 0, sizeof(st.val));
	for (i = 0; i < nr; i++) {
		struct mrm_stat e;
		unsigned int tag;
		u64 value;

		memcpy(&e, entries + (size_t)i * sizeof(e), sizeof(e));
		if (e.reserved0 || e.reserved1)
			return -EBADMSG;
		tag = le16_to_cpu(e.tag);
		value = le64_to_cpu(e.value);
		if (tag == 0)
			return -EBADMSG;
		if (tag > MRM_STAT_TAG_MAX) {
			st.skipped++;
			continue;
		}
		if (st.present & (1ULL << tag))
			return -EBADMSG;
		err = mrm_stat_check(tag, value);
		if (err)
			return err;
		st.present |= 1ULL << tag;
		st.val[tag] = value;
	}
	msg->stats = st;
	return 0;
}

static int mrm_decode_error(const void *p, struct mrm_msg *msg)
{
	struct mrm_msg_error w;

	memcpy(&w, p, sizeof(w));
	if (w.reserved || !w.code)
		return -EBADMSG;
	msg->error.code = le16_to_cpu(w.code);
	msg->error.ref_seq = le32_to_cpu(w.ref_seq);
	return 0;
}

static int mrm_decode_goodbye(const void *p, struct mrm_msg *msg)
{
	struct mrm_msg_goodbye w;

	memcpy(&w, p, sizeof(w));
	if (w.reserved0 || w.reserved1 || !w.reason)
		return -EBADMSG;
	msg->goodbye.reason = le16_to_cpu(w.reason);
	return 0;
}

/**
 * mrm_proto_decode_payload() - decode and validate a message's payload
 * @hdr: its header, as returned by mrm_proto_decode_hdr()
 * @payload: @hdr->len bytes, any alignment; must stay valid while @msg's
 *	frame list is used
 * @msg: where the message is stored on success (@msg->hdr = *@hdr)
 *
 * Checks every field of the type: reserved fields and bits zero, counts
 * consistent with the length, enumerations known, frames well formed
 * (order 0 or 9, aligned), ranges the spec gives.  Unknown statistic tags
 * are skipped and counted; an unknown ERROR code or GOODBYE reason is
 * accepted.
 *
 * Return: 0; -ENOMSG for a header that was not decoded (unknown type);
 * -EBADMSG for a malformed payload.  @msg is untouched on error.
 */
int mrm_proto_decode_payload(const struct mrm_hdr *hdr, const void *payload,
			     struct mrm_msg *msg)
{
	int err;

	switch (hdr->type) {
	case MRM_MSG_HELLO:
		err = mrm_decode_hello(payload, msg);
		break;
	case MRM_MSG_WELCOME:
		err = mrm_decode_welcome(hdr, payload, msg);
		break;
	case MRM_MSG_SET_TARGET:
		err = mrm_decode_set_target(payload, msg);
		break;
	case MRM_MSG_INFLATE:
	case MRM_MSG_DEFLATE:
		err = mrm_decode_frames(hdr, payload, msg);
		break;
	case MRM_MSG_ACK:
		err = mrm_decode_ack(payload, msg);
		break;
	case MRM_MSG_STATS:
		err = mrm_decode_stats(hdr, payload, msg);
		break;
	case MRM_MSG_STATS_REQUEST:
		err = 0;
		break;
	case MRM_MSG_ERROR:
		err = mrm_decode_error(payload, msg);
		break;
	case MRM_MSG_GOODBYE:
		err = mrm_decode_goodbye(payload, msg);
		break;
	default:
		return -ENOMSG;
	}
	if (err)
		return err;
	msg->hdr = *hdr;
	return 0;
}

/**
 * mrm_proto_decode() - decode and validate one complete message
 * @buf: the message, header first, any alignment
 * @len: bytes in @buf; must be exactly one message
 * @msg: where the message is stored on success; its frame list points into
 *	@buf
 *
 * Return: 0; the errors of mrm_proto_decode_hdr() and
 * mrm_proto_decode_payload(); -ENODATA if @buf ends before the message
 * does; -EBADMSG if bytes follow it.  @msg is untouched on error.
 */
int mrm_proto_decode(const void *buf, size_t len, struct mrm_msg *msg)
{
	struct mrm_hdr hdr;
	int err;

	if (len < MRM_PROTO_HDR_SIZE)
		return -ENODATA;
	err = mrm_proto_decode_hdr(buf, &hdr);
	if (err)
		return err;
	if (len - MRM_PROTO_HDR_SIZE < hdr.len)
		return -ENODATA;
	if (len - MRM_PROTO_HDR_SIZE > hdr.len)
		return -EBADMSG;
	return mrm_proto_decode_payload(&hdr, (const u8 *)buf +
					MRM_PROTO_HDR_SIZE, msg);
}

/* --- Encoders: host struct -> wire bytes, after the same checks ----------- */

static void mrm_encode_hello(const struct mrm_msg *msg, void *p)
{
	const struct mrm_hello *h = &msg->hello;
	struct mrm_msg_hello w = {
		.min_version = cpu_to_le16(h->min_version),
		.max_version = cpu_to_le16(h->max_version),
		.page_size = cpu_to_le32(h->page_size),
		.caps = cpu_to_le32(h->caps),
		.ram_pages = cpu_to_le64(h->ram_pages),
		.balloon_pages = cpu_to_le64(h->balloon_pages),
		.boot_id = cpu_to_le64(h->boot_id),
	};

	memcpy(p, &w, sizeof(w));
}

static void mrm_encode_welcome(const struct mrm_msg *msg, void *p)
{
	const struct mrm_welcome *h = &msg->welcome;
	struct mrm_msg_welcome w = {
		.version = cpu_to_le16(h->version),
		.max_frames = cpu_to_le16(h->max_frames),
		.caps = cpu_to_le32(h->caps),
		.target_pages = cpu_to_le64(h->target_pages),
		.stats_period_ms = cpu_to_le32(h->stats_period_ms),
	};

	memcpy(p, &w, sizeof(w));
}

static void mrm_encode_set_target(const struct mrm_msg *msg, void *p)
{
	struct mrm_msg_set_target w = {
		.target_pages = cpu_to_le64(msg->target_pages),
	};

	memcpy(p, &w, sizeof(w));
}

static void mrm_encode_frames(const struct mrm_msg *msg, void *p)
{
	const struct mrm_frames *f = &msg->frames;
	struct mrm_msg_deflate w = {
		.nr_frames = cpu_to_le16(f->nr),
		.reason = cpu_to_le16(f->reason),
	};

	/* Frames first: @f->raw may overlap where the fixed part goes. */
	memmove((u8 *)p + sizeof(w), f->raw, (size_t)f->nr * sizeof(__le64));
	memcpy(p, &w, sizeof(w));
}

static void mrm_encode_ack(const struct mrm_msg *msg, void *p)
{
	struct mrm_msg_ack w = {
		.inflate_seq = cpu_to_le32(msg->ack.inflate_seq),
		.accepted = cpu_to_le16(msg->ack.accepted),
		.status = cpu_to_le16(msg->ack.status),
	};

	memcpy(p, &w, sizeof(w));
}

static unsigned int mrm_stats_count(const struct mrm_stats *st)
{
	unsigned int tag, nr = 0;

	for (tag = 1; tag <= MRM_STAT_TAG_MAX; tag++)
		if (st->present & (1ULL << tag))
			nr++;
	return nr;
}

static void mrm_encode_stats(const struct mrm_msg *msg, void *p)
{
	const struct mrm_stats *st = &msg->stats;
	u8 *entries = (u8 *)p + sizeof(struct mrm_msg_stats);
	unsigned int tag, nr = 0;
	struct mrm_msg_stats w = {
		.nr_stats = cpu_to_le16(mrm_stats_count(st)),
	};

	memcpy(p, &w, sizeof(w));
	for (tag = 1; tag <= MRM_STAT_TAG_MAX; tag++) {
		struct mrm_stat e = {
			.tag = cpu_to_le16(tag),
			.value = cpu_to_le64(st->val[tag]),
		};

		if (!(st->present & (1ULL << tag)))
			continue;
		memcpy(entries + (size_t)nr * sizeof(e), &e, sizeof(e));
		nr++;
	}
}

static void mrm_encode_error(const struct mrm_msg *msg, void *p)
{
	struct mrm_msg_error w = {
		.code = cpu_to_le16(msg->error.code),
		.ref_seq = cpu_to_le32(msg->error.ref_seq),
	};

	memcpy(p, &w, sizeof(w));
}

static void mrm_encode_goodbye(const struct mrm_msg *msg, void *p)
{
	struct mrm_msg_goodbye w = {
		.reason = cpu_to_le16(msg->goodbye.reason),
	};

	memcpy(p, &w, sizeof(w));
}

/* Validate @msg for encoding; on success *len is its payload length. */
static int mrm_encode_check(const struct mrm_msg *msg, u32 *len)
{
	const struct mrm_hdr *hdr = &msg->hdr;
	const struct mrm_type_info *ti = mrm_type(hdr->type);
	int err;

	if (!ti)
		return -EINVAL;
	if (hdr->version < MRM_PROTO_VERSION_MIN ||
	    hdr->version > MRM_PROTO_VERSION_MAX)
		return -EINVAL;

	*len = ti->min_len;
	switch (hdr->type) {
	case MRM_MSG_HELLO:
		err = mrm_hello_check(&msg->hello);
		break;
	case MRM_MSG_WELCOME:
		err = mrm_welcome_check(hdr, &msg->welcome);
		break;
	case MRM_MSG_SET_TARGET:
		err = mrm_target_check(msg->target_pages);
		break;
	case MRM_MSG_INFLATE:
	case MRM_MSG_DEFLATE:
		err = mrm_frames_check(hdr->type, &msg->frames);
		if (!err)
			err = mrm_frames_check_each(&msg->frames);
		*len = MRM_MSG_FRAMES_LEN(msg->frames.nr);
		break;
	case MRM_MSG_ACK:
		err = mrm_ack_check(&msg->ack);
		break;
	case MRM_MSG_STATS:
		err = mrm_stats_check(&msg->stats);
		*len = MRM_MSG_STATS_LEN(mrm_stats_count(&msg->stats));
		break;
	case MRM_MSG_ERROR:
		err = msg->error.code ? 0 : -EINVAL;
		break;
	case MRM_MSG_GOODBYE:
		err = msg->goodbye.reason ? 0 : -EINVAL;
		break;
	default:
		err = 0;	/* STATS_REQUEST: nothing to check */
		break;
	}
	return err ? -EINVAL : 0;
}

/**
 * mrm_proto_encode() - encode one message into a caller's buffer
 * @buf: destination, any alignment
 * @size: bytes available at @buf
 * @msg: the message: @msg->hdr.version, .type and .seq, and the member of
 *	the union that .type selects; @msg->hdr.len is ignored
 *
 * The message is validated with the rules the decoder applies, so a
 * message that encodes is one the peer's decoder accepts.  Nothing is
 * written unless the whole message fits.  STATS entries are written in tag
 * order.  @msg->frames.raw may point anywhere, @buf included: the frames
 * are moved before anything else is written (so a guest can pack frames
 * straight into their final place, @buf + MRM_PROTO_HDR_SIZE +
 * sizeof(struct mrm_msg_inflate)).
 *
 * Return: the message length (header included) on success; -EINVAL if @msg
 * is not a valid message; -ENOSPC if it does not fit in @size bytes.
 */
int mrm_proto_encode(void *buf, size_t size, const struct mrm_msg *msg)
{
	u8 *payload = (u8 *)buf + MRM_PROTO_HDR_SIZE;
	struct mrm_msg_hdr w;
	u32 len;
	int err;

	err = mrm_encode_check(msg, &len);
	if (err)
		return err;
	if (size < MRM_PROTO_HDR_SIZE || size - MRM_PROTO_HDR_SIZE < len)
		return -ENOSPC;

	switch (msg->hdr.type) {
	case MRM_MSG_HELLO:
		mrm_encode_hello(msg, payload);
		break;
	case MRM_MSG_WELCOME:
		mrm_encode_welcome(msg, payload);
		break;
	case MRM_MSG_SET_TARGET:
		mrm_encode_set_target(msg, payload);
		break;
	case MRM_MSG_INFLATE:
	case MRM_MSG_DEFLATE:
		mrm_encode_frames(msg, payload);
		break;
	case MRM_MSG_ACK:
		mrm_encode_ack(msg, payload);
		break;
	case MRM_MSG_STATS:
		mrm_encode_stats(msg, payload);
		break;
	case MRM_MSG_ERROR:
		mrm_encode_error(msg, payload);
		break;
	case MRM_MSG_GOODBYE:
		mrm_encode_goodbye(msg, payload);
		break;
	default:
		break;		/* STATS_REQUEST: no payload */
	}

	w.magic = cpu_to_le32(MRM_PROTO_MAGIC);
	w.version = cpu_to_le16(msg->hdr.version);
	w.type = cpu_to_le16(msg->hdr.type);
	w.length = cpu_to_le32(len);
	w.seq = cpu_to_le32(msg->hdr.seq);
	memcpy(buf, &w, sizeof(w));
	return MRM_PROTO_HDR_SIZE + len;
}
