/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the policy loop reads from and does to one VM, behind one small
 * interface: the loop (loop.c) stays the same whichever subsystem
 * measures the VM's memory, estimates its working set or reclaims from
 * its cgroup.  Implemented in loop_sense.c.
 */
#ifndef _MRM_HOST_LOOP_SENSE_H
#define _MRM_HOST_LOOP_SENSE_H

#include <linux/types.h>

struct mrm_vm;

/**
 * struct mrm_loop_usage - one VM's memory now, in 4 KiB pages
 * @mapped_pages: guest RAM resident in the VM's process
 * @consumed_pages: host memory the VM costs (mapped less what KSM saves)
 * @shared_pages: the VM's pages merged by KSM
 * @compressed_pages: the VM's pages in zswap
 * @swapped_pages: the VM's pages on swap
 * @refaults: pages faulted back from swap or zswap since the VM's cgroup
 *	was created (0 without a cgroup)
 * @active_frac: working-set estimate, Q16.16 (MRM_FRAC_ONE: all active)
 * @has_cgroup: the VM can be reclaimed and blocked through its cgroup
 */
struct mrm_loop_usage {
	u64 mapped_pages;
	u64 consumed_pages;
	u64 shared_pages;
	u64 compressed_pages;
	u64 swapped_pages;
	u64 refaults;
	u32 active_frac;
	bool has_cgroup;
};

void mrm_loop_sense(struct mrm_vm *vm, struct mrm_loop_usage *use);
int mrm_loop_reclaim(struct mrm_vm *vm, u64 bytes);
int mrm_loop_set_high(struct mrm_vm *vm, u64 bytes);
int mrm_loop_set_low(struct mrm_vm *vm, u64 bytes);
int mrm_loop_current(struct mrm_vm *vm, u64 *bytes);

#endif /* _MRM_HOST_LOOP_SENSE_H */
