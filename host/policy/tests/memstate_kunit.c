// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_policy_memstate: free-memory states, thresholds,
 * hysteresis and the per-state action table.
 */
#include <kunit/test.h>

#include "../memstate.h"
#include "prng.h"

/* A host of 10^6 pages: minfree 60000, thresholds 38400/19200/9600. */
#define HOST_PAGES 1000000ULL
#define MINFREE 60000ULL
#define SOFT 38400ULL
#define HARD 19200ULL
#define LOW 9600ULL
#define MARGIN 4800ULL
#define NOISE_STEPS 1000
#define RANDOM_STEPS 5000

static void default_ms(struct kunit *test, struct mrm_memstate_machine *ms)
{
	struct mrm_memstate_config cfg;

	mrm_memstate_config_default(&cfg);
	KUNIT_ASSERT_EQ(test, mrm_memstate_init(ms, &cfg, HOST_PAGES), 0);
}

static void mrm_memstate_config_test(struct kunit *test)
{
	struct mrm_memstate_config good, cfg;
	struct mrm_memstate_machine ms, before;

	mrm_memstate_config_default(&good);
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&good), 0);
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(NULL), -EINVAL);

	cfg = good;
	cfg.minfree_pm = 0;
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&cfg), -ERANGE);
	cfg.minfree_pm = MRM_MEMSTATE_MINFREE_PM_MAX + 1;
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.soft_pct = 101;
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.low_pct = 0;
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.margin_pct = MRM_MEMSTATE_MARGIN_PCT_MAX + 1;
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.hard_pct = cfg.soft_pct;
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&cfg), -EINVAL);
	cfg = good;
	cfg.low_pct = cfg.hard_pct + 1;
	KUNIT_EXPECT_EQ(test, mrm_memstate_config_check(&cfg), -EINVAL);

	/* Bad host sizes, and a rejected call leaves the machine alone. */
	memset(&ms, 0x5a, sizeof(ms));
	before = ms;
	KUNIT_EXPECT_EQ(test, mrm_memstate_init(&ms, &good, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_memstate_init(&ms, &good, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_memstate_init(&ms, &cfg, HOST_PAGES),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&ms, &before, sizeof(ms)), 0);
	KUNIT_EXPECT_EQ(test, mrm_memstate_init(NULL, &good, HOST_PAGES),
			-EINVAL);

	/* Margin 0 (no hysteresis) is allowed. */
	cfg = good;
	cfg.margin_pct = 0;
	KUNIT_EXPECT_EQ(test, mrm_memstate_init(&ms, &cfg, HOST_PAGES), 0);
}

static void mrm_memstate_thresholds_test(struct kunit *test)
{
	struct mrm_memstate_machine ms;

	default_ms(test, &ms);
	KUNIT_EXPECT_EQ(test, ms.minfree_pages, MINFREE);
	KUNIT_EXPECT_EQ(test, ms.enter[MRM_MEMSTATE_SOFT], SOFT);
	KUNIT_EXPECT_EQ(test, ms.enter[MRM_MEMSTATE_HARD], HARD);
	KUNIT_EXPECT_EQ(test, ms.enter[MRM_MEMSTATE_LOW], LOW);
	KUNIT_EXPECT_EQ(test, ms.leave[MRM_MEMSTATE_SOFT], SOFT + MARGIN);
	KUNIT_EXPECT_EQ(test, ms.leave[MRM_MEMSTATE_HARD], HARD + MARGIN);
	KUNIT_EXPECT_EQ(test, ms.leave[MRM_MEMSTATE_LOW], LOW + MARGIN);
	KUNIT_EXPECT_EQ(test, ms.state, MRM_MEMSTATE_HIGH);
	/* Every exit point lies below the next threshold up. */
	KUNIT_EXPECT_LT(test, ms.leave[MRM_MEMSTATE_LOW], HARD);
	KUNIT_EXPECT_LT(test, ms.leave[MRM_MEMSTATE_HARD], SOFT);
}

