/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free-memory states (Waldspurger section 6.2; Banerjee et al. tables 2
 * and 3): high, soft, hard, low, with hysteresis, and what each allows.
 *
 * Plain C (see mrm/plain.h): built into mrm_host.ko, KUnit and mrmsim.
 * Memory in pages; knobs in per-mille of host memory and percent of
 * minfree, as sysfs shows them.
 */
#ifndef _MRM_POLICY_MEMSTATE_H
#define _MRM_POLICY_MEMSTATE_H

#include "fixed.h"

/**
 * enum mrm_memstate - host free-memory state, from most to least free
 * @MRM_MEMSTATE_HIGH: enough free memory: no active reclaim
 * @MRM_MEMSTATE_SOFT: below the soft threshold: balloon
 * @MRM_MEMSTATE_HARD: below the hard threshold: compress and swap too
 * @MRM_MEMSTATE_LOW: below the low threshold: also block VMs above target
 * @MRM_MEMSTATE_COUNT: number of states
 */
enum mrm_memstate {
	MRM_MEMSTATE_HIGH,
	MRM_MEMSTATE_SOFT,
	MRM_MEMSTATE_HARD,
	MRM_MEMSTATE_LOW,
	MRM_MEMSTATE_COUNT,
};

/**
 * enum mrm_action - reclaim techniques and controls, cheapest first
 * @MRM_ACT_SHARE: page sharing (KSM); passive, always on
 * @MRM_ACT_BALLOON: inflate the guest's balloon
 * @MRM_ACT_COMPRESS: compress guest memory (zswap)
 * @MRM_ACT_SWAP: swap guest memory out (host swap)
 * @MRM_ACT_BLOCK: stop a VM above its target from allocating more
 */
enum mrm_action {
	MRM_ACT_SHARE = 1U << 0,
	MRM_ACT_BALLOON = 1U << 1,
	MRM_ACT_COMPRESS = 1U << 2,
	MRM_ACT_SWAP = 1U << 3,
	MRM_ACT_BLOCK = 1U << 4,
};

/* minfree as per-mille of host memory: default (the paper's 6 %), range. */
#define MRM_MEMSTATE_MINFREE_PM_DEFAULT 60U
#define MRM_MEMSTATE_MINFREE_PM_MIN 1U
#define MRM_MEMSTATE_MINFREE_PM_MAX 500U
/* State thresholds in percent of minfree (ESX's). */
#define MRM_MEMSTATE_SOFT_PCT_DEFAULT 64U
#define MRM_MEMSTATE_HARD_PCT_DEFAULT 32U
#define MRM_MEMSTATE_LOW_PCT_DEFAULT 16U
/*
 * Hysteresis margin in percent of minfree: a state is left only when free
 * memory exceeds its threshold by this much.  8 % is half the low
 * threshold, so each exit point (24, 40, 72 %) stays below the next
 * threshold up and a recovery passes through every state.
 */
#define MRM_MEMSTATE_MARGIN_PCT_DEFAULT 8U
#define MRM_MEMSTATE_MARGIN_PCT_MAX 100U

/**
 * struct mrm_memstate_config - free-memory state knobs
 * @minfree_pm: minfree in per-mille of host memory,
 *	MRM_MEMSTATE_MINFREE_PM_MIN..MAX
 * @soft_pct: soft threshold, percent of minfree, at most 100
 * @hard_pct: hard threshold, percent of minfree, below @soft_pct
 * @low_pct: low threshold, percent of minfree, below @hard_pct, above 0
 * @margin_pct: hysteresis margin, percent of minfree, 0 (none) to
 *	MRM_MEMSTATE_MARGIN_PCT_MAX
 */
struct mrm_memstate_config {
	u32 minfree_pm;
	u32 soft_pct;
	u32 hard_pct;
	u32 low_pct;
	u32 margin_pct;
};

/**
 * struct mrm_memstate_machine - the state machine; owned and locked by the caller
 * @minfree_pages: minfree in pages
 * @enter: free memory below @enter[s] puts the host in state s or lower
 *	(@enter[MRM_MEMSTATE_HIGH] is unused and 0)
 * @leave: free memory at or above @leave[s] = @enter[s] + margin lets the
 *	host leave state s upwards
 * @state: the current state
 * @transitions: state changes since mrm_memstate_init() (saturating)
 */
struct mrm_memstate_machine {
	u64 minfree_pages;
	u64 enter[MRM_MEMSTATE_COUNT];
	u64 leave[MRM_MEMSTATE_COUNT];
	enum mrm_memstate state;
	u64 transitions;
};

void mrm_memstate_config_default(struct mrm_memstate_config *cfg);
int mrm_memstate_config_check(const struct mrm_memstate_config *cfg);
int mrm_memstate_configure(struct mrm_memstate_machine *ms,
			   const struct mrm_memstate_config *cfg,
			   u64 host_pages);
int mrm_memstate_init(struct mrm_memstate_machine *ms,
		      const struct mrm_memstate_config *cfg, u64 host_pages);
enum mrm_memstate mrm_memstate_update(struct mrm_memstate_machine *ms,
				      u64 free_pages);
u32 mrm_memstate_actions(enum mrm_memstate state, bool has_balloon);
const char *mrm_memstate_name(enum mrm_memstate state);

#endif /* _MRM_POLICY_MEMSTATE_H */
