// SPDX-License-Identifier: GPL-2.0
/*
 * The host loop of mrmsim, shaped like the one mrm_host.ko runs:
 *
 *  1. guests run (the scenario calls host_access() for each access until
 *     a VM's time for the tick is spent or it stalls);
 *  2. the sampler reports sampled chunks found accessed; every period it
 *     closes the period and draws new samples (wss.c);
 *  3. free memory gives the state (memstate.c); memory available to VMs
 *     (host memory less host overhead and minfree) and each VM's shares,
 *     size, consumption and estimate give the targets (alloc.c); state,
 *     targets and consumption give the plans (planner.c);
 *  4. the plans are applied, rate-limited: balloons move, the host swaps
 *     out LRU chunks, VMs are blocked or unblocked.
 */
#include <stdio.h>
#include <stdlib.h>

#include "host.h"

/**
 * host_config_default() - policy defaults and a neutral host
 * @cfg: configuration to fill; sizes and costs are the scenario's to set
 */
void host_config_default(struct host_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->chunk_pages = 1;
	cfg->period_ticks = MRM_WSS_PERIOD_MS_DEFAULT / (HOST_TICK_US / 1000);
	mrm_alloc_config_default(&cfg->alloc);
	mrm_memstate_config_default(&cfg->memstate);
	mrm_plan_config_default(&cfg->plan);
	mrm_wss_config_default(&cfg->wss);
}

static void host_arm_samples(struct host_sim *h, int v)
{
	u32 i, n = h->cfg.wss.samples;

	for (i = 0; i < n; i++) {
		h->samples[v][i] = mrm_prng_below(&h->rng, h->vm[v].chunks);
		h->reported[v][i] = false;
	}
	for (i = 0; i < n; i++)
		h->vm[v].accessed[h->samples[v][i]] = 0;
}

/**
 * host_init() - set up a host with @n VMs, nothing touched yet
 * @h: host
 * @cfg: configuration
 * @vms: the VMs
 * @n: number of VMs, 1..HOST_MAX_VMS
 * @seed: seed of the sampler's PRNG
 *
 * Return: 0, or a negative errno (invalid knobs, no memory).
 */
int host_init(struct host_sim *h, const struct host_config *cfg,
	      const struct host_vm_config *vms, int n, u64 seed)
{
	int v, err;

	memset(h, 0, sizeof(*h));
	if (n < 1 || n > HOST_MAX_VMS || !cfg->chunk_pages ||
	    !cfg->period_ticks || cfg->overhead_chunks >= cfg->host_chunks)
		return -EINVAL;
	h->cfg = *cfg;
	h->n = n;
	mrm_prng_seed(&h->rng, seed);
	err = mrm_memstate_init(&h->ms, &cfg->memstate,
				cfg->host_chunks * cfg->chunk_pages);
	if (err)
		return err;
	err = mrm_alloc_config_check(&cfg->alloc);
	if (!err)
		err = mrm_plan_config_check(&cfg->plan);
	if (err)
		return err;
	h->host_free = cfg->host_chunks - cfg->overhead_chunks;
	for (v = 0; v < n; v++) {
		h->vmcfg[v] = vms[v];
		err = vm_init(&h->vm[v], vms[v].size_chunks);
		if (!err)
			err = mrm_wss_init(&h->wss[v], &cfg->wss);
		if (err)
			goto fail;
		h->samples[v] = calloc(cfg->wss.samples, sizeof(u32));
		h->reported[v] = calloc(cfg->wss.samples, sizeof(bool));
		if (!h->samples[v] || !h->reported[v]) {
			err = -ENOMEM;
			goto fail;
		}
		host_arm_samples(h, v);
		h->budget_us[v] = HOST_TICK_US;
	}
	return 0;
fail:
	host_free_all(h);
	return err;
}

/**
 * host_free_all() - release everything host_init() allocated
 * @h: host
 */
void host_free_all(struct host_sim *h)
{
	int v;

	for (v = 0; v < HOST_MAX_VMS; v++) {
		vm_free(&h->vm[v]);
		free(h->samples[v]);
		free(h->reported[v]);
		h->samples[v] = NULL;
		h->reported[v] = NULL;
	}
}

/**
 * host_access() - VM @v accesses @chunk, if it has time left this tick
 * @h: host
 * @v: VM
 * @chunk: chunk number
 *
 * Return: true if the access happened; false if the VM's time for this
 * tick is spent or the access stalled (the rest of the tick is lost).
 */
