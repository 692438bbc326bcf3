#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the test kernel and run the narrated walkthrough.
set -euo pipefail

here=$(dirname "$(readlink -e "$0")")
top=$(readlink -e "$here/../..")
# shellcheck source=lib.sh
source "$here/lib.sh"
: "${CACHE:?}" "${BUILD:?}" "${MODROOT:?}"

step "demo: booting the test kernel (QEMU, TCG, -nic none)"
"$top/tools-testing/vm/run-vm.sh" "$BUILD/arch/x86/boot/bzImage" "$MODROOT" \
	"$CACHE/run/demo" 900 "$top/tools-testing/vm/demo-guest.sh" |
	grep -v '^\[ *[0-9.]*\] '
step "demo: finished"
