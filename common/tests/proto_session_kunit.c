// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_proto_session: the per-connection state machine
 * (common/proto_session.c).  A guest and a host session talk through two
 * in-memory queues, one per direction, so messages can cross as they do on
 * a real stream; every verdict of the receive tables is checked, and every
 * refusal is checked to leave the session untouched.
 */
#include <kunit/test.h>

#include <mrm/proto.h>

#include "proto_samples.h"

#define QLEN		16
#define QMSG		256	/* room for any sample message */
#define RX_HANDLE	MRM_PROTO_RX_HANDLE
#define RX_IGNORE	MRM_PROTO_RX_IGNORE

/**
 * struct queue - encoded messages in flight in one direction
 * @data: the messages
 * @len: their lengths
 * @head: index of the oldest
 * @nr: how many
 */
struct queue {
	u8 data[QLEN][QMSG];
	int len[QLEN];
	unsigned int head;
	unsigned int nr;
};

/**
 * struct link - a guest and a host session and the stream between them
 * @g: the guest's session
 * @h: the host's session
 * @to_host: guest -> host messages
 * @to_guest: host -> guest messages
 * @msg: the message last delivered (its frame list points into a queue)
 */
struct link {
	struct mrm_proto_sess g;
	struct mrm_proto_sess h;
	struct queue to_host;
	struct queue to_guest;
	struct mrm_msg msg;
};

static struct link *link_new(struct kunit *test)
{
	struct link *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l);
	mrm_proto_sess_init(&l->g, MRM_PROTO_GUEST);
	mrm_proto_sess_init(&l->h, MRM_PROTO_HOST);
	return l;
}

static struct queue *queue_from(struct link *l, struct mrm_proto_sess *s)
{
	return s == &l->g ? &l->to_host : &l->to_guest;
}

/* Have @s encode @msg into the stream towards its peer. */
static int send(struct kunit *test, struct link *l, struct mrm_proto_sess *s,
		struct mrm_msg *msg)
{
	struct queue *q = queue_from(l, s);
	unsigned int slot = (q->head + q->nr) % QLEN;
	int len;

	KUNIT_ASSERT_LT(test, q->nr, (unsigned int)QLEN);
	len = mrm_proto_sess_tx(s, msg, q->data[slot], QMSG);
	if (len > 0) {
		q->len[slot] = len;
		q->nr++;
	}
	return len;
}

/* Have @s send the sample message of @type; the send must succeed. */
static void send_ok(struct kunit *test, struct link *l,
		    struct mrm_proto_sess *s, u16 type)
{
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	mrm_sample_msg(type, 0, &msg, frames);
	KUNIT_ASSERT_GT_MSG(test, send(test, l, s, &msg), 0, "%s",
			    mrm_proto_type_name(type));
}

/* Have the host ACK its oldest unanswered INFLATE; the send must succeed. */
static void send_ack_ok(struct kunit *test, struct link *l, u16 status,
			u16 accepted)
{
	struct mrm_msg msg = {
		.hdr.type = MRM_MSG_ACK,
		.ack.status = status,
		.ack.accepted = accepted,
	};

	KUNIT_ASSERT_GT(test, l->h.inflight_nr, 0U);
	msg.ack.inflate_seq = l->h.inflight[l->h.inflight_head].seq;
	KUNIT_ASSERT_GT(test, send(test, l, &l->h, &msg), 0);
}

/* Deliver the oldest message in flight to @s; return its verdict. */
static int deliver(struct kunit *test, struct link *l, struct mrm_proto_sess *s)
{
	struct queue *q = s == &l->g ? &l->to_guest : &l->to_host;
	unsigned int slot = q->head;

	KUNIT_ASSERT_GT(test, q->nr, 0U);
	q->head = (q->head + 1) % QLEN;
	q->nr--;
	KUNIT_ASSERT_EQ(test, mrm_proto_decode(q->data[slot], q->len[slot],
					       &l->msg), 0);
	return mrm_proto_sess_rx(s, &l->msg);
}

static void handshake(struct kunit *test, struct link *l)
{
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;
	u16 version;

	send_ok(test, l, &l->g, MRM_MSG_HELLO);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	KUNIT_ASSERT_EQ(test, mrm_proto_choose_version(l->msg.hello.min_version,
						       l->msg.hello.max_version,
						       &version), 0);
	mrm_sample_msg(MRM_MSG_WELCOME, 0, &msg, frames);
	msg.welcome.version = version;
	KUNIT_ASSERT_GT(test, send(test, l, &l->h, &msg), 0);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);
}

