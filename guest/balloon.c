// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's balloon: page bookkeeping (see balloon.h for where a page can
 * be and why).  This file allocates and frees pages and keeps the host's
 * view in step with the protocol's safety rule; it sends nothing itself.
 * The session thread (session.c) drives it toward the host's target, the
 * pressure hooks (pressure.c) take pages back under guest memory pressure,
 * and compaction migrates order-0 balloon pages through
 * mrm_balloon_migratepage().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/vmstat.h>

#include "balloon.h"

/* Frames are in 4 KiB units; mrm_balloon supports 4 KiB-page guests. */
static_assert(PAGE_SIZE == 4096);

/*
 * Huge balloon pages: taken only when free (no reclaim, no warning, no
 * emergency reserves), and not movable: compaction only migrates order-0
 * balloon pages.
 */
#define MRM_BALLOON_HUGE_GFP \
	(__GFP_HIGHMEM | __GFP_COMP | __GFP_NOWARN | __GFP_NORETRY | \
	 __GFP_NOMEMALLOC)

/*
 * A balloon page reused to hold the frames of pages freed under pressure
 * while the notice array is full.  Its own frame is entry 0, so the page
 * leaves the balloon with the last DEFLATE made from it.  An acked page
 * may be written: the host only dropped its old contents.
 */
struct mrm_notice_page {
	u32 nr;
	u32 reserved;
	__le64 frames[];
};

#define MRM_NOTICE_PAGE_FRAMES \
	((PAGE_SIZE - sizeof(struct mrm_notice_page)) / sizeof(__le64))

/* mrm_balloon_drain() warns this often while compaction keeps pages. */
#define MRM_BALLOON_DRAIN_WAIT_MS	5000
#define MRM_BALLOON_DRAIN_POLL_MS	10

static unsigned int mrm_page_units(struct page *page)
{
	return 1U << compound_order(page);
}

static void mrm_page_free(struct page *page)
{
	__free_pages(page, compound_order(page));
}

static __le64 mrm_page_frame(struct page *page)
{
	__le64 frame;

	/* Cannot fail: a page's pfn is aligned to its order. */
	WARN_ON_ONCE(mrm_proto_frame_pack(page_to_pfn(page),
					  compound_order(page), &frame));
	return frame;
}

static struct page *mrm_frame_page(__le64 frame)
{
	struct mrm_frame f;

	/* Frames in batches were packed by mrm_page_frame(). */
	WARN_ON_ONCE(mrm_proto_frame_unpack(frame, &f));
	return pfn_to_page(f.gfn);
}

/* The worst reason wins: OOM over pressure over migration. */
static u16 mrm_notice_rank(u16 reason)
{
	switch (reason) {
	case MRM_DEFLATE_OOM:
		return 3;
	case MRM_DEFLATE_PRESSURE:
		return 2;
	case MRM_DEFLATE_MIGRATE:
		return 1;
	default:
		return 0;
	}
}

/* Caller holds b->lock.  Notices just queued were freed for @reason. */
static void mrm_notice_reason(struct mrm_balloon *b, u16 reason)
{
	if (mrm_notice_rank(reason) > mrm_notice_rank(b->notice_reason))
		b->notice_reason = reason;
}

#ifdef CONFIG_BALLOON_COMPACTION
/*
 * Compaction moves an acked order-0 page: @page leaves the balloon (it was
 * acked, so freeing it is safe; the host hears a DEFLATE for it) and
 * @newpage joins it on the reoffer list, so the next INFLATE asks the host
 * to drop its backing.  Never waits: a busy balloon or a full notice queue
 * makes compaction try again later.
 */
static int mrm_balloon_migratepage(struct balloon_dev_info *b_dev_info,
				   struct page *newpage, struct page *page,
				   enum migrate_mode mode)
{
	struct mrm_balloon *b = container_of(b_dev_info, struct mrm_balloon,
					     b_dev_info);
	unsigned long flags;

	if (!mutex_trylock(&b->lock))
		return -EAGAIN;
	if (b->notice_nr >= MRM_BALLOON_NOTICES) {
		mutex_unlock(&b->lock);
		return -EAGAIN;
	}

