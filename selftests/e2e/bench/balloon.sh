# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# make bench-balloon: mrm's balloon against QEMU's virtio-balloon, side by
# side in one L1 run.  Two idle 1280 MiB guests whose free memory has
# been written (so every balloon page is resident in their QEMU and really
# has to be released); each inflates 1 GiB, twice, alternating: mrm's by
# /sys/kernel/mrm/vms/<vm>/balloon_target, virtio's by QMP "balloon".
# Time runs from the request to the host seeing the whole balloon
# (mrm: balloon_current; virtio: query-balloon "actual").  Prints seconds
# and MiB/s of each and the ratio of the best runs.
#
# e2e: timeout=1500 l1_mem=4096 npt=1 alone=1

QMP=$REPO/selftests/e2e/lib/qmp.py
# The operator drives the balloon here, not the policy loop.
check "policy loop disabled" policy_off
GUEST_MIB=1280
BALLOON_MIB=1024
ROUNDS=2

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l | xargs printf %.3f; }
virtio_actual() {
	"$QMP" "$RUN/$1.qmp" query-balloon | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p'
}
virtio_at_most() { [ "$(virtio_actual "$1")" -le "$2" ]; }
virtio_at_least() { [ "$(virtio_actual "$1")" -ge "$2" ]; }

guest_start mrm 3 "$GUEST_MIB"
guest_start virtio 4 "$GUEST_MIB" -device virtio-balloon-pci,id=balloon0
for g in mrm virtio; do
	check "$g boots" guest_wait_ready "$g" 180
done
check "virtio guest: virtio_balloon loaded, mrm_balloon not" \
	guest_run virtio 30 'rmmod mrm_balloon && insmod /lib/mrm/virtio_balloon.ko'
check "mrm guest attached" "$MRMCTL" attach --pid "$(guest_pid mrm)" --name mrm
check "mrm balloon connects" wait_for 60 attr_is mrm balloon_state connected
# virtio-balloon inflates until allocations fail; give mrm's floor the
# same room (default: RAM/16, 80 MiB here) so both can reach 1 GiB.
check "mrm guest floor lowered to 32 MiB" \
	guest_run mrm 10 'echo 32M >/sys/kernel/mrm_balloon/floor_bytes'
for g in mrm virtio; do
	check "$g writes its free memory" guest_run "$g" 300 \
		'memtouch --size $(($(sed -n "s/^MemAvailable: *\([0-9]*\) kB/\1/p" /proc/meminfo) / 1024 - 24)) --time 1 --report 0 | tail -n 1'
done

best_mrm=
best_virtio=
for round in $(seq "$ROUNDS"); do
	start=$(now)
	echo $((BALLOON_MIB * MIB)) >"$VMS/mrm/balloon_target"
	if wait_every 0.01 180 attr_is mrm balloon_current $((BALLOON_MIB * MIB)); then
		t=$(elapsed "$start" "$(now)")
		note "round $round: mrm inflated $BALLOON_MIB MiB in $t s ($(echo "$BALLOON_MIB / $t" | bc -l | xargs printf %.1f) MiB/s)"
		[ -z "$best_mrm" ] || [ "$(echo "$t < $best_mrm" | bc)" = 1 ] && best_mrm=$t
	else
		not_ok "round $round: mrm inflated $BALLOON_MIB MiB" "balloon_current=$(vm_attr mrm balloon_current)"
	fi

	start=$(now)
	"$QMP" "$RUN/virtio.qmp" balloon "{\"value\": $(((GUEST_MIB - BALLOON_MIB) * MIB))}" >/dev/null
	if wait_every 0.01 180 virtio_at_most virtio $(((GUEST_MIB - BALLOON_MIB) * MIB)); then
		t=$(elapsed "$start" "$(now)")
		note "round $round: virtio-balloon inflated $BALLOON_MIB MiB in $t s ($(echo "$BALLOON_MIB / $t" | bc -l | xargs printf %.1f) MiB/s)"
		[ -z "$best_virtio" ] || [ "$(echo "$t < $best_virtio" | bc)" = 1 ] && best_virtio=$t
	else
		not_ok "round $round: virtio-balloon inflated $BALLOON_MIB MiB" "actual=$(virtio_actual virtio)"
	fi

	# Deflate both for the next round (not timed).
	echo 0 >"$VMS/mrm/balloon_target"
	"$QMP" "$RUN/virtio.qmp" balloon "{\"value\": $((GUEST_MIB * MIB))}" >/dev/null
	check "round $round: mrm deflates" wait_for 300 attr_is mrm balloon_current 0
	check "round $round: virtio-balloon deflates" \
		wait_for 300 virtio_at_least virtio $((GUEST_MIB * MIB))
done

if [ -n "$best_mrm" ] && [ -n "$best_virtio" ]; then
	mrm_rate=$(echo "$BALLOON_MIB / $best_mrm" | bc -l | xargs printf %.1f)
	virtio_rate=$(echo "$BALLOON_MIB / $best_virtio" | bc -l | xargs printf %.1f)
	ratio=$(echo "$best_virtio / $best_mrm" | bc -l | xargs printf %.2f)
	note "bench-balloon: mrm ${best_mrm}s ${mrm_rate} MiB/s, virtio-balloon ${best_virtio}s ${virtio_rate} MiB/s, ratio ${ratio}x (best of $ROUNDS, $BALLOON_MIB MiB, npt=1)"
	echo "bench-balloon: mrm_mib_per_s=$mrm_rate virtio_mib_per_s=$virtio_rate ratio=$ratio" >"$OUT/bench.txt"
	ok "both balloons measured"
else
	not_ok "both balloons measured"
fi

check "mrm guest detached" "$MRMCTL" detach mrm
for g in mrm virtio; do
	check "$g powers off cleanly" guest_stop "$g" 120
done
