// SPDX-License-Identifier: GPL-2.0
/*
 * mrm_balloon: the mrm balloon for Linux guests (module entry).
 *
 * Connects to mrm_host on the KVM host over vsock (session.c), holds the
 * pages the host asks for (balloon.c), gives them back under guest memory
 * pressure (pressure.c) and reports memory statistics (stats.c).  See
 * Documentation/balloon.rst and Documentation/protocol.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include <mrm/proto.h>
#include <mrm/version.h>

#include "balloon.h"
#include "pressure.h"
#include "session.h"
#include "sysfs.h"

/* Default floor: the larger of 32 MiB and 1/16 of guest RAM. */
#define MRM_FLOOR_MIN_PAGES	(32ULL << (20 - 12))
#define MRM_FLOOR_RAM_SHIFT	4

static unsigned int port = MRM_PROTO_PORT;
module_param(port, uint, 0444);
MODULE_PARM_DESC(port, "vsock port of mrm_host on the host (default 19794)");

static unsigned long floor_bytes;
module_param(floor_bytes, ulong, 0444);
MODULE_PARM_DESC(floor_bytes,
		 "never inflate below this much MemAvailable, bytes (0: max(32 MiB, RAM/16)); also /sys/kernel/mrm_balloon/floor_bytes");

static bool shrinker = true;
module_param(shrinker, bool, 0444);
MODULE_PARM_DESC(shrinker, "deflate in direct reclaim, not only before an OOM kill (default Y)");

static unsigned long oom_pages = 4096;
module_param(oom_pages, ulong, 0444);
MODULE_PARM_DESC(oom_pages, "4 KiB pages to deflate per OOM notification (default 4096: 16 MiB)");

static unsigned int pressure_hold_ms = 10000;
module_param(pressure_hold_ms, uint, 0444);
MODULE_PARM_DESC(pressure_hold_ms, "no inflation for this long after a pressure deflation (default 10000)");

/* The module's one balloon, its pressure hooks and its session. */
struct mrm_guest {
	struct mrm_balloon balloon;
	struct mrm_pressure pressure;
	struct mrm_session session;
};

static struct mrm_guest *mrm_guest;

static u64 mrm_default_floor(void)
{
	return max_t(u64, MRM_FLOOR_MIN_PAGES,
		     totalram_pages() >> MRM_FLOOR_RAM_SHIFT);
}

static int __init mrm_balloon_module_init(void)
{
	struct mrm_guest *g;
	int err;

	if (!port || port > U32_MAX - 1) {
		pr_err("invalid port %u\n", port);
		return -EINVAL;
	}
	/* Large (two INFLATE batches, the reader): not on a stack. */
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	mrm_balloon_init(&g->balloon);

	err = mrm_pressure_start(&g->pressure, &g->balloon, shrinker,
				 oom_pages);
	if (err) {
		pr_err("cannot register pressure hooks: %d\n", err);
		goto free_guest;
	}

	g->session.balloon = &g->balloon;
	g->session.pressure = &g->pressure;
	g->session.port = port;
	g->session.floor_pages = floor_bytes ? floor_bytes >> 12 :
					       mrm_default_floor();
	g->session.pressure_hold = msecs_to_jiffies(pressure_hold_ms);

	err = mrm_sysfs_init(&g->session, &g->balloon, &g->pressure);
	if (err) {
		pr_err("cannot create /sys/kernel/mrm_balloon: %d\n", err);
		goto stop_pressure;
	}
	err = mrm_session_start(&g->session);
	if (err) {
		pr_err("cannot start the session thread: %d\n", err);
		goto remove_sysfs;
	}
	mrm_guest = g;

	pr_info("version %s loaded (host port %u, floor %llu MiB)\n",
		MRM_VERSION, port, g->session.floor_pages >> (20 - 12));
	return 0;

remove_sysfs:
	mrm_sysfs_exit();
stop_pressure:
	mrm_pressure_stop(&g->pressure);
free_guest:
	kfree(g);
	return err;
}

static void __exit mrm_balloon_module_exit(void)
{
	struct mrm_guest *g = mrm_guest;
	u64 leaked;

	mrm_sysfs_exit();
	/* Deflates while connected, says goodbye, waits for owed ACKs. */
	mrm_session_stop(&g->session);
	mrm_balloon_session_lost(&g->balloon);
	mrm_pressure_stop(&g->pressure);
	leaked = mrm_balloon_drain(&g->balloon);
	if (leaked)
		pr_warn("leaving %llu pages allocated: the host may still release them\n",
			leaked);
	/* Leaked pages stay allocated for good; the bookkeeping goes. */
	kfree(g);
	pr_info("unloaded\n");
}

module_init(mrm_balloon_module_init);
module_exit(mrm_balloon_module_exit);

MODULE_DESCRIPTION("mrm: balloon driver for Linux guests of an mrm host");
MODULE_AUTHOR("The mrm developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MRM_VERSION);
