#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the adversarial scripts at full size (VIRT_STRESS=1) on the
# debug kernel, in one guest, then the splat and kmemleak scans. Prints
# per-scenario figures and ends with "N passed, N failed".
set -uo pipefail

here=$(dirname "$(readlink -e "$0")")
top=$(readlink -e "$here/../..")
# shellcheck source=lib.sh
source "$here/lib.sh"
: "${SRC:?}" "${BUILD:?}" "${MODROOT:?}" "${CACHE:?}"

run=$CACHE/run/stress
mkdir -p "$CACHE/run"
sdir=$SRC/tools/testing/selftests/drivers/net/virt
step "stress: one guest, VIRT_STRESS=1"
(cd "$SRC" && "$top/tools-testing/vm/run-vm.sh" "$BUILD/arch/x86/boot/bzImage" \
	"$MODROOT" "$run" 5400 env VIRT_STRESS=1 \
	"$top/tools-testing/vm/run-selftests.sh" "$sdir" 4500 \
	--only=virt_stress.sh,virt_teardown.sh) >"$run.out" 2>&1
vm_rc=$?
sed -i 's/\r$//' "$run.out"
grep -E '^# (TEST|INFO|elapsed)|^(not )?ok ' "$run.out"
pass=$(grep -cE '^# TEST: .*\[ OK \]$' "$run.out")
fail=$(grep -cE '^# TEST: .*\[FAIL\]$' "$run.out")
for s in virt_stress.sh virt_teardown.sh; do
	grep -qE "^ok [0-9]+ $s\$" "$run.out" ||
		{ echo "FAIL  $s did not run to the end"; fail=$((fail + 1)); }
done
if [ ! -s "$run/dmesg.txt" ]; then
	echo "FAIL  no kernel log from the guest"
	fail=$((fail + 1))
elif grep -E "$SPLAT_RE" \
	"$run/console.log" "$run/dmesg.txt" 2>/dev/null; then
	echo "FAIL  kernel splat"
	fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
if [ -f "$run/kmemleak.txt" ] && [ ! -s "$run/kmemleak.txt" ]; then
	pass=$((pass + 1))
else
	echo "FAIL  kmemleak report (or no final scan)"
	head -n 40 "$run/kmemleak.txt" 2>/dev/null
	fail=$((fail + 1))
fi
[ "$vm_rc" -eq 0 ] || { echo "FAIL  guest status $vm_rc"; fail=$((fail + 1)); }
step "stress: done"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
