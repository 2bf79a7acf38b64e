// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_policy_alloc: share-based targets with the idle memory
 * tax.  Fixed cases pin the formulas; seeded random configurations check
 * the properties (bounds, sum, monotonicity, proportional share at tau = 0)
 * and compare against a page-by-page reference of the greedy rule.
 */
#include <kunit/test.h>

#include "../alloc.h"
#include "prng.h"

#define SENTINEL 0x5a5a5a5a5a5a5a5aULL
#define RANDOM_ROUNDS 300
#define SMALL_VMS 6
#define SMALL_PAGES 48
#define LARGE_VMS 1024

static struct mrm_alloc_vm vm_of(u32 shares, u32 frac, u64 min, u64 max,
				 u64 alloc)
{
	struct mrm_alloc_vm vm = {
		.shares = shares,
		.tax_pct = MRM_ALLOC_TAX_INHERIT,
		.active_frac = frac,
		.min_pages = min,
		.max_pages = max,
		.alloc_pages = alloc,
	};

	return vm;
}

static void rand_vm(struct mrm_prng *rng, struct mrm_alloc_vm *vm,
		    u64 max_pages, u32 max_shares)
{
	vm->shares = mrm_prng_range(rng, 1, max_shares);
	vm->tax_pct = mrm_prng_below(rng, 4) ? MRM_ALLOC_TAX_INHERIT :
		      mrm_prng_range(rng, 0, MRM_ALLOC_TAX_MAX_PCT);
	vm->active_frac = mrm_prng_range(rng, 0, MRM_FRAC_ONE);
	vm->max_pages = mrm_prng_range(rng, 0, max_pages);
	vm->min_pages = mrm_prng_range(rng, 0, vm->max_pages);
	vm->alloc_pages = mrm_prng_range(rng, 0, vm->max_pages + 2);
}

/* A random feasible amount of memory: between sum(min) and sum(max) + 2. */
static u64 rand_avail(struct mrm_prng *rng, const struct mrm_alloc_vm *vms,
		      size_t n)
{
	u64 lo = 0, hi = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		lo += vms[i].min_pages;
		hi += vms[i].max_pages;
	}
	return mrm_prng_range(rng, lo, hi + 2);
}

/* Reference: reclaim one page at a time from the highest level. */
static void greedy_reference(const struct mrm_alloc_config *cfg,
			     const struct mrm_alloc_vm *vms, size_t n,
			     u64 avail, u64 *out)
{
	u64 sum = 0, level, best_level = 0;
	size_t i, best;

	for (i = 0; i < n; i++) {
		out[i] = vms[i].max_pages;
		sum += out[i];
	}
	while (sum > avail) {
		best = n;
		for (i = 0; i < n; i++) {
			if (out[i] <= vms[i].min_pages)
				continue;
			level = mrm_alloc_level(cfg, &vms[i], out[i]);
			if (best == n || level > best_level) {
				best = i;
				best_level = level;
			}
		}
		out[best]--;
		sum--;
	}
}

