#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Adversarial load, bounded in time: malformed frames from the wire, child
# and address churn under traffic that must stay byte-exact, deletion of
# many children at once (timed against ipvlan), and module removal under
# traffic, repeated. VIRT_STRESS=1 runs the full sizes (make stress);
# otherwise each scenario runs for seconds (make check). Each scenario
# prints its figures as "# INFO:" lines.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_malformed_frames
	test_child_churn
	test_addr_churn
	test_delete_many
	test_rmmod_repeated
"

VIRT_IPV6=1
# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

if [ "${VIRT_STRESS:-0}" = 1 ]; then
	FRAMES=100000 CHURN=2000 ADDRS=2000 MANY=1000 RMMODS=5 MIB=32
else
	FRAMES=3000 CHURN=50 ADDRS=50 MANY=50 RMMODS=1 MIB=4
fi
# One size may be set on its own, e.g. VIRT_CHURN=200.
FRAMES=${VIRT_FRAMES:-$FRAMES} CHURN=${VIRT_CHURN:-$CHURN}
ADDRS=${VIRT_ADDRS:-$ADDRS} MANY=${VIRT_MANY:-$MANY}
RMMODS=${VIRT_RMMODS:-$RMMODS} MIB=${VIRT_MIB:-$MIB}
CNS=""

info()
{
	echo "INFO: $*"
}

# virt0 in $HOST and vc in $CNS, both addressed in both families.
stress_setup()
{
	setup_ns CNS || return 1
	ip -n "$HOST" addr add 2001:db8:1::1/64 dev virt0 nodad &&
	ip -n "$HOST" link add link p0 name vc netns "$CNS" type virt &&
	ip -n "$CNS" addr add 203.0.113.1/24 dev vc &&
	ip -n "$CNS" addr add 2001:db8:2::1/64 dev vc nodad &&
	ip -n "$CNS" link set vc up &&
	ip -n "$PEER" addr add 2001:db8:1::2/64 dev p1 nodad &&
	ip -n "$PEER" addr add 2001:db8:2::2/64 dev p1 nodad
}

stress_cleanup()
{
	ip -n "$PEER" addr del 2001:db8:1::2/64 dev p1
	ip -n "$PEER" addr del 2001:db8:2::2/64 dev p1
	ip -n "$HOST" addr del 2001:db8:1::1/64 dev virt0
	cleanup_ns "$CNS"
}

# Everything still answers: the parent, both children, both families.
stress_alive()
{
	virt_ping "$PEER" 192.0.2.1 &&
	virt_ping "$PEER" 198.51.100.1 &&
	virt_ping "$PEER" 203.0.113.1 &&
	virt_ping "$PEER" 2001:db8:1::1 &&
	virt_ping "$PEER" 2001:db8:2::1
}

test_malformed_frames()
{
	local out t0

	RET=0
	stress_setup
	check_err $? "cannot set up the children"
	t0=$SECONDS
	out=$(ip netns exec "$PEER" python3 "$lib_dir/virt_frames.py" p1 \
		"$(virt_sysfs "$HOST" p0 address)" "$FRAMES" --max-seconds 600)
	check_err $? "the frame writer failed"
	info "malformed frames: $out, $((SECONDS - t0)) s in all"
	stress_alive
	check_err $? "a device stopped answering after the malformed frames"
	stress_cleanup
	log_test "$FRAMES malformed and edge-case frames at the parent"
}

