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

# The iproute2 the ip(8) series (patches/iproute2) targets: the upstream
# tarball of Debian's newest iproute2 source package that the mirror
# serves. Debian lists 7.3.0 in sid and 6.15.0 in trixie, but the mirror
# this project uses serves neither's source, only bookworm's 6.1.0.
IPRVER	:= 6.1.0
IPRSUITE := bookworm

# Build products live outside the repository and are reused across runs.
CACHE	?= $(HOME)/.cache/virt
SRC	:= $(CACHE)/linux-$(KVER)
BUILD	:= $(CACHE)/build-$(KVER)
MODROOT	:= $(CACHE)/modroot-$(KVER)
IPRSRC	:= $(CACHE)/iproute2-$(IPRVER)

H	:= tools-testing/harness

export KVER KSUITE CACHE SRC BUILD MODROOT IPRVER IPRSUITE IPRSRC

.PHONY: all deps fetch patches kernel iproute2 check demo selftest stress clean distclean

all: check

deps:
	@$(H)/deps.sh

fetch: deps
	@$(H)/fetch-kernel.sh $(KVER) $(KSUITE) $(SRC) $(CACHE)/apt
	@$(H)/fetch-iproute2.sh $(IPRVER) $(IPRSUITE) $(IPRSRC) $(CACHE)/apt-iproute2

# Author identity: tools-testing/harness/series/author, or VIRT_AUTHOR.
patches: fetch
	@$(H)/mkpatches.py $(SRC) base patches
	@$(H)/mkpatches.py --iproute2 $(IPRSRC) base patches/iproute2

kernel: deps
	@$(H)/kernel.sh
	@$(H)/iproute2.sh || echo "iproute2: no ip with the series; guests use the stock ip"

# ip(8) with patches/iproute2, at $(CACHE)/iproute2/sbin/ip (first in the
# guests' PATH).
iproute2: deps
	@$(H)/iproute2.sh

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
	@$(H)/iproute2.sh || echo "iproute2: no ip with the series; guests use the stock ip"
	@$(H)/quick.sh

clean:
	rm -rf $(BUILD) $(MODROOT) $(CACHE)/run $(CACHE)/iproute2

distclean:
	rm -rf $(CACHE)
