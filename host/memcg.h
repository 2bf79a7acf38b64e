/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's memory cgroup: the accounting of its memory (mapped, consumed,
 * shared, compressed, swapped) and the mechanisms that reclaim it through
 * the cgroup (memory.reclaim: compress and swap; memory.high: block),
 * and the protection of its target from the kernel's own reclaim
 * (memory.low).
 * See Documentation/reclaim.rst.
 *
 * The policy loop uses the functions below; each takes a VM the caller
 * holds a reference to, and may sleep.  A VM attached without a cgroup
 * (no MRM_ATTACH_CGROUP) has accounting but no reclaim: the reclaim and
 * block functions (and memory.low and memory.current) return -EOPNOTSUPP
 * for it.
 */
#ifndef _MRM_HOST_MEMCG_H
#define _MRM_HOST_MEMCG_H

#include <linux/types.h>

#include "vm.h"

struct attribute_group;

/**
 * struct mrm_memcg_usage - what a VM's memory costs the host, in bytes
 * @mapped: guest RAM resident in the VM process (RSS anon+shmem of kvm->mm)
 * @consumed: host memory the VM costs: mapped minus what KSM saves
 * @shared: bytes of the VM's pages merged by KSM (mm->ksm_merging_pages)
 * @compressed: cgroup memory.stat zswapped (0 without cgroup)
 * @swapped: cgroup memory.swap.current minus zswap part, never negative
 *	(0 without cgroup)
 * @refaults: pages read back from swap or zswap since the cgroup was
 *	created (memory.stat workingset_refault_anon; 0 without cgroup);
 *	a count of pages, not bytes
 */
struct mrm_memcg_usage {
	u64 mapped;
	u64 consumed;
	u64 shared;
	u64 compressed;
	u64 swapped;
	u64 refaults;
};

extern const struct mrm_vm_hooks mrm_vm_memcg_hooks;

void mrm_memcg_usage(struct mrm_vm *vm, struct mrm_memcg_usage *usage);
bool mrm_memcg_can_reclaim(struct mrm_vm *vm);
int mrm_memcg_reclaim(struct mrm_vm *vm, u64 bytes);
void mrm_memcg_reclaim_limit(struct mrm_vm *vm, u64 bytes);
int mrm_memcg_set_high(struct mrm_vm *vm, u64 bytes);
int mrm_memcg_set_low(struct mrm_vm *vm, u64 bytes);
int mrm_memcg_current(struct mrm_vm *vm, u64 *bytes);
u64 mrm_memcg_reclaimed_bytes(struct mrm_vm *vm);

/* For the VM's sysfs files (memcg_sysfs.c). */
extern const struct attribute_group mrm_vm_memcg_group;
const char *mrm_memcg_path(struct mrm_vm *vm);
bool mrm_memcg_high(struct mrm_vm *vm, u64 *bytes);
bool mrm_memcg_low(struct mrm_vm *vm, u64 *bytes);

#endif /* _MRM_HOST_MEMCG_H */
