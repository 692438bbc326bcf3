#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build ip(8) with the iproute2 series (patches/iproute2) applied to the
# upstream iproute2 IPRVER, and install it as $CACHE/iproute2/sbin/ip, which
# the test guests put first in PATH. Cached: nothing is rebuilt while the
# series, IPRVER and this script are those of the last good build. A failed
# build removes the installed ip, so the guests fall back to the stock one.
#
# Usage: iproute2.sh   (reads IPRVER, IPRSUITE, IPRSRC, CACHE)
# Exit status: 0 ip installed, 2 the series does not apply with git am,
# 1 anything else (fetch, build, or a warning in a file the series touches).
set -euo pipefail

here=$(dirname "$(readlink -e "$0")")
top=$(readlink -e "$here/../..")
# shellcheck source=lib.sh
source "$here/lib.sh"
: "${IPRVER:?}" "${IPRSUITE:?}" "${IPRSRC:?}" "${CACHE:?}"

out=$CACHE/iproute2
tree=$out/tree
log=$out/build.log

"$here/fetch-iproute2.sh" "$IPRVER" "$IPRSUITE" "$IPRSRC" "$CACHE/apt-iproute2"

mapfile -t series < <(find "$top/patches/iproute2" -maxdepth 1 \
			-name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | sort)
[ ${#series[@]} -gt 0 ] || die "no patches in $top/patches/iproute2 (make patches)"

key=$(cat "$0" "${series[@]}" <(echo "$IPRVER") | sha256sum | cut -d' ' -f1)
if [ -x "$out/sbin/ip" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ]; then
	step "iproute2: ip $IPRVER with the series is built (cached)"
	exit 0
fi
mkdir -p "$out"
rm -f "$out/stamp" "$out/sbin/ip"

# A scratch worktree of the pristine tree, so IPRSRC stays at base.
git -C "$IPRSRC" worktree prune
if [ ! -e "$tree/.git" ]; then
	rm -rf "$tree"
	git -C "$IPRSRC" worktree add -q --detach "$tree" base
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q --detach base
git -C "$tree" reset -q --hard base
git -C "$tree" clean -q -fdx

step "iproute2: git am ${#series[@]} patches onto $IPRVER"
for p in "${series[@]}"; do
	if ! git -C "$tree" am -q --whitespace=error-all "$p"; then
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		echo "iproute2: $(basename "$p") does not apply" >&2
		exit 2
	fi
done

step "iproute2: build ip (-j$(nproc), ccache)"
if ! make -C "$tree" -j"$(nproc)" CC="ccache gcc" SUBDIRS="lib ip" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "iproute2: the build failed (log: $log)"
fi
# No warning in a C file or header the series touches. The compiler runs in
# the subdirectories, so match on the file's name after any path.
names=$(git -C "$tree" diff --name-only base HEAD -- '*.c' '*.h' |
	sed 's|.*/||; s|\.|\\.|g' | paste -sd'|')
if [ -n "$names" ] && grep -E "(^|/)($names):[0-9]+(:[0-9]+)?: warning:" "$log" >&2; then
	die "iproute2: warnings in the files the series touches (log: $log)"
fi

mkdir -p "$out/sbin"
install -m 0755 "$tree/ip/ip" "$out/sbin/ip"
echo "$key" >"$out/stamp"
step "iproute2: installed $out/sbin/ip ($("$out/sbin/ip" -V))"
