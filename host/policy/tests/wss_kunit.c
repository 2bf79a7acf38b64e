// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_policy_wss: the working-set estimator.  Exact EWMA
 * arithmetic, error handling, and the shape the design asks for: the
 * estimate rises within the period in which the working set grows and
 * falls over several periods when it shrinks.
 */
#include <kunit/test.h>

#include "../wss.h"
#include "prng.h"

#define RANDOM_ROUNDS 200
#define WARM_PERIODS 20
/* Fractions of the default 100 samples, as touch counts. */
#define TEN_PCT 10
#define TWENTY_PCT 20
#define FIFTY_PCT 50
/* 0.05 in Q16.16: the accuracy the simulator aims at. */
#define TOLERANCE (MRM_FRAC_ONE / 20)

static void default_wss(struct kunit *test, struct mrm_wss *wss)
{
	struct mrm_wss_config cfg;

	mrm_wss_config_default(&cfg);
	KUNIT_ASSERT_EQ(test, mrm_wss_init(wss, &cfg), 0);
}

/* One whole period in which @touched of the @checked samples were hit. */
static void period(struct kunit *test, struct mrm_wss *wss, u32 touched,
		   u32 checked)
{
	KUNIT_ASSERT_EQ(test, mrm_wss_touched(wss, touched), 0);
	KUNIT_ASSERT_EQ(test, mrm_wss_period_end(wss, checked), 0);
}

static void mrm_wss_config_test(struct kunit *test)
{
	struct mrm_wss_config good, cfg;
	struct mrm_wss wss, before;

	mrm_wss_config_default(&good);
	KUNIT_EXPECT_EQ(test, good.samples, 100);
	KUNIT_EXPECT_EQ(test, good.period_ms, 30000);
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&good), 0);
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(NULL), -EINVAL);

	cfg = good;
	cfg.samples = 0;
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&cfg), -ERANGE);
	cfg.samples = MRM_WSS_SAMPLES_MAX + 1;
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.period_ms = MRM_WSS_PERIOD_MS_MIN - 1;
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&cfg), -ERANGE);
	cfg.period_ms = MRM_WSS_PERIOD_MS_MAX + 1;
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.slow_gain_pm = 0;
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.fast_gain_pm = MRM_PERMILLE + 1;
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&cfg), -ERANGE);
	cfg = good;
	cfg.slow_gain_pm = 900;
	cfg.fast_gain_pm = 800;
	KUNIT_EXPECT_EQ(test, mrm_wss_config_check(&cfg), -EINVAL);

	/* A rejected config leaves the estimator as it was. */
	memset(&wss, 0x5a, sizeof(wss));
	before = wss;
	KUNIT_EXPECT_EQ(test, mrm_wss_init(&wss, &cfg), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&wss, &before, sizeof(wss)), 0);
	KUNIT_EXPECT_EQ(test, mrm_wss_init(NULL, &good), -EINVAL);

	/* Extremes are valid. */
	cfg = good;
	cfg.samples = MRM_WSS_SAMPLES_MAX;
	cfg.slow_gain_pm = 1;
	cfg.fast_gain_pm = MRM_PERMILLE;
	KUNIT_EXPECT_EQ(test, mrm_wss_init(&wss, &cfg), 0);
}

/* Unmeasured VMs count as fully active; the first period sets both. */
static void mrm_wss_initial_test(struct kunit *test)
{
	struct mrm_wss wss;

	default_wss(test, &wss);
	KUNIT_EXPECT_EQ(test, mrm_wss_estimate(&wss), MRM_FRAC_ONE);
	KUNIT_ASSERT_EQ(test, mrm_wss_touched(&wss, 3), 0);
	KUNIT_EXPECT_EQ(test, mrm_wss_estimate(&wss), MRM_FRAC_ONE);
	KUNIT_ASSERT_EQ(test, mrm_wss_touched(&wss, 27), 0);
	KUNIT_ASSERT_EQ(test, mrm_wss_period_end(&wss, 100), 0);
	KUNIT_EXPECT_EQ(test, wss.slow, mrm_frac(30, 100));
	KUNIT_EXPECT_EQ(test, wss.fast, mrm_frac(30, 100));
	KUNIT_EXPECT_EQ(test, mrm_wss_estimate(&wss), mrm_frac(30, 100));
	KUNIT_EXPECT_EQ(test, wss.periods, 1);
}

