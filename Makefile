# SPDX-License-Identifier: GPL-2.0
#
# virt: the driver, its selftests and docs as files; the patch series for
# drivers/net generated from them; a QEMU harness that tests the series
# applied to the kernel Debian ships.
#
#   make demo    boot the test kernel and walk through the scenario
#   make check   everything CI runs; ends with "N passed, N failed"

# The kernel the series targets: the newest stable kernel Debian ships,
# package linux-source-$(KSERIES) from $(KSUITE). This is the one place
# the version lives.
KVER	:= 7.3.4
KSUITE	:= trixie-backports

# Build products live outside the repository and are reused across runs.
CACHE	?= $(HOME)/.cache/virt
SRC	:= $(CACHE)/linux-$(KVER)
BUILD	:= $(CACHE)/build-$(KVER)
MODROOT	:= $(CACHE)/modroot-$(KVER)

H	:= tools-testing/harness

export KVER KSUITE CACHE SRC BUILD MODROOT

.PHONY: all deps fetch patches kernel check demo selftest stress clean distclean

all: check

deps:
	@$(H)/deps.sh

fetch: deps
	@$(H)/fetch-kernel.sh $(KVER) $(KSUITE) $(SRC) $(CACHE)/apt

# Author identity: tools-testing/harness/series/author, or VIRT_AUTHOR.
patches: fetch
	@$(H)/mkpatches.py $(SRC) base patches

kernel: deps
	@$(H)/kernel.sh

# check reports the tool probes itself, as checks of their own.
check:
	@$(H)/deps.sh --no-probe
	@$(H)/check.sh

demo: kernel
	@$(H)/demo.sh

# The adversarial suite at full size (make check runs it short).
stress: kernel
	@$(H)/stress.sh

# Developers' inner loop: make selftest T=virt_edge.sh[,virt_basic.sh]
# [VIRT_C=old/virt.c]
selftest: deps
	@$(H)/quick.sh

clean:
	rm -rf $(BUILD) $(MODROOT) $(CACHE)/run

distclean:
	rm -rf $(CACHE)
