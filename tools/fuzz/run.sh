#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the protocol fuzzer bounded and judge it: it fails on a crash (any
# sanitizer report or broken rule; the input is saved as build/fuzz/crash-*)
# and if fewer than <runs> inputs were executed within <seconds>.
#
#   run.sh <out dir> <runs> <seconds>
set -euo pipefail

out=$1
runs=$2
seconds=$3
log=$out/fuzz.log

mkdir -p "$out/corpus"
set +e
"$out/fuzz_proto" -runs="$runs" -max_total_time="$seconds" -max_len=8192 \
	-print_final_stats=1 -artifact_prefix="$out/" \
	"$out/corpus" "$out/seeds" >"$log" 2>&1
rc=$?
set -e

if [ $rc -ne 0 ]; then
	echo "fuzz: FAILED (exit $rc); see $log:"
	grep -E 'ERROR|rule broken|SUMMARY|Test unit written|runtime error' "$log" | head -n 20
	exit 1
fi
execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
if [ -z "$execs" ] || [ "$execs" -lt "$runs" ]; then
	echo "fuzz: FAILED: only ${execs:-0} of $runs inputs ran within ${seconds}s; see $log"
	exit 1
fi
echo "fuzz: $execs inputs, $rate execs/s, $cov, no crash (log: $log)"
