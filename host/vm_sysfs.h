/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/kernel/mrm/vms/<name or id>/: one directory per attached VM.
 */
#ifndef _MRM_HOST_VM_SYSFS_H
#define _MRM_HOST_VM_SYSFS_H

#include "vm.h"

struct kobject;

extern const struct mrm_vm_hooks mrm_vm_sysfs_hooks;

struct mrm_vm *mrm_vm_sysfs_vm(struct kobject *kobj);

int mrm_vm_sysfs_init(void);
void mrm_vm_sysfs_exit(void);

#endif /* _MRM_HOST_VM_SYSFS_H */