	get_page(newpage);	/* the balloon's reference */
	list_add_tail(&newpage->lru, &b->reoffer);
	b->reoffer_pages++;

	spin_lock_irqsave(&b_dev_info->pages_lock, flags);
	b_dev_info->isolated_pages--;
	spin_unlock_irqrestore(&b_dev_info->pages_lock, flags);
	b->acked_pages--;
	b->notice[b->notice_nr++] = mrm_page_frame(page);
	mrm_notice_reason(b, MRM_DEFLATE_MIGRATE);
	__count_vm_event(BALLOON_MIGRATE);
	mutex_unlock(&b->lock);

	balloon_page_finalize(page);
	put_page(page);		/* the balloon's reference */
	return MIGRATEPAGE_SUCCESS;
}
#endif

/**
 * mrm_balloon_init() - set up an empty balloon
 * @b: the balloon
 */
void mrm_balloon_init(struct mrm_balloon *b)
{
	memset(b, 0, sizeof(*b));
	mutex_init(&b->lock);
	balloon_devinfo_init(&b->b_dev_info);
#ifdef CONFIG_BALLOON_COMPACTION
	b->b_dev_info.migratepage = mrm_balloon_migratepage;
#endif
	INIT_LIST_HEAD(&b->huge);
	INIT_LIST_HEAD(&b->reoffer);
	INIT_LIST_HEAD(&b->orphans);
	INIT_LIST_HEAD(&b->notice_pages);
	init_waitqueue_head(&b->acked_wq);
}

/**
 * mrm_balloon_held() - 4 KiB pages the balloon keeps from the guest
 * @b: the balloon
 *
 * Return: acked, reoffered, in-flight and orphaned pages together.
 */
u64 mrm_balloon_held(struct mrm_balloon *b)
{
	u64 held;

	mutex_lock(&b->lock);
	held = b->acked_pages + b->reoffer_pages + b->batch_pages +
	       b->orphan_pages + b->notice_page_count;
	mutex_unlock(&b->lock);
	return held;
}

/**
 * mrm_balloon_acked() - 4 KiB pages the host has acknowledged this session
 * @b: the balloon
 *
 * Return: the balloon size as the host of this session accounts it.
 */
u64 mrm_balloon_acked(struct mrm_balloon *b)
{
	u64 acked;

	mutex_lock(&b->lock);
	acked = b->acked_pages;
	mutex_unlock(&b->lock);
	return acked;
}

/* An unused batch slot, or NULL.  Caller holds b->lock. */
static struct mrm_balloon_batch *mrm_batch_free_slot(struct mrm_balloon *b)
{
	unsigned int i;

	for (i = 0; i < MRM_BALLOON_BATCHES; i++)
		if (!b->batch[i].sent && !b->batch[i].nr)
			return &b->batch[i];
	return NULL;
}

/* Caller holds b->lock.  Adds @page as the next frame of @batch. */
static void mrm_batch_add(struct mrm_balloon *b,
			  struct mrm_balloon_batch *batch, struct page *page)
{
	batch->frames[batch->nr++] = mrm_page_frame(page);
	b->batch_pages += mrm_page_units(page);
}

/*
 * Caller holds b->lock.  Put an acked order-0 page on the balloon list.
 * balloon_page_enqueue() BUG()s if it cannot trylock the page, which is
 * only safe for a page that was never a balloon page.  A page that was one
 * before (dequeued by mrm_balloon_session_welcomed() and reoffered) keeps
 * PAGE_MAPPING_MOVABLE in ->mapping, so compaction's isolate_movable_page()
 * may hold its lock for a moment while it finds out the page is not
 * movable: wait for it.  Nobody who holds a page lock waits for b->lock
 * (mrm_balloon_migratepage() only tries it).
 */
static void mrm_balloon_enqueue(struct mrm_balloon *b, struct page *page)
{
	unsigned long flags;

	lock_page(page);
	spin_lock_irqsave(&b->b_dev_info.pages_lock, flags);
	balloon_page_insert(&b->b_dev_info, page);
	spin_unlock_irqrestore(&b->b_dev_info.pages_lock, flags);
	unlock_page(page);
	count_vm_event(BALLOON_INFLATE);
}

