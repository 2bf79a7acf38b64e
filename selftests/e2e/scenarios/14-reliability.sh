# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Reliability at 2x overcommitment: two 1024 MiB guests on a 1024 MiB L1
# (swap with zswap in front), each in its own cgroup, attached, balloons
# connected, the policy at its defaults.  Every guest writes 448 MiB of
# pages with known content and verifies them for minutes (memtouch: a
# 64 MiB active set checked and rewritten in a loop for 2 minutes, then
# every page checked), while the host balloons, compresses and swaps:
# the data, the guests' kernels and QEMU do not fit in L1's RAM.  Sizes
# are set by the emulated L1's swap-in speed (2-3 MiB/s): with 512 MiB
# per guest and a full check every 90 s, one guest needed more than 13
# minutes.
# Required: 0 guests killed or hung, 0 checksum errors, 0 OOM kills in L1
# or in the guests, and the host back in high once the load stops.
# Prints the time from entering soft to returning to high.
#
# e2e: timeout=2400 l1_mem=1024 npt=1 swap=3072

# shellcheck source=selftests/e2e/lib/policy-lib.sh
. "$REPO/selftests/e2e/lib/policy-lib.sh"

GUEST_MIB=1024
DATA_MIB=448
RUN_S=120

thp_off
check "sampling period 2 s" sh -c "echo 2000 >$SAMPLING/period_ms"
check "g1 up" pol_guest_up g1 3 "$GUEST_MIB"
check "g2 up" pol_guest_up g2 4 "$GUEST_MIB"
note "L1 RAM $(mib "$(host_num total_bytes)") MiB, guests $((2 * GUEST_MIB)) MiB, data $((2 * DATA_MIB)) MiB; minfree=$(mib "$(host_num minfree_bytes)") soft=$(mib "$(host_num soft_bytes)") MiB"
csv=$OUT/reliability.csv
timeline_start "$csv" g1 g2
transitions0=$(host_num transitions)

for g in g1 g2; do
	mt_start "$g" mt --size "$DATA_MIB" --active 64 --write --time "$RUN_S" \
		--report 10 --seed "${g#g}"
done
for g in g1 g2; do
	check "$g wrote its data" mt_wait "$g" mt 'memtouch: ready' 900
done
for g in g1 g2; do
	check "$g finished: verified every page" \
		mt_wait "$g" mt 'memtouch: done' $((RUN_S + 1200))
done
load_end=$SECONDS
check "host back to high after the load" wait_for 300 host_is state high
back=$((SECONDS - load_end))
timeline_stop
timeline_print "$csv" 20
note "states: $(timeline_states "$csv")"

errors=0
for g in g1 g2; do
	e=$(mt_value "$g" mt 'memtouch: done' errors)
	note "$g: $(guest_run "$g" 60 'grep -E "memtouch: (verify-all|done)" /tmp/mt.log' | tr '\n' ' ')"
	errors=$((errors + ${e:-1}))
done
killed=0
for g in g1 g2; do
	guest_alive "$g" || killed=$((killed + 1))
done
oom_l2=0
for g in g1 g2; do
	guest_log_has "$g" 'Out of memory|oom-kill' && oom_l2=$((oom_l2 + 1))
done
oom_l1=$(dmesg | grep -c 'Out of memory\|oom-kill')
note "reliability: guests_killed_or_hung=$killed checksum_errors=$errors oom_kills_l1=$oom_l1 oom_kills_l2=$oom_l2"
note "host: transitions=$(($(host_num transitions) - transitions0)) last_recovery_ms=$(host_num last_recovery_ms) (soft -> high), back to high ${back} s after the load stopped"
note "peak: swapped g1=$(timeline_max "$csv" g1_swapped) g2=$(timeline_max "$csv" g2_swapped) compressed g1=$(timeline_max "$csv" g1_compressed) g2=$(timeline_max "$csv" g2_compressed) ballooned g1=$(timeline_max "$csv" g1_ballooned) g2=$(timeline_max "$csv" g2_ballooned) MiB"
check "0 guests killed or hung" test "$killed" -eq 0
check "0 checksum errors" test "$errors" -eq 0
check "0 OOM kills in L1" test "$oom_l1" -eq 0
check "0 OOM kills in the guests" test "$oom_l2" -eq 0
check "the host left high (the test overcommitted it)" \
	test "$(($(host_num transitions) - transitions0))" -gt 0
check "recovery time recorded" test "$(host_num last_recovery_ms)" -gt 0
for g in g1 g2; do
	check "$g down" pol_guest_down "$g"
done
