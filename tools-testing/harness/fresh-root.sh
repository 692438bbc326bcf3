#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Try the README the way a newcomer meets it: a fresh Debian 12 root made
# with debootstrap (nothing installed by hand), a clone of this repository
# under /tmp and one under /root, and the README's commands in each. Not
# part of make check: it downloads a Debian root and builds from nothing.
#
# Usage: fresh-root.sh ROOTDIR [COMMAND...]   (default: make demo; make check)
# Needs debootstrap on the host and root. Prints each command's wall time.
set -euo pipefail

root=$1
shift
cmds=("$@")
[ ${#cmds[@]} -gt 0 ] || cmds=("make demo" "make check")
here=$(dirname "$(readlink -e "$0")")
top=$(readlink -e "$here/../..")
# shellcheck source=lib.sh
source "$here/lib.sh"

# The machine's own Debian mirror, as apt is set up here.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
	 head -n1)
[ -n "$mirror" ] || mirror=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list)

if [ ! -x "$root/usr/bin/apt-get" ]; then
	step "fresh-root: debootstrap bookworm into $root"
	debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
for m in proc sys dev dev/pts; do
	mountpoint -q "$root/$m" || mount --bind "/$m" "$root/$m"
done
trap 'for m in dev/pts dev sys proc; do umount -l "$root/$m" 2>/dev/null; done' EXIT

# What a newcomer types before the README: git and make to get the code.
chroot "$root" sh -c 'command -v git >/dev/null && command -v make >/dev/null ||
	{ apt-get -qq update && apt-get -qq install -y git make ca-certificates >/dev/null; }'

rm -rf "$root/tmp/virt" "$root/root/virt" "$root/tmp/virt.git"
git clone -q --bare "$top" "$root/tmp/virt.git"
for dir in /tmp/virt /root/virt; do
	chroot "$root" git clone -q /tmp/virt.git "$dir"
	for cmd in "${cmds[@]}"; do
		step "fresh-root: $dir: $cmd"
		t0=$SECONDS
		rc=0
		chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			TERM=dumb bash -c "cd $dir && $cmd" >"$root/$dir.${cmd// /_}.log" 2>&1 ||
			rc=$?
		echo "fresh-root: $dir: '$cmd' exit $rc in $((SECONDS - t0)) s;" \
			"last line: $(tail -n1 "$root/$dir.${cmd// /_}.log")"
	done
done
