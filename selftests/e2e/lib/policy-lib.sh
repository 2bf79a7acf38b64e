# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the scenarios of the policy loop on an overcommitted L1
# (12-overcommit, 13-idle-tax, 14-reliability): guests in their own memory
# cgroup attached with mrmctl, memtouch in the guests, and a recorder that
# samples the host's and every VM's accounting once a second into a CSV
# and turns it into a state timeline.  Sourced by a scenario, after
# l1-lib.sh.

# vmstat <key>: a counter of L1's /proc/vmstat (0 if the kernel lacks it).
vmstat() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' /proc/vmstat; }
# Pages L1 brought back from zswap or swap, and sent there.
swapins() { echo $(($(vmstat pswpin) + $(vmstat zswpin))); }
swapouts() { echo $(($(vmstat pswpout) + $(vmstat zswpout))); }

# low_events <vm>: how often the kernel reclaimed the VM's cgroup below
# its memory.low (memory.events "low"), 0 without a cgroup.
low_events() {
	local dir
	dir=$(cat "$VMS/$1/cgroup" 2>/dev/null)
	awk '$1 == "low" { print $2; f = 1 } END { if (!f) print 0 }' \
		"/sys/fs/cgroup$dir/memory.events" 2>/dev/null || echo 0
}

# KVM maps 4 KiB pages when L1 has no transparent huge pages, so one
# sample is one page (see 08-sampling and Documentation/sampling.rst).
thp_off() { echo never >/sys/kernel/mm/transparent_hugepage/enabled; }

# pol_guest_up <name> <cid> <MiB>: a guest in its own cgroup, booted,
# attached with that cgroup, its balloon connected.
pol_guest_up() {
	local name=$1
	MRM_CGROUP=1 guest_start "$name" "$2" "$3" || return 1
	guest_wait_ready "$name" 120 || return 1
	"$MRMCTL" attach --pid "$(guest_pid "$name")" --name "$name" \
		--cgroup "$(guest_cgroup "$name")" || return 1
	wait_for 60 attr_is "$name" balloon_state connected
}

# pol_guest_down <name>: balloon module out, detached, powered off.
pol_guest_down() {
	guest_run "$1" 120 'rmmod mrm_balloon' >/dev/null &&
		"$MRMCTL" detach "$1" && guest_stop "$1" 120
}

# mt_start <guest> <log> <memtouch options...>: memtouch in the background.
mt_start() {
	local g=$1 log=$2
	shift 2
	guest_run "$g" 60 "memtouch $* >/tmp/$log.log 2>&1 &" >/dev/null
}
# mt_stop <guest>: end the guest's memtouch runs (SIGTERM: the done line,
# and the final check unless --no-final-check, still follow).
mt_stop() {
	# shellcheck disable=SC2016 # expanded in the guest
	guest_run "$1" 60 'kill -TERM $(pidof memtouch) 2>/dev/null' >/dev/null
}
# mt_mean <guest> <log> <key> <first elapsed> <last elapsed>: mean of key
# over the report lines whose elapsed lies in [first, last].
mt_mean() {
	# Only the two fields cross the (slow) console.
	guest_run "$1" 60 "sed -n 's/^memtouch: report .*\\(elapsed=[0-9.]*\\) .*\\( $3=[0-9.]*\\).*/\\1\\2/p' /tmp/$2.log" |
		awk -v key="$3" -v lo="$4" -v hi="$5" '
		{
			e = ""; v = ""
			for (i = 1; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == "elapsed") e = kv[2] + 0
				if (kv[1] == key) v = kv[2] + 0
			}
			if (e != "" && v != "" && e >= lo && e <= hi) { s += v; n++ }
		}
		END { if (n) printf "%.3f\n", s / n; else print "nan" }'
}

# The recorder: one CSV line a second with the host's state and every
# VM's accounting, in MiB.
TIMELINE_PID=
timeline_start() {
	local csv=$1
	shift
	(
		local t0=$SECONDS vm
		printf 't,state,free,consumed_all'
		for vm in "$@"; do
			printf ',%s_mapped,%s_consumed,%s_ballooned,%s_compressed,%s_swapped,%s_target,%s_active,%s_low,%s_lowevents' \
				"$vm" "$vm" "$vm" "$vm" "$vm" "$vm" "$vm" "$vm" "$vm"
		done
		printf ',swapins,swapouts\n'
		while :; do
			printf '%d,%s,%d,%d' $((SECONDS - t0)) "$(cat $HOST/state)" \
				"$(mib "$(host_num free_bytes)")" "$(mib "$(host_num consumed_bytes)")"
			for vm in "$@"; do
				printf ',%d,%d,%d,%d,%d,%d,%d,%d,%d' \
					"$(mib "$(vm_num "$vm" mapped_bytes)")" \
					"$(mib "$(vm_num "$vm" consumed_bytes)")" \
					"$(mib "$(vm_num "$vm" balloon_current)")" \
					"$(mib "$(vm_num "$vm" compressed_bytes)")" \
					"$(mib "$(vm_num "$vm" swapped_bytes)")" \
					"$(mib "$(vm_num "$vm" target_bytes)")" \
					"$(mib "$(vm_num "$vm" active_bytes)")" \
					"$(mib "$(vm_num "$vm" memory_low)")" \
					"$(low_events "$vm")"
			done
			printf ',%d,%d\n' $(($(swapins) / 256)) $(($(swapouts) / 256))
			sleep 1
		done
	) >"$csv" &
	TIMELINE_PID=$!
}
timeline_stop() {
	[ -n "$TIMELINE_PID" ] && kill "$TIMELINE_PID" 2>/dev/null
	wait "$TIMELINE_PID" 2>/dev/null
	TIMELINE_PID=
}
# timeline_states <csv>: "high@0s soft@31s high@35s ..." (state changes).
timeline_states() {
	awk -F, 'NR > 1 && $2 != last { printf "%s%s@%ds", sep, $2, $1; sep = " "; last = $2 }
		END { print "" }' "$1"
}
# timeline_print <csv> <every>: the CSV's header and every <every>-th line
# as notes.
timeline_print() {
	local line
	while IFS= read -r line; do
		note "  $line"
	done < <(awk -v every="$2" 'NR == 1 || (NR - 2) % every == 0' "$1")
}
# timeline_col <csv> <column name> <row>: a value (row 1 is the first data
# line; "last" the last).
timeline_col() {
	awk -F, -v name="$2" -v row="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ v[NR - 1] = $c; n = NR - 1 }
		END { if (row == "last") row = n; print v[row] + 0 }' "$1"
}
# timeline_max <csv> <column name>: the largest value of a column.
timeline_max() {
	awk -F, -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		$c + 0 > m { m = $c + 0 }
		END { print m + 0 }' "$1"
}
