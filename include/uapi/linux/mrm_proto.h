/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause) */
/*
 * mrm wire protocol: the messages mrm_balloon (in a Linux guest) and
 * mrm_host (on the KVM host) exchange over an AF_VSOCK stream.
 *
 * Documentation/protocol.rst is the specification; this header is its
 * normative layout.  Every multi-byte field is little-endian, every
 * structure is naturally aligned with explicit reserved fields (no packing,
 * no implicit padding), and every number below is stable: a value, once
 * published, is never reused for something else.  Reserved fields and
 * reserved bits are sent as zero and a receiver rejects a message in which
 * they are not.
 *
 * Dual-licensed so that anyone can implement the protocol.
 */
#ifndef _UAPI_LINUX_MRM_PROTO_H
#define _UAPI_LINUX_MRM_PROTO_H

#include <linux/types.h>

/* --- Transport ----------------------------------------------------------- */

/*
 * Default vsock port of the host endpoint (mrm_host makes it a module
 * parameter).  The guest connects to VMADDR_CID_HOST (2) on this port.
 * vsock has no port registry; this is simply an unremarkable number above
 * the privileged range that nothing else in the common stacks uses.
 */
#define MRM_PROTO_PORT			19794

/*
 * Highest source port the host accepts a connection from.  Ports up to
 * here are reserved: in a Linux guest only a task with CAP_NET_BIND_SERVICE
 * (the guest kernel, or root) can bind one, so a connection from one comes
 * from the guest's balloon and not from any of its users.  The guest binds
 * its socket to a free port in this range before connecting; the host
 * closes a connection from a higher port before reading anything from it.
 */
#define MRM_PROTO_PEER_PORT_MAX		1023

/* --- Header --------------------------------------------------------------- */

/* "MRM!" on the wire: bytes 0x4d 0x52 0x4d 0x21. */
#define MRM_PROTO_MAGIC			0x214d524dU

/*
 * Protocol versions.  MRM_PROTO_VERSION_MIN..MRM_PROTO_VERSION_MAX is the
 * range this header describes.  HELLO, and an ERROR sent before a version
 * has been chosen, always carry MRM_PROTO_VERSION_HANDSHAKE in their
 * header: their layout is frozen for every version, so that any two
 * implementations can at least agree that they disagree.
 */
#define MRM_PROTO_VERSION_1		1
#define MRM_PROTO_VERSION_MIN		MRM_PROTO_VERSION_1
#define MRM_PROTO_VERSION_MAX		MRM_PROTO_VERSION_1
#define MRM_PROTO_VERSION_HANDSHAKE	MRM_PROTO_VERSION_1

/**
 * struct mrm_msg_hdr - header in front of every message
 * @magic: MRM_PROTO_MAGIC
 * @version: protocol version the message is encoded in: the negotiated
 *	version, or MRM_PROTO_VERSION_HANDSHAKE for HELLO and for an ERROR
 *	sent before a version was chosen
 * @type: one of MRM_MSG_*
 * @length: payload bytes that follow the header (0..MRM_PROTO_MAX_PAYLOAD,
 *	and within the bounds of @type)
 * @seq: the sender's message counter: 0 for the first message a side sends
 *	on a connection, then +1 per message, wrapping at 2^32
 *
 * Size: MRM_PROTO_HDR_SIZE (16) bytes.
 */
struct mrm_msg_hdr {
	__le32 magic;
	__le16 version;
	__le16 type;
	__le32 length;
	__le32 seq;
};

#define MRM_PROTO_HDR_SIZE		16

/*
 * Message types.  G->H: guest to host; H->G: host to guest.  0 is never a
 * valid type.
 */