/* The averages follow the documented update exactly, in Q16.16. */
static void mrm_wss_ewma_exact_test(struct kunit *test)
{
	struct mrm_wss wss;

	default_wss(test, &wss);
	period(test, &wss, 40, 100);
	KUNIT_EXPECT_EQ(test, wss.slow, 26214);
	KUNIT_EXPECT_EQ(test, wss.fast, 26214);
	/*
	 * f = 0.8 (52428): slow += 1/2 (26214), fast += 9/10 (26214); the
	 * gain 9/10 is 58982 in Q16.16.
	 */
	KUNIT_EXPECT_EQ(test, wss.fast_gain, 58982);
	period(test, &wss, 80, 100);
	KUNIT_EXPECT_EQ(test, wss.slow, 26214 + 13107);
	KUNIT_EXPECT_EQ(test, wss.fast, 26214 + 23592);
	/* f = 0: slow -= 1/2 (39321), fast -= 9/10 (49806). */
	period(test, &wss, 0, 100);
	KUNIT_EXPECT_EQ(test, wss.slow, 39321 - 19660);
	KUNIT_EXPECT_EQ(test, wss.fast, 49806 - 44825);
	KUNIT_EXPECT_EQ(test, mrm_wss_estimate(&wss), 39321 - 19660);
	/* Fewer samples checked: 30 of 60 is one half. */
	period(test, &wss, 30, 60);
	KUNIT_EXPECT_EQ(test, wss.slow,
			19661 + (MRM_FRAC_ONE / 2 - 19661) / 2);
}