/* Allocate one page for the balloon: 2 MiB if allowed and free, else 4 KiB. */
static struct page *mrm_balloon_alloc(struct mrm_balloon *b, u64 grow,
				      bool huge_ok)
{
	struct page *page;

	if (huge_ok && !b->huge_failed && grow >= MRM_BALLOON_HUGE_PAGES) {
		page = alloc_pages(MRM_BALLOON_HUGE_GFP, MRM_BALLOON_HUGE_ORDER);
		if (page)
			return page;
		b->huge_failed = true;
	}
	return balloon_page_alloc();
}

/**
 * mrm_balloon_fill() - build the next INFLATE
 * @b: the balloon
 * @grow: 4 KiB pages the balloon may grow by (0: only reoffer pages)
 * @max_frames: frames allowed in one INFLATE (from WELCOME)
 * @huge_ok: the session accepted MRM_CAP_FRAME_2M
 *
 * Puts reoffer pages first, then newly allocated pages until @grow (at
 * most MRM_BALLOON_BATCH_MAX_PAGES) is used
 * up, @max_frames is reached or an allocation fails (the guest has no more
 * free memory to give: the caller stops inflating).  Allocation happens
 * without b->lock, so reclaim triggered by it can still deflate.  Only the
 * session thread calls this.
 *
 * Return: a batch to send (then call mrm_balloon_batch_sent()), or NULL if
 * there is nothing to send or no free batch slot.
 */
struct mrm_balloon_batch *mrm_balloon_fill(struct mrm_balloon *b, u64 grow,
					   unsigned int max_frames,
					   bool huge_ok)
{
	struct mrm_balloon_batch *batch;
	struct page *page, *tmp;
	LIST_HEAD(fresh);
	unsigned int room;

	max_frames = min_t(unsigned int, max_frames, MRM_PROTO_MAX_FRAMES);

	mutex_lock(&b->lock);
	batch = mrm_batch_free_slot(b);
	if (!batch) {
		mutex_unlock(&b->lock);
		return NULL;
	}
	list_for_each_entry_safe(page, tmp, &b->reoffer, lru) {
		if (batch->nr >= max_frames)
			break;
		list_del(&page->lru);
		b->reoffer_pages -= mrm_page_units(page);
		if (!huge_ok && compound_order(page)) {
			/* This host takes no 2 MiB frames; it never saw it. */
			mrm_page_free(page);
			continue;
		}
		mrm_batch_add(b, batch, page);
	}
	room = max_frames - batch->nr;
	mutex_unlock(&b->lock);

	grow = min_t(u64, grow, MRM_BALLOON_BATCH_MAX_PAGES);
	while (room && grow) {
		/*
		 * Each page is zeroed (init_on_alloc), and under host memory
		 * pressure the host may have to swap it in first: seconds
		 * per batch.  Let the guest's tasks run meanwhile (a 1-vCPU
		 * guest's workload starved here, soft lockup at 22 s).
		 */
		cond_resched();
		page = mrm_balloon_alloc(b, grow, huge_ok);
		if (!page)
			break;
		list_add_tail(&page->lru, &fresh);
		grow -= min_t(u64, grow, mrm_page_units(page));
		room--;
	}

	mutex_lock(&b->lock);
	list_for_each_entry_safe(page, tmp, &fresh, lru) {
		list_del(&page->lru);
		mrm_batch_add(b, batch, page);
	}
	mutex_unlock(&b->lock);
	return batch->nr ? batch : NULL;
}

/**
 * mrm_balloon_batch_sent() - record that a batch's INFLATE is on the wire
 * @b: the balloon
 * @batch: from mrm_balloon_fill()
 * @seq: the INFLATE's header seq
 */
void mrm_balloon_batch_sent(struct mrm_balloon *b,
			    struct mrm_balloon_batch *batch, u32 seq)
{
	mutex_lock(&b->lock);
	batch->seq = seq;
	batch->sent = true;
	WRITE_ONCE(b->sent_batches, b->sent_batches + 1);
	mutex_unlock(&b->lock);
}

