// SPDX-License-Identifier: GPL-2.0
/*
 * Page sharing with KSM.
 *
 * At attach (if /sys/kernel/mrm/ksm is 1, the default) every VMA that
 * backs the VM's guest RAM (the writable user memslots of address space
 * 0) is marked mergeable, as madvise(MADV_MERGEABLE) would mark it, but
 * whole: a VMA is never split, so a VMA that holds more than guest RAM is
 * marked entirely.  QEMU marks its RAM itself unless -machine
 * mem-merge=off; mrm makes it so for every VM it manages.  KSM refuses
 * some VMAs (shared file mappings, VM_PFNMAP, ...): those are skipped.
 * Detaching leaves the marks: unmerging would copy every shared page.
 *
 * KSM's scanner must run (/sys/kernel/mm/ksm/run = 1) for anything to be
 * merged; mrm does not start it.
 *
 * Accounting: mm->ksm_merging_pages counts the pages of the VM's process
 * that map a KSM page.  What that saves depends on how many mappings each
 * KSM page has, which KSM only tells host-wide, in
 * /sys/kernel/mm/ksm/pages_shared and pages_sharing (not exported to
 * modules otherwise): they are read from there, at most once a second.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/srcu.h>
#include <linux/sysfs.h>

#include <mrm/compat.h>
#include <mrm/memcg_stat.h>
#include <mrm/parse.h>

#include "ksm.h"

#define MRM_KSM_SYSFS		"/sys/kernel/mm/ksm/"
/* How long host-wide KSM numbers are reused. */
#define MRM_KSM_STAT_MAX_AGE	HZ
/* Room for a decimal u64 and a newline. */
#define MRM_KSM_NUM_SIZE	24

/* /sys/kernel/mrm/ksm: mark new VMs' RAM mergeable.  Any context reads it. */
static bool mrm_ksm_enabled = true;

/*
 * mrm_ksm_stat_lock protects the host-wide KSM numbers below and when
 * they were read.
 */
static DEFINE_MUTEX(mrm_ksm_stat_lock);
static unsigned long mrm_ksm_stat_when;
static bool mrm_ksm_stat_valid;
static u64 mrm_ksm_pages_shared;
static u64 mrm_ksm_pages_sharing;

/* Mark the VMAs behind [start, end) mergeable.  mmap_lock held for write. */
static void mrm_ksm_mark_range(struct mm_struct *mm, unsigned long start,
			       unsigned long end, unsigned int *marked,
			       unsigned int *refused)
{
	struct vm_area_struct *vma;
	unsigned long addr = start;

	while (addr < end) {
		bool mergeable = false;

		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start >= end)
			return;
		if (!(vma->vm_flags & VM_MERGEABLE)) {
			if (!mrm_vma_make_mergeable(vma, &mergeable) &&
			    mergeable)
				(*marked)++;
			else
				(*refused)++;
		}
		addr = vma->vm_end;
	}
}

static int mrm_vm_ksm_attach(struct mrm_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	struct mm_struct *mm = kvm->mm;
	unsigned int marked = 0, refused = 0;
	struct kvm_memory_slot *slot;
	int idx, bkt;

	if (!READ_ONCE(mrm_ksm_enabled))
		return 0;
	/* An exiting process: the attach fails later by itself. */
	if (!mmget_not_zero(mm))
		return 0;
	idx = srcu_read_lock(&kvm->srcu);
	mmap_write_lock(mm);
	kvm_for_each_memslot(slot, bkt, kvm_memslots(kvm)) {
		if (slot->id >= KVM_USER_MEM_SLOTS ||
		    (slot->flags & KVM_MEM_READONLY))
			continue;
		mrm_ksm_mark_range(mm, slot->userspace_addr,
				   slot->userspace_addr +
				   (slot->npages << PAGE_SHIFT),
				   &marked, &refused);
	}
	mmap_write_unlock(mm);
	srcu_read_unlock(&kvm->srcu, idx);
	mmput(mm);
	if (refused)
		pr_notice_ratelimited("vm %u: KSM refused %u guest RAM VMA(s)\n",
				      vm->id, refused);
	if (marked)
		pr_info("vm %u: %u guest RAM VMA(s) marked mergeable\n",
			vm->id, marked);
	return 0;
}

/* Nothing to undo: a VMA stays mergeable (see the file comment). */
const struct mrm_vm_hooks mrm_vm_ksm_hooks = {
	.name = "ksm",
	.attach = mrm_vm_ksm_attach,
};

/**
 * mrm_ksm_merged_bytes() - the VM's pages that KSM merged
 * @vm: a VM the caller holds a reference to
 *
 * Pages of the VM's process (guest RAM and QEMU's own) that map a KSM
 * page.  Lockless; 0 on a kernel without KSM.
 *
 * Return: bytes.
 */
u64 mrm_ksm_merged_bytes(struct mrm_vm *vm)
{
#ifdef CONFIG_KSM
	return (u64)READ_ONCE(vm->kvm->mm->ksm_merging_pages) << PAGE_SHIFT;
#else
	return 0;
#endif
}

/* One number from /sys/kernel/mm/ksm/<name>. */
static int mrm_ksm_read_stat(const char *name, u64 *val)
{
	char path[64], buf[MRM_KSM_NUM_SIZE];
	struct file *file;
	loff_t pos = 0;
	ssize_t n;

	snprintf(path, sizeof(path), MRM_KSM_SYSFS "%s", name);
	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	n = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	fput(file);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return mrm_parse_u64(buf, 0, U64_MAX, val);
}

/**
 * mrm_ksm_saved_bytes() - host memory KSM saves a VM
 * @merged: mrm_ksm_merged_bytes() of the VM
 *
 * See mrm_ksm_saved(): the host-wide average of mappings per KSM page
 * stands in for the VM's.  May sleep (reads KSM's sysfs files at most
 * once a second).
 *
 * Return: bytes, at most @merged.
 */
u64 mrm_ksm_saved_bytes(u64 merged)
{
	u64 shared = 0, sharing = 0;

	if (!merged)
		return 0;
	mutex_lock(&mrm_ksm_stat_lock);
	if (!mrm_ksm_stat_valid ||
	    time_after(jiffies, mrm_ksm_stat_when + MRM_KSM_STAT_MAX_AGE)) {
		mrm_ksm_stat_valid =
			!mrm_ksm_read_stat("pages_shared", &mrm_ksm_pages_shared) &&
			!mrm_ksm_read_stat("pages_sharing", &mrm_ksm_pages_sharing);
		mrm_ksm_stat_when = jiffies;
	}
	if (mrm_ksm_stat_valid) {
		shared = mrm_ksm_pages_shared;
		sharing = mrm_ksm_pages_sharing;
	}
	mutex_unlock(&mrm_ksm_stat_lock);
	return mrm_ksm_saved(merged, shared, sharing);
}

static ssize_t ksm_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(mrm_ksm_enabled) ? 1 : 0);
}

static ssize_t ksm_store(struct kobject *kobj, struct kobj_attribute *attr,
			 const char *buf, size_t count)
{
	u64 val;
	int err;

	err = mrm_parse_u64(buf, 0, 1, &val);
	if (err)
		return err;
	WRITE_ONCE(mrm_ksm_enabled, val);
	return count;
}

/* /sys/kernel/mrm/ksm, listed by sysfs.c. */
struct kobj_attribute mrm_ksm_attr = __ATTR_RW(ksm);
