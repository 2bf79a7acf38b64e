/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MRM_GUEST_SYSFS_H
#define _MRM_GUEST_SYSFS_H

struct mrm_balloon;
struct mrm_pressure;
struct mrm_session;

int mrm_sysfs_init(struct mrm_session *session, struct mrm_balloon *balloon,
		   struct mrm_pressure *pressure);
void mrm_sysfs_exit(void);

#endif /* _MRM_GUEST_SYSFS_H */
