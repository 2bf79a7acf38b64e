// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_policy_sample_pick: choosing the pages of a working-set
 * sample.  Uniformity across slots of different sizes and within a slot,
 * exact slot boundaries, slots of size 0, more samples than pages, and
 * the rejection of the biased top of the 64-bit range.
 */
#include <kunit/test.h>

#include "../sample_pick.h"
#include "prng.h"

#define DRAWS 20000U
#define BUCKETS 10U
/* Chi-square, 9 degrees of freedom: 27.88 is the 0.999 quantile. */
#define CHI2_LIMIT_9DF 28U

static u64 prng_source(void *ctx)
{
	return mrm_prng_next(ctx);
}

/* A scripted source: returns the values of an array in turn. */
struct script {
	const u64 *values;
	u32 nr;
	u32 next;
};

static u64 script_source(void *ctx)
{
	struct script *s = ctx;

	return s->values[s->next++ % s->nr];
}

static struct mrm_sample_pos *alloc_out(struct kunit *test, u32 n)
{
	struct mrm_sample_pos *out;

	out = kunit_kcalloc(test, n, sizeof(*out), GFP_KERNEL);
	if (!out)
		kunit_skip(test, "cannot allocate %u positions", n);
	return out;
}

/*
 * Slots of 100k, 0, 300k and 600k pages (many more pages than draws, so
 * the draws are random, not a census): each slot gets a share of the
 * draws proportional to its size (within 5 standard deviations), every
 * position is inside its slot, and none lands in the empty slot.
 */
static void mrm_sample_pick_slot_shares_test(struct kunit *test)
{
	static const u64 slots[] = { 100000, 0, 300000, 600000 };
	u32 count[ARRAY_SIZE(slots)] = { 0 };
	struct mrm_sample_pos *out = alloc_out(test, DRAWS);
	struct mrm_prng rng;
	u64 total = 1000000;
	u32 i;

	mrm_prng_seed(&rng, 5);
	KUNIT_ASSERT_EQ(test, mrm_sample_pick(slots, ARRAY_SIZE(slots), DRAWS,
					      prng_source, &rng, out),
			(int)DRAWS);
	for (i = 0; i < DRAWS; i++) {
		KUNIT_ASSERT_LT(test, out[i].slot, ARRAY_SIZE(slots));
		KUNIT_ASSERT_LT(test, out[i].page, slots[out[i].slot]);
		count[out[i].slot]++;
	}
	KUNIT_EXPECT_EQ(test, count[1], 0);
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		/* Binomial: mean D*p, variance D*p*(1-p); 5 sigma, squared. */
		s64 mean = DRAWS * slots[i] / total;
		s64 var = mean * (total - slots[i]) / total;
		s64 dev = (s64)count[i] - mean;

		KUNIT_EXPECT_LE_MSG(test, dev * dev, 25 * var + 1,
				    "slot %u: %u draws, expected %lld", i,
				    count[i], mean);
	}
}

/* Within one slot, ten equal buckets pass a chi-square test. */
static void mrm_sample_pick_within_slot_test(struct kunit *test)
{
	static const u64 slots[] = { 0, 1000000, 0 };
	struct mrm_sample_pos *out = alloc_out(test, DRAWS);
	u32 bucket[BUCKETS] = { 0 };
	u64 expect = DRAWS / BUCKETS, chi2 = 0;
	struct mrm_prng rng;
	u32 i;

	mrm_prng_seed(&rng, 77);
	KUNIT_ASSERT_EQ(test, mrm_sample_pick(slots, ARRAY_SIZE(slots), DRAWS,
					      prng_source, &rng, out),
			(int)DRAWS);
	for (i = 0; i < DRAWS; i++) {
		KUNIT_ASSERT_EQ(test, out[i].slot, 1);
		bucket[out[i].page * BUCKETS / slots[1]]++;
	}
	for (i = 0; i < BUCKETS; i++) {
		s64 d = (s64)bucket[i] - (s64)expect;

		chi2 += d * d;
	}
	chi2 /= expect;
	KUNIT_EXPECT_LT(test, chi2, CHI2_LIMIT_9DF);
}

/*
 * Page numbers at and around each boundary map to the right slot and
 * page: slots {1, 0, 999, 0, 24}, total 1024 (a power of two, so no draw
 * is rejected and the script is followed exactly).
 */
static void mrm_sample_pick_boundaries_test(struct kunit *test)
{
	static const u64 slots[] = { 1, 0, 999, 0, 24 };
	static const u64 values[] = { 0, 1, 999, 1000, 1023, 1024, 2047 };
	static const struct mrm_sample_pos want[] = {
		{ 0, 0 }, { 2, 0 }, { 2, 998 }, { 4, 0 }, { 4, 23 },
		{ 0, 0 }, { 4, 23 },
	};
	struct script s = { values, ARRAY_SIZE(values), 0 };
	struct mrm_sample_pos out[ARRAY_SIZE(values)];
	u32 i;

	KUNIT_ASSERT_EQ(test, mrm_sample_pick(slots, ARRAY_SIZE(slots),
					      ARRAY_SIZE(values), script_source,
					      &s, out),
			(int)ARRAY_SIZE(values));
	KUNIT_EXPECT_EQ(test, s.next, ARRAY_SIZE(values));
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		KUNIT_EXPECT_EQ_MSG(test, out[i].slot, want[i].slot,
				    "draw %llu", values[i]);
		KUNIT_EXPECT_EQ_MSG(test, out[i].page, want[i].page,
				    "draw %llu", values[i]);
	}
}

