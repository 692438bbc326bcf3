#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared by the harness scripts: progress lines with elapsed time.

# The kernel's scripts (spdxcheck.py, kernel-doc) and the guest want Debian's
# python3 with Debian's modules, not whatever a version manager put first.
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

: "${VIRT_T0:=$(date +%s)}"
export VIRT_T0

step()
{
	local t=$(( $(date +%s) - VIRT_T0 ))

	printf '[%02d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*"
}

die()
{
	echo "error: $*" >&2
	exit 1
}

# What in a guest's console or dmesg is a kernel splat.
# shellcheck disable=SC2034
SPLAT_RE='BUG:|WARNING:|KASAN|UBSAN|possible circular|possible recursive|inconsistent lock|suspicious RCU|Oops|general protection|Call Trace|unregister_netdevice: waiting|leaked reference|ref_tracker|Kernel panic'
