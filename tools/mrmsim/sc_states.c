// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario "states": the real free-memory state machine (memstate.c) fed
 * a noisy free-memory trace, with the default hysteresis margin and with
 * none.  Free memory falls from well above minfree to below the low
 * threshold, stays there, and recovers, with uniform noise added at every
 * reading (seeded PRNG).  A clean run passes through the four states once
 * down and once up: 6 transitions.
 */
#include <stdlib.h>

#include "mrmsim.h"
#include "../../host/policy/memstate.h"
#include "../../host/policy/tests/prng.h"

#define ST_RUNS 2
#define ST_COLUMNS (2 + ST_RUNS)
#define ST_SEGMENTS 4

static const char *const st_columns[ST_COLUMNS] = {
	"t", "free_pct_of_minfree", "state_margin", "state_no_margin",
};

/* Free memory (percent of minfree) on the trace's noiseless path. */
static u64 st_path(u64 t, u64 ticks, u64 top_pct, u64 bottom_pct)
{
	u64 seg = ticks / ST_SEGMENTS, span = top_pct - bottom_pct;

	if (t < seg)				/* falling */
		return top_pct - span * t / seg;
	if (t < 2 * seg)			/* at the bottom */
		return bottom_pct;
	if (t < 3 * seg)			/* recovering */
		return bottom_pct + span * (t - 2 * seg) / seg;
	return top_pct;
}

/**
 * sc_states() - run the "states" scenario
 * @scn: scenario settings
 * @out: results and CSV
 *
 * Return: 0, or a negative errno if the scenario could not run.
 */
int sc_states(struct scn *scn, struct sim_out *out)
{
	struct mrm_memstate_machine ms[ST_RUNS];
	struct mrm_memstate_config cfg;
	u64 host_pages, ticks, top, bottom, noise, t, base, amp, free_pages;
	struct mrm_prng rng;
	s64 row[ST_COLUMNS];
	int i;

	mrm_prng_seed(&rng, scn_u64(scn, "seed", 1, 0, U64_MAX));
	host_pages = scn_u64(scn, "host_mb", 16384, 16, 1U << 30) * 256;
	ticks = scn_u64(scn, "seconds", 2000, ST_SEGMENTS, 1U << 24);
	top = scn_u64(scn, "top_pct_of_minfree", 150, 1, 10000);
	bottom = scn_u64(scn, "bottom_pct_of_minfree", 8, 0, top);
	noise = scn_u64(scn, "noise_pct_of_minfree", 3, 0, 100);
	if (scn->errors)
		return -EINVAL;

	mrm_memstate_config_default(&cfg);
	for (i = 0; i < ST_RUNS; i++) {
		if (i == 1)
			cfg.margin_pct = 0;
		if (mrm_memstate_init(&ms[i], &cfg, host_pages)) {
			fprintf(stderr, "mrmsim: %s: host too small\n",
				scn->path);
			return -EINVAL;
		}
	}

	sim_csv_header(out, st_columns, ST_COLUMNS);
	for (t = 0; t < ticks; t++) {
		base = ms[0].minfree_pages * st_path(t, ticks, top, bottom) /
		       MRM_PERCENT;
		amp = ms[0].minfree_pages * noise / MRM_PERCENT;
		free_pages = base + mrm_prng_range(&rng, 0, 2 * amp);
		free_pages = free_pages > amp ? free_pages - amp : 0;
		row[0] = (s64)t * SIM_MICRO;
		row[1] = (s64)(free_pages * 100 * SIM_MICRO /
			       ms[0].minfree_pages);
		for (i = 0; i < ST_RUNS; i++)
			row[2 + i] = (s64)mrm_memstate_update(&ms[i],
							      free_pages) *
				     SIM_MICRO;
		sim_csv_row(out, row, ST_COLUMNS);
	}
	sim_result_int(out, "margin_pct", MRM_MEMSTATE_MARGIN_PCT_DEFAULT);
	sim_result_int(out, "noise_pct_of_minfree", noise);
	sim_result_int(out, "transitions_with_hysteresis", ms[0].transitions);
	sim_result_int(out, "transitions_without", ms[1].transitions);
	return 0;
}
