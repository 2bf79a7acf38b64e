// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mrm/vms/<name or id>/: one directory per attached VM, named
 * after the VM's name, or its decimal id if it has none (names start with a
 * letter, so the two never collide).  Every file is documented as ABI in
 * Documentation/ABI/testing/sysfs-kernel-mrm.
 *
 * The directory is the first user of the per-VM hooks (struct
 * mrm_vm_hooks): created before the VM is published, removed by ->detach.
 * Its kobject is allocated apart from struct mrm_vm and points to it;
 * kobject_del() in ->detach waits for every running show() and stops new
 * ones, so show() may use the VM (and vm->kvm) without a reference: the VM
 * is freed only after ->detach.  The kobject itself may live on (a
 * reference taken by sysfs) and is freed by its release, which does not
 * touch the VM.
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "endpoint.h"
#include "loop.h"
#include "sample_sysfs.h"
#include "memcg.h"
#include "sysfs.h"
#include "vm.h"
#include "vm_sysfs.h"

/**
 * struct mrm_vm_sysfs - a VM's sysfs directory
 * @kobj: the directory
 * @vm: the VM; valid while @kobj is in sysfs (see the file comment)
 */
struct mrm_vm_sysfs {
	struct kobject kobj;
	struct mrm_vm *vm;
};

/* /sys/kernel/mrm/vms; created at module load, removed at unload. */
static struct kobject *mrm_vms_kobj;

/**
 * mrm_vm_sysfs_vm() - the VM whose directory a show() or store() is in
 * @kobj: the kobject sysfs passes to the callback
 *
 * Return: the VM; valid for the duration of the callback.
 */
struct mrm_vm *mrm_vm_sysfs_vm(struct kobject *kobj)
{
	return container_of(kobj, struct mrm_vm_sysfs, kobj)->vm;
}

static ssize_t id_show(struct kobject *kobj, struct kobj_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%u\n", mrm_vm_sysfs_vm(kobj)->id);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", mrm_vm_sysfs_vm(kobj)->name);
}

static ssize_t cid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%u\n", mrm_vm_sysfs_vm(kobj)->cid);
}

static ssize_t pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", mrm_vm_sysfs_vm(kobj)->pid);
}

static ssize_t memory_bytes_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mrm_vm_memory_bytes(mrm_vm_sysfs_vm(kobj)));
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct mrm_vm *vm = mrm_vm_sysfs_vm(kobj);

	return sysfs_emit(buf, "%s\n", mrm_vm_state_name(READ_ONCE(vm->state)));
}

static ssize_t hold_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%d\n", mrm_vm_sysfs_vm(kobj)->holder ? 1 : 0);
}

static struct kobj_attribute mrm_vm_attr_id = __ATTR_RO(id);
static struct kobj_attribute mrm_vm_attr_name = __ATTR_RO(name);
static struct kobj_attribute mrm_vm_attr_cid = __ATTR_RO(cid);
static struct kobj_attribute mrm_vm_attr_pid = __ATTR_RO(pid);
static struct kobj_attribute mrm_vm_attr_memory_bytes = __ATTR_RO(memory_bytes);
static struct kobj_attribute mrm_vm_attr_state = __ATTR_RO(state);
static struct kobj_attribute mrm_vm_attr_hold = __ATTR_RO(hold);

static struct attribute *mrm_vm_attrs[] = {
	&mrm_vm_attr_id.attr,
	&mrm_vm_attr_name.attr,
	&mrm_vm_attr_cid.attr,
	&mrm_vm_attr_pid.attr,
	&mrm_vm_attr_memory_bytes.attr,
	&mrm_vm_attr_state.attr,
	&mrm_vm_attr_hold.attr,
	NULL,
};

static const struct attribute_group mrm_vm_group = {
	.attrs = mrm_vm_attrs,
};

static const struct attribute_group *mrm_vm_groups[] = {
	&mrm_vm_group,
	&mrm_vm_balloon_group,
	&mrm_vm_guest_group,
	&mrm_vm_policy_group,
	&mrm_vm_sample_group,
	&mrm_vm_memcg_group,
	NULL,
};

static void mrm_vm_sysfs_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct mrm_vm_sysfs, kobj));
}

static const struct kobj_type mrm_vm_ktype = {
	.release = mrm_vm_sysfs_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = mrm_vm_groups,
};

static int mrm_vm_sysfs_attach(struct mrm_vm *vm)
{
	struct mrm_vm_sysfs *dir;
	int err;

	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	dir->vm = vm;
	if (vm->name[0])
		err = kobject_init_and_add(&dir->kobj, &mrm_vm_ktype,
					   mrm_vms_kobj, "%s", vm->name);
	else
		err = kobject_init_and_add(&dir->kobj, &mrm_vm_ktype,
					   mrm_vms_kobj, "%u", vm->id);
	if (err) {
		/* Frees @dir through mrm_vm_sysfs_release(). */
		kobject_put(&dir->kobj);
		return err;
	}
	vm->sysfs = dir;
	return 0;
}

static void mrm_vm_sysfs_detach(struct mrm_vm *vm)
{
	/* Waits for running show()s; none start after this. */
	kobject_del(&vm->sysfs->kobj);
}

static void mrm_vm_sysfs_free(struct mrm_vm *vm)
{
	kobject_put(&vm->sysfs->kobj);
	vm->sysfs = NULL;
}

const struct mrm_vm_hooks mrm_vm_sysfs_hooks = {
	.name = "sysfs",
	.attach = mrm_vm_sysfs_attach,
	.detach = mrm_vm_sysfs_detach,
	.free = mrm_vm_sysfs_free,
};

/**
 * mrm_vm_sysfs_init() - create /sys/kernel/mrm/vms
 *
 * Return: 0 or -ENOMEM.
 */
int mrm_vm_sysfs_init(void)
{
	mrm_vms_kobj = kobject_create_and_add("vms", mrm_sysfs_root());
	return mrm_vms_kobj ? 0 : -ENOMEM;
}

/**
 * mrm_vm_sysfs_exit() - remove /sys/kernel/mrm/vms, which must be empty
 */
void mrm_vm_sysfs_exit(void)
{
	kobject_put(mrm_vms_kobj);
	mrm_vms_kobj = NULL;
}
