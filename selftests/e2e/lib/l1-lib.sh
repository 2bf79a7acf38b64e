# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Library for e2e scenarios.  Sourced by l1-run.sh inside the L1 host (bash
# in a chroot into the build machine's root); scenarios call these
# functions.  Every wait is bounded; every result is a TAP line in
# $OUT/results.tap (and on the L1 console).
#
# Paths inside L1:
#   $REPO          the repository (same path as on the build machine)
#   $E2E           $REPO/build/e2e: initramfs images, guest programs
#   $OUT           writable results directory, shared with the build machine
#   $RUN           L1-local scratch (sockets, pid files)

# shellcheck source=selftests/e2e/lib/kernel-log.sh
. "$(dirname "${BASH_SOURCE[0]}")/kernel-log.sh"
# A single-step debug trap that nobody asked for, in an L2 guest's kernel:
# exc_debug_kernel() warns once, dumps registers and a call trace, clears
# EFLAGS.TF and goes on.  Seen in guest g3 of 05-hostile (CI run of
# 2026-12-04) at 2.55 s of its boot, in the idle task, 15 s before
# mrm_balloon was loaded; in no other of the ~40 guest boots of that run.
# Its source is the nested platform: to open an NMI window L1's KVM sets
# EFLAGS.TF in the L2 guest with #DB intercepted (svm_enable_nmi_window()),
# and a trap that QEMU's TCG emulation of SVM lets through to the guest
# instead of exiting to L1 lands in the guest kernel.  mrm sets neither
# EFLAGS.TF nor a debug register anywhere, so log_clean() takes such a
# report out of a guest console (start line to its "end trace" line) and
# counts it in a TAP note instead of failing the scenario.  Anything else
# in the log is still checked.  The match is narrow on purpose: line 1120
# of Debian 6.12's traps.c is the WARN_ON_ONCE(dr6 & DR_STEP) (the other
# warning of exc_debug_kernel(), a #DB from user mode, is not excused); a
# guest kernel whose line differs fails again, the safe direction.  A
# report that has no end line within NESTED_DB_ARTEFACT_MAX_LINES (a real
# one is about 40), or in which another report starts, is a failure.
NESTED_DB_ARTEFACT_RE='WARNING: CPU: [0-9]+ PID: [0-9]+ at arch/x86/kernel/traps\.c:1120 exc_debug_kernel\+'
NESTED_DB_ARTEFACT_MAX_LINES=60

TAP_N=0
TAP_FAILED=0
# Every bound of a wait (wait_for, guest_run, the stall bounds, mt_wait's
# limit) is this many times longer: run.sh sets it for L1's debug kernel
# (mrm_wait_scale=), under which KASAN and lockdep slow L1's KVM and so
# every guest several times.
WAIT_SCALE=${WAIT_SCALE:-1}
declare -A GUEST_PID=()	# QEMU process of each guest
declare -A GUEST_IN=()	# fd of the FIFO that feeds each guest's console
declare -A GUEST_FEEDER=()	# socat copying that FIFO into the console
declare -A GUEST_ARGS=()	# the guest_start call, quoted, to boot again
declare -A GUEST_STARTED=()	# $SECONDS when each guest's QEMU started
declare -A GUEST_CON_SIZE=()	# its console's size at the last look
declare -A GUEST_CON_AT=()	# $SECONDS when that size last changed
# A guest boots to its first insmod in about 5 s alone, and in up to 35 s
# with shadow paging beside another L1 (parallel e2e); one whose console
# stayed silent this long before its first insmod has stalled (see
# guest_wait_ready).
GUEST_EARLY_STALL_S=$((60 * WAIT_SCALE))

tap_line() {
	echo "$*" | tee -a "$OUT/results.tap"
}

# ok <description>
ok() {
	TAP_N=$((TAP_N + 1))
	tap_line "ok $TAP_N - $*"
}

# not_ok <description> [detail lines...]
not_ok() {
	local desc=$1 line
	shift
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	tap_line "not ok $TAP_N - $desc"
	for line in "$@"; do
		tap_line "# $line"
	done
}

# check <description> <command...>: one TAP line from a command's status.
check() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc" "command failed: $*"
	fi
}

