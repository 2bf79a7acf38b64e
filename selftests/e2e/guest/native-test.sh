#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Native tests of the guest test programs (make -C selftests/e2e/guest test).
#
#   native-test.sh <dir with memtouch and vsock-hostile>
#
# memtouch: its self-test; a real run with every feature; corruption made
# from outside through /proc/<pid>/mem (as a balloon bug would) must be
# found and counted exactly; SIGTERM; several instances; usage errors.
#
# vsock-hostile: the bytes of --dump against bytes computed by hand from
# the byte-offset tables of Documentation/protocol.rst; then every case
# against model-host.py, a model host on a Unix socket, which must pass,
# and against the model with one fault each, which must fail the case that
# looks for that fault.  Timings are scaled down (handshake 600 ms,
# connection window 2 s) so that this takes about a minute.
#
# One TAP-like line per check; the last line is
# "native-test: passed=N failed=M skipped=K"; exit 1 if any check failed.
set -uo pipefail

bin=$(cd "${1:?usage: native-test.sh <bindir>}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
n=0
failed=0
skipped=0
model_pid=

cleanup() {
	[ -n "$model_pid" ] && kill "$model_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do
		echo "#   $line"
	done
}

skip() {
	n=$((n + 1))
	skipped=$((skipped + 1))
	echo "ok $n - $1 # SKIP $2"
}

# expect <description> <file> <extended regex>: a line of the file matches.
expect() {
	if grep -qE -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1" "no line matches: $3" "output (last lines):" \
			"$(tail -n 5 "$2")"
	fi
}

# expect_rc <description> <wanted> <got> [file]
expect_rc() {
	if [ "$3" -eq "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "exit status $3, expected $2" \
			"${4:+$(tail -n 5 "$4")}"
	fi
}

# wait_line <file> <regex> <seconds>: until a line matches.
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

# wait_pid <pid> <seconds>: its exit status, or 124 if it is still running.
wait_pid() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			return
		fi
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 124
}

mt=$bin/memtouch
hs=$bin/vsock-hostile

echo "# memtouch"

out=$tmp/self-test
"$mt" --self-test >"$out"
expect_rc "memtouch --self-test exits 0" 0 $? "$out"
expect "self-test: no check failed" "$out" '^memtouch: self-test passed=[0-9]+ failed=0$'
if grep -q 'result=FAIL' "$out"; then
	not_ok "self-test: every check ok" "$(grep 'result=FAIL' "$out")"
else
	ok "self-test: every check ok"
fi
expect "self-test: zeroed page reported as zero" "$out" '^memtouch: error page=10 kind=zero '
expect "self-test: lost write reported as stale" "$out" '^memtouch: error page=30 kind=stale .*expect_gen=1 found_gen=0'
expect "self-test: other page's content reported as foreign" "$out" '^memtouch: error page=40 kind=foreign .*found_index=41 '
expect "self-test: flipped last byte found" "$out" '^memtouch: error page=3 kind=corrupt offset=4088 bad_bytes=1 '

out=$tmp/run
"$mt" --size 16 --active 4 --pattern random --write --time 1.2 --report 0.3 \
	--verify-all-every 0.5 --grow-to 24 --grow-step 4 --seed 3 >"$out"
expect_rc "memtouch real run exits 0" 0 $? "$out"
expect "run: start line" "$out" '^memtouch: start size_mib=16 active_mib=4 pattern=random seed=3 write=1 '
expect "run: ready line" "$out" '^memtouch: ready pages=4096 active_pages=1024 fill_ms=[0-9]+ rss_kib=[0-9]+$'
expect "run: grows in two steps" "$out" '^memtouch: grow step=2 total_mib=24 '
expect "run: grow done" "$out" '^memtouch: grow-done total_mib=24 steps=2 failed=0$'
if [ "$(grep -c '^memtouch: report ' "$out")" -ge 3 ]; then
	ok "run: a report line every 0.3 s"
else
	not_ok "run: a report line every 0.3 s" "$(grep -c '^memtouch: report ' "$out") lines"
fi
expect "run: periodic check of every page, grown ones included" "$out" '^memtouch: verify-all when=periodic pages=6144 new_errors=0 '
expect "run: done without errors" "$out" '^memtouch: done elapsed=[0-9.]+ passes=[1-9][0-9]* pages_touched=[0-9]+ errors=0 zero_pages=0 grow_failed=0 '

# Progress lines during the fill and the final check of every page: a
# line at most every 10 ms, pages_done rising within each pass and never
# past the pass's pages.
out=$tmp/progress
"$mt" --size 256 --active 0 --time 0.05 --report 0 --progress 0.01 >"$out"
expect_rc "progress run exits 0" 0 $? "$out"
for what in fill final; do
	if awk -v w="$what" '
		$2 == "progress" && $3 == "what=" w {
			split($4, d, "="); split($5, p, "=")
			if (p[2] != 65536 || d[2] + 0 > p[2] + 0 || d[2] + 0 <= last) bad = 1
			last = d[2] + 0; n++
		}
		END { exit !(n >= 2 && !bad) }' "$out"; then
		ok "progress: rising pages_done lines during the $what pass"
	else
		not_ok "progress: rising pages_done lines during the $what pass" \
			"$(grep -c "^memtouch: progress what=$what " "$out") lines" \
			"$(grep "^memtouch: progress what=$what " "$out" | head -n 3)"
	fi
done
expect "progress: line format" "$out" '^memtouch: progress what=final pages_done=[0-9]+ pages=65536 errors=0 ms=[0-9]+$'

# Corruption from outside the process, as a balloon that dropped or
# remapped a page would make it: zero one page, flip one byte of another.
out=$tmp/external
"$mt" --size 8 --active 0 --time 3 --verify-all-every 1 --report 0 >"$out" &
pid=$!
if ! wait_line "$out" '^memtouch: ready ' 10; then
	not_ok "external corruption: memtouch ready" "$(cat "$out")"
	kill "$pid" 2>/dev/null
elif ! command -v python3 >/dev/null; then
	skip "external corruption" "no python3"
	kill "$pid" 2>/dev/null
else
	addr=$(sed -n 's/^memtouch: start .* addr=\(0x[0-9a-f]*\)$/\1/p' "$out")
	if python3 - "$pid" "$addr" <<-'EOF'
		import sys
		pid, addr = int(sys.argv[1]), int(sys.argv[2], 16)
		with open("/proc/%d/mem" % pid, "r+b", buffering=0) as mem:
		    mem.seek(addr + 5 * 4096)
		    mem.write(bytes(4096))
		    mem.seek(addr + 1000 * 4096 + 123)
		    b = mem.read(1)[0]
		    mem.seek(addr + 1000 * 4096 + 123)
		    mem.write(bytes([b ^ 0xff]))
	EOF
	then
		wait_pid "$pid" 10
		expect_rc "external corruption: exit 1" 1 $? "$out"
		expect "external corruption: zeroed page 5 found" "$out" '^memtouch: error page=5 kind=zero offset=0 '
		expect "external corruption: flipped byte in page 1000 found" "$out" '^memtouch: error page=1000 kind=corrupt offset=120 bad_bytes=1 '
		expect "external corruption: counted exactly" "$out" '^memtouch: done .* errors=2 zero_pages=1 '
	else
		skip "external corruption" "cannot write /proc/$pid/mem"
		kill "$pid" 2>/dev/null
	fi
fi
wait "$pid" 2>/dev/null

out=$tmp/sigterm
"$mt" --size 8 --time 0 --report 0 >"$out" &
pid=$!
if wait_line "$out" '^memtouch: ready ' 10; then
	sleep 0.3
	kill -TERM "$pid"
	wait_pid "$pid" 10
	expect_rc "SIGTERM: exit 0" 0 $? "$out"
	expect "SIGTERM: final check and done line" "$out" '^memtouch: done .* errors=0 '
else
	not_ok "SIGTERM: memtouch ready" "$(cat "$out")"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
fi

out=$tmp/instances
"$mt" --instances 3 --size 4 --time 0.5 --report 0 --seed 10 >"$out"
expect_rc "three instances: exit 0" 0 $? "$out"
expect "three instances: seeds 10, 11, 12" "$out" '^memtouch: inst=2 start .* seed=12 '
if [ "$(grep -cE '^memtouch: inst=[0-2] done .* errors=0 ' "$out")" -eq 3 ]; then
	ok "three instances: three clean done lines"
else
	not_ok "three instances: three clean done lines" \
		"$(grep ' done ' "$out")"
fi
expect "three instances: summary" "$out" '^memtouch: instances n=3 ok=3 failed=0$'

for args in "--size 8 --active 9" "--pattern zigzag" "--grow-to 4 --size 8" \
	    "--time -1" "--bogus" "--size 0"; do
	# shellcheck disable=SC2086
	"$mt" $args >/dev/null 2>&1
	expect_rc "usage error exits 2: $args" 2 $?
done

echo "# vsock-hostile: encoder against protocol.rst"

# dump_hex <case> <step> <msg>: the hex of one message of --dump.
dump_hex() {
	"$hs" --dump --ram-pages 65536 --boot-id 0x1122334455667788 "$1" |
		sed -n "s/^hostile: dump case=$1 step=$2 msg=$3 len=[0-9]* hex=//p"
}

# check_hex <description> <got> <expected>: equal, or <got> starts with
# <expected> if it ends in "...".
check_hex() {
	local want=${3%...}
	if [ "$2" = "$3" ] || { [ "$want" != "$3" ] && [ "${2#"$want"}" != "$2" ]; }; then
		ok "$1"
	else
		not_ok "$1" "got  $2" "want $3"
	fi
}

# bytes <field>...: the fields, little endian hex each, end to end.
bytes() {
	printf '%s' "$@"
}

# The header (Message header table): magic "MRM!", version 1, type,
# length, seq.
hdr() { # hdr <type> <length> <seq>
	bytes 4d524d21 0100 "$1" "$2" "$3"
}

# HELLO seq 0 (HELLO table): min_version 1, max_version 1, page_size
# 4096, caps FRAME_2M|STATS, reserved, ram_pages 65536, balloon_pages 0,
# boot_id 0x1122334455667788.
check_hex "HELLO bytes" "$(dump_hex probe hello-goodbye 0)" \
	"$(hdr 0100 28000000 00000000)$(bytes 0100 0100 00100000 03000000 \
	00000000 0000010000000000 0000000000000000 8877665544332211)"

# GOODBYE seq 1 (GOODBYE table): reason UNLOAD, reserved0, reserved1.
check_hex "GOODBYE bytes" "$(dump_hex probe hello-goodbye 1)" \
	"$(hdr 0a00 08000000 01000000)$(bytes 0100 0000 00000000)"

# INFLATE seq 1 (INFLATE and Frames tables): nr_frames 1, reserved0,
# reserved1, the 4 KiB frame at 1 TiB: GPA | order 0.
check_hex "INFLATE bytes" "$(dump_hex outside-ram ack-invalid 1)" \
	"$(hdr 0400 10000000 01000000)$(bytes 0100 0000 00000000 \
	0000000000010000)"

# INFLATE seq 4 of the 2 MiB frame at 1 TiB: GPA | 9.
check_hex "INFLATE of an order-9 frame" "$(dump_hex outside-ram ack-invalid 4)" \
	"$(hdr 0400 10000000 04000000)$(bytes 0100 0000 00000000 \
	0900000000010000)"

# A good frame, then the same with reserved bit 6 set.
check_hex "INFLATE with a reserved frame bit" \
	"$(dump_hex outside-ram reserved-bit 1)" \
	"$(hdr 0400 18000000 01000000)$(bytes 0200 0000 00000000 \
	0000000000010000 4000000000010000)"

# A HELLO header announcing 4112 bytes, nothing after it.
check_hex "oversized HELLO header" "$(dump_hex oversized hello-4112 0)" \
	"$(hdr 0100 10100000 00000000)"

# Half a header: magic, version, type.
check_hex "half a header" "$(dump_hex truncated half-header 0)" \
	"$(bytes 4d524d21 0100 0100)"

# STATS seq 1 (STATS tables): nr_stats 1, reserved0, reserved1; the entry
# tag 7 (PSI some avg10), reserved0, reserved1, value 100000.
check_hex "STATS bytes" "$(dump_hex liar psi-above-max 1)" \
	"$(hdr 0700 18000000 01000000)$(bytes 0100 0000 00000000 \
	0700 0000 00000000 a086010000000000)"

# DEFLATE seq 1 (DEFLATE table): nr_frames 512, reason RESYNC, reserved,
# frames GFN 0x100, 0x101, ... (the first two are compared).
check_hex "DEFLATE bytes" "$(dump_hex flood flood 1)" \
	"$(hdr 0500 08100000 01000000)$(bytes 0002 0500 00000000 \
	0000100000000000 0010100000000000)..."

a=$("$hs" --dump --seed 5 garbage | md5sum)
b=$("$hs" --dump --seed 5 garbage | md5sum)
c=$("$hs" --dump --seed 6 garbage | md5sum)
if [ "$a" = "$b" ] && [ "$a" != "$c" ]; then
	ok "garbage is a function of the seed"
else
	not_ok "garbage is a function of the seed"
fi
out=$tmp/dump-all
"$hs" --dump all >"$out"
expect_rc "--dump all exits 0" 0 $? "$out"
if [ "$(sed -n 's/^hostile: dump case=\([^ ]*\) .*/\1/p' "$out" | sort -u | wc -l)" -eq 12 ]; then
	ok "--dump all shows every case"
else
	not_ok "--dump all shows every case"
fi
"$hs" nonsense >/dev/null 2>&1
expect_rc "unknown case exits 2" 2 $?
"$hs" >/dev/null 2>&1
expect_rc "no case exits 2" 2 $?

echo "# vsock-hostile: verdicts against model-host.py"

if ! command -v python3 >/dev/null; then
	skip "vsock-hostile against the model host" "no python3"
else
	sock=$tmp/model.sock
	timing=(--handshake-ms 600 --window-ms 2000)

	# model <fault or "">: (re)start the model host.
	model() {
		[ -n "$model_pid" ] && { kill "$model_pid"; wait "$model_pid" 2>/dev/null; }
		rm -f "$sock"
		python3 "$here/model-host.py" "$sock" "${timing[@]}" ${1:+--fault "$1"} &
		model_pid=$!
		local i
		for ((i = 0; i < 50; i++)); do
			[ -S "$sock" ] && return 0
			sleep 0.1
		done
		echo "# model-host.py did not start" >&2
		return 1
	}

	hostile() {
		timeout 300 "$hs" --unix "$sock" "${timing[@]}" --wait 1000 \
			--flood-secs 2 --storm 30 "$@"
	}

	model ""
	out=$tmp/model-all
	hostile all >"$out"
	expect_rc "conforming model: all cases pass" 0 $? "$out"
	expect "conforming model: summary" "$out" '^hostile: passed=12 failed=0$'
	expect "conforming model: rate limit measured" "$out" '^hostile: case=flood step=flood result=ack msgs=[0-9]+ .* verdict=pass$'
	expect "conforming model: storm limited to 12" "$out" '^hostile: case=reconnect-storm step=storm result=storm attempts=30 welcomed=([0-9]|1[0-2]) refused=[0-9]+ hung=0 bad=0 .*verdict=pass$'

	# fault case step why: the model with that fault fails that step.
	while read -r fault case step why; do
		model "$fault"
		out=$tmp/fault-$fault
		hostile "$case" >"$out"
		rc=$?
		if [ "$rc" -eq 1 ] &&
		   grep -qE "^hostile: case=$case step=$step .*verdict=fail why=$why$" "$out"; then
			ok "model with fault $fault: $case/$step fails ($why)"
		else
			not_ok "model with fault $fault: $case/$step fails ($why)" \
				"exit $rc" "$(grep -E 'verdict=(fail|pass)' "$out")"
		fi
	done <<-'EOF'
		no-error garbage len16 closed-without-error
		wrong-code bad-magic hello wrong-error-code
		read-payload-first oversized inflate-4112 not-closed
		read-payload-first oversized hello-4112 wrong-error-code
		lax-frames outside-ram ack-invalid ack-wrong-accepted
		lax-frames outside-ram reserved-bit acked-a-bad-message
		no-handshake-timeout truncated half-header not-closed
		early-timeout truncated half-payload closed-too-early
		no-rate-limit flood flood not-rate-limited
		no-connect-limit reconnect-storm storm over-connection-limit
		low-connect-limit reconnect-storm storm refused-below-limit
		close-on-lies liar lies did-not-carry-on
		bad-welcome probe hello-goodbye welcome-caps
		no-goodbye probe hello-goodbye no-goodbye
	EOF
fi

echo "native-test: passed=$((n - failed - skipped)) failed=$failed skipped=$skipped"
[ "$failed" -eq 0 ]
