// SPDX-License-Identifier: GPL-2.0
/*
 * The policy loop's view of one VM (see loop_sense.h): its memory from
 * the cgroup subsystem (memcg.c), its working set from the sampler
 * (sample.c), and reclaim and block through its cgroup.
 */
#include <linux/mm.h>

#include "loop_sense.h"
#include "memcg.h"
#include "policy/fixed.h"
#include "sample.h"
#include "vm.h"

/**
 * mrm_loop_sense() - measure one VM
 * @vm: the VM (referenced by the caller)
 * @use: output
 *
 * The sampler estimates the active part of the VM's whole RAM (pages are
 * drawn across every memslot); the allocator wants the active part of
 * what the VM holds (P, here the consumed memory).  A VM that holds 400
 * MiB of 768 and touches 300 MiB is 75 % active for the allocator, not
 * 39 %: the conversion is active bytes over consumed bytes, at most one.
 */
void mrm_loop_sense(struct mrm_vm *vm, struct mrm_loop_usage *use)
{
	struct mrm_memcg_usage mem;
	u64 active;

	mrm_memcg_usage(vm, &mem);
	use->mapped_pages = mem.mapped >> PAGE_SHIFT;
	use->consumed_pages = mem.consumed >> PAGE_SHIFT;
	use->shared_pages = mem.shared >> PAGE_SHIFT;
	use->compressed_pages = mem.compressed >> PAGE_SHIFT;
	use->swapped_pages = mem.swapped >> PAGE_SHIFT;
	use->refaults = mem.refaults;
	use->has_cgroup = mrm_memcg_can_reclaim(vm);

	active = mrm_sample_active_bytes(vm);
	if (!mem.consumed || active >= mem.consumed)
		use->active_frac = MRM_FRAC_ONE;
	else
		use->active_frac = mrm_frac(active, mem.consumed);
}

/**
 * mrm_loop_reclaim() - reclaim from one VM through its cgroup
 * @vm: the VM (referenced by the caller)
 * @bytes: how much the VM is above what it may keep now; 0 if nothing
 *
 * What is still pending of an earlier request is cut to @bytes, then
 * @bytes is asked for: the cgroup reclaims what the VM is above its
 * target now, not what it was above it when a request was first made.
 * Asynchronous: never waits for the reclaim.
 *
 * Return: 0 or the error of mrm_memcg_reclaim() (-EOPNOTSUPP without a
 * cgroup, -ESRCH while the VM is being detached).
 */
int mrm_loop_reclaim(struct mrm_vm *vm, u64 bytes)
{
	mrm_memcg_reclaim_limit(vm, bytes);
	return bytes ? mrm_memcg_reclaim(vm, bytes) : 0;
}

/**
 * mrm_loop_set_high() - block or release one VM through its cgroup
 * @vm: the VM (referenced by the caller)
 * @bytes: memory.high, U64_MAX for the value it had at attach
 *
 * Synchronous: a limit below the cgroup's usage reclaims the difference
 * before this returns; the loop sets the VM's consumed memory, so little.
 *
 * Return: 0 or the error of mrm_memcg_set_high().
 */
int mrm_loop_set_high(struct mrm_vm *vm, u64 bytes)
{
	return mrm_memcg_set_high(vm, bytes);
}

/**
 * mrm_loop_set_low() - protect one VM up to its target through its cgroup
 * @vm: the VM (referenced by the caller)
 * @bytes: memory.low, U64_MAX for the value before the loop set it
 *
 * Return: 0 or the error of mrm_memcg_set_low().
 */
int mrm_loop_set_low(struct mrm_vm *vm, u64 bytes)
{
	return mrm_memcg_set_low(vm, bytes);
}

/**
 * mrm_loop_current() - what the VM's cgroup holds now (memory.current)
 * @vm: the VM (referenced by the caller)
 * @bytes: output
 *
 * Return: 0 or the error of mrm_memcg_current().
 */
int mrm_loop_current(struct mrm_vm *vm, u64 *bytes)
{
	return mrm_memcg_current(vm, bytes);
}