/* A message from @s's peer that is well formed for @s right now. */
static void peer_msg(struct mrm_proto_sess *s, u16 type, struct mrm_msg *msg,
		     __le64 *frames)
{
	mrm_sample_msg(type, s->rx_seq, msg, frames);
	msg->hdr.version = s->version ? s->version : MRM_PROTO_VERSION_1;
	if (type == MRM_MSG_ACK && s->inflight_nr) {
		msg->ack.inflate_seq = s->inflight[s->inflight_head].seq;
		msg->ack.accepted = s->inflight[s->inflight_head].nr;
	}
}

/* Expect @s to refuse @msg with @err and to be left exactly as it was. */
static void expect_refused(struct kunit *test, struct mrm_proto_sess *s,
			   const struct mrm_msg *msg, int err, const char *what)
{
	struct mrm_proto_sess before;

	memcpy(&before, s, sizeof(before));
	KUNIT_EXPECT_EQ_MSG(test, mrm_proto_sess_rx(s, msg), err, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(&before, s, sizeof(before)), 0,
			    "%s: session changed", what);
}

/* --- Handshake -------------------------------------------------------------- */

static void mrm_proto_session_handshake_test(struct kunit *test)
{
	struct link *l = link_new(test);

	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_START);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_AWAIT_HELLO);
	send_ok(test, l, &l->g, MRM_MSG_HELLO);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_AWAIT_WELCOME);
	KUNIT_EXPECT_EQ(test, l->to_host.data[0][4], MRM_PROTO_VERSION_HANDSHAKE);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_NEGOTIATE);
	KUNIT_EXPECT_EQ(test, l->h.offered_caps, MRM_CAP_FRAME_2M | MRM_CAP_STATS);

	send_ok(test, l, &l->h, MRM_MSG_WELCOME);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_ACTIVE);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_ACTIVE);
	KUNIT_EXPECT_EQ(test, l->g.version, MRM_PROTO_VERSION_1);
	KUNIT_EXPECT_EQ(test, l->h.version, MRM_PROTO_VERSION_1);
	KUNIT_EXPECT_EQ(test, l->g.max_frames, MRM_PROTO_MAX_FRAMES);
	KUNIT_EXPECT_EQ(test, l->g.caps, l->h.caps);
	KUNIT_EXPECT_EQ(test, l->g.tx_seq, 1U);
	KUNIT_EXPECT_EQ(test, l->g.rx_seq, 1U);
	KUNIT_EXPECT_EQ(test, l->h.tx_seq, 1U);
	KUNIT_EXPECT_EQ(test, l->h.rx_seq, 1U);
}

static void mrm_proto_session_choose_version_test(struct kunit *test)
{
	u16 v = 77;

	KUNIT_EXPECT_EQ(test, mrm_proto_choose_version(1, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, MRM_PROTO_VERSION_1);
	v = 77;
	KUNIT_EXPECT_EQ(test, mrm_proto_choose_version(1, 0xffff, &v), 0);
	KUNIT_EXPECT_EQ(test, v, MRM_PROTO_VERSION_MAX);
	v = 77;
	KUNIT_EXPECT_EQ(test, mrm_proto_choose_version(MRM_PROTO_VERSION_MAX + 1,
						       0xffff, &v),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, mrm_proto_choose_version(0, 0, &v),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, v, 77);
}

/* A guest from the future: the host answers ERROR(VERSION), guest closes. */
static void mrm_proto_session_no_common_version_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg hello;
	u8 buf[MRM_PROTO_HDR_SIZE + 8];
	struct mrm_msg err;
	u16 v;
	int len;

	peer_msg(&l->h, MRM_MSG_HELLO, &hello, frames);
	hello.hello.min_version = MRM_PROTO_VERSION_MAX + 1;
	hello.hello.max_version = MRM_PROTO_VERSION_MAX + 3;
	KUNIT_ASSERT_EQ(test, mrm_proto_sess_rx(&l->h, &hello), RX_HANDLE);
	KUNIT_ASSERT_EQ(test, mrm_proto_choose_version(l->h.min_version,
						       l->h.max_version, &v),
			-EPROTONOSUPPORT);
	len = mrm_proto_sess_error(&l->h, -EPROTONOSUPPORT, &hello.hdr, buf,
				   sizeof(buf));
	KUNIT_ASSERT_EQ(test, len, (int)sizeof(buf));
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSED);
	KUNIT_ASSERT_EQ(test, mrm_proto_decode(buf, len, &err), 0);
	KUNIT_EXPECT_EQ(test, err.hdr.version, MRM_PROTO_VERSION_HANDSHAKE);
	KUNIT_EXPECT_EQ(test, err.error.code, MRM_ERR_VERSION);
	KUNIT_EXPECT_EQ(test, err.error.ref_seq, 0U);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_eof(&l->h), 0);
}

