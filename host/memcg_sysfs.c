// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting and reclaim files in a VM's sysfs directory
 * (/sys/kernel/mrm/vms/<name or id>/): mapped, consumed, shared,
 * compressed, swapped and reclaimed bytes, the cgroup, the memory.low mrm
 * set (memory_low), and two admin files, reclaim and memory_high.
 * Documented as ABI in
 * Documentation/ABI/testing/sysfs-kernel-mrm.  Sizes are bytes.
 *
 * vm_sysfs.c guarantees the VM (and vm->memcg, set up before the
 * directory and torn down after it) outlives every show() and store().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <mrm/parse.h>

#include "loop.h"
#include "memcg.h"
#include "vm.h"
#include "vm_sysfs.h"

/* The smallest memory_high accepted: QEMU itself needs some memory. */
#define MRM_MEMCG_HIGH_MIN	(16ULL << 20)

/* The value of one field of struct mrm_memcg_usage, by its offset. */
struct mrm_usage_attr {
	struct kobj_attribute attr;
	size_t offset;
};

static ssize_t mrm_usage_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	const struct mrm_usage_attr *ua =
		container_of(attr, struct mrm_usage_attr, attr);
	struct mrm_memcg_usage usage;

	mrm_memcg_usage(mrm_vm_sysfs_vm(kobj), &usage);
	return sysfs_emit(buf, "%llu\n",
			  *(const u64 *)((const char *)&usage + ua->offset));
}

#define MRM_USAGE_ATTR(_name, _field)					\
	static struct mrm_usage_attr mrm_usage_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, mrm_usage_show, NULL),	\
		.offset = offsetof(struct mrm_memcg_usage, _field),	\
	}

MRM_USAGE_ATTR(mapped_bytes, mapped);
MRM_USAGE_ATTR(consumed_bytes, consumed);
MRM_USAGE_ATTR(shared_bytes, shared);
MRM_USAGE_ATTR(compressed_bytes, compressed);
MRM_USAGE_ATTR(swapped_bytes, swapped);

static ssize_t reclaimed_bytes_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mrm_memcg_reclaimed_bytes(mrm_vm_sysfs_vm(kobj)));
}

static ssize_t cgroup_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", mrm_memcg_path(mrm_vm_sysfs_vm(kobj)));
}

static ssize_t reclaim_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct mrm_vm *vm = mrm_vm_sysfs_vm(kobj);
	u64 bytes;
	int err;

	if (!mrm_memcg_can_reclaim(vm))
		return -EOPNOTSUPP;
	err = mrm_parse_bytes(buf, 1, mrm_vm_memory_bytes(vm), &bytes);
	if (err)
		return err;
	err = mrm_memcg_reclaim(vm, bytes);
	return err ? err : count;
}

/* A limit mrm wrote ("-" if it has not, or has restored the original). */
static ssize_t mrm_limit_show(char *buf, bool set, u64 bytes)
{
	return set ? sysfs_emit(buf, "%llu\n", bytes) : sysfs_emit(buf, "-\n");
}

static ssize_t memory_high_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	u64 bytes = 0;
	bool set = mrm_memcg_high(mrm_vm_sysfs_vm(kobj), &bytes);

	return mrm_limit_show(buf, set, bytes);
}

static ssize_t memory_high_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	struct mrm_vm *vm = mrm_vm_sysfs_vm(kobj);
	u64 bytes;
	int err;

	if (!mrm_memcg_can_reclaim(vm))
		return -EOPNOTSUPP;
	if (mrm_loop_enabled()) {
		pr_info_ratelimited("VM %u: memory_high is set by the policy; echo 0 >/sys/kernel/mrm/policy/enabled first\n",
				    vm->id);
		return -EBUSY;
	}
	if (sysfs_streq(buf, "max")) {
		bytes = U64_MAX;
	} else {
		err = mrm_parse_bytes(buf, MRM_MEMCG_HIGH_MIN, U64_MAX - 1,
				      &bytes);
		if (err)
			return err;
	}
	err = mrm_memcg_set_high(vm, bytes);
	return err ? err : count;
}

static ssize_t memory_low_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	u64 bytes = 0;
	bool set = mrm_memcg_low(mrm_vm_sysfs_vm(kobj), &bytes);

	return mrm_limit_show(buf, set, bytes);
}

static struct kobj_attribute mrm_attr_reclaimed_bytes = __ATTR_RO(reclaimed_bytes);
static struct kobj_attribute mrm_attr_cgroup = __ATTR_RO(cgroup);
static struct kobj_attribute mrm_attr_reclaim = __ATTR_WO(reclaim);
static struct kobj_attribute mrm_attr_memory_high = __ATTR_RW(memory_high);
static struct kobj_attribute mrm_attr_memory_low = __ATTR_RO(memory_low);

static struct attribute *mrm_vm_memcg_attrs[] = {
	&mrm_usage_attr_mapped_bytes.attr.attr,
	&mrm_usage_attr_consumed_bytes.attr.attr,
	&mrm_usage_attr_shared_bytes.attr.attr,
	&mrm_usage_attr_compressed_bytes.attr.attr,
	&mrm_usage_attr_swapped_bytes.attr.attr,
	&mrm_attr_reclaimed_bytes.attr,
	&mrm_attr_cgroup.attr,
	&mrm_attr_reclaim.attr,
	&mrm_attr_memory_high.attr,
	&mrm_attr_memory_low.attr,
	NULL,
};

const struct attribute_group mrm_vm_memcg_group = {
	.attrs = mrm_vm_memcg_attrs,
};
