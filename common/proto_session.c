// SPDX-License-Identifier: GPL-2.0
/*
 * mrm wire protocol: the per-connection state machine, for either side.
 *
 * A module calls mrm_proto_sess_rx() on every message the reader produces
 * and builds every message it sends with mrm_proto_sess_tx().  Between them
 * they enforce what Documentation/protocol.rst ("State machines") says is
 * legal when: message direction, sequence numbers, the negotiated version
 * and capabilities, frames per message, INFLATE/ACK pairing, and the
 * GOODBYE exchange.  Neither changes anything when it refuses.
 *
 * Receive verdicts per state (H: handle, I: ignore, -: illegal, -EPROTO).
 * "CLOSING/ours" is after we sent GOODBYE first, "CLOSING/theirs" after we
 * received one.
 *
 *   guest           START AWAIT_WELCOME ACTIVE CLOSING/ours CLOSING/theirs
 *   WELCOME           -        H          -        -            -
 *   SET_TARGET        -        -          H        I            -
 *   ACK               -        -          H        H            H
 *   STATS_REQUEST     -        -          H        I            -
 *   GOODBYE           -        -          H        H            -
 *   ERROR             H        H          H        H            H
 *
 *   host            AWAIT_HELLO NEGOTIATE ACTIVE CLOSING/ours CLOSING/theirs
 *   HELLO             H          -         -        -            -
 *   INFLATE           -          -         H        H (ACK_CLOSING) -
 *   DEFLATE           -          -         H        H            -
 *   STATS             -          -         H        I            -
 *   GOODBYE           -          -         H        H            -
 *   ERROR             H          H         H        H            H
 */
#include <mrm/proto.h>

/**
 * mrm_proto_sess_init() - start the protocol state of a new connection
 * @s: the session
 * @side: MRM_PROTO_GUEST (connected to the host) or MRM_PROTO_HOST
 *	(accepted a guest's connection)
 *
 * A guest starts in MRM_PROTO_ST_START and must send HELLO; a host starts
 * in MRM_PROTO_ST_AWAIT_HELLO.  Any other @side gives a closed session.
 */
void mrm_proto_sess_init(struct mrm_proto_sess *s, enum mrm_proto_side side)
{
	memset(s, 0, sizeof(*s));
	s->side = side;
	if (side == MRM_PROTO_GUEST)
		s->state = MRM_PROTO_ST_START;
	else if (side == MRM_PROTO_HOST)
		s->state = MRM_PROTO_ST_AWAIT_HELLO;
	else
		s->state = MRM_PROTO_ST_CLOSED;
}

/**
 * mrm_proto_choose_version() - the version a host picks for a HELLO
 * @min_version: the HELLO's min_version
 * @max_version: the HELLO's max_version
 * @version: where the chosen version is stored on success
 *
 * Return: 0 with the highest version both sides speak in *@version;
 * -EPROTONOSUPPORT if there is none (answer with ERROR and close).
 */
int mrm_proto_choose_version(u16 min_version, u16 max_version, u16 *version)
{
	u16 lo = max_t(u16, min_version, MRM_PROTO_VERSION_MIN);
	u16 hi = min_t(u16, max_version, MRM_PROTO_VERSION_MAX);

	if (lo > hi)
		return -EPROTONOSUPPORT;
	*version = hi;
	return 0;
}

static enum mrm_proto_side mrm_peer(const struct mrm_proto_sess *s)
{
	return s->side == MRM_PROTO_GUEST ? MRM_PROTO_HOST : MRM_PROTO_GUEST;
}

static struct mrm_proto_inflight *mrm_oldest(struct mrm_proto_sess *s)
{
	return s->inflight_nr ? &s->inflight[s->inflight_head] : NULL;
}

static void mrm_inflight_push(struct mrm_proto_sess *s, u32 seq, u16 nr)
{
	unsigned int i = (s->inflight_head + s->inflight_nr) %
			 MRM_PROTO_MAX_INFLIGHT;

	s->inflight[i].seq = seq;
	s->inflight[i].nr = nr;
	s->inflight[i].closing = s->bye_sent;
	s->inflight_nr++;
}

static void mrm_inflight_pop(struct mrm_proto_sess *s)
{
	s->inflight_head = (s->inflight_head + 1) % MRM_PROTO_MAX_INFLIGHT;
	s->inflight_nr--;
}

