// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_policy_planner: per-VM reclaim plans.  Fixed cases for
 * each state and technique, the pressure back-off, and seeded random
 * inputs for the invariants (never below min, balloon cap, every page of
 * excess accounted for, only techniques the state allows).
 */
#include <kunit/test.h>

#include "../planner.h"
#include "prng.h"

#define RANDOM_ROUNDS 2000
#define VM_SIZE 1000
#define VM_MIN 100
#define VM_TARGET 600
#define VM_CAP 650	/* 65 % of VM_SIZE */

static struct mrm_plan_vm base_vm(void)
{
	struct mrm_plan_vm vm = {
		.size_pages = VM_SIZE,
		.min_pages = VM_MIN,
		.target_pages = VM_TARGET,
		.consumed_pages = VM_TARGET + 200,
		.balloon_pages = 0,
		.has_balloon = true,
		.has_cgroup = true,
		.guest_pressure = false,
	};

	return vm;
}

static struct mrm_plan_action plan(struct kunit *test,
				   enum mrm_memstate state,
				   const struct mrm_plan_vm *vm)
{
	struct mrm_plan_config cfg;
	struct mrm_plan_action act;

	mrm_plan_config_default(&cfg);
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(&cfg, state, vm, &act), 0);
	return act;
}

static void mrm_plan_errors_test(struct kunit *test)
{
	struct mrm_plan_config cfg;
	struct mrm_plan_action act, before, acts[3];
	struct mrm_plan_vm vm = base_vm(), vms[3];

	mrm_plan_config_default(&cfg);
	KUNIT_EXPECT_EQ(test, cfg.balloon_max_pct, 65);
	memset(&act, 0x5a, sizeof(act));
	before = act;

	cfg.balloon_max_pct = 101;
	KUNIT_EXPECT_EQ(test, mrm_plan_config_check(&cfg), -ERANGE);
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(&cfg, MRM_MEMSTATE_SOFT, &vm, &act),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(NULL, MRM_MEMSTATE_SOFT, &vm, &act),
			-EINVAL);
	cfg.balloon_max_pct = 100;
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(&cfg, MRM_MEMSTATE_COUNT, &vm,
					  &act), -EINVAL);
	vm.min_pages = VM_SIZE + 1;
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(&cfg, MRM_MEMSTATE_SOFT, &vm, &act),
			-EINVAL);
	vm = base_vm();
	vm.balloon_pages = VM_SIZE + 1;
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(&cfg, MRM_MEMSTATE_SOFT, &vm, &act),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(&cfg, MRM_MEMSTATE_SOFT, NULL, &act),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&act, &before, sizeof(act)), 0);
	vm = base_vm();
	KUNIT_EXPECT_EQ(test, mrm_plan_vm(&cfg, MRM_MEMSTATE_SOFT, &vm, NULL),
			-EINVAL);

	/* The array form stops at the first bad VM. */
	vms[0] = base_vm();
	vms[1] = base_vm();
	vms[1].balloon_pages = VM_SIZE + 1;
	vms[2] = base_vm();
	memset(acts, 0x5a, sizeof(acts));
	KUNIT_EXPECT_EQ(test, mrm_plan(&cfg, MRM_MEMSTATE_SOFT, vms, 3, acts),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, acts[0].reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, memcmp(&acts[2], &before, sizeof(before)), 0);
	KUNIT_EXPECT_EQ(test, mrm_plan(&cfg, MRM_MEMSTATE_SOFT, NULL, 3, acts),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mrm_plan(&cfg, MRM_MEMSTATE_SOFT, NULL, 0, NULL),
			0);
}

/* High: no active reclaim, whatever the excess. */
static void mrm_plan_high_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act = plan(test, MRM_MEMSTATE_HIGH, &vm);

	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 0);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 200);
	KUNIT_EXPECT_EQ(test, act.actions, MRM_ACT_SHARE);
	KUNIT_EXPECT_FALSE(test, act.block);
}

/* Soft: the balloon takes the excess, up to its cap. */
static void mrm_plan_soft_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act = plan(test, MRM_MEMSTATE_SOFT, &vm);

	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 200);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 0);
	KUNIT_EXPECT_EQ(test, act.actions, MRM_ACT_SHARE | MRM_ACT_BALLOON);
	KUNIT_EXPECT_FALSE(test, act.block);

	vm.balloon_pages = 500;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, VM_CAP);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 50);
}

/* Soft without a balloon: compress/swap through the cgroup instead. */
static void mrm_plan_soft_no_balloon_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act;

	vm.has_balloon = false;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 0);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 200);
	KUNIT_EXPECT_EQ(test, act.actions,
			MRM_ACT_SHARE | MRM_ACT_COMPRESS | MRM_ACT_SWAP);

	vm.has_cgroup = false;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 200);
}

