#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 and neighbour discovery through a virt child, multicast and
# broadcast fan-out to every child, large transfers both ways.
#
#   $HOST: p0 2001:db8:1::1/64, virt0 2001:db8:2::1/64 (and 198.51.100.1/24)
#   $PEER: p1 2001:db8:1::2/64, 2001:db8:2::2/64

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_distinct_link_local
	test_dad_completes
	test_ping6_child
	test_ndisc_resolves_child
	test_link_local_unicast
	test_all_nodes_multicast
	test_tcp6_both_ways
	test_ipv4_broadcast_fanout
	test_multicast_group_on_child
"

VIRT_IPV6=1
# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

# ll_addr NS DEV: DEV's link-local address.
ll_addr()
{
	ip -n "$1" -6 addr show dev "$2" scope link |
		awk '$1 == "inet6" { sub("/.*", "", $2); print $2; exit }'
}

setup_ipv6()
{
	ip -n "$HOST" addr add 2001:db8:1::1/64 dev p0 nodad
	ip -n "$PEER" addr add 2001:db8:1::2/64 dev p1 nodad
	ip -n "$PEER" addr add 2001:db8:2::2/64 dev p1 nodad
	ip -n "$HOST" addr add 2001:db8:2::1/64 dev virt0
	# Link-local addresses and 2001:db8:2::1 go through DAD.
	slowwait 15 sh -c "! ip -n $HOST -6 addr show tentative | grep -q inet6"
}

test_distinct_link_local()
{
	local ll_parent ll_child

	RET=0
	ll_parent=$(ll_addr "$HOST" p0)
	ll_child=$(ll_addr "$HOST" virt0)
	[ -n "$ll_parent" ] && [ -n "$ll_child" ]
	check_err $? "missing link-local address: parent '$ll_parent' child '$ll_child'"
	[ "$ll_parent" != "$ll_child" ]
	check_err $? "child and parent share link-local $ll_child"
	log_test "child's link-local address differs from the parent's"
}

test_dad_completes()
{
	local out

	RET=0
	out=$(ip -n "$HOST" -6 addr show | grep -E 'tentative|dadfailed')
	[ -z "$out" ]
	check_err $? "addresses still tentative or failed: $out"
	ip -n "$HOST" -6 addr show dev virt0 | grep -q '2001:db8:2::1/64'
	check_err $? "virt0 lost 2001:db8:2::1"
	log_test "DAD completes on the parent and on the child"
}

test_ping6_child()
{
	RET=0
	virt_ping "$PEER" 2001:db8:2::1
	check_err $? "peer cannot ping the child"
	virt_ping "$HOST" 2001:db8:2::2
	check_err $? "child cannot ping the peer"
	virt_ping "$PEER" 2001:db8:1::1
	check_err $? "peer cannot ping the parent"
	log_test "IPv6 ping between peer and child, parent beside it"
}

test_ndisc_resolves_child()
{
	RET=0
	ip -n "$PEER" neigh flush dev p1
	virt_ping "$PEER" 2001:db8:2::1 1
	check_err $? "peer cannot ping the child"
	ip -n "$PEER" -6 neigh show 2001:db8:2::1 dev p1 |
		grep -q "lladdr $(virt_sysfs "$HOST" p0 address)"
	check_err $? "the child did not answer the solicitation for its address"
	log_test "neighbour solicitation for the child's address is answered"
}

test_link_local_unicast()
{
	local ll_child

	RET=0
	ll_child=$(ll_addr "$HOST" virt0)
	virt_ping "$PEER" "$ll_child%p1"
	check_err $? "peer cannot ping the child's link-local $ll_child"
	log_test "unicast to the child's link-local address reaches the child"
}

test_all_nodes_multicast()
{
	local ll_child out

	RET=0
	ll_child=$(ll_addr "$HOST" virt0)
	out=$(ip netns exec "$PEER" ping -c 2 -i 0.5 -W 2 ff02::1%p1 2>&1)
	grep -q "from $ll_child" <<<"$out"
	check_err $? "no reply from the child ($ll_child) to ff02::1"
	log_test "all-nodes multicast reaches the child"
}

test_tcp6_both_ways()
{
	RET=0
	virt_transfer "$PEER" "$HOST" 2001:db8:2::1 8
	check_err $? "peer to child: transfer failed or bytes differ"
	virt_transfer "$HOST" "$PEER" 2001:db8:2::2 8
	check_err $? "child to peer: transfer failed or bytes differ"
	log_test "8 MiB TCP over IPv6 is byte-exact both ways"
}

# count_udp NS DEV PORT FILE: background listener bound to DEV.
count_udp()
{
	ip netns exec "$1" socat -u \
		UDP4-RECV:"$3",so-bindtodevice="$2",reuseaddr,so-broadcast \
		OPEN:"$4",creat,append &
}

test_ipv4_broadcast_fanout()
{
	local tmpd pids=() dev n

	RET=0
	virt_add_child virt1 203.0.113.1/24
	check_err $? "cannot add a second child"
	tmpd=$(mktemp -d)
	for dev in p0 virt0 virt1; do
		count_udp "$HOST" "$dev" 5003 "$tmpd/$dev"
		pids+=($!)
	done
	wait_local_port_listen "$HOST" 5003 udp
	sleep 1
	for n in 1 2 3; do
		echo "datagram $n" | ip netns exec "$PEER" socat -u - \
			UDP4-DATAGRAM:255.255.255.255:5003,so-broadcast,so-bindtodevice=p1
	done
	sleep 1
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	for dev in p0 virt0 virt1; do
		n=$(grep -c datagram "$tmpd/$dev" 2>/dev/null)
		[ "$n" = 3 ]
		check_err $? "$dev received $n of 3 broadcasts"
	done
	rm -rf "$tmpd"
	ip -n "$HOST" link del virt1
	log_test "broadcast reaches the parent and every child"
}

test_multicast_group_on_child()
{
	local tmpd pid

	RET=0
	tmpd=$(mktemp -d)
	ip netns exec "$HOST" socat -u \
		UDP4-RECV:5004,ip-add-membership=239.1.2.3:virt0,so-bindtodevice=virt0 \
		OPEN:"$tmpd/received",creat,append &
	pid=$!
	wait_local_port_listen "$HOST" 5004 udp
	sleep 1
	ip -n "$HOST" maddr show dev p0 | grep -q '01:00:5e:01:02:03'
	check_err $? "the group's MAC was not synced to the parent's filter"
	echo "to the group" | ip netns exec "$PEER" socat -u - \
		UDP4-DATAGRAM:239.1.2.3:5004,ip-multicast-if=198.51.100.2
	sleep 1
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -q "to the group" "$tmpd/received"
	check_err $? "the child's group member received nothing"
	rm -rf "$tmpd"
	log_test "a multicast group joined on the child receives"
}

virt_setup
setup_ipv6
tests_run
exit "$EXIT_STATUS"
