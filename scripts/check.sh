#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test of the project, one stage after another.  A
# failed stage does not stop the others; the summary gives each stage's
# result and wall time, and the last line is "N passed, N failed".  The
# summary is also written to build/check-summary.txt.
#
#   scripts/check.sh              all stages
#   scripts/check.sh kunit e2e    some stages
set -uo pipefail

cd "$(dirname "$0")/.."

stage_cmd() {
	case "$1" in
	build-6.12) echo "scripts/build-matrix.sh 6.12" ;;
	build-6.1) echo "scripts/build-matrix.sh 6.1" ;;
	checkpatch) echo "scripts/checkpatch.sh" ;;
	kunit) echo "scripts/kunit.sh" ;;
	sim) echo "make -s sim" ;;
	fuzz) echo "make -s fuzz" ;;
	instruments) echo "make -s -C selftests/e2e/guest test" ;;
	e2e) echo "selftests/e2e/run.sh" ;;
	*) return 1 ;;
	esac
}

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(build-6.12 build-6.1 checkpatch kunit sim fuzz instruments e2e)
for s in "${stages[@]}"; do
	stage_cmd "$s" >/dev/null || { echo "check: unknown stage '$s'" >&2; exit 2; }
done

mkdir -p build
summary=()
passed=0
failed=0
total_start=$SECONDS
for s in "${stages[@]}"; do
	cmd=$(stage_cmd "$s")
	echo
	echo "=== check: $s ($cmd)"
	start=$SECONDS
	if $cmd; then
		result=passed
		passed=$((passed + 1))
	else
		result=FAILED
		failed=$((failed + 1))
	fi
	secs=$((SECONDS - start))
	echo "=== check: $s $result in ${secs}s"
	summary+=("$(printf '%-12s %-7s %5ss' "$s" "$result" "$secs")")
done

{
	echo
	echo "=== check summary (wall time)"
	printf '%s\n' "${summary[@]}"
	echo "total                $((SECONDS - total_start))s"
	echo "$passed passed, $failed failed"
} | tee build/check-summary.txt
[ "$failed" -eq 0 ]
