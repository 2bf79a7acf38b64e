/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sampling's sysfs files: /sys/kernel/mrm/sampling/ and its files in
 * each VM's directory (sample_sysfs.c), and what sample.c offers them.
 */
#ifndef _MRM_HOST_SAMPLE_SYSFS_H
#define _MRM_HOST_SAMPLE_SYSFS_H

#include <linux/types.h>

#include "policy/wss.h"
#include "vm.h"

struct attribute_group;

/**
 * struct mrm_sample_stats - a VM's sampling, as of its last period
 * @estimate: the estimator's active fraction, Q16.16
 * @periods: periods that produced data since attach
 * @touched: samples found touched in the last period
 * @checked: samples checked in the last period
 * @cpu_ns: time the last period's sampling took, both ends, in ns
 */
struct mrm_sample_stats {
	u32 estimate;
	u32 periods;
	u32 touched;
	u32 checked;
	u64 cpu_ns;
};

extern const struct attribute_group mrm_vm_sample_group;

void mrm_sample_stats(struct mrm_vm *vm, struct mrm_sample_stats *st);
void mrm_sample_config_get(struct mrm_wss_config *cfg);
int mrm_sample_config_set(const struct mrm_wss_config *cfg);

int mrm_sample_sysfs_init(void);
void mrm_sample_sysfs_exit(void);

#endif /* _MRM_HOST_SAMPLE_SYSFS_H */
