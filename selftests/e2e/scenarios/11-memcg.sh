# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A VM's memory cgroup: accounting, share (KSM), compress and swap
# (memory.reclaim with zswap in front of swap), block (memory.high).  One
# 384 MiB guest started inside its own cgroup and attached with
# `mrmctl attach --cgroup`; QEMU's own page merging is off
# (mem-merge=off), so only mrm's marking of guest RAM lets KSM merge.
#
#  - KSM: 64 MiB of identical pages in the guest are merged within a
#    bounded time: shared_bytes > 0, consumed_bytes < mapped_bytes.
#  - reclaim: with 160 MiB of checksummed data in the guest, writing
#    128 MiB to the VM's reclaim file takes mapped memory down and puts
#    it in zswap or swap; the guest's data is intact.
#  - block: memory_high throttles the guest's growth to that value, and
#    the cgroup's memory.high is back to "max" after detach.
#
# e2e: timeout=900 l1_mem=2048 npt=1 swap=1024 ksm=1

# The mechanisms alone: the operator writes reclaim and memory_high, not
# the policy loop.
check "policy loop disabled" policy_off
RECLAIM=$((128 * MIB))
CG=$(guest_cgroup g1)

dmesg_has() { dmesg | grep -qE -- "$1"; }
usage_note() {
	note "$1: mapped=$(mib "$(vm_num g1 mapped_bytes)") consumed=$(mib "$(vm_num g1 consumed_bytes)") shared=$(mib "$(vm_num g1 shared_bytes)") compressed=$(mib "$(vm_num g1 compressed_bytes)") swapped=$(mib "$(vm_num g1 swapped_bytes)") reclaimed=$(mib "$(vm_num g1 reclaimed_bytes)") MiB; cgroup memory.current=$(mib "$(cat "$CG/memory.current")") MiB"
}

note "L1 swap: $(tail -n +2 /proc/swaps | awk '{ print $1, $3 " KiB" }'); zswap enabled=$(cat /sys/module/zswap/parameters/enabled)"
check "L1 has swap" test "$(tail -n +2 /proc/swaps | wc -l)" -ge 1
check "the ABI test of cgroup fds passes" "$E2E/l1-bin/mrm_dev_test" -t cgroup_fds_are_checked

MRM_CGROUP=1 guest_start g1 3 384 -machine mem-merge=off
check "g1 boots" guest_wait_ready g1 120
check "QEMU runs in its cgroup" grep -qx "0::/mrm/g1" "/proc/$(guest_pid g1)/cgroup"
out=$("$MRMCTL" attach --pid "$(guest_pid g1)" --name g1 --cgroup "$CG" 2>&1)
check "g1 attached with --cgroup" grep -q '^attached: .*cgroup=/sys/fs/cgroup/mrm/g1' <<<"$out"
check "sysfs shows the cgroup" grep -qx /mrm/g1 "$VMS/g1/cgroup"
check "memory_high not set yet" grep -qx -- - "$VMS/g1/memory_high"
check "hostile reclaim writes are refused" eval '! echo -1 >"$VMS/g1/reclaim" && ! echo 1T >"$VMS/g1/reclaim" && ! echo x >"$VMS/g1/reclaim"'
check "a small memory_high is refused" eval '! echo 4096 >"$VMS/g1/memory_high"'

# --- share --------------------------------------------------------------
# QEMU did not mark its RAM (mem-merge=off): mrm did.
check "mrm marked guest RAM mergeable" dmesg_has 'vm [0-9]+: [0-9]+ guest RAM VMA\(s\) marked mergeable'
check "g1 writes 64 MiB of identical pages" guest_run g1 120 \
	"yes | head -c $((64 * MIB)) >/tmp/same"
start=$SECONDS
check "KSM merges them (shared_bytes > 32 MiB within 240 s)" \
	wait_for 240 eval '[ "$(vm_num g1 shared_bytes)" -gt $((32 * MIB)) ]'
note "KSM: shared after $((SECONDS - start)) s; L1 pages_shared=$(cat /sys/kernel/mm/ksm/pages_shared) pages_sharing=$(cat /sys/kernel/mm/ksm/pages_sharing)"
usage_note "after KSM"
check "consumed < mapped once pages are shared" \
	eval '[ "$(vm_num g1 consumed_bytes)" -lt "$(vm_num g1 mapped_bytes)" ]'
# Keep the rest fast: stop scanning (merged pages stay merged).
echo 0 >/sys/kernel/mm/ksm/run
guest_run g1 60 'rm -f /tmp/same' >/dev/null

# --- compress and swap ----------------------------------------------------
guest_run g1 60 'memtouch --size 160 --active 0 --time 0 --report 0 >/tmp/mt1.log 2>&1 &'
check "memtouch filled 160 MiB" mt_wait g1 mt1 'memtouch: ready' 300
sleep 1
usage_note "before reclaim"
mapped0=$(vm_num g1 mapped_bytes)
consumed0=$(vm_num g1 consumed_bytes)
out0=$(($(vm_num g1 compressed_bytes) + $(vm_num g1 swapped_bytes)))
start=$SECONDS
echo "$RECLAIM" >"$VMS/g1/reclaim"
check "reclaim completes 128 MiB within 120 s" \
	wait_for 120 eval '[ "$(vm_num g1 reclaimed_bytes)" -ge $RECLAIM ]'
