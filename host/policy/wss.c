// SPDX-License-Identifier: GPL-2.0
/*
 * Working-set estimator.
 *
 * Each period the mechanism samples n guest pages uniformly at random and
 * reports, as it sees them, how many were touched (mrm_wss_touched()); at
 * the end of the period it says how many it could actually check
 * (mrm_wss_period_end()).  The period's active fraction f = t / checked
 * feeds two exponentially weighted moving averages:
 *
 *	slow += g_slow * (f - slow)	fast += g_fast * (f - fast)
 *
 * and a third term is the fast average as it would be if the period ended
 * now, with the touches seen so far (t_now / n, a lower bound of this
 * period's f because touches only accumulate).  The estimate is the
 * largest of the three: it rises within the period in which a working set
 * grows and falls at the pace of the slow average.
 *
 * Before the first period completes the estimate is 1 (every page active):
 * a VM is not taxed for idleness that nobody has measured.  The first
 * period with data sets both averages to its own f.
 *
 * Cost: O(1) per report, whatever n or the VM's size.
 */
#include "wss.h"

/**
 * mrm_wss_config_default() - fill @cfg with the defaults
 * @cfg: configuration to fill
 */
void mrm_wss_config_default(struct mrm_wss_config *cfg)
{
	cfg->samples = MRM_WSS_SAMPLES_DEFAULT;
	cfg->period_ms = MRM_WSS_PERIOD_MS_DEFAULT;
	cfg->slow_gain_pm = MRM_WSS_SLOW_GAIN_PM_DEFAULT;
	cfg->fast_gain_pm = MRM_WSS_FAST_GAIN_PM_DEFAULT;
}

/**
 * mrm_wss_config_check() - validate sampling knobs
 * @cfg: configuration to check
 *
 * Return: 0 if valid; -EINVAL if @cfg is NULL or the slow gain exceeds the
 * fast gain; -ERANGE if a value lies outside its documented range.
 */
int mrm_wss_config_check(const struct mrm_wss_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	if (cfg->samples < MRM_WSS_SAMPLES_MIN ||
	    cfg->samples > MRM_WSS_SAMPLES_MAX ||
	    cfg->period_ms < MRM_WSS_PERIOD_MS_MIN ||
	    cfg->period_ms > MRM_WSS_PERIOD_MS_MAX ||
	    !cfg->slow_gain_pm || cfg->slow_gain_pm > MRM_PERMILLE ||
	    !cfg->fast_gain_pm || cfg->fast_gain_pm > MRM_PERMILLE)
		return -ERANGE;
	if (cfg->slow_gain_pm > cfg->fast_gain_pm)
		return -EINVAL;
	return 0;
}

/**
 * mrm_wss_init() - start an estimator with no history
 * @wss: estimator to initialise
 * @cfg: its knobs
 *
 * Return: 0 on success; -EINVAL if @wss is NULL; otherwise the error of
 * mrm_wss_config_check(), with @wss untouched.
 */
int mrm_wss_init(struct mrm_wss *wss, const struct mrm_wss_config *cfg)
{
	int err = mrm_wss_config_check(cfg);

	if (err)
		return err;
	if (!wss)
		return -EINVAL;
	wss->samples = cfg->samples;
	wss->slow_gain = mrm_frac(cfg->slow_gain_pm, MRM_PERMILLE);
	wss->fast_gain = mrm_frac(cfg->fast_gain_pm, MRM_PERMILLE);
	wss->touched = 0;
	wss->slow = MRM_FRAC_ONE;
	wss->fast = MRM_FRAC_ONE;
	wss->periods = 0;
	return 0;
}

/**
 * mrm_wss_touched() - report samples found touched in the current period
 * @wss: estimator
 * @count: newly touched samples (each sample is reported at most once per
 *	period); 1 per event or the whole count at once
 *
 * Return: 0 on success; -ERANGE if the period's total would exceed n, in
 * which case nothing changes.
 */
int mrm_wss_touched(struct mrm_wss *wss, u32 count)
{
	if (count > wss->samples - wss->touched)
		return -ERANGE;
	wss->touched += count;
	return 0;
}

/* One EWMA step of @avg towards @sample with @gain, all Q16.16. */
static u32 mrm_wss_ewma(u32 avg, u32 sample, u32 gain)
{
	if (sample >= avg)
		return avg + (u32)mrm_frac_of(sample - avg, gain);
	return avg - (u32)mrm_frac_of(avg - sample, gain);
}

/**
 * mrm_wss_period_end() - close the current period and fold it in
 * @wss: estimator
 * @checked: samples the mechanism could check this period (at most n; a
 *	sample whose page vanished, e.g. was unplugged, is not counted)
 *
 * The period's fraction is touched / @checked.  Whatever the outcome, the
 * next period starts with no touches.
 *
 * Return: 0 on success; -ENODATA if @checked is 0 (the period is dropped,
 * the averages keep their values); -EINVAL if @checked exceeds n or is
 * below the touches reported (the period is dropped likewise).
 */
int mrm_wss_period_end(struct mrm_wss *wss, u32 checked)
{
	u32 touched = wss->touched;
	u32 f;

	wss->touched = 0;
	if (checked > wss->samples || touched > checked)
		return -EINVAL;
	if (!checked)
		return -ENODATA;

	f = mrm_frac(touched, checked);
	if (!wss->periods) {
		wss->slow = f;
		wss->fast = f;
	} else {
		wss->slow = mrm_wss_ewma(wss->slow, f, wss->slow_gain);
		wss->fast = mrm_wss_ewma(wss->fast, f, wss->fast_gain);
	}
	if (wss->periods < U32_MAX)
		wss->periods++;
	return 0;
}

/**
 * mrm_wss_current() - the fast average as if the period ended now
 * @wss: estimator
 *
 * Return: Q16.16 fraction; before the first period, the touched fraction
 * so far is not yet meaningful and 1 is returned.
 */
u32 mrm_wss_current(const struct mrm_wss *wss)
{
	u32 f = mrm_frac(wss->touched, wss->samples);

	if (!wss->periods)
		return MRM_FRAC_ONE;
	return mrm_wss_ewma(wss->fast, f, wss->fast_gain);
}

/**
 * mrm_wss_estimate() - the working-set estimate
 * @wss: estimator
 *
 * Return: the active fraction of the sampled pages, Q16.16: the largest of
 * the slow average, the fast average and mrm_wss_current().
 */
u32 mrm_wss_estimate(const struct mrm_wss *wss)
{
	u32 est = max_t(u32, wss->slow, wss->fast);

	return max_t(u32, est, mrm_wss_current(wss));
}
