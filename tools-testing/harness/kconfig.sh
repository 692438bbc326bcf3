#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the test kernel's .config into a build directory:
#   tinyconfig + harness fragment + selftests' config + debug fragment.
# Usage: [KARCH=i386] kconfig.sh SRC BUILD FRAGMENT...   (default x86_64)
set -euo pipefail

src=$1 build=$2
arch=${KARCH:-x86_64}
shift 2
mkdir -p "$build"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$src" O="$build" ARCH="$arch" tinyconfig >/dev/null
# merge_config.sh -m only merges; olddefconfig resolves what the fragments left open.
(cd "$tmp" && "$src/scripts/kconfig/merge_config.sh" -m -O "$build" \
	"$build/.config" "$@" >"$tmp/merge.log")
make -s -C "$src" O="$build" ARCH="$arch" olddefconfig >/dev/null

# Every requested option must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	if ! grep -qxF -- "$want" "$build/.config"; then
		echo "kconfig: not satisfied: $want" >&2
		bad=1
	fi
done < <(cat "$@")
exit $bad
