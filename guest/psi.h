/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MRM_GUEST_PSI_H
#define _MRM_GUEST_PSI_H

#include <mrm/plain.h>

/**
 * struct mrm_psi - the memory pressure figures mrm_balloon reports
 * @some_avg10: share of the last 10 s some task stalled on memory, in
 *	hundredths of a percent (0..10000)
 * @full_avg10: the same for all tasks stalling at once
 * @some_total_us: cumulative "some" stall time, microseconds
 * @full_total_us: cumulative "full" stall time, microseconds
 */
struct mrm_psi {
	u64 some_avg10;
	u64 full_avg10;
	u64 some_total_us;
	u64 full_total_us;
};

int mrm_psi_parse(const char *text, struct mrm_psi *psi);

#endif /* _MRM_GUEST_PSI_H */
