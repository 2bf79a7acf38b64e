# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Two L2 guests with distinct vsock CIDs boot under KVM, load
# mrm_balloon.ko, show its sysfs root, and power off cleanly while
# mrm_host.ko is loaded in L1.  Nested paging on (npt=1), the default.
#
# e2e: timeout=240 l1_mem=2048 npt=1

guest_start g1 3 256
guest_start g2 4 256
for g in g1 g2; do
	check "$g boots to READY" guest_wait_ready "$g" 120
	check "$g loads mrm_balloon" guest_log_has "$g" '^@@ insmod mrm_balloon.ko rc=0'
	check "$g shows /sys/kernel/mrm_balloon/version" \
		guest_run "$g" 30 'grep -qx "[0-9][0-9.]*" /sys/kernel/mrm_balloon/version'
	check "$g unloads mrm_balloon" guest_run "$g" 30 'rmmod mrm_balloon'
done
for g in g1 g2; do
	check "$g powers off cleanly" guest_stop "$g" 60
done