/* After a GOODBYE each way, the connection ends once every INFLATE is acked. */
static void mrm_maybe_closed(struct mrm_proto_sess *s)
{
	if (s->state == MRM_PROTO_ST_CLOSING && s->bye_sent && s->bye_rcvd &&
	    !s->inflight_nr)
		s->state = MRM_PROTO_ST_CLOSED;
}

/*
 * An ACK answers the oldest unacknowledged INFLATE, accepts a prefix of its
 * frames, and says MRM_ACK_OK exactly when that prefix is all of them.
 */
static bool mrm_ack_matches(const struct mrm_ack *ack,
			    const struct mrm_proto_inflight *old)
{
	bool all = ack->accepted == old->nr;
	bool ok = ack->status == MRM_ACK_OK;

	return ack->inflate_seq == old->seq && ack->accepted <= old->nr &&
	       all == ok;
}

/* Frames of order 9 need MRM_CAP_FRAME_2M; the decoder knows no caps. */
static bool mrm_frames_allowed(const struct mrm_proto_sess *s,
			       const struct mrm_frames *f)
{
	struct mrm_frame frame;
	unsigned int i;

	if (s->caps & MRM_CAP_FRAME_2M)
		return true;
	for (i = 0; i < f->nr; i++) {
		if (mrm_proto_frame_at(f, i, &frame) ||
		    frame.order != MRM_FRAME_ORDER_4K)
			return false;
	}
	return true;
}

/* Receive verdict by state for the guest (see the table above). */
static int mrm_guest_rx_verdict(const struct mrm_proto_sess *s, u16 type)
{
	if (type == MRM_MSG_ERROR)
		return MRM_PROTO_RX_HANDLE;
	switch (s->state) {
	case MRM_PROTO_ST_AWAIT_WELCOME:
		return type == MRM_MSG_WELCOME ? MRM_PROTO_RX_HANDLE : -EPROTO;
	case MRM_PROTO_ST_ACTIVE:
		return type == MRM_MSG_WELCOME ? -EPROTO : MRM_PROTO_RX_HANDLE;
	case MRM_PROTO_ST_CLOSING:
		if (type == MRM_MSG_ACK)
			return MRM_PROTO_RX_HANDLE;
		if (s->bye_rcvd)
			return -EPROTO;
		if (type == MRM_MSG_GOODBYE)
			return MRM_PROTO_RX_HANDLE;
		if (type == MRM_MSG_SET_TARGET || type == MRM_MSG_STATS_REQUEST)
			return MRM_PROTO_RX_IGNORE;
		return -EPROTO;
	default:
		return -EPROTO;
	}
}

/* Receive verdict by state for the host (see the table above). */
static int mrm_host_rx_verdict(const struct mrm_proto_sess *s, u16 type)
{
	if (type == MRM_MSG_ERROR)
		return MRM_PROTO_RX_HANDLE;
	switch (s->state) {
	case MRM_PROTO_ST_AWAIT_HELLO:
		return type == MRM_MSG_HELLO ? MRM_PROTO_RX_HANDLE : -EPROTO;
	case MRM_PROTO_ST_ACTIVE:
		return type == MRM_MSG_HELLO ? -EPROTO : MRM_PROTO_RX_HANDLE;
	case MRM_PROTO_ST_CLOSING:
		if (s->bye_rcvd || type == MRM_MSG_HELLO)
			return -EPROTO;
		if (type == MRM_MSG_STATS)
			return MRM_PROTO_RX_IGNORE;
		return MRM_PROTO_RX_HANDLE;
	default:
		return -EPROTO;
	}
}

/* Checks of one received message that depend on the session, not state. */
static int mrm_rx_check(struct mrm_proto_sess *s, const struct mrm_msg *msg)
{
	const struct mrm_proto_inflight *old;
	const struct mrm_ack *ack = &msg->ack;

	switch (msg->hdr.type) {
	case MRM_MSG_WELCOME:
		if (msg->welcome.version != msg->hdr.version ||
		    msg->welcome.version < s->min_version ||
		    msg->welcome.version > s->max_version)
			return -EPROTONOSUPPORT;
		if (msg->welcome.caps & ~s->offered_caps)
			return -EPROTO;
		return 0;
	case MRM_MSG_INFLATE:
	case MRM_MSG_DEFLATE:
		if (msg->frames.nr > s->max_frames)
			return -EMSGSIZE;
		if (!mrm_frames_allowed(s, &msg->frames))
			return -EPROTO;
		if (msg->hdr.type == MRM_MSG_INFLATE &&
		    s->inflight_nr == MRM_PROTO_MAX_INFLIGHT)
			return -EPROTO;
		return 0;
	case MRM_MSG_ACK:
		old = mrm_oldest(s);
		if (!old || !mrm_ack_matches(ack, old))
			return -EPROTO;
		if (ack->status == MRM_ACK_CLOSING && !s->bye_rcvd)
			return -EPROTO;
		return 0;
	case MRM_MSG_STATS:
	case MRM_MSG_STATS_REQUEST:
		return s->caps & MRM_CAP_STATS ? 0 : -EPROTO;
	default:
		return 0;
	}
}