static void mrm_proto_session_hello_welcome_checks_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	/* A guest offers only what it speaks. */
	mrm_sample_msg(MRM_MSG_HELLO, 0, &msg, frames);
	msg.hello.caps |= 1U << 31;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EINVAL);
	mrm_sample_msg(MRM_MSG_HELLO, 0, &msg, frames);
	msg.hello.max_version = MRM_PROTO_VERSION_MAX + 1;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EINVAL);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_START);
	KUNIT_EXPECT_EQ(test, l->g.tx_seq, 0U);

	/* Offer 2M frames only. */
	mrm_sample_msg(MRM_MSG_HELLO, 0, &msg, frames);
	msg.hello.caps = MRM_CAP_FRAME_2M;
	KUNIT_ASSERT_GT(test, send(test, l, &l->g, &msg), 0);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);

	/* The host may not accept what was not offered. */
	mrm_sample_msg(MRM_MSG_WELCOME, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EINVAL);
	msg.welcome.caps = MRM_CAP_FRAME_2M;
	msg.welcome.stats_period_ms = 0;
	msg.welcome.version = MRM_PROTO_VERSION_MAX + 1;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EINVAL);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_NEGOTIATE);

	/* Nor may the guest believe a host that does. */
	peer_msg(&l->g, MRM_MSG_WELCOME, &msg, frames);
	expect_refused(test, &l->g, &msg, -EPROTO, "caps not offered");
	peer_msg(&l->g, MRM_MSG_WELCOME, &msg, frames);
	msg.welcome.caps = MRM_CAP_FRAME_2M;
	msg.welcome.stats_period_ms = 0;
	msg.hdr.version = 2;
	msg.welcome.version = 2;
	expect_refused(test, &l->g, &msg, -EPROTONOSUPPORT,
		       "version not offered");
	msg.welcome.version = 1;
	expect_refused(test, &l->g, &msg, -EPROTONOSUPPORT,
		       "header and WELCOME versions differ");
	msg.hdr.version = 1;
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_rx(&l->g, &msg), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->g.caps, MRM_CAP_FRAME_2M);
}

/* --- What is legal when ------------------------------------------------------ */

enum { ST_START, ST_AWAIT, ST_ACTIVE, ST_OURS, ST_THEIRS, NR_ST };

static const char *const st_names[NR_ST] = {
	"START/AWAIT_HELLO", "AWAIT_WELCOME/NEGOTIATE", "ACTIVE",
	"CLOSING/ours", "CLOSING/theirs",
};

/* Bring @l's guest (@guest) or host into state @st. */
static void setup_state(struct kunit *test, struct link *l, bool guest, int st)
{
	struct mrm_proto_sess *self = guest ? &l->g : &l->h;
	struct mrm_proto_sess *peer = guest ? &l->h : &l->g;

	if (st == ST_START)
		return;
	if (st == ST_AWAIT) {
		send_ok(test, l, &l->g, MRM_MSG_HELLO);
		if (!guest)
			KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
		return;
	}
	handshake(test, l);
	/* One INFLATE unanswered, so an ACK is acceptable. */
	send_ok(test, l, &l->g, MRM_MSG_INFLATE);
	if (!guest)
		KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	if (st == ST_OURS) {
		send_ok(test, l, self, MRM_MSG_GOODBYE);
	} else if (st == ST_THEIRS) {
		send_ok(test, l, peer, MRM_MSG_GOODBYE);
		KUNIT_ASSERT_EQ(test, deliver(test, l, self), RX_HANDLE);
	}
}

#define X (-EPROTO)

static const u16 from_host[] = {
	MRM_MSG_WELCOME, MRM_MSG_SET_TARGET, MRM_MSG_ACK,
	MRM_MSG_STATS_REQUEST, MRM_MSG_GOODBYE, MRM_MSG_ERROR,
};

