// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario "estimator": a synthetic guest whose active set moves between
 * three sizes (10 % -> 50 % -> 20 % by default), watched by the real
 * working-set estimator (host/policy/wss.c) through real random sampling.
 *
 * The guest has vm_pages pages, each with an accessed bit.  Each period
 * the sampler picks n pages uniformly at random (seeded PRNG) and clears
 * their bits; the guest touches every page of its active set once, spread
 * over steps_per_period steps; after each step the sampler reports the
 * sampled pages it finds accessed (as the host module polls test_young),
 * and at the end of the period it closes the period.  The estimator never
 * sees the true fraction.
 *
 * Two samplers watch the same guest: one with the scenario's n and one
 * with the default n (100), so the cost of a small sample shows.
 */
#include <stdlib.h>

#include "mrmsim.h"
#include "../../host/policy/wss.h"
#include "../../host/policy/tests/prng.h"

#define EST_PHASES 3
/* Periods after a change before errors count (the key's "3"). */
#define EST_SETTLE_PERIODS 3

static const char *const est_columns[] = {
	"period", "true", "estimate", "slow", "fast", "estimate_n100",
};

struct est_sampler {
	struct mrm_wss wss;
	u32 *pages;	/* sampled page numbers */
	bool *seen;	/* already reported touched this period */
	u32 n;
	s64 max_err;	/* micro, over periods >= settle after a change */
	u32 reached[EST_PHASES];	/* periods to get within tolerance */
};

struct est_guest {
	u32 pages;
	u8 *accessed;
};

static s64 frac_to_micro(u32 frac)
{
	return (s64)frac * SIM_MICRO / MRM_FRAC_ONE;
}

static int est_sampler_init(struct est_sampler *s, const struct scn *scn,
			    u32 n, u32 slow_pm, u32 fast_pm)
{
	struct mrm_wss_config cfg;

	mrm_wss_config_default(&cfg);
	cfg.samples = n;
	cfg.slow_gain_pm = slow_pm;
	cfg.fast_gain_pm = fast_pm;
	if (mrm_wss_init(&s->wss, &cfg)) {
		fprintf(stderr, "mrmsim: %s: invalid estimator settings\n",
			scn->path);
		return -EINVAL;
	}
	s->n = n;
	s->pages = calloc(n, sizeof(*s->pages));
	s->seen = calloc(n, sizeof(*s->seen));
	s->max_err = 0;
	memset(s->reached, 0, sizeof(s->reached));
	return s->pages && s->seen ? 0 : -ENOMEM;
}

static void est_sampler_free(struct est_sampler *s)
{
	free(s->pages);
	free(s->seen);
}

/* Pick this period's samples and clear their accessed bits. */
static void est_sampler_arm(struct est_sampler *s, struct est_guest *g,
			    struct mrm_prng *rng)
{
	u32 i;

	for (i = 0; i < s->n; i++) {
		s->pages[i] = mrm_prng_below(rng, g->pages);
		s->seen[i] = false;
	}
	for (i = 0; i < s->n; i++)
		g->accessed[s->pages[i]] = 0;
}

/* Report samples found accessed since the last poll. */
static void est_sampler_poll(struct est_sampler *s, const struct est_guest *g)
{
	u32 i;

	for (i = 0; i < s->n; i++) {
		if (s->seen[i] || !g->accessed[s->pages[i]])
			continue;
		s->seen[i] = true;
		mrm_wss_touched(&s->wss, 1);
	}
}

/* Close the period and score it against the true fraction. */
static void est_sampler_close(struct est_sampler *s, int phase, u32 in_phase,
			      s64 tol, s64 truth)
{
	s64 err;

	mrm_wss_period_end(&s->wss, s->n);
	err = frac_to_micro(mrm_wss_estimate(&s->wss)) - truth;
	if (err < 0)
		err = -err;
	if (in_phase >= EST_SETTLE_PERIODS && err > s->max_err)
		s->max_err = err;
	if (!s->reached[phase] && err <= tol)
		s->reached[phase] = in_phase;
}

/* Run the three phases, writing one CSV row per step. */
static void est_run(struct sim_out *out, struct est_guest *guest,
		    struct est_sampler *main_s, struct est_sampler *dflt_s,
		    const u32 *pct, u32 periods, u32 steps, s64 tol,
		    struct mrm_prng *rng)
{
	u32 active, step, p, from, to;
	s64 truth, row[ARRAY_SIZE(est_columns)];
	int phase;

