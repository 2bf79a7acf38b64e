#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every KUnit suite of mrm on UML built from linux-source-6.12.
#
# The repo's C sources are grafted into the cached kernel tree as
# drivers/mrm/ (copied, not linked: a kernel tree built with O= must not
# see object files from the out-of-tree module build), hooked into
# drivers/Kconfig and drivers/Makefile, and built by kunit.py with
# kunit/.kunitconfig.  The UML build directory is cached next to the tree,
# keyed on the same package version: the first build takes a few minutes,
# reruns seconds.
#
# Extra arguments go to `kunit.py run` (e.g. a suite glob: 'mrm_parse*').
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src=$("$repo/scripts/kernel-source.sh")
cache=$(dirname "$src")
build=$cache/uml-build

# Two kernel builds at once would starve this 2-core machine.
# shellcheck source=scripts/heavy-lock.sh
. "$repo/scripts/heavy-lock.sh"
heavy_lock "$(basename "$0")"

graft=$src/drivers/mrm
mkdir -p "$graft"
rsync -a --delete --prune-empty-dirs \
	--include='*/' --include='*.c' --include='*.h' \
	--include='/kunit/Kconfig' --include='/kunit/Makefile' \
	--exclude='/tools/***' --exclude='/selftests/***' --exclude='/build/***' \
	--exclude='*.mod.c' --exclude='*' \
	"$repo/" "$graft/"

grep -q 'drivers/mrm/kunit/Kconfig' "$src/drivers/Kconfig" ||
	sed -i '$i source "drivers/mrm/kunit/Kconfig"' "$src/drivers/Kconfig"
grep -q 'mrm/kunit/' "$src/drivers/Makefile" ||
	echo 'obj-$(CONFIG_MRM_KUNIT_TEST) += mrm/kunit/' >>"$src/drivers/Makefile"

cd "$src"
python3 tools/testing/kunit/kunit.py run \
	--build_dir="$build" \
	--kunitconfig="$repo/kunit/.kunitconfig" \
	--jobs="$(nproc)" \
	"$@"