/**
 * mrm_balloon_batch_acked() - the host answered an INFLATE
 * @b: the balloon
 * @seq: the INFLATE's seq, from the ACK
 * @accepted: frames [0, @accepted) are in the balloon; the host will not
 *	touch the others, which are freed
 *
 * Return: 0, or -ENOENT if no INFLATE with @seq is in flight (the session
 * layer validates ACKs, so this means a bug) or @accepted is too large.
 */
int mrm_balloon_batch_acked(struct mrm_balloon *b, u32 seq,
			    unsigned int accepted)
{
	struct mrm_balloon_batch *batch = NULL;
	unsigned int i;

	mutex_lock(&b->lock);
	for (i = 0; i < MRM_BALLOON_BATCHES; i++)
		if (b->batch[i].sent && b->batch[i].seq == seq)
			batch = &b->batch[i];
	if (!batch || accepted > batch->nr) {
		mutex_unlock(&b->lock);
		return -ENOENT;
	}
	for (i = 0; i < batch->nr; i++) {
		struct page *page = mrm_frame_page(batch->frames[i]);
		unsigned int units = mrm_page_units(page);

		b->batch_pages -= units;
		if (i >= accepted) {
			mrm_page_free(page);
		} else if (compound_order(page)) {
			list_add_tail(&page->lru, &b->huge);
			b->acked_pages += units;
		} else {
			mrm_balloon_enqueue(b, page);
			b->acked_pages += units;
		}
	}
	batch->nr = 0;
	batch->sent = false;
	WRITE_ONCE(b->sent_batches, b->sent_batches - 1);
	mutex_unlock(&b->lock);
	wake_up_all(&b->acked_wq);
	return 0;
}

/**
 * mrm_balloon_session_lost() - the connection ended
 * @b: the balloon
 *
 * Pages of INFLATEs in flight become orphans (the host may or may not have
 * dropped their backing, and may still be doing so); pages of a batch not
 * yet sent go back to the reoffer list.
 */
void mrm_balloon_session_lost(struct mrm_balloon *b)
{
	unsigned int i, j;

	mutex_lock(&b->lock);
	for (i = 0; i < MRM_BALLOON_BATCHES; i++) {
		struct mrm_balloon_batch *batch = &b->batch[i];

		for (j = 0; j < batch->nr; j++) {
			struct page *page = mrm_frame_page(batch->frames[j]);
			unsigned int units = mrm_page_units(page);

			b->batch_pages -= units;
			if (batch->sent) {
				list_add_tail(&page->lru, &b->orphans);
				b->orphan_pages += units;
			} else {
				list_add_tail(&page->lru, &b->reoffer);
				b->reoffer_pages += units;
			}
		}
		batch->nr = 0;
		batch->sent = false;
	}
	WRITE_ONCE(b->sent_batches, 0);
	mutex_unlock(&b->lock);
	wake_up_all(&b->acked_wq);
}

/**
 * mrm_balloon_session_welcomed() - a new session has been welcomed
 * @b: the balloon
 *
 * The host guarantees that earlier sessions are over, but its record of
 * the balloon may be intact (same boot id) or gone (the host module was
 * reloaded).  So every page the balloon holds, orphans included, is
 * offered again: inflating a frame already in the record has no effect,
 * and a lost record is rebuilt.  Pending DEFLATE notices stay queued:
 * deflating a frame the host no longer records is ignored by it.
 * Compaction may hold a few acked pages isolated at this moment; they stay
 * acked (a small undercount on a host that lost its record, until the next
 * reconnect), which loses no data.
 */
void mrm_balloon_session_welcomed(struct mrm_balloon *b)
{
	struct page *page, *tmp;
	LIST_HEAD(pages);
	size_t n;

	mutex_lock(&b->lock);
	list_splice_tail_init(&b->orphans, &b->reoffer);
	b->reoffer_pages += b->orphan_pages;
	b->orphan_pages = 0;

	list_for_each_entry_safe(page, tmp, &b->huge, lru) {
		list_move_tail(&page->lru, &b->reoffer);
		b->acked_pages -= MRM_BALLOON_HUGE_PAGES;
		b->reoffer_pages += MRM_BALLOON_HUGE_PAGES;
	}
	n = balloon_page_list_dequeue(&b->b_dev_info, &pages, b->acked_pages);
	list_splice_tail(&pages, &b->reoffer);
	b->acked_pages -= n;
	b->reoffer_pages += n;

	b->huge_failed = false;
	mutex_unlock(&b->lock);
}