static void mrm_memstate_descend_test(struct kunit *test)
{
	struct mrm_memstate_machine ms;

	default_ms(test, &ms);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, MINFREE),
			MRM_MEMSTATE_HIGH);
	/* At a threshold is not below it. */
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, SOFT),
			MRM_MEMSTATE_HIGH);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, SOFT - 1),
			MRM_MEMSTATE_SOFT);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, HARD),
			MRM_MEMSTATE_SOFT);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, HARD - 1),
			MRM_MEMSTATE_HARD);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, LOW - 1),
			MRM_MEMSTATE_LOW);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, 0), MRM_MEMSTATE_LOW);
	KUNIT_EXPECT_EQ(test, ms.transitions, 3);
}

static void mrm_memstate_skip_test(struct kunit *test)
{
	struct mrm_memstate_machine ms;

	default_ms(test, &ms);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, LOW - 1),
			MRM_MEMSTATE_LOW);
	KUNIT_EXPECT_EQ(test, ms.transitions, 1);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, HOST_PAGES),
			MRM_MEMSTATE_HIGH);
	KUNIT_EXPECT_EQ(test, ms.transitions, 2);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, HARD - 1),
			MRM_MEMSTATE_HARD);
}

static void mrm_memstate_hysteresis_test(struct kunit *test)
{
	struct mrm_memstate_machine ms;

	default_ms(test, &ms);
	mrm_memstate_update(&ms, SOFT - 1);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, SOFT),
			MRM_MEMSTATE_SOFT);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, SOFT + MARGIN - 1),
			MRM_MEMSTATE_SOFT);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, SOFT + MARGIN),
			MRM_MEMSTATE_HIGH);

	mrm_memstate_update(&ms, LOW - 1);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, LOW + MARGIN - 1),
			MRM_MEMSTATE_LOW);
	/* Out of low, but not yet out of hard. */
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, LOW + MARGIN),
			MRM_MEMSTATE_HARD);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, HARD + MARGIN - 1),
			MRM_MEMSTATE_HARD);
	/* Straight past soft when free memory is above soft + margin. */
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, SOFT + MARGIN),
			MRM_MEMSTATE_HIGH);
}

/* Count transitions for noise of +-@amp around @centre, after a dip. */
static u64 noisy_transitions(struct kunit *test, u32 margin_pct,
			     u64 centre, u64 amp, u64 seed)
{
	struct mrm_memstate_config cfg;
	struct mrm_memstate_machine ms;
	struct mrm_prng rng;
	int i;

	mrm_memstate_config_default(&cfg);
	cfg.margin_pct = margin_pct;
	KUNIT_EXPECT_EQ(test, mrm_memstate_init(&ms, &cfg, HOST_PAGES), 0);
	mrm_prng_seed(&rng, seed);
	mrm_memstate_update(&ms, centre - amp);
	for (i = 0; i < NOISE_STEPS; i++)
		mrm_memstate_update(&ms, mrm_prng_range(&rng, centre - amp,
							centre + amp));
	return ms.transitions;
}

/*
 * Noise smaller than the margin around any threshold: one transition
 * (the first dip) and no more.  Without a margin the same trace flaps,
 * which shows the check can fail.
 */
static void mrm_memstate_no_flapping_test(struct kunit *test)
{
	static const u64 centres[] = { SOFT, HARD, LOW };
	const u32 margin = MRM_MEMSTATE_MARGIN_PCT_DEFAULT;
	u64 with, without;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(centres); i++) {
		with = noisy_transitions(test, margin, centres[i], MARGIN / 2, i);
		without = noisy_transitions(test, 0, centres[i], MARGIN / 2, i);
		KUNIT_EXPECT_EQ(test, with, 1);
		KUNIT_EXPECT_GT(test, without, NOISE_STEPS / 4);
	}
}

/* The state is always between where free memory says to enter and leave. */
static void mrm_memstate_random_walk_test(struct kunit *test)
{
	struct mrm_memstate_machine ms;
	enum mrm_memstate s, e, l;
	struct mrm_prng rng;
	u64 free_pages;
	int i;

	default_ms(test, &ms);
	mrm_prng_seed(&rng, 21);
	for (i = 0; i < RANDOM_STEPS; i++) {
		free_pages = mrm_prng_below(&rng, 4) ?
			     mrm_prng_range(&rng, 0, 2 * MINFREE) :
			     mrm_prng_range(&rng, 0, HOST_PAGES);
		s = mrm_memstate_update(&ms, free_pages);
		for (e = MRM_MEMSTATE_LOW; e > MRM_MEMSTATE_HIGH; e--)
			if (free_pages < ms.enter[e])
				break;
		for (l = MRM_MEMSTATE_LOW; l > MRM_MEMSTATE_HIGH; l--)
			if (free_pages < ms.leave[l])
				break;
		KUNIT_EXPECT_GE(test, s, e);
		KUNIT_EXPECT_LE(test, s, l);
		KUNIT_EXPECT_EQ(test, s, ms.state);
	}
}

