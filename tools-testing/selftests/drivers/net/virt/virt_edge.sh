#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Edges a review found: counters that must mean exactly their names, shared
# skbs, priority and VLAN tags, devices stacked on a child, netpoll, and
# lower-device events a child must hear about.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_tx_drop_counted
	test_local_drop_counted
	test_shared_skb
	test_priority_tagged
	test_tagged_broadcast
	test_stacked_refused
	test_netpoll_refused
	test_qdisc_bypass
	test_failover_announces
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

CNS=""

# virt_ethtool NS DEV COUNTER: one of DEV's ethtool -S counters in NS.
virt_ethtool()
{
	ip netns exec "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}

# A child in its own namespace, so that the parent's stack does not own
# its address: vc, 203.0.113.5/24, in $CNS.
edge_child()
{
	setup_ns CNS || return 1
	ip -n "$HOST" link add link p0 name vc netns "$CNS" type virt &&
	ip -n "$CNS" addr add 203.0.113.5/24 dev vc &&
	ip -n "$HOST" route add 203.0.113.5/32 dev p0 &&
	ip -n "$HOST" neigh replace 203.0.113.5 dev p0 nud permanent \
		lladdr "$(virt_sysfs "$HOST" p0 address)"
}

edge_child_del()
{
	ip -n "$HOST" route del 203.0.113.5/32 dev p0
	ip -n "$HOST" neigh del 203.0.113.5 dev p0
	cleanup_ns "$CNS"
}

test_tx_drop_counted()
{
	local tx0 tx1 drop0 drop1

	RET=0
	if ! command -v nft >/dev/null; then
		log_test_skip "dropped transmits are counted as drops" "no nft"
		return
	fi
	virt_pin_neigh virt0 198.51.100.1 198.51.100.2
	# An egress filter that drops every frame to the peer:
	# dev_queue_xmit() says NET_XMIT_DROP.
	ip netns exec "$HOST" nft -f - <<-EOF
		table netdev virt_edge {
			chain out {
				type filter hook egress device p0 priority 0;
				ip daddr 198.51.100.2 drop
			}
		}
	EOF
	check_err $? "cannot install a dropping egress filter on p0"
	tx0=$(virt_stat "$HOST" virt0 tx_packets)
	drop0=$(virt_stat "$HOST" virt0 tx_dropped)
	virt_ping_none "$HOST" 198.51.100.2 5
	tx1=$(virt_stat "$HOST" virt0 tx_packets)
	drop1=$(virt_stat "$HOST" virt0 tx_dropped)
	ip netns exec "$HOST" nft delete table netdev virt_edge
	[ "$tx1" -eq "$tx0" ]
	check_err $? "$((tx1 - tx0)) dropped frames counted as tx_packets"
	[ "$drop1" -eq $((drop0 + 5)) ]
	check_err $? "tx_dropped rose by $((drop1 - drop0)), not 5"
	log_test "frames the parent's egress filter drops are tx_dropped, not tx_packets"
}

test_local_drop_counted()
{
	local st0 st1 d0 d1

	RET=0
	edge_child
	check_err $? "cannot set up a child in another namespace"
	# vc stays down: what the parent sends it is dropped, not steered.
	st0=$(virt_ethtool "$HOST" virt0 port_tx_steered)
	d0=$(virt_stat "$CNS" vc rx_dropped)
	virt_ping_none "$HOST" 203.0.113.5 3
	st1=$(virt_ethtool "$HOST" virt0 port_tx_steered)
	d1=$(virt_stat "$CNS" vc rx_dropped)
	[ "$st1" -eq "$st0" ]
	check_err $? "port_tx_steered counted $((st1 - st0)) frames that were dropped"
	[ "$d1" -eq $((d0 + 3)) ]
	check_err $? "vc rx_dropped rose by $((d1 - d0)), not 3"
	edge_child_del
	log_test "frames for a child that is down are rx_dropped, not steered"
}

# pktgen in queue_xmit mode hands the parent the same skb again and again,
# holding a reference of its own: the parent's egress path must not
# rewrite it in place.
test_shared_skb()
{
	local pg n=300 rx0 rx1 mac

	RET=0
	if ! modprobe -q pktgen; then
		log_test_skip "shared skbs from pktgen" "no pktgen"
		return
	fi
	edge_child
	check_err $? "cannot set up a child in another namespace"
	ip -n "$CNS" link set vc up
	# vc's way back to the parent's address
	ip -n "$CNS" route add 192.0.2.0/24 dev vc
	mac=$(virt_sysfs "$HOST" p0 address)
	rx0=$(virt_stat "$CNS" vc rx_packets)
	pg=/proc/net/pktgen
	ip netns exec "$HOST" bash -e -c "
		echo rem_device_all >$pg/kpktgend_0
		echo add_device p0 >$pg/kpktgend_0
		echo count $n >$pg/p0
		echo pkt_size 60 >$pg/p0
		echo delay 0 >$pg/p0
		echo xmit_mode queue_xmit >$pg/p0
		echo flag SHARED >$pg/p0
		echo dst 203.0.113.5 >$pg/p0
		echo dst_mac $mac >$pg/p0
		echo start >$pg/pgctrl
		echo rem_device_all >$pg/kpktgend_0
	"
	check_err $? "pktgen failed"
	rx1=$(virt_stat "$CNS" vc rx_packets)
	# vc's own ARP exchange for its replies may add a frame or two.
	[ "$rx1" -ge $((rx0 + n)) ]
	check_err $? "vc received $((rx1 - rx0)) of $n frames"
	virt_ping "$HOST" 203.0.113.5
	check_err $? "the parent no longer reaches vc"
	edge_child_del
	log_test "shared skbs from pktgen on the parent reach the child intact"
}

# VLAN ID 0 carries only a priority: the frame is untagged as far as
# addressing goes, and the core strips the tag only after the rx_handler.
test_priority_tagged()
{
	local rx0 rx1

	RET=0
	edge_child
	check_err $? "cannot set up a child in another namespace"
	ip -n "$CNS" link set vc up
	ip -n "$CNS" addr add 198.18.0.1/24 dev vc
	ip -n "$PEER" link add link p1 name p1.0 type vlan id 0 \
		egress-qos-map 0:5
	ip -n "$PEER" addr add 198.18.0.2/24 dev p1.0
	ip -n "$PEER" link set p1.0 up
	ip -n "$PEER" neigh replace 198.18.0.1 dev p1.0 nud permanent \
		lladdr "$(virt_sysfs "$HOST" p0 address)"
	check_err $? "cannot set up a priority-tagging VLAN device"
	# The replies leave untagged, which p1.0 does not take: count what
	# reaches the child instead.
	rx0=$(virt_stat "$CNS" vc rx_packets)
	ip netns exec "$PEER" ping -q -c 5 -i 0.1 -W 1 198.18.0.1 &>/dev/null
	rx1=$(virt_stat "$CNS" vc rx_packets)
	[ "$rx1" -ge $((rx0 + 5)) ]
	check_err $? "vc received $((rx1 - rx0)) of 5 priority-tagged frames"
	ip -n "$PEER" link del p1.0
	edge_child_del
	log_test "priority-tagged (VLAN 0) frames are steered like untagged ones"
}

test_tagged_broadcast()
{
	local b0 b1

	RET=0
	ip -n "$PEER" link add link p1 name p1.5 type vlan id 5
	ip -n "$PEER" addr add 198.18.5.2/24 dev p1.5
	ip -n "$PEER" link set p1.5 up
	b0=$(virt_ethtool "$HOST" virt0 rx_broadcast)
	ip netns exec "$PEER" ping -q -b -c 3 -i 0.2 -W 1 198.18.5.255 &>/dev/null
	b1=$(virt_ethtool "$HOST" virt0 rx_broadcast)
	[ "$b1" -eq "$b0" ]
	check_err $? "virt0 received $((b1 - b0)) broadcasts of VLAN 5"
	ip -n "$PEER" link del p1.5
	log_test "VLAN-tagged broadcast is not copied to children"
}

# A device stacked on a child must work or be refused; accepted and deaf
# is the one wrong answer. virt refuses them, as ipvlan does.
test_stacked_refused()
{
	local out

	RET=0
	out=$(ip -n "$HOST" link add link virt0 name virt0.5 type vlan id 5 2>&1)
	check_fail $? "a VLAN device on a child was accepted"
	ip -n "$HOST" link del virt0.5 &>/dev/null
	out=$(ip -n "$HOST" link add link virt0 name mv0 type macvlan 2>&1)
	check_fail $? "a macvlan on a child was accepted"
	ip -n "$HOST" link del mv0 &>/dev/null
	ip -n "$HOST" link add br0 type bridge
	out=$(ip -n "$HOST" link set virt0 master br0 2>&1)
	check_fail $? "a child was accepted as a bridge port"
	ip -n "$HOST" link del br0
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 stopped working"
	: "$out"
	log_test "VLAN, macvlan and bridge on a child are refused"
}

# netconsole binds only in the initial namespace.
test_netpoll_refused()
{
	local nc=/sys/kernel/config/netconsole/virt

	RET=0
	if ! modprobe -q netconsole; then
		log_test_skip "netpoll on a child" "no netconsole"
		return
	fi
	mountpoint -q /sys/kernel/config ||
		mount -t configfs none /sys/kernel/config
	ip link add n0 type veth peer name n1
	ip link add link n0 name nv0 type virt
	ip addr add 198.18.7.1/24 dev nv0
	ip link set n0 up
	ip link set n1 up
	ip link set nv0 up
	mkdir "$nc"
	echo nv0 >"$nc/dev_name"
	echo 198.18.7.1 >"$nc/local_ip"
	echo 198.18.7.2 >"$nc/remote_ip"
	(echo 1 >"$nc/enabled") 2>/dev/null
	check_fail $? "netconsole was enabled on a child"
	echo 0 >"$nc/enabled" 2>/dev/null
	rmdir "$nc"
	ip link del n0
	log_test "netpoll (netconsole) on a child is refused"
}

# AF_PACKET with PACKET_QDISC_BYPASS on the parent runs the parent's egress
# hooks with only RCU held, not BH disabled: virt's hook must still deliver
# the frames to the child, and touch no per-CPU state preemptible.
test_qdisc_bypass()
{
	local st0 st1 r0 r1

	RET=0
	edge_child
	check_err $? "cannot set up a child in another namespace"
	ip -n "$CNS" link set vc up
	st0=$(virt_ethtool "$HOST" virt0 port_tx_steered)
	r0=$(virt_ethtool "$CNS" vc rx_local)
	ip netns exec "$HOST" python3 - "$(virt_sysfs "$HOST" p0 address)" <<-'EOF'
	import socket, struct, sys
	SOL_PACKET = getattr(socket, "SOL_PACKET", 263)
	PACKET_QDISC_BYPASS = 20
	mac = bytes.fromhex(sys.argv[1].replace(":", ""))
	src = socket.inet_aton("192.0.2.1")
	dst = socket.inet_aton("203.0.113.5")
	hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0x4000, 64, 17, 0,
			  src, dst)
	csum = sum(struct.unpack("!10H", hdr))
	csum = (csum & 0xffff) + (csum >> 16)
	csum = ~((csum & 0xffff) + (csum >> 16)) & 0xffff
	hdr = hdr[:10] + struct.pack("!H", csum) + hdr[12:]
	udp = struct.pack("!HHHH", 9, 9, 8, 0)
	s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
	s.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
	s.bind(("p0", 0))
	# A frame an egress hook takes (NF_STOLEN) is reported to an
	# AF_PACKET sender in qdisc bypass mode as a drop: ENOBUFS.
	for _ in range(20):
	    try:
	        s.send(mac + mac + b"\x08\x00" + hdr + udp)
	    except OSError:
	        pass
	EOF
	check_err $? "cannot send through p0 with PACKET_QDISC_BYPASS"
	st1=$(virt_ethtool "$HOST" virt0 port_tx_steered)
	r1=$(virt_ethtool "$CNS" vc rx_local)
	[ "$st1" -ge $((st0 + 20)) ]
	check_err $? "port_tx_steered rose by $((st1 - st0)), not 20"
	[ "$r1" -ge $((r0 + 20)) ]
	check_err $? "vc rx_local rose by $((r1 - r0)), not 20"
	edge_child_del
	log_test "frames the parent sends bypassing its qdisc reach the child"
}

