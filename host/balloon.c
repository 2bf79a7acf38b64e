// SPDX-License-Identifier: GPL-2.0
/*
 * Ballooned guest frames on the host: validate them against the VM's own
 * memory slots, drop the host memory behind them, and keep the record
 * that accounting and DEFLATE work from.
 *
 * A frame is released through the VM's memory slots (guest frame ->
 * slot -> host virtual address in QEMU) and QEMU's mappings: anonymous
 * private RAM is zapped (as MADV_DONTNEED would), shared file RAM (memfd,
 * shmem, -object memory-backend-memfd) gets a hole punched (as
 * MADV_REMOVE would), so the memory really goes back to the host.  KVM
 * hears of either through its MMU notifier and drops its own mappings;
 * the next guest access faults in a zero page.
 *
 * kvm->srcu is held from the slot lookup until the release is done, so a
 * slot cannot be deleted (and QEMU cannot unmap its memory and reuse the
 * address) in between.  mmap_lock is dropped before a hole punch, which
 * takes the inode lock (the order madvise(MADV_REMOVE) keeps).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/userfaultfd_k.h>

#include <mrm/compat.h>

#include "balloon.h"
#include "vm.h"

#define MRM_FRAME_BYTES		4096ULL

/* VMAs whose pages mrm never drops. */
#define MRM_VMA_UNRELEASABLE \
	(VM_HUGETLB | VM_PFNMAP | VM_IO | VM_MIXEDMAP | VM_LOCKED)

/**
 * mrm_vm_balloon_init() - an empty record
 * @vb: the balloon
 */
void mrm_vm_balloon_init(struct mrm_vm_balloon *vb)
{
	memset(vb, 0, sizeof(*vb));
	xa_init(&vb->frames);
}

/**
 * mrm_vm_balloon_destroy() - free the record
 * @vb: the balloon; no session uses it any more
 */
void mrm_vm_balloon_destroy(struct mrm_vm_balloon *vb)
{
	xa_destroy(&vb->frames);
	WRITE_ONCE(vb->pages, 0);
}

/**
 * mrm_vm_balloon_begin() - a session said HELLO with this boot id
 * @vb: the balloon
 * @boot_id: the guest balloon's identity from HELLO
 *
 * Another boot id means the balloon the record describes is gone (guest
 * rebooted or its module reloaded): the record is forgotten.  The same one
 * keeps it; the guest re-offers what it holds, which changes nothing that
 * is already recorded.
 */
void mrm_vm_balloon_begin(struct mrm_vm_balloon *vb, u64 boot_id)
{
	if (vb->boot_id == boot_id)
		return;
	xa_destroy(&vb->frames);
	WRITE_ONCE(vb->pages, 0);
	vb->boot_id = boot_id;
}

enum mrm_frame_verdict {
	MRM_FRAME_NEW,		/* valid, not yet in the record */
	MRM_FRAME_RECORDED,	/* exactly this frame is in the record */
	MRM_FRAME_INVALID,	/* not this VM's RAM, or overlaps the record */
};

/* Is [gfn, gfn + 2^order) in the record, partly, or not at all? */
static enum mrm_frame_verdict mrm_record_check(struct mrm_vm_balloon *vb,
					       u64 gfn, unsigned int order)
{
	unsigned long idx = gfn & ~((1UL << MRM_FRAME_ORDER_2M) - 1);
	void *entry;

	if (order == MRM_FRAME_ORDER_4K) {
		entry = xa_load(&vb->frames, gfn);
		if (entry)
			return MRM_FRAME_RECORDED;
		entry = xa_load(&vb->frames, idx);
		if (entry && xa_to_value(entry) == MRM_FRAME_ORDER_2M)
			return MRM_FRAME_INVALID;
		return MRM_FRAME_NEW;
	}
	idx = gfn;
	entry = xa_find(&vb->frames, &idx, gfn + (1UL << order) - 1,
			XA_PRESENT);
	if (!entry)
		return MRM_FRAME_NEW;
	if (idx == gfn && xa_to_value(entry) == order)
		return MRM_FRAME_RECORDED;
	return MRM_FRAME_INVALID;
}

