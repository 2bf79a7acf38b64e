#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The nested-KVM end-to-end harness (`make e2e`).
#
#   selftests/e2e/run.sh [scenario...]   (default: every scenario)
#
# For each scenario (selftests/e2e/scenarios/*.sh) it boots a QEMU L1 host
# (TCG, emulated AMD SVM CPU, the Debian kernel matching KDIR), which loads
# KVM, vhost-vsock and mrm_host.ko and runs the scenario; the scenario
# starts L2 guests under real KVM.  A scenario declares its limits in a
# header line, all optional:
#
#   # e2e: timeout=<s> l1_mem=<MiB> npt=<0|1> swap=<MiB> ksm=<0|1> alone=<0|1> kernel=<debian|debug>
#
# swap=<MiB> gives L1 a sparse raw disk of that size (build/e2e/<scenario>/
# swap.img, virtio-blk) that it uses as swap, with zswap in front of it;
# ksm=1 starts L1's KSM scanner (fast: 20 ms sleeps, 1000 pages a round).
# Scenarios run two at a time (E2E_JOBS=<n> to change, 1: one after
# another); alone=1 runs a scenario with no other L1 beside it.
# kernel=debug (or E2E_KERNEL=debug in the environment, for every
# scenario: `make e2e KERNEL=debug`) boots L1 on the debug kernel of
# scripts/debug-kernel.sh (KASAN, lockdep, atomic-sleep checks, debug
# objects, kmemleak), built once and cached, with an mrm_host.ko built
# for it; its timeout is DEBUG_SLOWDOWN times the header's.  The guests
# keep Debian's kernel.
#
# Results are TAP: one test per scenario, its checks as indented subtests.
# The repository may be anywhere (L1 mounts it at its own path); a
# scenario must live below the repository or in a directory of the build
# machine that is not below /tmp or /run (L1 mounts its own there).
#
# A scenario passes when its own checks pass, the L1 console shows no
# kernel warning, and L1 powered off cleanly within its timeout.  On
# failure the relevant console lines are printed.  Everything a run
# produced stays in build/e2e/<scenario>/ (console.log, out/).
set -uo pipefail

# Without symbolic links: L1 mounts the repository at this path, and
# scenario paths are compared with it.
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$repo"
e2e=$repo/build/e2e
# shellcheck source=selftests/e2e/lib/kernel-log.sh
. "$repo/selftests/e2e/lib/kernel-log.sh"

die() { echo "e2e: $*" >&2; exit 1; }

KDIR=${KDIR:-$(scripts/kdir.sh)} || die "no kernel headers"
kver=$(basename "$KDIR")
kver=${kver#linux-headers-}
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "no $kernel to boot for KDIR=$KDIR (apt-get install linux-image-$kver)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/setup-debian.sh)"

if [ $# -gt 0 ]; then
	scenarios=()
	for s in "$@"; do
		[ -f "$s" ] || s=selftests/e2e/scenarios/${s%.sh}.sh
		[ -f "$s" ] || die "no scenario $s"
		s=$(realpath "$s")
		case $s in
		"$repo"/*) ;;
		/tmp/* | /run/*) die "$s: L1 mounts its own /tmp and /run and would not see it; put it below $repo or another directory" ;;
		esac
		for t in "${scenarios[@]}"; do
			[ "$(basename "$t")" != "$(basename "$s")" ] ||
				die "$s: a scenario named $(basename "$s") is given twice (each has its own build/e2e/<name>/)"
		done
		scenarios+=("$s")
	done
else
	mapfile -t scenarios < <(ls "$repo"/selftests/e2e/scenarios/*.sh)
fi

# One heavy job at a time on this machine: the L1s of this run, or a
# UML build (scripts/heavy-lock.sh).
# shellcheck source=scripts/heavy-lock.sh
. "$repo/scripts/heavy-lock.sh"
heavy_lock "$(basename "$0")"

echo "e2e: building modules and images for $kver"
make -s KDIR="$KDIR" modules >/dev/null || die "module build failed"
# The guest programs, static, as their own Makefile builds them for the
# native tests.
make -s -C selftests/e2e/guest OUT="$e2e/guest-bin" all >/dev/null ||
	die "cannot build the guest programs (selftests/e2e/guest)"
# Programs the scenarios run in L1 (dynamic: L1 runs them in a chroot into
# this machine's root); the tests use the kernel's kselftest_harness.h.
make -s -C tools/mrmctl >/dev/null || die "mrmctl build failed"
mkdir -p "$e2e/l1-bin"
harness_inc=$(scripts/kernel-source.sh)/tools/testing/selftests || die "no kernel source"
for src in selftests/e2e/l1/*.c; do
	[ -e "$src" ] || continue
	gcc -O2 -Wall -Werror -Iinclude/uapi -I"$harness_inc" -o "$e2e/l1-bin/$(basename "$src" .c)" "$src" ||
		die "cannot build $src"
done
selftests/e2e/build-initramfs.sh "$kver" "$e2e" || die "initramfs build failed"

header() { # header <scenario> <key> <default>
	local v
	v=$(sed -n 's/^# e2e:.*\b'"$2"'=\([^ ]*\).*/\1/p' "$1" | head -n 1)
	echo "${v:-$3}"
}

# scenario_kernel <scenario>: debian or debug.
scenario_kernel() {
	local k=${E2E_KERNEL:-$(header "$1" kernel debian)}
	case $k in
	debian | debug) echo "$k" ;;
	*) die "$1: kernel=$k: not debian or debug" ;;
	esac
}

