#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs one e2e scenario inside the L1 host (called by l1-init in a chroot
# into the build machine's root).  Loads mrm_host.ko, runs the scenario,
# then checks what every scenario must leave behind: no guest still
# running, mrm_host unloads, no kernel warning in L1 or any guest.
# Writes TAP to $OUT/results.tap.
set -u

scenario=$1
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
E2E=$REPO/build/e2e
OUT=/run/mrm-out
RUN=/run/mrm
# From L1's command line, through l1-init's environment: the guests'
# kernel (Debian's, also when L1 runs the debug kernel), the mrm_host.ko
# built for L1's kernel, and the scale of every wait (l1-lib.sh).
KVER=${MRM_GUEST_KVER:-$(uname -r)}
MRM_HOST_KO=${MRM_HOST_KO:-$REPO/host/mrm_host.ko}
WAIT_SCALE=${WAIT_SCALE:-1}
export REPO E2E OUT RUN KVER MRM_HOST_KO WAIT_SCALE
mkdir -p "$RUN"
: >"$OUT/results.tap"

# shellcheck source=selftests/e2e/lib/l1-lib.sh
. "$REPO/selftests/e2e/lib/l1-lib.sh"

tap_line "TAP version 13"
note "scenario $(basename "$scenario") on L1 kernel $(uname -r), guests $KVER, npt=$(cat /sys/module/kvm_amd/parameters/npt)"

# The debug kernel has kmemleak: forget what L1 leaked before mrm_host
# came, so that the scan at the end sees only what followed.
KMEMLEAK=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
[ -w "$KMEMLEAK" ] && echo clear >"$KMEMLEAK"

if insmod "$MRM_HOST_KO"; then
	ok "mrm_host loads in L1"
else
	not_ok "mrm_host loads in L1"
fi
check "/sys/kernel/mrm/version reads" grep -qx '[0-9][0-9.]*' /sys/kernel/mrm/version

# shellcheck source=/dev/null
. "$scenario"

guests_reap
for console in "$OUT"/*.console; do
	[ -e "$console" ] || continue
	log_clean "$console" "guest $(basename "$console" .console) console"
done
if grep -q '^mrm_host ' /proc/modules; then
	check "mrm_host unloads" rmmod mrm_host
fi
[ -w "$KMEMLEAK" ] && kmemleak_check
dmesg >"$OUT/l1-dmesg.txt"
log_clean "$OUT/l1-dmesg.txt" "L1 dmesg"

tap_line "1..$TAP_N"
[ "$TAP_FAILED" -eq 0 ]