/* Hard: balloon first up to the cap, the rest compressed or swapped. */
static void mrm_plan_hard_test(struct kunit *test)
{
	struct mrm_plan_config cfg;
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act;

	vm.balloon_pages = 500;
	act = plan(test, MRM_MEMSTATE_HARD, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, VM_CAP);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 50);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 0);
	KUNIT_EXPECT_EQ(test, act.actions, MRM_ACT_SHARE | MRM_ACT_BALLOON |
			MRM_ACT_COMPRESS | MRM_ACT_SWAP);
	KUNIT_EXPECT_FALSE(test, act.block);

	/* Ballooning disabled: all of it through the cgroup. */
	mrm_plan_config_default(&cfg);
	cfg.balloon_max_pct = 0;
	vm.balloon_pages = 0;
	KUNIT_ASSERT_EQ(test, mrm_plan_vm(&cfg, MRM_MEMSTATE_HARD, &vm, &act),
			0);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 0);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 200);
}

/* Low: as hard, and a VM above its target is blocked; others are not. */
static void mrm_plan_low_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act = plan(test, MRM_MEMSTATE_LOW, &vm);

	KUNIT_EXPECT_TRUE(test, act.block);
	KUNIT_EXPECT_TRUE(test, act.actions & MRM_ACT_BLOCK);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 200);

	vm.consumed_pages = VM_TARGET;
	act = plan(test, MRM_MEMSTATE_LOW, &vm);
	KUNIT_EXPECT_FALSE(test, act.block);
	KUNIT_EXPECT_EQ(test, act.actions, MRM_ACT_SHARE);
}

/* At or below its floor a VM gets balloon back, up to the room left. */
static void mrm_plan_deflate_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act;
	enum mrm_memstate s;

	vm.consumed_pages = VM_TARGET - 100;
	vm.balloon_pages = 300;
	for (s = MRM_MEMSTATE_HIGH; s < MRM_MEMSTATE_COUNT; s++) {
		act = plan(test, s, &vm);
		KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 200);
		KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
		KUNIT_EXPECT_FALSE(test, act.block);
	}
	vm.balloon_pages = 50;
	act = plan(test, MRM_MEMSTATE_HARD, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 0);

	/* A balloon above its cap (the knob was lowered) shrinks to it. */
	vm.consumed_pages = VM_TARGET;
	vm.balloon_pages = VM_CAP + 100;
	act = plan(test, MRM_MEMSTATE_HIGH, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, VM_CAP);
}

/* The floor is max(target, min), and the balloon leaves min to the guest. */
static void mrm_plan_min_floor_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act;

	vm.target_pages = VM_MIN / 2;
	vm.consumed_pages = VM_MIN + 200;
	act = plan(test, MRM_MEMSTATE_HARD, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages + act.reclaim_pages,
			200);

	vm.min_pages = 800;
	vm.consumed_pages = 1000;
	act = plan(test, MRM_MEMSTATE_HARD, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, VM_SIZE - 800);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 0);
}

/*
 * Back-off: a guest under memory pressure is not inflated further.  In
 * soft nothing else may be taken, so the excess is shortfall; in hard
 * the cgroup takes it; a VM below its floor still deflates.
 */
static void mrm_plan_pressure_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action act;

	vm.guest_pressure = true;
	vm.balloon_pages = 100;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 100);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 200);
	KUNIT_EXPECT_EQ(test, act.actions, MRM_ACT_SHARE);

	act = plan(test, MRM_MEMSTATE_HARD, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 100);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 200);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 0);

	vm.has_cgroup = false;
	act = plan(test, MRM_MEMSTATE_LOW, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 100);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 200);
	KUNIT_EXPECT_TRUE(test, act.block);

	vm.consumed_pages = VM_TARGET - 30;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 70);

	/* Without pressure the same VM would have been inflated. */
	vm = base_vm();
	vm.balloon_pages = 100;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, 300);
}

/*
 * No hidden state: replanning while the guest inflates towards the last
 * target (balloon up, consumption down by the same) asks for the same
 * balloon, and once there asks for nothing more.
 */
static void mrm_plan_converges_test(struct kunit *test)
{
	struct mrm_plan_vm vm = base_vm();
	struct mrm_plan_action first, act;

	first = plan(test, MRM_MEMSTATE_SOFT, &vm);
	vm.balloon_pages += 120;
	vm.consumed_pages -= 120;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages,
			first.balloon_target_pages);
	vm.balloon_pages = first.balloon_target_pages;
	vm.consumed_pages = VM_TARGET;
	act = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, act.balloon_target_pages, vm.balloon_pages);
	KUNIT_EXPECT_EQ(test, act.reclaim_pages, 0);
	KUNIT_EXPECT_EQ(test, act.shortfall_pages, 0);
	/* Same input, same output. */
	first = plan(test, MRM_MEMSTATE_SOFT, &vm);
	KUNIT_EXPECT_EQ(test, memcmp(&first, &act, sizeof(act)), 0);
}