/* The ordinary-RAM slot holding all of the frame, or NULL.  srcu held. */
static struct kvm_memory_slot *mrm_frame_slot(struct kvm *kvm,
					      const struct mrm_frame *f)
{
	struct kvm_memory_slot *slot = gfn_to_memslot(kvm, f->gfn);
	u64 end = f->gfn + (1ULL << f->order);

	if (!slot || !mrm_vm_slot_is_ram(slot) ||
	    end > slot->base_gfn + slot->npages)
		return NULL;
	return slot;
}

/*
 * Drop the host memory behind [hva, hva + len) of the VM's process.
 * srcu held (by the caller), mmap_lock not.
 */
static int mrm_release_range(struct mm_struct *mm, unsigned long hva,
			     unsigned long len)
{
	struct vm_area_struct *vma;
	struct file *file;
	loff_t offset;
	int err;

	mmap_read_lock(mm);
	vma = find_vma(mm, hva);
	if (!vma || vma->vm_start > hva || vma->vm_end - hva < len) {
		err = -EFAULT;
		goto unlock;
	}
	/*
	 * Never drop what is not plain writable guest RAM: locked, huge-TLB
	 * and device mappings, read-only mappings (ROM-like), and RAM
	 * registered with userfaultfd (post-copy live migration: the
	 * monitor, not the kernel, decides what a missing page holds).
	 */
	if ((vma->vm_flags & MRM_VMA_UNRELEASABLE) ||
	    !(vma->vm_flags & VM_WRITE) || userfaultfd_armed(vma)) {
		err = -EOPNOTSUPP;
		goto unlock;
	}
	if (!(vma->vm_flags & VM_SHARED) || !vma->vm_file) {
		mrm_zap_vma_range(vma, hva, len);
		err = 0;
		goto unlock;
	}

	file = get_file(vma->vm_file);
	offset = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + (hva - vma->vm_start);
	mmap_read_unlock(mm);
	err = vfs_fallocate(file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    offset, len);
	fput(file);
	return err;

unlock:
	mmap_read_unlock(mm);
	return err;
}

static int mrm_record_add(struct mrm_vm_balloon *vb,
			  const struct mrm_frame *f)
{
	return xa_err(xa_store(&vb->frames, f->gfn, xa_mk_value(f->order),
			       GFP_KERNEL));
}

/*
 * Frames [first, end) of @frames are new, valid and contiguous in one
 * slot: record them, then release them in one go.  On failure nothing of
 * the run stays recorded.
 */
static int mrm_inflate_run(struct mrm_vm_balloon *vb, struct mm_struct *mm,
			   struct kvm_memory_slot *slot,
			   const struct mrm_frames *frames, unsigned int first,
			   unsigned int end, u64 gfn, u64 npages)
{
	struct mrm_frame f;
	unsigned int i;
	int err = 0;

	for (i = first; i < end && !err; i++) {
		mrm_proto_frame_at(frames, i, &f);
		err = mrm_record_add(vb, &f);
	}
	if (!err)
		err = mrm_release_range(mm, gfn_to_hva_memslot(slot, gfn),
					npages * MRM_FRAME_BYTES);
	if (err) {
		while (i-- > first) {
			mrm_proto_frame_at(frames, i, &f);
			xa_erase(&vb->frames, f.gfn);
		}
		return err;
	}
	WRITE_ONCE(vb->pages, vb->pages + npages);
	WRITE_ONCE(vb->released_pages, vb->released_pages + npages);
	return 0;
}

/**
 * mrm_vm_balloon_inflate() - carry out one INFLATE
 * @vb: the VM's balloon
 * @kvm: the VM
 * @frames: the INFLATE's frames (format already validated)
 * @ack: @ack->accepted and @ack->status are set for the answer
 *
 * Frames are processed in order; the first one that is not the VM's
 * ordinary RAM, overlaps the record, or cannot be released stops the
 * INFLATE: frames before it are in the balloon, it and the ones after it
 * are untouched (the protocol's ACK contract).  Consecutive frames that
 * are contiguous in one slot are released together.  Frames already in
 * the record are accepted again without further effect.
 */
