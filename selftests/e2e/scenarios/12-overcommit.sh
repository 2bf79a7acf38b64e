# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Seed 004's microbenchmarks (Banerjee et al., section 4.1) at small scale:
# two 768 MiB guests on a 1024 MiB L1 (1.5x overcommitted), each in its
# own cgroup, attached, balloons connected; L1 has swap with zswap in
# front.  Each guest runs memtouch with a known working set, sized from
# the memory for VMs (A, host/vm_available_bytes) measured after boot:
#
#   (a) each maps 0.3 A, all active: it fits; no reclaim at all
#   (b) each maps 0.6 A, 0.08 A active: reclaim once, then a steady
#       state: nothing comes back from swap in the last third
#   (c) each maps 0.6 A, all active: reclaim never ends: pages keep
#       coming back from swap in the last third
#
# The swap-ins are counted in three equal windows (the thirds) that start
# once both guests have filled their memory; "in the last third" compares
# the last window with all three.  memtouch runs until the windows end
# (--time 0, then SIGTERM): with a fixed run time, the guest that filled
# first also stopped first, and in one CI run of (c) the other guest,
# alone at last, faulted nothing back in the last window.
#
# Prints mapped, consumed, ballooned, compressed, swapped per VM and the
# state timeline (the whole CSV is in out/overcommit-<case>.csv).  The
# guests of case (x) are x1 and x2.
# memtouch verifies every page it touches: 0 errors in every case.  It
# does not check every page again at the end (--no-final-check): that
# brings back each guest's cold pages from the emulated swap at 2-3
# MiB/s, minutes per case, and is 14-reliability's job.
# Runs alone (alone=1): its checks compare swap-in volumes of three
# wall-clock windows, which another L1 starting or ending beside it would
# shift.
#
# e2e: timeout=2400 l1_mem=1024 npt=1 swap=2048 alone=1

# shellcheck source=selftests/e2e/lib/policy-lib.sh
. "$REPO/selftests/e2e/lib/policy-lib.sh"

GUEST_MIB=768
WINDOW_S=20

thp_off
check "sampling period 2 s" sh -c "echo 2000 >$SAMPLING/period_ms"

# run_case <case> <map permille of A> <active permille of A>
run_case() {
	local c=$1 map_pm=$2 act_pm=$3 avail map act csv g
	# Each case has its own guests, so each keeps its own console.
	local g1=${c}1 g2=${c}2
	local in0 in_mid in_late in_end total late
	check "($c) $g1 up" pol_guest_up "$g1" 3 "$GUEST_MIB"
	check "($c) $g2 up" pol_guest_up "$g2" 4 "$GUEST_MIB"
	sleep 5
	avail=$(host_num vm_available_bytes)
	map=$((avail * map_pm / 1000 / MIB))
	act=$((avail * act_pm / 1000 / MIB))
	note "($c) memory for VMs A=$(mib "$avail") MiB; each guest maps $map MiB, $act MiB active"
	csv=$OUT/overcommit-$c.csv
	timeline_start "$csv" "$g1" "$g2"
	transitions0=$(host_num transitions)
	mt_start "$g1" mt --size "$map" --active "$act" --write --time 0 --report 5 --no-final-check --seed 1
	mt_start "$g2" mt --size "$map" --active "$act" --write --time 0 --report 5 --no-final-check --seed 2
	for g in "$g1" "$g2"; do
		check "($c) $g memtouch filled" mt_wait "$g" mt 'memtouch: ready' 900
	done
	# Three equal windows, both guests touching their memory throughout.
	in0=$(swapins)
	sleep "$WINDOW_S"
	in_mid=$(swapins)
	sleep "$WINDOW_S"
	in_late=$(swapins)
	sleep "$WINDOW_S"
	in_end=$(swapins)
	for g in "$g1" "$g2"; do
		mt_stop "$g"
	done
	for g in "$g1" "$g2"; do
		check "($c) $g memtouch done" mt_wait "$g" mt 'memtouch: done' 600
		check "($c) $g: no checksum error" mt_has "$g" mt 'memtouch: done .* errors=0 '
	done
	timeline_stop
	timeline_print "$csv" 10
	note "($c) states: $(timeline_states "$csv")"
	for g in "$g1" "$g2"; do
		note "($c) $g: mapped=$(mib "$(vm_num $g mapped_bytes)") consumed=$(mib "$(vm_num $g consumed_bytes)") ballooned=$(mib "$(vm_num $g balloon_current)") compressed=$(mib "$(vm_num $g compressed_bytes)") swapped=$(mib "$(vm_num $g swapped_bytes)") target=$(mib "$(vm_num $g target_bytes)") reclaimed=$(mib "$(vm_num $g reclaimed_bytes)") refaulted=$(mib "$(vm_num $g refaulted_bytes)") MiB thrashing=$(vm_num $g thrashing), memtouch passes=$(mt_value $g mt 'memtouch: done' passes) in $(mt_value $g mt 'memtouch: done' elapsed) s"
	done
	total=$(((in_end - in0) / 256))
	late=$(((in_end - in_late) / 256))
	note "($c) faulted back from swap in three ${WINDOW_S}s windows: $(((in_mid - in0) / 256)), $(((in_late - in_mid) / 256)), ${late} MiB (${total} MiB in all)"
	OC_TRANSITIONS=$(($(host_num transitions) - transitions0))
	# Reclaimed through the cgroups, plus the largest balloons, in MiB.
	OC_RECLAIMED=$(($(mib "$(vm_num "$g1" reclaimed_bytes)") + $(mib "$(vm_num "$g2" reclaimed_bytes)") +
		$(timeline_max "$csv" "${g1}_ballooned") + $(timeline_max "$csv" "${g2}_ballooned")))
	note "($c) reclaimed (through the cgroups + largest balloons): $OC_RECLAIMED MiB"
	OC_TOTAL_MIB=$total
	OC_LATE_MIB=$late
	for g in "$g1" "$g2"; do
		check "($c) no OOM kill in $g" eval "! guest_log_has $g 'Out of memory|oom-kill'"
		check "($c) $g down" pol_guest_down "$g"
	done
	check "($c) host back to high" wait_for 120 host_is state high
}

run_case a 300 300
check "(a) the host stayed high" test "$OC_TRANSITIONS" -eq 0
check "(a) nothing reclaimed" test "$OC_RECLAIMED" -eq 0

run_case b 600 80
check "(b) memory was reclaimed" test "$OC_RECLAIMED" -gt 32
check "(b) steady state: under 10 % of the swap-ins in the last third" \
	test $((OC_LATE_MIB * 10)) -le "$OC_TOTAL_MIB"

run_case c 600 600
check "(c) memory was reclaimed" test "$OC_RECLAIMED" -gt 32
check "(c) continuous: over 20 % of the swap-ins in the last third" \
	test $((OC_LATE_MIB * 5)) -gt "$OC_TOTAL_MIB"
check "no OOM kill in L1" eval '! dmesg | grep -q "Out of memory\|oom-kill"'
