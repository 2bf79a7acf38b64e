/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of the parameters user space gives for a VM attachment.  Plain C
 * (see include/mrm/plain.h) so the KUnit suite mrm_vm tests them directly.
 */
#ifndef _MRM_HOST_VM_PARAMS_H
#define _MRM_HOST_VM_PARAMS_H

#include <mrm/plain.h>
#include <uapi/linux/mrm.h>

bool mrm_vm_cid_valid(u32 cid);
int mrm_vm_name_check(const char name[MRM_VM_NAME_SIZE]);

#endif /* _MRM_HOST_VM_PARAMS_H */
