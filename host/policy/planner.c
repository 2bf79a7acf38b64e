// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim planner.
 *
 * For each VM, the floor is max(target, min): the planner never asks for
 * memory below it.  A VM consuming more than its floor has an excess; the
 * state (memstate.h) says which techniques may cover it, and they are used
 * cheapest first (seed 004 table 4): share < balloon < compress < swap.
 *
 *  - share: KSM runs in every state and needs no amount.
 *  - balloon: grow the balloon by the excess, up to its cap, the smaller
 *    of balloon_max_pct of the VM's size and size - min.  The new balloon
 *    size is computed from the current one, not from the last plan: while
 *    the guest inflates, consumption falls as the balloon grows, so
 *    repeating the plan asks for the same size and never overshoots.
 *  - compress/swap: what the balloon does not cover goes to the VM's
 *    cgroup, when the state allows it (hard and low; soft for a VM
 *    without a balloon).
 *  - block: in the low state, a VM above its floor may not allocate more.
 *
 * A VM at or below its floor gets its balloon back: the balloon deflates by
 * up to the room left below the floor, in any state.
 *
 * Backing off: a VM whose guest reports memory pressure is never inflated
 * further (its balloon is held where it is, or deflated if it is below its
 * floor); the part of its excess the balloon would have taken goes to
 * compress/swap where the state allows that (hard, low), and is otherwise
 * left as shortfall.  The host's own reclaim is not backed off: in hard
 * and low the host's survival comes first.
 */
#include "planner.h"

/**
 * mrm_plan_config_default() - fill @cfg with the defaults
 * @cfg: configuration to fill
 */
void mrm_plan_config_default(struct mrm_plan_config *cfg)
{
	cfg->balloon_max_pct = MRM_PLAN_BALLOON_MAX_PCT_DEFAULT;
}

/**
 * mrm_plan_config_check() - validate planner knobs
 * @cfg: configuration to check
 *
 * Return: 0 if valid; -EINVAL if @cfg is NULL; -ERANGE if the balloon cap
 * exceeds 100 %.
 */
int mrm_plan_config_check(const struct mrm_plan_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	if (cfg->balloon_max_pct > MRM_PERCENT)
		return -ERANGE;
	return 0;
}

static int mrm_plan_vm_check(const struct mrm_plan_vm *vm)
{
	if (!vm || vm->min_pages > vm->size_pages ||
	    vm->balloon_pages > vm->size_pages)
		return -EINVAL;
	return 0;
}

/**
 * mrm_plan_vm() - plan one VM
 * @cfg: planner knobs
 * @state: current free-memory state
 * @vm: the VM
 * @act: output
 *
 * Return: 0 on success; -EINVAL if a pointer is NULL, @state is not a
 * state, or @vm has min_pages or balloon_pages above size_pages; -ERANGE
 * from mrm_plan_config_check().  On error @act is not written.
 */
int mrm_plan_vm(const struct mrm_plan_config *cfg, enum mrm_memstate state,
		const struct mrm_plan_vm *vm, struct mrm_plan_action *act)
{
	u64 floor, cap, excess, grow;
	u32 allowed;
	int err;

	err = mrm_plan_config_check(cfg);
	if (err)
		return err;
	err = mrm_plan_vm_check(vm);
	if (err)
		return err;
	if (!act || (unsigned int)state >= MRM_MEMSTATE_COUNT)
		return -EINVAL;

	allowed = mrm_memstate_actions(state, vm->has_balloon);
	floor = max_t(u64, vm->target_pages, vm->min_pages);
	cap = min_t(u64, mrm_scale(vm->size_pages, cfg->balloon_max_pct,
				   MRM_PERCENT),
		    vm->size_pages - vm->min_pages);

	act->balloon_target_pages = min_t(u64, vm->balloon_pages, cap);
	act->reclaim_pages = 0;
	act->shortfall_pages = 0;
	act->actions = MRM_ACT_SHARE;
	act->block = false;

	if (vm->consumed_pages <= floor) {
		grow = floor - vm->consumed_pages;
		act->balloon_target_pages -= min_t(u64, grow,
						   act->balloon_target_pages);
		return 0;
	}

	excess = vm->consumed_pages - floor;
	if ((allowed & MRM_ACT_BALLOON) && vm->has_balloon &&
	    !vm->guest_pressure && act->balloon_target_pages < cap) {
		grow = min_t(u64, cap - act->balloon_target_pages, excess);
		act->balloon_target_pages += grow;
		excess -= grow;
		act->actions |= MRM_ACT_BALLOON;
	}
	if ((allowed & MRM_ACT_SWAP) && vm->has_cgroup && excess) {
		act->reclaim_pages = excess;
		excess = 0;
		act->actions |= MRM_ACT_COMPRESS | MRM_ACT_SWAP;
	}
	act->shortfall_pages = excess;
	if (allowed & MRM_ACT_BLOCK) {
		act->block = true;
		act->actions |= MRM_ACT_BLOCK;
	}
	return 0;
}

/**
 * mrm_plan() - plan every VM
 * @cfg: planner knobs
 * @state: current free-memory state
 * @vms: the VMs
 * @n: number of VMs
 * @acts: output, @n entries
 *
 * Return: 0 on success; the first error of mrm_plan_vm(), in which case
 * entries of @acts before the failing VM are written and the rest are not.
 */
int mrm_plan(const struct mrm_plan_config *cfg, enum mrm_memstate state,
	     const struct mrm_plan_vm *vms, size_t n,
	     struct mrm_plan_action *acts)
{
	size_t i;
	int err;

	if (n && (!vms || !acts))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		err = mrm_plan_vm(cfg, state, &vms[i], &acts[i]);
		if (err)
			return err;
	}
	return 0;
}