static const int guest_table[ARRAY_SIZE(from_host)][NR_ST] = {
	/* START  AWAIT      ACTIVE     OURS       THEIRS */
	{ X,         RX_HANDLE, X,         X,         X },	/* WELCOME */
	{ X,         X,         RX_HANDLE, RX_IGNORE, X },	/* SET_TARGET */
	{ X,         X,         RX_HANDLE, RX_HANDLE, RX_HANDLE },	/* ACK */
	{ X,         X,         RX_HANDLE, RX_IGNORE, X },	/* STATS_REQ */
	{ X,         X,         RX_HANDLE, RX_HANDLE, X },	/* GOODBYE */
	{ RX_HANDLE, RX_HANDLE, RX_HANDLE, RX_HANDLE, RX_HANDLE }, /* ERROR */
};

static const u16 from_guest[] = {
	MRM_MSG_HELLO, MRM_MSG_INFLATE, MRM_MSG_DEFLATE, MRM_MSG_STATS,
	MRM_MSG_GOODBYE, MRM_MSG_ERROR,
};

static const int host_table[ARRAY_SIZE(from_guest)][NR_ST] = {
	/* AWAIT_HELLO NEGOTIATE ACTIVE   OURS       THEIRS */
	{ RX_HANDLE, X,         X,         X,         X },	/* HELLO */
	{ X,         X,         RX_HANDLE, RX_HANDLE, X },	/* INFLATE */
	{ X,         X,         RX_HANDLE, RX_HANDLE, X },	/* DEFLATE */
	{ X,         X,         RX_HANDLE, RX_IGNORE, X },	/* STATS */
	{ X,         X,         RX_HANDLE, RX_HANDLE, X },	/* GOODBYE */
	{ RX_HANDLE, RX_HANDLE, RX_HANDLE, RX_HANDLE, RX_HANDLE }, /* ERROR */
};

#undef X

static void check_table(struct kunit *test, bool guest, const u16 *types,
			unsigned int nr_types, const int (*table)[NR_ST])
{
	unsigned int t;
	int st;

	for (st = 0; st < NR_ST; st++) {
		for (t = 0; t < nr_types; t++) {
			struct link *l = link_new(test);
			struct mrm_proto_sess *s = guest ? &l->g : &l->h;
			__le64 frames[MRM_SAMPLE_MAX_FRAMES];
			struct mrm_msg msg;
			int want = table[t][st];

			setup_state(test, l, guest, st);
			peer_msg(s, types[t], &msg, frames);
			if (want < 0) {
				expect_refused(test, s, &msg, want,
					       mrm_proto_type_name(types[t]));
				continue;
			}
			KUNIT_EXPECT_EQ_MSG(test, mrm_proto_sess_rx(s, &msg),
					    want, "%s %s in %s",
					    guest ? "guest" : "host",
					    mrm_proto_type_name(types[t]),
					    st_names[st]);
		}
	}
}

static void mrm_proto_session_guest_table_test(struct kunit *test)
{
	check_table(test, true, from_host, ARRAY_SIZE(from_host), guest_table);
}

static void mrm_proto_session_host_table_test(struct kunit *test)
{
	check_table(test, false, from_guest, ARRAY_SIZE(from_guest), host_table);
}

/* Messages of the wrong direction, either way. */
static void mrm_proto_session_direction_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	handshake(test, l);
	peer_msg(&l->h, MRM_MSG_WELCOME, &msg, frames);
	expect_refused(test, &l->h, &msg, -EPROTO, "host gets WELCOME");
	peer_msg(&l->h, MRM_MSG_ACK, &msg, frames);
	expect_refused(test, &l->h, &msg, -EPROTO, "host gets ACK");
	peer_msg(&l->g, MRM_MSG_INFLATE, &msg, frames);
	expect_refused(test, &l->g, &msg, -EPROTO, "guest gets INFLATE");
	peer_msg(&l->g, MRM_MSG_HELLO, &msg, frames);
	expect_refused(test, &l->g, &msg, -EPROTO, "guest gets HELLO");

	mrm_sample_msg(MRM_MSG_ACK, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EPROTO);
	mrm_sample_msg(MRM_MSG_INFLATE, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EPROTO);
	mrm_sample_msg(MRM_MSG_HELLO, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EPROTO);
	mrm_sample_msg(MRM_MSG_WELCOME, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EPROTO);
}

