// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mrm_balloon/: the guest module's sysfs root.
 *
 * Every file is documented as ABI in
 * Documentation/ABI/testing/sysfs-kernel-mrm_balloon.  Sizes are bytes.
 */
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/sysfs.h>

#include <mrm/parse.h>
#include <mrm/version.h>

#include "balloon.h"
#include "pressure.h"
#include "session.h"
#include "sysfs.h"

/*
 * Set at module load before the files exist, cleared after they are gone;
 * the session and balloon outlive the files.
 */
static struct kobject *mrm_root_kobj;
static struct mrm_session *mrm_sysfs_session;
static struct mrm_balloon *mrm_sysfs_balloon;
static struct mrm_pressure *mrm_sysfs_pressure;

#define MRM_PAGE_BYTES	4096ULL

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MRM_VERSION);
}

static ssize_t target_bytes_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(mrm_sysfs_session->target_pages) *
			  MRM_PAGE_BYTES);
}

static ssize_t current_bytes_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mrm_balloon_held(mrm_sysfs_balloon) * MRM_PAGE_BYTES);
}

static ssize_t acked_bytes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mrm_balloon_acked(mrm_sysfs_balloon) * MRM_PAGE_BYTES);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  mrm_conn_state_name(READ_ONCE(mrm_sysfs_session->state)));
}

static ssize_t floor_bytes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(mrm_sysfs_session->floor_pages) *
			  MRM_PAGE_BYTES);
}

static ssize_t floor_bytes_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	u64 bytes;
	int err;

	err = mrm_parse_bytes(buf, 0, (u64)totalram_pages() * MRM_PAGE_BYTES,
			      &bytes);
	if (err)
		return err;
	WRITE_ONCE(mrm_sysfs_session->floor_pages, bytes / MRM_PAGE_BYTES);
	return count;
}

static ssize_t pressure_deflated_bytes_show(struct kobject *kobj,
					    struct kobj_attribute *attr,
					    char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (u64)atomic64_read(&mrm_sysfs_pressure->deflated_pages) *
			  MRM_PAGE_BYTES);
}

static ssize_t oom_notifications_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (s64)atomic64_read(&mrm_sysfs_pressure->oom_calls));
}

static struct kobj_attribute mrm_attr_version = __ATTR_RO(version);
static struct kobj_attribute mrm_attr_target_bytes = __ATTR_RO(target_bytes);
static struct kobj_attribute mrm_attr_current_bytes = __ATTR_RO(current_bytes);
static struct kobj_attribute mrm_attr_acked_bytes = __ATTR_RO(acked_bytes);
static struct kobj_attribute mrm_attr_state = __ATTR_RO(state);
static struct kobj_attribute mrm_attr_floor_bytes = __ATTR_RW(floor_bytes);
static struct kobj_attribute mrm_attr_pressure_deflated_bytes =
	__ATTR_RO(pressure_deflated_bytes);
static struct kobj_attribute mrm_attr_oom_notifications =
	__ATTR_RO(oom_notifications);

static struct attribute *mrm_root_attrs[] = {
	&mrm_attr_version.attr,
	&mrm_attr_target_bytes.attr,
	&mrm_attr_current_bytes.attr,
	&mrm_attr_acked_bytes.attr,
	&mrm_attr_state.attr,
	&mrm_attr_floor_bytes.attr,
	&mrm_attr_pressure_deflated_bytes.attr,
	&mrm_attr_oom_notifications.attr,
	NULL,
};

static const struct attribute_group mrm_root_group = {
	.attrs = mrm_root_attrs,
};

/**
 * mrm_sysfs_init() - create /sys/kernel/mrm_balloon and its files
 * @session: the session the files show (must outlive them)
 * @balloon: the balloon the files show (must outlive them)
 * @pressure: the pressure hooks the files show (must outlive them)
 *
 * Return: 0 on success or a negative errno.
 */
int mrm_sysfs_init(struct mrm_session *session, struct mrm_balloon *balloon,
		   struct mrm_pressure *pressure)
{
	int err;

	mrm_sysfs_session = session;
	mrm_sysfs_balloon = balloon;
	mrm_sysfs_pressure = pressure;
	mrm_root_kobj = kobject_create_and_add("mrm_balloon", kernel_kobj);
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
 * mrm_sysfs_exit() - remove /sys/kernel/mrm_balloon and everything below it
 */
void mrm_sysfs_exit(void)
{
	sysfs_remove_group(mrm_root_kobj, &mrm_root_group);
	kobject_put(mrm_root_kobj);
	mrm_root_kobj = NULL;
}
