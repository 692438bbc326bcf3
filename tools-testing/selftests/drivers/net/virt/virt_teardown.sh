#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Parent and children torn down together, in every order the core can
# batch them: a group delete, namespace deletion with parent and children
# arranged every way, the parent first, and the module under traffic.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_group_delete
	test_group_delete_children_only
	test_netns_parent_after_child
	test_netns_arrangements
	test_parent_first_cross_netns
	test_many_children_one_batch
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

# virt_gone NS DEV...: none of DEV exists in NS.
virt_gone()
{
	local ns=$1 dev

	shift
	for dev in "$@"; do
		if ip -n "$ns" link show "$dev" &>/dev/null; then
			echo "$dev still exists in $ns"
			return 1
		fi
	done
}

test_group_delete()
{
	RET=0
	ip -n "$HOST" link add q0 group 7 type veth peer name q1
	ip -n "$HOST" link add link q0 name vq0 group 7 type virt
	ip -n "$HOST" link add link q0 name vq1 group 7 type virt
	check_err $? "cannot set up group 7"
	ip -n "$HOST" link del group 7
	check_err $? "ip link del group 7 failed"
	virt_gone "$HOST" q0 q1 vq0 vq1
	check_err $? "a device of group 7 outlived the group delete"
	log_test "group delete of a parent and its children"
}

test_group_delete_children_only()
{
	RET=0
	ip -n "$HOST" link add q0 type veth peer name q1
	ip -n "$HOST" link add link q0 name vq0 group 8 type virt
	ip -n "$HOST" link add link q0 name vq1 group 8 type virt
	ip -n "$HOST" link add link q0 name vq2 type virt
	check_err $? "cannot set up group 8"
	ip -n "$HOST" link del group 8
	check_err $? "ip link del group 8 failed"
	virt_gone "$HOST" vq0 vq1
	check_err $? "a child of group 8 outlived the group delete"
	ip -n "$HOST" link show vq2 &>/dev/null
	check_err $? "vq2, outside the group, went too"
	ip -n "$HOST" link del q0
	virt_gone "$HOST" q0 vq2
	check_err $? "vq2 outlived its parent"
	log_test "group delete of some children"
}

# The parent moves into a namespace that already holds its child: deleting
# that namespace unregisters both in one batch.
test_netns_parent_after_child()
{
	local ns

	RET=0
	setup_ns ns
	ip -n "$HOST" link add q0 type veth peer name q1
	ip -n "$HOST" link add link q0 name vq0 netns "$ns" type virt
	ip -n "$HOST" link add link q0 name vq1 type virt
	ip -n "$HOST" link set vq1 netns "$ns"
	ip -n "$HOST" link set q0 netns "$ns"
	check_err $? "cannot move q0 after its children"
	cleanup_ns "$ns"
	check_err $? "cannot delete $ns"
	slowwait 10 virt_gone "$HOST" q1 >/dev/null
	check_err $? "q1 outlived its peer"
	log_test "namespace deletion: parent entered after its children"
}

# netns_case PARENT_NS DEL_NS CHILD_NS...: q0 in PARENT_NS, one child
# (vq0, vq1, ...) in each CHILD_NS, then delete DEL_NS.
netns_case()
{
	local pns=$1 del=$2 i=0 cns

	shift 2
	ip -n "$HOST" link add q0 netns "$pns" type veth peer name q1
	for cns in "$@"; do
		ip -n "$pns" link add link q0 name "vq$i" netns "$cns" type virt ||
			return 1
		i=$((i + 1))
	done
	ip netns del "$del"
}

test_netns_arrangements()
{
	local a b c

	RET=0
	# Children in the namespace that dies, parent outside.
	setup_ns a
	netns_case "$HOST" "$a" "$a" "$a" "$HOST"
	check_err $? "children in a dying namespace"
	ip -n "$HOST" link show vq2 &>/dev/null
	check_err $? "vq2, in $HOST, went with $a"
	ip -n "$HOST" link del q0
	virt_gone "$HOST" q0 vq2
	check_err $?

	# Parent in the namespace that dies, children outside and inside.
	setup_ns b c
	netns_case "$b" "$b" "$b" "$c" "$HOST" "$c"
	check_err $? "parent in a dying namespace"
	# Namespaces are dismantled by a worker, after ip returns.
	slowwait 10 virt_gone "$c" vq1 vq3 >/dev/null
	check_err $? "children in $c outlived their parent"
	virt_gone "$HOST" vq2
	check_err $? "children in $HOST outlived their parent"
	cleanup_ns "$c"
	log_test "namespace deletion: parent and children in every arrangement"
}

test_parent_first_cross_netns()
{
	local ns

	RET=0
	setup_ns ns
	ip -n "$HOST" link add q0 type veth peer name q1
	ip -n "$HOST" link add link q0 name vq0 netns "$ns" type virt
	ip -n "$HOST" link add link q0 name vq1 type virt
	ip -n "$ns" addr add 203.0.113.7/24 dev vq0
	ip -n "$ns" link set vq0 up
	ip -n "$HOST" link set q0 up
	ip -n "$HOST" link set q0 mtu 1280
	slowwait 5 virt_sysfs_is "$ns" vq0 mtu 1280
	check_err $? "vq0, in another namespace, did not follow q0's MTU"
	ip -n "$HOST" link del q0
	check_err $? "cannot delete q0"
	virt_gone "$ns" vq0
	check_err $? "vq0 outlived its parent"
	virt_gone "$HOST" vq1
	check_err $? "vq1 outlived its parent"
	cleanup_ns "$ns"
	log_test "parent deleted first, a child in another namespace"
}

test_many_children_one_batch()
{
	local i n=100 t0 t1

	RET=0
	ip -n "$HOST" link add q0 type veth peer name q1
	for i in $(seq 1 "$n"); do
		echo "link add link q0 name vm$i type virt"
	done | ip -n "$HOST" -batch -
	check_err $? "cannot add $n children"
	t0=$(date +%s%N)
	ip -n "$HOST" link del q0
	check_err $? "cannot delete q0"
	t1=$(date +%s%N)
	[ "$(ip -n "$HOST" -o link show type virt | grep -c ' vm')" = 0 ]
	check_err $? "children outlived q0"
	echo "INFO: deleting a parent with $n children took $(((t1 - t0) / 1000000)) ms"
	log_test "$n children go with their parent in one batch"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
