// SPDX-License-Identifier: GPL-2.0
/*
 * mrm_balloon: the mrm balloon for Linux guests (module entry).
 *
 * See Documentation/index.rst for what the module does and how it is
 * built, loaded and tested.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/printk.h>

#include <mrm/version.h>

#include "sysfs.h"

static int __init mrm_balloon_init(void)
{
	int err;

	err = mrm_sysfs_init();
	if (err) {
		pr_err("cannot create /sys/kernel/mrm_balloon: %d\n", err);
		return err;
	}

	pr_info("version %s loaded\n", MRM_VERSION);
	return 0;
}

static void __exit mrm_balloon_exit(void)
{
	mrm_sysfs_exit();
	pr_info("unloaded\n");
}

module_init(mrm_balloon_init);
module_exit(mrm_balloon_exit);

MODULE_DESCRIPTION("mrm: balloon driver for Linux guests of an mrm host");
MODULE_AUTHOR("The mrm developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MRM_VERSION);
