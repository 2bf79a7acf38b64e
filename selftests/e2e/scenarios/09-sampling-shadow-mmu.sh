# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# 08-sampling with KVM's shadow MMU (kvm_amd npt=0): KVM ages the shadow
# page tables' accessed bits, and the estimate must be as accurate.
#
# e2e: timeout=600 l1_mem=2048 npt=0 alone=1

check "kvm_amd runs with npt=0" grep -qx N /sys/module/kvm_amd/parameters/npt
# shellcheck source=selftests/e2e/scenarios/08-sampling.sh
. "$REPO/selftests/e2e/scenarios/08-sampling.sh"
