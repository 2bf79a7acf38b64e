// SPDX-License-Identifier: GPL-2.0
/*
 * The host policy loop (see loop.h and Documentation/loop.rst).
 *
 * One run:
 *
 *   1. take a reference on every attached VM (at most MRM_ALLOC_VMS_MAX);
 *   2. sense each: size, mapped, consumed, shared, compressed, swapped,
 *      balloon, working-set estimate, whether its balloon is connected,
 *      whether it has a cgroup to reclaim through, guest pressure;
 *   3. read host free memory and update the free-memory state;
 *   4. memory for VMs = what they consume now + free memory - minfree:
 *      the targets keep minfree free, which is above the soft threshold,
 *      so reclaim that reaches the targets brings the host back to high;
 *   5. targets from shares, min, max, working set and the idle tax;
 *   6. plan per VM for the current state, cheapest technique first;
 *   7. apply (if enabled): balloon targets, reclaim through the cgroup,
 *      memory.high to block in low and to release when the state rises.
 *
 * Runs on system_unbound_wq, never in a vCPU's context; every step is
 * O(number of VMs) except the planner's O(64 * VMs).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <mrm/proto.h>

#include "endpoint.h"
#include "loop.h"
#include "loop_sense.h"
#include "vm.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* See "Locking" in loop.h. */
DEFINE_MUTEX(mrm_loop_lock);
struct mrm_loop_config mrm_loop_config;
struct mrm_memstate_machine mrm_loop_memstate;
struct mrm_loop_status mrm_loop_status;

/*
 * mrm_loop_queue_lock protects mrm_loop_stopping and every (re)queueing of
 * mrm_loop_work: once mrm_loop_stop() has set the flag under it, nobody
 * queues the work again, so the cancel that follows is final.
 */
static DEFINE_SPINLOCK(mrm_loop_queue_lock);
static bool mrm_loop_stopping;
static void mrm_loop_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mrm_loop_work, mrm_loop_work_fn);

/**
 * struct mrm_loop_run - scratch of one run (only the run uses it)
 * @vm: the VMs, referenced
 * @alloc: their allocator inputs
 * @plan: their planner inputs
 * @act: the planner's output
 * @targets: the allocator's output, in pages
 * @n: entries used
 */
struct mrm_loop_run {
	struct mrm_vm **vm;
	struct mrm_alloc_vm *alloc;
	struct mrm_plan_vm *plan;
	struct mrm_plan_action *act;
	u64 *targets;
	size_t n;
};

static void mrm_loop_run_free(struct mrm_loop_run *run)
{
	size_t i;

	for (i = 0; i < run->n; i++)
		mrm_vm_put(run->vm[i]);
	kfree(run->vm);
	kfree(run->alloc);
	kfree(run->plan);
	kfree(run->act);
	kfree(run->targets);
	memset(run, 0, sizeof(*run));
}

static int mrm_loop_run_alloc(struct mrm_loop_run *run, size_t cap)
{
	run->vm = kcalloc(cap, sizeof(*run->vm), GFP_KERNEL);
	run->alloc = kcalloc(cap, sizeof(*run->alloc), GFP_KERNEL);
	run->plan = kcalloc(cap, sizeof(*run->plan), GFP_KERNEL);
	run->act = kcalloc(cap, sizeof(*run->act), GFP_KERNEL);
	run->targets = kcalloc(cap, sizeof(*run->targets), GFP_KERNEL);
	if (!run->vm || !run->alloc || !run->plan || !run->act ||
	    !run->targets)
		return -ENOMEM;
	return 0;
}

/* Step 1: references on the attached VMs, in id order. */
static int mrm_loop_collect(struct mrm_loop_run *run)
{
	unsigned long id;
	struct mrm_vm *vm;
	size_t cap = 0;
	int err;

	for (id = 0; (vm = mrm_vm_get_next(&id)); id++) {
		mrm_vm_put(vm);
		cap++;
	}
	/* Room for VMs attached since the count; later ones wait a run. */
	cap = min_t(size_t, cap + 8, MRM_ALLOC_VMS_MAX);
	err = mrm_loop_run_alloc(run, cap);
	if (err)
		return err;
	for (id = 0; run->n < cap && (vm = mrm_vm_get_next(&id)); id++)
		run->vm[run->n++] = vm;
	return 0;
}

