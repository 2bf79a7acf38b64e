// SPDX-License-Identifier: GPL-2.0
/*
 * The VM memory model behind mrmsim's idle-tax and overcommit scenarios.
 *
 * Host reclaim (compress/swap through the VM's cgroup) takes the least
 * recently used resident chunks, as Linux's LRU approximately does.  The
 * balloon takes guest memory: free guest memory first (no host effect),
 * then the guest evicts its own least recently used data to its swap,
 * which releases the host memory behind it.  A guest that needs a free
 * page (first touch, or swap-in) and has none evicts its own LRU chunk
 * likewise.  Page faults are counted when they happen, never assumed.
 */
#include <stdlib.h>

#include "vm.h"

/**
 * vm_init() - a VM of @chunks chunks, none touched yet
 * @vm: model to set up
 * @chunks: guest memory size in chunks, below VM_NONE
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int vm_init(struct vm_model *vm, u32 chunks)
{
	memset(vm, 0, sizeof(*vm));
	if (!chunks || chunks == VM_NONE)
		return -EINVAL;
	vm->chunks = chunks;
	vm->state = calloc(chunks, sizeof(*vm->state));
	vm->accessed = calloc(chunks, sizeof(*vm->accessed));
	vm->prev = calloc(chunks, sizeof(*vm->prev));
	vm->next = calloc(chunks, sizeof(*vm->next));
	vm->mru = VM_NONE;
	vm->lru = VM_NONE;
	if (!vm->state || !vm->accessed || !vm->prev || !vm->next) {
		vm_free(vm);
		return -ENOMEM;
	}
	return 0;
}

/**
 * vm_free() - release a model's memory
 * @vm: model
 */
void vm_free(struct vm_model *vm)
{
	free(vm->state);
	free(vm->accessed);
	free(vm->prev);
	free(vm->next);
	memset(vm, 0, sizeof(*vm));
}

static void vm_lru_unlink(struct vm_model *vm, u32 c)
{
	if (vm->prev[c] != VM_NONE)
		vm->next[vm->prev[c]] = vm->next[c];
	else
		vm->mru = vm->next[c];
	if (vm->next[c] != VM_NONE)
		vm->prev[vm->next[c]] = vm->prev[c];
	else
		vm->lru = vm->prev[c];
}

static void vm_lru_push(struct vm_model *vm, u32 c)
{
	vm->prev[c] = VM_NONE;
	vm->next[c] = vm->mru;
	if (vm->mru != VM_NONE)
		vm->prev[vm->mru] = c;
	vm->mru = c;
	if (vm->lru == VM_NONE)
		vm->lru = c;
}

/* Take the LRU resident chunk off the host: its data goes to @to. */
static bool vm_evict_lru(struct vm_model *vm, enum vm_chunk to,
			 u64 *host_free)
{
	u32 c = vm->lru;

	if (c == VM_NONE)
		return false;
	vm_lru_unlink(vm, c);
	vm->state[c] = to;
	vm->resident--;
	(*host_free)++;
	return true;
}

/*
 * The guest frees one page of its memory by swapping out data: its LRU
 * resident chunk, or failing that (all its data is host-swapped) any
 * host-swapped chunk, whose swap-in cost the model does not charge.
 */
static bool vm_guest_evict(struct vm_model *vm, u64 *host_free)
{
	u32 c;

	if (!vm->guest_used)
		return false;
	vm->guest_used--;
	vm->guest_evicted++;
	if (vm_evict_lru(vm, VM_CHUNK_GUEST_SWAPPED, host_free))
		return true;
	for (c = 0; c < vm->chunks; c++) {
		if (vm->state[c] == VM_CHUNK_SWAPPED) {
			vm->state[c] = VM_CHUNK_GUEST_SWAPPED;
			break;
		}
	}
	return true;
}

/**
 * vm_touch() - the guest accesses one chunk
 * @vm: model
 * @chunk: chunk number
 * @host_free: host free chunks, taken from and given back to
 *
 * Return: what the access cost; VM_TOUCH_STALL if it needed host memory
 * that the host does not have or will not give (blocked).
 */
enum vm_touch vm_touch(struct vm_model *vm, u32 chunk, u64 *host_free)
{
	enum vm_touch kind;

	switch (vm->state[chunk]) {
	case VM_CHUNK_RESIDENT:
		vm_lru_unlink(vm, chunk);
		vm_lru_push(vm, chunk);
		vm->accessed[chunk] = 1;
		return VM_TOUCH_HIT;
	case VM_CHUNK_SWAPPED:
		if (vm->blocked || !*host_free)
			return VM_TOUCH_STALL;
		vm->host_faults++;
		kind = VM_TOUCH_HOST_FAULT;
		break;
	default:
		if (vm->guest_used + vm->balloon >= vm->chunks &&
		    !vm_guest_evict(vm, host_free))
			return VM_TOUCH_STALL;
		if (vm->blocked || !*host_free)
			return VM_TOUCH_STALL;
		if (vm->state[chunk] == VM_CHUNK_NEW) {
			kind = VM_TOUCH_MAP;
			vm->mapped++;
		} else {
			kind = VM_TOUCH_GUEST_FAULT;
			vm->guest_faults++;
		}
		vm->guest_used++;
		break;
	}
	(*host_free)--;
	vm->resident++;
	vm->state[chunk] = VM_CHUNK_RESIDENT;
	vm_lru_push(vm, chunk);
	vm->accessed[chunk] = 1;
	return kind;
}

/**
 * vm_host_reclaim() - the host swaps out up to @chunks LRU chunks
 * @vm: model
 * @chunks: how many
 * @host_free: host free chunks, credited
 *
 * Return: chunks actually reclaimed.
 */
u64 vm_host_reclaim(struct vm_model *vm, u64 chunks, u64 *host_free)
{
	u64 done = 0;

	while (done < chunks && vm_evict_lru(vm, VM_CHUNK_SWAPPED, host_free))
		done++;
	vm->host_reclaimed += done;
	return done;
}

/**
 * vm_balloon_step() - move the balloon towards @target, @max_step at most
 * @vm: model
 * @target: balloon size asked for, chunks
 * @max_step: most chunks inflated or deflated in this step
 * @host_free: host free chunks, credited when the guest evicts data
 */
void vm_balloon_step(struct vm_model *vm, u64 target, u64 max_step,
		     u64 *host_free)
{
	target = min_t(u64, target, vm->chunks);
	while (vm->balloon < target && max_step--) {
		if (vm->guest_used + vm->balloon >= vm->chunks &&
		    !vm_guest_evict(vm, host_free))
			break;
		vm->balloon++;
	}
	if (vm->balloon > target)
		vm->balloon -= min_t(u64, vm->balloon - target, max_step);
}
