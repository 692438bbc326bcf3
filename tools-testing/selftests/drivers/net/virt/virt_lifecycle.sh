#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Children go away with their parent and with the module, cleanly, even
# under traffic.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_parent_deletion
	test_rmmod_under_flood
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

test_parent_deletion()
{
	RET=0
	ip -n "$HOST" link add q0 type veth peer name q1
	ip -n "$HOST" link add link q0 name vq0 type virt
	ip -n "$HOST" link add link q0 name vq1 type virt
	check_err $? "cannot add children to q0"
	ip -n "$HOST" link del q0
	check_err $? "cannot delete q0"
	ip -n "$HOST" link show vq0 &>/dev/null
	check_fail $? "vq0 outlived its parent"
	ip -n "$HOST" link show vq1 &>/dev/null
	check_fail $? "vq1 outlived its parent"
	log_test "deleting the parent deletes its children"
}

test_rmmod_under_flood()
{
	local pids=() pid

	RET=0
	virt_add_child virt1 203.0.113.1/24
	check_err $? "cannot add a second child"

	ip netns exec "$PEER" ping -q -f 198.51.100.1 &>/dev/null &
	pids+=($!)
	ip netns exec "$PEER" ping -q -f 203.0.113.1 &>/dev/null &
	pids+=($!)
	ip netns exec "$HOST" ping -q -f -I virt0 198.51.100.2 &>/dev/null &
	pids+=($!)
	sleep 2

	[ "$(virt_stat "$HOST" virt0 rx_packets)" -gt 0 ]
	check_err $? "the flood did not reach virt0"
	modprobe -r virt
	check_err $? "cannot remove the module"

	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done

	ip -n "$HOST" link show virt0 &>/dev/null
	check_fail $? "virt0 outlived the module"
	ip -n "$HOST" link show virt1 &>/dev/null
	check_fail $? "virt1 outlived the module"
	virt_ping "$PEER" 192.0.2.1
	check_err $? "the parent stopped working"

	modprobe virt
	check_err $? "cannot load the module again"
	log_test "rmmod with children under a ping flood"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