bool host_access(struct host_sim *h, int v, u32 chunk)
{
	const struct host_cost *c = &h->cfg.cost;

	if (h->budget_us[v] <= 0)
		return false;
	switch (vm_touch(&h->vm[v], chunk, &h->host_free)) {
	case VM_TOUCH_HIT:
		h->budget_us[v] -= c->hit_us;
		return true;
	case VM_TOUCH_MAP:
		h->budget_us[v] -= c->map_us;
		return true;
	case VM_TOUCH_HOST_FAULT:
		h->budget_us[v] -= c->host_fault_us;
		return true;
	case VM_TOUCH_GUEST_FAULT:
		h->budget_us[v] -= c->guest_fault_us;
		return true;
	default:
		h->budget_us[v] = 0;
		return false;
	}
}

/**
 * host_estimate() - VM @v's working-set estimate, Q16.16 of its size
 * @h: host
 * @v: VM
 *
 * Return: the estimator's value.
 */
u32 host_estimate(const struct host_sim *h, int v)
{
	return mrm_wss_estimate(&h->wss[v]);
}

static void host_sample(struct host_sim *h, int v)
{
	u32 i, n = h->cfg.wss.samples;

	for (i = 0; i < n; i++) {
		if (h->reported[v][i] || !h->vm[v].accessed[h->samples[v][i]])
			continue;
		h->reported[v][i] = true;
		mrm_wss_touched(&h->wss[v], 1);
	}
	if ((h->tick + 1) % h->cfg.period_ticks)
		return;
	mrm_wss_period_end(&h->wss[v], n);
	host_arm_samples(h, v);
}

/* The policy step: state, targets, plans. */
static void host_policy(struct host_sim *h)
{
	struct mrm_alloc_vm avm[HOST_MAX_VMS];
	struct mrm_plan_vm pvm[HOST_MAX_VMS];
	u64 cp = h->cfg.chunk_pages, avail, active;
	enum mrm_memstate state;
	int v;

	state = mrm_memstate_update(&h->ms, h->host_free * cp);
	avail = (h->cfg.host_chunks - h->cfg.overhead_chunks) * cp;
	avail -= min_t(u64, avail, h->ms.minfree_pages);
	for (v = 0; v < h->n; v++) {
		/* The sampler measures over all guest memory: A = est * size. */
		active = mrm_frac_of(h->vmcfg[v].size_chunks * cp,
				     host_estimate(h, v));
		avm[v].shares = h->vmcfg[v].shares;
		avm[v].tax_pct = MRM_ALLOC_TAX_INHERIT;
		avm[v].min_pages = h->vmcfg[v].min_chunks * cp;
		avm[v].max_pages = h->vmcfg[v].size_chunks * cp;
		avm[v].alloc_pages = h->vm[v].resident * cp;
		avm[v].active_frac = h->vm[v].resident ?
				     mrm_frac(active, avm[v].alloc_pages) :
				     MRM_FRAC_ONE;

		pvm[v].size_pages = avm[v].max_pages;
		pvm[v].min_pages = avm[v].min_pages;
		pvm[v].consumed_pages = avm[v].alloc_pages;
		pvm[v].balloon_pages = h->vm[v].balloon * cp;
		pvm[v].has_balloon = h->vmcfg[v].has_balloon;
		pvm[v].has_cgroup = h->vmcfg[v].has_cgroup;
		pvm[v].guest_pressure = false;
	}
	/* -ENOSPC still yields targets (every VM at its min). */
	mrm_alloc_targets(&h->cfg.alloc, avm, h->n, avail, h->targets);
	for (v = 0; v < h->n; v++)
		pvm[v].target_pages = h->targets[v];
	if (mrm_plan(&h->cfg.plan, state, pvm, h->n, h->acts)) {
		fprintf(stderr, "mrmsim: planner refused its input\n");
		exit(2);
	}
}

static void host_apply(struct host_sim *h)
{
	u64 cp = h->cfg.chunk_pages, reclaim;
	int v;

	for (v = 0; v < h->n; v++) {
		const struct mrm_plan_action *a = &h->acts[v];

		vm_balloon_step(&h->vm[v], a->balloon_target_pages / cp,
				h->cfg.balloon_step, &h->host_free);
		reclaim = (a->reclaim_pages + cp - 1) / cp;
		vm_host_reclaim(&h->vm[v], min_t(u64, reclaim,
						 h->cfg.reclaim_step),
				&h->host_free);
		h->vm[v].blocked = a->block;
	}
}

/**
 * host_tick() - end the tick: sample, run the policy, apply its plans
 * @h: host
 */
void host_tick(struct host_sim *h)
{
	int v;

	for (v = 0; v < h->n; v++)
		host_sample(h, v);
	host_policy(h);
	host_apply(h);
	for (v = 0; v < h->n; v++)
		h->budget_us[v] = HOST_TICK_US;
	h->tick++;
}