note "reclaim: $(mib "$(vm_num g1 reclaimed_bytes)") MiB in $((SECONDS - start)) s"
sleep 1
usage_note "after reclaim"
mapped1=$(vm_num g1 mapped_bytes)
consumed1=$(vm_num g1 consumed_bytes)
out1=$(($(vm_num g1 compressed_bytes) + $(vm_num g1 swapped_bytes)))
note "mapped fell $(mib $((mapped0 - mapped1))) MiB, consumed $(mib $((consumed0 - consumed1))) MiB; compressed+swapped rose $(mib $((out1 - out0))) MiB"
check "mapped fell by at least half the request" test $((mapped0 - mapped1)) -ge $((RECLAIM / 2))
check "consumed fell by at least half the request" test $((consumed0 - consumed1)) -ge $((RECLAIM / 2))
check "compressed+swapped rose by at least half the request" test $((out1 - out0)) -ge $((RECLAIM / 2))
check "cgroup memory.stat agrees on zswapped" \
	test "$(awk '$1 == "zswapped" { print $2 }' "$CG/memory.stat")" -ge 0
guest_run g1 60 'kill -TERM $(pidof memtouch) 2>/dev/null'
check "memtouch finishes" mt_wait g1 mt1 'memtouch: done' 300
note "$(guest_run g1 60 'grep "memtouch: done" /tmp/mt1.log')"
check "memtouch: no checksum error after swap-in" \
	mt_has g1 mt1 'memtouch: done .* errors=0 zero_pages=0'

# --- block ----------------------------------------------------------------
# memtouch's 160 MiB are resident again (its final check read them back)
# and free in the guest.  A memory.high 32 MiB below the cgroup's usage
# reclaims down to it; then the guest writes 128 MiB, which would bring
# that memory back: the cgroup must stay near memory.high, throttled.
cur=$(cat "$CG/memory.current")
high=$(((cur / MIB - 32) * MIB))
events0=$(awk '$1 == "high" { print $2 }' "$CG/memory.events")
check "memory_high accepted" eval "echo $high >'$VMS/g1/memory_high'"
check "sysfs shows it" grep -qx "$high" "$VMS/g1/memory_high"
check "the cgroup's memory.high is it" grep -qx "$high" "$CG/memory.high"
guest_run g1 60 '{ memtouch --size 128 --write --time 5 --report 0 --seed 9 >/tmp/mt2.log 2>&1; echo "exit=$?" >>/tmp/mt2.log; } &'
peak=0
deadline=$((SECONDS + 240))
until mt_has g1 mt2 '^exit=' || [ "$SECONDS" -ge "$deadline" ]; do
	now=$(cat "$CG/memory.current")
	[ "$now" -gt "$peak" ] && peak=$now
	sleep 0.5
done
events1=$(awk '$1 == "high" { print $2 }' "$CG/memory.events")
note "block: memory.current $(mib "$cur") MiB, memory.high $(mib "$high") MiB, peak $(mib "$peak") MiB while the guest wrote 128 MiB; memory.events high $events0 -> $events1"
note "$(guest_run g1 60 'grep -E "memtouch: (ready|done)" /tmp/mt2.log' | tr '\n' ' ')"
usage_note "after growth under memory.high"
check "the guest's workload finished without error" mt_has g1 mt2 '^exit=0'
check "usage held near memory.high (peak <= high + 16 MiB)" test "$peak" -le $((high + 16 * MIB))
check "the cgroup was throttled (memory.events high rose)" test "$events1" -gt "$events0"
if guest_log_has g1 'Out of memory|oom-kill|Killed process'; then
	not_ok "no OOM kill in the guest"
else
	ok "no OOM kill in the guest"
fi

check "g1 detached" "$MRMCTL" detach g1
check "memory.high restored to max on detach" grep -qx max "$CG/memory.high"
check "g1 powers off cleanly" guest_stop g1 60
check "g1's cgroup can be removed" rmdir "$CG"

# --- mrmctl attach --cgroup alone -----------------------------------------
# g2 starts outside any VM cgroup.  A cgroup it is not in is refused with
# the cgroup it is really in; --cgroup alone makes /sys/fs/cgroup/mrm/g2
# and moves QEMU there.
guest_start g2 4 192
check "g2 boots" guest_wait_ready g2 120
cgroup_make "$CGROUP_ROOT/mrm/empty"
out=$("$MRMCTL" attach --pid "$(guest_pid g2)" --name g2 --cgroup "$CGROUP_ROOT/mrm/empty" 2>&1)
rc=$?
note "mrmctl: $(tr '\n' ' ' <<<"$out")"
check "a cgroup QEMU is not in is refused (exit 1, EXDEV)" \
	eval '[ $rc -eq 1 ] && grep -q "EXDEV.*is in cgroup /" <<<"$out"'
rmdir "$CGROUP_ROOT/mrm/empty"
out=$("$MRMCTL" attach --pid "$(guest_pid g2)" --name g2 --cgroup 2>&1)
note "mrmctl: $(tr '\n' ' ' <<<"$out")"
check "g2 attached with --cgroup alone" grep -q '^attached: .*cgroup=/sys/fs/cgroup/mrm/g2' <<<"$out"
check "mrmctl says what stays charged to the old cgroup" grep -q 'stay charged to its old cgroup' <<<"$out"
check "QEMU moved into it" grep -qx "0::/mrm/g2" "/proc/$(guest_pid g2)/cgroup"
check "sysfs shows it" grep -qx /mrm/g2 "$VMS/g2/cgroup"
check "g2 detached" "$MRMCTL" detach g2
check "g2 powers off cleanly" guest_stop g2 60
check "g2's cgroup can be removed" rmdir "$CGROUP_ROOT/mrm/g2"
