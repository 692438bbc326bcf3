#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel under QEMU (TCG, no NIC) with the host's root over 9p,
# read-only, run one command in the guest and return its exit status.
#
# Usage: run-vm.sh BZIMAGE MODROOT RUNDIR TIMEOUT_S CMD [ARG...]
# RUNDIR receives console.log, dmesg.txt, kmemleak.txt and status.
set -euo pipefail

kernel=$1 modroot=$2 rundir=$3 timeout_s=$4
shift 4
here=$(dirname "$(readlink -e "$0")")

# The guest starts /run, /var/log and /dev empty and has its own /proc and
# /sys: nothing it needs from the host may live there.
for p in "$here" "$modroot" "$PWD" "$1"; do
	case $(readlink -f "$p") in
	/run/* | /var/log/* | /dev/* | /proc/* | /sys/*)
		echo "run-vm: $p is under a directory the guest replaces;" \
			"move the checkout or CACHE elsewhere" >&2
		exit 2 ;;
	esac
done

mkdir -p "$rundir"
rundir=$(readlink -e "$rundir")
rm -f "$rundir"/{status,console.log,dmesg.txt,kmemleak.txt}
printf 'MODROOT=%q\nWORKDIR=%q\n' "$(readlink -e "$modroot")" "$PWD" >"$rundir/env"
# ip(8) with the iproute2 series (iproute2.sh), when it built.
[ ! -x "${CACHE:-}/iproute2/sbin/ip" ] ||
	printf 'IPROUTE2_SBIN=%q\n' "$(readlink -e "$CACHE/iproute2/sbin")" >>"$rundir/env"
printf '%q ' "$@" >"$rundir/cmd"
echo >>"$rundir/cmd"

append="console=ttyS0 root=hostroot rootfstype=9p"
append+=" rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro"
append+=" init=$here/guest-init.sh panic=-1 oops=panic loglevel=4"
# 4-level paging: with QEMU's "max" CPU the guest otherwise runs LA57, and
# 7.3's KASAN once reported a wild-memory-access in an interrupt that hit
# identify_cpu() at boot (likely: pgtable_l5_enabled() reads the capabilities
# that identify_cpu() is clearing and re-reading), before virt was loaded.
append+=" no5lvl"

rc=0
timeout --signal=KILL "$timeout_s" \
	qemu-system-x86_64 -machine pc -cpu "${VIRT_QEMU_CPU:-max}" -smp 2 -m 1G \
	-nic none -display none -monitor none -serial stdio -no-reboot \
	-kernel "$kernel" -append "$append" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
	-fsdev local,id=out,path="$rundir",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=virtout \
	</dev/null | tee "$rundir/console.log" || rc=$?

if [ ! -s "$rundir/status" ]; then
	echo "run-vm: the guest did not finish (qemu/timeout status $rc)" >&2
	exit 125
fi
exit "$(cat "$rundir/status")"