/* Caller holds b->lock.  Frees up to @want pages nobody was told about. */
static u64 mrm_balloon_free_reoffer(struct mrm_balloon *b, u64 want)
{
	struct page *page, *tmp;
	u64 freed = 0;

	list_for_each_entry_safe(page, tmp, &b->reoffer, lru) {
		unsigned int units = mrm_page_units(page);

		if (freed >= want)
			break;
		list_del(&page->lru);
		b->reoffer_pages -= units;
		freed += units;
		mrm_page_free(page);
	}
	return freed;
}

/*
 * Caller holds b->lock.  Frees acked pages worth about @want 4 KiB pages,
 * at most @max_frames of them, writing their frames to @frames.  Huge
 * pages go first while at least one fits in @want; if only huge pages are
 * left, one is freed even if that overshoots.  Returns the frames written;
 * *@freed gets the 4 KiB pages freed.
 */
static unsigned int mrm_balloon_free_acked(struct mrm_balloon *b, u64 want,
					   __le64 *frames,
					   unsigned int max_frames, u64 *freed)
{
	unsigned int n = 0;
	struct page *page;
	LIST_HEAD(pages);
	size_t got;

	*freed = 0;
	while (n < max_frames && want - *freed >= MRM_BALLOON_HUGE_PAGES &&
	       !list_empty(&b->huge)) {
		page = list_first_entry(&b->huge, struct page, lru);
		list_del(&page->lru);
		frames[n++] = mrm_page_frame(page);
		b->acked_pages -= MRM_BALLOON_HUGE_PAGES;
		*freed += MRM_BALLOON_HUGE_PAGES;
		mrm_page_free(page);
	}
	if (n < max_frames && *freed < want) {
		got = balloon_page_list_dequeue(&b->b_dev_info, &pages,
						min_t(u64, want - *freed,
						      max_frames - n));
		while ((page = balloon_page_pop(&pages))) {
			frames[n++] = mrm_page_frame(page);
			mrm_page_free(page);
		}
		b->acked_pages -= got;
		*freed += got;
	}
	if (n < max_frames && *freed < want && !list_empty(&b->huge)) {
		page = list_first_entry(&b->huge, struct page, lru);
		list_del(&page->lru);
		frames[n++] = mrm_page_frame(page);
		b->acked_pages -= MRM_BALLOON_HUGE_PAGES;
		*freed += MRM_BALLOON_HUGE_PAGES;
		mrm_page_free(page);
	}
	return n;
}

/**
 * mrm_balloon_leak() - shrink the balloon toward a lower target
 * @b: the balloon
 * @shrink: 4 KiB pages to give back to the guest
 * @frames: where the frames of freed acked pages go (for a DEFLATE)
 * @max_frames: room at @frames
 *
 * Frees reoffer pages first (the host was not told about them), then
 * acked pages.  Acked pages may be reused at once: the host needs no
 * action before that, only the DEFLATE for its accounting.
 *
 * Return: frames written to @frames (send them as DEFLATE, reason
 * MRM_DEFLATE_REQUESTED).
 */
unsigned int mrm_balloon_leak(struct mrm_balloon *b, u64 shrink,
			      __le64 *frames, unsigned int max_frames)
{
	unsigned int n;
	u64 freed;

	mutex_lock(&b->lock);
	freed = mrm_balloon_free_reoffer(b, shrink);
	n = mrm_balloon_free_acked(b, shrink - min(freed, shrink), frames,
				   max_frames, &freed);
	mutex_unlock(&b->lock);
	return n;
}

/*
 * Caller holds b->lock.  A notice page with room, turning one more acked
 * order-0 page into one if needed; NULL if there is none to turn.
 */
