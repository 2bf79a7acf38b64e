// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon's files in a VM's sysfs directory
 * (/sys/kernel/mrm/vms/<name or id>/): the target, the host's record, the
 * connection, and the guest's last statistics in guest/.  Documented as
 * ABI in Documentation/ABI/testing/sysfs-kernel-mrm.  Sizes are bytes.
 *
 * vm_sysfs.c guarantees the VM (and vm->ep, set up before the directory
 * and torn down after it) outlives every show() and store().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include <mrm/parse.h>

#include "endpoint.h"
#include "loop.h"
#include "vm.h"
#include "vm_sysfs.h"

#define MRM_PAGE_BYTES	4096ULL

static struct mrm_vm_endpoint *kobj_to_ep(struct kobject *kobj)
{
	return mrm_vm_sysfs_vm(kobj)->ep;
}

static ssize_t balloon_target_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(kobj_to_ep(kobj)->balloon.target_pages) *
			  MRM_PAGE_BYTES);
}

static ssize_t balloon_target_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct mrm_vm *vm = mrm_vm_sysfs_vm(kobj);
	u64 bytes;
	int err;

	if (mrm_loop_enabled()) {
		pr_info_ratelimited("VM %u: balloon_target is set by the policy; echo 0 >/sys/kernel/mrm/policy/enabled first\n",
				    vm->id);
		return -EBUSY;
	}
	err = mrm_parse_bytes(buf, 0, mrm_vm_memory_bytes(vm), &bytes);
	if (err)
		return err;
	mrm_vm_endpoint_set_target(vm->ep, bytes / MRM_PAGE_BYTES);
	return count;
}

static ssize_t balloon_current_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(kobj_to_ep(kobj)->balloon.pages) *
			  MRM_PAGE_BYTES);
}

static ssize_t balloon_state_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  mrm_ep_state_name(READ_ONCE(kobj_to_ep(kobj)->state)));
}

static ssize_t balloon_sessions_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(kobj_to_ep(kobj)->sessions));
}

static ssize_t balloon_rejected_frames_show(struct kobject *kobj,
					    struct kobj_attribute *attr,
					    char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(kobj_to_ep(kobj)->balloon.rejected_frames));
}

static ssize_t balloon_unknown_frames_show(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(kobj_to_ep(kobj)->balloon.unknown_frames));
}

static ssize_t balloon_pressure_bytes_show(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(kobj_to_ep(kobj)->pressure_pages) *
			  MRM_PAGE_BYTES);
}

static struct kobj_attribute mrm_attr_balloon_target = __ATTR_RW(balloon_target);
static struct kobj_attribute mrm_attr_balloon_current = __ATTR_RO(balloon_current);
static struct kobj_attribute mrm_attr_balloon_state = __ATTR_RO(balloon_state);
static struct kobj_attribute mrm_attr_balloon_sessions = __ATTR_RO(balloon_sessions);
static struct kobj_attribute mrm_attr_balloon_pressure_bytes =
	__ATTR_RO(balloon_pressure_bytes);
static struct kobj_attribute mrm_attr_balloon_rejected_frames =
	__ATTR_RO(balloon_rejected_frames);
static struct kobj_attribute mrm_attr_balloon_unknown_frames =
	__ATTR_RO(balloon_unknown_frames);

static struct attribute *mrm_vm_balloon_attrs[] = {
	&mrm_attr_balloon_target.attr,
	&mrm_attr_balloon_current.attr,
	&mrm_attr_balloon_state.attr,
	&mrm_attr_balloon_sessions.attr,
	&mrm_attr_balloon_pressure_bytes.attr,
	&mrm_attr_balloon_rejected_frames.attr,
	&mrm_attr_balloon_unknown_frames.attr,
	NULL,
};

const struct attribute_group mrm_vm_balloon_group = {
	.attrs = mrm_vm_balloon_attrs,
};

