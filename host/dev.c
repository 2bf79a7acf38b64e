// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mrm: the misc device through which an administrator attaches KVM VMs
 * to mrm and detaches them (Documentation/attach.rst).
 *
 * Everything that comes in is hostile: each ioctl checks CAP_SYS_ADMIN,
 * copies its fixed-size argument, rejects unknown flags and non-zero
 * reserved fields, and validates every value before anything changes.  A
 * rejected request changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/mrm.h>

#include "dev.h"
#include "vm.h"
#include "vm_params.h"

/* The ABI: these sizes are encoded in the ioctl numbers. */
static_assert(sizeof(struct mrm_attach) == 80);
static_assert(sizeof(struct mrm_detach) == 32);
static_assert(offsetof(struct mrm_attach, name) == 16);
static_assert(offsetof(struct mrm_attach, cgroup_fd) == 48);
static_assert(offsetof(struct mrm_attach, reserved32) == 52);
static_assert(offsetof(struct mrm_attach, reserved) == 56);
static_assert(offsetof(struct mrm_detach, reserved) == 8);

static bool mrm_dev_zeroed(const void *p, size_t size)
{
	return !memchr_inv(p, 0, size);
}

static int mrm_dev_attach(struct file *file, struct mrm_attach __user *uarg)
{
	struct mrm_vm_params params = {};
	struct mrm_attach req;
	struct file *vm_file;
	struct mrm_vm *vm;
	u32 id;
	int err;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~MRM_ATTACH_FLAGS) {
		pr_notice_ratelimited("attach refused: unknown flags 0x%x\n",
				      req.flags & ~MRM_ATTACH_FLAGS);
		return -EINVAL;
	}
	if (req.id || req.reserved32 ||
	    !mrm_dev_zeroed(req.reserved, sizeof(req.reserved))) {
		pr_notice_ratelimited("attach refused: id or reserved fields not zero\n");
		return -EINVAL;
	}
	if (req.flags & MRM_ATTACH_CGROUP ? req.cgroup_fd < 0 : req.cgroup_fd) {
		pr_notice_ratelimited("attach refused: cgroup_fd %d with flags 0x%x\n",
				      req.cgroup_fd, req.flags);
		return -EINVAL;
	}
	if (!mrm_vm_cid_valid(req.cid)) {
		pr_notice_ratelimited("attach refused: %u is not a guest CID\n",
				      req.cid);
		return -EINVAL;
	}
	if (mrm_vm_name_check(req.name)) {
		pr_notice_ratelimited("attach refused: invalid name\n");
		return -EINVAL;
	}

	vm_file = fget(req.vm_fd);
	if (!vm_file)
		return -EBADF;
	if (!file_is_kvm(vm_file)) {
		pr_notice_ratelimited("attach refused: fd %d is not a KVM VM\n",
				      req.vm_fd);
		err = -EBADF;
		goto put_vm_file;
	}
	/* The file holds a reference on the VM while we use it. */
	params.kvm = vm_file->private_data;
	params.cid = req.cid;
	params.name = req.name;
	params.holder = (req.flags & MRM_ATTACH_HOLD) ? file : NULL;
	/* Checked by the memcg hook (memcg.c), in this context. */
	params.cgroup_fd = (req.flags & MRM_ATTACH_CGROUP) ? req.cgroup_fd : -1;
	err = mrm_vm_attach(&params, &id);
	if (err)
		goto put_vm_file;

	if (put_user(id, &uarg->id)) {
		/* Caller cannot learn the id: undo, as promised. */
		vm = mrm_vm_get_by_id(id);
		if (vm)
			mrm_vm_detach(vm, MRM_VM_DETACH_IOCTL);
		err = -EFAULT;
	}
put_vm_file:
	fput(vm_file);
	return err;
}

static int mrm_dev_detach(struct mrm_detach __user *uarg)
{
	struct mrm_detach req;
	struct mrm_vm *vm;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || !mrm_dev_zeroed(req.reserved, sizeof(req.reserved)))
		return -EINVAL;
	vm = mrm_vm_get_by_id(req.id);
	if (!vm)
		return -ENOENT;
	return mrm_vm_detach(vm, MRM_VM_DETACH_IOCTL);
}

static long mrm_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MRM_IOC_ATTACH:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return mrm_dev_attach(file, uarg);
	case MRM_IOC_DETACH:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return mrm_dev_detach(uarg);
	default:
		return -ENOTTY;
	}
}

/* The last close of a /dev/mrm file ends the attachments tied to it. */
static int mrm_dev_release(struct inode *inode, struct file *file)
{
	mrm_vm_detach_held_by(file);
	return 0;
}

static const struct file_operations mrm_dev_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.release = mrm_dev_release,
	.unlocked_ioctl = mrm_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice mrm_dev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mrm",
	.fops = &mrm_dev_fops,
	.mode = 0600,
};

/**
 * mrm_dev_init() - create /dev/mrm
 *
 * Return: 0 or a negative errno.
 */
int mrm_dev_init(void)
{
	return misc_register(&mrm_dev_misc);
}

/**
 * mrm_dev_exit() - remove /dev/mrm
 *
 * The module cannot be unloaded while a file of it is open, so no ioctl
 * or release is running.
 */
void mrm_dev_exit(void)
{
	misc_deregister(&mrm_dev_misc);
}
