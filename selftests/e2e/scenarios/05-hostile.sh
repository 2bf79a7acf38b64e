# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A hostile guest: user space in g1 speaks raw vsock to mrm_host's port
# (vsock-hostile: garbage, truncation, oversized lengths, frames outside
# RAM, lies, a flood, a reconnect storm), while g2's honest balloon keeps
# being served.  The host module stays up, closes the hostile sessions as
# the protocol says, and leaks nothing (it unloads cleanly afterwards).
# A CID that is not attached is refused.  An unprivileged user beside g1's
# own balloon connects from an unreserved port: the host refuses it before
# reading anything and says so, and g1's balloon session is untouched.
# Nested paging.
#
# e2e: timeout=720 l1_mem=2048 npt=1

# The operator drives the balloon here, not the policy loop.
check "policy loop disabled" policy_off

in_dmesg() { dmesg | grep -qE -- "$1"; }

guest_start g1 3 256
guest_start g2 4 256
guest_start g3 5 256
for g in g1 g2 g3; do
	check "$g boots" guest_wait_ready "$g" 120
done
for g in g1 g2; do
	check "$g attached" "$MRMCTL" attach --pid "$(guest_pid "$g")" --name "$g"
done
# The guest's back-off reaches 60 s if g3 was slow to boot.
check "g2 balloon connects" wait_for 90 attr_is g2 balloon_state connected
check "g1 unloads its own balloon" guest_run g1 30 'rmmod mrm_balloon'

# g3 is not attached: the host must not serve it.
out=$(guest_run g3 60 'rmmod mrm_balloon; vsock-hostile --wait 3000 probe 2>&1 | tail -n 1')
note "unattached g3: $out"
if grep -q 'verdict=fail' <<<"$out"; then
	ok "an unattached CID is not served"
else
	not_ok "an unattached CID is not served" "$out"
fi

# The whole hostile suite in g1, in the background (about five minutes).
guest_run g1 10 'vsock-hostile all >/tmp/hostile.log 2>&1; echo "exit=$?" >>/tmp/hostile.log &'

# Meanwhile the honest guest is served: inflate and deflate g2.
sleep 20
echo $((64 * MIB)) >"$VMS/g2/balloon_target"
check "g2 inflates to 64 MiB during the attack" \
	wait_for 60 attr_is g2 balloon_current $((64 * MIB))
echo 0 >"$VMS/g2/balloon_target"
check "g2 deflates during the attack" wait_for 60 attr_is g2 balloon_current 0

check "the hostile suite finishes" \
	wait_for 480 guest_run g1 10 'grep -q "^exit=" /tmp/hostile.log'
guest_run g1 10 'grep -E "verdict=fail|passed=" /tmp/hostile.log' |
	while read -r line; do note "$line"; done
check "the host behaved in every hostile case" \
	guest_run g1 10 'grep -q "^exit=0" /tmp/hostile.log'
note "g1 rejected frames: $(vm_attr g1 balloon_rejected_frames), unknown frames: $(vm_attr g1 balloon_unknown_frames), sessions: $(vm_attr g1 balloon_sessions)"

# An unprivileged user of g1 beside g1's own balloon: it cannot bind a
# reserved port, and its connection from an unreserved one is refused
# (before this rule it would have replaced the balloon's session and could
# have inflated any frame of g1).  No probe: it would replace the session.
check "g1 loads its balloon again" guest_run g1 30 'insmod /lib/mrm/mrm_balloon.ko'
check "g1 balloon connects" wait_for 60 attr_is g1 balloon_state connected
sessions=$(vm_attr g1 balloon_sessions)
out=$(guest_run g1 60 'vsock-hostile --force --no-probe unreserved-port 2>&1')
while read -r line; do note "$line"; done <<<"$out"
if grep -q '^hostile: case=unreserved-port verdict=pass' <<<"$out"; then
	ok "an unprivileged user cannot bind a reserved port nor be served from another"
else
	not_ok "an unprivileged user cannot bind a reserved port nor be served from another" "$out"
fi
# The port is printed unless the connection was reset while connecting
# (refused as well); then any refusal of CID 3 will do.
port=$(sed -n 's/.* step=unreserved .* port=\([0-9]*\) .*/\1/p' <<<"$out")
note "the host: $(dmesg | grep -E "refusing vsock CID 3 port ${port:-[0-9]+}:" | tail -n 1)"
check "the host logs the refusal of CID 3 port ${port:-(reset, not printed)}" \
	in_dmesg "refusing vsock CID 3 port ${port:-[0-9]+}: not a reserved port"
session_kept() { attr_is g1 balloon_sessions "$1" && attr_is g1 balloon_state connected; }
check "g1's balloon session is untouched (sessions $sessions)" session_kept "$sessions"
echo $((16 * MIB)) >"$VMS/g1/balloon_target"
check "g1's balloon still served" \
	wait_for 60 attr_is g1 balloon_current $((16 * MIB))

# The honest guest is still served after the attack.
echo $((32 * MIB)) >"$VMS/g2/balloon_target"
check "g2 still served after the attack" \
	wait_for 60 attr_is g2 balloon_current $((32 * MIB))

for g in g1 g2; do
	check "$g detached" "$MRMCTL" detach "$g"
done
for g in g1 g2 g3; do
	check "$g powers off cleanly" guest_stop "$g" 60
done
