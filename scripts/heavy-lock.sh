# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# heavy_lock <who>: one heavy job at a time on this 2-core machine (a UML
# or kernel build, a QEMU L1 run): take $MRM_CACHE/heavy.lock (default
# ~/.cache/mrm) on file descriptor 8, waiting with a message if another
# job holds it.  Held until the calling script exits.  Sourced by
# scripts/kunit.sh and selftests/e2e/run.sh; do not wrap those scripts in
# flock(1) on the same file: they would wait for themselves.
heavy_lock() {
	local lock=${MRM_CACHE:-$HOME/.cache/mrm}/heavy.lock
	mkdir -p "${lock%/*}"
	exec 8>"$lock"
	if ! flock -n 8; then
		echo "$1: waiting for $lock (another UML build, kernel build or QEMU run holds it)" >&2
		flock 8
	fi
}
