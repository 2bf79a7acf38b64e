# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# No guest data is lost and nothing is killed: a guest writes and checks
# known patterns (memtouch) while its balloon inflates around it; then a
# second workload needs more memory than is free, and the balloon deflates
# on its own (guest pressure) instead of the guest OOM-killing anything.
# Nested paging.
#
# e2e: timeout=360 l1_mem=2048 npt=1

# The operator drives the balloon here, not the policy loop.
check "policy loop disabled" policy_off
TARGET=$((96 * MIB))

guest_attr() { guest_run g1 60 "cat /sys/kernel/mrm_balloon/$1"; }

guest_start g1 3 384
check "g1 boots" guest_wait_ready g1 120
check "g1 attached" "$MRMCTL" attach --pid "$(guest_pid g1)" --name g1
check "g1 balloon connects" wait_for 60 attr_is g1 balloon_state connected

# A 160 MiB working set written and verified continuously.
guest_run g1 60 'memtouch --size 160 --write --time 0 --report 2 --verify-all-every 10 >/tmp/mt1.log 2>&1 &'
check "memtouch filled 160 MiB" mt_wait g1 mt1 'memtouch: ready' 120

echo "$TARGET" >"$VMS/g1/balloon_target"
check "balloon inflates to 96 MiB while memtouch runs" \
	wait_for 60 attr_is g1 balloon_current "$TARGET"
sleep 12	# two full verify-all rounds with the balloon in place
errors=$(mt_value g1 mt1 'memtouch: report' errors)
note "memtouch after inflation: errors=${errors:-?}"
check "no checksum error while inflating" test "${errors:-1}" -eq 0

# A second workload grows to 100 MiB.  The guest has about 290 MiB for
# programs: with 160 MiB in memtouch and 96 MiB in the balloon, only about
# 34 MiB are free, so the balloon must give memory back by itself; without
# the balloon everything fits.
guest_run g1 60 'memtouch --size 16 --grow-to 100 --grow-step 8 --seed 7 --time 3 --report 0 >/tmp/mt2.log 2>&1; echo "exit=$?" >>/tmp/mt2.log &'
check "second workload finishes" mt_wait g1 mt2 '^exit=' 180
check "second workload grew to 100 MiB" mt_has g1 mt2 'memtouch: grow-done total_mib=100 .*failed=0'
check "second workload saw no error" mt_has g1 mt2 '^exit=0'
given=$(guest_attr pressure_deflated_bytes)
note "balloon gave back $((given / MIB)) MiB under pressure ($(guest_attr oom_notifications) OOM notifications)"
check "balloon deflated under guest pressure" test "$given" -gt 0
check "host saw the pressure deflation" \
	wait_for 15 eval '[ "$(vm_attr g1 balloon_pressure_bytes)" -gt 0 ]'
if guest_log_has g1 'Out of memory|oom-kill|Killed process'; then
	not_ok "no OOM kill in the guest" "$(tr -d '\r' <"$(guest_console g1)" | grep -aE 'Out of memory|oom-kill|Killed process' | head -n 3)"
else
	ok "no OOM kill in the guest"
fi

# The first workload kept its data through all of it.
guest_run g1 60 'kill -TERM $(pidof memtouch) 2>/dev/null'
check "memtouch finishes" mt_wait g1 mt1 'memtouch: done' 120
note "$(guest_run g1 60 'grep "memtouch: done" /tmp/mt1.log')"
check "memtouch: no checksum error, no zero page" \
	mt_has g1 mt1 'memtouch: done .* errors=0 zero_pages=0'

check "g1 unloads mrm_balloon" guest_run g1 60 'rmmod mrm_balloon'
check "g1 detached" "$MRMCTL" detach g1
check "g1 powers off cleanly" guest_stop g1 60