/**
 * mrm_proto_sess_rx() - check and account for one received message
 * @s: the session
 * @msg: a message from mrm_proto_reader_next() (or mrm_proto_decode())
 *
 * Checks that @msg is legal now: sent by the peer's side, the expected
 * sequence number, the right header version (MRM_PROTO_VERSION_HANDSHAKE
 * for HELLO, the negotiated one after WELCOME; ERROR is accepted in any
 * version), allowed in the current state, and consistent with the session
 * (WELCOME within the offered versions and capabilities; INFLATE/DEFLATE
 * within max_frames, order-9 frames only with MRM_CAP_FRAME_2M, at most
 * MRM_PROTO_MAX_INFLIGHT INFLATEs unacknowledged; an ACK for the oldest
 * unacknowledged INFLATE with a consistent count and status; STATS and
 * STATS_REQUEST only with MRM_CAP_STATS).  Then it advances the state:
 * HELLO -> NEGOTIATE, WELCOME -> ACTIVE, GOODBYE -> CLOSING, ERROR ->
 * CLOSED, and CLOSED once GOODBYEs went both ways and no INFLATE is
 * unacknowledged.
 *
 * Return: MRM_PROTO_RX_HANDLE: act on @msg (for ERROR: close without
 * answering; for GOODBYE: answer it); MRM_PROTO_RX_IGNORE: legal, but
 * drop it (it crossed our GOODBYE); -EPIPE if the session is already
 * closed; otherwise a negative errno for a message that is not legal
 * (-EPROTO, -EPROTONOSUPPORT, -EMSGSIZE): send mrm_proto_sess_error() and
 * close.  The session is unchanged on error.
 */
int mrm_proto_sess_rx(struct mrm_proto_sess *s, const struct mrm_msg *msg)
{
	u16 type = msg->hdr.type;
	int verdict, err;

	if (s->state == MRM_PROTO_ST_CLOSED)
		return -EPIPE;
	if (!mrm_proto_type_sent_by(type, mrm_peer(s)))
		return -EPROTO;
	if (msg->hdr.seq != s->rx_seq)
		return -EPROTO;
	if (s->side == MRM_PROTO_GUEST)
		verdict = mrm_guest_rx_verdict(s, type);
	else
		verdict = mrm_host_rx_verdict(s, type);
	if (verdict < 0)
		return verdict;
	if (type == MRM_MSG_HELLO) {
		if (msg->hdr.version != MRM_PROTO_VERSION_HANDSHAKE)
			return -EPROTONOSUPPORT;
	} else if (type != MRM_MSG_ERROR && type != MRM_MSG_WELCOME &&
		   msg->hdr.version != s->version) {
		return -EPROTONOSUPPORT;
	}
	err = mrm_rx_check(s, msg);
	if (err)
		return err;

	s->rx_seq++;
	s->rx_count++;
	switch (type) {
	case MRM_MSG_HELLO:
		s->min_version = msg->hello.min_version;
		s->max_version = msg->hello.max_version;
		s->offered_caps = msg->hello.caps;
		s->state = MRM_PROTO_ST_NEGOTIATE;
		break;
	case MRM_MSG_WELCOME:
		s->version = msg->welcome.version;
		s->caps = msg->welcome.caps;
		s->max_frames = msg->welcome.max_frames;
		s->state = MRM_PROTO_ST_ACTIVE;
		break;
	case MRM_MSG_INFLATE:
		mrm_inflight_push(s, msg->hdr.seq, msg->frames.nr);
		break;
	case MRM_MSG_ACK:
		mrm_inflight_pop(s);
		break;
	case MRM_MSG_GOODBYE:
		s->bye_rcvd = true;
		s->state = MRM_PROTO_ST_CLOSING;
		break;
	case MRM_MSG_ERROR:
		s->state = MRM_PROTO_ST_CLOSED;
		break;
	}
	mrm_maybe_closed(s);
	return verdict;
}