/* Sequence numbers: exactly the next one, wrapping at 2^32. */
static void mrm_proto_session_seq_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	handshake(test, l);
	peer_msg(&l->h, MRM_MSG_DEFLATE, &msg, frames);
	msg.hdr.seq++;
	expect_refused(test, &l->h, &msg, -EPROTO, "seq skipped");
	msg.hdr.seq -= 2;
	expect_refused(test, &l->h, &msg, -EPROTO, "seq replayed");

	l->g.tx_seq = U32_MAX;
	l->h.rx_seq = U32_MAX;
	send_ok(test, l, &l->g, MRM_MSG_DEFLATE);
	send_ok(test, l, &l->g, MRM_MSG_DEFLATE);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->msg.hdr.seq, U32_MAX);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->msg.hdr.seq, 0U);
}

/* After WELCOME every message but ERROR carries the negotiated version. */
static void mrm_proto_session_hdr_version_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	peer_msg(&l->h, MRM_MSG_HELLO, &msg, frames);
	msg.hdr.version = 2;
	expect_refused(test, &l->h, &msg, -EPROTONOSUPPORT, "HELLO v2");

	handshake(test, l);
	peer_msg(&l->h, MRM_MSG_DEFLATE, &msg, frames);
	msg.hdr.version = 2;
	expect_refused(test, &l->h, &msg, -EPROTONOSUPPORT, "DEFLATE v2");
	peer_msg(&l->g, MRM_MSG_SET_TARGET, &msg, frames);
	msg.hdr.version = 2;
	expect_refused(test, &l->g, &msg, -EPROTONOSUPPORT, "SET_TARGET v2");
	peer_msg(&l->g, MRM_MSG_ERROR, &msg, frames);
	msg.hdr.version = 2;
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_rx(&l->g, &msg), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSED);
}

/* --- INFLATE and ACK ------------------------------------------------------------ */

static void mrm_proto_session_inflight_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;
	unsigned int i;

	handshake(test, l);
	for (i = 0; i < MRM_PROTO_MAX_INFLIGHT; i++)
		send_ok(test, l, &l->g, MRM_MSG_INFLATE);
	mrm_sample_msg(MRM_MSG_INFLATE, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EBUSY);
	KUNIT_EXPECT_EQ(test, l->g.inflight_nr, MRM_PROTO_MAX_INFLIGHT);
	for (i = 0; i < MRM_PROTO_MAX_INFLIGHT; i++)
		KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);

	/* A guest that ignores the limit is refused by the host. */
	peer_msg(&l->h, MRM_MSG_INFLATE, &msg, frames);
	expect_refused(test, &l->h, &msg, -EPROTO, "INFLATE over the limit");

	/* The host must answer the oldest, consistently. */
	mrm_sample_msg(MRM_MSG_ACK, 0, &msg, frames);
	msg.ack.inflate_seq = l->h.inflight[l->h.inflight_head].seq + 1;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EINVAL);
	msg.ack.inflate_seq--;
	msg.ack.accepted = 2;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EINVAL);
	msg.ack.status = MRM_ACK_INVALID;
	msg.ack.accepted = 3;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EINVAL);
	msg.ack.status = MRM_ACK_CLOSING;
	msg.ack.accepted = 0;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EINVAL);
	KUNIT_EXPECT_EQ(test, l->h.inflight_nr, MRM_PROTO_MAX_INFLIGHT);

	/* And the guest checks the same. */
	peer_msg(&l->g, MRM_MSG_ACK, &msg, frames);
	msg.ack.inflate_seq++;
	expect_refused(test, &l->g, &msg, -EPROTO, "ACK of a younger INFLATE");
	peer_msg(&l->g, MRM_MSG_ACK, &msg, frames);
	msg.ack.accepted = 4;
	expect_refused(test, &l->g, &msg, -EPROTO, "ACK of too many frames");
	peer_msg(&l->g, MRM_MSG_ACK, &msg, frames);
	msg.ack.accepted = 1;
	expect_refused(test, &l->g, &msg, -EPROTO, "partial ACK said OK");
	peer_msg(&l->g, MRM_MSG_ACK, &msg, frames);
	msg.ack.status = MRM_ACK_DECLINED;
	expect_refused(test, &l->g, &msg, -EPROTO, "full ACK said DECLINED");
	peer_msg(&l->g, MRM_MSG_ACK, &msg, frames);
	msg.ack.status = MRM_ACK_CLOSING;
	msg.ack.accepted = 0;
	expect_refused(test, &l->g, &msg, -EPROTO, "CLOSING before GOODBYE");

	/* Partial and full ACKs, in order, free the slots. */
	send_ack_ok(test, l, MRM_ACK_INVALID, 1);
	for (i = 1; i < MRM_PROTO_MAX_INFLIGHT; i++)
		send_ack_ok(test, l, MRM_ACK_OK, MRM_SAMPLE_MAX_FRAMES);
	KUNIT_EXPECT_EQ(test, l->h.inflight_nr, 0U);
	mrm_sample_msg(MRM_MSG_ACK, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EPROTO);
	for (i = 0; i < MRM_PROTO_MAX_INFLIGHT; i++)
		KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->g.inflight_nr, 0U);
	peer_msg(&l->g, MRM_MSG_ACK, &msg, frames);
	expect_refused(test, &l->g, &msg, -EPROTO, "ACK with nothing in flight");
	send_ok(test, l, &l->g, MRM_MSG_INFLATE);
}

