// SPDX-License-Identifier: GPL-2.0
/*
 * The sampling's sysfs files, documented as ABI in
 * Documentation/ABI/testing/sysfs-kernel-mrm:
 *
 *   /sys/kernel/mrm/sampling/{samples,period_ms}	the knobs (RW)
 *   /sys/kernel/mrm/vms/<vm>/active_bytes, active_permille, sample_*
 *							each VM's figures
 *
 * A store builds a whole new configuration from the current one and the
 * value written, and sample.c checks it with mrm_wss_config_check()
 * before it replaces the old one: a bad value changes nothing.  VMs use
 * new knobs from their next period on.
 *
 * vm_sysfs.c guarantees the VM (and vm->sample, set up before the VM's
 * directory and torn down after it) outlives every show().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/printk.h>
#include <linux/sysfs.h>

#include "policy/fixed.h"
#include "sample.h"
#include "sample_sysfs.h"
#include "sysfs.h"
#include "vm.h"
#include "vm_sysfs.h"

/* /sys/kernel/mrm/sampling; created at load, removed at unload. */
static struct kobject *mrm_sampling_kobj;

/* Which knob a store changes. */
enum mrm_sample_knob {
	MRM_SAMPLE_KNOB_SAMPLES,
	MRM_SAMPLE_KNOB_PERIOD_MS,
};

static ssize_t mrm_sample_knob_store(enum mrm_sample_knob knob,
				     const char *name, const char *buf,
				     size_t count)
{
	struct mrm_wss_config cfg;
	u32 val;
	int err;

	err = kstrtou32(buf, 0, &val);
	if (err)
		goto bad;
	mrm_sample_config_get(&cfg);
	if (knob == MRM_SAMPLE_KNOB_SAMPLES)
		cfg.samples = val;
	else
		cfg.period_ms = val;
	err = mrm_sample_config_set(&cfg);
	if (err)
		goto bad;
	return count;

bad:
	pr_notice_ratelimited("sampling/%s: value refused (%d); valid: samples %u..%u, period_ms %u..%u\n",
			      name, err, MRM_WSS_SAMPLES_MIN,
			      MRM_WSS_SAMPLES_MAX, MRM_WSS_PERIOD_MS_MIN,
			      MRM_WSS_PERIOD_MS_MAX);
	return -EINVAL;
}

static ssize_t samples_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct mrm_wss_config cfg;

	mrm_sample_config_get(&cfg);
	return sysfs_emit(buf, "%u\n", cfg.samples);
}

static ssize_t samples_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	return mrm_sample_knob_store(MRM_SAMPLE_KNOB_SAMPLES, "samples", buf,
				     count);
}

static ssize_t period_ms_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct mrm_wss_config cfg;

	mrm_sample_config_get(&cfg);
	return sysfs_emit(buf, "%u\n", cfg.period_ms);
}

static ssize_t period_ms_store(struct kobject *kobj,
			       struct kobj_attribute *attr, const char *buf,
			       size_t count)
{
	return mrm_sample_knob_store(MRM_SAMPLE_KNOB_PERIOD_MS, "period_ms",
				     buf, count);
}

static struct kobj_attribute mrm_sample_attr_samples = __ATTR_RW(samples);
static struct kobj_attribute mrm_sample_attr_period_ms = __ATTR_RW(period_ms);

static struct attribute *mrm_sampling_attrs[] = {
	&mrm_sample_attr_samples.attr,
	&mrm_sample_attr_period_ms.attr,
	NULL,
};

static const struct attribute_group mrm_sampling_group = {
	.attrs = mrm_sampling_attrs,
};

/* The figures of the VM whose directory @kobj is. */
static void mrm_vm_sample_stats(struct kobject *kobj,
				struct mrm_sample_stats *st)
{
	mrm_sample_stats(mrm_vm_sysfs_vm(kobj), st);
}

static ssize_t active_bytes_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mrm_sample_active_bytes(mrm_vm_sysfs_vm(kobj)));
}

static ssize_t active_permille_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct mrm_sample_stats st;

	mrm_vm_sample_stats(kobj, &st);
	return sysfs_emit(buf, "%llu\n",
			  mrm_frac_of(MRM_PERMILLE, st.estimate));
}

static ssize_t sample_periods_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct mrm_sample_stats st;

	mrm_vm_sample_stats(kobj, &st);
	return sysfs_emit(buf, "%u\n", st.periods);
}

static ssize_t sample_touched_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct mrm_sample_stats st;

	mrm_vm_sample_stats(kobj, &st);
	return sysfs_emit(buf, "%u\n", st.touched);
}

static ssize_t sample_checked_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct mrm_sample_stats st;

	mrm_vm_sample_stats(kobj, &st);
	return sysfs_emit(buf, "%u\n", st.checked);
}

static ssize_t sample_cpu_ns_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct mrm_sample_stats st;

	mrm_vm_sample_stats(kobj, &st);
	return sysfs_emit(buf, "%llu\n", st.cpu_ns);
}

static struct kobj_attribute mrm_vm_attr_active_bytes = __ATTR_RO(active_bytes);
static struct kobj_attribute mrm_vm_attr_active_permille =
	__ATTR_RO(active_permille);
static struct kobj_attribute mrm_vm_attr_sample_periods =
	__ATTR_RO(sample_periods);
static struct kobj_attribute mrm_vm_attr_sample_touched =
	__ATTR_RO(sample_touched);
static struct kobj_attribute mrm_vm_attr_sample_checked =
	__ATTR_RO(sample_checked);
static struct kobj_attribute mrm_vm_attr_sample_cpu_ns =
	__ATTR_RO(sample_cpu_ns);

static struct attribute *mrm_vm_sample_attrs[] = {
	&mrm_vm_attr_active_bytes.attr,
	&mrm_vm_attr_active_permille.attr,
	&mrm_vm_attr_sample_periods.attr,
	&mrm_vm_attr_sample_touched.attr,
	&mrm_vm_attr_sample_checked.attr,
	&mrm_vm_attr_sample_cpu_ns.attr,
	NULL,
};

/* Files in each VM's directory; listed in vm_sysfs.c's groups. */
const struct attribute_group mrm_vm_sample_group = {
	.attrs = mrm_vm_sample_attrs,
};

/**
 * mrm_sample_sysfs_init() - create /sys/kernel/mrm/sampling and its files
 *
 * Return: 0 or a negative errno.
 */
int mrm_sample_sysfs_init(void)
{
	int err;

	mrm_sampling_kobj = kobject_create_and_add("sampling", mrm_sysfs_root());
	if (!mrm_sampling_kobj)
		return -ENOMEM;
	err = sysfs_create_group(mrm_sampling_kobj, &mrm_sampling_group);
	if (err)
		goto put_kobj;
	return 0;

put_kobj:
	kobject_put(mrm_sampling_kobj);
	mrm_sampling_kobj = NULL;
	return err;
}

/**
 * mrm_sample_sysfs_exit() - remove /sys/kernel/mrm/sampling
 */
void mrm_sample_sysfs_exit(void)
{
	sysfs_remove_group(mrm_sampling_kobj, &mrm_sampling_group);
	kobject_put(mrm_sampling_kobj);
	mrm_sampling_kobj = NULL;
}