static void mrm_alloc_errors_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 75 };
	struct mrm_alloc_vm vms[2] = {
		vm_of(10, 0, 0, 100, 100), vm_of(10, 0, 0, 100, 100),
	};
	u64 t[2] = { SENTINEL, SENTINEL };

	KUNIT_EXPECT_EQ(test, mrm_alloc_vm_check(&vms[0]), 0);
	KUNIT_EXPECT_EQ(test, mrm_alloc_vm_check(NULL), -EINVAL);

	vms[1].shares = 0;
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 150, t),
			-EINVAL);
	vms[1] = vm_of(10, 0, 101, 100, 100);
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 150, t),
			-EINVAL);
	vms[1] = vm_of(10, 0, 0, 100, 100);
	vms[1].tax_pct = 100;
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 150, t),
			-ERANGE);
	vms[1].tax_pct = MRM_ALLOC_TAX_MAX_PCT;
	vms[1].active_frac = MRM_FRAC_ONE + 1;
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 150, t),
			-ERANGE);
	vms[1] = vm_of(10, 0, 0, MRM_ALLOC_PAGES_MAX + 1, 100);
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 150, t),
			-ERANGE);
	vms[1] = vm_of(10, 0, 0, 100, 100);

	cfg.tax_pct = 100;
	KUNIT_EXPECT_EQ(test, mrm_alloc_config_check(&cfg), -ERANGE);
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 150, t),
			-ERANGE);
	cfg.tax_pct = MRM_ALLOC_TAX_INHERIT;
	KUNIT_EXPECT_EQ(test, mrm_alloc_config_check(&cfg), -ERANGE);
	KUNIT_EXPECT_EQ(test, mrm_alloc_config_check(NULL), -EINVAL);
	cfg.tax_pct = MRM_ALLOC_TAX_MAX_PCT;
	KUNIT_EXPECT_EQ(test, mrm_alloc_config_check(&cfg), 0);

	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms,
						MRM_ALLOC_VMS_MAX + 1, 150, t),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, NULL, 2, 150, t),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 150, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(NULL, vms, 2, 150, t),
			-EINVAL);

	/* None of the failed calls wrote a target. */
	KUNIT_EXPECT_EQ(test, t[0], SENTINEL);
	KUNIT_EXPECT_EQ(test, t[1], SENTINEL);

	/* No VMs is nothing to do. */
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, NULL, 0, 0, NULL), 0);
}

static void mrm_alloc_tax_factor_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mrm_alloc_tax_factor(0), MRM_FRAC_ONE);
	KUNIT_EXPECT_EQ(test, mrm_alloc_tax_factor(50), 2 * MRM_FRAC_ONE);
	KUNIT_EXPECT_EQ(test, mrm_alloc_tax_factor(75), 4 * MRM_FRAC_ONE);
	KUNIT_EXPECT_EQ(test, mrm_alloc_tax_factor(99), 100 * MRM_FRAC_ONE);
	/* 1 / (1 - 1/3) = 1.5, rounded down in Q16.16. */
	KUNIT_EXPECT_EQ(test, mrm_alloc_tax_factor(33),
			MRM_FRAC_ONE * 100 / 67);
	KUNIT_EXPECT_EQ(test, mrm_alloc_tax_factor(1000), 100 * MRM_FRAC_ONE);
}

/*
 * The level is W(p) / S with W(p) = A + k (p - A) above A = f * P and
 * W(p) = p below: it falls by k per idle page reclaimed, then by 1 per
 * active page, i.e. rho = 1 / level rises as idle memory goes.
 */
static void mrm_alloc_level_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 75 };
	/* 1000 pages, a quarter active: A = 250. */
	struct mrm_alloc_vm vm = vm_of(10, MRM_FRAC_ONE / 4, 0, 1000, 1000);
	u64 one = MRM_FRAC_ONE;

	KUNIT_EXPECT_EQ(test, mrm_alloc_level(&cfg, &vm, 1000),
			(250 * one + 4 * one * 750) / 10);
	KUNIT_EXPECT_EQ(test, mrm_alloc_level(&cfg, &vm, 999),
			(250 * one + 4 * one * 749) / 10);
	KUNIT_EXPECT_EQ(test, mrm_alloc_level(&cfg, &vm, 250),
			250 * one / 10);
	KUNIT_EXPECT_EQ(test, mrm_alloc_level(&cfg, &vm, 100),
			100 * one / 10);
	KUNIT_EXPECT_EQ(test, mrm_alloc_level(&cfg, &vm, 0), 0);

	/* A per-VM rate overrides the global one. */
	vm.tax_pct = 0;
	KUNIT_EXPECT_EQ(test, mrm_alloc_level(&cfg, &vm, 1000),
			1000 * one / 10);
	/* Invalid input has no level. */
	vm.shares = 0;
	KUNIT_EXPECT_EQ(test, mrm_alloc_level(&cfg, &vm, 1000), U64_MAX);
}

