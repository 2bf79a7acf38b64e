# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# heavy_lock <who>: one heavy job at a time on this 2-core machine (a UML
# or kernel build, a QEMU L1 run): take $MRM_CACHE/heavy.lock (default
# ~/.cache/mrm) on file descriptor 8, waiting with a message if another
# job holds it.  Held until the calling script exits; its children (a
# run.sh that builds the debug kernel) see MRM_HEAVY_LOCK_HELD and do not
# wait for their parent.  Sourced by scripts/kunit.sh,
# scripts/debug-kernel.sh and selftests/e2e/run.sh; do not wrap those
# scripts in flock(1) on the same file: they would wait for themselves.
heavy_lock() {
	local lock=${MRM_CACHE:-$HOME/.cache/mrm}/heavy.lock
	[ -z "${MRM_HEAVY_LOCK_HELD:-}" ] || return 0
	mkdir -p "${lock%/*}"
	exec 8>"$lock"
	if ! flock -n 8; then
		echo "$1: waiting for $lock (another UML build, kernel build or QEMU run holds it)" >&2
		flock 8
	fi
	export MRM_HEAVY_LOCK_HELD=$$
}