# Children come and go by the hundred, with addresses of both families,
# while a TCP stream through virt0 must arrive byte-exact.
test_child_churn()
{
	local i pid rc t0

	RET=0
	virt_transfer "$PEER" "$HOST" 198.51.100.1 "$MIB" &
	pid=$!
	t0=$SECONDS
	for i in $(seq 1 "$CHURN"); do
		echo "link add link p0 name vx$i type virt"
		echo "addr add 198.18.$((i / 250)).$((i % 250 + 1))/32 dev vx$i"
		echo "addr add 2001:db8:c::$i/128 dev vx$i nodad"
		echo "link set vx$i up"
	done | ip -n "$HOST" -batch -
	check_err $? "cannot add $CHURN children"
	for i in $(seq 1 "$CHURN"); do
		echo "link del vx$i"
	done | ip -n "$HOST" -batch -
	check_err $? "cannot delete $CHURN children"
	wait "$pid"
	rc=$?
	check_err "$rc" "the TCP stream through virt0 was not byte-exact"
	info "child churn: $CHURN children added and deleted in $((SECONDS - t0)) s"
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 stopped answering"
	log_test "$CHURN children churned under a byte-exact TCP stream"
}

test_addr_churn()
{
	local i pid t0

	RET=0
	ip netns exec "$PEER" ping -q -f 198.51.100.1 &>/dev/null &
	pid=$!
	t0=$SECONDS
	for i in $(seq 1 "$ADDRS"); do
		echo "addr add 198.18.100.$((i % 250 + 1))/32 dev virt0"
		echo "addr add 2001:db8:a::$i/128 dev virt0 nodad"
		echo "addr del 198.18.100.$((i % 250 + 1))/32 dev virt0"
		echo "addr del 2001:db8:a::$i/128 dev virt0"
	done | ip -n "$HOST" -batch -
	check_err $? "address churn failed"
	kill "$pid"
	wait "$pid" 2>/dev/null
	info "address churn: $ADDRS adds and deletes per family in $((SECONDS - t0)) s"
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 stopped answering"
	[ "$(ip -n "$HOST" -o addr show dev virt0 | grep -c 198.18.100.)" = 0 ]
	check_err $? "addresses outlived their deletion"
	log_test "$ADDRS address adds and deletes on a child under a ping flood"
}

# delete_ms KIND N: milliseconds to delete a parent with N children of KIND.
delete_ms()
{
	local kind=$1 n=$2 i t0 t1 extra=""

	[ "$kind" = ipvlan ] && extra="mode l2"
	ip -n "$HOST" link add q0 type veth peer name q1
	for i in $(seq 1 "$n"); do
		echo "link add link q0 name vm$i type $kind $extra"
	done | ip -n "$HOST" -batch - || return 1
	t0=$(date +%s%N)
	ip -n "$HOST" link del q0 || return 1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

test_delete_many()
{
	local v i

	RET=0
	v=$(delete_ms virt "$MANY")
	check_err $? "cannot delete a parent with $MANY virt children"
	if modprobe -q ipvlan && i=$(delete_ms ipvlan "$MANY"); then
		info "deleting a parent with $MANY children: virt $v ms, ipvlan $i ms"
	else
		info "deleting a parent with $MANY children: virt $v ms"
	fi
	[ "$(ip -n "$HOST" -o link show | grep -c ' vm')" = 0 ]
	check_err $? "children outlived their parent"
	log_test "a parent with $MANY children deleted in one batch"
}

test_rmmod_repeated()
{
	local i pids pid

	RET=0
	for i in $(seq 1 "$RMMODS"); do
		pids=()
		stress_setup || { check_err 1 "setup failed"; break; }
		ip netns exec "$PEER" ping -q -f 198.51.100.1 &>/dev/null &
		pids+=($!)
		ip netns exec "$PEER" ping -q -f 203.0.113.1 &>/dev/null &
		pids+=($!)
		ip netns exec "$HOST" ping -q -f 203.0.113.1 &>/dev/null &
		pids+=($!)
		sleep 1
		modprobe -r virt
		check_err $? "cannot remove the module under traffic (round $i)"
		for pid in "${pids[@]}"; do
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		done
		stress_cleanup 2>/dev/null
		modprobe virt
		virt_add_child virt0 198.51.100.1/24
		check_err $? "cannot add virt0 again (round $i)"
	done
	virt_ping "$PEER" 198.51.100.1
	check_err $? "virt0 does not answer after the last round"
	log_test "rmmod under traffic, $RMMODS time(s)"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
