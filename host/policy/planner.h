/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reclaim planner: from the free-memory state, each VM's target and what
 * it consumes now, decide per VM how big its balloon should be, how much
 * to push out through its memory cgroup, and whether to block it.
 *
 * A pure function of its inputs: no state is kept between calls.  Plain C
 * (see mrm/plain.h): built into mrm_host.ko, KUnit and mrmsim.  All
 * amounts are in pages (host pages; the balloon's pages are the guest's
 * and of the same size on x86).
 */
#ifndef _MRM_POLICY_PLANNER_H
#define _MRM_POLICY_PLANNER_H

#include "memstate.h"

/* Largest balloon, percent of the VM's size: default (ESX's 65 %). */
#define MRM_PLAN_BALLOON_MAX_PCT_DEFAULT 65U

/**
 * struct mrm_plan_config - planner knobs
 * @balloon_max_pct: a balloon never exceeds this share of its VM's size,
 *	0..100 (0 disables ballooning)
 */
struct mrm_plan_config {
	u32 balloon_max_pct;
};

/**
 * struct mrm_plan_vm - one VM as the planner sees it
 * @size_pages: configured guest memory
 * @min_pages: guaranteed memory, at most @size_pages
 * @target_pages: target from mrm_alloc_targets()
 * @consumed_pages: host memory backing the VM now
 * @balloon_pages: current balloon size (guest pages held by the balloon),
 *	at most @size_pages
 * @has_balloon: the guest's balloon driver is connected
 * @has_cgroup: the VM can be reclaimed through its own memory cgroup
 *	(compress and swap)
 * @guest_pressure: the guest reports memory pressure (see planner.c for
 *	what the planner does about it)
 */
struct mrm_plan_vm {
	u64 size_pages;
	u64 min_pages;
	u64 target_pages;
	u64 consumed_pages;
	u64 balloon_pages;
	bool has_balloon;
	bool has_cgroup;
	bool guest_pressure;
};

/**
 * struct mrm_plan_action - what to do to one VM now
 * @balloon_target_pages: balloon size to ask the guest for (may equal the
 *	current size: no change)
 * @reclaim_pages: pages to push out through the VM's memory cgroup
 *	(memory.reclaim).  One number for compression and swap: on Linux
 *	zswap sits in front of swap and both are driven by the same cgroup
 *	reclaim, which compresses first and writes to swap what zswap
 *	rejects or evicts.
 * @shortfall_pages: excess over the target that no allowed technique
 *	covers in this plan (balloon capped or backed off, no cgroup, or
 *	the state does not yet allow swapping)
 * @actions: enum mrm_action bits this plan uses for the VM
 * @block: stop the VM from allocating more (memory.high at its current
 *	consumption); only in the low state and only above target
 */
struct mrm_plan_action {
	u64 balloon_target_pages;
	u64 reclaim_pages;
	u64 shortfall_pages;
	u32 actions;
	bool block;
};

void mrm_plan_config_default(struct mrm_plan_config *cfg);
int mrm_plan_config_check(const struct mrm_plan_config *cfg);
int mrm_plan_vm(const struct mrm_plan_config *cfg, enum mrm_memstate state,
		const struct mrm_plan_vm *vm, struct mrm_plan_action *act);
int mrm_plan(const struct mrm_plan_config *cfg, enum mrm_memstate state,
	     const struct mrm_plan_vm *vms, size_t n,
	     struct mrm_plan_action *acts);

#endif /* _MRM_POLICY_PLANNER_H */
