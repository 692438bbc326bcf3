#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic between a parent and its children in other network namespaces,
# and between children in different namespaces, is delivered on the host:
# the wire never brings a frame back to the station that sent it.
#
#   $HOST: p0 192.0.2.1/24 2001:db8:1::1/64, virt0 198.51.100.1/24
#   $CT1:  c1 192.0.2.11/24 2001:db8:1::11/64   (child of p0)
#   $CT2:  c2 192.0.2.12/24 2001:db8:1::12/64   (child of p0)
#   $PEER: p1 192.0.2.2/24 2001:db8:1::2/64     (veth peer of p0)
#
# VIRT_KIND=ipvlan runs the reachability tests with ipvlan l2 children
# instead, for virt_compare.sh.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

VIRT_KIND=${VIRT_KIND:-virt}
case "$VIRT_KIND" in
virt)
	KIND=(virt)
	;;
ipvlan)
	KIND=(ipvlan mode l2)
	;;
*)
	echo "VIRT_KIND must be virt or ipvlan" >&2
	exit 1
	;;
esac

# The scenarios any child driver can be held to.
REACH_TESTS="
	test_peer_child
	test_parent_to_child4
	test_child_to_parent4
	test_siblings4
	test_parent_to_child6
	test_child_to_parent6
	test_siblings6
	test_tcp_parent_child
"

ALL_TESTS="$REACH_TESTS"
if [ "$VIRT_KIND" = virt ]; then
	ALL_TESTS+="
	test_local_counters
	test_same_netns_untouched
	test_broadcast_copies
	test_egress_hook_when_needed
	test_parent_moves
	"
fi

VIRT_IPV6=1
# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

CT1=""
CT2=""
MOVED=""

# child NAME NS ADDR4 ADDR6: a child of p0 created in NS, addressed and up.
child()
{
	ip -n "$HOST" link add link p0 name "$1" netns "$2" type "${KIND[@]}" &&
	ip -n "$2" addr add "$3/24" dev "$1" &&
	ip -n "$2" addr add "$4/64" dev "$1" nodad &&
	ip -n "$2" link set "$1" up
}

local_setup()
{
	virt_require
	if ! modprobe -q "$VIRT_KIND"; then
		echo "SKIP: the $VIRT_KIND module is not available"
		exit "$ksft_skip"
	fi
	setup_ns HOST PEER CT1 CT2 || exit "$ksft_skip"
	trap virt_cleanup EXIT
	# No router solicitations: nothing multicast after setup.
	in_all_ns sysctl -wq net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0

	ip link add p0 netns "$HOST" type veth peer name p1 netns "$PEER"
	ip -n "$HOST" addr add 192.0.2.1/24 dev p0
	ip -n "$HOST" addr add 2001:db8:1::1/64 dev p0 nodad
	ip -n "$HOST" link set p0 up
	ip -n "$PEER" addr add 192.0.2.2/24 dev p1
	ip -n "$PEER" addr add 2001:db8:1::2/64 dev p1 nodad
	ip -n "$PEER" link set p1 up

	child c1 "$CT1" 192.0.2.11 2001:db8:1::11
	child c2 "$CT2" 192.0.2.12 2001:db8:1::12
	ip -n "$HOST" link add link p0 name virt0 type "${KIND[@]}"
	ip -n "$HOST" addr add 198.51.100.1/24 dev virt0
	ip -n "$HOST" link set virt0 up
	# Link-local addresses go through DAD before NDP can use them.
	slowwait 15 sh -c "! ip -n $HOST -6 addr show tentative | grep -q inet6"
}

# reach FROM_NS FROM_DEV TO_NS TO_DEV ADDR DESCRIPTION: forget both sides'
# neighbours, so that ARP or NDP has to work, then ping ADDR.
reach()
{
	RET=0
	ip -n "$1" neigh flush dev "$2"
	ip -n "$3" neigh flush dev "$4"
	virt_ping "$1" "$5"
	check_err $? "no reply"
	log_test "$6"
}

