// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the pages a working-set sample looks at.
 *
 * The pages of all slots are numbered 0..total-1 in list order (a slot of
 * size 0 takes no number).  Each of the n samples draws one number
 * uniformly from that range, independently of the others (sampling with
 * replacement: a page may be chosen twice in one period, which keeps every
 * draw uniform and the touched fraction an unbiased estimate), and the
 * number is mapped back to (slot, page).  When the slots hold no more
 * than n pages, every page is chosen exactly once instead: the sample is
 * then the whole population and its fraction is exact.
 *
 * Cost: O(n * nr_slots) with no allocation; nr_slots is a VM's memslot
 * count (a handful for QEMU), not its size.
 */
#include "sample_pick.h"

/**
 * mrm_sample_uniform() - a number drawn uniformly from [0, @bound)
 * @bound: the range; 0 yields 0 without drawing
 * @rand: the random source
 * @ctx: its state
 *
 * Rejects the draws that fall into the top, partial bucket of the 64-bit
 * range, so that every value is equally likely (plain modulo would favour
 * the low values by up to @bound / 2^64).  After MRM_SAMPLE_DRAW_RETRIES
 * rejected draws (a broken source) the last one is used anyway.
 *
 * Return: a value below @bound, or 0 if @bound is 0.
 */
u64 mrm_sample_uniform(u64 bound, mrm_sample_rand_fn rand, void *ctx)
{
	u64 skip, r = 0;
	u32 tries;

	if (!bound)
		return 0;
	/* 2^64 mod bound: the size of the partial bucket at the top. */
	skip = (U64_MAX - div64_u64(U64_MAX, bound) * bound + 1);
	if (skip == bound)
		skip = 0;
	for (tries = 0; tries < MRM_SAMPLE_DRAW_RETRIES; tries++) {
		r = rand(ctx);
		if (r <= U64_MAX - skip)
			break;
	}
	return r - div64_u64(r, bound) * bound;
}

/**
 * mrm_sample_total() - the number of pages in a list of slots
 * @slot_pages: size of each slot in pages
 * @nr_slots: number of slots
 * @total: where the sum is stored
 *
 * Return: 0, or -EOVERFLOW if the sum does not fit in 64 bits (@total is
 * then left alone).
 */
int mrm_sample_total(const u64 *slot_pages, u32 nr_slots, u64 *total)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < nr_slots; i++) {
		if (check_add_overflow(sum, slot_pages[i], &sum))
			return -EOVERFLOW;
	}
	*total = sum;
	return 0;
}

/* The (slot, page) of page number @nr, which is below the total. */
static void mrm_sample_locate(const u64 *slot_pages, u32 nr_slots, u64 nr,
			      struct mrm_sample_pos *pos)
{
	u32 i;

	for (i = 0; i < nr_slots; i++) {
		if (nr < slot_pages[i])
			break;
		nr -= slot_pages[i];
	}
	pos->slot = i;
	pos->page = nr;
}

/**
 * mrm_sample_pick() - choose the pages of one sampling period
 * @slot_pages: size of each slot in pages; sizes of 0 are allowed
 * @nr_slots: number of slots
 * @n: samples wanted
 * @rand: the random source; not called when every page is taken
 * @ctx: its state
 * @out: room for @n positions
 *
 * If the slots hold more than @n pages, @n positions drawn independently
 * and uniformly from all their pages; otherwise every page once, in
 * order.
 *
 * Return: the number of positions stored in @out (@n, or the total if it
 * is smaller; 0 for no pages), -EINVAL if @n exceeds INT_MAX, or
 * -EOVERFLOW if the slot sizes overflow (nothing stored).
 */
int mrm_sample_pick(const u64 *slot_pages, u32 nr_slots, u32 n,
		    mrm_sample_rand_fn rand, void *ctx,
		    struct mrm_sample_pos *out)
{
	u64 total, nr;
	u32 i, s;
	int err;

	if (n > INT_MAX)
		return -EINVAL;
	err = mrm_sample_total(slot_pages, nr_slots, &total);
	if (err)
		return err;

	if (total <= n) {
		i = 0;
		for (s = 0; s < nr_slots; s++) {
			for (nr = 0; nr < slot_pages[s]; nr++) {
				out[i].slot = s;
				out[i].page = nr;
				i++;
			}
		}
		return (int)i;
	}

	for (i = 0; i < n; i++)
		mrm_sample_locate(slot_pages, nr_slots,
				  mrm_sample_uniform(total, rand, ctx), &out[i]);
	return (int)n;
}
