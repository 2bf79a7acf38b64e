#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of an unpacked linux-source-6.12 tree, unpacking
# /usr/src/linux-source-6.12.tar.xz into the cache first if needed.  The
# cache is keyed on the Debian package version, so a new linux-source
# package gets a fresh tree and an old one is never reused by mistake.
#
# Cache root: $MRM_CACHE (default ~/.cache/mrm).
set -euo pipefail

cache=${MRM_CACHE:-$HOME/.cache/mrm}
tarball=/usr/src/linux-source-6.12.tar.xz
if ! ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) || [ ! -f "$tarball" ]; then
	echo "kernel-source.sh: linux-source-6.12 is not installed; run scripts/setup-debian.sh" >&2
	exit 1
fi

dir=$cache/src-$ver
if [ ! -f "$dir/linux-source-6.12/Makefile" ]; then
	mkdir -p "$cache"
	# Unpack under a lock so concurrent callers do it once.
	exec 9>"$cache/.unpack.lock"
	flock 9
	if [ ! -f "$dir/linux-source-6.12/Makefile" ]; then
		echo "kernel-source.sh: unpacking $tarball into $dir (about a minute)" >&2
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -C "$dir.tmp" -xJf "$tarball"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
fi
echo "$dir/linux-source-6.12"