#define MRM_MSG_HELLO			1	/* G->H  struct mrm_msg_hello */
#define MRM_MSG_WELCOME			2	/* H->G  struct mrm_msg_welcome */
#define MRM_MSG_SET_TARGET		3	/* H->G  struct mrm_msg_set_target */
#define MRM_MSG_INFLATE			4	/* G->H  struct mrm_msg_inflate */
#define MRM_MSG_DEFLATE			5	/* G->H  struct mrm_msg_deflate */
#define MRM_MSG_ACK			6	/* H->G  struct mrm_msg_ack */
#define MRM_MSG_STATS			7	/* G->H  struct mrm_msg_stats */
#define MRM_MSG_STATS_REQUEST		8	/* H->G  no payload */
#define MRM_MSG_ERROR			9	/* both  struct mrm_msg_error */
#define MRM_MSG_GOODBYE			10	/* both  struct mrm_msg_goodbye */
#define MRM_MSG_TYPE_MAX		MRM_MSG_GOODBYE

/* --- Limits --------------------------------------------------------------- */

/* Frames in one INFLATE or DEFLATE (the host may lower it in WELCOME). */
#define MRM_PROTO_MAX_FRAMES		512
/* (tag, value) pairs in one STATS message. */
#define MRM_PROTO_MAX_STATS		64
/* INFLATEs a guest may have sent and not yet seen ACKed. */
#define MRM_PROTO_MAX_INFLIGHT		8
/* Guest page sizes a HELLO may announce (bytes, powers of two). */
#define MRM_PROTO_PAGE_SIZE_MIN		4096
#define MRM_PROTO_PAGE_SIZE_MAX		65536
/* Largest guest RAM, balloon or target, in 4 KiB pages (2^40: 4 PiB). */
#define MRM_PROTO_MAX_PAGES		(1ULL << 40)

/* Stats period a WELCOME may ask for (0: only on STATS_REQUEST). */
#define MRM_PROTO_STATS_PERIOD_MIN_MS	1000
#define MRM_PROTO_STATS_PERIOD_MAX_MS	3600000
#define MRM_PROTO_STATS_PERIOD_DEFAULT_MS 5000

/*
 * Per-session receive budget the host enforces (it stops reading the
 * socket while over budget) and a guest must stay under.  Frames count
 * entries, whatever their order.
 */
#define MRM_PROTO_MAX_MSGS_PER_SEC	1000
#define MRM_PROTO_MAX_FRAMES_PER_SEC	131072
/* Connections per guest CID the host accepts in a minute. */
#define MRM_PROTO_MAX_CONNECTS_PER_MIN	12

/* Timers (milliseconds). */
#define MRM_PROTO_HANDSHAKE_TIMEOUT_MS	5000	/* connect -> WELCOME */
#define MRM_PROTO_GOODBYE_TIMEOUT_MS	5000	/* GOODBYE -> peer's GOODBYE/EOF */
#define MRM_PROTO_RECONNECT_MIN_MS	1000	/* guest back-off, first retry */
#define MRM_PROTO_RECONNECT_MAX_MS	60000	/* guest back-off, doubling cap */

/* --- Capabilities (HELLO offers, WELCOME accepts a subset) ----------------- */

#define MRM_CAP_FRAME_2M		(1U << 0)	/* order-9 frames */
#define MRM_CAP_STATS			(1U << 1)	/* STATS, STATS_REQUEST */
#define MRM_CAP_KNOWN			(MRM_CAP_FRAME_2M | MRM_CAP_STATS)

/* --- Messages ------------------------------------------------------------- */

/**
 * struct mrm_msg_hello - HELLO payload (G->H), frozen for every version
 * @min_version: oldest protocol version the guest speaks (>= 1)
 * @max_version: newest protocol version the guest speaks (>= @min_version)
 * @page_size: guest base page size in bytes, a power of two in
 *	[MRM_PROTO_PAGE_SIZE_MIN, MRM_PROTO_PAGE_SIZE_MAX]
 * @caps: MRM_CAP_* bits the guest offers; unknown bits are allowed and
 *	never accepted
 * @reserved: zero
 * @ram_pages: guest RAM in 4 KiB pages, 1..MRM_PROTO_MAX_PAGES
 * @balloon_pages: 4 KiB pages the guest holds in its balloon from earlier
 *	sessions of the same @boot_id (acknowledged ones only), <= @ram_pages
 * @boot_id: random non-zero value drawn when the balloon is created (guest
 *	boot or module load); kept across reconnects while the balloon lives
 *
 * Size: 40 bytes.
 */
