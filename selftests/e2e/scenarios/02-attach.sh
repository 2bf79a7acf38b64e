# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# VM attach (Documentation/attach.rst): two guests are attached with mrmctl
# (one named, one not) and shown in /sys/kernel/mrm/vms; refused attaches
# name the right errno and change nothing; the /dev/mrm ABI test program
# runs its hostile requests; one VM is detached by ioctl, the other when
# its QEMU is killed (and KVM then destroys it); --hold attachments end
# with mrmctl; unloading mrm_host with a VM attached leaves the guest
# running, and no struct kvm is left behind.  Nested paging (npt=1).
#
# e2e: timeout=300 l1_mem=2048 npt=1

KVM_DEBUGFS=/sys/kernel/debug/kvm
# How long the exit of a VM's process may take to detach it.
EXIT_DETACH_TIMEOUT=15

# mrmctl <args...>: run mrmctl, logging to $OUT/mrmctl.log; sets
# MRMCTL_RC, MRMCTL_OUT (stdout) and MRMCTL_ERR (stderr).
mrmctl() {
	MRMCTL_OUT=$("$MRMCTL" "$@" 2>"$RUN/mrmctl.err")
	MRMCTL_RC=$?
	MRMCTL_ERR=$(cat "$RUN/mrmctl.err")
	{
		echo "\$ mrmctl $*"
		[ -n "$MRMCTL_OUT" ] && echo "$MRMCTL_OUT"
		[ -n "$MRMCTL_ERR" ] && echo "$MRMCTL_ERR"
		echo "(exit $MRMCTL_RC)"
	} >>"$OUT/mrmctl.log"
}

