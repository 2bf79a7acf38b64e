/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's memory for mrmsim, one entry per chunk (a page or a group of
 * pages): where each chunk's data lives, an LRU of the host-backed chunks,
 * the balloon, and counters of what happened.
 */
#ifndef _MRMSIM_VM_H
#define _MRMSIM_VM_H

#include <mrm/plain.h>

#define VM_NONE U32_MAX

/**
 * enum vm_chunk - where a chunk's data is
 * @VM_CHUNK_NEW: never touched: neither the guest nor the host holds it
 * @VM_CHUNK_RESIDENT: in guest memory, backed by host memory
 * @VM_CHUNK_SWAPPED: in guest memory as the guest sees it, but the host
 *	swapped (or compressed) it: touching it is a host page fault
 * @VM_CHUNK_GUEST_SWAPPED: the guest swapped it out to make room (for the
 *	balloon): touching it is a guest page fault
 */
enum vm_chunk {
	VM_CHUNK_NEW,
	VM_CHUNK_RESIDENT,
	VM_CHUNK_SWAPPED,
	VM_CHUNK_GUEST_SWAPPED,
};

/**
 * enum vm_touch - outcome of one access
 * @VM_TOUCH_HIT: resident
 * @VM_TOUCH_MAP: first touch; the host backed it
 * @VM_TOUCH_HOST_FAULT: host swap-in
 * @VM_TOUCH_GUEST_FAULT: guest swap-in
 * @VM_TOUCH_STALL: needed host memory and got none (host out of memory,
 *	or the VM is blocked): the access did not happen
 */
enum vm_touch {
	VM_TOUCH_HIT,
	VM_TOUCH_MAP,
	VM_TOUCH_HOST_FAULT,
	VM_TOUCH_GUEST_FAULT,
	VM_TOUCH_STALL,
};

/**
 * struct vm_model - one VM
 * @chunks: guest memory size in chunks
 * @state: enum vm_chunk per chunk
 * @accessed: per chunk, set by every access (the sampler clears it)
 * @prev: LRU links of resident chunks (towards most recently used)
 * @next: LRU links of resident chunks (towards least recently used)
 * @mru: most recently used resident chunk, or VM_NONE
 * @lru: least recently used resident chunk, or VM_NONE
 * @resident: host-backed chunks: what the VM consumes
 * @guest_used: chunks holding guest data in guest memory (resident and
 *	host-swapped); with @balloon at most @chunks
 * @balloon: chunks held by the balloon
 * @blocked: may not take more host memory
 * @mapped: chunks ever touched (seed 004's mapped memory)
 * @host_faults: host swap-ins so far
 * @guest_faults: guest swap-ins so far
 * @host_reclaimed: chunks the host swapped out so far
 * @guest_evicted: chunks the guest swapped out so far
 */
struct vm_model {
	u32 chunks;
	u8 *state;
	u8 *accessed;
	u32 *prev;
	u32 *next;
	u32 mru;
	u32 lru;
	u64 resident;
	u64 guest_used;
	u64 balloon;
	bool blocked;
	u64 mapped;
	u64 host_faults;
	u64 guest_faults;
	u64 host_reclaimed;
	u64 guest_evicted;
};

int vm_init(struct vm_model *vm, u32 chunks);
void vm_free(struct vm_model *vm);
enum vm_touch vm_touch(struct vm_model *vm, u32 chunk, u64 *host_free);
u64 vm_host_reclaim(struct vm_model *vm, u64 chunks, u64 *host_free);
void vm_balloon_step(struct vm_model *vm, u64 target, u64 max_step,
		     u64 *host_free);

#endif /* _MRMSIM_VM_H */
