# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What fails a kernel log in the e2e harness: sourced by run.sh on the
# build machine (L1's console) and by l1-lib.sh inside L1 (L1's dmesg and
# the guests' consoles).
#
# shellcheck disable=SC2034 # used by the scripts that source this file
BAD_LOG_RE='WARNING:|BUG:|Oops|Call Trace|KASAN|general protection|Kernel panic|blocked for more than'
# Lines that match BAD_LOG_RE but are not kernel warnings: the boot-time
# CPU vulnerability notice of the emulated EPYC CPU.
BAD_LOG_IGNORE_RE='Speculative Return Stack Overflow: WARNING: See'
