# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build wrapper for mrm_host.ko and mrm_balloon.ko, and the
# entry point to every test.  `make help` lists the targets.

KDIR ?= $(shell scripts/kdir.sh 2>/dev/null)

MODULES := host/mrm_host.ko guest/mrm_balloon.ko

.PHONY: all modules tools clean help matrix checkpatch kunit sim fuzz e2e e2e-debug debug-kernel demo check bench-balloon bench-sample

all: modules

modules:
	@test -n "$(KDIR)" || { echo "mrm: no kernel headers found: run scripts/setup-debian.sh or pass KDIR=" >&2; exit 1; }
	@echo "mrm: building against KDIR=$(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# User-space tools (mrmctl).
tools:
	$(MAKE) -C tools/mrmctl

clean:
	$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	$(MAKE) -C tools/mrmctl clean
	rm -rf build

# Both modules against Debian 6.12 and 6.1 headers, W=1 and sparse; any
# warning fails.
matrix:
	scripts/build-matrix.sh

checkpatch:
	scripts/checkpatch.sh

kunit:
	scripts/kunit.sh

# The policy core in user space against every scenario in
# tools/mrmsim/scenarios; results, CSV and PNG in build/sim/.
sim:
	$(MAKE) -C tools/mrmsim

# KERNEL=debug boots every L1 on the debug kernel (see debug-kernel).
e2e:
	E2E_KERNEL=$(KERNEL) selftests/e2e/run.sh

# The e2e harness's debug L1 kernel (KASAN, lockdep, kmemleak...), built
# once from linux-source-6.12 and cached.
debug-kernel:
	scripts/debug-kernel.sh

# The scenarios of selftests/e2e/debug/ (kernel=debug): attach, balloon,
# hostile guests and host reload under KASAN, lockdep and kmemleak.  Not
# yet part of `make check` (see Documentation/testing.rst).
e2e-debug:
	selftests/e2e/run.sh selftests/e2e/debug/*.sh

# libFuzzer on the wire protocol (clang, ASan, UBSan), bounded by
# FUZZ_RUNS inputs (default 2000000) and FUZZ_TIME seconds (default 600).
fuzz:
	$(MAKE) -C tools/fuzz run

# mrm's balloon against QEMU's virtio-balloon in one nested-KVM run.
bench-balloon:
	selftests/e2e/run.sh selftests/e2e/bench/balloon.sh

# Host CPU time of working-set sampling per period, 256 MiB vs 1 GiB guest.
bench-sample:
	selftests/e2e/run.sh selftests/e2e/bench/sample.sh

# The main demo: for now the end-to-end scenarios themselves.
demo: e2e

check:
	scripts/check.sh

help:
	@echo "make [KDIR=<kernel build dir>]  build $(MODULES)"
	@echo "                                 (default KDIR: newest /usr/src/linux-headers-6.12.*-amd64)"
	@echo "make tools       build tools/mrmctl (attach VMs to mrm_host)"
	@echo "make matrix      build against Debian 6.12 and 6.1 headers with W=1 C=1; warnings fail"
	@echo "make checkpatch  checkpatch.pl --strict on every source file"
	@echo "make kunit       KUnit suites on UML (linux-source-6.12, cached in ~/.cache/mrm)"
	@echo "make sim         policy simulator: every scenario, expectations checked, plots in build/sim"
	@echo "make e2e         nested-KVM scenarios (QEMU L1 host, KVM L2 guests), two at a time"
	@echo "                 (E2E_JOBS=n); KERNEL=debug: every L1 on the debug kernel"
	@echo "make debug-kernel  build (once, cached) the debug L1 kernel: KASAN, lockdep, kmemleak"
	@echo "make e2e-debug   attach, balloon, hostile, host reload on the debug L1 kernel"
	@echo "make fuzz        libFuzzer on the wire protocol, FUZZ_RUNS inputs (build/fuzz)"
	@echo "make bench-balloon  inflate 1 GiB with mrm and with virtio-balloon, side by side"
	@echo "make bench-sample   sampling cost per period, 256 MiB and 1 GiB guests, and the ratio"
	@echo "make demo        the main demo (currently: make e2e)"
	@echo "make check       build matrix, checkpatch, kunit, sim, fuzz, e2e; the project's one test command"
	@echo "make clean"