/* Empty slot lists and lists of empty slots: nothing is chosen. */
static void mrm_sample_pick_empty_test(struct kunit *test)
{
	static const u64 zeros[] = { 0, 0, 0 };
	struct mrm_sample_pos out[4];
	struct mrm_prng rng;
	u64 total = 1;

	mrm_prng_seed(&rng, 1);
	KUNIT_EXPECT_EQ(test, mrm_sample_pick(zeros, 0, 4, prng_source, &rng,
					      out), 0);
	KUNIT_EXPECT_EQ(test, mrm_sample_pick(zeros, ARRAY_SIZE(zeros), 4,
					      prng_source, &rng, out), 0);
	KUNIT_EXPECT_EQ(test, mrm_sample_total(zeros, ARRAY_SIZE(zeros),
					       &total), 0);
	KUNIT_EXPECT_EQ(test, total, 0);
	KUNIT_EXPECT_EQ(test, mrm_sample_pick(zeros, ARRAY_SIZE(zeros), 0,
					      prng_source, &rng, out), 0);
}

/*
 * No more pages than samples: every page exactly once, in order, and the
 * random source is never asked (a script of one value would show it).
 */
static void mrm_sample_pick_census_test(struct kunit *test)
{
	static const u64 slots[] = { 3, 0, 2 };
	static const struct mrm_sample_pos want[] = {
		{ 0, 0 }, { 0, 1 }, { 0, 2 }, { 2, 0 }, { 2, 1 },
	};
	static const u64 one[] = { 0 };
	struct script s = { one, 1, 0 };
	struct mrm_sample_pos out[10];
	u32 i;

	KUNIT_ASSERT_EQ(test, mrm_sample_pick(slots, ARRAY_SIZE(slots), 10,
					      script_source, &s, out),
			(int)ARRAY_SIZE(want));
	KUNIT_EXPECT_EQ(test, s.next, 0);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_EXPECT_EQ(test, out[i].slot, want[i].slot);
		KUNIT_EXPECT_EQ(test, out[i].page, want[i].page);
	}
	/* Exactly as many pages as samples: still a census. */
	KUNIT_ASSERT_EQ(test, mrm_sample_pick(slots, ARRAY_SIZE(slots), 5,
					      script_source, &s, out), 5);
	KUNIT_EXPECT_EQ(test, s.next, 0);
	/* One page more than samples: sampled, n draws. */
	KUNIT_ASSERT_EQ(test, mrm_sample_pick(slots, ARRAY_SIZE(slots), 4,
					      script_source, &s, out), 4);
	KUNIT_EXPECT_EQ(test, s.next, 4);
}

/*
 * mrm_sample_uniform() rejects the top partial bucket: for bound 3,
 * 2^64 mod 3 = 1, so U64_MAX (which would bias towards 0) is redrawn and
 * U64_MAX - 1 is accepted.  A source that only returns rejected values
 * ends after MRM_SAMPLE_DRAW_RETRIES draws, still below the bound.
 */
static void mrm_sample_uniform_rejects_test(struct kunit *test)
{
	static const u64 values[] = { U64_MAX, U64_MAX - 1 };
	static const u64 bad[] = { U64_MAX };
	struct script s = { values, ARRAY_SIZE(values), 0 };
	struct script b = { bad, 1, 0 };

	KUNIT_EXPECT_EQ(test, mrm_sample_uniform(3, script_source, &s),
			(U64_MAX - 1) % 3);
	KUNIT_EXPECT_EQ(test, s.next, 2);
	KUNIT_EXPECT_LT(test, mrm_sample_uniform(3, script_source, &b), 3);
	KUNIT_EXPECT_EQ(test, b.next, MRM_SAMPLE_DRAW_RETRIES);
	/* Powers of two reject nothing; bound 0 and 1 draw nothing useful. */
	s.next = 0;
	KUNIT_EXPECT_EQ(test, mrm_sample_uniform(4, script_source, &s),
			U64_MAX % 4);
	KUNIT_EXPECT_EQ(test, s.next, 1);
	KUNIT_EXPECT_EQ(test, mrm_sample_uniform(0, script_source, &s), 0);
	KUNIT_EXPECT_EQ(test, s.next, 1);
	KUNIT_EXPECT_EQ(test, mrm_sample_uniform(1, script_source, &s), 0);
}

/* Sizes that overflow 64 bits are refused; n beyond INT_MAX too. */
static void mrm_sample_pick_errors_test(struct kunit *test)
{
	static const u64 huge[] = { U64_MAX, 1 };
	static const u64 slots[] = { 10 };
	struct mrm_sample_pos out[1];
	struct mrm_prng rng;
	u64 total = 7;

	mrm_prng_seed(&rng, 3);
	KUNIT_EXPECT_EQ(test, mrm_sample_total(huge, 2, &total), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, total, 7);
	KUNIT_EXPECT_EQ(test, mrm_sample_pick(huge, 2, 1, prng_source, &rng,
					      out), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, mrm_sample_pick(slots, 1, (u32)INT_MAX + 1,
					      prng_source, &rng, out), -EINVAL);
}

static struct kunit_case mrm_policy_sample_pick_cases[] = {
	KUNIT_CASE(mrm_sample_pick_slot_shares_test),
	KUNIT_CASE(mrm_sample_pick_within_slot_test),
	KUNIT_CASE(mrm_sample_pick_boundaries_test),
	KUNIT_CASE(mrm_sample_pick_empty_test),
	KUNIT_CASE(mrm_sample_pick_census_test),
	KUNIT_CASE(mrm_sample_uniform_rejects_test),
	KUNIT_CASE(mrm_sample_pick_errors_test),
	{}
};

static struct kunit_suite mrm_policy_sample_pick_suite = {
	.name = "mrm_policy_sample_pick",
	.test_cases = mrm_policy_sample_pick_cases,
};

kunit_test_suite(mrm_policy_sample_pick_suite);
