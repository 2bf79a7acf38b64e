/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Working-set sampling: per attached VM, every period, n guest pages
 * chosen at random are watched through KVM's secondary MMU, and the
 * fraction of them touched feeds the VM's estimator (policy/wss.c).  How
 * it works, what it costs and how it behaves with nested paging and with
 * the shadow MMU: Documentation/sampling.rst.
 *
 * The policy loop reads the estimate with mrm_sample_active_frac() or
 * mrm_sample_active_bytes(), for a VM it holds a reference to, from
 * process context.
 */
#ifndef _MRM_HOST_SAMPLE_H
#define _MRM_HOST_SAMPLE_H

#include <linux/types.h>

#include "vm.h"

extern const struct mrm_vm_hooks mrm_vm_sample_hooks;

int mrm_sample_init(void);
void mrm_sample_exit(void);
u32 mrm_sample_active_frac(struct mrm_vm *vm);
u64 mrm_sample_active_bytes(struct mrm_vm *vm);

#endif /* _MRM_HOST_SAMPLE_H */
