#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build both modules from clean against every target kernel series, with
# W=1 (extra compiler warnings) and C=1 (sparse).  Any compiler, sparse or
# modpost warning fails the run and is printed.  Logs: build/matrix-*.log.
#
#   scripts/build-matrix.sh            Debian 6.12 and 6.1 headers
#   scripts/build-matrix.sh 6.12       one series
set -euo pipefail

cd "$(dirname "$0")/.."
mkdir -p build
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.12 6.1)

status=0
for s in "${series[@]}"; do
	kdir=$(scripts/kdir.sh "$s")
	log=build/matrix-$s.log
	make -s -C "$kdir" M="$PWD" clean >/dev/null 2>&1 || true
	if ! make KDIR="$kdir" W=1 C=1 modules >"$log" 2>&1; then
		echo "matrix: $s: build FAILED against $kdir; see $log:"
		grep -E 'error|Error' "$log" | head -n 40
		status=1
		continue
	fi
	if grep -nE 'warning:|WARNING:' "$log"; then
		echo "matrix: $s: warnings against $kdir (above); see $log"
		status=1
		continue
	fi
	checked=$(grep -c '^  CHECK ' "$log" || true)
	if [ "$checked" -eq 0 ]; then
		echo "matrix: $s: sparse did not run (no CHECK lines in $log); is sparse installed?"
		status=1
		continue
	fi
	echo "matrix: $s: clean build against $kdir (W=1, sparse checked $checked files)"
done
# Leave the tree built for the default target, as a plain `make` would.
make -s -C "$(scripts/kdir.sh)" M="$PWD" clean >/dev/null 2>&1 || true
make -s modules >/dev/null
exit $status
