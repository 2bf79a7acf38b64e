#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Set up a Debian 12 (bookworm) machine to build and test mrm: installs
# every package the build, the tests and the harness need, from Debian's
# archive.  Safe to run again; it only adds what is missing.
#
#   scripts/setup-debian.sh      (as root, or through sudo)
set -euo pipefail

packages=(
	# the module build and its checks
	make gcc libc6-dev perl sparse file kmod
	# target kernels: headers for Debian 6.12 (newest) and 6.1, the
	# 6.12 image booted by the harness, the 6.12 source for KUnit and
	# checkpatch
	linux-headers-6.12-amd64 linux-image-6.12-amd64 linux-source-6.12
	linux-headers-amd64
	# KUnit on UML
	python3 bc flex bison rsync xz-utils
	# the nested-KVM harness, and its debug L1 kernel (objtool needs
	# libelf, the certificate tools libssl)
	qemu-system-x86 busybox-static cpio socat libelf-dev libssl-dev
	# fuzzing and the simulator's plots
	clang libclang-rt-14-dev gnuplot-nox
)

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$sudo apt-get update -q
	$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The harness boots the image whose version matches the newest 6.12
# headers; refuse to report success if the two disagree.
kdir=$("$(dirname "$0")/kdir.sh")
kver=${kdir##*/linux-headers-}
if [ ! -r "/boot/vmlinuz-$kver" ]; then
	echo "setup: /boot/vmlinuz-$kver missing for $kdir; install linux-image-$kver" >&2
	exit 1
fi
echo "setup: ready (KDIR=$kdir, 6.1 headers: $("$(dirname "$0")/kdir.sh" 6.1))"
