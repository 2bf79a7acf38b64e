// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario "overcommit": seed 004's microbenchmarks (a), (b) and (c) in
 * model form.  Two 24 GB VMs on a 32 GB host with 28 GB available to VMs;
 * sharing, ballooning and compression off (no balloon; the cgroup's
 * reclaim stands for swap), so only swapping reclaims, as in the paper.
 * Each guest boots (touches its OS memory once), maps its workload by
 * writing it sequentially, then reads its active part round robin:
 *
 *	(a) maps 12 GB (13 GB with the OS), keeps all of it active
 *	(b) maps 15 GB (16 GB), keeps a 1.875 GB block active
 *	(c) maps 15 GB (16 GB), keeps all of it active
 *
 * Each tick the real memstate, alloc and planner code decide; the host
 * swaps out LRU chunks when told to; a read of a swapped chunk is a
 * page fault (swap-in) and is counted as it happens.
 */
#include <stdlib.h>

#include "mrmsim.h"
#include "host.h"

#define OC_CASES 3
#define OC_VMS 2
#define OC_PER_CASE 5
#define OC_COLUMNS (1 + OC_PER_CASE * OC_CASES)
#define OC_US_PER_S 1000000ULL

static const char *const oc_columns[OC_COLUMNS] = {
	"t",
	"a_mapped", "a_consumed1", "a_consumed2", "a_swapin1", "a_swapin2",
	"b_mapped", "b_consumed1", "b_consumed2", "b_swapin1", "b_swapin2",
	"c_mapped", "c_consumed1", "c_consumed2", "c_swapin1", "c_swapin2",
};

struct oc_workload {
	u32 os;		/* chunks touched at boot */
	u32 map;	/* workload chunks written after boot */
	u32 active;	/* workload chunks read round robin afterwards */
	u32 pos;	/* next chunk */
};

struct oc_series {
	s64 mapped;		/* VM 1 */
	s64 consumed[OC_VMS];
	s64 swapin[OC_VMS];	/* cumulative */
};

struct oc_case {
	const char *name;
	u64 map_mb;
	u64 active_mb;
	u64 reclaimed;	/* chunks, both VMs */
	u64 faulted;
	u64 faulted_late;
	u64 reclaimed_late;
	u64 mapped;
	u64 faulting_late;	/* VMs that faulted in the last third */
	struct oc_series *series;	/* per tick */
};

static u32 oc_next(struct oc_workload *w)
{
	if (w->pos < w->os + w->map)
		return w->pos;
	return w->os + (w->pos - w->os - w->map) % w->active;
}

static void oc_run_guest(struct host_sim *h, int v, struct oc_workload *w)
{
	while (host_access(h, v, oc_next(w)))
		w->pos++;
}

static u64 oc_faults(const struct host_sim *h)
{
	u64 sum = 0;
	int v;

	for (v = 0; v < h->n; v++)
		sum += h->vm[v].host_faults;
	return sum;
}

static u64 oc_reclaimed(const struct host_sim *h)
{
	u64 sum = 0;
	int v;

	for (v = 0; v < h->n; v++)
		sum += h->vm[v].host_reclaimed;
	return sum;
}

static int oc_run_case(struct oc_case *c, const struct host_config *cfg,
		       const struct host_vm_config *vms, u64 chunk_mb,
		       u64 os_mb, u64 ticks, u64 seed)
{
	struct oc_workload w[OC_VMS];
	u64 t, late = ticks - ticks / 3, f0 = 0, r0 = 0, vf0[OC_VMS] = { 0 };
	struct host_sim h;
	int v, err;

	err = host_init(&h, cfg, vms, OC_VMS, seed);
	if (err)
		return err;
	for (v = 0; v < OC_VMS; v++) {
		w[v].os = os_mb / chunk_mb;
		w[v].map = c->map_mb / chunk_mb;
		w[v].active = c->active_mb / chunk_mb;
		w[v].pos = 0;
		if (!w[v].active || w[v].os + w[v].map > vms[v].size_chunks) {
			host_free_all(&h);
			return -EINVAL;
		}
	}
	for (t = 0; t < ticks; t++) {
		if (t == late) {
			f0 = oc_faults(&h);
			r0 = oc_reclaimed(&h);
			for (v = 0; v < OC_VMS; v++)
				vf0[v] = h.vm[v].host_faults;
		}
		for (v = 0; v < OC_VMS; v++)
			oc_run_guest(&h, v, &w[v]);
		host_tick(&h);
		c->series[t].mapped = h.vm[0].mapped * chunk_mb;
		for (v = 0; v < OC_VMS; v++) {
			c->series[t].consumed[v] = h.vm[v].resident * chunk_mb;
			c->series[t].swapin[v] = h.vm[v].host_faults * chunk_mb;
		}
	}
	c->faulted = oc_faults(&h);
	c->reclaimed = oc_reclaimed(&h);
	c->faulted_late = c->faulted - f0;
	c->reclaimed_late = c->reclaimed - r0;
	c->mapped = 0;
	c->faulting_late = 0;
	for (v = 0; v < OC_VMS; v++) {
		c->mapped += h.vm[v].mapped;
		c->faulting_late += h.vm[v].host_faults > vf0[v];
	}
	host_free_all(&h);
	return 0;
}

