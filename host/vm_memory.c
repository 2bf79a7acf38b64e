// SPDX-License-Identifier: GPL-2.0
/*
 * What an attached VM's KVM memslots say about its memory.
 */
#include <linux/kvm_host.h>
#include <linux/srcu.h>

#include "vm.h"

/* Flags of memory slots that are not ordinary guest RAM. */
#ifdef KVM_MEM_GUEST_MEMFD
#define MRM_SLOT_NOT_RAM \
	(KVM_MEM_READONLY | KVM_MEMSLOT_INVALID | KVM_MEM_GUEST_MEMFD)
#else
#define MRM_SLOT_NOT_RAM	(KVM_MEM_READONLY | KVM_MEMSLOT_INVALID)
#endif

/**
 * mrm_vm_slot_is_ram() - is a memslot ordinary guest RAM?
 * @slot: a slot of address space 0; kvm->srcu held
 *
 * RAM is what user space created (KVM's internal slots, such as the APIC
 * access page, have ids from KVM_USER_MEM_SLOTS up), writable (read-only
 * slots back ROMs), not being deleted or moved (KVM_MEMSLOT_INVALID), and
 * mapped through the VM's process (not guest_memfd).
 *
 * Return: true for RAM.
 */
bool mrm_vm_slot_is_ram(const struct kvm_memory_slot *slot)
{
	return slot->id < KVM_USER_MEM_SLOTS &&
	       !(slot->flags & MRM_SLOT_NOT_RAM);
}

/**
 * mrm_vm_memory_bytes() - the guest RAM KVM maps for a VM
 * @vm: a VM the caller holds a reference to
 *
 * The sum of the sizes of the VM's memslots in address space 0 (the
 * ordinary, non-SMM view of guest memory) that are RAM (see
 * mrm_vm_slot_is_ram(): KVM's internal slots and the read-only slots that
 * back ROMs such as the BIOS are excluded).  For QEMU this is the -m
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
		if (!mrm_vm_slot_is_ram(slot))
			continue;
		bytes += (u64)slot->npages << PAGE_SHIFT;
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return bytes;
}
