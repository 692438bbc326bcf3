#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's iproute2 source package for IPRVER and lay out its
# upstream tarball (the .orig) as a git repository whose tag "base" is the
# pristine tree. The package comes through a sources list of our own (a
# deb-src entry), so the machine's apt configuration is untouched.
#
# The series is meant for iproute2-next, so it must be in upstream form:
# only the .orig tarball is unpacked, not Debian's patches and packaging
# (debian/patches changes paths and build flags the upstream tree lacks).
#
# Usage: fetch-iproute2.sh IPRVER SUITE SRC_DIR APT_DIR
set -euo pipefail

ver=$1 suite=$2 src=$3 aptdir=$4
here=$(dirname "$(readlink -e "$0")")
# shellcheck source=lib.sh
source "$here/lib.sh"

if git -C "$src" rev-parse -q --verify 'base^{commit}' >/dev/null 2>&1; then
	exit 0
fi

uri=$(debian_mirror)

step "fetch: iproute2 $ver source from $suite"
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" \
	>"$aptdir/sources.list"
aptopts=(
	-o "Dir::Etc::SourceList=$aptdir/sources.list"
	-o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::State::Lists=$aptdir/lists"
	-o "Dir::Cache=$aptdir/cache"
	-o "APT::Sandbox::User=root"
)
apt-get -qq "${aptopts[@]}" update
# apt checks each file against the signed Sources index.
rm -rf "${aptdir:?}/src"/*
(cd "$aptdir/src" && apt-get -qq "${aptopts[@]}" source --download-only iproute2) ||
	die "cannot download the iproute2 source package from $suite"
orig=$(find "$aptdir/src" -maxdepth 1 -name "iproute2_$ver.orig.tar.*" | head -n1)
[ -n "$orig" ] ||
	die "$suite ships $(cd "$aptdir/src" && echo iproute2_*.dsc), the Makefile expects $ver: update IPRVER"

step "unpack: iproute2 $ver (upstream tarball)"
tmp=$(mktemp -d "$(dirname "$src")/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xf "$orig" -C "$tmp"
tree=$tmp/iproute2-$ver
[ -d "$tree" ] || die "$orig does not hold iproute2-$ver/"
grep -q "\"$ver\"" "$tree/include/version.h" ||
	die "$orig is not iproute2 $ver (include/version.h)"

git_base "$tree" "iproute2 $ver (upstream tarball from $suite)" "$src"
