# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The idle memory tax end to end (Waldspurger section 5.4, at small
# scale): two equal-share 768 MiB guests on a 1024 MiB L1 with swap and
# zswap, each in its own cgroup.  g1 writes half of the memory for VMs
# (A) and then stays idle, keeping its data; g2 runs memtouch over 0.6 A,
# all of it active, more than its half.  With tau = 0 (plain proportional
# share) each gets about half and g2's working set does not fit: it is
# reclaimed and faults back continuously.  With tau = 0.75 the sampler
# sees g1 idle, its idle memory is taxed, and g2 gets the memory its
# working set needs.  Reports g2's throughput (memtouch passes per second)
# under both, and the ratio (paper: +30 % or more).
# Runs alone (alone=1): the ratio is of two throughputs measured minutes
# apart, and another L1 beside it in one of the windows would skew it.
#
# e2e: timeout=2400 l1_mem=1024 npt=1 swap=2048 alone=1

# shellcheck source=selftests/e2e/lib/policy-lib.sh
. "$REPO/selftests/e2e/lib/policy-lib.sh"

GUEST_MIB=768
SETTLE_S=60
MEASURE_S=90

thp_off
check "sampling period 2 s" sh -c "echo 2000 >$SAMPLING/period_ms"
check "tau = 0" sh -c "echo 0 >$POL/tax_percent"
check "g1 up" pol_guest_up g1 3 "$GUEST_MIB"
check "g2 up" pol_guest_up g2 4 "$GUEST_MIB"
sleep 5
avail=$(host_num vm_available_bytes)
idle_mib=$((avail / 2 / MIB))
busy_mib=$((avail * 6 / 10 / MIB))
note "memory for VMs A=$(mib "$avail") MiB: g1 writes $idle_mib MiB and idles, g2 keeps $busy_mib MiB active"
csv=$OUT/idle-tax.csv
timeline_start "$csv" g1 g2

mt_start g1 mt --size "$idle_mib" --active 0 --time 0 --report 0 --seed 1
check "g1 filled" mt_wait g1 mt 'memtouch: ready' 900
mt_start g2 mt --size "$busy_mib" --write --time 0 --report 5 --seed 2
check "g2 filled" mt_wait g2 mt 'memtouch: ready' 900
t_ready=$SECONDS

# phase <tau>: settle, then measure g2's passes per second; sets RATE.
phase() {
	local from to
	sleep "$SETTLE_S"
	from=$((SECONDS - t_ready))
	sleep "$MEASURE_S"
	to=$((SECONDS - t_ready))
	RATE=$(mt_mean g2 mt passes_per_s "$from" "$to")
	note "tau=$1: g2 passes/s=$RATE (memtouch elapsed $from..$to s)"
	for g in g1 g2; do
		note "tau=$1: $g active=$(mib "$(vm_num $g active_bytes)") target=$(mib "$(vm_num $g target_bytes)") consumed=$(mib "$(vm_num $g consumed_bytes)") refaulted=$(mib "$(vm_num $g refaulted_bytes)") MiB thrashing=$(vm_num $g thrashing)"
	done
}
phase 0
rate0=$RATE
check "tau = 0.75" sh -c "echo 75 >$POL/tax_percent"
phase 0.75
rate75=$RATE
timeline_stop
timeline_print "$csv" 15
note "states: $(timeline_states "$csv")"

ratio=$(awk -v a="$rate75" -v b="$rate0" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }')
note "g2_passes_per_s_tau0=$rate0 g2_passes_per_s_tau75=$rate75 ratio=$ratio"
check "g2 measured under both" eval "[ '$rate0' != nan ] && [ '$rate75' != nan ]"
check "the tax gives the active guest at least 30 % more throughput" \
	awk -v r="$ratio" 'BEGIN { exit !(r == "inf" || r >= 1.3) }'

for g in g1 g2; do
	mt_stop "$g"
	# g1's final check reads most of its data back from L1's swap:
	# 152 s for 427 MiB in one CI run.
	check "$g memtouch done" mt_wait "$g" mt 'memtouch: done' 1200
	note "$g: $(guest_run "$g" 60 "grep -E 'memtouch: (verify-all|done)' /tmp/mt.log" | tr '\n' ' ')"
	check "$g: no checksum error" mt_has "$g" mt 'memtouch: done .* errors=0 '
	check "no OOM kill in $g" eval "! guest_log_has $g 'Out of memory|oom-kill'"
	check "$g down" pol_guest_down "$g"
done
check "no OOM kill in L1" eval '! dmesg | grep -q "Out of memory\|oom-kill"'
