#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply the series to the base tree and build the test kernel.
#
# Usage: kernel.sh   (reads KVER, KSUITE, CACHE, SRC, BUILD, MODROOT)
# Set VIRT_BISECT=1 to build drivers/net/virt.o after every patch and
# record each result in $BUILD/bisect.txt ("NNNN ok|fail").
set -euo pipefail

here=$(dirname "$(readlink -e "$0")")
top=$(readlink -e "$here/../..")
# shellcheck source=lib.sh
source "$here/lib.sh"

: "${KVER:?}" "${KSUITE:?}" "${CACHE:?}" "${SRC:?}" "${BUILD:?}" "${MODROOT:?}"
jobs=$(nproc)
fragments=("$top/tools-testing/vm/kernel.config"
	   "$top/tools-testing/selftests/drivers/net/virt/config"
	   "$top/tools-testing/vm/debug.config")
kmake=(make -s -C "$SRC" O="$BUILD" ARCH=x86_64 CC="ccache gcc" -j"$jobs")

"$here/fetch-kernel.sh" "$KVER" "$KSUITE" "$SRC" "$CACHE/apt"

mapfile -t series < <(find "$top/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
			! -name '0000-*' | sort)
[ ${#series[@]} -gt 0 ] || die "no patches in $top/patches (make patches)"

step "series: git am ${#series[@]} patches onto $KVER"
git -C "$SRC" am --abort >/dev/null 2>&1 || true
git -C "$SRC" reset -q --hard base
git -C "$SRC" clean -q -fdx

configured=
rm -f "$BUILD/bisect.txt"
for p in "${series[@]}"; do
	n=$(basename "$p" | cut -c1-4)
	if ! git -C "$SRC" am -q --whitespace=error-all "$p"; then
		git -C "$SRC" am --abort >/dev/null 2>&1 || true
		die "patch $n does not apply"
	fi
	[ "${VIRT_BISECT:-0}" = 1 ] || continue
	# The driver's Kconfig entry arrives with the first patch.
	if [ -z "$configured" ] && grep -q '^config NET_VIRT$' "$SRC/drivers/net/Kconfig"; then
		"$here/kconfig.sh" "$SRC" "$BUILD" "${fragments[@]}"
		configured=1
	fi
	if [ -n "$configured" ] && "${kmake[@]}" drivers/net/virt.o >"$BUILD/bisect-$n.log" 2>&1; then
		echo "$n ok" >>"$BUILD/bisect.txt"
	else
		echo "$n fail" >>"$BUILD/bisect.txt"
	fi
	step "series: $n builds: $(tail -n1 "$BUILD/bisect.txt" | cut -d' ' -f2)"
done

step "build: config (tinyconfig + harness + selftests + debug)"
"$here/kconfig.sh" "$SRC" "$BUILD" "${fragments[@]}"

step "build: bzImage and modules (-j$jobs, ccache)"
"${kmake[@]}" bzImage modules
rm -rf "$MODROOT"
"${kmake[@]}" INSTALL_MOD_PATH="$MODROOT" modules_install >/dev/null
step "build: done ($(make -s -C "$SRC" O="$BUILD" kernelrelease))"
