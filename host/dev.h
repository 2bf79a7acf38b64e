/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/mrm: the misc device and its ioctls (include/uapi/linux/mrm.h).
 */
#ifndef _MRM_HOST_DEV_H
#define _MRM_HOST_DEV_H

int mrm_dev_init(void);
void mrm_dev_exit(void);

#endif /* _MRM_HOST_DEV_H */