/* Negotiated limits: frames per message and 2M frames. */
static void mrm_proto_session_frame_limits_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	send_ok(test, l, &l->g, MRM_MSG_HELLO);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	mrm_sample_msg(MRM_MSG_WELCOME, 0, &msg, frames);
	msg.welcome.caps = MRM_CAP_STATS;	/* no 2M frames */
	msg.welcome.max_frames = 2;
	KUNIT_ASSERT_GT(test, send(test, l, &l->h, &msg), 0);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);

	/* Samples carry three frames, one of them 2M. */
	mrm_sample_msg(MRM_MSG_INFLATE, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EINVAL);
	peer_msg(&l->h, MRM_MSG_INFLATE, &msg, frames);
	expect_refused(test, &l->h, &msg, -EMSGSIZE, "3 frames of 2");
	peer_msg(&l->h, MRM_MSG_DEFLATE, &msg, frames);
	expect_refused(test, &l->h, &msg, -EMSGSIZE, "3 frames of 2");

	/* Two frames, one of them 2M: still not without the capability. */
	mrm_sample_msg(MRM_MSG_DEFLATE, 0, &msg, frames);
	msg.frames.nr = 2;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EINVAL);
	peer_msg(&l->h, MRM_MSG_DEFLATE, &msg, frames);
	msg.frames.nr = 2;
	expect_refused(test, &l->h, &msg, -EPROTO, "2M frame without cap");

	/* Only 4K frames: fine. */
	msg.frames.nr = 1;
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_rx(&l->h, &msg), RX_HANDLE);
	mrm_sample_msg(MRM_MSG_INFLATE, 0, &msg, frames);
	frames[1] = frames[2];
	msg.frames.nr = 2;
	KUNIT_EXPECT_GT(test, send(test, l, &l->g, &msg), 0);
}

static void mrm_proto_session_stats_cap_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	send_ok(test, l, &l->g, MRM_MSG_HELLO);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	mrm_sample_msg(MRM_MSG_WELCOME, 0, &msg, frames);
	msg.welcome.caps = MRM_CAP_FRAME_2M;
	msg.welcome.stats_period_ms = 0;
	KUNIT_ASSERT_GT(test, send(test, l, &l->h, &msg), 0);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);

	mrm_sample_msg(MRM_MSG_STATS, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EPROTO);
	mrm_sample_msg(MRM_MSG_STATS_REQUEST, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EPROTO);
	peer_msg(&l->h, MRM_MSG_STATS, &msg, frames);
	expect_refused(test, &l->h, &msg, -EPROTO, "STATS without cap");
	peer_msg(&l->g, MRM_MSG_STATS_REQUEST, &msg, frames);
	expect_refused(test, &l->g, &msg, -EPROTO, "STATS_REQUEST without cap");
}

/* --- Closing ------------------------------------------------------------------ */

/* Guest says GOODBYE with an INFLATE in flight and a SET_TARGET crossing. */
static void mrm_proto_session_guest_goodbye_test(struct kunit *test)
{
	struct link *l = link_new(test);

	handshake(test, l);
	send_ok(test, l, &l->g, MRM_MSG_INFLATE);
	send_ok(test, l, &l->h, MRM_MSG_SET_TARGET);	/* crosses GOODBYE */
	send_ok(test, l, &l->g, MRM_MSG_GOODBYE);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSING);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &l->msg), -EPROTO);

	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);	/* INFLATE */
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);	/* GOODBYE */
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSING);
	send_ack_ok(test, l, MRM_ACK_OK, MRM_SAMPLE_MAX_FRAMES);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSING);
	send_ok(test, l, &l->h, MRM_MSG_GOODBYE);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSED);

	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_IGNORE);	/* SET_TARGET */
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);	/* ACK */
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSING);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);	/* GOODBYE */
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSED);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_eof(&l->g), 0);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_eof(&l->h), 0);
}