static void mrm_alloc_all_fit_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 75 };
	struct mrm_alloc_vm vms[3] = {
		vm_of(1, 0, 0, 100, 10), vm_of(5, 0, 20, 200, 300),
		vm_of(9, MRM_FRAC_ONE, 0, 300, 0),
	};
	u64 t[3];

	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, 3, 600, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 100);
	KUNIT_EXPECT_EQ(test, t[1], 200);
	KUNIT_EXPECT_EQ(test, t[2], 300);
}

static void mrm_alloc_mins_exceed_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 75 };
	struct mrm_alloc_vm vms[2] = {
		vm_of(1, 0, 60, 100, 100), vm_of(1, 0, 50, 100, 100),
	};
	u64 t[2];

	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 109, t),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, t[0], 60);
	KUNIT_EXPECT_EQ(test, t[1], 50);
	/* Exactly the mins is feasible. */
	KUNIT_EXPECT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 110, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 60);
	KUNIT_EXPECT_EQ(test, t[1], 50);
}

static void mrm_alloc_admit_test(struct kunit *test)
{
	struct mrm_alloc_vm vms[2] = {
		vm_of(1, 0, 300, 1000, 0), vm_of(1, 0, 200, 1000, 0),
	};
	struct mrm_alloc_vm cand = vm_of(1, 0, 100, 1000, 0);

	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(vms, 2, &cand, 600), 0);
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(vms, 2, &cand, 599), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(NULL, 0, &cand, 100), 0);
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(NULL, 0, &cand, 99), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(NULL, 2, &cand, 600), -EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(vms, MRM_ALLOC_VMS_MAX, &cand,
					      600), -E2BIG);
	cand.shares = 0;
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(vms, 2, &cand, 600), -EINVAL);
	cand = vm_of(1, 0, 1001, 1000, 0);
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(vms, 2, &cand, 5000), -EINVAL);
	cand = vm_of(1, 0, 100, 1000, 0);
	vms[1].tax_pct = 100;
	KUNIT_EXPECT_EQ(test, mrm_alloc_admit(vms, 2, &cand, 600), -ERANGE);
}

/*
 * Two equal VMs of 1000 pages, 1500 available: at tau = 0 they split
 * evenly whatever their activity; at tau = 75 % the idle one pays first.
 */
static void mrm_alloc_idle_tax_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 0 };
	struct mrm_alloc_vm vms[2] = {
		vm_of(100, 0, 0, 1000, 1000),
		vm_of(100, MRM_FRAC_ONE, 0, 1000, 1000),
	};
	u64 t[2];

	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 1500, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 750);
	KUNIT_EXPECT_EQ(test, t[1], 750);

	cfg.tax_pct = 75;
	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 1500, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 500);
	KUNIT_EXPECT_EQ(test, t[1], 1000);

	/*
	 * Idle VM a quarter active (A = 250), busy VM fully active, 1150
	 * available: the idle VM gives alone until its weight W = 250 +
	 * 4 (p - 250) meets the busy VM's W = p = 1000 (at p = 437.5); then
	 * both give, 4 weight per idle page against 1 per active page, until
	 * 250 + 4 (p0 - 250) = p1 and p0 + p1 = 1150: p0 = 380, p1 = 770.
	 */
	vms[0].active_frac = MRM_FRAC_ONE / 4;
	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 1150, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 380);
	KUNIT_EXPECT_EQ(test, t[1], 770);

	/* A per-VM rate of 0 exempts the idle VM from the tax. */
	vms[0].tax_pct = 0;
	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, 2, 1500, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 750);
	KUNIT_EXPECT_EQ(test, t[1], 750);
}

