# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# 06-host-reload on the debug L1 kernel (scripts/debug-kernel.sh): KASAN, lockdep,
# atomic-sleep checks and debug objects watch mrm_host while the scenario
# runs; any report they print fails it, and after rmmod mrm_host kmemleak
# must find nothing mrm_host leaked (l1-run.sh).
#
# e2e: timeout=300 l1_mem=2048 npt=1 kernel=debug
# shellcheck source=selftests/e2e/scenarios/06-host-reload.sh
. "$REPO/selftests/e2e/scenarios/06-host-reload.sh"
