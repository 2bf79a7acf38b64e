# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# mrm_host is unloaded and loaded again while a guest is ballooned and a
# workload runs in it: the guest keeps its balloon and its data,
# reconnects to the new module, offers its balloon again, and the new
# host's record matches what the guest holds.  Nested paging.
#
# e2e: timeout=300 l1_mem=2048 npt=1

# The operator drives the balloon here, not the policy loop.
check "policy loop disabled" policy_off
TARGET=$((64 * MIB))

guest_attr() { guest_run g1 60 "cat /sys/kernel/mrm_balloon/$1"; }
guest_attr_is() { [ "$(guest_attr "$1")" = "$2" ]; }

guest_start g1 3 256
check "g1 boots" guest_wait_ready g1 120
check "g1 attached" "$MRMCTL" attach --pid "$(guest_pid g1)" --name g1
check "g1 balloon connects" wait_for 60 attr_is g1 balloon_state connected
guest_run g1 60 'memtouch --size 64 --write --time 0 --report 0 --verify-all-every 5 >/tmp/mt.log 2>&1 &'
check "memtouch filled 64 MiB" mt_wait g1 mt 'memtouch: ready' 120
echo "$TARGET" >"$VMS/g1/balloon_target"
check "g1 inflates to 64 MiB" wait_for 60 attr_is g1 balloon_current "$TARGET"

check "mrm_host unloads with g1 ballooned" rmmod mrm_host
check "the guest notices and keeps its balloon" \
	wait_for 30 guest_attr_is state disconnected
check "the guest still holds 64 MiB" guest_attr_is current_bytes "$TARGET"

check "mrm_host loads again" insmod "$MRM_HOST_KO"
check "policy loop disabled again" policy_off
check "g1 attached again" "$MRMCTL" attach --pid "$(guest_pid g1)" --name g1
echo "$TARGET" >"$VMS/g1/balloon_target"
# The guest retries with back-off (1 s, doubling, from when it lost the host).
check "g1 reconnects" wait_for 90 attr_is g1 balloon_state connected
check "new host's record matches the guest's balloon" \
	wait_for 30 attr_is g1 balloon_current "$TARGET"
check "guest's acked balloon is 64 MiB" wait_for 10 guest_attr_is acked_bytes "$TARGET"
note "host record $(vm_attr g1 balloon_current), guest acked $(guest_attr acked_bytes), sessions $(vm_attr g1 balloon_sessions)"

guest_run g1 60 'kill -TERM $(pidof memtouch)'
check "memtouch finishes" mt_wait g1 mt 'memtouch: done' 120
note "$(guest_run g1 60 'grep "memtouch: done" /tmp/mt.log')"
check "memtouch: no data lost across the reload" \
	guest_run g1 60 'grep -q "memtouch: done .* errors=0 zero_pages=0" /tmp/mt.log'

check "g1 unloads mrm_balloon" guest_run g1 60 'rmmod mrm_balloon'
check "the host record empties at unload" wait_for 30 attr_is g1 balloon_current 0
check "g1 detached" "$MRMCTL" detach g1
check "g1 powers off cleanly" guest_stop g1 60
