#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every scenario with mrmsim, keep its results, plot its CSV, and fail
# if any expectation fails or any plot cannot be drawn.
#
#   tools/mrmsim/run-all.sh OUTDIR
set -uo pipefail

out=${1:?usage: run-all.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
status=0

for scn in "$here"/scenarios/*.scn; do
	name=$(basename "$scn" .scn)
	echo "== $name ($scn)"
	"$out/mrmsim" -o "$out" "$scn" | tee "$out/$name.txt"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "== $name: FAILED (exit $rc)"
		status=1
		continue
	fi
	if ! gnuplot -e "csv='$out/$name.csv'; png='$out/$name.png'" \
			"$here/scenarios/$name.gp"; then
		echo "== $name: plot FAILED"
		status=1
		continue
	fi
	echo "== $name: ok, $out/$name.png"
done
exit $status
