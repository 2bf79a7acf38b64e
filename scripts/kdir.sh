#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel build directory to build against when KDIR is not given:
# the newest installed Debian 6.12 headers.  The running kernel is never
# used implicitly (on a build machine it is often not a target at all).
#
#   scripts/kdir.sh          newest /usr/src/linux-headers-6.12.*-amd64
#   scripts/kdir.sh 6.1      newest /usr/src/linux-headers-6.1.0-*-amd64
set -eu

series=${1:-6.12}
case "$series" in
6.12) pattern='/usr/src/linux-headers-6.12.*-amd64' ;;
6.1) pattern='/usr/src/linux-headers-6.1.0-*-amd64' ;;
*) echo "kdir.sh: unknown series '$series' (6.12 or 6.1)" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086 # the pattern is meant to glob
newest=$(ls -d $pattern 2>/dev/null | sort -V | tail -n 1)
if [ -z "$newest" ] || [ ! -f "$newest/Makefile" ]; then
	echo "kdir.sh: no $pattern installed; run scripts/setup-debian.sh or pass KDIR=" >&2
	exit 1
fi
echo "$newest"
