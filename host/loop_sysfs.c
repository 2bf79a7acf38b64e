// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs of the policy loop:
 *
 *   /sys/kernel/mrm/policy/   the global knobs (read-write)
 *   /sys/kernel/mrm/host/     what the last run saw (read-only)
 *   /sys/kernel/mrm/vms/<vm>/ the per-VM knobs and results (the group
 *                             mrm_vm_policy_group, added by vm_sysfs.c)
 *
 * Every write is parsed and validated in full before anything changes; a
 * bad value returns -EINVAL or -ERANGE and logs one rate-limited line.
 * Documented in Documentation/ABI/testing/sysfs-kernel-mrm-policy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>

#include <mrm/parse.h>

#include "loop.h"
#include "sysfs.h"
#include "vm.h"
#include "vm_sysfs.h"

#define MRM_PAGE_SHIFT_BYTES(p) ((u64)(p) << PAGE_SHIFT)

static struct kobject *mrm_policy_kobj;
static struct kobject *mrm_host_kobj;

/*
 * The global knobs: each is one u32 field of struct mrm_loop_config with
 * its own range; the whole configuration is validated again by
 * mrm_loop_set_config(), which knows the relations between fields
 * (e.g. hard below soft).
 */
struct mrm_policy_knob {
	struct kobj_attribute attr;
	size_t offset;
	u32 min;
	u32 max;
};

#define MRM_KNOB(_name, _field, _min, _max) {				\
	.attr = __ATTR(_name, 0644, mrm_knob_show, mrm_knob_store),	\
	.offset = offsetof(struct mrm_loop_config, _field),		\
	.min = (_min), .max = (_max) }

static u32 *mrm_knob_field(struct mrm_loop_config *cfg,
			   const struct mrm_policy_knob *knob)
{
	return (u32 *)((char *)cfg + knob->offset);
}

static ssize_t mrm_knob_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	const struct mrm_policy_knob *knob =
		container_of(attr, struct mrm_policy_knob, attr);
	u32 val;

	mutex_lock(&mrm_loop_lock);
	val = *mrm_knob_field(&mrm_loop_config, knob);
	mutex_unlock(&mrm_loop_lock);
	return sysfs_emit(buf, "%u\n", val);
}

static ssize_t mrm_knob_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	const struct mrm_policy_knob *knob =
		container_of(attr, struct mrm_policy_knob, attr);
	struct mrm_loop_config cfg;
	u64 val;
	int err;

	err = mrm_parse_u64(buf, knob->min, knob->max, &val);
	if (err)
		goto bad;
	mutex_lock(&mrm_loop_lock);
	cfg = mrm_loop_config;
	*mrm_knob_field(&cfg, knob) = val;
	err = mrm_loop_set_config(&cfg);
	mutex_unlock(&mrm_loop_lock);
	if (err)
		goto bad;
	mrm_loop_kick();
	return count;
bad:
	pr_info_ratelimited("policy/%s: value refused (%d); nothing changed\n",
			    attr->attr.name, err);
	return err;
}

static struct mrm_policy_knob mrm_policy_knobs[] = {
	MRM_KNOB(period_ms, period_ms, MRM_LOOP_PERIOD_MS_MIN,
		 MRM_LOOP_PERIOD_MS_MAX),
	MRM_KNOB(pressure_hold_ms, pressure_hold_ms, 0,
		 MRM_LOOP_PRESSURE_HOLD_MS_MAX),
	MRM_KNOB(tax_percent, alloc.tax_pct, 0, MRM_ALLOC_TAX_MAX_PCT),
	MRM_KNOB(minfree_permille, memstate.minfree_pm,
		 MRM_MEMSTATE_MINFREE_PM_MIN, MRM_MEMSTATE_MINFREE_PM_MAX),
	MRM_KNOB(soft_percent, memstate.soft_pct, 1, MRM_PERCENT),
	MRM_KNOB(hard_percent, memstate.hard_pct, 1, MRM_PERCENT),
	MRM_KNOB(low_percent, memstate.low_pct, 1, MRM_PERCENT),
	MRM_KNOB(margin_percent, memstate.margin_pct, 0,
		 MRM_MEMSTATE_MARGIN_PCT_MAX),
	MRM_KNOB(balloon_max_percent, plan.balloon_max_pct, 0, MRM_PERCENT),
};

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", mrm_loop_enabled());
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct mrm_loop_config cfg;
	u64 val;
	int err;

	err = mrm_parse_u64(buf, 0, 1, &val);
	if (err) {
		pr_info_ratelimited("policy/enabled: write 0 or 1 (%d)\n", err);
		return err;
	}
	mutex_lock(&mrm_loop_lock);
	cfg = mrm_loop_config;
	cfg.enabled = val;
	err = mrm_loop_set_config(&cfg);
	mutex_unlock(&mrm_loop_lock);
	if (err)
		return err;
	mrm_loop_kick();
	pr_info("policy %s\n", val ? "enabled" : "disabled");
	return count;
}