static void mrm_wss_touched_range_test(struct kunit *test)
{
	struct mrm_wss wss;

	default_wss(test, &wss);
	KUNIT_EXPECT_EQ(test, mrm_wss_touched(&wss, 101), -ERANGE);
	KUNIT_EXPECT_EQ(test, wss.touched, 0);
	KUNIT_EXPECT_EQ(test, mrm_wss_touched(&wss, 100), 0);
	KUNIT_EXPECT_EQ(test, mrm_wss_touched(&wss, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, mrm_wss_touched(&wss, U32_MAX), -ERANGE);
	KUNIT_EXPECT_EQ(test, wss.touched, 100);
}

static void mrm_wss_period_errors_test(struct kunit *test)
{
	struct mrm_wss wss;
	u32 slow, fast;

	default_wss(test, &wss);
	period(test, &wss, 50, 100);
	slow = wss.slow;
	fast = wss.fast;

	KUNIT_ASSERT_EQ(test, mrm_wss_touched(&wss, 10), 0);
	KUNIT_EXPECT_EQ(test, mrm_wss_period_end(&wss, 101), -EINVAL);
	KUNIT_EXPECT_EQ(test, wss.touched, 0);

	KUNIT_ASSERT_EQ(test, mrm_wss_touched(&wss, 10), 0);
	KUNIT_EXPECT_EQ(test, mrm_wss_period_end(&wss, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, wss.touched, 0);

	KUNIT_EXPECT_EQ(test, mrm_wss_period_end(&wss, 0), -ENODATA);

	KUNIT_EXPECT_EQ(test, wss.slow, slow);
	KUNIT_EXPECT_EQ(test, wss.fast, fast);
	KUNIT_EXPECT_EQ(test, wss.periods, 1);
}

/* Reporting touches one by one or as a count is the same thing. */
static void mrm_wss_events_equal_count_test(struct kunit *test)
{
	struct mrm_wss a, b;
	struct mrm_prng rng;
	u32 t, i;
	int round;

	default_wss(test, &a);
	default_wss(test, &b);
	mrm_prng_seed(&rng, 11);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		t = mrm_prng_range(&rng, 0, 100);
		for (i = 0; i < t; i++)
			KUNIT_ASSERT_EQ(test, mrm_wss_touched(&a, 1), 0);
		KUNIT_ASSERT_EQ(test, mrm_wss_touched(&b, t), 0);
		KUNIT_EXPECT_EQ(test, mrm_wss_estimate(&a),
				mrm_wss_estimate(&b));
		KUNIT_ASSERT_EQ(test, mrm_wss_period_end(&a, 100), 0);
		KUNIT_ASSERT_EQ(test, mrm_wss_period_end(&b, 100), 0);
		KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
	}
}

/*
 * 10 % active for a while, then 50 %: the estimate climbs while the
 * period's touches come in and is within 0.05 of 50 % when that first
 * period ends.
 */
static void mrm_wss_rises_within_one_period_test(struct kunit *test)
{
	u32 before, now, prev, i;
	struct mrm_wss wss;

	default_wss(test, &wss);
	for (i = 0; i < WARM_PERIODS; i++)
		period(test, &wss, TEN_PCT, 100);
	before = mrm_wss_estimate(&wss);
	KUNIT_EXPECT_LE(test, before, mrm_frac(TEN_PCT, 100) + 1);

	prev = before;
	for (i = 0; i < FIFTY_PCT; i += 5) {
		KUNIT_ASSERT_EQ(test, mrm_wss_touched(&wss, 5), 0);
		now = mrm_wss_estimate(&wss);
		KUNIT_EXPECT_GE(test, now, prev);
		prev = now;
	}
	/* Risen well before the period is over... */
	KUNIT_EXPECT_GT(test, prev, before + 3 * TOLERANCE);
	KUNIT_ASSERT_EQ(test, mrm_wss_period_end(&wss, 100), 0);
	/* ... and within the tolerance once it is. */
	KUNIT_EXPECT_GE(test, mrm_wss_estimate(&wss),
			mrm_frac(FIFTY_PCT, 100) - TOLERANCE);
}

/*
 * 50 % active for a while, then 20 %: the estimate falls, never rises,
 * still holds most of the old value after one period and is within 0.05
 * after three.
 */
static void mrm_wss_decays_over_several_test(struct kunit *test)
{
	u32 target = mrm_frac(TWENTY_PCT, 100);
	u32 est[WARM_PERIODS], i;
	struct mrm_wss wss;

	default_wss(test, &wss);
	for (i = 0; i < WARM_PERIODS; i++)
		period(test, &wss, FIFTY_PCT, 100);
	for (i = 0; i < WARM_PERIODS; i++) {
		period(test, &wss, TWENTY_PCT, 100);
		est[i] = mrm_wss_estimate(&wss);
		if (i)
			KUNIT_EXPECT_LE(test, est[i], est[i - 1]);
	}
	KUNIT_EXPECT_GE(test, est[0], mrm_frac(30, 100));
	KUNIT_EXPECT_GT(test, est[1], target + TOLERANCE);
	KUNIT_EXPECT_LE(test, est[2], target + TOLERANCE);
	KUNIT_EXPECT_GT(test, est[2], target);
	/* Settles on the true value (rounding leaves at most one unit). */
	KUNIT_EXPECT_LE(test, est[WARM_PERIODS - 1], target + 1);
	KUNIT_EXPECT_GE(test, est[WARM_PERIODS - 1], target);
}

static void check_bounds(struct kunit *test, const struct mrm_wss *wss)
{
	u32 est = mrm_wss_estimate(wss);

	KUNIT_EXPECT_LE(test, est, MRM_FRAC_ONE);
	KUNIT_EXPECT_GE(test, est, wss->slow);
	KUNIT_EXPECT_GE(test, est, wss->fast);
	KUNIT_EXPECT_GE(test, est, mrm_wss_current(wss));
	KUNIT_EXPECT_LE(test, wss->slow, MRM_FRAC_ONE);
	KUNIT_EXPECT_LE(test, wss->fast, MRM_FRAC_ONE);
}

/* Random histories: the estimate is a fraction and the max of its parts. */
static void mrm_wss_bounds_test(struct kunit *test)
{
	struct mrm_wss_config cfg;
	struct mrm_prng rng;
	struct mrm_wss wss;
	u32 touched, checked;
	int round, i;

	mrm_prng_seed(&rng, 12);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		cfg.samples = mrm_prng_range(&rng, 1, MRM_WSS_SAMPLES_MAX);
		cfg.period_ms = MRM_WSS_PERIOD_MS_DEFAULT;
		cfg.fast_gain_pm = mrm_prng_range(&rng, 1, MRM_PERMILLE);
		cfg.slow_gain_pm = mrm_prng_range(&rng, 1, cfg.fast_gain_pm);
		KUNIT_ASSERT_EQ(test, mrm_wss_init(&wss, &cfg), 0);
		for (i = 0; i < 10; i++) {
			touched = mrm_prng_range(&rng, 0, cfg.samples);
			KUNIT_ASSERT_EQ(test, mrm_wss_touched(&wss, touched),
					0);
			check_bounds(test, &wss);
			checked = mrm_prng_range(&rng, max_t(u32, touched, 1),
						 cfg.samples);
			KUNIT_ASSERT_EQ(test, mrm_wss_period_end(&wss, checked),
					0);
			check_bounds(test, &wss);
		}
		KUNIT_EXPECT_EQ(test, wss.periods, 10);
	}
}

static struct kunit_case mrm_policy_wss_cases[] = {
	KUNIT_CASE(mrm_wss_config_test),
	KUNIT_CASE(mrm_wss_initial_test),
	KUNIT_CASE(mrm_wss_ewma_exact_test),
	KUNIT_CASE(mrm_wss_touched_range_test),
	KUNIT_CASE(mrm_wss_period_errors_test),
	KUNIT_CASE(mrm_wss_events_equal_count_test),
	KUNIT_CASE(mrm_wss_rises_within_one_period_test),
	KUNIT_CASE(mrm_wss_decays_over_several_test),
	KUNIT_CASE(mrm_wss_bounds_test),
	{}
};

static struct kunit_suite mrm_policy_wss_suite = {
	.name = "mrm_policy_wss",
	.test_cases = mrm_policy_wss_cases,
};

kunit_test_suite(mrm_policy_wss_suite);
