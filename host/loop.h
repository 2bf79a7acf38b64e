/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host policy loop: once a period (1 s by default) it reads the host's
 * free memory, updates the free-memory state, computes every attached VM's
 * target from its shares, min, max and working set with the idle memory
 * tax, and acts through the reclaim planner, cheapest technique first:
 * balloon targets, reclaim through the VM's memory cgroup (zswap in front
 * of swap), memory.high to block.  The arithmetic is the plain-C policy in
 * policy/; this file senses, applies and schedules.  See
 * Documentation/loop.rst.
 *
 * Locking
 * -------
 * mrm_loop_lock (loop.c, a mutex) protects the global configuration, the
 * state machine, the host status and every VM's struct mrm_vm_policy.
 * One run of the loop holds it throughout; sysfs handlers take it; a
 * VM's policy ->detach takes it, so no run acts on a VM after that hook.
 * Holders may look VMs up and drop references (mrm_vms_lock nests
 * inside it); it is never taken with mrm_vms_lock held.
 */
#ifndef _MRM_HOST_LOOP_H
#define _MRM_HOST_LOOP_H

#include <linux/types.h>

#include "policy/alloc.h"
#include "policy/memstate.h"
#include "policy/planner.h"
#include "policy/thrash.h"

struct attribute_group;
struct mrm_vm;

/* Period of the loop in milliseconds: default and valid range. */
#define MRM_LOOP_PERIOD_MS_DEFAULT	1000U
#define MRM_LOOP_PERIOD_MS_MIN		100U
#define MRM_LOOP_PERIOD_MS_MAX		60000U
/*
 * Below the high state the loop runs this many times more often (but
 * never more often than every MRM_LOOP_PERIOD_MS_MIN ms): memory is short
 * and the guests' reaction to a new target is what brings it back.
 */
#define MRM_LOOP_FAST_DIVISOR		4U
/* How long a guest's pressure report holds its balloon back (ms). */
#define MRM_LOOP_PRESSURE_HOLD_MS_DEFAULT	30000U
#define MRM_LOOP_PRESSURE_HOLD_MS_MAX		600000U
/* Balloon target changes smaller than this (1 MiB) are not sent. */
#define MRM_LOOP_BALLOON_DEADBAND_PAGES	256U
/* Default shares of a VM and their valid range. */
#define MRM_LOOP_SHARES_DEFAULT		1000U
#define MRM_LOOP_SHARES_MAX		1000000U

/**
 * struct mrm_loop_config - the global knobs (under mrm_loop_lock)
 * @enabled: the loop acts; when false it still senses and reports, sets
 *	nothing, and every VM it blocked is released.  Balloon targets are
 *	left where they are for the operator (balloon_target is writable
 *	again).
 * @period_ms: time between runs in the high state
 * @pressure_hold_ms: a guest that reported memory pressure this recently
 *	gets no bigger balloon
 * @alloc: idle-tax allocation (global tau)
 * @memstate: free-memory thresholds and hysteresis
 * @plan: reclaim planner (balloon cap)
 */
struct mrm_loop_config {
	bool enabled;
	u32 period_ms;
	u32 pressure_hold_ms;
	struct mrm_alloc_config alloc;
	struct mrm_memstate_config memstate;
	struct mrm_plan_config plan;
};

