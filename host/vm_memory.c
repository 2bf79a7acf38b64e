// SPDX-License-Identifier: GPL-2.0
/*
 * What an attached VM's KVM memslots say about its memory.
 */
#include <linux/kvm_host.h>
#include <linux/srcu.h>

#include "vm.h"

/**
 * mrm_vm_memory_bytes() - the guest RAM KVM maps for a VM
 * @vm: a VM the caller holds a reference to
 *
 * The sum of the sizes of the VM's memslots in address space 0 (the
 * ordinary, non-SMM view of guest memory) that user space created (KVM's
 * internal slots excluded) and that are writable (KVM_MEM_READONLY slots,
 * which back ROMs such as the BIOS, excluded).  For QEMU this is the -m
 * size minus the parts of the first megabyte that are not RAM while the
 * sum is taken; it changes when memory is hot-plugged.  Walks the memslots
 * under kvm->srcu; O(number of memslots).
 *
 * Return: the size in bytes.
 */
u64 mrm_vm_memory_bytes(struct mrm_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	u64 bytes = 0;
	int idx, bkt;

	idx = srcu_read_lock(&kvm->srcu);
	slots = kvm_memslots(kvm);
	kvm_for_each_memslot(slot, bkt, slots) {
		if (slot->id >= KVM_USER_MEM_SLOTS)
			continue;
		if (slot->flags & KVM_MEM_READONLY)
			continue;
		bytes += (u64)slot->npages << PAGE_SHIFT;
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return bytes;
}
