# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# 03-balloon with KVM's shadow MMU (kvm_amd npt=0): releasing ballooned
# memory must also work when KVM maps guest memory with shadow page tables.
#
# e2e: timeout=300 l1_mem=2048 npt=0

check "kvm_amd runs with npt=0" grep -qx N /sys/module/kvm_amd/parameters/npt
# shellcheck source=selftests/e2e/scenarios/03-balloon.sh
. "$REPO/selftests/e2e/scenarios/03-balloon.sh"