# What the attachments are, to compare before and after (not the files
# that change by themselves, such as the guest's statistics).
vms_snapshot() {
	local dir f
	for dir in "$VMS"/*/; do
		for f in id name cid pid memory_bytes state hold; do
			echo "$dir$f=$(cat "$dir$f" 2>/dev/null)"
		done
	done
}

# expect_refused <description> <exit code> <stderr regex> <mrmctl args...>
# mrmctl fails with that code and message, and /sys/kernel/mrm/vms is
# unchanged.
expect_refused() {
	local desc=$1 rc=$2 re=$3 before after
	shift 3
	before=$(vms_snapshot)
	mrmctl "$@"
	after=$(vms_snapshot)
	if [ "$MRMCTL_RC" -eq "$rc" ] && grep -qE -- "$re" <<<"$MRMCTL_ERR" &&
		[ "$before" = "$after" ]; then
		ok "$desc"
	else
		not_ok "$desc" "mrmctl $* exited $MRMCTL_RC (want $rc)" \
			"stderr: $MRMCTL_ERR (want /$re/)" \
			"sysfs changed: $([ "$before" = "$after" ] && echo no || echo yes)"
	fi
}

# kvm_vm_dirs <pid>: how many VMs created by <pid> KVM's debugfs shows.
kvm_vm_dirs() {
	find "$KVM_DEBUGFS" -mindepth 1 -maxdepth 1 -type d -name "$1-*" | wc -l
}

kvm_has_vm_of() { [ "$(kvm_vm_dirs "$1")" -eq 1 ]; }
kvm_has_no_vm_of() { [ "$(kvm_vm_dirs "$1")" -eq 0 ]; }
no_vm_dir() { [ ! -e "$VMS/$1" ]; }
# attached_count_is <n>: /sys/kernel/mrm/vms has <n> directories.
attached_count_is() { [ "$(find "$VMS" -mindepth 1 -maxdepth 1 | wc -l)" -eq "$1" ]; }
# kvm_vm_count_is <n>: KVM's debugfs shows <n> VMs in all.
kvm_vm_count_is() {
	[ "$(find "$KVM_DEBUGFS" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq "$1" ]
}
dev_mrm_is_0600() { [ -c /dev/mrm ] && [ "$(stat -c %a /dev/mrm)" = 600 ]; }
in_dmesg() { dmesg | grep -qE -- "$1"; }

# memory_matches <dir> <MiB>: memory_bytes is the -m size.  QEMU's pc
# machine maps all of -m as writable memslots (measured: exact, also below
# 1 MiB), and its ROMs as read-only ones, which are not counted.
memory_matches() {
	[ "$(vm_attr "$1" memory_bytes)" = $(($2 << 20)) ]
}

# --- setup -------------------------------------------------------------

mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
check "KVM's debugfs directory is visible" test -d "$KVM_DEBUGFS"
check "/dev/mrm exists with mode 0600" dev_mrm_is_0600
check "no VM is attached at load" attached_count_is 0

guest_start g1 3 256
guest_start g2 4 192
check "g1 boots to READY" guest_wait_ready g1 120
check "g2 boots to READY" guest_wait_ready g2 120
pid1=$(guest_pid g1)
pid2=$(guest_pid g2)
check "KVM shows g1's VM in debugfs" kvm_has_vm_of "$pid1"
check "KVM shows g2's VM in debugfs" kvm_has_vm_of "$pid2"

# --- attach, named, CID from QEMU's command line --------------------------

start_ns=$(date +%s%N)
mrmctl attach --pid "$pid1" --name web
note "mrmctl attach took $((($(date +%s%N) - start_ns) / 1000000)) ms"
check "mrmctl attaches g1 as 'web'" test "$MRMCTL_RC" -eq 0
check "mrmctl reports the attach" grep -qE '^attached: id=[0-9]+ name=web cid=3 ' <<<"$MRMCTL_OUT"
check "mrmctl says the CID came from guest-cid=3" grep -q 'from guest-cid=3 on the command line' <<<"$MRMCTL_ERR"
id1=$(sed -n 's/^attached: id=\([0-9]*\) .*/\1/p' <<<"$MRMCTL_OUT")

# --- refused attaches change nothing -------------------------------------

expect_refused "the same VM twice: EEXIST" 1 '\(EEXIST\)' \
	attach --pid "$pid1" --cid 10 --name other
expect_refused "the same CID twice: EADDRINUSE" 1 '\(EADDRINUSE\)' \
	attach --pid "$pid2" --cid 3
expect_refused "the same name twice: ENOTUNIQ" 1 '\(ENOTUNIQ\)' \
	attach --pid "$pid2" --name web
expect_refused "a name starting with a digit: EINVAL" 1 '\(EINVAL\).*invalid name' \
	attach --pid "$pid2" --name 1web
expect_refused "a name with '/': EINVAL" 1 '\(EINVAL\).*invalid name' \
	attach --pid "$pid2" --name a/b
expect_refused "a name with a space: EINVAL" 1 '\(EINVAL\).*invalid name' \
	attach --pid "$pid2" --name 'a b'
expect_refused "a name of 32 characters: usage error" 2 'longer than 31' \
	attach --pid "$pid2" --name abcdefghijklmnopqrstuvwxyz012345
expect_refused "CID 2 (the host): EINVAL" 1 '\(EINVAL\).*invalid CID' \
	attach --pid "$pid2" --cid 2
expect_refused "CID 4294967295 (VMADDR_CID_ANY): EINVAL" 1 '\(EINVAL\).*invalid CID' \
	attach --pid "$pid2" --cid 4294967295
expect_refused "a process without a KVM VM fd (this shell)" 4 'has no KVM VM file descriptor' \
	attach --pid $$ --cid 9
expect_refused "a non-KVM fd of a non-QEMU process: EBADF" 1 '\(EBADF\).*not a KVM VM' \
	attach --pid $$ --fd 1 --cid 9
expect_refused "a non-KVM fd of QEMU: EBADF" 1 '\(EBADF\)' \
	attach --pid "$pid2" --fd 0 --cid 4
expect_refused "no such process" 4 'no process' \
	attach --pid 999999 --cid 9
expect_refused "detach of an unknown name" 1 'no attached VM is named' \
	detach nosuchvm
expect_refused "detach of an unknown id: ENOENT" 1 '\(ENOENT\)' \
	detach 999999

# --- attach unnamed, CID given -------------------------------------------

mrmctl attach --pid "$pid2" --cid 4
check "mrmctl attaches g2 without a name" test "$MRMCTL_RC" -eq 0
id2=$(sed -n 's/^attached: id=\([0-9]*\) .*/\1/p' <<<"$MRMCTL_OUT")
check "the two VMs have different ids" test "${id1:-x}" != "${id2:-x}"

# --- sysfs ------------------------------------------------------------------

check "web: id" attr_is web id "$id1"
check "web: name" attr_is web name web
check "web: cid 3" attr_is web cid 3
check "web: pid is g1's QEMU" attr_is web pid "$pid1"
check "web: state attached" attr_is web state attached
check "web: not held" attr_is web hold 0
check "web: memory_bytes matches -m 256" memory_matches web 256
check "$id2: directory named after the id" test -d "$VMS/$id2"
check "$id2: empty name" attr_is "$id2" name ""
check "$id2: cid 4" attr_is "$id2" cid 4
check "$id2: pid is g2's QEMU" attr_is "$id2" pid "$pid2"
check "$id2: memory_bytes matches -m 192" memory_matches "$id2" 192
note "memory_bytes: web $(vm_attr web memory_bytes) (-m 256 = $((256 << 20))), $id2 $(vm_attr "$id2" memory_bytes) (-m 192 = $((192 << 20)))"
check "exactly two VM directories" attached_count_is 2

mrmctl list
check "mrmctl list succeeds" test "$MRMCTL_RC" -eq 0
check "mrmctl list shows web" grep -qE "^$id1 +web +3 +$pid1 +[0-9.]+M +attached +0$" <<<"$MRMCTL_OUT"
check "mrmctl list shows the unnamed VM" grep -qE "^$id2 +- +4 +$pid2 +[0-9.]+M +attached +0$" <<<"$MRMCTL_OUT"

# --- the ioctl ABI with hostile requests -------------------------------------

if "$E2E/l1-bin/mrm_dev_test" >"$OUT/mrm_dev_test.tap" 2>&1; then
	ok "mrm_dev_test: the /dev/mrm ABI ($(grep -c '^ok ' "$OUT/mrm_dev_test.tap") tests)"
else
	mapfile -t lines <<<"$(grep -E '^not ok|^# .*(Expected|FAIL)' "$OUT/mrm_dev_test.tap" | head -n 20)"
	not_ok "mrm_dev_test: the /dev/mrm ABI" "${lines[@]}"
fi
while read -r line; do
	note "mrm_dev_test: $line"
done <<<"$(grep -oE '(detached [0-9]+ ms after SIGKILL.*|[0-9]+ (attach/detach cycles|rounds).*)' "$OUT/mrm_dev_test.tap")"
check "the ABI tests leave g1 and g2 attached" attached_count_is 2

# --- detach by ioctl ----------------------------------------------------------

mrmctl detach web
check "mrmctl detach web succeeds" test "$MRMCTL_RC" -eq 0
check "web's directory is gone" no_vm_dir web
check "the kernel log says why" in_dmesg "vm $id1 \\(web\\): detached: on request"
check "g1 keeps running after detach" guest_run g1 30 'true'
check "g1's VM still exists (QEMU holds it)" kvm_has_vm_of "$pid1"
expect_refused "a second detach of the same id: ENOENT" 1 '\(ENOENT\)' detach "$id1"

# --- the VM's process exits ---------------------------------------------------

start_ns=$(date +%s%N)
kill -9 "$pid2"
if wait_for "$EXIT_DETACH_TIMEOUT" no_vm_dir "$id2"; then
	ok "killing g2's QEMU detaches it within ${EXIT_DETACH_TIMEOUT}s"
	note "detached $((($(date +%s%N) - start_ns) / 1000000)) ms after kill -9 of QEMU"
else
	not_ok "killing g2's QEMU detaches it within ${EXIT_DETACH_TIMEOUT}s"
fi
wait "$pid2" 2>/dev/null
guest_forget g2
check "g2's VM is destroyed (its KVM debugfs directory is gone)" \
	wait_for "$EXIT_DETACH_TIMEOUT" kvm_has_no_vm_of "$pid2"
check "the kernel log says g2's process exited" in_dmesg "vm $id2: detached: its process exited"

# --- --hold ends with mrmctl --------------------------------------------------

"$MRMCTL" attach --pid "$pid1" --name held --hold >"$OUT/hold.out" 2>&1 &
hold_pid=$!
check "mrmctl --hold attaches g1 as 'held'" wait_for 10 test -d "$VMS/held"
check "held: hold is 1" attr_is held hold 1
kill -TERM "$hold_pid"
wait "$hold_pid"
check "mrmctl --hold exits 0 on SIGTERM" test $? -eq 0
check "held is detached when mrmctl exits" no_vm_dir held
check "the kernel log says its holder closed /dev/mrm" in_dmesg "\\(held\\): detached: its holder closed /dev/mrm"

"$MRMCTL" attach --pid "$pid1" --name held --hold >"$OUT/hold-kill.out" 2>&1 &
hold_pid=$!
check "mrmctl --hold attaches g1 again" wait_for 10 test -d "$VMS/held"
kill -9 "$hold_pid"
wait "$hold_pid" 2>/dev/null
check "held is detached when mrmctl is killed" no_vm_dir held
check "g1 still runs" guest_run g1 30 'true'

# --- unload with a VM attached -----------------------------------------------

mrmctl attach --pid "$pid1" --name web
check "g1 attaches again" test "$MRMCTL_RC" -eq 0
check "no /dev/mrm file is left open" test "$(cat /sys/module/mrm_host/refcnt)" -eq 0
check "mrm_host unloads with a VM attached" rmmod mrm_host
check "/sys/kernel/mrm is gone" test ! -e /sys/kernel/mrm
check "the kernel log says web was detached for the unload" \
	in_dmesg "\\(web\\): detached: mrm_host is unloading"
check "g1 keeps running after the unload" guest_run g1 30 'echo alive | grep -q alive'
check "g1's VM still exists after the unload" kvm_has_vm_of "$pid1"

check "mrm_host loads again" insmod "$MRM_HOST_KO"
mrmctl attach --pid "$pid1"
check "g1 attaches to the reloaded module" test "$MRMCTL_RC" -eq 0
id3=$(sed -n 's/^attached: id=\([0-9]*\) .*/\1/p' <<<"$MRMCTL_OUT")

# A guest powering off is a process exit too.  Were a notifier of the
# unloaded module still registered on g1's mm, this would oops.
check "g1 powers off cleanly" guest_stop g1 60
check "g1's exit detaches it" wait_for "$EXIT_DETACH_TIMEOUT" no_vm_dir "$id3"
check "g1's VM is destroyed" wait_for "$EXIT_DETACH_TIMEOUT" kvm_has_no_vm_of "$pid1"
check "no VM is attached at the end" attached_count_is 0
check "no KVM VM is left at all" kvm_vm_count_is 0