static struct kobj_attribute mrm_policy_attr_enabled = __ATTR_RW(enabled);

static struct attribute *mrm_policy_attrs[ARRAY_SIZE(mrm_policy_knobs) + 2];

static const struct attribute_group mrm_policy_group = {
	.attrs = mrm_policy_attrs,
};

/* /sys/kernel/mrm/host: one read-only number (or name) per file. */
enum mrm_host_field {
	MRM_HOST_STATE,
	MRM_HOST_FREE,
	MRM_HOST_MINFREE,
	MRM_HOST_SOFT,
	MRM_HOST_HARD,
	MRM_HOST_LOW,
	MRM_HOST_AVAIL,
	MRM_HOST_TOTAL,
	MRM_HOST_VMS,
	MRM_HOST_MAPPED,
	MRM_HOST_CONSUMED,
	MRM_HOST_SHARED,
	MRM_HOST_BALLOONED,
	MRM_HOST_COMPRESSED,
	MRM_HOST_SWAPPED,
	MRM_HOST_TARGET,
	MRM_HOST_TRANSITIONS,
	MRM_HOST_RUNS,
	MRM_HOST_RECOVERY,
};

struct mrm_host_file {
	struct kobj_attribute attr;
	enum mrm_host_field field;
};

static u64 mrm_host_value(enum mrm_host_field field)
{
	const struct mrm_loop_status *st = &mrm_loop_status;
	const struct mrm_memstate_machine *ms = &mrm_loop_memstate;

	switch (field) {
	case MRM_HOST_FREE:
		return MRM_PAGE_SHIFT_BYTES(st->free_pages);
	case MRM_HOST_MINFREE:
		return MRM_PAGE_SHIFT_BYTES(ms->minfree_pages);
	case MRM_HOST_SOFT:
		return MRM_PAGE_SHIFT_BYTES(ms->enter[MRM_MEMSTATE_SOFT]);
	case MRM_HOST_HARD:
		return MRM_PAGE_SHIFT_BYTES(ms->enter[MRM_MEMSTATE_HARD]);
	case MRM_HOST_LOW:
		return MRM_PAGE_SHIFT_BYTES(ms->enter[MRM_MEMSTATE_LOW]);
	case MRM_HOST_AVAIL:
		return MRM_PAGE_SHIFT_BYTES(st->avail_pages);
	case MRM_HOST_TOTAL:
		return MRM_PAGE_SHIFT_BYTES(st->host_pages);
	case MRM_HOST_VMS:
		return st->vms;
	case MRM_HOST_MAPPED:
		return MRM_PAGE_SHIFT_BYTES(st->mapped_pages);
	case MRM_HOST_CONSUMED:
		return MRM_PAGE_SHIFT_BYTES(st->consumed_pages);
	case MRM_HOST_SHARED:
		return MRM_PAGE_SHIFT_BYTES(st->shared_pages);
	case MRM_HOST_BALLOONED:
		return MRM_PAGE_SHIFT_BYTES(st->ballooned_pages);
	case MRM_HOST_COMPRESSED:
		return MRM_PAGE_SHIFT_BYTES(st->compressed_pages);
	case MRM_HOST_SWAPPED:
		return MRM_PAGE_SHIFT_BYTES(st->swapped_pages);
	case MRM_HOST_TARGET:
		return MRM_PAGE_SHIFT_BYTES(st->target_pages);
	case MRM_HOST_TRANSITIONS:
		return ms->transitions;
	case MRM_HOST_RUNS:
		return st->runs;
	case MRM_HOST_RECOVERY:
		return st->last_recovery_ms;
	case MRM_HOST_STATE:
		break;
	}
	return 0;
}