static void oc_report(struct sim_out *out, const struct oc_case *c,
		      u64 chunk_mb)
{
	static const char *const what[] = {
		"mapped_mb", "reclaimed_mb", "faulted_mb", "reclaimed_late_mb",
		"faulted_late_mb",
	};
	const u64 val[] = {
		c->mapped, c->reclaimed, c->faulted, c->reclaimed_late,
		c->faulted_late,
	};
	char key[SIM_MAX_TEXT];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(what); i++) {
		snprintf(key, sizeof(key), "%s_%s", c->name, what[i]);
		sim_result_int(out, key, val[i] * chunk_mb);
	}
	snprintf(key, sizeof(key), "%s_faulting_vms_late", c->name);
	sim_result_int(out, key, c->faulting_late);
}

static void oc_csv(struct sim_out *out, const struct oc_case *cases,
		   u64 ticks)
{
	const struct oc_series *p;
	s64 row[OC_COLUMNS], *col;
	u64 t;
	int i, v;

	sim_csv_header(out, oc_columns, OC_COLUMNS);
	for (t = 0; t < ticks; t++) {
		row[0] = (s64)t * SIM_MICRO;
		for (i = 0; i < OC_CASES; i++) {
			p = &cases[i].series[t];
			col = &row[1 + OC_PER_CASE * i];
			col[0] = p->mapped * SIM_MICRO;
			for (v = 0; v < OC_VMS; v++) {
				col[1 + v] = p->consumed[v] * SIM_MICRO;
				col[1 + OC_VMS + v] = p->swapin[v] * SIM_MICRO;
			}
		}
		sim_csv_row(out, row, OC_COLUMNS);
	}
}

/**
 * sc_overcommit() - run the "overcommit" scenario
 * @scn: scenario settings
 * @out: results and CSV
 *
 * Return: 0, or a negative errno if the scenario could not run.
 */
int sc_overcommit(struct scn *scn, struct sim_out *out)
{
	struct oc_case cases[OC_CASES] = {
		{ .name = "a", .map_mb = 12288, .active_mb = 12288 },
		{ .name = "b", .map_mb = 15360, .active_mb = 1920 },
		{ .name = "c", .map_mb = 15360, .active_mb = 15360 },
	};
	struct host_vm_config vms[OC_VMS];
	u64 chunk_mb, host_mb, vm_mb, os_mb, ticks, seed;
	char key[SIM_MAX_TEXT];
	struct host_config cfg;
	int i, v, err = 0;

	host_config_default(&cfg);
	seed = scn_u64(scn, "seed", 1, 0, U64_MAX);
	chunk_mb = scn_u64(scn, "chunk_mb", 4, 1, 1024);
	host_mb = scn_u64(scn, "host_mb", 32768, 64, 1U << 24);
	cfg.overhead_chunks = scn_u64(scn, "overhead_mb", 2130, 0, host_mb) /
			      chunk_mb;
	vm_mb = scn_u64(scn, "vm_mb", 24576, chunk_mb, 1U << 24);
	os_mb = scn_u64(scn, "os_mb", 1024, 0, vm_mb);
	ticks = scn_u64(scn, "seconds", 900, 3, 100000);
	cfg.cost.map_us = chunk_mb * OC_US_PER_S /
			  scn_u64(scn, "write_mb_per_s", 1024, 1, 1U << 20);
	cfg.cost.hit_us = chunk_mb * OC_US_PER_S /
			  scn_u64(scn, "read_mb_per_s", 4096, 1, 1U << 20);
	cfg.cost.host_fault_us = chunk_mb * OC_US_PER_S /
				 scn_u64(scn, "swapin_mb_per_s", 100, 1,
					 1U << 20);
	cfg.cost.guest_fault_us = cfg.cost.host_fault_us;
	cfg.reclaim_step = scn_u64(scn, "swapout_mb_per_s", 400, 1, 1U << 20) /
			   chunk_mb;
	for (i = 0; i < OC_CASES; i++) {
		snprintf(key, sizeof(key), "%s_map_mb", cases[i].name);
		cases[i].map_mb = scn_u64(scn, key, cases[i].map_mb, 0, vm_mb);
		snprintf(key, sizeof(key), "%s_active_mb", cases[i].name);
		cases[i].active_mb = scn_u64(scn, key, cases[i].active_mb,
					     chunk_mb, vm_mb);
	}
	if (scn->errors)
		return -EINVAL;
	cfg.chunk_pages = chunk_mb * 256;
	cfg.host_chunks = host_mb / chunk_mb;
	for (v = 0; v < OC_VMS; v++) {
		vms[v].size_chunks = vm_mb / chunk_mb;
		vms[v].min_chunks = 0;
		vms[v].shares = vm_mb * 10;	/* ESX's normal: 10 per MB */
		vms[v].has_balloon = false;
		vms[v].has_cgroup = true;
	}

	for (i = 0; i < OC_CASES && !err; i++) {
		cases[i].series = calloc(ticks, sizeof(struct oc_series));
		if (!cases[i].series)
			err = -ENOMEM;
		if (!err)
			err = oc_run_case(&cases[i], &cfg, vms, chunk_mb, os_mb,
					  ticks, seed);
		if (!err)
			oc_report(out, &cases[i], chunk_mb);
	}
	if (!err)
		oc_csv(out, cases, ticks);
	for (i = 0; i < OC_CASES; i++)
		free(cases[i].series);
	if (err)
		fprintf(stderr, "mrmsim: %s: cannot run: %d\n", scn->path, err);
	return err;
}
