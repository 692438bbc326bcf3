#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A virt child follows its parent: carrier and operstate, MTU, MAC address,
# offloads, the parent's move to another namespace; ethtool reports through
# it; the parent may not change its type under it.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_operstate_follows
	test_mtu_follows
	test_mac_follows
	test_ethtool
	test_features_follow
	test_type_change_refused
	test_parent_moves_netns
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

# state_within NS DEV STATE CMD...: run CMD in NS, then DEV (in NS) must
# reach operstate STATE within one second. The wait is a busy loop in one
# shell, so that it measures the kernel and not process start-up.
state_within()
{
	local ns=$1 dev=$2 state=$3
	shift 3

	# shellcheck disable=SC2016
	ip netns exec "$ns" bash -c '
		dev=$1 state=$2
		shift 2
		"$@" || exit 2
		t0=${EPOCHREALTIME/./}
		while read -r s <"/sys/class/net/$dev/operstate"; [ "$s" != "$state" ]; do
			(( ${EPOCHREALTIME/./} - t0 > 1000000 )) && exit 1
		done
		exit 0' _ "$dev" "$state" "$@"
}

test_operstate_follows()
{
	RET=0
	virt_add_child virt1 203.0.113.1/24
	state_within "$HOST" virt1 up true
	check_err $? "a new child over an up parent is not up"
	state_within "$HOST" virt0 lowerlayerdown ip link set p0 down
	check_err $? "virt0 did not go lowerlayerdown with its parent within 1s"
	state_within "$HOST" virt1 lowerlayerdown true
	check_err $? "virt1 did not go lowerlayerdown with its parent"
	state_within "$HOST" virt0 up ip link set p0 up
	check_err $? "virt0 did not come back up with its parent within 1s"
	state_within "$HOST" virt1 up true
	check_err $? "virt1 did not come back up with its parent"
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 does not carry traffic after the parent's bounce"
	ip -n "$HOST" link del virt1
	log_test "children follow the parent's carrier down and up within 1s"
}

test_mtu_follows()
{
	RET=0
	ip -n "$HOST" link set p0 mtu 1400
	# The child's MTU follows from the core's deferred work (ndo_work).
	slowwait 5 virt_sysfs_is "$HOST" virt0 mtu 1400
	check_err $? "virt0's MTU did not shrink with its parent's"
	ip -n "$HOST" link set virt0 mtu 1500 2>/dev/null
	check_fail $? "virt0's MTU went above its parent's"
	ip -n "$HOST" link set p0 mtu 1500
	ip -n "$HOST" link set virt0 mtu 1500
	check_err $? "virt0 cannot follow its parent back up to 1500"
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 does not carry traffic after the MTU changes"
	log_test "child MTU shrinks with the parent and may grow back"
}

test_mac_follows()
{
	local old new

	RET=0
	old=$(virt_sysfs "$HOST" p0 address)
	new=02:00:00:00:be:ef
	ip -n "$HOST" link set p0 address "$new"
	[ "$(virt_sysfs "$HOST" virt0 address)" = "$new" ]
	check_err $? "virt0 did not take its parent's new MAC"
	ip -n "$PEER" neigh flush dev p1
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 unreachable after the MAC change"
	ip -n "$PEER" neigh show 198.51.100.1 dev p1 | grep -q "lladdr $new"
	check_err $? "the peer did not learn the new MAC for virt0"
	ip -n "$HOST" link set p0 address "$old"
	log_test "child follows its parent's MAC address change"
}

test_ethtool()
{
	local out speed

	RET=0
	if ! command -v ethtool >/dev/null; then
		log_test_skip "ethtool reports through the child" "no ethtool"
		return
	fi
	out=$(ip netns exec "$HOST" ethtool -i virt0)
	grep -qx 'driver: virt' <<<"$out"
	check_err $? "ethtool -i does not name the driver"
	grep -qx 'bus-info: ' <<<"$out"
	check_err $? "bus-info is not empty"
	speed=$(ip netns exec "$HOST" ethtool p0 | awk '/Speed:/ { print $2 }')
	ip netns exec "$HOST" ethtool virt0 | grep -q "Speed: $speed"
	check_err $? "virt0 does not report its parent's speed ($speed)"
	ip netns exec "$HOST" ethtool virt0 | grep -q 'Link detected: yes'
	check_err $? "virt0 does not report its link"
	log_test "ethtool -i and link settings through the child"
}

test_features_follow()
{
	RET=0
	if ! command -v ethtool >/dev/null; then
		log_test_skip "child offloads follow the parent's" "no ethtool"
		return
	fi
	ip netns exec "$HOST" ethtool -K p0 rx off
	check_err $? "cannot turn the parent's rx checksumming off"
	# "off [requested on]": the child would take it back with the parent.
	ip netns exec "$HOST" ethtool -k virt0 | grep -q '^rx-checksumming: off'
	check_err $? "virt0 still claims rx checksumming"
	ip netns exec "$HOST" ethtool -K p0 rx on
	ip netns exec "$HOST" ethtool -k virt0 | grep -qx 'rx-checksumming: on'
	check_err $? "virt0 did not get rx checksumming back"
	log_test "child offloads follow the parent's"
}

test_type_change_refused()
{
	RET=0
	# active-backup: the only mode taking a slave without a MAC address.
	if ! ip -n "$HOST" link add bond9 type bond mode active-backup \
		2>/dev/null; then
		log_test_skip "a parent with children keeps its type" "no bonding"
		return
	fi
	ip -n "$HOST" link add link bond9 name virt9 type virt
	check_err $? "cannot stack a child on a bond"
	ip -n "$HOST" link add t9 type ipip local 192.0.2.1 remote 192.0.2.2
	# Enslaving a tunnel first makes a bond a tunnel device.
	ip -n "$HOST" link set t9 master bond9 2>/dev/null
	check_fail $? "the bond took a tunnel slave beneath a virt child"
	[ "$(virt_sysfs "$HOST" bond9 type)" = 1 ]
	check_err $? "the parent is no longer Ethernet"
	ip -n "$HOST" link del virt9
	ip -n "$HOST" link set t9 master bond9
	check_err $? "the bond refuses the tunnel even without a child"
	ip -n "$HOST" link del bond9
	ip -n "$HOST" link del t9
	log_test "a parent with children keeps its type"
}

test_parent_moves_netns()
{
	local MOVED=""

	RET=0
	setup_ns MOVED
	ip -n "$HOST" link set p0 netns "$MOVED"
	check_err $? "cannot move the parent"
	ip -n "$HOST" link show virt0 &>/dev/null
	check_err $? "virt0 did not survive its parent's move"
	ip -n "$MOVED" addr add 192.0.2.1/24 dev p0
	state_within "$HOST" virt0 up ip -n "$MOVED" link set p0 up
	check_err $? "virt0 is not up beside its moved parent"
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 unreachable after its parent moved"
	virt_ping "$PEER" 192.0.2.1
	check_err $? "the moved parent unreachable"
	cleanup_ns "$MOVED"
	log_test "children survive the parent's move to another namespace"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