/* Equal levels: the lower index gives first. */
static void mrm_alloc_tie_break_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 75 };
	struct mrm_alloc_vm vms[3] = {
		vm_of(7, 0, 0, 10, 10), vm_of(7, 0, 0, 10, 10),
		vm_of(7, 0, 0, 10, 10),
	};
	u64 t[3];

	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, 3, 28, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 9);
	KUNIT_EXPECT_EQ(test, t[1], 9);
	KUNIT_EXPECT_EQ(test, t[2], 10);
}

/* Every target in [min, max], sum == available (or all max if they fit). */
static void mrm_alloc_bounds_and_sum_test(struct kunit *test)
{
	struct mrm_alloc_config cfg;
	struct mrm_alloc_vm vms[SMALL_VMS];
	u64 t[SMALL_VMS], avail, sum, sum_max;
	struct mrm_prng rng;
	size_t n, i;
	int round;

	mrm_prng_seed(&rng, 1);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		cfg.tax_pct = mrm_prng_range(&rng, 0, MRM_ALLOC_TAX_MAX_PCT);
		n = mrm_prng_range(&rng, 1, SMALL_VMS);
		for (i = 0; i < n; i++)
			rand_vm(&rng, &vms[i], 1000, 1000);
		avail = rand_avail(&rng, vms, n);
		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n, avail, t),
				0);
		sum = 0;
		sum_max = 0;
		for (i = 0; i < n; i++) {
			KUNIT_EXPECT_GE(test, t[i], vms[i].min_pages);
			KUNIT_EXPECT_LE(test, t[i], vms[i].max_pages);
			sum += t[i];
			sum_max += vms[i].max_pages;
		}
		KUNIT_EXPECT_EQ_MSG(test, sum, min_t(u64, avail, sum_max),
				    "round %d", round);
	}
}

/* The fast algorithm gives exactly the page-by-page greedy result. */
static void mrm_alloc_matches_greedy_test(struct kunit *test)
{
	struct mrm_alloc_config cfg;
	struct mrm_alloc_vm vms[SMALL_VMS];
	u64 t[SMALL_VMS], ref[SMALL_VMS], avail;
	struct mrm_prng rng;
	size_t n, i;
	int round;

	mrm_prng_seed(&rng, 2);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		cfg.tax_pct = mrm_prng_range(&rng, 0, MRM_ALLOC_TAX_MAX_PCT);
		n = mrm_prng_range(&rng, 1, SMALL_VMS);
		for (i = 0; i < n; i++)
			rand_vm(&rng, &vms[i], SMALL_PAGES, 50);
		avail = rand_avail(&rng, vms, n);
		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n, avail, t),
				0);
		greedy_reference(&cfg, vms, n, avail, ref);
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_EQ_MSG(test, t[i], ref[i],
					    "round %d vm %zu", round, i);
	}
}

/* More shares never means less memory; neither does more memory. */
static void mrm_alloc_monotone_test(struct kunit *test)
{
	struct mrm_alloc_config cfg;
	struct mrm_alloc_vm vms[SMALL_VMS];
	u64 t[SMALL_VMS], u[SMALL_VMS], avail;
	struct mrm_prng rng;
	size_t n, i, j;
	int round;

	mrm_prng_seed(&rng, 3);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		cfg.tax_pct = mrm_prng_range(&rng, 0, MRM_ALLOC_TAX_MAX_PCT);
		n = mrm_prng_range(&rng, 2, SMALL_VMS);
		for (i = 0; i < n; i++)
			rand_vm(&rng, &vms[i], 5000, 1000);
		avail = rand_avail(&rng, vms, n);
		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n, avail, t),
				0);

		j = mrm_prng_below(&rng, n);
		vms[j].shares += mrm_prng_range(&rng, 1, 1000);
		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n, avail, u),
				0);
		KUNIT_EXPECT_GE_MSG(test, u[j], t[j], "round %d", round);
		/* ... and the others never gain from it. */
		for (i = 0; i < n; i++)
			if (i != j)
				KUNIT_EXPECT_LE(test, u[i], t[i]);

		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n,
							avail + 100, t), 0);
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_GE(test, t[i], u[i]);
	}
}

