#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of mt_wait() in l1-lib.sh, the wait for a line of memtouch's log
# that follows memtouch's progress instead of a fixed bound (issue 18).
# guest_run is replaced by a shell on this machine whose /tmp is a
# scratch directory, and a writer plays memtouch: a wait for a check
# that keeps printing lines for longer than MT_STALL_S succeeds; a log
# that stops changing fails after MT_STALL_S with a note saying so and
# the log's tail; a log that keeps changing fails at the wait's limit
# with a note saying that.  Run by `make -C selftests/e2e/guest test`
# (about 20 s); the last line is "mt-wait-test: passed=N failed=M"; exit
# 1 if any check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
writer=
trap '[ -n "$writer" ] && kill "$writer" 2>/dev/null; rm -rf "$tmp"' EXIT
OUT=$tmp/out
mkdir -p "$OUT" "$tmp/guest"
# shellcheck source=selftests/e2e/lib/l1-lib.sh
. "$here/l1-lib.sh"

# The "guest": the command runs here, its /tmp/ is $tmp/guest/.
guest_run() { bash -c "${3//\/tmp\//$tmp/guest/}"; }

passed=0
failed=0
result() { # result <description> <0 if as expected>
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $((passed + failed)) - $1"
	else
		failed=$((failed + 1))
		echo "not ok $((passed + failed)) - $1"
		sed 's/^/#   /' "$OUT/results.tap"
	fi
}

# write_lines <n> <every s> [final line]: memtouch printing a progress
# line every <every> s, n of them, then the final line if given.
write_lines() {
	local i
	for ((i = 1; i <= $1; i++)); do
		echo "memtouch: progress what=final pages_done=$((i * 256)) pages=99999 errors=0 ms=$((i * 1000))"
		sleep "$2"
	done
	[ -n "${3:-}" ] && echo "$3"
}

MT_STALL_S=3

: >"$OUT/results.tap"
echo "memtouch: ready pages=1" >"$tmp/guest/a.log"
mt_wait g a 'memtouch: ready' 10
result "a line already there: found at once" $?

# 8 s of progress, 1 s apart, then done: longer than MT_STALL_S.
: >"$OUT/results.tap"
: >"$tmp/guest/b.log"
write_lines 8 1 "memtouch: done elapsed=6 errors=0 " >>"$tmp/guest/b.log" &
writer=$!
start=$SECONDS
mt_wait g b 'memtouch: done .* errors=0 ' 60
rc=$?
wait "$writer"
writer=
result "a check that keeps printing is waited for past MT_STALL_S" $((rc != 0 || SECONDS - start < 7))

# Two lines, then silence: a stall.
: >"$OUT/results.tap"
write_lines 2 0.2 >"$tmp/guest/c.log"
start=$SECONDS
mt_wait g c 'memtouch: done' 60
rc=$?
secs=$((SECONDS - start))
grep -q 'no progress for 3 s' "$OUT/results.tap" &&
	grep -q '^#   memtouch: progress .*pages_done=512 ' "$OUT/results.tap"
said=$?
result "a stalled log fails after MT_STALL_S, saying so, with the log's tail" $((rc == 0 || secs > 6 || said != 0))

# Progress that never ends: the limit.
: >"$OUT/results.tap"
: >"$tmp/guest/d.log"
write_lines 20 0.5 >>"$tmp/guest/d.log" &
writer=$!
start=$SECONDS
mt_wait g d 'memtouch: done' 4
rc=$?
secs=$((SECONDS - start))
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
writer=
grep -q 'within its limit of 4 s, still progressing' "$OUT/results.tap"
said=$?
result "a log that keeps changing fails at the limit, saying so" $((rc == 0 || secs > 7 || said != 0))

echo "mt-wait-test: passed=$passed failed=$failed"
[ "$failed" -eq 0 ]
