/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detection of the exit of an attached VM's process (vm_watch.c); used by
 * vm.c only.
 */
#ifndef _MRM_HOST_VM_WATCH_H
#define _MRM_HOST_VM_WATCH_H

#include <linux/types.h>

struct mrm_vm;

int mrm_vm_watch_start(struct mrm_vm *vm);
void mrm_vm_watch_stop(struct mrm_vm *vm, bool from_exit_work);
int mrm_vm_watch_init(void);
void mrm_vm_watch_exit(void);

#endif /* _MRM_HOST_VM_WATCH_H */
