#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's linux-source-X.Y for KVER and lay it out as a git
# repository whose tag "base" is the pristine tree. The package comes
# through a sources list of our own, so the machine's apt configuration
# and package lists are untouched.
#
# Usage: fetch-kernel.sh KVER SUITE SRC_DIR APT_DIR
set -euo pipefail

kver=$1 suite=$2 src=$3 aptdir=$4
here=$(dirname "$(readlink -e "$0")")
# shellcheck source=lib.sh
source "$here/lib.sh"

if git -C "$src" rev-parse -q --verify 'base^{commit}' >/dev/null 2>&1; then
	exit 0
fi

pkg=linux-source-${kver%.*}

uri=$(debian_mirror)

step "fetch: $pkg from $suite"
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/deb"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" \
	>"$aptdir/sources.list"
aptopts=(
	-o "Dir::Etc::SourceList=$aptdir/sources.list"
	-o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::State::Lists=$aptdir/lists"
	-o "Dir::Cache=$aptdir/cache"
	-o "APT::Sandbox::User=root"
)
apt-get -qq "${aptopts[@]}" update
rm -f "$aptdir"/deb/*.deb
(cd "$aptdir/deb" && apt-get -qq "${aptopts[@]}" download "$pkg")

step "unpack: $pkg"
tmp=$(mktemp -d "$(dirname "$src")/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$aptdir"/deb/"$pkg"_*.deb |
	tar -x -C "$tmp" "./usr/src/$pkg.tar.xz"
tar -xJf "$tmp/usr/src/$pkg.tar.xz" -C "$tmp"
tree=$tmp/$pkg

got=$(make -s -C "$tree" kernelversion)
[ "$got" = "$kver" ] ||
	die "$suite ships $pkg $got, the Makefile expects $kver: update KVER"

# Debian's packaging ignores the whole top level ("/*"); new files must show.
sed -i '/^\/\*$/d' "$tree/.gitignore"

step "unpack: git repository for $kver"
git_base "$tree" "Linux $kver ($pkg from $suite)" "$src"