/* guest/<file>: one statistic of the last STATS, or "-" if not reported. */
struct mrm_guest_attr {
	struct kobj_attribute attr;
	unsigned int tag;
	u64 scale;
};

static ssize_t mrm_guest_stat_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	const struct mrm_guest_attr *ga =
		container_of(attr, struct mrm_guest_attr, attr);
	struct mrm_guest_report *r = &mrm_vm_sysfs_vm(kobj)->ep->report;
	bool present;
	u64 val;

	spin_lock(&r->lock);
	present = r->present & BIT_ULL(ga->tag);
	val = r->val[ga->tag];
	spin_unlock(&r->lock);
	if (!present)
		return sysfs_emit(buf, "-\n");
	return sysfs_emit(buf, "%llu\n", val * ga->scale);
}

static ssize_t age_ms_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct mrm_guest_report *r = &mrm_vm_sysfs_vm(kobj)->ep->report;
	unsigned long when;

	spin_lock(&r->lock);
	when = r->when;
	spin_unlock(&r->lock);
	if (!when)
		return sysfs_emit(buf, "-\n");
	return sysfs_emit(buf, "%u\n", jiffies_to_msecs(jiffies - when));
}

#define MRM_GUEST_ATTR(_name, _tag, _scale)				\
	static struct mrm_guest_attr mrm_guest_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, mrm_guest_stat_show, NULL),	\
		.tag = _tag,						\
		.scale = _scale,					\
	}

MRM_GUEST_ATTR(total_bytes, MRM_STAT_MEM_TOTAL, MRM_PAGE_BYTES);
MRM_GUEST_ATTR(available_bytes, MRM_STAT_MEM_AVAILABLE, MRM_PAGE_BYTES);
MRM_GUEST_ATTR(free_bytes, MRM_STAT_MEM_FREE, MRM_PAGE_BYTES);
MRM_GUEST_ATTR(swap_in_bytes, MRM_STAT_SWAP_IN, MRM_PAGE_BYTES);
MRM_GUEST_ATTR(swap_out_bytes, MRM_STAT_SWAP_OUT, MRM_PAGE_BYTES);
MRM_GUEST_ATTR(major_faults, MRM_STAT_MAJOR_FAULTS, 1);
MRM_GUEST_ATTR(psi_some_avg10, MRM_STAT_PSI_SOME_AVG10, 1);
MRM_GUEST_ATTR(psi_full_avg10, MRM_STAT_PSI_FULL_AVG10, 1);
MRM_GUEST_ATTR(psi_some_total_us, MRM_STAT_PSI_SOME_TOTAL, 1);
MRM_GUEST_ATTR(psi_full_total_us, MRM_STAT_PSI_FULL_TOTAL, 1);
MRM_GUEST_ATTR(balloon_bytes, MRM_STAT_BALLOON, MRM_PAGE_BYTES);

static struct kobj_attribute mrm_guest_attr_age_ms = __ATTR_RO(age_ms);

static struct attribute *mrm_vm_guest_attrs[] = {
	&mrm_guest_attr_total_bytes.attr.attr,
	&mrm_guest_attr_available_bytes.attr.attr,
	&mrm_guest_attr_free_bytes.attr.attr,
	&mrm_guest_attr_swap_in_bytes.attr.attr,
	&mrm_guest_attr_swap_out_bytes.attr.attr,
	&mrm_guest_attr_major_faults.attr.attr,
	&mrm_guest_attr_psi_some_avg10.attr.attr,
	&mrm_guest_attr_psi_full_avg10.attr.attr,
	&mrm_guest_attr_psi_some_total_us.attr.attr,
	&mrm_guest_attr_psi_full_total_us.attr.attr,
	&mrm_guest_attr_balloon_bytes.attr.attr,
	&mrm_guest_attr_age_ms.attr,
	NULL,
};

const struct attribute_group mrm_vm_guest_group = {
	.name = "guest",
	.attrs = mrm_vm_guest_attrs,
};
