#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test guest. The host's root is mounted read-only over 9p;
# the run directory (tag "virtout") is the only writable host path. It holds
# "env" (MODROOT, WORKDIR) and "cmd" (what to run) and receives "status",
# "dmesg.txt" and "kmemleak.txt".
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LC_ALL=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
for d in /tmp /run /var/tmp /var/log; do
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp /var/tmp
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp/out /tmp/bin /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t 9p -o trans=virtio,version=9p2000.L virtout /tmp/out
hostname virt-guest
ip link set lo up

# shellcheck source=/dev/null
. /tmp/out/env

# Modules come from the build's INSTALL_MOD_PATH, not from /lib/modules.
printf '#!/bin/sh\nexec /sbin/modprobe -d %s "$@"\n' "$MODROOT" >/tmp/bin/modprobe
chmod +x /tmp/bin/modprobe
echo /tmp/bin/modprobe >/proc/sys/kernel/modprobe
export PATH=/tmp/bin:$PATH

kmemleak=/sys/kernel/debug/kmemleak

cd "$WORKDIR" || exit 1
bash /tmp/out/cmd
status=$?

if [ -w $kmemleak ]; then
	# Objects younger than five seconds are never reported.
	sleep 6
	echo scan >$kmemleak
	cat $kmemleak >/tmp/out/kmemleak.txt
fi
dmesg >/tmp/out/dmesg.txt
echo "$status" >/tmp/out/status
sync
umount /tmp/out

# RB_AUTOBOOT; QEMU runs with -no-reboot, so this ends the guest.
exec python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x01234567)'
