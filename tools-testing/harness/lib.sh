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

# The Debian mirror this machine already uses, from its own apt sources.
debian_mirror()
{
	local f uri

	uri=$(
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
		done
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }'
	)
	uri=$(grep -v -e security -e '\$' <<<"$uri" | grep -m1 '/debian/\?$' || true)
	[ -n "$uri" ] || die "no Debian mirror found in the machine's apt sources"
	echo "$uri"
}

# What in a guest's console or dmesg is a kernel splat.
# shellcheck disable=SC2034
SPLAT_RE='BUG:|WARNING:|KASAN|UBSAN|possible circular|possible recursive|inconsistent lock|suspicious RCU|Oops|general protection|Call Trace|unregister_netdevice: waiting|leaked reference|ref_tracker|Kernel panic'

# git_base TREE MESSAGE DEST: commit all of TREE as a new git repository,
# tag that commit "base" (the pristine tree), and move TREE to DEST.
git_base()
{
	local tree=$1 msg=$2 dest=$3

	git -C "$tree" init -q -b virt
	git -C "$tree" config gc.auto 0
	git -C "$tree" config user.name "virt harness"
	git -C "$tree" config user.email "harness@invalid"
	git -C "$tree" add -A
	git -C "$tree" commit -q -m "$msg"
	git -C "$tree" tag base
	rm -rf "$dest"
	mv "$tree" "$dest"
}