test_peer_child()
{
	RET=0
	virt_ping "$PEER" 192.0.2.11
	check_err $? "peer cannot ping c1 over IPv4"
	virt_ping "$CT1" 2001:db8:1::2
	check_err $? "c1 cannot ping the peer over IPv6"
	log_test "peer and a child in another namespace reach each other"
}

test_parent_to_child4()
{
	reach "$HOST" p0 "$CT1" c1 192.0.2.11 \
		"parent reaches a child in another namespace (IPv4, ARP)"
}

test_child_to_parent4()
{
	reach "$CT1" c1 "$HOST" p0 192.0.2.1 \
		"a child in another namespace reaches the parent (IPv4, ARP)"
}

test_siblings4()
{
	reach "$CT1" c1 "$CT2" c2 192.0.2.12 \
		"children in two namespaces reach each other (IPv4, ARP)"
}

test_parent_to_child6()
{
	reach "$HOST" p0 "$CT1" c1 2001:db8:1::11 \
		"parent reaches a child in another namespace (IPv6, NDP)"
}

test_child_to_parent6()
{
	reach "$CT1" c1 "$HOST" p0 2001:db8:1::1 \
		"a child in another namespace reaches the parent (IPv6, NDP)"
}

test_siblings6()
{
	reach "$CT2" c2 "$CT1" c1 2001:db8:1::11 \
		"children in two namespaces reach each other (IPv6, NDP)"
}

test_tcp_parent_child()
{
	RET=0
	virt_transfer "$HOST" "$CT1" 192.0.2.11 4
	check_err $? "parent to child: transfer failed or bytes differ"
	virt_transfer "$CT1" "$HOST" 192.0.2.1 4
	check_err $? "child to parent: transfer failed or bytes differ"
	log_test "4 MiB TCP between parent and child is byte-exact both ways"
}

# stats NS DEV: DEV's ethtool -S output.
stats()
{
	ip netns exec "$1" ethtool -S "$2"
}

# stat_delta BEFORE AFTER NAME: how far counter NAME moved.
stat_delta()
{
	local a b

	a=$(awk -v n="$3:" '$1 == n { print $2 }' <<<"$1")
	b=$(awk -v n="$3:" '$1 == n { print $2 }' <<<"$2")
	echo $(( ${b:-0} - ${a:-0} ))
}

# check_delta BEFORE AFTER NAME WANT WHO: counter NAME of WHO moved by WANT.
check_delta()
{
	local d

	d=$(stat_delta "$1" "$2" "$3")
	[ "$d" -eq "$4" ]
	check_err $? "$5 $3 moved by $d, expected $4"
}

# pin NS DEV ADDR: a permanent neighbour entry for ADDR at the shared MAC.
pin()
{
	ip -n "$1" neigh replace "$3" dev "$2" nud permanent lladdr "$MAC"
}

test_local_counters()
{
	local c0 c1 h0 h1 w0 w1

	RET=0
	pin "$HOST" p0 192.0.2.11
	pin "$CT1" c1 192.0.2.1
	c0=$(stats "$CT1" c1)
	h0=$(stats "$HOST" virt0)
	w0=$(virt_stat "$PEER" p1 rx_packets)
	virt_ping "$HOST" 192.0.2.11 10
	check_err $? "parent cannot ping c1"
	w1=$(virt_stat "$PEER" p1 rx_packets)
	c1=$(stats "$CT1" c1)
	h1=$(stats "$HOST" virt0)

	check_delta "$h0" "$h1" port_tx_steered 10 "port"
	check_delta "$c0" "$c1" rx_unicast 10 "c1"
	check_delta "$c0" "$c1" rx_local 10 "c1"
	check_delta "$c0" "$c1" tx_local 10 "c1"
	# 20 frames had they gone to the wire; allow for stray multicast.
	[ $((w1 - w0)) -lt 5 ]
	check_err $? "the peer received $((w1 - w0)) frames"
	ip -n "$HOST" neigh del 192.0.2.11 dev p0
	ip -n "$CT1" neigh del 192.0.2.1 dev c1
	log_test "parent-child frames stay off the wire and are counted"
}

