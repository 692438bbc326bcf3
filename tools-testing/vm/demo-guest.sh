#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make demo": the seed article's walkthrough with virt,
# narrated. Two network namespaces joined by a veth pair stand in for a
# host and a LAN peer; only documentation address ranges are used.
set -euo pipefail

say() { printf '\n==> %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

tmpd=$(mktemp -d)

cleanup()
{
	rm -rf "$tmpd"
	ip netns pids host 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del host 2>/dev/null || true
	ip netns del lan 2>/dev/null || true
}
trap cleanup EXIT

say "A host with one Ethernet interface, eth0 (192.0.2.1/24), on a LAN"
ip netns add host
ip netns add lan
ip link add eth0 netns host type veth peer name lan0 netns lan
ip -n host link set lo up
ip -n lan link set lo up
run ip -n host addr add 192.0.2.1/24 dev eth0
run ip -n host link set eth0 up
ip -n lan addr add 192.0.2.2/24 dev lan0
ip -n lan link set lan0 up

say "A LAN peer with an alias on another subnet, 198.51.100.2/24"
run ip -n lan addr add 198.51.100.2/24 dev lan0

say "virt0 stacked on eth0, on that other subnet"
run ip -n host link add link eth0 name virt0 type virt
run ip -n host addr add 198.51.100.1/24 dev virt0
run ip -n host link set virt0 up
run ip -n host -d link show virt0
echo "(same MAC as eth0:)"
run ip -n host link show eth0

say "Capture on virt0 while the peer talks to both addresses"
ip netns exec host tcpdump -i virt0 -n -l -c 12 >"$tmpd/virt0.pcap.txt" 2>/dev/null &
tcpdump_pid=$!
sleep 2

say "The peer pings the child, the child pings the peer"
run ip netns exec lan ping -c 3 -i 0.3 198.51.100.1
run ip netns exec host ping -c 3 -i 0.3 -I virt0 198.51.100.2

say "The parent still answers beside its child"
run ip netns exec lan ping -c 3 -i 0.3 192.0.2.1

say "A TCP transfer to the child: 1 MiB, checked byte for byte"
head -c 1048576 /dev/urandom >"$tmpd/sent"
ip netns exec host socat -u TCP-LISTEN:5001,bind=198.51.100.1,reuseaddr \
	OPEN:"$tmpd/received",creat,trunc &
sleep 1
run ip netns exec lan socat -u OPEN:"$tmpd/sent" TCP:198.51.100.1:5001
wait $!
run sha256sum "$tmpd/sent" "$tmpd/received"

say "What tcpdump saw on virt0: only the child's traffic, none of eth0's"
sleep 1
kill "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
cat "$tmpd/virt0.pcap.txt"

say "virt0's own counters"
run ip -n host -s link show virt0

if ip link help virt 2>&1 | grep -q guard; then
	say "Colour virt0's traffic: mark 0x10, and a band of its own on eth0"
	run ip -n host link set virt0 type virt mark 0x10/0xff guard on
	run ip -n host -d link show virt0
	ip -n host link set eth0 txqueuelen 1000
	run tc -n host qdisc add dev eth0 root handle 1: prio
	run tc -n host filter add dev eth0 parent 1: protocol all handle 0x10/0xff fw classid 1:3
	run ip netns exec host ping -c 3 -i 0.3 -I virt0 198.51.100.2
	run ip netns exec host ping -c 2 -i 0.3 192.0.2.2
	echo "(band 1:3 carried the child's frames, 1:2 the parent's:)"
	run tc -n host -s class show dev eth0
else
	say "(this ip has no virt options: make demo builds the iproute2 series)"
fi

say "Done: virt0 carried its own traffic through eth0, and eth0 kept its own"