static ssize_t mrm_host_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	const struct mrm_host_file *file =
		container_of(attr, struct mrm_host_file, attr);
	ssize_t len;

	mutex_lock(&mrm_loop_lock);
	if (file->field == MRM_HOST_STATE)
		len = sysfs_emit(buf, "%s\n",
				 mrm_memstate_name(mrm_loop_memstate.state));
	else
		len = sysfs_emit(buf, "%llu\n", mrm_host_value(file->field));
	mutex_unlock(&mrm_loop_lock);
	return len;
}

#define MRM_HOST_FILE(_name, _field) {					\
	.attr = __ATTR(_name, 0444, mrm_host_show, NULL),		\
	.field = (_field) }

static struct mrm_host_file mrm_host_files[] = {
	MRM_HOST_FILE(state, MRM_HOST_STATE),
	MRM_HOST_FILE(free_bytes, MRM_HOST_FREE),
	MRM_HOST_FILE(minfree_bytes, MRM_HOST_MINFREE),
	MRM_HOST_FILE(soft_bytes, MRM_HOST_SOFT),
	MRM_HOST_FILE(hard_bytes, MRM_HOST_HARD),
	MRM_HOST_FILE(low_bytes, MRM_HOST_LOW),
	MRM_HOST_FILE(vm_available_bytes, MRM_HOST_AVAIL),
	MRM_HOST_FILE(total_bytes, MRM_HOST_TOTAL),
	MRM_HOST_FILE(vms, MRM_HOST_VMS),
	MRM_HOST_FILE(mapped_bytes, MRM_HOST_MAPPED),
	MRM_HOST_FILE(consumed_bytes, MRM_HOST_CONSUMED),
	MRM_HOST_FILE(shared_bytes, MRM_HOST_SHARED),
	MRM_HOST_FILE(ballooned_bytes, MRM_HOST_BALLOONED),
	MRM_HOST_FILE(compressed_bytes, MRM_HOST_COMPRESSED),
	MRM_HOST_FILE(swapped_bytes, MRM_HOST_SWAPPED),
	MRM_HOST_FILE(target_bytes, MRM_HOST_TARGET),
	MRM_HOST_FILE(transitions, MRM_HOST_TRANSITIONS),
	MRM_HOST_FILE(runs, MRM_HOST_RUNS),
	MRM_HOST_FILE(last_recovery_ms, MRM_HOST_RECOVERY),
};

static struct attribute *mrm_host_attrs[ARRAY_SIZE(mrm_host_files) + 1];

static const struct attribute_group mrm_host_group = {
	.attrs = mrm_host_attrs,
};

/* Per VM. */
static struct mrm_vm_policy *kobj_to_policy(struct kobject *kobj)
{
	return mrm_vm_sysfs_vm(kobj)->policy;
}

static ssize_t shares_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(kobj_to_policy(kobj)->shares));
}

static ssize_t shares_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	u64 val;
	int err;

	err = mrm_parse_u64(buf, 1, MRM_LOOP_SHARES_MAX, &val);
	if (err) {
		pr_info_ratelimited("shares: 1..%u (%d); nothing changed\n",
				    MRM_LOOP_SHARES_MAX, err);
		return err;
	}
	mutex_lock(&mrm_loop_lock);
	kobj_to_policy(kobj)->shares = val;
	mutex_unlock(&mrm_loop_lock);
	mrm_loop_kick();
	return count;
}

static ssize_t tax_percent_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	u32 tax = READ_ONCE(kobj_to_policy(kobj)->tax_pct);

	if (tax == MRM_ALLOC_TAX_INHERIT)
		return sysfs_emit(buf, "inherit\n");
	return sysfs_emit(buf, "%u\n", tax);
}