static struct page *mrm_notice_page_room(struct mrm_balloon *b)
{
	struct mrm_notice_page *np;
	struct page *page;
	LIST_HEAD(one);
	u32 nr;

	if (!list_empty(&b->notice_pages)) {
		page = list_last_entry(&b->notice_pages, struct page, lru);
		np = kmap_local_page(page);
		nr = np->nr;
		kunmap_local(np);
		if (nr < MRM_NOTICE_PAGE_FRAMES)
			return page;
	}
	if (!balloon_page_list_dequeue(&b->b_dev_info, &one, 1))
		return NULL;
	page = balloon_page_pop(&one);
	b->acked_pages--;
	np = kmap_local_page(page);
	np->nr = 1;
	np->reserved = 0;
	np->frames[0] = mrm_page_frame(page);
	kunmap_local(np);
	list_add_tail(&page->lru, &b->notice_pages);
	b->notice_page_count++;
	return page;
}

/**
 * mrm_balloon_release_pressure() - give pages back to a guest under pressure
 * @b: the balloon
 * @pages: 4 KiB pages wanted
 * @reason: MRM_DEFLATE_PRESSURE (shrinker) or MRM_DEFLATE_OOM
 *
 * Called from reclaim and the OOM notifier: it never allocates and never
 * sends.  The frames of freed acked pages are queued for the session
 * thread's next DEFLATE: in the notice array, then in notice pages taken
 * from the balloon itself, so any amount can be freed at once.  Pages in
 * flight are never touched.
 *
 * Return: 4 KiB pages freed.
 */
unsigned long mrm_balloon_release_pressure(struct mrm_balloon *b,
					   unsigned long pages, u16 reason)
{
	struct mrm_notice_page *np;
	struct page *page;
	u64 freed, more;
	unsigned int n;

	mutex_lock(&b->lock);
	freed = mrm_balloon_free_reoffer(b, pages);
	while (freed < pages) {
		if (b->notice_nr < MRM_BALLOON_NOTICES) {
			n = mrm_balloon_free_acked(b, pages - freed,
						   &b->notice[b->notice_nr],
						   MRM_BALLOON_NOTICES -
						   b->notice_nr, &more);
			b->notice_nr += n;
		} else {
			page = mrm_notice_page_room(b);
			if (!page)
				break;
			np = kmap_local_page(page);
			n = mrm_balloon_free_acked(b, pages - freed,
						   &np->frames[np->nr],
						   MRM_NOTICE_PAGE_FRAMES -
						   np->nr, &more);
			np->nr += n;
			kunmap_local(np);
		}
		if (!n)
			break;
		freed += more;
	}
	if (freed)
		mrm_notice_reason(b, reason);
	mutex_unlock(&b->lock);
	return freed;
}

/**
 * mrm_balloon_wait_acked() - wait until no INFLATE is in flight
 * @b: the balloon
 * @timeout_ms: wait at most this long
 *
 * Pages in flight cannot be given back under pressure before the host
 * answers (it may be dropping their backing right now); an ACK or the end
 * of the session settles them.  For the OOM path, which would otherwise
 * find nothing to free while a large inflation is in flight.  Sleeps;
 * takes no lock.  Must not be called by the session thread, which
 * receives the ACKs.
 *
 * Return: true if nothing is in flight now.
 */
bool mrm_balloon_wait_acked(struct mrm_balloon *b, unsigned int timeout_ms)
{
	return wait_event_timeout(b->acked_wq, !READ_ONCE(b->sent_batches),
				  msecs_to_jiffies(timeout_ms)) > 0;
}

/**
 * mrm_balloon_take_notices() - frames freed behind the host's back
 * @b: the balloon
 * @frames: where to copy them
 * @max_frames: room at @frames
 * @reason: set to the DEFLATE reason to send them with
 *
 * Return: frames copied (and removed from the queue).
 */