/**
 * struct mrm_vm_policy - one VM as the policy sees it (under mrm_loop_lock;
 *	sysfs show() handlers may read single fields with READ_ONCE())
 * @shares: relative right to memory, 1..MRM_LOOP_SHARES_MAX
 * @tax_pct: per-VM idle tax in percent or MRM_ALLOC_TAX_INHERIT
 * @min_bytes: guaranteed memory: never reclaimed below it
 * @max_bytes: most memory the VM gets; 0 means its configured size
 * @size_pages: configured size at the last run
 * @mapped_pages: guest RAM resident in the VM process at the last run
 * @consumed_pages: host memory the VM costs at the last run
 * @shared_pages: pages KSM merged at the last run
 * @compressed_pages: pages in zswap at the last run
 * @swapped_pages: pages on swap at the last run
 * @refaulted_pages: pages faulted back from swap or zswap (cgroup
 *	counter) at the last run
 * @thrash: refault-rate state (policy/thrash.h)
 * @thrashing: the VM refaulted fast enough recently that it is taken as
 *	using all it holds: @active_frac is one
 * @active_frac: working-set estimate used at the last run, Q16.16: the
 *	sampler's, or one while @thrashing
 * @target_pages: target of the last run
 * @balloon_target_pages: the balloon target the loop set last
 * @actions: MRM_ACT_* bits of the last plan
 * @shortfall_pages: excess no allowed technique covered at the last run
 * @reclaim_requested_pages: total pages asked of the VM's cgroup
 * @blocked: memory.high is held at @block_limit_pages by the loop
 * @block_limit_pages: the memory.high the loop set while @blocked
 * @has_balloon: the guest's balloon was connected at the last run
 * @has_cgroup: the VM could be reclaimed through its cgroup
 * @guest_pressure: the guest reported pressure within the hold time
 * @reclaiming: the loop's last reclaim request may still be pending
 * @protected: the loop set memory.low of the VM's cgroup to its target
 * @detached: the VM's ->detach hook ran: the loop no longer acts on it
 */
struct mrm_vm_policy {
	u32 shares;
	u32 tax_pct;
	u64 min_bytes;
	u64 max_bytes;

	u64 size_pages;
	u64 mapped_pages;
	u64 consumed_pages;
	u64 shared_pages;
	u64 compressed_pages;
	u64 swapped_pages;
	u64 refaulted_pages;
	struct mrm_thrash thrash;
	bool thrashing;
	u32 active_frac;
	u64 target_pages;
	u64 balloon_target_pages;
	u32 actions;
	u64 shortfall_pages;
	u64 reclaim_requested_pages;
	bool blocked;
	u64 block_limit_pages;
	bool has_balloon;
	bool has_cgroup;
	bool guest_pressure;
	bool reclaiming;
	bool protected;
	bool detached;
};

/**
 * struct mrm_loop_status - what the last run saw and did (under
 *	mrm_loop_lock)
 * @runs: runs since load
 * @host_pages: host RAM
 * @free_pages: host free memory (si_mem_available())
 * @avail_pages: memory for VMs: what they consume plus free memory less
 *	minfree
 * @vms: VMs attached at the last run
 * @mapped_pages: sum over VMs
 * @consumed_pages: sum over VMs
 * @shared_pages: sum over VMs
 * @ballooned_pages: sum over VMs (host records)
 * @compressed_pages: sum over VMs
 * @swapped_pages: sum over VMs
 * @target_pages: sum over VMs
 * @soft_entered: jiffies when the host last left high, 0 if in high
 * @last_recovery_ms: how long the last stay below high lasted
 */
struct mrm_loop_status {
	u64 runs;
	u64 host_pages;
	u64 free_pages;
	u64 avail_pages;
	u32 vms;
	u64 mapped_pages;
	u64 consumed_pages;
	u64 shared_pages;
	u64 ballooned_pages;
	u64 compressed_pages;
	u64 swapped_pages;
	u64 target_pages;
	unsigned long soft_entered;
	u64 last_recovery_ms;
};

extern struct mutex mrm_loop_lock;
extern struct mrm_loop_config mrm_loop_config;
extern struct mrm_memstate_machine mrm_loop_memstate;
extern struct mrm_loop_status mrm_loop_status;

/* Per-VM state: struct mrm_vm.policy, set up and torn down by these hooks. */
extern const struct mrm_vm_hooks mrm_vm_policy_hooks;

int mrm_loop_start(void);
void mrm_loop_stop(void);
void mrm_loop_kick(void);
int mrm_loop_set_config(const struct mrm_loop_config *cfg);
int mrm_loop_set_vm_min(struct mrm_vm *vm, u64 min_bytes);
bool mrm_loop_enabled(void);

/* loop_sysfs.c */
extern const struct attribute_group mrm_vm_policy_group;
int mrm_loop_sysfs_init(void);
void mrm_loop_sysfs_exit(void);

#endif /* _MRM_HOST_LOOP_H */