# edge_garp_seen: the peer's ingress counter on b1 has seen a gratuitous
# ARP frame for 198.18.9.1.
edge_garp_seen()
{
	local n

	n=$(ip netns exec "$PEER" nft list counter netdev virt_garp seen |
		awk '$1 == "packets" { print $2 }')
	[ "${n:-0}" -ge 1 ]
}

# edge_slave_is DEV TEXT: ip -d link shows TEXT in DEV's bond_slave line.
edge_slave_is()
{
	ip -n "$HOST" -d link show "$1" | grep -q "bond_slave.*$2"
}

# After a bond failover under the parent, a child announces its address.
# The bond's mii monitor retries the announcement the failover itself may
# skip (bond_should_notify_peers() waits for a pending linkwatch event on
# the new slave); the peer counts the ARP frames in an ingress counter, so
# nothing depends on a capture having started in time.
test_failover_announces()
{
	RET=0
	if ! command -v nft >/dev/null; then
		log_test_skip "a child announces its address after a bond failover" "no nft"
		return
	fi
	edge_child
	check_err $? "cannot set up a child in another namespace"
	ip -n "$HOST" link add bd0 type bond mode active-backup miimon 100
	ip -n "$HOST" link add a0 type veth peer name a1 netns "$PEER"
	ip -n "$HOST" link add b0 type veth peer name b1 netns "$PEER"
	ip -n "$HOST" link set a0 master bd0
	ip -n "$HOST" link set b0 master bd0
	ip -n "$HOST" link set bd0 up
	ip -n "$PEER" link set a1 up
	ip -n "$HOST" link add link bd0 name vb netns "$CNS" type virt
	ip -n "$CNS" addr add 198.18.9.1/24 dev vb
	ip -n "$CNS" link set vb up
	check_err $? "cannot set up a child of a bond"
	ip netns exec "$PEER" nft -f - <<-EOF
		table netdev virt_garp {
			counter seen { }
			chain in {
				type filter hook ingress device b1 priority 0;
				arp saddr ip 198.18.9.1 arp daddr ip 198.18.9.1 \
					counter name seen
			}
		}
	EOF
	check_err $? "cannot install an ARP counter on b1"
	# b0 gets its link only once a0 is active, so that the failover
	# below is the only one that can send anything out of b0.
	slowwait 5 edge_slave_is a0 "state ACTIVE"
	check_err $? "a0 did not become the active slave"
	ip -n "$PEER" link set b1 up
	slowwait 5 edge_slave_is b0 "mii_status UP"
	check_err $? "b0 did not get its link"
	ip -n "$HOST" link set bd0 type bond active_slave b0
	check_err $? "cannot fail over to b0"
	slowwait 10 edge_garp_seen
	check_err $? "no gratuitous ARP from the child after the failover"
	ip netns exec "$PEER" nft delete table netdev virt_garp
	ip -n "$HOST" link del bd0
	ip -n "$HOST" link del a0
	ip -n "$HOST" link del b0
	edge_child_del
	log_test "a child announces its address after a bond failover"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