static bool mrm_loop_pressure(struct mrm_vm_endpoint *ep, u32 hold_ms)
{
	unsigned long at = READ_ONCE(ep->pressure_at);

	return at && time_before(jiffies, at + msecs_to_jiffies(hold_ms));
}

/* Step 2 for one VM: fill its policy record and the planner's inputs. */
static void mrm_loop_sense_vm(struct mrm_vm *vm, struct mrm_plan_vm *plan,
			      struct mrm_alloc_vm *alloc)
{
	struct mrm_vm_policy *pol = vm->policy;
	struct mrm_loop_usage use;
	u64 max_pages;

	mrm_loop_sense(vm, &use);
	pol->size_pages = mrm_vm_memory_bytes(vm) >> PAGE_SHIFT;
	pol->mapped_pages = use.mapped_pages;
	pol->consumed_pages = use.consumed_pages;
	pol->shared_pages = use.shared_pages;
	pol->compressed_pages = use.compressed_pages;
	pol->swapped_pages = use.swapped_pages;
	pol->has_cgroup = use.has_cgroup;
	pol->has_balloon = READ_ONCE(vm->ep->state) == MRM_EP_CONNECTED;
	pol->guest_pressure =
		mrm_loop_pressure(vm->ep, mrm_loop_config.pressure_hold_ms);

	plan->size_pages = pol->size_pages;
	plan->min_pages = min(pol->min_bytes >> PAGE_SHIFT, pol->size_pages);
	plan->balloon_pages = min(READ_ONCE(vm->ep->balloon.pages),
				  pol->size_pages);

	/*
	 * A VM faulting its memory back from swap touches few pages per
	 * sampling period because it waits for the swap-ins: it uses all
	 * it holds, whatever the sampler saw (see policy/thrash.h).
	 */
	pol->refaulted_pages = use.refaults;
	pol->thrashing = mrm_thrash_update(&pol->thrash, use.refaults,
					   plan->balloon_pages,
					   jiffies64_to_msecs(get_jiffies_64()),
					   MRM_THRASH_RATE_PAGES_DEFAULT,
					   MRM_THRASH_HOLD_MS_DEFAULT);
	pol->active_frac = pol->thrashing ? MRM_FRAC_ONE : use.active_frac;
	/*
	 * What the planner may take: guest RAM only.  The process's own
	 * memory (QEMU's heap, a few tens of MiB) is part of consumed but
	 * no balloon can take it, and a VM entitled to all its RAM would
	 * otherwise always look above target by that much.
	 */
	plan->consumed_pages = min(pol->consumed_pages,
				   pol->size_pages - plan->balloon_pages);
	plan->has_balloon = pol->has_balloon;
	plan->has_cgroup = pol->has_cgroup;
	plan->guest_pressure = pol->guest_pressure;

	max_pages = pol->max_bytes ? pol->max_bytes >> PAGE_SHIFT :
				     pol->size_pages;
	alloc->shares = pol->shares;
	alloc->tax_pct = pol->tax_pct;
	alloc->active_frac = pol->active_frac;
	alloc->max_pages = min(max_pages, pol->size_pages);
	alloc->min_pages = min(plan->min_pages, alloc->max_pages);
	alloc->alloc_pages = pol->consumed_pages;
}

/* Steps 3 and 4: the state and the memory available to VMs. */
static void mrm_loop_sense_host(struct mrm_loop_run *run)
{
	struct mrm_loop_status *st = &mrm_loop_status;
	enum mrm_memstate old = mrm_loop_memstate.state, now;
	unsigned long host_pages;
	u64 consumed = 0;
	size_t i;

	for (i = 0; i < run->n; i++)
		consumed += run->vm[i]->policy->consumed_pages;

	host_pages = totalram_pages();
	if (host_pages != st->host_pages) {
		/* Memory hotplug: thresholds follow the host's size. */
		if (mrm_memstate_configure(&mrm_loop_memstate,
					   &mrm_loop_config.memstate,
					   host_pages))
			pr_warn_ratelimited("thresholds kept: host memory now %lu pages\n",
					    host_pages);
		st->host_pages = host_pages;
	}
	st->free_pages = si_mem_available();
	now = mrm_memstate_update(&mrm_loop_memstate, st->free_pages);
	if (now != old) {
		trace_mrm_state(old, now, st->free_pages);
		pr_info_ratelimited("host memory state %s -> %s (free %llu MiB)\n",
				    mrm_memstate_name(old),
				    mrm_memstate_name(now),
				    st->free_pages >> (20 - PAGE_SHIFT));
		if (old == MRM_MEMSTATE_HIGH) {
			st->soft_entered = jiffies ?: 1;
		} else if (now == MRM_MEMSTATE_HIGH && st->soft_entered) {
			st->last_recovery_ms =
				jiffies_to_msecs(jiffies - st->soft_entered);
			st->soft_entered = 0;
		}
	}
	st->avail_pages = consumed + st->free_pages;
	st->avail_pages -= min(st->avail_pages,
			       mrm_loop_memstate.minfree_pages);
}

