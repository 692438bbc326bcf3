#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every configuration virt refuses fails with an extack message and
# leaves nothing behind: no half-made child, no receive handler left on
# the parent.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_no_parent
	test_no_such_parent
	test_parent_not_ethernet
	test_parent_loopback
	test_parent_busy
	test_mtu_above_parent
	test_mac_address_given
	test_parent_is_virt
	test_address_in_use
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

# refused WHAT TEXT ARGS...: "ip -n $HOST link add ARGS" must fail with an
# error carrying TEXT and must not leave a device named vbad behind.
refused()
{
	local what=$1 text=$2 out
	shift 2

	out=$(ip -n "$HOST" link add "$@" 2>&1)
	check_fail $? "$what was accepted"
	virt_err_has "$out" "$text"
	check_err $? "$what: expected \"$text\", got \"$out\""
	ip -n "$HOST" link show vbad &>/dev/null
	check_fail $? "$what left vbad behind"
}

# A parent that kept no receive handler can still join a bridge.
parent_is_free()
{
	ip -n "$HOST" link add vbr type bridge &&
	ip -n "$HOST" link set "$1" master vbr
	check_err $? "$1 kept a receive handler after the refusal"
	ip -n "$HOST" link del vbr
}

test_no_parent()
{
	RET=0
	refused "no parent" "A parent device is required" name vbad type virt
	log_test "refuse a child without a parent"
}

test_no_such_parent()
{
	local EMPTY=""

	RET=0
	# p0's ifindex names no device in a namespace holding only lo.
	setup_ns EMPTY
	refused "missing parent" "parent device not found" \
		link p0 link-netns "$EMPTY" name vbad type virt
	cleanup_ns "$EMPTY"
	log_test "refuse a parent that does not exist"
}

test_parent_not_ethernet()
{
	RET=0
	ip -n "$HOST" link add tun0 type ipip local 192.0.2.1 remote 192.0.2.2
	check_err $? "cannot create an ipip tunnel"
	refused "ipip parent" "Parent is not an Ethernet device" \
		link tun0 name vbad type virt
	ip -n "$HOST" link del tun0
	log_test "refuse a parent that is not Ethernet (ipip)"
}

test_parent_loopback()
{
	RET=0
	refused "loopback parent" "Parent is not an Ethernet device" \
		link lo name vbad type virt
	log_test "refuse the loopback device as parent"
}

test_parent_busy()
{
	RET=0
	ip -n "$HOST" link add q0 type veth peer name q1
	ip -n "$HOST" link add vbr type bridge
	ip -n "$HOST" link set q0 master vbr
	check_err $? "cannot make q0 a bridge port"
	refused "bridge port parent" "Parent already has a receive handler" \
		link q0 name vbad type virt
	ip -n "$HOST" link del vbr
	ip -n "$HOST" link del q0
	log_test "refuse a parent that is a bridge port"
}

test_mtu_above_parent()
{
	RET=0
	ip -n "$HOST" link add q0 type veth peer name q1
	refused "MTU above the parent's" "MTU is larger than the parent's" \
		link q0 name vbad mtu 1600 type virt
	parent_is_free q0

	# An existing child cannot be raised above its parent either.
	ip -n "$HOST" link add link q0 name vq mtu 1400 type virt
	check_err $? "a child with a smaller MTU was refused"
	ip -n "$HOST" link set vq mtu 1600 &>/dev/null
	check_fail $? "the child's MTU was raised above the parent's"
	ip -n "$HOST" link del q0
	log_test "refuse a child MTU above the parent's"
}

test_mac_address_given()
{
	RET=0
	ip -n "$HOST" link add q0 type veth peer name q1
	refused "explicit MAC" "a child always uses its parent's MAC address" \
		link q0 name vbad address 02:00:00:00:00:01 type virt
	parent_is_free q0
	ip -n "$HOST" link del q0
	log_test "refuse a MAC address of the child's own"
}

test_parent_is_virt()
{
	RET=0
	refused "virt parent" "Parent is itself a virt device" \
		link virt0 name vbad type virt
	log_test "refuse a virt child as parent"
}

test_address_in_use()
{
	local out

	RET=0
	virt_add_child virt1 203.0.113.1/24
	check_err $? "cannot add a second child"
	out=$(ip -n "$HOST" addr add 198.51.100.1/32 dev virt1 2>&1)
	check_fail $? "virt1 took virt0's address"
	virt_err_has "$out" "Address in use by another child of this parent"
	check_err $? "expected the sibling message, got \"$out\""
	# virt0 still owns it.
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 lost its address"
	ip -n "$HOST" link del virt1
	log_test "refuse an address a sibling already owns"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