# The debug kernel is slower (KASAN's checks of every access, lockdep,
# in L1's KVM too, so the guests are slower as well): its scenarios get
# this many times their timeout and every wait in them (WAIT_SCALE in
# l1-lib.sh).
DEBUG_SLOWDOWN=4
dbg=
need_debug=0
for scenario in "${scenarios[@]}"; do
	k=$(scenario_kernel "$scenario") || exit 1
	[ "$k" = debug ] && need_debug=1
done
if [ "$need_debug" = 1 ]; then
	dbg=$(scripts/debug-kernel.sh) || die "the debug kernel did not build"
	dbg_release=$(cat "$dbg/release") || die "no kernel release in $dbg"
	# An out-of-tree build writes next to its sources: mrm_host.ko for
	# the debug kernel is built from a copy, so that host/mrm_host.ko
	# stays Debian's.  Only the host module: the guests keep Debian's
	# kernel, and the debug kernel has no balloon support to build
	# mrm_balloon against.
	mkdir -p "$e2e/debug-mod"
	# Sources only: kbuild's outputs (.mod lists naming Debian's
	# objects among them) would have the debug module linked from
	# Debian-built objects.  Excluded files in the copy are kept, so the
	# debug build stays incremental.
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude=modules.order \
		--exclude=Module.symvers \
		Kbuild.compat host common include "$e2e/debug-mod/" ||
		die "cannot copy the sources to $e2e/debug-mod"
	echo 'obj-m += host/' >"$e2e/debug-mod/Kbuild"
	make -s -C "$dbg/build" M="$e2e/debug-mod" modules >/dev/null ||
		die "mrm_host.ko does not build against the debug kernel ($dbg/build)"
	selftests/e2e/build-initramfs.sh "$kver" "$e2e" "$dbg_release" "$dbg/mods" ||
		die "debug L1 initramfs build failed"
fi

