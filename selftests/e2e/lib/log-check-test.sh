#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of log_clean() in l1-lib.sh, the check that fails a scenario on a
# kernel warning in a guest console or in L1's log, on made-up logs: a
# clean log passes; the nested platform's debug-trap report passes in a
# guest console with a note and fails in L1's log; any other warning, or
# that report without its end line, fails.  Run by
# `make -C selftests/e2e/guest test`; the last line is
# "log-check-test: passed=N failed=M"; exit 1 if any check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OUT=$tmp/out
mkdir -p "$OUT"
# shellcheck source=selftests/e2e/lib/l1-lib.sh
. "$here/l1-lib.sh"

passed=0
failed=0

# clean_boot: lines of a guest console that must pass.
clean_boot() {
	cat <<'LOG'
[    1.390903] Speculative Return Stack Overflow: IBPB-extending microcode not applied!
[    1.401529] Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.
@@ insmod mrm_balloon.ko rc=0
@@ READY
LOG
}

# db_report [end]: the report exc_debug_kernel() prints (as a 6.12 guest
# printed it, registers shortened), with its end line unless "noend".
db_report() {
	cat <<'LOG'
[    2.553210] ------------[ cut here ]------------
[    2.554061] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/traps.c:1120 exc_debug_kernel+0xca/0x160
[    2.554500] Modules linked in:
[    2.554600] CPU: 0 UID: 0 PID: 0 Comm: swapper/0 Not tainted 6.12.118+deb12-amd64 #1  Debian 6.12.118-1~deb12u1
[    2.554700] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
[    2.554800] RIP: 0010:exc_debug_kernel+0xca/0x160
[    2.554900] RSP: 0018:fffffe0000009ee8 EFLAGS: 00010046
[    2.555048] Call Trace:
[    2.555100]  <#DB>
[    2.555200]  ? __warn+0x81/0x130
[    2.555300]  ? exc_debug_kernel+0xca/0x160
[    2.555400]  asm_exc_debug+0x1f/0x30
[    2.555500]  </#DB>
[    2.555600]  <TASK>
[    2.555700]  default_idle+0x9/0x20
[    2.555800]  do_idle+0x1e6/0x230
[    2.555900]  </TASK>
LOG
	[ "${1:-}" = noend ] ||
		echo '[    2.556000] ---[ end trace 0000000000000000 ]---'
}

# expect_result <description> <label> <ok|not ok> <note|no-note>: run
# log_clean on $tmp/log and compare its TAP lines.
expect_result() {
	local desc=$1 label=$2 want=$3 want_note=$4 got
	: >"$OUT/results.tap"
	# shellcheck disable=SC2034 # read by ok() and not_ok() in l1-lib.sh
	TAP_N=0
	log_clean "$tmp/log" "$label" >/dev/null
	got=$(grep -E '^(ok|not ok) ' "$OUT/results.tap" | sed 's/ [0-9]* - .*//')
	local has_note=no-note
	grep -q 'single-step trap(s) of the nested platform' "$OUT/results.tap" &&
		has_note=note
	if [ "$got" = "$want" ] && [ "$has_note" = "$want_note" ]; then
		passed=$((passed + 1))
		echo "ok $((passed + failed)) - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $((passed + failed)) - $desc"
		sed 's/^/#   /' "$OUT/results.tap"
	fi
}

clean_boot >"$tmp/log"
expect_result "a clean guest console passes" "guest g1 console" ok no-note

{ db_report; clean_boot; } >"$tmp/log"
expect_result "the nested debug-trap report passes in a guest console, noted" \
	"guest g3 console" ok note

# The same with the console's \r line ends.
{ db_report; clean_boot; } | sed 's/$/\r/' >"$tmp/log"
expect_result "... also with \\r line ends" "guest g3 console" ok note

{ db_report; clean_boot; } >"$tmp/log"
expect_result "the same report fails in L1's log" "L1 dmesg" "not ok" no-note

{ db_report; clean_boot; echo '[   30.1] WARNING: CPU: 0 PID: 77 at mm/page_alloc.c:4000 __alloc_pages+0x1/0x2'; } >"$tmp/log"
expect_result "a warning after the report still fails" "guest g3 console" "not ok" note

{ echo '[    0.5] BUG: kernel NULL pointer dereference, address: 0000000000000008'; db_report; clean_boot; } >"$tmp/log"
expect_result "a BUG before the report still fails" "guest g3 console" "not ok" note

{ db_report noend; clean_boot; } >"$tmp/log"
expect_result "a report without its end line fails" "guest g3 console" "not ok" note

{ db_report | sed 's/exc_debug_kernel+0xca/exc_int3+0xca/'; clean_boot; } >"$tmp/log"
expect_result "another traps.c warning fails" "guest g3 console" "not ok" no-note

# exc_debug_kernel()'s other warning, a #DB from user mode.
{ db_report | sed 's/traps\.c:1120/traps.c:1079/'; clean_boot; } >"$tmp/log"
expect_result "exc_debug_kernel's other warning fails" "guest g3 console" "not ok" no-note

# A report that lost its end line, then a real one with its own: the real
# one's end line must not close the first.
{
	db_report noend | head -n 10
	echo '[   30.0] ------------[ cut here ]------------'
	echo '[   30.1] WARNING: CPU: 0 PID: 77 at mm/page_alloc.c:4000 __alloc_pages+0x1/0x2'
	echo '[   30.2] Call Trace:'
	echo '[   30.3] ---[ end trace 0000000000000000 ]---'
	clean_boot
} >"$tmp/log"
expect_result "a real warning right after a report without its end line fails" \
	"guest g3 console" "not ok" note

# The same without the "cut here" line, and a BUG instead of a WARNING.
{
	db_report noend | head -n 10
	echo '[   30.1] BUG: unable to handle page fault for address: 0000000000001234'
	echo '[   30.3] ---[ end trace 0000000000000000 ]---'
	clean_boot
} >"$tmp/log"
expect_result "a BUG inside a report without its end line fails" \
	"guest g3 console" "not ok" note

# Two call traces in one report: the second belongs to something else.
{
	db_report noend
	echo '[   30.2] Call Trace:'
	echo '[   30.3] ---[ end trace 0000000000000000 ]---'
	clean_boot
} >"$tmp/log"
expect_result "a second call trace inside the report fails" \
	"guest g3 console" "not ok" note

{
	db_report | head -n 8
	for i in $(seq 1 $((NESTED_DB_ARTEFACT_MAX_LINES + 5))); do
		echo "[    3.0] line $i"
	done
	echo '[    9.0] ---[ end trace 0000000000000000 ]---'
} >"$tmp/log"
expect_result "a report longer than $NESTED_DB_ARTEFACT_MAX_LINES lines fails" \
	"guest g3 console" "not ok" note

echo "log-check-test: passed=$passed failed=$failed"
[ "$failed" -eq 0 ]
