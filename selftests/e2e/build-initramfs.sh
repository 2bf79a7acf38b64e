#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the two initramfs images of the nested-KVM harness from what is
# installed on this machine (no downloads):
#
#   $OUT/l1.cpio  the L1 "host": busybox, the 9p modules to reach the build
#                 machine's root (which gives it QEMU and bash), the KVM,
#                 vhost-vsock and virtio-blk (swap disk) modules, and
#                 selftests/e2e/lib/l1-init as /init.
#   $OUT/l2.cpio  an L2 guest: busybox, the vsock and virtio-balloon
#                 modules, mrm_balloon.ko, the static test programs of
#                 selftests/e2e/guest/, and selftests/e2e/guest/init as /init.
#
# Usage: build-initramfs.sh <kernel version> <out dir> [<L1 release> <L1 module root>]
#
# With the last two, L1's image is built for another kernel whose modules
# are installed below <L1 module root> (lib/modules/<L1 release>/, as
# scripts/debug-kernel.sh leaves them), as $OUT/l1-<L1 release>.cpio; the
# guests keep the kernel of the first argument.
# Module dependencies and load order come from the kernel's own modules.dep
# (modprobe --show-depends); every .ko is stored decompressed, because
# busybox insmod cannot load a .ko.xz.
set -euo pipefail

kver=$1
out=$2
l1_kver=${3:-$kver}
l1_modroot=${4:-/}
l1_image=$out/l1.cpio
[ "$l1_kver" = "$kver" ] || l1_image=$out/l1-$l1_kver.cpio
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
busybox=$(command -v busybox || true)

die() { echo "build-initramfs: $*" >&2; exit 1; }

[ -n "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
	die "need a static busybox (apt-get install busybox-static)"
[ -d "/lib/modules/$kver/kernel" ] || die "no /lib/modules/$kver (install linux-image-$kver)"
[ -d "$l1_modroot/lib/modules/$l1_kver/kernel" ] || die "no $l1_modroot/lib/modules/$l1_kver"

# add_modules <kernel release> <module root> <root> <list> <module...>:
# copy modules of that kernel (installed below <module root>) and their
# dependencies into <root>/lib/mrm and append their insmod order to
# <root>/lib/mrm/<list>.  /init loads load.list; other lists are for
# scenarios that load modules themselves.  A module built into the kernel
# has no insmod line and is left out.
add_modules() {
	local release=$1 modroot=$2 root=$3 list=$4 mod path
	shift 4
	mkdir -p "$root/lib/mrm"
	for mod in "$@"; do
		modprobe -d "$modroot" -S "$release" --show-depends "$mod" |
			awk '$1 == "insmod" { print $2 }' |
			while read -r path; do
				local name
				name=$(basename "$path")
				name=${name%.xz}
				grep -qx "$name" "$root/lib/mrm/$list" 2>/dev/null && continue
				case "$path" in
				*.xz) xz -dc "$path" >"$root/lib/mrm/$name" ;;
				*) cp "$path" "$root/lib/mrm/$name" ;;
				esac
				echo "$name" >>"$root/lib/mrm/$list"
			done
	done
}

# A busybox root with its applets linked.
busybox_root() {
	local root=$1
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,mnt,etc}
	cp "$busybox" "$root/bin/busybox"
	for applet in $("$busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
}

pack() {
	local root=$1 image=$2
	(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) >"$image.tmp"
	mv "$image.tmp" "$image"
}

mkdir -p "$out"

# --- L1 ---
l1=$out/l1-root
busybox_root "$l1"
add_modules "$l1_kver" "$l1_modroot" "$l1" load.list 9pnet_virtio 9p kvm_amd vhost_vsock virtio_blk
install -m 0755 "$here/lib/l1-init" "$l1/init"
pack "$l1" "$l1_image"

# --- L2 ---
l2=$out/l2-root
busybox_root "$l2"
add_modules "$kver" / "$l2" load.list vmw_vsock_virtio_transport
add_modules "$kver" / "$l2" virtio_balloon.list virtio_balloon
cp "$repo/guest/mrm_balloon.ko" "$l2/lib/mrm/"
mkdir -p "$l2/usr/bin"
for bin in "$out"/guest-bin/*; do
	[ -e "$bin" ] && cp "$bin" "$l2/usr/bin/"
done
install -m 0755 "$here/guest/init" "$l2/init"
pack "$l2" "$out/l2.cpio"

echo "build-initramfs: $l1_image ($(du -h "$l1_image" | cut -f1)), $out/l2.cpio ($(du -h "$out/l2.cpio" | cut -f1))"
