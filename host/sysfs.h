/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MRM_HOST_SYSFS_H
#define _MRM_HOST_SYSFS_H

struct kobject;

int mrm_sysfs_init(void);
void mrm_sysfs_exit(void);
struct kobject *mrm_sysfs_root(void);

#endif /* _MRM_HOST_SYSFS_H */
