// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mrm/: the host module's sysfs root.
 *
 * Every file is documented as ABI in
 * Documentation/ABI/testing/sysfs-kernel-mrm.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include <mrm/version.h>

#include "ksm.h"
#include "sysfs.h"

/* Created at module load, removed at unload; no lock needed. */
static struct kobject *mrm_root_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MRM_VERSION);
}

static struct kobj_attribute mrm_attr_version = __ATTR_RO(version);

static struct attribute *mrm_root_attrs[] = {
	&mrm_attr_version.attr,
	&mrm_ksm_attr.attr,
	NULL,
};

static const struct attribute_group mrm_root_group = {
	.attrs = mrm_root_attrs,
};

/**
 * mrm_sysfs_init() - create /sys/kernel/mrm and its files
 *
 * Return: 0 on success or a negative errno.
 */
int mrm_sysfs_init(void)
{
	int err;

	mrm_root_kobj = kobject_create_and_add("mrm", kernel_kobj);
	if (!mrm_root_kobj)
		return -ENOMEM;

	err = sysfs_create_group(mrm_root_kobj, &mrm_root_group);
	if (err)
		goto put_root;
	return 0;

put_root:
	kobject_put(mrm_root_kobj);
	mrm_root_kobj = NULL;
	return err;
}

/**
 * mrm_sysfs_root() - the /sys/kernel/mrm kobject, parent of subdirectories
 *
 * Return: the kobject; valid between mrm_sysfs_init() and mrm_sysfs_exit().
 */
struct kobject *mrm_sysfs_root(void)
{
	return mrm_root_kobj;
}

/**
 * mrm_sysfs_exit() - remove /sys/kernel/mrm and everything below it
 */
void mrm_sysfs_exit(void)
{
	sysfs_remove_group(mrm_root_kobj, &mrm_root_group);
	kobject_put(mrm_root_kobj);
	mrm_root_kobj = NULL;
}
