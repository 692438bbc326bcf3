#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virt children in other network namespaces (containers): created there or
# moved there, they keep working and see only their own unicast.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_move_child
	test_moved_child_isolated
	test_create_in_netns
	test_netns_deletion
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

CT=""

# ct_child NAME ADDR/PLEN: address NAME in $CT and bring it up.
ct_child_up()
{
	ip -n "$CT" addr add "$2" dev "$1" &&
	ip -n "$CT" link set "$1" up
}

test_move_child()
{
	RET=0
	ip -n "$HOST" link add link p0 name virt1 type virt
	ip -n "$HOST" link set virt1 netns "$CT"
	check_err $? "cannot move virt1 to $CT"
	ct_child_up virt1 203.0.113.1/24
	check_err $? "cannot configure virt1 in $CT"
	virt_ping "$PEER" 203.0.113.1
	check_err $? "peer cannot ping the moved child"
	virt_ping "$CT" 203.0.113.2
	check_err $? "the moved child cannot ping the peer"
	log_test "a child moved to another namespace keeps working"
}

test_moved_child_isolated()
{
	local rx0 rx1

	RET=0
	virt_pin_neigh virt0 198.51.100.1 198.51.100.2
	ip -n "$PEER" neigh replace 203.0.113.1 dev p1 nud permanent \
		lladdr "$(virt_sysfs "$HOST" p0 address)"
	ip -n "$CT" neigh replace 203.0.113.2 dev virt1 nud permanent \
		lladdr "$(virt_sysfs "$PEER" p1 address)"

	rx0=$(virt_stat "$CT" virt1 rx_packets)
	virt_ping "$PEER" 198.51.100.1 5
	check_err $? "peer cannot ping virt0"
	virt_ping "$PEER" 192.0.2.1 5
	check_err $? "peer cannot ping the parent"
	rx1=$(virt_stat "$CT" virt1 rx_packets)
	[ "$rx1" -eq "$rx0" ]
	check_err $? "$CT received $((rx1 - rx0)) packets of others' unicast"

	virt_ping "$PEER" 203.0.113.1 5
	check_err $? "peer cannot ping virt1"
	rx0=$(virt_stat "$CT" virt1 rx_packets)
	[ $((rx0 - rx1)) -eq 5 ]
	check_err $? "virt1 received $((rx0 - rx1)) packets for 5 echo requests"
	if command -v ethtool >/dev/null; then
		# Listed everywhere, so that names and values agree, but
		# zero in a container: they describe the parent's traffic.
		ip netns exec "$CT" ethtool -S virt1 |
			awk '$1 ~ /^port_/ { n++; if ($2 != 0) bad = 1 }
			     END { exit bad || n == 0 }'
		check_err $? "the container sees the parent's port counters"
	fi
	log_test "a child's namespace sees only its own unicast"
}

test_create_in_netns()
{
	RET=0
	ip -n "$HOST" link add link p0 name virt2 netns "$CT" type virt
	check_err $? "cannot create virt2 in $CT"
	ip -n "$CT" -d link show virt2 | grep -q 'link-netns'
	check_err $? "virt2 does not name its parent's namespace"
	ct_child_up virt2 198.18.0.1/24
	ip -n "$PEER" addr add 198.18.0.2/24 dev p1
	virt_ping "$PEER" 198.18.0.1
	check_err $? "peer cannot ping a child created in $CT"
	log_test "a child created directly in another namespace works"
}

test_netns_deletion()
{
	RET=0
	ip netns del "$CT"
	# Its children's addresses are free again only once they are gone.
	ip -n "$HOST" link add link p0 name virt3 type virt
	slowwait 10 ip -n "$HOST" addr add 203.0.113.1/24 dev virt3
	check_err $? "203.0.113.1 is still owned by the deleted namespace's child"
	ip -n "$HOST" link del virt3
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 stopped working"
	virt_ping "$PEER" 192.0.2.1
	check_err $? "the parent stopped working"
	log_test "deleting a child's namespace deletes the child, nothing else"
}

virt_setup
setup_ns CT
ip netns exec "$CT" sysctl -wq net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
tests_run
exit "$EXIT_STATUS"
