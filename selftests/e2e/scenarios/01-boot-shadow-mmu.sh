# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# 00-boot with KVM's shadow MMU (kvm_amd npt=0) instead of nested paging,
# so both of KVM's MMUs are covered.
#
# e2e: timeout=240 l1_mem=2048 npt=0

check "kvm_amd runs with npt=0" grep -qx N /sys/module/kvm_amd/parameters/npt
# shellcheck source=selftests/e2e/scenarios/00-boot.sh
. "$REPO/selftests/e2e/scenarios/00-boot.sh"
