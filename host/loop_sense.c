// SPDX-License-Identifier: GPL-2.0
/*
 * The policy loop's view of one VM (see loop_sense.h).
 *
 * Until the sampling and cgroup subsystems land, a VM is measured by its
 * process's resident anonymous and shared memory, counted as fully
 * active, and has no cgroup: the loop balloons only.
 */
#include <linux/kvm_host.h>
#include <linux/mm.h>

#include "loop_sense.h"
#include "policy/fixed.h"
#include "vm.h"

/**
 * mrm_loop_sense() - measure one VM
 * @vm: the VM (referenced by the caller)
 * @use: output
 */
void mrm_loop_sense(struct mrm_vm *vm, struct mrm_loop_usage *use)
{
	struct mm_struct *mm = vm->kvm->mm;

	memset(use, 0, sizeof(*use));
	use->mapped_pages = get_mm_counter(mm, MM_ANONPAGES) +
			    get_mm_counter(mm, MM_SHMEMPAGES);
	use->consumed_pages = use->mapped_pages;
	use->active_frac = MRM_FRAC_ONE;
}

/**
 * mrm_loop_reclaim() - reclaim from one VM through its cgroup
 * @vm: the VM
 * @bytes: how much
 *
 * Return: -EOPNOTSUPP: no VM has a cgroup yet.
 */
int mrm_loop_reclaim(struct mrm_vm *vm, u64 bytes)
{
	return -EOPNOTSUPP;
}

/**
 * mrm_loop_set_high() - block or release one VM through its cgroup
 * @vm: the VM
 * @bytes: memory.high, U64_MAX for the value before the loop set it
 *
 * Return: -EOPNOTSUPP: no VM has a cgroup yet.
 */
int mrm_loop_set_high(struct mrm_vm *vm, u64 bytes)
{
	return -EOPNOTSUPP;
}