# check_todo <reason> <description> <command...>: a check of behaviour
# that is known not to hold yet (TAP's TODO directive): it runs and is
# reported, "not ok ... # TODO <reason>" while it fails, "ok ... # TODO"
# once it holds, and does not fail the scenario.  Every use names the
# open issue in <reason>; remove the TODO when it is fixed.
check_todo() {
	local reason=$1 desc=$2
	shift 2
	TAP_N=$((TAP_N + 1))
	if "$@"; then
		tap_line "ok $TAP_N - $desc # TODO $reason"
	else
		tap_line "not ok $TAP_N - $desc # TODO $reason"
	fi
}

# note <text>: a TAP comment (figures, timings).
note() {
	tap_line "# $*"
}

# wait_for <seconds> <command...>: poll every 0.2 s until the command
# succeeds; 1 on timeout.  wait_every <poll s> <seconds> <command...>: the
# same with another poll interval (the benches time events to 10 ms).
wait_every() {
	local poll=$1 deadline=$((SECONDS + $2 * WAIT_SCALE))
	shift 2
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep "$poll"
	done
}
wait_for() { wait_every 0.2 "$@"; }

# --- guests -----------------------------------------------------------

guest_console() { echo "$OUT/$1.console"; }

# guest_start <name> <cid> <mem MiB> [extra qemu args...]
# Boots an L2 guest under KVM with a vhost-vsock device.  Its serial
# console is logged to $OUT/<name>.console and reads commands from one
# long-lived connection to $RUN/<name>.sock, fed from a FIFO (see
# guest_run): a client that connects, writes and disconnects loses what
# the 16-byte UART FIFO had not taken yet.  QMP listens on $RUN/<name>.qmp.
#
# CPU: the host model without XSAVE.  L1's emulated CPU advertises an
# XSAVE area with AVX state that TCG does not provide: a guest given it
# warns "XSAVE consistency problem: size 832 != kernel_size 576" at boot
# (measured with host, EPYC-Rome and host,-xsaves,-xsavec), and with
# host,-avx,-avx2 its init dies of a bad rt_sigreturn frame.  host,-xsave
# (FXSAVE only) boots clean.
#
# With MRM_CGROUP=1 in the environment, QEMU starts inside a new memory
# cgroup, $(guest_cgroup <name>), so that all its memory is charged there
# from the first page (see Documentation/reclaim.rst): a shell writes its
# own pid to cgroup.procs and execs QEMU.
GUEST_CPU='host,-xsave'
CGROUP_ROOT=/sys/fs/cgroup
guest_cgroup() { echo "$CGROUP_ROOT/mrm/$1"; }

# cgroup_make <dir>: a cgroup below mrm/ with the memory controller.
# mrm/ passes memory.low on to the VMs' cgroups (memory.low max), as
# mrmctl's own mrm/ does: without it their memory.low protects nothing.
cgroup_make() {
	local parent
	for parent in "$CGROUP_ROOT" "$CGROUP_ROOT/mrm"; do
		mkdir -p "$parent" || return 1
		grep -qw memory "$parent/cgroup.subtree_control" ||
			echo +memory >"$parent/cgroup.subtree_control" || return 1
	done
	echo max >"$CGROUP_ROOT/mrm/memory.low" || return 1
	mkdir -p "$1"
}