/* May this side send @type in its current state? */
static bool mrm_tx_legal(const struct mrm_proto_sess *s, u16 type)
{
	if (type == MRM_MSG_ERROR)
		return true;
	if (type == MRM_MSG_GOODBYE)
		return (s->state == MRM_PROTO_ST_ACTIVE ||
			s->state == MRM_PROTO_ST_CLOSING) && !s->bye_sent;
	switch (s->state) {
	case MRM_PROTO_ST_START:
		return type == MRM_MSG_HELLO;
	case MRM_PROTO_ST_NEGOTIATE:
		return type == MRM_MSG_WELCOME;
	case MRM_PROTO_ST_ACTIVE:
		return type != MRM_MSG_HELLO && type != MRM_MSG_WELCOME;
	case MRM_PROTO_ST_CLOSING:
		/* Only the host's ACKs for INFLATEs still unanswered. */
		return type == MRM_MSG_ACK;
	default:
		return false;
	}
}

/* Session checks of a message this side is about to send. */
static int mrm_tx_check(struct mrm_proto_sess *s, const struct mrm_msg *msg)
{
	const struct mrm_proto_inflight *old;
	const struct mrm_ack *ack = &msg->ack;
	const struct mrm_welcome *w = &msg->welcome;

	switch (msg->hdr.type) {
	case MRM_MSG_HELLO:
		/* Offer only what this implementation speaks. */
		if (msg->hello.min_version < MRM_PROTO_VERSION_MIN ||
		    msg->hello.max_version > MRM_PROTO_VERSION_MAX ||
		    msg->hello.caps & ~MRM_CAP_KNOWN)
			return -EINVAL;
		return 0;
	case MRM_MSG_WELCOME:
		if (w->version < max_t(u16, s->min_version, MRM_PROTO_VERSION_MIN) ||
		    w->version > min_t(u16, s->max_version, MRM_PROTO_VERSION_MAX))
			return -EINVAL;
		if (w->caps & ~(s->offered_caps & MRM_CAP_KNOWN))
			return -EINVAL;
		return 0;
	case MRM_MSG_INFLATE:
	case MRM_MSG_DEFLATE:
		if (msg->frames.nr > s->max_frames ||
		    !mrm_frames_allowed(s, &msg->frames))
			return -EINVAL;
		if (msg->hdr.type == MRM_MSG_INFLATE &&
		    s->inflight_nr == MRM_PROTO_MAX_INFLIGHT)
			return -EBUSY;
		return 0;
	case MRM_MSG_ACK:
		old = mrm_oldest(s);
		if (!old)
			return -EPROTO;
		if (!mrm_ack_matches(ack, old))
			return -EINVAL;
		if (ack->status == MRM_ACK_CLOSING && !s->bye_sent)
			return -EINVAL;
		if (old->closing && ack->status != MRM_ACK_CLOSING)
			return -EINVAL;
		return 0;
	case MRM_MSG_STATS:
	case MRM_MSG_STATS_REQUEST:
		return s->caps & MRM_CAP_STATS ? 0 : -EPROTO;
	default:
		return 0;
	}
}

static u16 mrm_tx_version(const struct mrm_proto_sess *s,
			  const struct mrm_msg *msg)
{
	switch (msg->hdr.type) {
	case MRM_MSG_HELLO:
		return MRM_PROTO_VERSION_HANDSHAKE;
	case MRM_MSG_WELCOME:
		return msg->welcome.version;
	default:
		return s->version ? s->version : MRM_PROTO_VERSION_HANDSHAKE;
	}
}

/**
 * mrm_proto_sess_tx() - check and encode one message this side sends
 * @s: the session
 * @msg: the message: @msg->hdr.type and the payload member it selects.
 *	@msg->hdr.version, .seq and .len are filled in on success.
 * @buf: where the encoded message goes (MRM_PROTO_MAX_MSG bytes always
 *	suffice)
 * @size: bytes available at @buf
 *
 * Checks that @msg is legal for this side now (see mrm_proto_sess_rx() for
 * the rules; in addition: a HELLO offers only versions and capabilities
 * this implementation knows, a WELCOME picks a version and capabilities
 * from those offered, a host ACKs its oldest unanswered INFLATE, and
 * answers an INFLATE received after its own GOODBYE with MRM_ACK_CLOSING),
 * stamps the header, encodes it with mrm_proto_encode() and advances the
 * state as if the message were already on the wire.  Send the bytes; if
 * sending fails, the connection is lost.
 *
 * Return: the message length; -EPIPE if the session is closed; -EPROTO if
 * the message is not legal in this state (or for this side); -EBUSY for an
 * INFLATE while MRM_PROTO_MAX_INFLIGHT are unacknowledged (wait for an
 * ACK); -EINVAL for content the session or format forbids; -ENOSPC if
 * @size is too small.  Nothing changes on error.
 */
