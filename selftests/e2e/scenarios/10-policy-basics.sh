# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The policy loop on its own: its knobs refuse bad values and change
# nothing, the operator's balloon_target is refused while it runs, and
# when the host's free memory falls below the soft threshold it inflates
# the balloons of the VMs above their targets until the host is back in
# high, without an OOM kill anywhere.  minfree is raised (to 40 % of
# L1) so that the soft state comes while real memory is still left:
# this checks the loop's logic, not a host at its limit (that is
# 12-reliability).
#
# e2e: timeout=420 l1_mem=1536 npt=1

# knob_refused <file> <value>: the write fails and the file keeps its value.
knob_refused() {
	local before
	before=$(cat "$1")
	! sh -c "echo '$2' >'$1'" 2>/dev/null && [ "$(cat "$1")" = "$before" ]
}
knob_takes() { sh -c "echo '$2' >'$1'" && [ "$(cat "$1")" = "$2" ]; }

check "policy enabled by default" grep -qx 1 "$POL/enabled"
check "host state readable" grep -qxE 'high|soft|hard|low' "$HOST/state"
check "the loop runs" wait_for 5 eval '[ "$(cat $HOST/runs)" -gt 1 ]'
check "tax_percent 100 refused" knob_refused "$POL/tax_percent" 100
check "tax_percent -1 refused" knob_refused "$POL/tax_percent" -1
check "period_ms 5 refused" knob_refused "$POL/period_ms" 5
check "hard_percent above soft refused" knob_refused "$POL/hard_percent" 70
check "low_percent 0 refused" knob_refused "$POL/low_percent" 0
check "enabled 2 refused" knob_refused "$POL/enabled" 2
check "garbage refused" knob_refused "$POL/minfree_permille" 12abc
check "tax_percent 50 taken" knob_takes "$POL/tax_percent" 50
check "tax_percent 75 taken" knob_takes "$POL/tax_percent" 75

guest_start g1 3 512
guest_start g2 4 512
for g in g1 g2; do
	check "$g boots" guest_wait_ready "$g" 120
	check "$g attached" "$MRMCTL" attach --pid "$(guest_pid "$g")" --name "$g"
	check "$g balloon connects" wait_for 60 attr_is "$g" balloon_state connected
done
check "per-VM shares 0 refused" knob_refused "$VMS/g1/shares" 0
check "per-VM tax 99 taken" knob_takes "$VMS/g1/tax_percent" 99
check "per-VM tax inherit taken" knob_takes "$VMS/g1/tax_percent" inherit
check "per-VM min above size refused" knob_refused "$VMS/g1/min_bytes" $((1024 * MIB))
check "per-VM max below min refused" eval "knob_takes $VMS/g1/min_bytes $((64 * MIB)) && knob_refused $VMS/g1/max_bytes $((32 * MIB))"
check "per-VM min back to 0" knob_takes "$VMS/g1/min_bytes" 0
check "balloon_target refused while the policy runs" \
	eval "! sh -c 'echo 0 >$VMS/g1/balloon_target' 2>/dev/null"
check "a target is computed for g1" wait_for 10 eval '[ "$(vm_attr g1 target_bytes)" -gt 0 ]'
note "host: total=$(mib "$(cat $HOST/total_bytes)") free=$(mib "$(cat $HOST/free_bytes)") MiB"

# minfree = 40 % of L1: soft below 25.6 %, high again above 28.8 %.
check "minfree raised" knob_takes "$POL/minfree_permille" 400
check "host still high" wait_for 10 host_is state high
note "thresholds: minfree=$(mib "$(cat $HOST/minfree_bytes)") soft=$(mib "$(cat $HOST/soft_bytes)") MiB; free=$(mib "$(cat $HOST/free_bytes)") MiB"

# Both guests write most of their memory and free it again: it stays
# resident in their QEMUs, free in the guests, and the host's free memory
# falls below soft; the loop must balloon it back.
transitions0=$(cat $HOST/transitions)
for g in g1 g2; do
	guest_run "$g" 10 'memtouch --size $(($(sed -n "s/^MemAvailable: *\([0-9]*\) kB/\1/p" /proc/meminfo) / 1024 - 48)) --time 1 --report 0 >/tmp/fill.log 2>&1; echo filled >>/tmp/fill.log &'
done
left_high() { [ "$(cat $HOST/transitions)" -gt "$transitions0" ]; }
check "host leaves high" wait_for 120 left_high
note "state=$(cat $HOST/state) free=$(mib "$(cat $HOST/free_bytes)") MiB"
for g in g1 g2; do
	check "$g filled" wait_for 120 eval "guest_run $g 10 'grep -q filled /tmp/fill.log'"
done
check "host back to high" wait_for 180 host_is state high
for g in g1 g2; do
	note "$g: consumed=$(mib "$(vm_attr $g consumed_bytes 2>/dev/null || echo 0)") target=$(mib "$(vm_attr $g target_bytes)") balloon=$(mib "$(vm_attr $g balloon_current)") MiB actions=$(vm_attr $g policy_actions)"
done
ballooned=$(cat $HOST/ballooned_bytes)
note "ballooned=$(mib "$ballooned") MiB, last_recovery_ms=$(cat $HOST/last_recovery_ms), transitions=$(cat $HOST/transitions)"
check "the loop ballooned memory" test "$ballooned" -gt $((32 * MIB))
check "recovery time recorded" test "$(cat $HOST/last_recovery_ms)" -gt 0
check "no OOM kill in L1" eval '! dmesg | grep -q "Out of memory\|oom-kill"'
for g in g1 g2; do
	check "no OOM kill in $g" eval "! guest_log_has $g 'Out of memory|oom-kill'"
done

# Disabled: the operator gets the balloon back.
check "policy disabled" knob_takes "$POL/enabled" 0
check "balloon_target writable again" sh -c "echo 0 >$VMS/g1/balloon_target"
check "g1 deflates" wait_for 60 attr_is g1 balloon_current 0

for g in g1 g2; do
	check "$g unloads mrm_balloon" guest_run "$g" 60 'rmmod mrm_balloon'
	check "$g detached" "$MRMCTL" detach "$g"
	check "$g powers off cleanly" guest_stop "$g" 60
done
