// SPDX-License-Identifier: GPL-2.0
/*
 * mrm_host: memory resource management for KVM hosts (module entry).
 *
 * See Documentation/index.rst for what the module does and how it is
 * built, loaded and tested.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/printk.h>

#include <mrm/proto.h>
#include <mrm/version.h>

#include "dev.h"
#include "endpoint.h"
#include "loop.h"
#include "sample.h"
#include "sysfs.h"
#include "vm.h"

static unsigned int port = MRM_PROTO_PORT;
module_param(port, uint, 0444);
MODULE_PARM_DESC(port, "vsock port guests' mrm_balloon connects to (default 19794)");

static int __init mrm_host_init(void)
{
	int err;

	err = mrm_sysfs_init();
	if (err) {
		pr_err("cannot create /sys/kernel/mrm: %d\n", err);
		return err;
	}
	err = mrm_sample_init();
	if (err) {
		pr_err("cannot set up working-set sampling: %d\n", err);
		goto exit_sysfs;
	}
	err = mrm_vm_init();
	if (err) {
		pr_err("cannot set up the VM registry: %d\n", err);
		goto exit_sample;
	}
	err = mrm_endpoint_start(port);
	if (err) {
		pr_err("cannot listen on vsock port %u: %d (is vhost_vsock loaded? another listener?)\n",
		       port, err);
		goto exit_vm;
	}
	err = mrm_loop_sysfs_init();
	if (err) {
		pr_err("cannot create /sys/kernel/mrm/policy: %d\n", err);
		goto stop_endpoint;
	}
	err = mrm_loop_start();
	if (err) {
		pr_err("cannot start the policy loop: %d\n", err);
		goto exit_loop_sysfs;
	}
	err = mrm_dev_init();
	if (err) {
		pr_err("cannot create /dev/mrm: %d\n", err);
		goto stop_loop;
	}

	pr_info("version %s loaded (balloon port %u)\n", MRM_VERSION, port);
	return 0;

stop_loop:
	mrm_loop_stop();
exit_loop_sysfs:
	mrm_loop_sysfs_exit();
stop_endpoint:
	mrm_endpoint_stop();
exit_vm:
	mrm_vm_exit();
exit_sample:
	mrm_sample_exit();
exit_sysfs:
	mrm_sysfs_exit();
	return err;
}

static void __exit mrm_host_exit(void)
{
	mrm_dev_exit();
	mrm_loop_stop();
	mrm_loop_sysfs_exit();
	mrm_endpoint_stop();
	mrm_vm_exit();
	mrm_sample_exit();
	mrm_sysfs_exit();
	pr_info("unloaded\n");
}

module_init(mrm_host_init);
module_exit(mrm_host_exit);

MODULE_DESCRIPTION("mrm: ESX-style memory resource management for KVM hosts");
MODULE_AUTHOR("The mrm developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MRM_VERSION);
