/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's balloon: the pages mrm_balloon holds away from the guest
 * kernel, and what the host has been told about each of them.
 *
 * A page held by the balloon is in exactly one of these places:
 *
 *   acked     in the balloon and acknowledged by the host in this session
 *             (order-0 pages on the balloon_compaction list, movable;
 *             order-9 pages on @huge).  The host has dropped their backing.
 *   reoffer   held, but the host of this session has not been told (or not
 *             yet asked to drop) them: pages migrated by compaction, every
 *             page after a reconnect, orphans after a new WELCOME.  Nothing
 *             was ever sent about them in this session, so freeing them is
 *             always safe.
 *   batch     listed in an INFLATE that is being built or is in flight.
 *             Never freed or moved until its ACK arrives (safety rule of
 *             Documentation/protocol.rst).
 *   orphan    listed in an INFLATE whose connection died before the ACK.
 *             Kept until a WELCOME on a new connection proves the old
 *             session is over, then moved to reoffer; leaked, not freed,
 *             if that never happens before unload.
 *
 * Sizes are counted in 4 KiB pages, the protocol's unit.
 */
#ifndef _MRM_GUEST_BALLOON_H
#define _MRM_GUEST_BALLOON_H

#include <linux/balloon_compaction.h>
#include <linux/bits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <mrm/proto.h>

/* Order of a huge balloon page: 2 MiB, the protocol's MRM_FRAME_ORDER_2M. */
#define MRM_BALLOON_HUGE_ORDER		MRM_FRAME_ORDER_2M
#define MRM_BALLOON_HUGE_PAGES		BIT(MRM_BALLOON_HUGE_ORDER)

/* INFLATE batches the guest keeps in flight at once. */
#define MRM_BALLOON_BATCHES		2
/*
 * Newly allocated 4 KiB pages per batch at most (64 MiB): a batch is in
 * flight until the host answers, and pages in flight cannot be given back
 * under pressure.
 */
#define MRM_BALLOON_BATCH_MAX_PAGES	16384

/* Frames freed behind the host's back, kept in struct mrm_balloon. */
#define MRM_BALLOON_NOTICES		MRM_PROTO_MAX_FRAMES

/**
 * struct mrm_balloon_batch - the pages of one INFLATE
 * @seq: header seq of the INFLATE, once @sent
 * @nr: frames in @frames
 * @sent: the INFLATE is on the wire and not yet acknowledged
 * @frames: packed frames in the order they are sent; the page of each is
 *	pfn_to_page() of its frame number
 */
struct mrm_balloon_batch {
	u32 seq;
	u16 nr;
	bool sent;
	__le64 frames[MRM_PROTO_MAX_FRAMES];
};

/**
 * struct mrm_balloon - the balloon
 * @lock: serialises every field below except @b_dev_info's list (see
 *	there) and @huge_failed.  Nothing allocates memory while holding it
 *	(allocation for the balloon happens outside it), so reclaim and the
 *	OOM notifier may wait for it from any task; compaction only tries it.
 * @b_dev_info: acked order-0 pages (balloon_compaction; its pages_lock
 *	protects its list, which compaction also walks)
 * @huge: acked order-9 pages (compound), linked through page->lru
 * @reoffer: held pages the host of this session does not know about
 * @orphans: pages of INFLATEs lost with their connection
 * @acked_pages: 4 KiB pages acked (on @b_dev_info, isolated from it by
 *	compaction, or on @huge)
 * @reoffer_pages: 4 KiB pages on @reoffer
 * @batch_pages: 4 KiB pages in @batch
 * @orphan_pages: 4 KiB pages on @orphans
 * @batch: INFLATE batches; unused ones have @nr == 0 and !@sent
 * @sent_batches: batches with @sent set; written under @lock, read
 *	locklessly by mrm_balloon_wait_acked()
 * @acked_wq: woken when @sent_batches falls (an ACK, the session's end)
 * @notice: frames freed under pressure or moved by compaction, to be
 *	reported by DEFLATE
 * @notice_nr: entries used in @notice
 * @notice_pages: when @notice is full, pressure keeps one acked order-0
 *	page of every MRM_NOTICE_PAGE_FRAMES it frees and writes the frames
 *	into it (struct mrm_notice_page), so it can free any amount without
 *	allocating; linked through page->lru
 * @notice_page_count: pages on @notice_pages
 * @notice_reason: the worst reason of the queued notices (OOM, then
 *	pressure, then migration)
 * @huge_failed: an order-9 allocation failed since the last reset; order 0
 *	is used until mrm_balloon_huge_retry().  Only the session thread
 *	reads or writes it, so it needs no lock.
 */
struct mrm_balloon {
	struct mutex lock;	/* see @lock above */
	struct balloon_dev_info b_dev_info;
	struct list_head huge;
	struct list_head reoffer;
	struct list_head orphans;
	u64 acked_pages;
	u64 reoffer_pages;
	u64 batch_pages;
	u64 orphan_pages;
	struct mrm_balloon_batch batch[MRM_BALLOON_BATCHES];
	unsigned int sent_batches;
	wait_queue_head_t acked_wq;
	__le64 notice[MRM_BALLOON_NOTICES];
	unsigned int notice_nr;
	struct list_head notice_pages;
	u64 notice_page_count;
	u16 notice_reason;
	bool huge_failed;
};

void mrm_balloon_init(struct mrm_balloon *b);
u64 mrm_balloon_held(struct mrm_balloon *b);
u64 mrm_balloon_acked(struct mrm_balloon *b);

struct mrm_balloon_batch *mrm_balloon_fill(struct mrm_balloon *b, u64 grow,
					   unsigned int max_frames,
					   bool huge_ok);
void mrm_balloon_batch_sent(struct mrm_balloon *b,
			    struct mrm_balloon_batch *batch, u32 seq);
int mrm_balloon_batch_acked(struct mrm_balloon *b, u32 seq,
			    unsigned int accepted);
void mrm_balloon_session_lost(struct mrm_balloon *b);
void mrm_balloon_session_welcomed(struct mrm_balloon *b);

unsigned int mrm_balloon_leak(struct mrm_balloon *b, u64 shrink,
			      __le64 *frames, unsigned int max_frames);
unsigned long mrm_balloon_release_pressure(struct mrm_balloon *b,
					   unsigned long pages, u16 reason);
bool mrm_balloon_wait_acked(struct mrm_balloon *b, unsigned int timeout_ms);
unsigned int mrm_balloon_take_notices(struct mrm_balloon *b, __le64 *frames,
				      unsigned int max_frames, u16 *reason);
void mrm_balloon_huge_retry(struct mrm_balloon *b);
u64 mrm_balloon_drain(struct mrm_balloon *b);

#endif /* _MRM_GUEST_BALLOON_H */
