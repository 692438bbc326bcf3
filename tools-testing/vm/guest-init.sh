#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test guest. The host's root is mounted read-only over 9p;
# the run directory (tag "virtout") is the only writable host path. It holds
# "env" (MODROOT, WORKDIR) and "cmd" (what to run) and receives "status",
# "dmesg.txt" and "kmemleak.txt".
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/run/virt/home LC_ALL=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# The checkout, the cache (modules, selftests) and the command may live
# anywhere on the host, /tmp and /var/tmp included, so those two must stay
# visible: each becomes an overlay whose lower layer is the host's
# directory and whose upper layer is guest memory. /run and /var/log hold
# nothing the tests need and start empty.
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=0755 tmpfs /var/log
mkdir -p /run/virt/out /run/virt/bin /run/virt/home
mount -t 9p -o trans=virtio,version=9p2000.L virtout /run/virt/out
for d in /tmp /var/tmp; do
	u=/run/overlay$d
	mkdir -p "$u/upper" "$u/work"
	chmod 1777 "$u/upper"
	mount -t overlay overlay \
		-o "lowerdir=$d,upperdir=$u/upper,workdir=$u/work" "$d" || {
		echo "guest-init: cannot overlay $d (CONFIG_OVERLAY_FS?)" >&2
		exit 1
	}
done
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
hostname virt-guest
ip link set lo up

# shellcheck source=/dev/null
. /run/virt/out/env

# Modules come from the build's INSTALL_MOD_PATH, not from /lib/modules.
printf '#!/bin/sh\nexec /sbin/modprobe -d %s "$@"\n' "$MODROOT" >/run/virt/bin/modprobe
chmod +x /run/virt/bin/modprobe
echo /run/virt/bin/modprobe >/proc/sys/kernel/modprobe
export PATH=/run/virt/bin:$PATH
# The ip built with the iproute2 series comes first; else the stock one.
[ -z "${IPROUTE2_SBIN:-}" ] || export PATH=$IPROUTE2_SBIN:$PATH

kmemleak=/sys/kernel/debug/kmemleak

cd "$WORKDIR" || exit 1
bash /run/virt/out/cmd
status=$?

if [ -w $kmemleak ]; then
	# Objects younger than five seconds are never reported.
	sleep 6
	echo scan >$kmemleak
	cat $kmemleak >/run/virt/out/kmemleak.txt
fi
dmesg >/run/virt/out/dmesg.txt
echo "$status" >/run/virt/out/status
sync
umount /run/virt/out

# RB_AUTOBOOT; QEMU runs with -no-reboot, so this ends the guest.
exec python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x01234567)'