void mrm_vm_balloon_inflate(struct mrm_vm_balloon *vb, struct kvm *kvm,
			    const struct mrm_frames *frames,
			    struct mrm_ack *ack)
{
	struct mm_struct *mm = kvm->mm;
	unsigned int i = 0, end;
	u64 accepted_pages = 0;
	int idx, err = 0;

	ack->status = MRM_ACK_OK;
	idx = srcu_read_lock(&kvm->srcu);
	if (!mmget_not_zero(mm)) {
		ack->status = MRM_ACK_FAILED;
		goto out;
	}
	while (i < frames->nr) {
		struct kvm_memory_slot *slot;
		struct mrm_frame f, g;
		u64 gfn, npages;

		mrm_proto_frame_at(frames, i, &f);
		slot = mrm_frame_slot(kvm, &f);
		switch (slot ? mrm_record_check(vb, f.gfn, f.order) :
			       MRM_FRAME_INVALID) {
		case MRM_FRAME_RECORDED:
			accepted_pages += 1ULL << f.order;
			i++;
			continue;
		case MRM_FRAME_INVALID:
			ack->status = MRM_ACK_INVALID;
			goto put_mm;
		case MRM_FRAME_NEW:
			break;
		}

		/* Extend the run while the next frame follows on directly. */
		gfn = f.gfn;
		npages = 1ULL << f.order;
		for (end = i + 1; end < frames->nr; end++) {
			mrm_proto_frame_at(frames, end, &g);
			if (g.gfn != gfn + npages ||
			    mrm_frame_slot(kvm, &g) != slot ||
			    mrm_record_check(vb, g.gfn, g.order) !=
			    MRM_FRAME_NEW)
				break;
			npages += 1ULL << g.order;
		}
		err = mrm_inflate_run(vb, mm, slot, frames, i, end, gfn, npages);
		if (err) {
			pr_warn_ratelimited("cannot release %llu pages at gfn 0x%llx: %d\n",
					    npages, gfn, err);
			ack->status = MRM_ACK_FAILED;
			goto put_mm;
		}
		accepted_pages += npages;
		i = end;
	}
put_mm:
	mmput(mm);
out:
	srcu_read_unlock(&kvm->srcu, idx);
	ack->accepted = i;
	WRITE_ONCE(vb->inflated_pages, vb->inflated_pages + accepted_pages);
	if (i < frames->nr)
		WRITE_ONCE(vb->rejected_frames, vb->rejected_frames + 1);
}

/**
 * mrm_vm_balloon_deflate() - carry out one DEFLATE: accounting only
 * @vb: the VM's balloon
 * @frames: the DEFLATE's frames (format already validated)
 *
 * Frames leave the record; the guest may already be using them, and the
 * host has nothing to do for that.  Frames not in the record (exactly, with
 * their order) are counted and ignored.
 *
 * Return: 4 KiB pages that left the record.
 */
u64 mrm_vm_balloon_deflate(struct mrm_vm_balloon *vb,
			   const struct mrm_frames *frames)
{
	u64 pages = 0, unknown = 0;
	struct mrm_frame f;
	unsigned int i;
	void *entry;

	for (i = 0; i < frames->nr; i++) {
		mrm_proto_frame_at(frames, i, &f);
		entry = xa_load(&vb->frames, f.gfn);
		if (!entry || xa_to_value(entry) != f.order) {
			unknown++;
			continue;
		}
		xa_erase(&vb->frames, f.gfn);
		pages += 1ULL << f.order;
	}
	WRITE_ONCE(vb->pages, vb->pages - pages);
	WRITE_ONCE(vb->deflated_pages, vb->deflated_pages + pages);
	WRITE_ONCE(vb->unknown_frames, vb->unknown_frames + unknown);
	return pages;
}
