// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_policy_thrash: a VM refaulting faster than the
 * threshold thrashes and stays so for the hold time; refaults that the
 * balloon's growth explains do not count; counter resets re-prime.
 */
#include <kunit/test.h>

#include "../thrash.h"

#define RATE 256U	/* pages per second */
#define HOLD 10000U	/* ms */

static bool feed(struct mrm_thrash *t, u64 refaults, u64 balloon, u64 ms)
{
	return mrm_thrash_update(t, refaults, balloon, ms, RATE, HOLD);
}

static void mrm_thrash_prime_test(struct kunit *test)
{
	struct mrm_thrash t = {};

	/* A large counter at the first reading is history, not a rate. */
	KUNIT_EXPECT_FALSE(test, feed(&t, 1ULL << 40, 0, 5000));
	KUNIT_EXPECT_TRUE(test, t.primed);
	KUNIT_EXPECT_EQ(test, t.rate, 0ULL);
	/* Exactly the threshold is not above it. */
	KUNIT_EXPECT_FALSE(test, feed(&t, (1ULL << 40) + RATE, 0, 6000));
	KUNIT_EXPECT_EQ(test, t.rate, (u64)RATE);
	KUNIT_EXPECT_TRUE(test, feed(&t, (1ULL << 40) + 3 * RATE, 0, 7000));
	KUNIT_EXPECT_EQ(test, t.rate, 2ULL * RATE);
}

static void mrm_thrash_hold_test(struct kunit *test)
{
	struct mrm_thrash t = {};
	u64 ms;

	feed(&t, 0, 0, 0);
	/* 1000 pages in 2 s: 500/s, above 256/s. */
	KUNIT_EXPECT_TRUE(test, feed(&t, 1000, 0, 2000));
	/* Quiet afterwards: thrashing until the hold ends, not after. */
	for (ms = 3000; ms < 2000 + HOLD; ms += 1000)
		KUNIT_EXPECT_TRUE(test, feed(&t, 1000, 0, ms));
	KUNIT_EXPECT_FALSE(test, feed(&t, 1000, 0, 2000 + HOLD));
	KUNIT_EXPECT_FALSE(test, feed(&t, 1000, 0, 2000 + 2 * HOLD));
	/* A new burst starts a new hold. */
	KUNIT_EXPECT_TRUE(test, feed(&t, 2000, 0, 2000 + 2 * HOLD + 1000));
}

static void mrm_thrash_rate_test(struct kunit *test)
{
	struct mrm_thrash t = {};

	feed(&t, 0, 0, 0);
	/* A slow trickle over a long time is not thrashing. */
	KUNIT_EXPECT_FALSE(test, feed(&t, 2000, 0, 10000));
	KUNIT_EXPECT_EQ(test, t.rate, 200ULL);
	/* The same number of pages in a tenth of the time is. */
	KUNIT_EXPECT_TRUE(test, feed(&t, 4000, 0, 11000));
	/* No time elapsed: nothing changes, nothing divides by zero. */
	KUNIT_EXPECT_TRUE(test, feed(&t, 9000, 0, 11000));
	KUNIT_EXPECT_EQ(test, t.refaults, 4000ULL);
}

/*
 * A reading shortly after the last (a stale cached counter, a kicked
 * loop) must not move the window's start: the next rate would be the
 * whole delta over a fraction of the time.
 */
static void mrm_thrash_window_test(struct kunit *test)
{
	struct mrm_thrash t = {};

	feed(&t, 0, 0, 0);
	KUNIT_EXPECT_FALSE(test, feed(&t, 0, 0, 249));
	KUNIT_EXPECT_EQ(test, t.when_ms, 0ULL);
	/* 200 pages over the whole second: 200/s, not 200 in 0.75 s. */
	KUNIT_EXPECT_FALSE(test, feed(&t, 200, 0, 1000));
	KUNIT_EXPECT_EQ(test, t.rate, 200ULL);
	/* A burst seen early is counted once the window is long enough. */
	KUNIT_EXPECT_FALSE(test, feed(&t, 5000, 0, 1500));
	KUNIT_EXPECT_TRUE(test, feed(&t, 5000, 0, 2000));
	KUNIT_EXPECT_EQ(test, t.rate, 4800ULL);
}

static void mrm_thrash_balloon_test(struct kunit *test)
{
	struct mrm_thrash t = {};

	feed(&t, 0, 100, 0);
	/* 5000 refaults while the balloon grew by 5000 pages: the balloon's. */
	KUNIT_EXPECT_FALSE(test, feed(&t, 5000, 5100, 1000));
	KUNIT_EXPECT_EQ(test, t.rate, 0ULL);
	/* 5000 refaults, balloon grew by 4000: 1000/s remain. */
	KUNIT_EXPECT_TRUE(test, feed(&t, 10000, 9100, 2000));
	KUNIT_EXPECT_EQ(test, t.rate, 1000ULL);
	/* A shrinking balloon explains nothing. */
	t.until_ms = 0;
	KUNIT_EXPECT_TRUE(test, feed(&t, 10500, 100, 3000));
	KUNIT_EXPECT_EQ(test, t.rate, 500ULL);
}

static void mrm_thrash_reset_test(struct kunit *test)
{
	struct mrm_thrash t = {};

	feed(&t, 100000, 0, 0);
	/* A counter that went backwards (a new cgroup): re-primed, no rate. */
	KUNIT_EXPECT_FALSE(test, feed(&t, 10, 0, 1000));
	KUNIT_EXPECT_EQ(test, t.rate, 0ULL);
	KUNIT_EXPECT_EQ(test, t.refaults, 10ULL);
	/* A clock that went backwards, too. */
	KUNIT_EXPECT_FALSE(test, feed(&t, 100000, 0, 500));
	KUNIT_EXPECT_EQ(test, t.rate, 0ULL);
	/* Huge counts saturate instead of overflowing. */
	KUNIT_EXPECT_TRUE(test, feed(&t, U64_MAX, 0, 1500));
	KUNIT_EXPECT_EQ(test, t.rate, U64_MAX);
}

static struct kunit_case mrm_policy_thrash_cases[] = {
	KUNIT_CASE(mrm_thrash_prime_test),
	KUNIT_CASE(mrm_thrash_hold_test),
	KUNIT_CASE(mrm_thrash_rate_test),
	KUNIT_CASE(mrm_thrash_window_test),
	KUNIT_CASE(mrm_thrash_balloon_test),
	KUNIT_CASE(mrm_thrash_reset_test),
	{}
};

static struct kunit_suite mrm_policy_thrash_suite = {
	.name = "mrm_policy_thrash",
	.test_cases = mrm_policy_thrash_cases,
};

kunit_test_suite(mrm_policy_thrash_suite);
