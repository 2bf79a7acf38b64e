/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MRM_GUEST_STATS_H
#define _MRM_GUEST_STATS_H

#include <mrm/proto.h>

/**
 * struct mrm_guest_stats - what collecting statistics needs
 * @events: scratch for all_vm_events(), NR_VM_EVENT_ITEMS entries
 * @psi_text: scratch for /proc/pressure/memory
 * @psi_missing: the file could not be read once; not tried again
 */
struct mrm_guest_stats {
	unsigned long *events;
	char *psi_text;
	bool psi_missing;
};

int mrm_guest_stats_init(struct mrm_guest_stats *gs);
void mrm_guest_stats_destroy(struct mrm_guest_stats *gs);
void mrm_guest_stats_collect(struct mrm_guest_stats *gs, u64 balloon_pages,
			     struct mrm_stats *stats);

#endif /* _MRM_GUEST_STATS_H */