static ssize_t tax_percent_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	u64 val;
	int err;

	if (sysfs_streq(buf, "inherit")) {
		val = MRM_ALLOC_TAX_INHERIT;
	} else {
		err = mrm_parse_u64(buf, 0, MRM_ALLOC_TAX_MAX_PCT, &val);
		if (err) {
			pr_info_ratelimited("tax_percent: 0..%u or \"inherit\" (%d); nothing changed\n",
					    MRM_ALLOC_TAX_MAX_PCT, err);
			return err;
		}
	}
	mutex_lock(&mrm_loop_lock);
	kobj_to_policy(kobj)->tax_pct = val;
	mutex_unlock(&mrm_loop_lock);
	mrm_loop_kick();
	return count;
}

static ssize_t min_bytes_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(kobj_to_policy(kobj)->min_bytes));
}

static ssize_t min_bytes_store(struct kobject *kobj,
			       struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	struct mrm_vm *vm = mrm_vm_sysfs_vm(kobj);
	u64 val;
	int err;

	err = mrm_parse_bytes(buf, 0, mrm_vm_memory_bytes(vm), &val);
	if (!err)
		err = mrm_loop_set_vm_min(vm, val);
	if (err) {
		pr_info_ratelimited("VM %u: min_bytes refused (%d: -34 above size or max, -28 cannot be guaranteed); nothing changed\n",
				    vm->id, err);
		return err;
	}
	return count;
}

static ssize_t max_bytes_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct mrm_vm *vm = mrm_vm_sysfs_vm(kobj);
	u64 max = READ_ONCE(vm->policy->max_bytes);

	return sysfs_emit(buf, "%llu\n", max ? max : mrm_vm_memory_bytes(vm));
}

static ssize_t max_bytes_store(struct kobject *kobj,
			       struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	struct mrm_vm *vm = mrm_vm_sysfs_vm(kobj);
	u64 size = mrm_vm_memory_bytes(vm), val;
	int err;

	err = mrm_parse_bytes(buf, 1, size, &val);
	mutex_lock(&mrm_loop_lock);
	if (!err && val < vm->policy->min_bytes)
		err = -ERANGE;
	if (!err)
		vm->policy->max_bytes = val == size ? 0 : val;
	mutex_unlock(&mrm_loop_lock);
	if (err) {
		pr_info_ratelimited("VM %u: max_bytes must lie in [min_bytes, size] (%d); nothing changed\n",
				    vm->id, err);
		return err;
	}
	mrm_loop_kick();
	return count;
}

/* Read-only results of the last run, in bytes. */
static ssize_t mrm_pages_show(char *buf, const u64 *pages)
{
	return sysfs_emit(buf, "%llu\n", MRM_PAGE_SHIFT_BYTES(READ_ONCE(*pages)));
}

static ssize_t target_bytes_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return mrm_pages_show(buf, &kobj_to_policy(kobj)->target_pages);
}

static ssize_t shortfall_bytes_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return mrm_pages_show(buf, &kobj_to_policy(kobj)->shortfall_pages);
}

static ssize_t reclaim_requested_bytes_show(struct kobject *kobj,
					    struct kobj_attribute *attr,
					    char *buf)
{
	return mrm_pages_show(buf,
			      &kobj_to_policy(kobj)->reclaim_requested_pages);
}

static ssize_t refaulted_bytes_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return mrm_pages_show(buf, &kobj_to_policy(kobj)->refaulted_pages);
}

static ssize_t block_limit_bytes_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return mrm_pages_show(buf, &kobj_to_policy(kobj)->block_limit_pages);
}

static struct kobj_attribute mrm_vm_attr_target_bytes =
	__ATTR_RO(target_bytes);
static struct kobj_attribute mrm_vm_attr_shortfall_bytes =
	__ATTR_RO(shortfall_bytes);
static struct kobj_attribute mrm_vm_attr_reclaim_requested_bytes =
	__ATTR_RO(reclaim_requested_bytes);
static struct kobj_attribute mrm_vm_attr_block_limit_bytes =
	__ATTR_RO(block_limit_bytes);
static struct kobj_attribute mrm_vm_attr_refaulted_bytes =
	__ATTR_RO(refaulted_bytes);

static ssize_t blocked_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(kobj_to_policy(kobj)->blocked));
}

static ssize_t thrashing_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(kobj_to_policy(kobj)->thrashing));
}

