// SPDX-License-Identifier: GPL-2.0
/*
 * The guest memory statistics mrm_balloon reports in STATS: the same
 * figures /proc/meminfo, /proc/vmstat and /proc/pressure/memory show, in
 * 4 KiB pages (mrm_balloon supports 4 KiB-page guests, see balloon.c).
 * Collected only by the session thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmstat.h>

#include "psi.h"
#include "stats.h"

/*
 * The memory pressure of the whole guest, in the format of
 * /proc/pressure/memory.  That file cannot be read from the kernel (its
 * proc_ops have no read_iter, so kernel_read() refuses it); the root
 * cgroup's copy, served by kernfs, can.  It exists where cgroup2 is
 * mounted at the usual place; elsewhere PSI is not reported.
 */
#define MRM_PSI_PATH		"/sys/fs/cgroup/memory.pressure"
#define MRM_PSI_TEXT_MAX	256

/**
 * mrm_guest_stats_init() - allocate the scratch buffers
 * @gs: state to set up
 *
 * Return: 0 or -ENOMEM.
 */
int mrm_guest_stats_init(struct mrm_guest_stats *gs)
{
	gs->events = kcalloc(NR_VM_EVENT_ITEMS, sizeof(*gs->events),
			     GFP_KERNEL);
	if (!gs->events)
		return -ENOMEM;
	gs->psi_text = kmalloc(MRM_PSI_TEXT_MAX, GFP_KERNEL);
	if (!gs->psi_text)
		goto free_events;
	gs->psi_missing = false;
	return 0;

free_events:
	kfree(gs->events);
	gs->events = NULL;
	return -ENOMEM;
}

/**
 * mrm_guest_stats_destroy() - free the scratch buffers
 * @gs: state from mrm_guest_stats_init()
 */
void mrm_guest_stats_destroy(struct mrm_guest_stats *gs)
{
	kfree(gs->psi_text);
	kfree(gs->events);
	gs->psi_text = NULL;
	gs->events = NULL;
}

/* Read the PSI file; false (and not again) if the guest has none. */
static bool mrm_guest_psi(struct mrm_guest_stats *gs, struct mrm_psi *psi)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	if (gs->psi_missing)
		return false;
	f = filp_open(MRM_PSI_PATH, O_RDONLY, 0);
	if (IS_ERR(f)) {
		pr_info("no %s (%ld): PSI is not reported\n", MRM_PSI_PATH,
			PTR_ERR(f));
		gs->psi_missing = true;
		return false;
	}
	n = kernel_read(f, gs->psi_text, MRM_PSI_TEXT_MAX - 1, &pos);
	filp_close(f, NULL);
	if (n <= 0) {
		pr_info("cannot read %s (%zd): PSI is not reported\n",
			MRM_PSI_PATH, n);
		gs->psi_missing = true;
		return false;
	}
	gs->psi_text[n] = '\0';
	if (mrm_psi_parse(gs->psi_text, psi)) {
		pr_warn_ratelimited("cannot parse %s\n", MRM_PSI_PATH);
		return false;
	}
	return true;
}

/**
 * mrm_guest_stats_collect() - fill a STATS message
 * @gs: state from mrm_guest_stats_init()
 * @balloon_pages: 4 KiB pages in the balloon, acknowledged by the host
 * @stats: cleared and filled
 */
void mrm_guest_stats_collect(struct mrm_guest_stats *gs, u64 balloon_pages,
			     struct mrm_stats *stats)
{
	struct mrm_psi psi;
	struct sysinfo si;

	memset(stats, 0, sizeof(*stats));
	si_meminfo(&si);
	mrm_stats_set(stats, MRM_STAT_MEM_TOTAL, si.totalram);
	mrm_stats_set(stats, MRM_STAT_MEM_AVAILABLE, si_mem_available());
	mrm_stats_set(stats, MRM_STAT_MEM_FREE, si.freeram);

	all_vm_events(gs->events);
	mrm_stats_set(stats, MRM_STAT_SWAP_IN, gs->events[PSWPIN]);
	mrm_stats_set(stats, MRM_STAT_SWAP_OUT, gs->events[PSWPOUT]);
	mrm_stats_set(stats, MRM_STAT_MAJOR_FAULTS, gs->events[PGMAJFAULT]);

	if (mrm_guest_psi(gs, &psi)) {
		mrm_stats_set(stats, MRM_STAT_PSI_SOME_AVG10, psi.some_avg10);
		mrm_stats_set(stats, MRM_STAT_PSI_FULL_AVG10, psi.full_avg10);
		mrm_stats_set(stats, MRM_STAT_PSI_SOME_TOTAL,
			      psi.some_total_us);
		mrm_stats_set(stats, MRM_STAT_PSI_FULL_TOTAL,
			      psi.full_total_us);
	}
	mrm_stats_set(stats, MRM_STAT_BALLOON, balloon_pages);
}