/*
 * The target as the kernel's own reclaim sees it: memory.low of the VM's
 * cgroup.  Without it, the kernel's reclaim (kswapd, direct reclaim) takes
 * cold pages from any VM at allocation speed and the targets matter only
 * when the loop reclaims; with it, a VM at or below its target is left
 * alone while another VM is above its own: ESX's rule, applied by the
 * kernel.  @pages is the target plus the process's own memory; U64_MAX
 * hands memory.low back to the administrator.
 */
static void mrm_loop_protect(struct mrm_vm *vm, u64 pages)
{
	struct mrm_vm_policy *pol = vm->policy;
	u64 bytes = pages == U64_MAX ? U64_MAX : pages << PAGE_SHIFT;
	int err;

	if (!pol->has_cgroup || (pages == U64_MAX && !pol->protected))
		return;
	err = mrm_loop_set_low(vm, bytes);
	if (err) {
		pr_warn_ratelimited("VM %u: cannot set memory.low: %d\n",
				    vm->id, err);
		return;
	}
	pol->protected = pages != U64_MAX;
}

/*
 * Hold a VM that is above its target while memory is short: its cgroup's
 * memory.high follows its usage (memory.current) down, never up, and
 * never below @floor_bytes (its target plus the process's own memory).
 * The kernel then reclaims what the VM allocates beyond it from the VM
 * itself, at allocation speed, instead of from whichever VM has the
 * coldest pages; the loop's reclaim brings it down to the floor.  The
 * limit is only ever set at or above the usage, so the write itself
 * reclaims next to nothing while mrm_loop_lock is held.  @hold false
 * hands memory.high back to the administrator.
 */
static void mrm_loop_block(struct mrm_vm *vm, bool hold, u64 floor_bytes)
{
	struct mrm_vm_policy *pol = vm->policy;
	u64 now, limit;
	int err;

	if (hold) {
		err = mrm_loop_current(vm, &now);
		if (err)
			goto fail;
		limit = max(now, floor_bytes);
		if (pol->blocked) {
			limit = min(limit, pol->block_limit_pages << PAGE_SHIFT);
			if ((pol->block_limit_pages << PAGE_SHIFT) - limit <
			    ((u64)MRM_LOOP_BALLOON_DEADBAND_PAGES << PAGE_SHIFT))
				return;
		}
		err = mrm_loop_set_high(vm, limit);
		if (err)
			goto fail;
		if (!pol->blocked)
			trace_mrm_reclaim(vm->id, MRM_ACT_BLOCK,
					  limit >> PAGE_SHIFT);
		pol->blocked = true;
		pol->block_limit_pages = limit >> PAGE_SHIFT;
		return;
	}
	if (!pol->blocked)
		return;
	err = mrm_loop_set_high(vm, U64_MAX);
	if (err)
		goto fail;
	pol->blocked = false;
	trace_mrm_reclaim(vm->id, 0, 0);
	return;
fail:
	pr_warn_ratelimited("VM %u: cannot %s it: %d\n", vm->id,
			    hold ? "hold" : "release", err);
}