guest_start() {
	local name=$1 cid=$2 mem=$3 launcher=()
	# MRM_CGROUP is usually a prefix of the call: keep it for a reboot.
	GUEST_ARGS[$name]="MRM_CGROUP=${MRM_CGROUP:-0} guest_start $(printf '%q ' "$@")"
	GUEST_STARTED[$name]=$SECONDS
	# The silence that makes a stall counts from the start.
	GUEST_CON_SIZE[$name]=0
	GUEST_CON_AT[$name]=$SECONDS
	shift 3
	: >"$(guest_console "$name")"
	# A socket left by an earlier QEMU of this name would pass for the
	# new one's before it exists.
	rm -f "$RUN/$name.sock" "$RUN/$name.qmp"
	if [ "${MRM_CGROUP:-0}" = 1 ]; then
		cgroup_make "$(guest_cgroup "$name")" || return 1
		# shellcheck disable=SC2016 # expanded by the inner shell
		launcher=(bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$(guest_cgroup "$name")")
	fi
	"${launcher[@]}" qemu-system-x86_64 -accel kvm -cpu "$GUEST_CPU" -smp 1 -m "$mem" \
		-nodefaults -display none -no-reboot \
		-kernel "/boot/vmlinuz-$KVER" -initrd "$E2E/l2.cpio" \
		-append "console=ttyS0 loglevel=5 panic=-1 mrm_name=$name" \
		-chardev "socket,id=con0,path=$RUN/$name.sock,server=on,wait=off,logfile=$(guest_console "$name")" \
		-serial chardev:con0 \
		-qmp "unix:$RUN/$name.qmp,server=on,wait=off" \
		-device "vhost-vsock-pci,guest-cid=$cid" \
		"$@" >"$OUT/$name.qemu.log" 2>&1 &
	GUEST_PID[$name]=$!
	if ! wait_for 20 test -S "$RUN/$name.sock"; then
		echo "guest $name: QEMU did not create its console socket" >&2
		return 1
	fi
	rm -f "$RUN/$name.in"
	mkfifo "$RUN/$name.in"
	# Held open read-write so socat never sees end of file.  What the
	# guest prints comes back on the same connection and is thrown away
	# (QEMU's logfile has it): left unread, it would stall the guest.
	exec {GUEST_IN[$name]}<>"$RUN/$name.in"
	socat "GOPEN:$RUN/$name.in!!OPEN:/dev/null,wronly" "UNIX-CONNECT:$RUN/$name.sock" &
	GUEST_FEEDER[$name]=$!
}

# guest_send <name> <line>: write one line to the guest's console.
guest_send() {
	local fd=${GUEST_IN[$1]:-}
	[ -n "$fd" ] || return 1
	printf '%s\n' "$2" >&"$fd"
}

# Stop feeding a guest's console (it has exited or is being killed).
guest_forget() {
	local name=$1 fd=${GUEST_IN[$1]:-}
	[ -n "${GUEST_FEEDER[$name]:-}" ] && kill "${GUEST_FEEDER[$name]}" 2>/dev/null
	[ -n "$fd" ] && exec {fd}>&-
	unset "GUEST_PID[$name]" "GUEST_IN[$name]" "GUEST_FEEDER[$name]"
}

guest_pid() { echo "${GUEST_PID[$1]:-}"; }

# vm_num <vm> <file>: a number from /sys/kernel/mrm/vms/<vm>/, or 0.
vm_num() {
	local v
	v=$(cat "/sys/kernel/mrm/vms/$1/$2" 2>/dev/null)
	[[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

guest_alive() {
	local pid=${GUEST_PID[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

guest_log_has() {
	tr -d '\r' <"$(guest_console "$1")" | grep -qaE -- "$2"
}

# guest_wait_ready <name> <seconds>: until the guest's /init says READY.
# On failure, TAP comments say why: whether QEMU is still running or
# exited (and with what status), the last lines of the guest's console
# and of QEMU's own output.
#
# A guest that died before its /init loaded any module, or whose console
# printed nothing for GUEST_EARLY_STALL_S before that, is booted once more
# (same arguments), and the retry is recorded in $OUT/boot-retries, which
# run.sh reports.  Nothing of mrm has run in such a guest, and mrm_host
# leaves a VM alone until it is attached: the failure is the nested test
# bed's (L2 under KVM under TCG; one CI run lost a guest this way, 80
# boots in a loop here did not), not mrm's, and without the second boot
# the scenario could not test anything.  A guest that dies after /init
# began loading modules is a failure like any other.
guest_wait_ready() {
	local name=$1 pid rc saved
	wait_for "$2" guest_ready_or_gone "$name"
	guest_log_has "$name" '^@@ READY' && return 0
	pid=${GUEST_PID[$name]:-}
	if guest_alive "$name"; then
		note "$name: no READY after $((SECONDS - ${GUEST_STARTED[$name]:-0})) s, QEMU (pid $pid) still running"
	else
		wait "$pid" 2>/dev/null
		rc=$?
		note "$name: QEMU (pid $pid) exited with status $rc before READY"
	fi
	guest_tail_notes "$name" 12
	saved=$OUT/$name.console-failed-boot
	# Once per guest: $saved is there after the first retry.
	if guest_log_has "$name" '^@@ insmod ' || [ -e "$saved" ]; then
		return 1
	fi
	cp "$(guest_console "$name")" "$saved"
	cp "$OUT/$name.qemu.log" "$OUT/$name.qemu.log-failed-boot" 2>/dev/null
	echo "$name: last console line: $(tr -d '\r' <"$saved" | grep -a . | tail -n 1 | grep . || echo "(none)")" >>"$OUT/boot-retries"
	note "$name: died or stalled before /init loaded any module: booting it once more (console kept in $saved)"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	guest_forget "$name"
	eval "${GUEST_ARGS[$name]}" || return 1
	guest_wait_ready "$name" "$2"
}

# READY, or no point in waiting longer: QEMU exited, or the guest stalled
# before its first insmod.  A stall is a console that has not grown for
# GUEST_EARLY_STALL_S: a fixed time since the start took a slow boot for
# a stall (CI run of 2026-12-07: two shadow-paging guests beside another
# L1, printing 23 s into their boot at 60 s, were booted again).
guest_ready_or_gone() {
	local size
	guest_log_has "$1" '^@@ READY' || ! guest_alive "$1" && return 0
	guest_log_has "$1" '^@@ insmod ' && return 1
	size=$(stat -c %s "$(guest_console "$1")" 2>/dev/null || echo 0)
	if [ "$size" != "${GUEST_CON_SIZE[$1]:-}" ]; then
		GUEST_CON_SIZE[$1]=$size
		GUEST_CON_AT[$1]=$SECONDS
	fi
	[ $((SECONDS - ${GUEST_CON_AT[$1]:-${GUEST_STARTED[$1]:-0}})) -ge "$GUEST_EARLY_STALL_S" ]
}

# guest_tail_notes <name> <lines>: the last lines of a guest's console and
# of its QEMU's stderr, as TAP comments in results.tap only: on L1's
# console a guest's "Kernel panic" or "Call Trace" would pass for L1's own
# (run.sh looks for kernel warnings there).
guest_tail_notes() {
	local name=$1 lines=$2
	{
		echo "# $name console, last $lines lines:"
		tr -d '\r' <"$(guest_console "$name")" | tail -n "$lines" | sed 's/^/#   /'
		if [ -s "$OUT/$name.qemu.log" ]; then
			echo "# $name QEMU output, last 5 lines:"
			tail -n 5 "$OUT/$name.qemu.log" | sed 's/^/#   /'
		fi
	} >>"$OUT/results.tap"
}

# guest_run <name> <seconds> <shell command>
# Runs a command in the guest's shell; prints its output; returns its
# exit status, or 124 on timeout.
guest_run() {
	local name=$1 timeout=$2 cmd=$3 id log
	# The counter lives in a file: guest_run is often called in a $(...)
	# subshell, where a variable's increment would be lost and the next
	# command would find the old command's @@END line.
	id=$(($(cat "$RUN/guest-cmd-id" 2>/dev/null || echo 0) + 1))
	echo "$id" >"$RUN/guest-cmd-id"
	log=$(guest_console "$name")
	guest_send "$name" "echo @@BEGIN $id; ($cmd); echo \"@@END $id rc=\$?\"" || return 125
	if ! wait_for "$timeout" guest_log_has "$name" "^@@END $id rc=[0-9]+"; then
		echo "guest $name: '$cmd' timed out after ${timeout}s" >&2
		return 124
	fi
	tr -d '\r' <"$log" | awk -v id="$id" '
		$0 ~ "^@@BEGIN " id "$" { on = 1; next }
		$0 ~ "^@@END " id " rc=" { exit }
		on { print }'
	return "$(tr -d '\r' <"$log" | sed -n "s/^@@END $id rc=\\([0-9]*\\).*/\\1/p" | head -n 1)"
}

# --- mrm_host's files ---------------------------------------------------

# $REPO is set in L1 (l1-run.sh); the harness's own tests source this file
# without it.  Used by the scenarios.
# shellcheck disable=SC2034
MRMCTL=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}/tools/mrmctl/mrmctl
VMS=/sys/kernel/mrm/vms
HOST=/sys/kernel/mrm/host
POL=/sys/kernel/mrm/policy
# shellcheck disable=SC2034
SAMPLING=/sys/kernel/mrm/sampling
MIB=$((1 << 20))

mib() { echo $(($1 / MIB)); }
# vm_attr <vm> <file>: /sys/kernel/mrm/vms/<vm>/<file>, empty if
# unreadable; attr_is <vm> <file> <value>: it reads exactly <value>.
vm_attr() { cat "$VMS/$1/$2" 2>/dev/null; }
attr_is() { [ "$(vm_attr "$1" "$2")" = "$3" ]; }
host_num() { cat "$HOST/$1"; }
host_is() { [ "$(cat "$HOST/$1")" = "$2" ]; }
# The scenarios that drive the balloon by hand turn the policy loop off
# first: it would set its own targets.
policy_off() { echo 0 >"$POL/enabled"; }

# --- memtouch in a guest ------------------------------------------------

# mt_has <guest> <log> <regex>: a line of /tmp/<log>.log in the guest
# matches.  A loaded guest's emulated console is slow: every command gets
# 60 s.
mt_has() { guest_run "$1" 60 "grep -q '$3' /tmp/$2.log" >/dev/null; }
# mt_value <guest> <log> <line regex> <key>: key's value on the last
# matching line.
mt_value() {
	guest_run "$1" 60 "grep '$3' /tmp/$2.log | tail -n 1" |
		sed -n "s/.* $4=\\([0-9.]*\\).*/\\1/p"
}


# mt_wait <guest> <log> <line regex> <limit s>: wait until a line of
# memtouch's log, /tmp/<log>.log in the guest, matches the regex, for as
# long as memtouch makes progress, and at most <limit> seconds.  Progress
# is a new last line in the log: during a fill or a check of every page
# memtouch prints a "progress" line every 5 s (--progress), and in its
# touch loop a "report" line comes only after a batch of pages was
# touched.  The wait fails when the last line has not changed for
# MT_STALL_S seconds: a check of 400 MiB from L1's emulated swap takes
# minutes on a slow machine, and a fixed bound too short for it failed CI
# (issue 18), while a stuck one still fails in minutes.
#
# On failure the TAP comments say why (stalled, or over the limit) and
# show the tail of memtouch's log, or of the guest's console if the guest
# no longer answers: whether data was lost or time ran out.
MT_STALL_S=$((180 * WAIT_SCALE))
mt_wait() {
	local g=$1 log=$2 re=$3 limit=$(($4 * WAIT_SCALE)) start=$SECONDS out last='' last_at=$SECONDS
	while :; do
		# Only memtouch's own lines count: the guest kernel may print
		# on the same console while the command runs.
		out=$(guest_run "$g" 60 "if grep -q '$re' /tmp/$log.log; then echo @@match; else tail -n 1 /tmp/$log.log; fi" |
			grep -E '^(@@match|memtouch: )' | tail -n 1)
		[ "$out" = @@match ] && return 0
		if [ -n "$out" ] && [ "$out" != "$last" ]; then
			last=$out
			last_at=$SECONDS
		fi
		# The notes go to results.tap only, as guest_tail_notes': a
		# guest's line on L1's console would pass for L1's own.
		if [ $((SECONDS - last_at)) -ge "$MT_STALL_S" ]; then
			echo "# $g: no '$re' in /tmp/$log.log after $((SECONDS - start)) s: no progress for ${MT_STALL_S} s (last line: ${last:-none})" >>"$OUT/results.tap"
			mt_tail_notes "$g" "$log" 15
			return 1
		fi
		if [ $((SECONDS - start)) -ge "$limit" ]; then
			echo "# $g: no '$re' in /tmp/$log.log within its limit of ${limit} s, still progressing (last line: ${last:-none})" >>"$OUT/results.tap"
			mt_tail_notes "$g" "$log" 15
			return 1
		fi
		sleep 1
	done
}

# mt_tail_notes <guest> <log> <lines>: the last lines of memtouch's log as
# TAP comments (in results.tap only, as guest_tail_notes); the guest's
# console instead if the guest does not answer.
mt_tail_notes() {
	local out
	if out=$(guest_run "$1" 60 "tail -n $3 /tmp/$2.log"); then
		{
			echo "# $1 /tmp/$2.log, last $3 lines:"
			sed 's/^/#   /' <<<"$out"
		} >>"$OUT/results.tap"
	else
		guest_tail_notes "$1" "$3"
	fi
}

# guest_stop <name> <seconds>: power the guest off from inside and wait for
# QEMU to exit.  Fails (and kills QEMU) if it does not exit in time or
# exits with an error.
guest_stop() {
	local name=$1 timeout=$2 pid rc
	pid=${GUEST_PID[$name]:-}
	[ -n "$pid" ] || return 1
	guest_send "$name" 'poweroff -f'
	if ! wait_for "$timeout" eval "! kill -0 $pid 2>/dev/null"; then
		echo "guest $name: still running ${timeout}s after poweroff; killing" >&2
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		guest_forget "$name"
		return 1
	fi
	wait "$pid"
	rc=$?
	guest_forget "$name"
	[ "$rc" -eq 0 ] || echo "guest $name: QEMU exit status $rc" >&2
	return "$rc"
}

# Kill every guest still running (end of scenario); each is a failure.
guests_reap() {
	local name
	for name in "${!GUEST_PID[@]}"; do
		if guest_alive "$name"; then
			not_ok "guest $name was still running at the end of the scenario"
			kill -9 "${GUEST_PID[$name]}" 2>/dev/null
		fi
		wait "${GUEST_PID[$name]}" 2>/dev/null
		guest_forget "$name"
	done
}

# kmemleak_check: after rmmod mrm_host on the debug kernel, a TAP line
# saying kmemleak found no object leaked by mrm_host.  Objects younger
# than 5 s are never reported, hence the wait, and a leak shows in the
# second of two scans at the latest.  The module is gone, so its frames in
# a report's backtrace (6.12 prints each as "    %pS") are bare addresses
# in the module area, "    0xffffffffc...": a report with one is mrm's
# (no other module is unloaded in a scenario).  A frame still named
# [mrm_host] counts too.  Every report is kept in $OUT/kmemleak.txt.
kmemleak_check() {
	local leaks mrm
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >"$OUT/kmemleak.txt"
	leaks=$(grep -c '^unreferenced object' "$OUT/kmemleak.txt")
	mrm=$(awk '/^unreferenced object/ { n += hit; hit = 0 }
		/^ +0xffffffffc[0-9a-f]+$|\[mrm_host\]/ { hit = 1 }
		END { print n + hit }' "$OUT/kmemleak.txt")
	note "kmemleak: $leaks unreferenced object(s) since mrm_host was loaded, $mrm with mrm_host in the backtrace (out/kmemleak.txt)"
	if [ "$mrm" -eq 0 ]; then
		ok "kmemleak: nothing leaked by mrm_host"
	else
		not_ok "kmemleak: nothing leaked by mrm_host" "$mrm leaked object(s), see out/kmemleak.txt"
	fi
}

# log_without_db_artefacts <file>: the log, \r removed, without the
# reports of NESTED_DB_ARTEFACT_RE (see there).  A report cut short, by
# the start of another report (a "cut here" line, a kernel warning line
# other than its one "Call Trace:") or by running over
# NESTED_DB_ARTEFACT_MAX_LINES, ends with a BUG: line, and the line that
# cut it is kept.
log_without_db_artefacts() {
	# Through the environment: awk -v would take the backslashes.
	tr -d '\r' <"$1" | START_RE=$NESTED_DB_ARTEFACT_RE BAD_RE=$BAD_LOG_RE \
		MAX_LINES=$NESTED_DB_ARTEFACT_MAX_LINES awk '
		BEGIN {
			start = ENVIRON["START_RE"]; bad = ENVIRON["BAD_RE"]
			max = ENVIRON["MAX_LINES"] + 0
			cut = "BUG: exc_debug_kernel report cut short"
		}
		in_report && /---\[ end trace / { in_report = 0; next }
		in_report && /Call Trace:/ && !traces++ { next }
		in_report && ($0 ~ bad || /cut here/ || ++report_lines > max) {
			print cut
			in_report = 0
		}
		in_report { next }
		$0 ~ start { in_report = 1; report_lines = 0; traces = 0; next }
		{ print }
		END { if (in_report) print cut }'
}

# log_clean <file> <label>: a TAP line saying the kernel log has no
# WARNING/BUG/Oops/Call Trace/KASAN; on failure the matching lines.  A
# guest console may hold the nested platform's debug-trap report (see
# NESTED_DB_ARTEFACT_RE): it is counted in a note, not a failure; L1's
# own log gets no such exception.
log_clean() {
	local file=$1 label=$2 hits artefacts=0
	case $label in
	guest*)
		artefacts=$(tr -d '\r' <"$file" | grep -caE -- "$NESTED_DB_ARTEFACT_RE")
		hits=$(log_without_db_artefacts "$file" | grep -aE -- "$BAD_LOG_RE" |
			grep -vE -- "$BAD_LOG_IGNORE_RE" | head -n 20)
		;;
	*)
		hits=$(tr -d '\r' <"$file" | grep -aE -- "$BAD_LOG_RE" |
			grep -vE -- "$BAD_LOG_IGNORE_RE" | head -n 20)
		;;
	esac
	if [ "$artefacts" -gt 0 ]; then
		note "$label: $artefacts unrequested single-step trap(s) of the nested platform, not counted (see NESTED_DB_ARTEFACT_RE)"
	fi
	if [ -z "$hits" ]; then
		ok "$label: no kernel warnings"
	else
		local -a lines
		mapfile -t lines <<<"$hits"
		not_ok "$label: kernel warnings" "${lines[@]}"
	fi
}