static void rand_vm(struct mrm_prng *rng, struct mrm_plan_vm *vm)
{
	vm->size_pages = mrm_prng_range(rng, 0, 1ULL << 40);
	vm->min_pages = mrm_prng_range(rng, 0, vm->size_pages);
	vm->target_pages = mrm_prng_range(rng, 0, vm->size_pages);
	vm->consumed_pages = mrm_prng_range(rng, 0, vm->size_pages +
					    vm->size_pages / 8);
	vm->balloon_pages = mrm_prng_range(rng, 0, vm->size_pages);
	vm->has_balloon = mrm_prng_below(rng, 2);
	vm->has_cgroup = mrm_prng_below(rng, 2);
	vm->guest_pressure = mrm_prng_below(rng, 2);
}

static void check_invariants(struct kunit *test,
			     const struct mrm_plan_config *cfg,
			     enum mrm_memstate state,
			     const struct mrm_plan_vm *vm,
			     const struct mrm_plan_action *act)
{
	u64 floor = max_t(u64, vm->target_pages, vm->min_pages);
	u64 cap = min_t(u64, vm->size_pages * cfg->balloon_max_pct / 100,
			vm->size_pages - vm->min_pages);
	u64 held = min_t(u64, vm->balloon_pages, cap);
	u32 allowed = mrm_memstate_actions(state, vm->has_balloon);
	u64 grow;

	KUNIT_EXPECT_LE(test, act->balloon_target_pages, cap);
	KUNIT_EXPECT_LE(test, act->balloon_target_pages + vm->min_pages,
			vm->size_pages);
	if (vm->consumed_pages <= floor) {
		KUNIT_EXPECT_EQ(test, act->reclaim_pages, 0);
		KUNIT_EXPECT_EQ(test, act->shortfall_pages, 0);
		KUNIT_EXPECT_LE(test, act->balloon_target_pages, held);
		KUNIT_EXPECT_LE(test, held - act->balloon_target_pages,
				floor - vm->consumed_pages);
		KUNIT_EXPECT_FALSE(test, act->block);
		return;
	}
	KUNIT_ASSERT_GE(test, act->balloon_target_pages, held);
	grow = act->balloon_target_pages - held;
	/* Every page of excess is planned or reported, none twice. */
	KUNIT_EXPECT_EQ(test, grow + act->reclaim_pages +
			act->shortfall_pages, vm->consumed_pages - floor);
	/* Never below min (nor below target). */
	KUNIT_EXPECT_GE(test, vm->consumed_pages - grow - act->reclaim_pages,
			floor);
	if (grow) {
		KUNIT_EXPECT_TRUE(test, allowed & MRM_ACT_BALLOON);
		KUNIT_EXPECT_FALSE(test, vm->guest_pressure);
	}
	if (act->reclaim_pages) {
		KUNIT_EXPECT_TRUE(test, allowed & MRM_ACT_SWAP);
		KUNIT_EXPECT_TRUE(test, vm->has_cgroup);
	}
	KUNIT_EXPECT_EQ(test, act->block, (bool)(state == MRM_MEMSTATE_LOW));
}

static void mrm_plan_random_invariants_test(struct kunit *test)
{
	struct mrm_plan_config cfg;
	struct mrm_plan_action act;
	enum mrm_memstate state;
	struct mrm_plan_vm vm;
	struct mrm_prng rng;
	int round;

	mrm_prng_seed(&rng, 31);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		cfg.balloon_max_pct = mrm_prng_range(&rng, 0, 100);
		state = mrm_prng_below(&rng, MRM_MEMSTATE_COUNT);
		rand_vm(&rng, &vm);
		KUNIT_ASSERT_EQ(test, mrm_plan_vm(&cfg, state, &vm, &act), 0);
		check_invariants(test, &cfg, state, &vm, &act);
	}
}

static struct kunit_case mrm_policy_planner_cases[] = {
	KUNIT_CASE(mrm_plan_errors_test),
	KUNIT_CASE(mrm_plan_high_test),
	KUNIT_CASE(mrm_plan_soft_test),
	KUNIT_CASE(mrm_plan_soft_no_balloon_test),
	KUNIT_CASE(mrm_plan_hard_test),
	KUNIT_CASE(mrm_plan_low_test),
	KUNIT_CASE(mrm_plan_deflate_test),
	KUNIT_CASE(mrm_plan_min_floor_test),
	KUNIT_CASE(mrm_plan_pressure_test),
	KUNIT_CASE(mrm_plan_converges_test),
	KUNIT_CASE(mrm_plan_random_invariants_test),
	{}
};

static struct kunit_suite mrm_policy_planner_suite = {
	.name = "mrm_policy_planner",
	.test_cases = mrm_policy_planner_cases,
};

kunit_test_suite(mrm_policy_planner_suite);
