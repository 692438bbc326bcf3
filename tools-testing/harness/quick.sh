#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make selftest T=a.sh,b.sh: for developers. Copy the driver and selftests
# from the repository into the already patched tree, rebuild what changed,
# boot one guest that runs only scripts T, and scan its log for splats.
# make check remains the only verdict; this is the inner loop.
set -euo pipefail

here=$(dirname "$(readlink -e "$0")")
top=$(readlink -e "$here/../..")
# shellcheck source=lib.sh
source "$here/lib.sh"
: "${SRC:?}" "${BUILD:?}" "${MODROOT:?}" "${CACHE:?}" "${T:?set T=script.sh[,...]}"

[ -s "$BUILD/arch/x86/boot/bzImage" ] || die "no test kernel yet: make kernel"
sdir=tools/testing/selftests/drivers/net/virt
cp "$top"/drivers-net-virt/* "$SRC/drivers/net/"
# VIRT_C=file tests another version of the driver (say, the last commit's).
[ -z "${VIRT_C:-}" ] || cp "$VIRT_C" "$SRC/drivers/net/virt.c"
cp "$top/tools-testing/selftests/drivers/net/virt/"* "$SRC/$sdir/"
"$here/kconfig.sh" "$SRC" "$BUILD" "$top/tools-testing/vm/kernel.config" \
	"$top/tools-testing/selftests/drivers/net/virt/config" \
	"$top/tools-testing/vm/debug.config"
kmake=(make -s -C "$SRC" O="$BUILD" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)")
step "quick: build"
"${kmake[@]}" bzImage modules
rm -rf "$MODROOT"
"${kmake[@]}" INSTALL_MOD_PATH="$MODROOT" modules_install >/dev/null
step "quick: guest running $T"
run=$CACHE/run/quick

(cd "$SRC" && "$top/tools-testing/vm/run-vm.sh" "$BUILD/arch/x86/boot/bzImage" \
	"$MODROOT" "$run" 1800 "$top/tools-testing/vm/run-selftests.sh" \
	"$SRC/$sdir" 900 --only="$T") | sed 's/\r$//' |
	grep -E '^# |^(not )?ok |BUG|WARNING|KASAN|Call Trace|panic' || true
rc=0
if grep -E "$SPLAT_RE" \
	"$run/console.log" "$run/dmesg.txt" 2>/dev/null | head -n 20 | grep .; then
	rc=1
fi
# virt's KUnit suites run when virt.ko loads.
grep -E '(not )?ok [0-9]+ virt_[a-z_]+$' "$run/dmesg.txt" 2>/dev/null |
	sed 's/^.*\] *//' | sort -u
if grep -qE 'not ok [0-9]+ virt_' "$run/dmesg.txt" 2>/dev/null; then
	rc=1
fi
if [ -s "$run/kmemleak.txt" ]; then
	head -n 20 "$run/kmemleak.txt"
	rc=1
fi
status=$(cat "$run/status" 2>/dev/null || echo none)
step "quick: guest status $status"
[ "$status" = 0 ] || rc=1
exit "$rc"
