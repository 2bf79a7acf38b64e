// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory pressure: give balloon pages back before the guest suffers.
 *
 * Two hooks, neither allocating nor sending (the frames freed are queued
 * and the session thread sends the DEFLATE):
 *
 * - the OOM notifier frees oom_pages whenever the guest is about to kill a
 *   task; out_of_memory() then retries the allocation instead of killing.
 *   If the whole balloon is in flight it first waits (bounded) for the
 *   host's ACK;
 * - a shrinker, which reclaim scans in proportion to the balloon's size
 *   and its own urgency.  It acts only in direct reclaim by other tasks:
 *   kswapd runs whenever free memory dips below a watermark, which the
 *   balloon itself causes while inflating, and deflating then would fight
 *   the inflation (the reason virtio_balloon moved deflate-on-OOM from a
 *   shrinker back to an OOM notifier).  Direct reclaim means an
 *   allocation is stalling: real pressure.
 *
 * Every deflation stamps @last; the session thread does not inflate again
 * for a hold-off period after it, and sends the queued DEFLATE (with its
 * pressure or OOM reason) on its next turn, within MRM_SESSION_TICK_MS.
 */
#include <linux/jiffies.h>
#include <linux/oom.h>
#include <linux/sched.h>
#include <linux/swap.h>

#include <mrm/compat.h>

#include "balloon.h"
#include "pressure.h"

/* How long the OOM notifier waits for INFLATEs in flight to be answered. */
#define MRM_PRESSURE_OOM_WAIT_MS	2000

static void mrm_pressure_note(struct mrm_pressure *p, unsigned long freed)
{
	if (!freed)
		return;
	atomic64_add(freed, &p->deflated_pages);
	/* 0 means "never"; jiffies may be 0 once after wrapping. */
	WRITE_ONCE(p->last, jiffies ?: 1);
}

static unsigned long mrm_pressure_count(struct shrinker *s,
					struct shrink_control *sc)
{
	struct mrm_pressure *p = mrm_shrinker_private(s);
	u64 held = mrm_balloon_held(p->balloon);

	return held ? held : SHRINK_EMPTY;
}

static unsigned long mrm_pressure_scan(struct shrinker *s,
				       struct shrink_control *sc)
{
	struct mrm_pressure *p = mrm_shrinker_private(s);
	unsigned long freed;

	if (current_is_kswapd() || current == READ_ONCE(p->owner))
		return SHRINK_STOP;
	freed = mrm_balloon_release_pressure(p->balloon, sc->nr_to_scan,
					     MRM_DEFLATE_PRESSURE);
	mrm_pressure_note(p, freed);
	return freed ? freed : SHRINK_STOP;
}

static int mrm_pressure_oom(struct notifier_block *nb, unsigned long unused,
			    void *parm)
{
	struct mrm_pressure *p = container_of(nb, struct mrm_pressure, oom_nb);
	unsigned long *total_freed = parm;
	unsigned long freed;

	atomic64_inc(&p->oom_calls);
	/* No new inflation while the guest is this short (see @last). */
	WRITE_ONCE(p->last, jiffies ?: 1);
	freed = mrm_balloon_release_pressure(p->balloon, p->oom_pages,
					     MRM_DEFLATE_OOM);
	/*
	 * All of the balloon may be in flight (one INFLATE can carry a
	 * large part of the guest in 2 MiB frames): wait for the host's
	 * answer rather than let the guest kill a task.  Not in the
	 * session thread, which is the one that receives the answer.
	 */
	if (!freed && current != READ_ONCE(p->owner) &&
	    mrm_balloon_wait_acked(p->balloon, MRM_PRESSURE_OOM_WAIT_MS))
		freed = mrm_balloon_release_pressure(p->balloon, p->oom_pages,
						     MRM_DEFLATE_OOM);
	mrm_pressure_note(p, freed);
	*total_freed += freed;
	return NOTIFY_OK;
}

/**
 * mrm_pressure_start() - hook the balloon into reclaim and the OOM path
 * @p: state to set up
 * @balloon: the balloon
 * @use_shrinker: also register the shrinker (the OOM notifier always is)
 * @oom_pages: 4 KiB pages to free per OOM notification
 *
 * Return: 0 or a negative errno; nothing is registered on error.
 */
int mrm_pressure_start(struct mrm_pressure *p, struct mrm_balloon *balloon,
		       bool use_shrinker, unsigned long oom_pages)
{
	int err;

	p->balloon = balloon;
	p->oom_pages = oom_pages;
	p->last = 0;
	atomic64_set(&p->deflated_pages, 0);
	atomic64_set(&p->oom_calls, 0);
	p->shrinker = NULL;
	if (use_shrinker) {
		p->shrinker = mrm_shrinker_create("mrm_balloon",
						  mrm_pressure_count,
						  mrm_pressure_scan, p);
		if (!p->shrinker)
			return -ENOMEM;
	}
	p->oom_nb.notifier_call = mrm_pressure_oom;
	err = register_oom_notifier(&p->oom_nb);
	if (err)
		goto destroy_shrinker;
	return 0;

destroy_shrinker:
	if (p->shrinker)
		mrm_shrinker_destroy(p->shrinker);
	p->shrinker = NULL;
	return err;
}

/**
 * mrm_pressure_stop() - unhook; no callback runs after this returns
 * @p: state from mrm_pressure_start()
 */
void mrm_pressure_stop(struct mrm_pressure *p)
{
	unregister_oom_notifier(&p->oom_nb);
	if (p->shrinker)
		mrm_shrinker_destroy(p->shrinker);
	p->shrinker = NULL;
}

/**
 * mrm_pressure_recent() - did pressure deflate the balloon lately?
 * @p: state from mrm_pressure_start()
 * @hold: how long "lately" is, in jiffies
 *
 * Return: true within @hold jiffies of the last pressure deflation.
 */
bool mrm_pressure_recent(struct mrm_pressure *p, unsigned long hold)
{
	unsigned long last = READ_ONCE(p->last);

	return last && time_before(jiffies, last + hold);
}
