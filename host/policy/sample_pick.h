/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Working-set sampling (Waldspurger, OSDI 2002, section 5.3): choosing
 * which guest pages to sample.  A VM's RAM is a list of slots (KVM
 * memslots) of given sizes in pages; each period n pages are chosen
 * uniformly at random from all of them, whatever their layout.  The
 * mechanism that maps a chosen (slot, page) to a guest frame and watches
 * it lives in host/sample.c; the estimator that the touches feed is wss.c.
 *
 * Plain C (see mrm/plain.h): built into mrm_host.ko, KUnit and mrmsim.
 * The random numbers come from the caller, so tests and the simulator are
 * deterministic and the module can use the kernel's generator.
 */
#ifndef _MRM_POLICY_SAMPLE_PICK_H
#define _MRM_POLICY_SAMPLE_PICK_H

#include "fixed.h"

/*
 * Draws a uniform value may take before the top partial bucket of the
 * 64-bit range is accepted anyway (see mrm_sample_uniform()); with an
 * honest source, the chance of reaching it is below 2^-64.
 */
#define MRM_SAMPLE_DRAW_RETRIES 64U

/**
 * typedef mrm_sample_rand_fn - a source of random numbers
 * @ctx: the source's state, as passed to mrm_sample_pick()
 *
 * Return: 64 bits, each uniformly and independently distributed.
 */
typedef u64 (*mrm_sample_rand_fn)(void *ctx);

/**
 * struct mrm_sample_pos - one chosen page
 * @slot: index of its slot in the caller's list
 * @page: its page offset within that slot, below the slot's size
 */
struct mrm_sample_pos {
	u32 slot;
	u64 page;
};

u64 mrm_sample_uniform(u64 bound, mrm_sample_rand_fn rand, void *ctx);
int mrm_sample_total(const u64 *slot_pages, u32 nr_slots, u64 *total);
int mrm_sample_pick(const u64 *slot_pages, u32 nr_slots, u32 n,
		    mrm_sample_rand_fn rand, void *ctx,
		    struct mrm_sample_pos *out);

#endif /* _MRM_POLICY_SAMPLE_PICK_H */