struct mrm_msg_hello {
	__le16 min_version;
	__le16 max_version;
	__le32 page_size;
	__le32 caps;
	__le32 reserved;
	__le64 ram_pages;
	__le64 balloon_pages;
	__le64 boot_id;
};

/**
 * struct mrm_msg_welcome - WELCOME payload (H->G)
 * @version: the chosen version, equal to the header's version and within
 *	the HELLO's [min_version, max_version]
 * @max_frames: frames the guest may put in one INFLATE or DEFLATE,
 *	1..MRM_PROTO_MAX_FRAMES
 * @caps: accepted capabilities, a subset of the offered and known ones
 * @target_pages: current balloon target in 4 KiB pages,
 *	<= MRM_PROTO_MAX_PAGES
 * @stats_period_ms: how often the guest sends STATS unasked: 0 (never) or
 *	[MRM_PROTO_STATS_PERIOD_MIN_MS, MRM_PROTO_STATS_PERIOD_MAX_MS];
 *	must be 0 unless MRM_CAP_STATS is accepted
 * @reserved: zero
 *
 * Size: 24 bytes.
 */
struct mrm_msg_welcome {
	__le16 version;
	__le16 max_frames;
	__le32 caps;
	__le64 target_pages;
	__le32 stats_period_ms;
	__le32 reserved;
};

/**
 * struct mrm_msg_set_target - SET_TARGET payload (H->G)
 * @target_pages: new balloon target in 4 KiB pages, <= MRM_PROTO_MAX_PAGES
 *
 * Size: 8 bytes.
 */
struct mrm_msg_set_target {
	__le64 target_pages;
};

/*
 * A frame is one __le64: the guest-physical address of a naturally aligned
 * block of 2^order 4 KiB pages, with the order in the low bits that the
 * alignment leaves free:
 *
 *   bits 63..12  guest frame number (GPA >> 12), a multiple of 2^order
 *   bits 11..6   reserved, zero
 *   bits  5..0   order: MRM_FRAME_ORDER_4K or MRM_FRAME_ORDER_2M
 */
#define MRM_FRAME_GFN_SHIFT		12
#define MRM_FRAME_ORDER_MASK		0x3fULL
#define MRM_FRAME_RESERVED_MASK		0xfc0ULL
#define MRM_FRAME_ORDER_4K		0
#define MRM_FRAME_ORDER_2M		9	/* needs MRM_CAP_FRAME_2M */
#define MRM_FRAME_GFN_MAX		((1ULL << (64 - MRM_FRAME_GFN_SHIFT)) - 1)

/**
 * struct mrm_msg_inflate - INFLATE payload (G->H)
 * @nr_frames: frames that follow, 1..max_frames of the WELCOME
 * @reserved0: zero
 * @reserved1: zero
 * @frames: @nr_frames packed frames (see MRM_FRAME_*)
 *
 * Size: 8 + 8 * @nr_frames bytes.  The host answers every INFLATE with one
 * ACK, in order.
 */
struct mrm_msg_inflate {
	__le16 nr_frames;
	__le16 reserved0;
	__le32 reserved1;
	__le64 frames[];
};

/* Why the guest takes frames back (struct mrm_msg_deflate.reason). */
#define MRM_DEFLATE_REQUESTED		1	/* target lowered by the host */
#define MRM_DEFLATE_PRESSURE		2	/* guest memory pressure (shrinker) */
#define MRM_DEFLATE_OOM			3	/* guest out of memory */
#define MRM_DEFLATE_MIGRATE		4	/* compaction moved the page */
#define MRM_DEFLATE_RESYNC		5	/* fate unknown after a reconnect */
#define MRM_DEFLATE_REASON_MAX		MRM_DEFLATE_RESYNC

