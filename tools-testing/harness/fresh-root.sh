#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Try the README the way a newcomer meets it: a fresh Debian 12 root made
# with debootstrap (nothing installed by hand), a clone of this repository
# under /tmp and one under /root, and the README's commands in each, then
# make check once more with the cache under /tmp. Only what is committed is
# tried: the root gets a clone. Not part of make check: it downloads a
# Debian root and builds from nothing.
#
# Usage: fresh-root.sh ROOTDIR [COMMAND...]   (default: make demo; make check)
# Needs debootstrap on the host and root. Prints each command's wall time.
set -euo pipefail

root=$(readlink -f "$1")
shift
[ "$root" != / ] || { echo "fresh-root: ROOTDIR must not be /" >&2; exit 1; }
command -v debootstrap >/dev/null ||
	{ echo "fresh-root: install package debootstrap" >&2; exit 1; }
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
mounted=()
trap 'for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}"; done' EXIT
for m in proc sys dev dev/pts; do
	mountpoint -q "$root/$m" && continue
	mount --bind "/$m" "$root/$m"
	mounted+=("$root/$m")
done

# What a newcomer types before the README: git and make to get the code.
chroot "$root" sh -c 'command -v git >/dev/null && command -v make >/dev/null ||
	{ apt-get -qq update && apt-get -qq install -y git make ca-certificates >/dev/null; }'

rm -rf "$root/tmp/virt" "$root/root/virt" "$root/tmp/virt.git"
git clone -q --bare "$top" "$root/tmp/virt.git"
# run DIR COMMAND: one command in the root, timed, its output logged.
run()
{
	local dir=$1 cmd=$2 log rc=0 t0=$SECONDS

	log=$root/$dir.${cmd//[^A-Za-z0-9]/_}.log
	step "fresh-root: $dir: $cmd"
	chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		TERM=dumb bash -c "cd $dir && $cmd" >"$log" 2>&1 || rc=$?
	echo "fresh-root: $dir: '$cmd' exit $rc in $((SECONDS - t0)) s;" \
		"last line: $(tail -n1 "$log")"
}

for dir in /tmp/virt /root/virt; do
	chroot "$root" git clone -q /tmp/virt.git "$dir"
	for cmd in "${cmds[@]}"; do
		run "$dir" "$cmd"
	done
done
# The cache under /tmp too: the guest must find its modules there (the
# compiler cache stays warm, so this pass costs a kernel relink, not a build).
run /root/virt "make demo CACHE=/tmp/virt-cache"