	sim_csv_header(out, est_columns, ARRAY_SIZE(est_columns));
	for (phase = 0; phase < EST_PHASES; phase++) {
		active = (u64)guest->pages * pct[phase] / 100;
		truth = (s64)active * SIM_MICRO / guest->pages;
		for (p = 1; p <= periods; p++) {
			est_sampler_arm(main_s, guest, rng);
			est_sampler_arm(dflt_s, guest, rng);
			for (step = 0; step < steps; step++) {
				from = (u64)active * step / steps;
				to = (u64)active * (step + 1) / steps;
				for (; from < to; from++)
					guest->accessed[from] = 1;
				est_sampler_poll(main_s, guest);
				est_sampler_poll(dflt_s, guest);
				if (step + 1 == steps) {
					est_sampler_close(main_s, phase, p,
							  tol, truth);
					est_sampler_close(dflt_s, phase, p,
							  tol, truth);
				}
				row[0] = ((s64)(phase * periods + p - 1) * steps +
					  step + 1) * SIM_MICRO / steps;
				row[1] = truth;
				row[2] = frac_to_micro(mrm_wss_estimate(&main_s->wss));
				row[3] = frac_to_micro(main_s->wss.slow);
				row[4] = frac_to_micro(main_s->wss.fast);
				row[5] = frac_to_micro(mrm_wss_estimate(&dflt_s->wss));
				sim_csv_row(out, row, ARRAY_SIZE(row));
			}
		}
	}
}

/**
 * sc_estimator() - run the "estimator" scenario
 * @scn: scenario settings
 * @out: results and CSV
 *
 * Return: 0, or a negative errno if the scenario could not run.
 */
int sc_estimator(struct scn *scn, struct sim_out *out)
{
	struct est_sampler main_s = { 0 }, dflt_s = { 0 };
	u32 pct[EST_PHASES], periods, steps, slow_pm, fast_pm, samples;
	struct est_guest guest;
	struct mrm_prng rng;
	s64 tol;
	int err;

	mrm_prng_seed(&rng, scn_u64(scn, "seed", 1, 0, U64_MAX));
	guest.pages = scn_u64(scn, "vm_pages", 262144, 1000, 1U << 28);
	pct[0] = scn_u64(scn, "phase1_pct", 10, 0, 100);
	pct[1] = scn_u64(scn, "phase2_pct", 50, 0, 100);
	pct[2] = scn_u64(scn, "phase3_pct", 20, 0, 100);
	periods = scn_u64(scn, "phase_periods", 20, 4, 1000);
	steps = scn_u64(scn, "steps_per_period", 10, 1, 1000);
	tol = scn_u64(scn, "tolerance_ppm", 50000, 0, SIM_MICRO);
	samples = scn_u64(scn, "samples", MRM_WSS_SAMPLES_DEFAULT, 0, U32_MAX);
	slow_pm = scn_u64(scn, "slow_gain_pm", MRM_WSS_SLOW_GAIN_PM_DEFAULT, 0,
			  U32_MAX);
	fast_pm = scn_u64(scn, "fast_gain_pm", MRM_WSS_FAST_GAIN_PM_DEFAULT, 0,
			  U32_MAX);
	if (scn->errors)
		return -EINVAL;

	guest.accessed = calloc(guest.pages, 1);
	if (!guest.accessed)
		return -ENOMEM;
	err = est_sampler_init(&main_s, scn, samples, slow_pm, fast_pm);
	if (err)
		goto free_main;
	err = est_sampler_init(&dflt_s, scn, MRM_WSS_SAMPLES_DEFAULT, slow_pm,
			       fast_pm);
	if (err)
		goto free_default;

	est_run(out, &guest, &main_s, &dflt_s, pct, periods, steps, tol, &rng);
	sim_result_int(out, "samples", main_s.n);
	sim_result_micro(out, "max_abs_error_after_3_periods", main_s.max_err);
	sim_result_int(out, "rise_periods", main_s.reached[1]);
	sim_result_int(out, "fall_periods", main_s.reached[2]);
	sim_result_micro(out, "max_abs_error_after_3_periods_n100",
			 dflt_s.max_err);
	sim_result_int(out, "rise_periods_n100", dflt_s.reached[1]);
	sim_result_int(out, "fall_periods_n100", dflt_s.reached[2]);
free_default:
	est_sampler_free(&dflt_s);
free_main:
	est_sampler_free(&main_s);
	free(guest.accessed);
	return err;
}