/**
 * struct mrm_msg_deflate - DEFLATE payload (G->H)
 * @nr_frames: frames that follow, 1..max_frames of the WELCOME
 * @reason: one of MRM_DEFLATE_*
 * @reserved: zero
 * @frames: @nr_frames packed frames (see MRM_FRAME_*)
 *
 * Size: 8 + 8 * @nr_frames bytes.  Not acknowledged.
 */
struct mrm_msg_deflate {
	__le16 nr_frames;
	__le16 reason;
	__le32 reserved;
	__le64 frames[];
};

/* Outcome of an INFLATE (struct mrm_msg_ack.status). */
#define MRM_ACK_OK			0	/* every frame accepted */
#define MRM_ACK_INVALID			1	/* frame [accepted] is not this VM's RAM */
#define MRM_ACK_DECLINED		2	/* host wants no more balloon now */
#define MRM_ACK_FAILED			3	/* host could not release frame [accepted] */
#define MRM_ACK_CLOSING			4	/* host is closing: nothing done */
#define MRM_ACK_STATUS_MAX		MRM_ACK_CLOSING

/**
 * struct mrm_msg_ack - ACK payload (H->G), one per INFLATE, in order
 * @inflate_seq: header seq of the INFLATE acknowledged
 * @accepted: frames [0, @accepted) of that INFLATE are in the balloon; the
 *	host has not touched and will not touch frames [@accepted, nr_frames)
 * @status: MRM_ACK_*: MRM_ACK_OK if and only if @accepted == nr_frames;
 *	MRM_ACK_CLOSING only with @accepted == 0
 *
 * Size: 8 bytes.
 */
struct mrm_msg_ack {
	__le32 inflate_seq;
	__le16 accepted;
	__le16 status;
};

/*
 * Statistic tags (struct mrm_stat.tag).  Memory amounts are in 4 KiB pages,
 * counters are cumulative since guest boot, PSI averages are in hundredths
 * of a percent (0..MRM_STAT_PSI_AVG_MAX, as /proc/pressure/memory prints
 * them) and PSI totals in microseconds.  A receiver skips tags it does not
 * know.
 */
#define MRM_STAT_MEM_TOTAL		1	/* pages: MemTotal */
#define MRM_STAT_MEM_AVAILABLE		2	/* pages: MemAvailable */
#define MRM_STAT_MEM_FREE		3	/* pages: MemFree */
#define MRM_STAT_SWAP_IN		4	/* pages: pswpin */
#define MRM_STAT_SWAP_OUT		5	/* pages: pswpout */
#define MRM_STAT_MAJOR_FAULTS		6	/* count: pgmajfault */
#define MRM_STAT_PSI_SOME_AVG10		7	/* 0.01 %: memory some avg10 */
#define MRM_STAT_PSI_FULL_AVG10		8	/* 0.01 %: memory full avg10 */
#define MRM_STAT_PSI_SOME_TOTAL		9	/* us: memory some total */
#define MRM_STAT_PSI_FULL_TOTAL		10	/* us: memory full total */
#define MRM_STAT_BALLOON		11	/* pages: in the balloon, acked */
#define MRM_STAT_TAG_MAX		MRM_STAT_BALLOON
#define MRM_STAT_PSI_AVG_MAX		10000	/* 100.00 % */

/**
 * struct mrm_stat - one statistic in a STATS message
 * @tag: MRM_STAT_* (0 is never valid); each tag at most once per message
 * @reserved0: zero
 * @reserved1: zero
 * @value: the value, in the unit of @tag
 *
 * Size: 16 bytes.
 */
