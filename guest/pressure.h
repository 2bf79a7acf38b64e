/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MRM_GUEST_PRESSURE_H
#define _MRM_GUEST_PRESSURE_H

#include <linux/atomic.h>
#include <linux/notifier.h>
#include <linux/shrinker.h>
#include <linux/types.h>

struct mrm_balloon;

/**
 * struct mrm_pressure - the balloon's answer to guest memory pressure
 * @balloon: the balloon pages are taken from
 * @shrinker: deflates in direct reclaim (never for kswapd or the balloon's
 *	own allocations), or NULL if disabled
 * @oom_nb: deflates when the guest is about to OOM-kill
 * @oom_pages: 4 KiB pages freed per OOM notification
 * @last: jiffies of the last pressure deflation (0: never); read by the
 *	session thread to hold inflation off for a while
 * @deflated_pages: 4 KiB pages given back under pressure, cumulative
 * @oom_calls: OOM notifications received, cumulative
 * @owner: the session thread, whose own allocations must not deflate
 */
struct mrm_pressure {
	struct mrm_balloon *balloon;
	struct shrinker *shrinker;
	struct notifier_block oom_nb;
	unsigned long oom_pages;
	unsigned long last;
	atomic64_t deflated_pages;
	atomic64_t oom_calls;
	struct task_struct *owner;
};

int mrm_pressure_start(struct mrm_pressure *p, struct mrm_balloon *balloon,
		       bool use_shrinker, unsigned long oom_pages);
void mrm_pressure_stop(struct mrm_pressure *p);
bool mrm_pressure_recent(struct mrm_pressure *p, unsigned long hold);

#endif /* _MRM_GUEST_PRESSURE_H */
