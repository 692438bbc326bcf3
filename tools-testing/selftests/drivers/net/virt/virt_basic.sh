#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A virt child clones its parent's MAC, carries traffic for its own
# addresses and leaves everything else to the parent.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_create_delete
	test_mac_clone
	test_lower_upper_links
	test_ping_child
	test_arp_request_to_child
	test_arp_reply_to_child
	test_parent_beside_child
	test_tcp_transfer
	test_counters_own_traffic
	test_two_children
	test_address_removal
	test_ethtool_stats
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

test_create_delete()
{
	RET=0

	ip -n "$HOST" link add link p0 name vtmp type virt
	check_err $? "ip link add failed"
	ip -n "$HOST" -d link show vtmp 2>/dev/null | grep -qE '^ +virt( |$)'
	check_err $? "vtmp is not of kind virt"
	ip -n "$HOST" link del vtmp
	check_err $? "ip link del failed"
	ip -n "$HOST" link show vtmp &>/dev/null
	check_fail $? "vtmp still exists after deletion"

	log_test "create and delete a child"
}

test_mac_clone()
{
	local attr

	RET=0

	for attr in address broadcast; do
		[ "$(virt_sysfs "$HOST" virt0 "$attr")" = \
		  "$(virt_sysfs "$HOST" p0 "$attr")" ]
		check_err $? "$attr differs from the parent's"
	done
	# NET_ADDR_STOLEN: the address is another device's.
	[ "$(virt_sysfs "$HOST" virt0 addr_assign_type)" = 2 ]
	check_err $? "addr_assign_type is not 2 (stolen)"

	log_test "child clones the parent's MAC and broadcast addresses"
}

test_lower_upper_links()
{
	RET=0

	ip netns exec "$HOST" test -L /sys/class/net/virt0/lower_p0
	check_err $? "no lower_p0 link under virt0"
	ip netns exec "$HOST" test -L /sys/class/net/p0/upper_virt0
	check_err $? "no upper_virt0 link under p0"
	[ "$(virt_sysfs "$HOST" virt0 iflink)" = \
	  "$(virt_sysfs "$HOST" p0 ifindex)" ]
	check_err $? "iflink of virt0 is not p0's ifindex"
	ip -n "$HOST" link show virt0 | grep -q 'virt0@p0:'
	check_err $? "ip link does not show virt0@p0"

	log_test "lower/upper links between parent and child"
}

test_ping_child()
{
	RET=0

	virt_ping "$PEER" 198.51.100.1
	check_err $? "peer cannot ping the child"
	virt_ping "$HOST" 198.51.100.2
	check_err $? "child cannot ping the peer"

	log_test "ping between peer and child, both ways"
}

test_arp_request_to_child()
{
	local rx0 rx1

	RET=0

	ip -n "$HOST" neigh replace 198.51.100.2 dev virt0 nud permanent \
		lladdr "$(virt_sysfs "$PEER" p1 address)"
	ip -n "$PEER" neigh del 198.51.100.1 dev p1 2>/dev/null
	rx0=$(virt_stat "$HOST" virt0 rx_packets)
	virt_ping "$PEER" 198.51.100.1 1
	check_err $? "peer cannot ping the child"
	rx1=$(virt_stat "$HOST" virt0 rx_packets)
	# The broadcast ARP request and the echo request.
	[ $((rx1 - rx0)) -eq 2 ]
	check_err $? "child received $((rx1 - rx0)) packets, expected 2"
	ip -n "$PEER" neigh show 198.51.100.1 dev p1 |
		grep -q "lladdr $(virt_sysfs "$HOST" p0 address)"
	check_err $? "the peer did not learn the child's address from its reply"

	log_test "ARP request for the child's address reaches the child"
}

test_arp_reply_to_child()
{
	local rx0 rx1

	RET=0

	ip -n "$PEER" neigh replace 198.51.100.1 dev p1 nud permanent \
		lladdr "$(virt_sysfs "$HOST" p0 address)"
	ip -n "$HOST" neigh del 198.51.100.2 dev virt0
	rx0=$(virt_stat "$HOST" virt0 rx_packets)
	virt_ping "$HOST" 198.51.100.2 1
	check_err $? "child cannot ping the peer"
	rx1=$(virt_stat "$HOST" virt0 rx_packets)
	# The ARP reply and the echo reply.
	[ $((rx1 - rx0)) -eq 2 ]
	check_err $? "child received $((rx1 - rx0)) packets, expected 2"

	log_test "ARP reply to the child's request reaches the child"
}

test_parent_beside_child()
{
	local rx0 rx1

	RET=0

	virt_pin_neigh virt0 198.51.100.1 198.51.100.2

	rx0=$(virt_stat "$HOST" virt0 rx_packets)
	virt_ping "$PEER" 192.0.2.1 10
	check_err $? "peer cannot ping the parent"
	rx1=$(virt_stat "$HOST" virt0 rx_packets)
	[ "$rx1" -eq "$rx0" ]
	check_err $? "child received $((rx1 - rx0)) of the parent's packets"

	log_test "parent answers beside its child, which sees none of it"
}

test_tcp_transfer()
{
	local rxb0 rxb1

	RET=0
	rxb0=$(virt_stat "$HOST" virt0 rx_bytes)
	virt_transfer "$PEER" "$HOST" 198.51.100.1 4
	check_err $? "transfer to the child failed or bytes differ"
	rxb1=$(virt_stat "$HOST" virt0 rx_bytes)
	[ $((rxb1 - rxb0)) -ge $((4 * 1024 * 1024)) ]
	check_err $? "child rx_bytes grew by $((rxb1 - rxb0)) only"
	log_test "4 MiB TCP transfer to the child is byte-exact"
}