/* tau = 0: targets proportional to shares when no clamp binds. */
static void mrm_alloc_tau0_proportional_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 0 };
	struct mrm_alloc_vm vms[SMALL_VMS];
	u64 t[SMALL_VMS], u[SMALL_VMS], avail, shares, want;
	struct mrm_prng rng;
	size_t n, i;
	int round;

	mrm_prng_seed(&rng, 4);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		n = mrm_prng_range(&rng, 1, SMALL_VMS);
		avail = mrm_prng_range(&rng, 1, 100000);
		shares = 0;
		for (i = 0; i < n; i++) {
			rand_vm(&rng, &vms[i], 0, 1000);
			vms[i].min_pages = 0;
			vms[i].max_pages = avail;
			vms[i].tax_pct = MRM_ALLOC_TAX_INHERIT;
			shares += vms[i].shares;
		}
		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n, avail, t),
				0);
		for (i = 0; i < n; i++) {
			want = avail * vms[i].shares / shares;
			KUNIT_EXPECT_LE_MSG(test, t[i], want + 3, "round %d",
					    round);
			KUNIT_EXPECT_GE_MSG(test, t[i] + 3, want, "round %d",
					    round);
		}
		/* Activity does not matter without a tax. */
		for (i = 0; i < n; i++) {
			vms[i].active_frac = mrm_prng_range(&rng, 0,
							    MRM_FRAC_ONE);
			vms[i].alloc_pages = mrm_prng_range(&rng, 0, avail);
		}
		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n, avail, u),
				0);
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, u[i], t[i]);
	}
}

/*
 * Optimality certificate of the greedy rule, checked directly: no page
 * reclaimed from one VM is worth less (lower level) than a page another VM
 * kept, and at equal levels the reclaimed one belongs to the lower index.
 */
static void check_certificate(struct kunit *test,
			      const struct mrm_alloc_config *cfg,
			      const struct mrm_alloc_vm *vms, size_t n,
			      const u64 *t)
{
	u64 gave, kept;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (t[i] >= vms[i].max_pages)
			continue;
		gave = mrm_alloc_level(cfg, &vms[i], t[i] + 1);
		for (j = 0; j < n; j++) {
			if (j == i || t[j] <= vms[j].min_pages)
				continue;
			kept = mrm_alloc_level(cfg, &vms[j], t[j]);
			KUNIT_EXPECT_GE_MSG(test, gave, kept, "vm %zu vs %zu",
					    i, j);
			if (gave == kept)
				KUNIT_EXPECT_LT(test, i, j);
		}
	}
}