/* Step 7 for one VM. */
static void mrm_loop_apply_vm(struct mrm_vm *vm,
			      const struct mrm_plan_vm *plan,
			      const struct mrm_plan_action *act)
{
	u64 old = READ_ONCE(vm->ep->balloon.target_pages);
	struct mrm_vm_policy *pol = vm->policy;
	u64 overhead, floor;
	bool hold;
	int err;

	/*
	 * A change below the dead band is jitter of the measurements.  A
	 * balloon is grown again only once the guest has reached the last
	 * target: the planner grows it by what the VM still consumes above
	 * its target, and until the guest has inflated, that excess is the
	 * one it asked for already.
	 */
	if (plan->has_balloon && act->balloon_target_pages != old &&
	    (act->balloon_target_pages == 0 ||
	     act->balloon_target_pages >= old + MRM_LOOP_BALLOON_DEADBAND_PAGES ||
	     act->balloon_target_pages + MRM_LOOP_BALLOON_DEADBAND_PAGES <= old) &&
	    (act->balloon_target_pages < old ||
	     plan->balloon_pages + MRM_LOOP_BALLOON_DEADBAND_PAGES >= old)) {
		mrm_vm_endpoint_set_target(vm->ep, act->balloon_target_pages);
		pol->balloon_target_pages = act->balloon_target_pages;
		trace_mrm_reclaim(vm->id, MRM_ACT_BALLOON,
				  act->balloon_target_pages);
	}
	if (plan->has_cgroup && (act->reclaim_pages || pol->reclaiming)) {
		/*
		 * Also cancels what is left of the loop's own request when
		 * nothing is to be taken; an operator's request through the
		 * VM's reclaim file is left alone otherwise.
		 */
		err = mrm_loop_reclaim(vm, act->reclaim_pages << PAGE_SHIFT);
		pol->reclaiming = act->reclaim_pages != 0;
		if (err && act->reclaim_pages) {
			pr_warn_ratelimited("VM %u: reclaim of %llu pages failed: %d\n",
					    vm->id, act->reclaim_pages, err);
		} else if (act->reclaim_pages) {
			pol->reclaim_requested_pages += act->reclaim_pages;
			trace_mrm_reclaim(vm->id, MRM_ACT_SWAP,
					  act->reclaim_pages);
		}
	}
	overhead = pol->consumed_pages - plan->consumed_pages;
	floor = max(pol->target_pages, plan->min_pages);
	mrm_loop_protect(vm, pol->target_pages + overhead);
	/*
	 * Held while memory is short and the VM is above its floor; a VM
	 * already held stays held until it is a dead band below it, or the
	 * host is back in high.
	 */
	hold = mrm_loop_memstate.state != MRM_MEMSTATE_HIGH &&
	       plan->consumed_pages + (pol->blocked ?
				       MRM_LOOP_BALLOON_DEADBAND_PAGES : 0) >
	       floor;
	mrm_loop_block(vm, plan->has_cgroup && (hold || act->block),
		       (floor + overhead) << PAGE_SHIFT);
}

static void mrm_loop_account(struct mrm_loop_run *run)
{
	struct mrm_loop_status *st = &mrm_loop_status;
	size_t i;

	st->vms = run->n;
	st->mapped_pages = 0;
	st->consumed_pages = 0;
	st->shared_pages = 0;
	st->ballooned_pages = 0;
	st->compressed_pages = 0;
	st->swapped_pages = 0;
	st->target_pages = 0;
	for (i = 0; i < run->n; i++) {
		const struct mrm_vm_policy *pol = run->vm[i]->policy;

		st->mapped_pages += pol->mapped_pages;
		st->consumed_pages += pol->consumed_pages;
		st->shared_pages += pol->shared_pages;
		st->ballooned_pages += run->plan[i].balloon_pages;
		st->compressed_pages += pol->compressed_pages;
		st->swapped_pages += pol->swapped_pages;
		st->target_pages += pol->target_pages;
	}
}

/* One run; called with mrm_loop_lock held. */
static void mrm_loop_run_once(struct mrm_loop_run *run)
{
	enum mrm_memstate state;
	size_t i, kept = 0;
	int err;

	/* VMs whose teardown began since step 1 are left out altogether. */
	for (i = 0; i < run->n; i++) {
		if (run->vm[i]->policy->detached)
			mrm_vm_put(run->vm[i]);
		else
			run->vm[kept++] = run->vm[i];
	}
	run->n = kept;

	for (i = 0; i < run->n; i++)
		mrm_loop_sense_vm(run->vm[i], &run->plan[i], &run->alloc[i]);
	mrm_loop_sense_host(run);
	state = mrm_loop_memstate.state;

	err = mrm_alloc_targets(&mrm_loop_config.alloc, run->alloc, run->n,
				mrm_loop_status.avail_pages, run->targets);
	if (err && err != -ENOSPC) {
		pr_warn_ratelimited("targets: error %d; nothing done\n", err);
		return;
	}
	for (i = 0; i < run->n; i++) {
		struct mrm_vm_policy *pol = run->vm[i]->policy;

		if (run->targets[i] != pol->target_pages)
			trace_mrm_target(run->vm[i]->id, run->targets[i],
					 pol->consumed_pages, pol->active_frac);
		pol->target_pages = run->targets[i];
		run->plan[i].target_pages = run->targets[i];
	}
	err = mrm_plan(&mrm_loop_config.plan, state, run->plan, run->n,
		       run->act);
	if (err) {
		pr_warn_ratelimited("plan: error %d; nothing done\n", err);
		return;
	}
	for (i = 0; i < run->n; i++) {
		struct mrm_vm_policy *pol = run->vm[i]->policy;

		pol->actions = run->act[i].actions;
		pol->shortfall_pages = run->act[i].shortfall_pages;
		if (mrm_loop_config.enabled) {
			mrm_loop_apply_vm(run->vm[i], &run->plan[i],
					  &run->act[i]);
		} else {
			mrm_loop_block(run->vm[i], false, 0);
			mrm_loop_protect(run->vm[i], U64_MAX);
			if (run->vm[i]->policy->reclaiming) {
				mrm_loop_reclaim(run->vm[i], 0);
				run->vm[i]->policy->reclaiming = false;
			}
		}
	}
	mrm_loop_account(run);
}