/*
 * Host says GOODBYE while the guest sends an INFLATE: the host must answer
 * it with ACK_CLOSING, and the guest stays until it has that ACK.
 */
static void mrm_proto_session_host_goodbye_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_msg msg;

	handshake(test, l);
	send_ok(test, l, &l->h, MRM_MSG_GOODBYE);
	send_ok(test, l, &l->g, MRM_MSG_INFLATE);		/* crosses it */
	send_ok(test, l, &l->g, MRM_MSG_STATS);		/* so does this */

	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);	/* INFLATE */
	KUNIT_EXPECT_TRUE(test, l->h.inflight[l->h.inflight_head].closing);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_IGNORE);	/* STATS */
	mrm_sample_msg(MRM_MSG_SET_TARGET, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EPROTO);
	mrm_sample_msg(MRM_MSG_ACK, 0, &msg, frames);
	msg.ack.inflate_seq = l->h.inflight[l->h.inflight_head].seq;
	KUNIT_EXPECT_EQ(test, send(test, l, &l->h, &msg), -EINVAL);	/* OK */
	send_ack_ok(test, l, MRM_ACK_CLOSING, 0);

	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);	/* GOODBYE */
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSING);
	mrm_sample_msg(MRM_MSG_DEFLATE, 0, &msg, frames);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &msg), -EPROTO);
	send_ok(test, l, &l->g, MRM_MSG_GOODBYE);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSING);	/* ACK due */
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);	/* ACK */
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSED);
	KUNIT_EXPECT_EQ(test, l->g.inflight_nr, 0U);

	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);	/* GOODBYE */
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSED);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_eof(&l->g), 0);
}

/* Both say GOODBYE at once: each takes the other's as the answer. */
static void mrm_proto_session_both_goodbye_test(struct kunit *test)
{
	struct link *l = link_new(test);

	handshake(test, l);
	send_ok(test, l, &l->g, MRM_MSG_GOODBYE);
	send_ok(test, l, &l->h, MRM_MSG_GOODBYE);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->g), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSED);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSED);
	KUNIT_EXPECT_EQ(test, send(test, l, &l->g, &l->msg), -EPIPE);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_rx(&l->h, &l->msg), -EPIPE);
}

/* ERROR: its code and reference, CLOSED on both sides, nothing after. */
static void mrm_proto_session_error_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	u8 buf[MRM_PROTO_HDR_SIZE + 8];
	struct mrm_msg msg;
	int len, err;

	handshake(test, l);
	send_ok(test, l, &l->g, MRM_MSG_DEFLATE);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	peer_msg(&l->h, MRM_MSG_HELLO, &msg, frames);	/* a second HELLO */
	err = mrm_proto_sess_rx(&l->h, &msg);
	KUNIT_ASSERT_EQ(test, err, -EPROTO);

	KUNIT_EXPECT_EQ(test, mrm_proto_sess_error(&l->h, err, &msg.hdr, buf, 8),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_ACTIVE);
	len = mrm_proto_sess_error(&l->h, err, &msg.hdr, buf, sizeof(buf));
	KUNIT_ASSERT_EQ(test, len, (int)sizeof(buf));
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSED);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_error(&l->h, err, NULL, buf,
						   sizeof(buf)), -EPIPE);

	KUNIT_ASSERT_EQ(test, mrm_proto_decode(buf, len, &msg), 0);
	KUNIT_EXPECT_EQ(test, msg.error.code, MRM_ERR_UNEXPECTED);
	KUNIT_EXPECT_EQ(test, msg.error.ref_seq, 2U);
	KUNIT_EXPECT_EQ(test, msg.hdr.version, MRM_PROTO_VERSION_1);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_rx(&l->g, &msg), RX_HANDLE);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSED);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_eof(&l->g), 0);
}