static ssize_t policy_actions_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	static const char *const names[] = {
		"share", "balloon", "compress", "swap", "block",
	};
	u32 actions = READ_ONCE(kobj_to_policy(kobj)->actions);
	ssize_t len = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (actions & (1U << i))
			len += sysfs_emit_at(buf, len, "%s%s", len ? "," : "",
					     names[i]);
	len += sysfs_emit_at(buf, len, "%s\n", len ? "" : "none");
	return len;
}

static ssize_t guest_pressure_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(kobj_to_policy(kobj)->guest_pressure));
}

static struct kobj_attribute mrm_vm_attr_shares = __ATTR_RW(shares);
static struct kobj_attribute mrm_vm_attr_tax_percent = __ATTR_RW(tax_percent);
static struct kobj_attribute mrm_vm_attr_min_bytes = __ATTR_RW(min_bytes);
static struct kobj_attribute mrm_vm_attr_max_bytes = __ATTR_RW(max_bytes);
static struct kobj_attribute mrm_vm_attr_blocked = __ATTR_RO(blocked);
static struct kobj_attribute mrm_vm_attr_thrashing = __ATTR_RO(thrashing);
static struct kobj_attribute mrm_vm_attr_policy_actions =
	__ATTR_RO(policy_actions);
static struct kobj_attribute mrm_vm_attr_guest_pressure =
	__ATTR_RO(guest_pressure);

static struct attribute *mrm_vm_policy_attrs[] = {
	&mrm_vm_attr_shares.attr,
	&mrm_vm_attr_tax_percent.attr,
	&mrm_vm_attr_min_bytes.attr,
	&mrm_vm_attr_max_bytes.attr,
	&mrm_vm_attr_target_bytes.attr,
	&mrm_vm_attr_shortfall_bytes.attr,
	&mrm_vm_attr_reclaim_requested_bytes.attr,
	&mrm_vm_attr_block_limit_bytes.attr,
	&mrm_vm_attr_blocked.attr,
	&mrm_vm_attr_refaulted_bytes.attr,
	&mrm_vm_attr_thrashing.attr,
	&mrm_vm_attr_policy_actions.attr,
	&mrm_vm_attr_guest_pressure.attr,
	NULL,
};

const struct attribute_group mrm_vm_policy_group = {
	.attrs = mrm_vm_policy_attrs,
};

/**
 * mrm_loop_sysfs_init() - create /sys/kernel/mrm/policy and .../host
 *
 * Return: 0 or -ENOMEM / the error of sysfs_create_group().
 */
int mrm_loop_sysfs_init(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(mrm_policy_knobs); i++)
		mrm_policy_attrs[i] = &mrm_policy_knobs[i].attr.attr;
	mrm_policy_attrs[i] = &mrm_policy_attr_enabled.attr;
	for (i = 0; i < ARRAY_SIZE(mrm_host_files); i++)
		mrm_host_attrs[i] = &mrm_host_files[i].attr.attr;

	mrm_policy_kobj = kobject_create_and_add("policy", mrm_sysfs_root());
	if (!mrm_policy_kobj)
		return -ENOMEM;
	err = sysfs_create_group(mrm_policy_kobj, &mrm_policy_group);
	if (err)
		goto put_policy;
	mrm_host_kobj = kobject_create_and_add("host", mrm_sysfs_root());
	if (!mrm_host_kobj) {
		err = -ENOMEM;
		goto remove_policy;
	}
	err = sysfs_create_group(mrm_host_kobj, &mrm_host_group);
	if (err)
		goto put_host;
	return 0;

put_host:
	kobject_put(mrm_host_kobj);
remove_policy:
	sysfs_remove_group(mrm_policy_kobj, &mrm_policy_group);
put_policy:
	kobject_put(mrm_policy_kobj);
	return err;
}

/**
 * mrm_loop_sysfs_exit() - remove what mrm_loop_sysfs_init() created
 */
void mrm_loop_sysfs_exit(void)
{
	sysfs_remove_group(mrm_host_kobj, &mrm_host_group);
	kobject_put(mrm_host_kobj);
	sysfs_remove_group(mrm_policy_kobj, &mrm_policy_group);
	kobject_put(mrm_policy_kobj);
}