struct mrm_stat {
	__le16 tag;
	__le16 reserved0;
	__le32 reserved1;
	__le64 value;
};

/**
 * struct mrm_msg_stats - STATS payload (G->H)
 * @nr_stats: entries that follow, 0..MRM_PROTO_MAX_STATS
 * @reserved0: zero
 * @reserved1: zero
 * @stats: @nr_stats entries, in any order
 *
 * Size: 8 + 16 * @nr_stats bytes.
 */
struct mrm_msg_stats {
	__le16 nr_stats;
	__le16 reserved0;
	__le32 reserved1;
	struct mrm_stat stats[];
};

/*
 * ERROR codes.  Informational: a receiver accepts any non-zero code, and
 * new codes may be added without a new version.
 */
#define MRM_ERR_MALFORMED		1	/* bad magic, length or field */
#define MRM_ERR_VERSION			2	/* no common or unexpected version */
#define MRM_ERR_UNEXPECTED		3	/* not legal now: state, seq, ACK, caps */
#define MRM_ERR_TOO_LONG		4	/* length or count over a limit */
#define MRM_ERR_REFUSED			5	/* host will not serve this peer */
#define MRM_ERR_RATE			6	/* peer grossly over its rate budget */
#define MRM_ERR_RESOURCE		7	/* sender out of memory or similar */
#define MRM_ERR_TIMEOUT			8	/* peer did not answer in time */
#define MRM_ERR_INTERNAL		9	/* sender's own bug or failure */

/**
 * struct mrm_msg_error - ERROR payload (either way), frozen for every version
 * @code: MRM_ERR_* (non-zero)
 * @reserved: zero
 * @ref_seq: seq of the message that caused the error, or of the last
 *	message received if none did, or 0 if nothing was received
 *
 * Size: 8 bytes.  The sender closes the connection after sending it; the
 * receiver closes without answering.
 */
struct mrm_msg_error {
	__le16 code;
	__le16 reserved;
	__le32 ref_seq;
};

/*
 * GOODBYE reasons.  Informational: a receiver accepts any non-zero reason,
 * and new reasons may be added without a new version.
 */
#define MRM_BYE_UNLOAD			1	/* module being unloaded */
#define MRM_BYE_SHUTDOWN		2	/* system shutting down */
#define MRM_BYE_DETACH			3	/* host detaches the VM */
#define MRM_BYE_REPLY			4	/* answer to the peer's GOODBYE */

/**
 * struct mrm_msg_goodbye - GOODBYE payload (either way)
 * @reason: MRM_BYE_* (non-zero)
 * @reserved0: zero
 * @reserved1: zero
 *
 * Size: 8 bytes.  The peer answers with GOODBYE; see the spec for what may
 * still cross it.
 */
struct mrm_msg_goodbye {
	__le16 reason;
	__le16 reserved0;
	__le32 reserved1;
};

/* --- Payload sizes -------------------------------------------------------- */

/* Payload bytes of an INFLATE or DEFLATE carrying @nr frames. */
#define MRM_MSG_FRAMES_LEN(nr) \
	(sizeof(struct mrm_msg_inflate) + (nr) * sizeof(__le64))
/* Payload bytes of a STATS message carrying @nr entries. */
#define MRM_MSG_STATS_LEN(nr) \
	(sizeof(struct mrm_msg_stats) + (nr) * sizeof(struct mrm_stat))
/* Largest payload of any message: an INFLATE/DEFLATE of MAX_FRAMES (4104). */
#define MRM_PROTO_MAX_PAYLOAD		MRM_MSG_FRAMES_LEN(MRM_PROTO_MAX_FRAMES)
/* Largest message, header included: the size of a receive buffer (4120). */
#define MRM_PROTO_MAX_MSG		(MRM_PROTO_HDR_SIZE + MRM_PROTO_MAX_PAYLOAD)

#endif /* _UAPI_LINUX_MRM_PROTO_H */
