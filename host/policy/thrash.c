// SPDX-License-Identifier: GPL-2.0
/*
 * Thrashing detection from a VM's refault counter (see thrash.h).
 */
#include "thrash.h"

#define MRM_THRASH_MS_PER_S	1000U

/**
 * mrm_thrash_update() - feed one reading, tell whether the VM thrashes
 * @t: the VM's state, zeroed before the first call
 * @refaults: the VM's cumulative refault counter (pages read back from
 *	swap or zswap), as the cgroup reports it
 * @balloon_pages: the VM's balloon now, in pages
 * @now_ms: a monotonic clock, in ms
 * @rate_pages: refaults per second above which the VM is thrashing
 * @hold_ms: how long it stays thrashing after the rate was last above
 *
 * The first reading only primes @t.  A counter that went backwards (a
 * new cgroup) re-primes it.  A reading less than MRM_THRASH_WINDOW_MS_MIN
 * after the last one that counted changes nothing.  Refaults up to the
 * balloon's growth since the last reading are the balloon's (see
 * thrash.h) and do not count.
 *
 * Return: true if the VM is thrashing now.
 */
bool mrm_thrash_update(struct mrm_thrash *t, u64 refaults, u64 balloon_pages,
		       u64 now_ms, u32 rate_pages, u32 hold_ms)
{
	u64 faults, grown, elapsed;

	if (!t->primed || refaults < t->refaults || now_ms < t->when_ms) {
		t->refaults = refaults;
		t->balloon_pages = balloon_pages;
		t->when_ms = now_ms;
		t->rate = 0;
		t->primed = true;
		return now_ms < t->until_ms;
	}
	elapsed = now_ms - t->when_ms;
	if (elapsed < MRM_THRASH_WINDOW_MS_MIN)
		return now_ms < t->until_ms;

	faults = refaults - t->refaults;
	grown = balloon_pages > t->balloon_pages ?
		balloon_pages - t->balloon_pages : 0;
	faults -= faults < grown ? faults : grown;
	/* faults < 2^64 / 1000 in any real system; saturate if not. */
	t->rate = faults > U64_MAX / MRM_THRASH_MS_PER_S ?
		  U64_MAX : faults * MRM_THRASH_MS_PER_S / elapsed;
	if (t->rate > rate_pages)
		t->until_ms = now_ms + hold_ms;

	t->refaults = refaults;
	t->balloon_pages = balloon_pages;
	t->when_ms = now_ms;
	return now_ms < t->until_ms;
}
