/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page sharing: a VM's guest RAM is offered to the kernel's KSM at attach,
 * and what KSM merged is counted.  See Documentation/reclaim.rst.
 */
#ifndef _MRM_HOST_KSM_H
#define _MRM_HOST_KSM_H

#include <linux/types.h>

#include "vm.h"

struct kobj_attribute;

extern const struct mrm_vm_hooks mrm_vm_ksm_hooks;
extern struct kobj_attribute mrm_ksm_attr;

u64 mrm_ksm_merged_bytes(struct mrm_vm *vm);
u64 mrm_ksm_saved_bytes(u64 merged);

#endif /* _MRM_HOST_KSM_H */