/* Without a cause, ERROR refers to the last message received, or 0. */
static void mrm_proto_session_error_ref_test(struct kunit *test)
{
	struct link *l = link_new(test);
	u8 buf[MRM_PROTO_HDR_SIZE + 8];
	struct mrm_msg msg;
	int len;

	len = mrm_proto_sess_error(&l->h, -ETIMEDOUT, NULL, buf, sizeof(buf));
	KUNIT_ASSERT_EQ(test, mrm_proto_decode(buf, len, &msg), 0);
	KUNIT_EXPECT_EQ(test, msg.error.code, MRM_ERR_TIMEOUT);
	KUNIT_EXPECT_EQ(test, msg.error.ref_seq, 0U);

	l = link_new(test);
	handshake(test, l);
	send_ok(test, l, &l->g, MRM_MSG_STATS);
	send_ok(test, l, &l->g, MRM_MSG_STATS);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	KUNIT_ASSERT_EQ(test, deliver(test, l, &l->h), RX_HANDLE);
	len = mrm_proto_sess_error(&l->h, -EACCES, NULL, buf, sizeof(buf));
	KUNIT_ASSERT_EQ(test, mrm_proto_decode(buf, len, &msg), 0);
	KUNIT_EXPECT_EQ(test, msg.error.code, MRM_ERR_REFUSED);
	KUNIT_EXPECT_EQ(test, msg.error.ref_seq, 2U);
}

/* The stream breaking mid-session is not orderly; INFLATEs stay in doubt. */
static void mrm_proto_session_eof_test(struct kunit *test)
{
	struct link *l = link_new(test);

	KUNIT_EXPECT_EQ(test, mrm_proto_sess_eof(&l->h), -ECONNRESET);
	KUNIT_EXPECT_EQ(test, l->h.state, MRM_PROTO_ST_CLOSED);

	l = link_new(test);
	handshake(test, l);
	send_ok(test, l, &l->g, MRM_MSG_INFLATE);
	send_ok(test, l, &l->g, MRM_MSG_INFLATE);
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_eof(&l->g), -ECONNRESET);
	KUNIT_EXPECT_EQ(test, l->g.inflight_nr, 2U);
	KUNIT_EXPECT_EQ(test, l->g.state, MRM_PROTO_ST_CLOSED);
}

/* A send that fails changes neither the session nor the message. */
static void mrm_proto_session_tx_unchanged_test(struct kunit *test)
{
	struct link *l = link_new(test);
	__le64 frames[MRM_SAMPLE_MAX_FRAMES];
	struct mrm_proto_sess before;
	struct mrm_msg msg, msg_before;
	u8 buf[MRM_PROTO_HDR_SIZE];

	handshake(test, l);
	mrm_sample_msg(MRM_MSG_INFLATE, 1234, &msg, frames);
	msg_before = msg;
	memcpy(&before, &l->g, sizeof(before));
	KUNIT_EXPECT_EQ(test, mrm_proto_sess_tx(&l->g, &msg, buf, sizeof(buf)),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, memcmp(&before, &l->g, sizeof(before)), 0);
	KUNIT_EXPECT_TRUE(test, mrm_sample_msg_equal(&msg, &msg_before));
}

static struct kunit_case mrm_proto_session_cases[] = {
	KUNIT_CASE(mrm_proto_session_handshake_test),
	KUNIT_CASE(mrm_proto_session_choose_version_test),
	KUNIT_CASE(mrm_proto_session_no_common_version_test),
	KUNIT_CASE(mrm_proto_session_hello_welcome_checks_test),
	KUNIT_CASE(mrm_proto_session_guest_table_test),
	KUNIT_CASE(mrm_proto_session_host_table_test),
	KUNIT_CASE(mrm_proto_session_direction_test),
	KUNIT_CASE(mrm_proto_session_seq_test),
	KUNIT_CASE(mrm_proto_session_hdr_version_test),
	KUNIT_CASE(mrm_proto_session_inflight_test),
	KUNIT_CASE(mrm_proto_session_frame_limits_test),
	KUNIT_CASE(mrm_proto_session_stats_cap_test),
	KUNIT_CASE(mrm_proto_session_guest_goodbye_test),
	KUNIT_CASE(mrm_proto_session_host_goodbye_test),
	KUNIT_CASE(mrm_proto_session_both_goodbye_test),
	KUNIT_CASE(mrm_proto_session_error_test),
	KUNIT_CASE(mrm_proto_session_error_ref_test),
	KUNIT_CASE(mrm_proto_session_eof_test),
	KUNIT_CASE(mrm_proto_session_tx_unchanged_test),
	{}
};

static struct kunit_suite mrm_proto_session_suite = {
	.name = "mrm_proto_session",
	.test_cases = mrm_proto_session_cases,
};

kunit_test_suite(mrm_proto_session_suite);