static void mrm_loop_work_fn(struct work_struct *work)
{
	struct mrm_loop_run run = {};
	unsigned long delay;
	u32 period;
	int err;

	err = mrm_loop_collect(&run);
	mutex_lock(&mrm_loop_lock);
	if (err)
		pr_warn_ratelimited("run skipped: %d\n", err);
	else
		mrm_loop_run_once(&run);
	mrm_loop_status.runs++;
	period = mrm_loop_config.period_ms;
	if (mrm_loop_memstate.state != MRM_MEMSTATE_HIGH)
		period = max(period / MRM_LOOP_FAST_DIVISOR,
			     MRM_LOOP_PERIOD_MS_MIN);
	delay = msecs_to_jiffies(period);
	spin_lock(&mrm_loop_queue_lock);
	if (!mrm_loop_stopping)
		queue_delayed_work(system_unbound_wq, &mrm_loop_work, delay);
	spin_unlock(&mrm_loop_queue_lock);
	mutex_unlock(&mrm_loop_lock);
	mrm_loop_run_free(&run);
}

/**
 * mrm_loop_kick() - run the loop now (after a knob changed)
 */
void mrm_loop_kick(void)
{
	spin_lock(&mrm_loop_queue_lock);
	if (!mrm_loop_stopping)
		mod_delayed_work(system_unbound_wq, &mrm_loop_work, 0);
	spin_unlock(&mrm_loop_queue_lock);
}

/**
 * mrm_loop_enabled() - whether the loop sets balloon targets itself
 *
 * Return: true while the policy is enabled (the operator's
 * balloon_target is then refused).
 */
bool mrm_loop_enabled(void)
{
	return READ_ONCE(mrm_loop_config.enabled);
}

/**
 * mrm_loop_set_config() - replace the global knobs
 * @cfg: the new knobs
 *
 * Called with mrm_loop_lock held, so that a read-modify-write of one knob
 * by sysfs is atomic.  Validated as a whole, thresholds included (on a
 * small host a threshold can round to nothing): on error nothing
 * changes.  The state itself moves at the next run; call mrm_loop_kick()
 * after dropping the lock.
 *
 * Return: 0, or the error of the first check that fails (-EINVAL,
 * -ERANGE).
 */
int mrm_loop_set_config(const struct mrm_loop_config *cfg)
{
	struct mrm_memstate_machine ms = mrm_loop_memstate;
	int err;

	lockdep_assert_held(&mrm_loop_lock);
	if (cfg->period_ms < MRM_LOOP_PERIOD_MS_MIN ||
	    cfg->period_ms > MRM_LOOP_PERIOD_MS_MAX ||
	    cfg->pressure_hold_ms > MRM_LOOP_PRESSURE_HOLD_MS_MAX)
		return -ERANGE;
	err = mrm_alloc_config_check(&cfg->alloc);
	if (!err)
		err = mrm_memstate_config_check(&cfg->memstate);
	if (!err)
		err = mrm_plan_config_check(&cfg->plan);
	if (!err)
		err = mrm_memstate_configure(&ms, &cfg->memstate,
					     totalram_pages());
	if (err)
		return err;
	mrm_loop_config = *cfg;
	mrm_loop_memstate = ms;
	return 0;
}

