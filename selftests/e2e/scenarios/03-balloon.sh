# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The balloon end to end: two 384 MiB guests attached with mrmctl connect
# to mrm_host; a 128 MiB target on g1 inflates its balloon and the memory
# really leaves its QEMU process (RSS in L1 falls by >= 90 % of it);
# target 0 deflates it; g2 is untouched throughout.  Nested paging.
#
# e2e: timeout=300 l1_mem=2048 npt=1

# The operator drives the balloon here, not the policy loop.
check "policy loop disabled" policy_off
TARGET=$((128 * MIB))

qemu_rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$(guest_pid "$1")/status"; }
guest_is() { [ "$(guest_run "$1" 10 "cat /sys/kernel/mrm_balloon/$2")" = "$3" ]; }

guest_start g1 3 384
guest_start g2 4 384
for g in g1 g2; do
	check "$g boots" guest_wait_ready "$g" 120
	check "$g attached with mrmctl" "$MRMCTL" attach --pid "$(guest_pid "$g")" --name "$g"
done
for g in g1 g2; do
	# The guest retries with back-off from 1 s, doubling, since it loaded.
	check "$g balloon connects" wait_for 60 attr_is "$g" balloon_state connected
	check "$g guest side says connected" wait_for 10 guest_is "$g" state connected
done

# Write almost all of g1's free memory, then free it: every page the
# balloon can take is then resident in g1's QEMU, and releasing it must
# really give the host memory back.
check "g1 writes and frees its free memory" guest_run g1 120 \
	'memtouch --size $(($(sed -n "s/^MemAvailable: *\([0-9]*\) kB/\1/p" /proc/meminfo) / 1024 - 16)) --time 1 --report 0 | tail -n 1'
rss_before=$(qemu_rss g1)
g2_rss_before=$(qemu_rss g2)
start=$SECONDS
echo "$TARGET" >"$VMS/g1/balloon_target"
check "g1 host record reaches 128 MiB" wait_for 60 attr_is g1 balloon_current "$TARGET"
note "g1 inflated 128 MiB in $((SECONDS - start)) s"
# The guest counts the frames when the host's ACK arrives.
check "g1 guest holds 128 MiB" wait_for 10 guest_is g1 acked_bytes "$TARGET"
rss_after=$(qemu_rss g1)
freed=$((rss_before - rss_after))
note "g1 QEMU RSS $((rss_before / MIB)) MiB -> $((rss_after / MIB)) MiB (freed $((freed / MIB)) MiB)"
if [ "$freed" -ge $((TARGET * 9 / 10)) ]; then
	ok "g1 QEMU RSS fell by >= 90 % of the balloon"
else
	not_ok "g1 QEMU RSS fell by >= 90 % of the balloon" "freed $freed bytes of $TARGET"
fi
check "g2 balloon untouched" attr_is g2 balloon_current 0
check "g2 guest balloon empty" guest_is g2 current_bytes 0
g2_rss_after=$(qemu_rss g2)
note "g2 QEMU RSS $((g2_rss_before / MIB)) MiB -> $((g2_rss_after / MIB)) MiB"

echo 0 >"$VMS/g1/balloon_target"
check "g1 deflates to 0 on the host" wait_for 60 attr_is g1 balloon_current 0
check "g1 guest balloon empty" wait_for 30 guest_is g1 current_bytes 0
check "g1 guest reports stats" wait_for 15 eval '[ "$(vm_attr g1 guest/total_bytes)" != - ]'
note "g1 guest/available_bytes=$(vm_attr g1 guest/available_bytes) total_bytes=$(vm_attr g1 guest/total_bytes)"

for g in g1 g2; do
	check "$g unloads mrm_balloon" guest_run "$g" 30 'rmmod mrm_balloon'
	check "$g detached" "$MRMCTL" detach "$g"
	check "$g powers off cleanly" guest_stop "$g" 60
done
