#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and print the directory of the e2e harness's debug L1
# kernel: linux-source-6.12's x86_64_defconfig with
# scripts/debug-kernel.config merged on top (KASAN, lockdep, atomic-sleep
# checks, debug objects, kmemleak, and what the harness needs).
#
#   scripts/debug-kernel.sh          print the directory, building it first
#                                    if it is not cached
#
# The directory, $MRM_CACHE/debug-<package version>-<hash of the fragment
# and this script> (MRM_CACHE defaults to ~/.cache/mrm), holds:
#   build/           the O= build tree: KDIR for modules built against it
#   vmlinuz          the kernel image
#   mods/            modules_install root (mods/lib/modules/<release>/)
#   release          the kernel release (make kernelrelease)
#   build-seconds    how long the build took
# Only a complete build is used: the last step writes build-seconds, and
# a directory without it is built again from scratch.  The first build
# takes tens of minutes on two cores and prints its time; later calls
# print the directory at once.  Takes the heavy-job lock while building
# (scripts/heavy-lock.sh).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
frag=$repo/scripts/debug-kernel.config
src=$("$repo/scripts/kernel-source.sh")
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$(cat "$frag" "$0" | sha256sum | cut -c1-12)
out=${MRM_CACHE:-$HOME/.cache/mrm}/debug-$ver-$key

say() { echo "debug-kernel.sh: $*" >&2; }

if [ -s "$out/build-seconds" ]; then
	echo "$out"
	exit 0
fi

# shellcheck source=scripts/heavy-lock.sh
. "$repo/scripts/heavy-lock.sh"
heavy_lock "$(basename "$0")"
# Another caller may have built it while this one waited for the lock.
if [ -s "$out/build-seconds" ]; then
	echo "$out"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/build"
start=$SECONDS
say "building the debug L1 kernel in $out (tens of minutes on two cores; once per linux-source version and fragment)"
kmake() { make -s -C "$src" O="$out/build" "$@"; }
kmake x86_64_defconfig >/dev/null
# In the build directory: merge_config.sh leaves its temporary files in
# the current one.
(cd "$out/build" && "$src/scripts/kconfig/merge_config.sh" -m -O . .config "$frag") >/dev/null
kmake olddefconfig >/dev/null

# Every line of the fragment must have survived olddefconfig: a symbol
# whose dependencies are missing is dropped silently.
missing=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$out/build/.config" || missing+=("$line")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		grep -q "^$sym=" "$out/build/.config" && missing+=("$line")
		;;
	esac
done <"$frag"
if [ ${#missing[@]} -gt 0 ]; then
	say "these lines of $frag do not hold after olddefconfig (missing dependencies?):"
	printf '  %s\n' "${missing[@]}" >&2
	exit 1
fi

# Its output goes to stderr: stdout is the directory, for callers.
kmake -j"$(nproc)" bzImage modules >&2
kmake INSTALL_MOD_PATH="$out/mods" INSTALL_MOD_STRIP=1 modules_install >/dev/null
cp "$out/build/arch/x86/boot/bzImage" "$out/vmlinuz"
kmake kernelrelease >"$out/release"
secs=$((SECONDS - start))
echo "$secs" >"$out/build-seconds"
say "built $(cat "$out/release") in ${secs} s (debug_kernel_build_s=$secs)"
echo "$out"