/* 1024 VMs with large sizes and extreme shares: bounded, exact, stable. */
static void mrm_alloc_many_vms_test(struct kunit *test)
{
	struct mrm_alloc_config cfg = { .tax_pct = 75 };
	struct mrm_alloc_vm *vms;
	u64 *t, *u, avail, sum, sum_min;
	struct mrm_prng rng;
	size_t i;

	vms = kunit_kcalloc(test, LARGE_VMS, sizeof(*vms), GFP_KERNEL);
	t = kunit_kcalloc(test, LARGE_VMS, sizeof(*t), GFP_KERNEL);
	u = kunit_kcalloc(test, LARGE_VMS, sizeof(*u), GFP_KERNEL);
	if (!vms || !t || !u)
		kunit_skip(test, "out of memory");

	mrm_prng_seed(&rng, 5);
	sum_min = 0;
	sum = 0;
	for (i = 0; i < LARGE_VMS; i++) {
		rand_vm(&rng, &vms[i], MRM_ALLOC_PAGES_MAX / LARGE_VMS,
			U32_MAX);
		vms[i].min_pages /= 4;
		sum_min += vms[i].min_pages;
		sum += vms[i].max_pages;
	}
	avail = sum_min + (sum - sum_min) / 2;
	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, LARGE_VMS, avail,
						t), 0);
	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, LARGE_VMS, avail,
						u), 0);
	sum = 0;
	for (i = 0; i < LARGE_VMS; i++) {
		KUNIT_EXPECT_EQ(test, t[i], u[i]);
		KUNIT_EXPECT_GE(test, t[i], vms[i].min_pages);
		KUNIT_EXPECT_LE(test, t[i], vms[i].max_pages);
		sum += t[i];
	}
	KUNIT_EXPECT_EQ(test, sum, avail);
	check_certificate(test, &cfg, vms, LARGE_VMS, t);

	/*
	 * Largest sizes, one idle share at 99 % tax against U32_MAX active
	 * shares.  The idle VM gives until its level (6553600 p per page
	 * held) falls below the busy VM's (about 2^24 at full size): it
	 * keeps 2 pages and the busy VM gives the last 2.
	 */
	cfg.tax_pct = MRM_ALLOC_TAX_MAX_PCT;
	vms[0] = vm_of(1, 0, 0, MRM_ALLOC_PAGES_MAX, MRM_ALLOC_PAGES_MAX);
	vms[1] = vm_of(U32_MAX, MRM_FRAC_ONE, 0, MRM_ALLOC_PAGES_MAX,
		       MRM_ALLOC_PAGES_MAX);
	KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, 2,
						MRM_ALLOC_PAGES_MAX, t), 0);
	KUNIT_EXPECT_EQ(test, t[0], 2);
	KUNIT_EXPECT_EQ(test, t[1], MRM_ALLOC_PAGES_MAX - 2);
	check_certificate(test, &cfg, vms, 2, t);
}

static void mrm_alloc_certificate_test(struct kunit *test)
{
	struct mrm_alloc_config cfg;
	struct mrm_alloc_vm vms[SMALL_VMS];
	u64 t[SMALL_VMS], avail;
	struct mrm_prng rng;
	size_t n, i;
	int round;

	mrm_prng_seed(&rng, 6);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		cfg.tax_pct = mrm_prng_range(&rng, 0, MRM_ALLOC_TAX_MAX_PCT);
		n = mrm_prng_range(&rng, 1, SMALL_VMS);
		for (i = 0; i < n; i++)
			rand_vm(&rng, &vms[i], 1ULL << 30, 1U << 20);
		avail = rand_avail(&rng, vms, n);
		KUNIT_ASSERT_EQ(test, mrm_alloc_targets(&cfg, vms, n, avail, t),
				0);
		check_certificate(test, &cfg, vms, n, t);
	}
}

static struct kunit_case mrm_policy_alloc_cases[] = {
	KUNIT_CASE(mrm_alloc_errors_test),
	KUNIT_CASE(mrm_alloc_tax_factor_test),
	KUNIT_CASE(mrm_alloc_level_test),
	KUNIT_CASE(mrm_alloc_all_fit_test),
	KUNIT_CASE(mrm_alloc_mins_exceed_test),
	KUNIT_CASE(mrm_alloc_admit_test),
	KUNIT_CASE(mrm_alloc_idle_tax_test),
	KUNIT_CASE(mrm_alloc_tie_break_test),
	KUNIT_CASE(mrm_alloc_bounds_and_sum_test),
	KUNIT_CASE(mrm_alloc_matches_greedy_test),
	KUNIT_CASE(mrm_alloc_monotone_test),
	KUNIT_CASE(mrm_alloc_tau0_proportional_test),
	KUNIT_CASE(mrm_alloc_certificate_test),
	KUNIT_CASE(mrm_alloc_many_vms_test),
	{}
};

static struct kunit_suite mrm_policy_alloc_suite = {
	.name = "mrm_policy_alloc",
	.test_cases = mrm_policy_alloc_cases,
};

kunit_test_suite(mrm_policy_alloc_suite);