int mrm_proto_sess_tx(struct mrm_proto_sess *s, struct mrm_msg *msg,
		      void *buf, size_t size)
{
	u16 type = msg->hdr.type;
	struct mrm_hdr hdr;
	int len, err;

	if (s->state == MRM_PROTO_ST_CLOSED)
		return -EPIPE;
	if (!mrm_proto_type_sent_by(type, s->side) || !mrm_tx_legal(s, type))
		return -EPROTO;
	err = mrm_tx_check(s, msg);
	if (err)
		return err;

	hdr = msg->hdr;
	msg->hdr.version = mrm_tx_version(s, msg);
	msg->hdr.seq = s->tx_seq;
	len = mrm_proto_encode(buf, size, msg);
	if (len < 0) {
		msg->hdr = hdr;
		return len;
	}
	msg->hdr.len = len - MRM_PROTO_HDR_SIZE;

	s->tx_seq++;
	switch (type) {
	case MRM_MSG_HELLO:
		s->min_version = msg->hello.min_version;
		s->max_version = msg->hello.max_version;
		s->offered_caps = msg->hello.caps;
		s->state = MRM_PROTO_ST_AWAIT_WELCOME;
		break;
	case MRM_MSG_WELCOME:
		s->version = msg->welcome.version;
		s->caps = msg->welcome.caps;
		s->max_frames = msg->welcome.max_frames;
		s->state = MRM_PROTO_ST_ACTIVE;
		break;
	case MRM_MSG_INFLATE:
		mrm_inflight_push(s, msg->hdr.seq, msg->frames.nr);
		break;
	case MRM_MSG_ACK:
		mrm_inflight_pop(s);
		break;
	case MRM_MSG_GOODBYE:
		s->bye_sent = true;
		s->state = MRM_PROTO_ST_CLOSING;
		break;
	case MRM_MSG_ERROR:
		s->state = MRM_PROTO_ST_CLOSED;
		break;
	}
	mrm_maybe_closed(s);
	return len;
}

/**
 * mrm_proto_sess_error() - encode the ERROR that ends a connection
 * @s: the session
 * @err: the negative errno that describes the problem (from the reader,
 *	mrm_proto_sess_rx(), or the caller's own checks: -EACCES for a refused
 *	peer, -ETIMEDOUT, -ENOMEM...); mapped with mrm_proto_err_code()
 * @cause: header of the offending message, or NULL to refer to the last
 *	message received (0 if none was)
 * @buf: where the encoded message goes
 * @size: bytes available at @buf
 *
 * The session is CLOSED afterwards: send the bytes, then close the socket.
 *
 * Return: the message length, or an error of mrm_proto_sess_tx() (-EPIPE
 * if the session was already closed: just close the socket).
 */
int mrm_proto_sess_error(struct mrm_proto_sess *s, int err,
			 const struct mrm_hdr *cause, void *buf, size_t size)
{
	struct mrm_msg msg = {
		.hdr.type = MRM_MSG_ERROR,
		.error.code = mrm_proto_err_code(err),
	};

	if (cause)
		msg.error.ref_seq = cause->seq;
	else if (s->rx_count)
		msg.error.ref_seq = s->rx_seq - 1;
	return mrm_proto_sess_tx(s, &msg, buf, size);
}

/**
 * mrm_proto_sess_eof() - the peer closed the stream (or it broke)
 * @s: the session
 *
 * Marks the session closed.  INFLATEs still counted in @s->inflight_nr
 * were never acknowledged: a guest must not reuse their frames until it
 * has a WELCOME on a new connection (or must leak them).
 *
 * Return: 0 if the protocol had already finished (GOODBYEs exchanged and
 * every INFLATE acknowledged, or an ERROR); -ECONNRESET if the stream ended
 * in the middle of the session.
 */
int mrm_proto_sess_eof(struct mrm_proto_sess *s)
{
	bool finished = s->state == MRM_PROTO_ST_CLOSED;

	s->state = MRM_PROTO_ST_CLOSED;
	return finished ? 0 : -ECONNRESET;
}