test_counters_own_traffic()
{
	local rx0 rx1 tx0 tx1

	RET=0

	virt_pin_neigh virt0 198.51.100.1 198.51.100.2

	rx0=$(virt_stat "$HOST" virt0 rx_packets)
	tx0=$(virt_stat "$HOST" virt0 tx_packets)
	virt_ping "$PEER" 198.51.100.1 10
	check_err $? "peer cannot ping the child"
	rx1=$(virt_stat "$HOST" virt0 rx_packets)
	tx1=$(virt_stat "$HOST" virt0 tx_packets)

	# Echo requests in, echo replies out, nothing else.
	[ $((rx1 - rx0)) -eq 10 ] && [ $((tx1 - tx0)) -eq 10 ]
	check_err $? "counters grew by rx $((rx1 - rx0)) tx $((tx1 - tx0)), expected 10 each"

	log_test "child counters count the child's own traffic"
}

test_two_children()
{
	local a0 a1 b0 b1

	RET=0

	virt_add_child virt1 203.0.113.1/24
	check_err $? "cannot add a second child"
	virt_pin_neigh virt0 198.51.100.1 198.51.100.2
	virt_pin_neigh virt1 203.0.113.1 203.0.113.2

	a0=$(virt_stat "$HOST" virt0 rx_packets)
	b0=$(virt_stat "$HOST" virt1 rx_packets)
	virt_ping "$PEER" 203.0.113.1 5
	check_err $? "peer cannot ping the second child"
	a1=$(virt_stat "$HOST" virt0 rx_packets)
	b1=$(virt_stat "$HOST" virt1 rx_packets)
	[ "$a1" -eq "$a0" ] && [ $((b1 - b0)) -eq 5 ]
	check_err $? "virt1's traffic: virt0 +$((a1 - a0)), virt1 +$((b1 - b0))"

	virt_ping "$PEER" 198.51.100.1 5
	check_err $? "peer cannot ping the first child"
	a0=$(virt_stat "$HOST" virt0 rx_packets)
	b0=$(virt_stat "$HOST" virt1 rx_packets)
	[ $((a0 - a1)) -eq 5 ] && [ "$b0" -eq "$b1" ]
	check_err $? "virt0's traffic: virt0 +$((a0 - a1)), virt1 +$((b0 - b1))"

	ip -n "$HOST" link del virt1
	log_test "two children on one parent each get only their own traffic"
}

test_address_removal()
{
	local rx0 rx1

	RET=0

	# One address twice, as /24 and /32: the child keeps it until the last.
	ip -n "$HOST" addr add 198.51.100.1/32 dev virt0
	ip -n "$HOST" addr del 198.51.100.1/24 dev virt0
	ip -n "$HOST" route add 198.51.100.0/24 dev virt0
	virt_ping "$PEER" 198.51.100.1
	check_err $? "the child lost the address it still holds as /32"

	ip -n "$HOST" addr del 198.51.100.1/32 dev virt0
	rx0=$(virt_stat "$HOST" virt0 rx_packets)
	virt_ping_none "$PEER" 198.51.100.1 2
	check_err $? "the removed address still answers"
	rx1=$(virt_stat "$HOST" virt0 rx_packets)
	[ "$rx1" -eq "$rx0" ]
	check_err $? "child received $((rx1 - rx0)) packets for a removed address"

	ip -n "$HOST" addr add 198.51.100.1/24 dev virt0
	virt_ping "$PEER" 198.51.100.1
	check_err $? "the re-added address does not answer"

	log_test "steering follows address removal and re-addition"
}

# ethtool_stat DEV NAME: one of DEV's ethtool -S counters in $HOST.
ethtool_stat()
{
	ip netns exec "$HOST" ethtool -S "$1" | awk -v k="$2:" '$1 == k { print $2 }'
}

test_ethtool_stats()
{
	local u0 u1 s0 s1 d0 d1

	RET=0
	if ! command -v ethtool >/dev/null; then
		log_test_skip "ethtool -S counters" "no ethtool"
		return
	fi

	virt_pin_neigh virt0 198.51.100.1 198.51.100.2
	u0=$(ethtool_stat virt0 rx_unicast)
	s0=$(ethtool_stat virt0 port_rx_steered)
	virt_ping "$PEER" 198.51.100.1 5
	check_err $? "peer cannot ping the child"
	u1=$(ethtool_stat virt0 rx_unicast)
	s1=$(ethtool_stat virt0 port_rx_steered)
	[ $((u1 - u0)) -eq 5 ] && [ $((s1 - s0)) -eq 5 ]
	check_err $? "rx_unicast +$((u1 - u0)), port_rx_steered +$((s1 - s0)), expected +5 each"

	# Frames for a child that is down are dropped, and say why.
	ip -n "$HOST" link set virt0 down
	d0=$(ethtool_stat virt0 rx_dropped_down)
	virt_ping_none "$PEER" 198.51.100.1 3
	check_err $? "a child that is down answered"
	d1=$(ethtool_stat virt0 rx_dropped_down)
	[ $((d1 - d0)) -eq 3 ]
	check_err $? "rx_dropped_down +$((d1 - d0)), expected +3"
	ip -n "$HOST" link set virt0 up
	virt_pin_neigh virt0 198.51.100.1 198.51.100.2
	virt_ping "$PEER" 198.51.100.1
	check_err $? "the child does not answer once up again"

	log_test "ethtool -S counters explain where frames went"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