static void mrm_memstate_actions_test(struct kunit *test)
{
	const u32 swap = MRM_ACT_COMPRESS | MRM_ACT_SWAP;

	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_HIGH, true),
			MRM_ACT_SHARE);
	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_SOFT, true),
			MRM_ACT_SHARE | MRM_ACT_BALLOON);
	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_HARD, true),
			MRM_ACT_SHARE | MRM_ACT_BALLOON | swap);
	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_LOW, true),
			MRM_ACT_SHARE | MRM_ACT_BALLOON | swap |
			MRM_ACT_BLOCK);

	/* Without a balloon: compress/swap from soft on. */
	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_HIGH, false),
			MRM_ACT_SHARE);
	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_SOFT, false),
			MRM_ACT_SHARE | swap);
	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_HARD, false),
			MRM_ACT_SHARE | swap);
	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_LOW, false),
			MRM_ACT_SHARE | swap | MRM_ACT_BLOCK);

	KUNIT_EXPECT_EQ(test, mrm_memstate_actions(MRM_MEMSTATE_COUNT, true),
			0);
	KUNIT_EXPECT_STREQ(test, mrm_memstate_name(MRM_MEMSTATE_HIGH), "high");
	KUNIT_EXPECT_STREQ(test, mrm_memstate_name(MRM_MEMSTATE_SOFT), "soft");
	KUNIT_EXPECT_STREQ(test, mrm_memstate_name(MRM_MEMSTATE_HARD), "hard");
	KUNIT_EXPECT_STREQ(test, mrm_memstate_name(MRM_MEMSTATE_LOW), "low");
	KUNIT_EXPECT_STREQ(test, mrm_memstate_name(MRM_MEMSTATE_COUNT),
			   "invalid");
}

/* Reconfiguring keeps the state; the next reading uses the new numbers. */
static void mrm_memstate_configure_test(struct kunit *test)
{
	struct mrm_memstate_config cfg;
	struct mrm_memstate_machine ms;

	default_ms(test, &ms);
	mrm_memstate_update(&ms, LOW - 1);
	mrm_memstate_config_default(&cfg);
	cfg.minfree_pm = 2 * MRM_MEMSTATE_MINFREE_PM_DEFAULT;
	KUNIT_ASSERT_EQ(test, mrm_memstate_configure(&ms, &cfg, HOST_PAGES),
			0);
	KUNIT_EXPECT_EQ(test, ms.state, MRM_MEMSTATE_LOW);
	KUNIT_EXPECT_EQ(test, ms.enter[MRM_MEMSTATE_LOW], 2 * LOW);
	/* Would have left low under the old thresholds; not now. */
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, LOW + MARGIN),
			MRM_MEMSTATE_LOW);
	KUNIT_EXPECT_EQ(test, mrm_memstate_update(&ms, 2 * (HARD + MARGIN)),
			MRM_MEMSTATE_SOFT);
}

static struct kunit_case mrm_policy_memstate_cases[] = {
	KUNIT_CASE(mrm_memstate_config_test),
	KUNIT_CASE(mrm_memstate_thresholds_test),
	KUNIT_CASE(mrm_memstate_descend_test),
	KUNIT_CASE(mrm_memstate_skip_test),
	KUNIT_CASE(mrm_memstate_hysteresis_test),
	KUNIT_CASE(mrm_memstate_no_flapping_test),
	KUNIT_CASE(mrm_memstate_random_walk_test),
	KUNIT_CASE(mrm_memstate_actions_test),
	KUNIT_CASE(mrm_memstate_configure_test),
	{}
};

static struct kunit_suite mrm_policy_memstate_suite = {
	.name = "mrm_policy_memstate",
	.test_cases = mrm_policy_memstate_cases,
};

kunit_test_suite(mrm_policy_memstate_suite);