unsigned int mrm_balloon_take_notices(struct mrm_balloon *b, __le64 *frames,
				      unsigned int max_frames, u16 *reason)
{
	unsigned int n;

	struct mrm_notice_page *np;
	struct page *page;

	mutex_lock(&b->lock);
	*reason = b->notice_reason;
	n = min(max_frames, b->notice_nr);
	if (n) {
		memcpy(frames, b->notice, n * sizeof(*frames));
		memmove(b->notice, &b->notice[n],
			(b->notice_nr - n) * sizeof(*b->notice));
		b->notice_nr -= n;
	} else {
		page = list_first_entry_or_null(&b->notice_pages, struct page,
						lru);
		if (page) {
			/* From the end: entry 0, the page itself, goes last. */
			np = kmap_local_page(page);
			n = min(max_frames, np->nr);
			np->nr -= n;
			memcpy(frames, &np->frames[np->nr], n * sizeof(*frames));
			kunmap_local(np);
			if (!np->nr) {
				list_del(&page->lru);
				b->notice_page_count--;
				mrm_page_free(page);
			}
		}
	}
	if (!b->notice_nr && list_empty(&b->notice_pages))
		b->notice_reason = 0;
	mutex_unlock(&b->lock);
	return n;
}

/**
 * mrm_balloon_huge_retry() - allow 2 MiB allocations again
 * @b: the balloon
 *
 * After an order-9 allocation fails, fill() uses 4 KiB pages until this is
 * called (on a new target, or periodically).  Session thread only.
 */
void mrm_balloon_huge_retry(struct mrm_balloon *b)
{
	b->huge_failed = false;
}

/*
 * Does compaction still hold, or may it still take, one of our pages?
 * Caller holds b->lock.  Pages on the list while the bookkeeping says
 * none are acked would be a bookkeeping bug: they are left allocated
 * (and counted by the caller's return value) rather than waited for
 * forever.
 */
static bool mrm_balloon_compaction_busy(struct mrm_balloon *b)
{
	struct balloon_dev_info *info = &b->b_dev_info;
	unsigned long flags;
	bool busy;

	spin_lock_irqsave(&info->pages_lock, flags);
	busy = (b->acked_pages && !list_empty(&info->pages)) ||
	       info->isolated_pages;
	spin_unlock_irqrestore(&info->pages_lock, flags);
	return busy;
}

/**
 * mrm_balloon_drain() - give every page back at module unload
 * @b: the balloon; the session must be over (mrm_balloon_session_lost()
 *	already called)
 *
 * Frees acked and reoffer pages.  A page that compaction has isolated is
 * waited for, however long it takes: compaction will call back into @b
 * (and this module) to migrate it or put it back, so neither may go away
 * before it has.  Orphans are never freed: the host might still drop
 * their backing, and the guest would lose what it then wrote there.
 *
 * Return: 4 KiB pages left allocated: orphans (and acked pages the
 * bookkeeping lost track of, none unless it has a bug).
 */
u64 mrm_balloon_drain(struct mrm_balloon *b)
{
	unsigned int waited = 0;
	struct page *page;
	__le64 frame;
	u64 freed, left;

	mutex_lock(&b->lock);
	mrm_balloon_free_reoffer(b, U64_MAX);
	while ((page = list_first_entry_or_null(&b->notice_pages, struct page,
						lru))) {
		list_del(&page->lru);
		b->notice_page_count--;
		mrm_page_free(page);
	}
	for (;;) {
		while (b->acked_pages &&
		       mrm_balloon_free_acked(b, b->acked_pages, &frame, 1,
					      &freed))
			;
		if (!mrm_balloon_compaction_busy(b))
			break;
		/* Isolated by compaction: it puts them back or migrates them. */
		mutex_unlock(&b->lock);
		msleep(MRM_BALLOON_DRAIN_POLL_MS);
		waited += MRM_BALLOON_DRAIN_POLL_MS;
		if (!(waited % MRM_BALLOON_DRAIN_WAIT_MS))
			pr_warn("unload waits for compaction to return balloon pages (%u s)\n",
				waited / 1000);
		mutex_lock(&b->lock);
		mrm_balloon_free_reoffer(b, U64_MAX);
	}
	left = b->acked_pages + b->orphan_pages;
	mutex_unlock(&b->lock);
	return left;
}
