/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thrashing: a VM that keeps faulting its memory back from host swap.
 *
 * The sampler counts the distinct pages a VM touches per period.  A VM
 * whose working set does not fit in what it holds spends its time waiting
 * for swap-ins and touches few pages per period, so its sampled estimate
 * is low exactly when it needs memory most, and the idle memory tax
 * would then take from it as if it were idle.  The refault rate of its
 * cgroup (pages read back from swap or zswap per second) says what the
 * sampler cannot: a VM refaulting faster than a threshold uses all it
 * holds, and the loop gives the allocator an active fraction of one for
 * it until it has stayed below the threshold for a hold time.
 *
 * A guest that inflates its balloon may first have to fault in the pages
 * it hands over (a guest kernel with init_on_alloc zeroes every page it
 * allocates, and that page may be in host swap): refaults up to the
 * balloon's growth are the balloon's, not the workload's, and are not
 * counted.
 *
 * Plain C (see mrm/plain.h): built into mrm_host.ko and KUnit.
 */
#ifndef _MRM_POLICY_THRASH_H
#define _MRM_POLICY_THRASH_H

#include <mrm/plain.h>

/*
 * Refaults per second above which a VM is thrashing: 256 KiB/s of 4 KiB
 * pages.  Low on purpose: a VM held at memory.high is throttled by the
 * kernel and faults back slowly exactly when it is starved (measured in
 * 12-overcommit (c): a starved guest at ~0.5 MiB/s was not counted at
 * 1 MiB/s, looked idle and lost still more memory); an idle VM refaults
 * next to nothing (13-idle-tax: 0.02 MiB/s).
 */
#define MRM_THRASH_RATE_PAGES_DEFAULT	64U
/* How long a VM stays thrashing after its rate was last above it (ms). */
#define MRM_THRASH_HOLD_MS_DEFAULT	10000U
/*
 * Shortest window a rate is measured over (ms): readings closer together
 * leave the state alone.  The cgroup's counter is read at most every
 * 250 ms and may be that old, and a guest's refaults for an inflation
 * precede the balloon's growth by up to one batch: over at least a second
 * neither inflates the rate much.
 */
#define MRM_THRASH_WINDOW_MS_MIN	1000U

/**
 * struct mrm_thrash - one VM's refault state; owned and locked by the caller
 * @refaults: the VM's refault counter at the last update
 * @balloon_pages: the VM's balloon at the last update
 * @when_ms: time of the last update, in ms
 * @until_ms: the VM is thrashing before this time, in ms
 * @rate: refaults per second not explained by the balloon, last update
 * @primed: the fields above hold a first reading
 */
struct mrm_thrash {
	u64 refaults;
	u64 balloon_pages;
	u64 when_ms;
	u64 until_ms;
	u64 rate;
	bool primed;
};

bool mrm_thrash_update(struct mrm_thrash *t, u64 refaults, u64 balloon_pages,
		       u64 now_ms, u32 rate_pages, u32 hold_ms);

#endif /* _MRM_POLICY_THRASH_H */