/**
 * mrm_loop_set_vm_min() - change a VM's guaranteed memory, with admission
 * @vm: the VM (referenced by the caller)
 * @min_bytes: the new min, at most the VM's size
 *
 * Admission control: the new min is refused if the mins of all VMs could
 * then not be guaranteed at once from the memory for VMs of the last run.
 *
 * Return: 0; -ERANGE if above the VM's size or its max; -ENOSPC if it
 * cannot be guaranteed.
 */
int mrm_loop_set_vm_min(struct mrm_vm *vm, u64 min_bytes)
{
	u64 others = 0, pages = min_bytes >> PAGE_SHIFT;
	struct mrm_vm *other;
	unsigned long id;
	int err = 0;

	if (min_bytes > mrm_vm_memory_bytes(vm))
		return -ERANGE;
	mutex_lock(&mrm_loop_lock);
	if (vm->policy->max_bytes && min_bytes > vm->policy->max_bytes) {
		mutex_unlock(&mrm_loop_lock);
		return -ERANGE;
	}
	for (id = 0; (other = mrm_vm_get_next(&id)); id++) {
		if (other != vm)
			others += other->policy->min_bytes >> PAGE_SHIFT;
		mrm_vm_put(other);
	}
	if (others + pages > mrm_loop_status.avail_pages &&
	    pages > vm->policy->min_bytes >> PAGE_SHIFT)
		err = -ENOSPC;
	else
		vm->policy->min_bytes = min_bytes;
	mutex_unlock(&mrm_loop_lock);
	if (!err)
		mrm_loop_kick();
	return err;
}

static int mrm_vm_policy_attach(struct mrm_vm *vm)
{
	struct mrm_vm_policy *pol;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	pol->shares = MRM_LOOP_SHARES_DEFAULT;
	pol->tax_pct = MRM_ALLOC_TAX_INHERIT;
	vm->policy = pol;
	mrm_loop_kick();
	return 0;
}

static void mrm_vm_policy_detach(struct mrm_vm *vm)
{
	/*
	 * A run may still hold a reference (the teardown waits for it
	 * later), but it acts on the VM only under mrm_loop_lock and only
	 * while @detached is false.  The cgroup's ->detach runs after this
	 * one (the hook table lists policy after it) and finds no block.
	 */
	mutex_lock(&mrm_loop_lock);
	mrm_loop_block(vm, false, 0);
	mrm_loop_protect(vm, U64_MAX);
	vm->policy->detached = true;
	mutex_unlock(&mrm_loop_lock);
}

static void mrm_vm_policy_free(struct mrm_vm *vm)
{
	kfree(vm->policy);
	vm->policy = NULL;
}

const struct mrm_vm_hooks mrm_vm_policy_hooks = {
	.name = "policy",
	.attach = mrm_vm_policy_attach,
	.detach = mrm_vm_policy_detach,
	.free = mrm_vm_policy_free,
};

/**
 * mrm_loop_start() - set the defaults and start the loop
 *
 * Return: 0, or the error of the state machine's setup.
 */
int mrm_loop_start(void)
{
	int err;

	mrm_loop_config.enabled = true;
	mrm_loop_config.period_ms = MRM_LOOP_PERIOD_MS_DEFAULT;
	mrm_loop_config.pressure_hold_ms = MRM_LOOP_PRESSURE_HOLD_MS_DEFAULT;
	mrm_alloc_config_default(&mrm_loop_config.alloc);
	mrm_memstate_config_default(&mrm_loop_config.memstate);
	mrm_plan_config_default(&mrm_loop_config.plan);
	err = mrm_memstate_init(&mrm_loop_memstate, &mrm_loop_config.memstate,
				totalram_pages());
	if (err)
		return err;
	spin_lock(&mrm_loop_queue_lock);
	mrm_loop_stopping = false;
	queue_delayed_work(system_unbound_wq, &mrm_loop_work, 0);
	spin_unlock(&mrm_loop_queue_lock);
	return 0;
}

/**
 * mrm_loop_stop() - stop the loop (module unload)
 *
 * Waits for a running pass.  VMs are detached after this, and their
 * ->detach hook releases any block.
 */
void mrm_loop_stop(void)
{
	spin_lock(&mrm_loop_queue_lock);
	mrm_loop_stopping = true;
	spin_unlock(&mrm_loop_queue_lock);
	cancel_delayed_work_sync(&mrm_loop_work);
}
