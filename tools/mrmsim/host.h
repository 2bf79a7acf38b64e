/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The modelled KVM host of mrmsim: VMs (vm.h) whose accesses cost time,
 * a working-set sampler per VM, and the policy loop of mrm_host.ko run
 * once per tick through the real policy code.
 */
#ifndef _MRMSIM_HOST_H
#define _MRMSIM_HOST_H

#include "vm.h"
#include "../../host/policy/alloc.h"
#include "../../host/policy/memstate.h"
#include "../../host/policy/planner.h"
#include "../../host/policy/wss.h"
#include "../../host/policy/tests/prng.h"

#define HOST_MAX_VMS 8
/* One tick is one second of guest time. */
#define HOST_TICK_US 1000000U

/**
 * struct host_vm_config - one VM
 * @size_chunks: configured memory, chunks
 * @min_chunks: guaranteed memory, chunks
 * @shares: memory shares
 * @has_balloon: a balloon driver is connected
 * @has_cgroup: reclaimable through its cgroup (compress/swap)
 */
struct host_vm_config {
	u64 size_chunks;
	u64 min_chunks;
	u32 shares;
	bool has_balloon;
	bool has_cgroup;
};

/**
 * struct host_cost - guest time per access, microseconds
 * @hit_us: access to resident memory
 * @map_us: first touch (the host zeroes a page)
 * @host_fault_us: host swap-in
 * @guest_fault_us: guest swap-in
 */
struct host_cost {
	u32 hit_us;
	u32 map_us;
	u32 host_fault_us;
	u32 guest_fault_us;
};

/**
 * struct host_config - the host and its policy knobs
 * @chunk_pages: 4 KiB pages per chunk
 * @host_chunks: host memory
 * @overhead_chunks: host memory used by the host itself
 * @period_ticks: sampling period
 * @balloon_step: chunks a balloon moves per tick at most
 * @reclaim_step: chunks the host swaps out per VM per tick at most
 * @cost: access costs
 * @alloc: allocation knobs (tax rate)
 * @memstate: free-memory state knobs
 * @plan: planner knobs
 * @wss: sampling knobs
 */
struct host_config {
	u32 chunk_pages;
	u64 host_chunks;
	u64 overhead_chunks;
	u32 period_ticks;
	u64 balloon_step;
	u64 reclaim_step;
	struct host_cost cost;
	struct mrm_alloc_config alloc;
	struct mrm_memstate_config memstate;
	struct mrm_plan_config plan;
	struct mrm_wss_config wss;
};

/**
 * struct host_sim - a running host
 * @cfg: configuration
 * @n: number of VMs
 * @vmcfg: per-VM configuration
 * @vm: per-VM memory model
 * @wss: per-VM working-set estimator
 * @samples: per-VM sampled chunks of the current period
 * @reported: per-VM, per-sample: already reported touched
 * @budget_us: per-VM guest time left in this tick
 * @ms: free-memory state machine
 * @host_free: free host chunks
 * @targets: per-VM allocation targets, pages
 * @acts: per-VM plans of the last tick
 * @rng: sampling randomness
 * @tick: ticks completed
 */
struct host_sim {
	struct host_config cfg;
	int n;
	struct host_vm_config vmcfg[HOST_MAX_VMS];
	struct vm_model vm[HOST_MAX_VMS];
	struct mrm_wss wss[HOST_MAX_VMS];
	u32 *samples[HOST_MAX_VMS];
	bool *reported[HOST_MAX_VMS];
	s64 budget_us[HOST_MAX_VMS];
	struct mrm_memstate_machine ms;
	u64 host_free;
	u64 targets[HOST_MAX_VMS];
	struct mrm_plan_action acts[HOST_MAX_VMS];
	struct mrm_prng rng;
	u64 tick;
};

void host_config_default(struct host_config *cfg);
int host_init(struct host_sim *h, const struct host_config *cfg,
	      const struct host_vm_config *vms, int n, u64 seed);
void host_free_all(struct host_sim *h);
bool host_access(struct host_sim *h, int v, u32 chunk);
void host_tick(struct host_sim *h);
u32 host_estimate(const struct host_sim *h, int v);

#endif /* _MRMSIM_HOST_H */
