# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Working-set sampling against a guest whose active fraction is known.
# A 512 MiB guest, attached, first idle for three periods, then running
# memtouch over 256 MiB, a set it sweeps continuously (a pass takes less
# than a period: checked from memtouch's own reports).  After three
# periods of each, the host's estimate (active_permille) must be within
# 0.1 of the true fraction: 0 when idle, memtouch's set over the guest RAM
# KVM maps (memory_bytes) when busy.  The guest kernel's own activity is
# part of neither "true" figure; what it adds is the idle estimate, noted
# as idle_baseline.  Also: the knobs refuse bad values and change nothing.
# Nested paging unless a scenario that sources this one says otherwise.
#
# Transparent huge pages are off in L1 (THP=never), so that KVM maps the
# guest's RAM with 4 KiB pages and a sample is one 4 KiB page, as in the
# paper.  With THP, KVM maps 2 MiB at once, the accessed bit it ages is
# the 2 MiB mapping's, and a sample counts as touched if any page of its
# 2 MiB was: the estimate is then the fraction of 2 MiB regions in use
# (measured with L1's default, always: idle 0.113, memtouch over half of
# RAM 0.642; see Documentation/sampling.rst).
#
# Runs alone (alone=1): the estimate is only valid while memtouch sweeps
# its set once per period, and beside another L1 (CI run of 2026-12-07,
# 09 with shadow paging) memtouch fell from 1.5 to 0.43 passes a second.
#
# e2e: timeout=600 l1_mem=2048 npt=1 alone=1

GUEST_MIB=512
ACTIVE_MIB=256
SAMPLES=1000
PERIOD_MS=2000
# Largest |estimate - true| accepted, per mille.
TOLERANCE_PM=100

knob() { cat "$SAMPLING/$1"; }
# refused <knob> <value>: the write fails and the knob keeps its value.
refused() {
	local before
	before=$(knob "$1")
	! echo "$2" >"$SAMPLING/$1" 2>/dev/null && [ "$(knob "$1")" = "$before" ]
}
periods_at_least() { [ "$(vm_attr "$1" sample_periods)" -ge "$2" ]; }
# wait_periods <vm> <n>: until n more periods have ended.
wait_periods() {
	local target=$(($(vm_attr "$1" sample_periods) + $2))
	wait_for $(($2 * PERIOD_MS / 1000 * 3 + 30)) periods_at_least "$1" "$target"
}
permille() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
abs() { echo $(($1 < 0 ? -$1 : $1)); }
# judge <label> <estimate pm> <true pm>: notes both and checks the error.
judge() {
	local err=$(($2 - $3))
	note "$1: estimate=$(permille "$2") true=$(permille "$3") estimator_error=$([ $err -lt 0 ] && echo -)$(permille "$(abs $err)") (touched $(vm_attr s1 sample_touched)/$(vm_attr s1 sample_checked) last period, sample_cpu_ns=$(vm_attr s1 sample_cpu_ns))"
	if [ "$(abs $err)" -le "$TOLERANCE_PM" ]; then
		ok "$1: estimate within 0.1 of the true fraction"
	else
		not_ok "$1: estimate within 0.1 of the true fraction" \
			"estimate $2 per mille, true $3 per mille"
	fi
}

THP=${THP:-never}
check "THP $THP in L1" eval 'echo $THP >/sys/kernel/mm/transparent_hugepage/enabled'
note "transparent_hugepage: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"

check "defaults: samples=100, period_ms=30000" \
	eval '[ "$(knob samples)" = 100 ] && [ "$(knob period_ms)" = 30000 ]'
check "samples=0 refused" refused samples 0
check "samples=10001 refused" refused samples 10001
check "samples=abc refused" refused samples abc
check "period_ms=99 refused" refused period_ms 99
check "period_ms=-1 refused" refused period_ms -1
check "samples=$SAMPLES" eval 'echo $SAMPLES >$SAMPLING/samples && [ "$(knob samples)" = $SAMPLES ]'
check "period_ms=$PERIOD_MS" eval 'echo $PERIOD_MS >$SAMPLING/period_ms && [ "$(knob period_ms)" = $PERIOD_MS ]'

guest_start s1 3 "$GUEST_MIB"
check "s1 boots" guest_wait_ready s1 120
check "s1 attached" "$MRMCTL" attach --pid "$(guest_pid s1)" --name s1
ram=$(vm_attr s1 memory_bytes)
note "s1 memory_bytes=$ram ($((ram / MIB)) MiB in RAM memslots)"

check "s1: three idle periods" wait_periods s1 4
idle=$(vm_attr s1 active_permille)
judge "idle" "$idle" 0
note "idle_baseline=$(permille "$idle")"
check "sample_checked is the sample count" eval '[ "$(vm_attr s1 sample_checked)" = $SAMPLES ]'
check "sample_cpu_ns is measured" eval '[ "$(vm_attr s1 sample_cpu_ns)" -gt 0 ]'

check "s1 starts memtouch over $ACTIVE_MIB MiB" guest_run s1 10 \
	"(memtouch --size $ACTIVE_MIB --time 0 --report 2 >/tmp/mt.log 2>&1 &)"
check "memtouch filled its set" wait_for 240 eval \
	'guest_run s1 5 "grep -q \"memtouch: ready\" /tmp/mt.log"'
check "s1: three busy periods" wait_periods s1 4
busy=$(vm_attr s1 active_permille)
active_bytes=$(vm_attr s1 active_bytes)
true_pm=$((ACTIVE_MIB * MIB * 1000 / ram))
judge "busy" "$busy" "$true_pm"
note "active_bytes=$active_bytes ($((active_bytes / MIB)) MiB)"
rate=$(guest_run s1 5 "grep 'memtouch: report' /tmp/mt.log | tail -n 1")
note "memtouch: ${rate#memtouch: }"
passes=$(sed -n 's/.*passes_per_s=\([0-9.]*\).*/\1/p' <<<"$rate")
check "memtouch sweeps its set at least once per period" \
	eval "[ \"\$(echo \"${passes:-0} * $PERIOD_MS / 1000 >= 1\" | bc)\" = 1 ]"

check "s1 stops memtouch" guest_run s1 30 \
	'kill $(pidof memtouch) && while pidof memtouch >/dev/null; do sleep 0.2; done'
check "memtouch found no errors" guest_run s1 5 "grep -q 'memtouch: done.* errors=0 ' /tmp/mt.log"
check "s1 detached" "$MRMCTL" detach s1
check "s1 directory gone" eval '[ ! -e $VMS/s1 ]'
check "s1 powers off cleanly" guest_stop s1 60
