/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Working-set estimation by statistical sampling (Waldspurger, OSDI 2002,
 * section 5.3): the estimator half.  The mechanism that picks n random
 * guest pages per period and observes whether each was touched lives
 * elsewhere; it reports touches here.
 *
 * Plain C (see mrm/plain.h): built into mrm_host.ko, KUnit and mrmsim.
 * Fractions are Q16.16 (see fixed.h); knobs are integers (per-mille gains,
 * milliseconds) so sysfs can expose them as they are.
 */
#ifndef _MRM_POLICY_WSS_H
#define _MRM_POLICY_WSS_H

#include "fixed.h"

/* Samples per period: default (the paper's) and valid range. */
#define MRM_WSS_SAMPLES_DEFAULT 100U
#define MRM_WSS_SAMPLES_MIN 1U
#define MRM_WSS_SAMPLES_MAX 10000U
/* Sampling period in milliseconds: default (the paper's) and valid range. */
#define MRM_WSS_PERIOD_MS_DEFAULT 30000U
#define MRM_WSS_PERIOD_MS_MIN 100U
#define MRM_WSS_PERIOD_MS_MAX 3600000U
/*
 * EWMA gains in per-mille: the weight of a new period's fraction.  The slow
 * gain sets how fast the estimate falls (1/2: a drop is 7/8 followed after
 * three periods), the fast gain how fast it rises (9/10: a rise is 90 %
 * followed after one period, and during it through the current-period
 * term).  Chosen with mrmsim's estimator scenario: a 10 -> 50 -> 20 %
 * working set is tracked within 0.05 from the third period after each
 * change, rising within one period.
 */
#define MRM_WSS_SLOW_GAIN_PM_DEFAULT 500U
#define MRM_WSS_FAST_GAIN_PM_DEFAULT 900U

/**
 * struct mrm_wss_config - sampling knobs of one estimator
 * @samples: n, pages sampled per period, MRM_WSS_SAMPLES_MIN..MAX
 * @period_ms: period length in ms, MRM_WSS_PERIOD_MS_MIN..MAX; used by
 *	the caller's timer, validated here so all knobs are checked at once
 * @slow_gain_pm: gain of the slow EWMA, 1..1000, at most @fast_gain_pm
 * @fast_gain_pm: gain of the fast EWMA, 1..1000
 */
struct mrm_wss_config {
	u32 samples;
	u32 period_ms;
	u32 slow_gain_pm;
	u32 fast_gain_pm;
};

/**
 * struct mrm_wss - one VM's estimator state; owned and locked by the caller
 * @samples: n, samples per period (from the config)
 * @slow_gain: slow EWMA gain, Q16.16
 * @fast_gain: fast EWMA gain, Q16.16
 * @touched: samples reported touched so far in the current period
 * @slow: slow EWMA of the per-period active fraction, Q16.16
 * @fast: fast EWMA of the per-period active fraction, Q16.16
 * @periods: completed periods that produced data (saturates at U32_MAX)
 */
struct mrm_wss {
	u32 samples;
	u32 slow_gain;
	u32 fast_gain;
	u32 touched;
	u32 slow;
	u32 fast;
	u32 periods;
};

void mrm_wss_config_default(struct mrm_wss_config *cfg);
int mrm_wss_config_check(const struct mrm_wss_config *cfg);
int mrm_wss_init(struct mrm_wss *wss, const struct mrm_wss_config *cfg);
int mrm_wss_touched(struct mrm_wss *wss, u32 count);
int mrm_wss_period_end(struct mrm_wss *wss, u32 checked);
u32 mrm_wss_current(const struct mrm_wss *wss);
u32 mrm_wss_estimate(const struct mrm_wss *wss);

#endif /* _MRM_POLICY_WSS_H */