# run_one <scenario>: boot its L1, run it, judge it.  Writes the TAP
# lines of the scenario (its checks indented, then "ok"/"not ok <name>",
# without a number) to $dir/report, and the number of its boot retries to
# $dir/retries, last, when everything else is written: renamed into place,
# so that a retries file that exists is complete.
run_one() {
	local scenario=$1 name dir timeout mem npt swap ksm start qrc secs tap
	local failed_checks bad p console qlog l1_kernel=$kernel l1_initrd=$e2e/l1.cpio
	local append
	local -a disk_args=() problems=()
	name=$(basename "$scenario" .sh)
	dir=$e2e/$name
	timeout=$(header "$scenario" timeout 300)
	mem=$(header "$scenario" l1_mem 2048)
	npt=$(header "$scenario" npt 1)
	swap=$(header "$scenario" swap 0)
	ksm=$(header "$scenario" ksm 0)
	append="console=ttyS0 loglevel=5 panic=-1 mrm_repo=$repo mrm_scenario=$scenario mrm_npt=$npt mrm_swap=$((swap > 0)) mrm_ksm=$ksm mrm_guest_kver=$kver"
	if [ "$(scenario_kernel "$scenario")" = debug ]; then
		l1_kernel=$dbg/vmlinuz
		l1_initrd=$e2e/l1-$dbg_release.cpio
		append+=" mrm_host_ko=$e2e/debug-mod/host/mrm_host.ko mrm_wait_scale=$DEBUG_SLOWDOWN acpi=noirq"
		timeout=$((timeout * DEBUG_SLOWDOWN))
	fi
	if [ "$swap" -gt 0 ]; then
		# Sparse: only what L1 swaps out takes space on this machine.
		truncate -s "${swap}M" "$dir/swap.img"
		disk_args=(-drive "file=$dir/swap.img,format=raw,if=virtio,cache=unsafe")
	fi

	start=$SECONDS
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-accel tcg -cpu EPYC-Rome -smp 1 -m "$mem" \
		-nodefaults -display none -no-reboot \
		-kernel "$l1_kernel" -initrd "$l1_initrd" \
		-append "$append" \
		-serial "file:$dir/console.log" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$repo,mount_tag=mrmrepo,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$dir/out,mount_tag=mrmout,security_model=none,multidevs=remap" \
		"${disk_args[@]}" \
		>"$dir/qemu.log" 2>&1
	qrc=$?
	secs=$((SECONDS - start))

	[ "$qrc" -eq 124 ] && problems+=("L1 did not finish within ${timeout}s (killed)")
	[ "$qrc" -ne 0 ] && [ "$qrc" -ne 124 ] && problems+=("L1 QEMU exited with status $qrc: $(tail -n 3 "$dir/qemu.log" | tr '\n' ' ')")
	tap=$dir/out/results.tap
	if [ ! -s "$tap" ]; then
		problems+=("scenario wrote no results")
	else
		grep -q '^Bail out!' "$tap" && problems+=("$(grep '^Bail out!' "$tap")")
		# "not ok ... # TODO" is known behaviour not yet right
		# (check_todo): reported, not counted.
		failed_checks=$(grep '^not ok' "$tap" | grep -vc '# TODO ')
		[ "$failed_checks" -gt 0 ] && problems+=("$failed_checks check(s) failed")
		grep -qE '^1\.\.[0-9]+$' "$tap" || problems+=("scenario did not finish (no TAP plan)")
	fi
	grep -qa '^@@ L1 poweroff' "$dir/console.log" || problems+=("L1 did not reach its clean poweroff")
	bad=$(tr -d '\r' <"$dir/console.log" | grep -naE -- "$BAD_LOG_RE" |
		grep -vE -- "$BAD_LOG_IGNORE_RE" | head -n 20)
	[ -n "$bad" ] && problems+=("kernel warnings on the L1 console")

	{
		if [ -s "$tap" ]; then
			sed 's/^/    /' "$tap"
		fi
		if [ -s "$dir/out/boot-retries" ]; then
			# Not a failure (see guest_wait_ready), but never silent.
			echo "# $name: guests booted a second time after dying or stalling before /init loaded a module:"
			sed 's/^/#   /' "$dir/out/boot-retries"
		fi
		if [ ${#problems[@]} -eq 0 ]; then
			echo "ok - $name (${secs}s)"
		else
			echo "not ok - $name (${secs}s)"
			for p in "${problems[@]}"; do
				echo "# $p"
			done
			if [ -n "$bad" ]; then
				echo "# --- L1 console, kernel warnings (line numbers in $dir/console.log):"
				sed 's/^/#   /' <<<"$bad"
			fi
			echo "# --- L1 console, last 25 lines ($dir/console.log):"
			tr -d '\r' <"$dir/console.log" | tail -n 25 | sed 's/^/#   /'
			for console in "$dir"/out/*.console; do
				[ -e "$console" ] || continue
				echo "# --- guest $(basename "$console" .console) console, last 15 lines ($console):"
				tr -d '\r' <"$console" | tail -n 15 | sed 's/^/#   /'
			done
			for qlog in "$dir"/out/*.qemu.log; do
				[ -s "$qlog" ] || continue
				echo "# --- guest $(basename "$qlog" .qemu.log) QEMU output, last 5 lines ($qlog):"
				tail -n 5 "$qlog" | sed 's/^/#   /'
			done
		fi
	} >"$dir/report"
	if [ -s "$dir/out/boot-retries" ]; then
		wc -l <"$dir/out/boot-retries" >"$dir/retries.tmp"
	else
		echo 0 >"$dir/retries.tmp"
	fi
	mv "$dir/retries.tmp" "$dir/retries"
}

# Scenarios run E2E_JOBS at a time (default 2: each L1 is one TCG thread,
# so two use both cores of the machine CI runs on), each in its own
# build/e2e/<scenario>/ and its own L1 (all scratch paths are L1-local).
# A scenario whose header says alone=1 runs with no other beside it: its
# figures are throughput or time windows that another L1 on the machine
# would change.  The others start longest timeout first, so that the
# long ones do not end up last beside an idle core; the alone ones run
# after them.  Results are printed in scenario order, each as soon as it
# and all before it are done.
jobs=${E2E_JOBS:-2}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "E2E_JOBS=$jobs: not a positive number"
declare -A index=()
order=()
i=0
for scenario in "${scenarios[@]}"; do
	i=$((i + 1))
	index[$scenario]=$i
done
while IFS=$'\t' read -r _ _ _ scenario; do
	order+=("$scenario")
done < <(for scenario in "${scenarios[@]}"; do
	printf '%s\t%s\t%s\t%s\n' "$(header "$scenario" alone 0)" \
		"$(header "$scenario" timeout 300)" "${index[$scenario]}" "$scenario"
done | sort -t $'\t' -k1,1n -k2,2nr -k3,3n)

for scenario in "${scenarios[@]}"; do
	dir=$e2e/$(basename "$scenario" .sh)
	rm -rf "$dir"
	mkdir -p "$dir/out"
done

echo "TAP version 13"
echo "1..${#scenarios[@]}"
printed=0
failed=0
boot_retries=0
# print_done [final]: the reports of the scenarios that are done, in
# order, up to the first that is not; with "final" (every job has ended),
# a scenario without a report is a failure of the harness itself.
print_done() {
	local name dir status
	while [ "$printed" -lt ${#scenarios[@]} ]; do
		name=$(basename "${scenarios[$printed]}" .sh)
		dir=$e2e/$name
		if [ ! -e "$dir/retries" ]; then
			[ "${1:-}" = final ] || return 0
			printf 'ok - %s\n# run.sh: its job ended without a report\n' "$name" |
				sed '1s/^/not /' >"$dir/report"
			echo 0 >"$dir/retries"
		fi
		printed=$((printed + 1))
		status=$(grep -E '^(ok|not ok) - ' "$dir/report" | tail -n 1)
		sed -E "s/^(ok|not ok) - /\1 $printed - /" "$dir/report"
		case $status in
		"not ok"*) failed=$((failed + 1)) ;;
		esac
		boot_retries=$((boot_retries + $(cat "$dir/retries")))
	done
}

running=0
for scenario in "${order[@]}"; do
	if [ "$(header "$scenario" alone 0)" = 1 ]; then
		limit=1
	else
		limit=$jobs
	fi
	while [ "$running" -gt 0 ] && [ "$running" -ge "$limit" ]; do
		wait -n
		running=$((running - 1))
		print_done
	done
	run_one "$scenario" &
	running=$((running + 1))
	if [ "$limit" -eq 1 ]; then
		wait
		running=0
		print_done
	fi
done
wait
print_done final

[ "$boot_retries" -gt 0 ] && echo "# e2e: $boot_retries guest boot(s) retried (see above)"
echo "# e2e: $((${#scenarios[@]} - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