test_same_netns_untouched()
{
	local v0 v1

	RET=0
	v0=$(stats "$HOST" virt0)
	virt_ping "$HOST" 198.51.100.1 5
	check_err $? "parent's namespace cannot ping virt0's address"
	v1=$(stats "$HOST" virt0)
	check_delta "$v0" "$v1" port_tx_steered 0 "port"
	check_delta "$v0" "$v1" rx_unicast 0 "virt0"
	check_delta "$v0" "$v1" tx_local 0 "virt0"
	log_test "traffic within one namespace is left to the IP stack"
}

test_broadcast_copies()
{
	local c0 c1 d0 d1 v0 v1

	RET=0
	c0=$(stats "$CT1" c1)
	d0=$(stats "$CT2" c2)
	v0=$(stats "$HOST" virt0)
	echo x | ip netns exec "$CT1" socat -u - \
		UDP4-DATAGRAM:192.0.2.255:9,broadcast
	check_err $? "c1 cannot send a broadcast"
	c1=$(stats "$CT1" c1)
	d1=$(stats "$CT2" c2)
	v1=$(stats "$HOST" virt0)

	# The parent, virt0 and c2; not c1 itself.
	check_delta "$c0" "$c1" tx_local_copies 3 "c1"
	check_delta "$c0" "$c1" rx_broadcast 0 "c1"
	check_delta "$d0" "$d1" rx_broadcast 1 "c2"
	check_delta "$d0" "$d1" rx_local 1 "c2"
	check_delta "$v0" "$v1" rx_broadcast 1 "virt0"
	# The parent's copy is not copied to the children a second time.
	check_delta "$v0" "$v1" port_rx_frames 1 "port"
	check_delta "$v0" "$v1" port_rx_copied 0 "port"
	log_test "a child's broadcast reaches parent and siblings, not itself"
}

# egress_hooks DEV: how many virt egress hooks DEV has in $HOST.
egress_hooks()
{
	ip netns exec "$HOST" "$lib_dir/virt_hooks.py" "$1" |
		grep -c '^virt_egress$'
}

test_egress_hook_when_needed()
{
	RET=0
	if ! ip netns exec "$HOST" "$lib_dir/virt_hooks.py" lo >/dev/null; then
		log_test_skip "the parent's egress hook exists only when needed" \
			"no netfilter hook dump"
		return
	fi
	ip -n "$HOST" link add q0 type veth peer name q1
	ip -n "$HOST" link set q0 up
	ip -n "$HOST" link add link q0 name v9 type virt
	[ "$(egress_hooks q0)" = 0 ]
	check_err $? "a hook while every child is in the parent's namespace"
	ip -n "$HOST" link set v9 netns "$CT1"
	[ "$(egress_hooks q0)" = 1 ]
	check_err $? "no single hook once a child moved away"
	ip -n "$HOST" link add link q0 name v8 netns "$CT2" type virt
	[ "$(egress_hooks q0)" = 1 ]
	check_err $? "not a single hook with two children away"
	ip -n "$CT1" link set v9 netns "$HOST"
	ip -n "$CT2" link del v8
	[ "$(egress_hooks q0)" = 0 ]
	check_err $? "the hook stayed after the children came back or went"
	ip -n "$HOST" link del q0
	log_test "the parent's egress hook exists only when needed"
}

test_parent_moves()
{
	RET=0
	setup_ns MOVED
	ip -n "$HOST" link set p0 netns "$MOVED"
	ip -n "$MOVED" addr add 192.0.2.1/24 dev p0
	ip -n "$MOVED" link set p0 up
	virt_ping "$MOVED" 192.0.2.11
	check_err $? "the moved parent cannot ping c1"
	virt_ping "$CT1" 192.0.2.1
	check_err $? "c1 cannot ping the moved parent"
	log_test "a parent moved to another namespace reaches its children"
}

local_setup
MAC=$(virt_sysfs "$HOST" p0 address)
tests_run
exit "$EXIT_STATUS"
