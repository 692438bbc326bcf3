#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Topology shared by the virt selftests:
#
#   $HOST                                  $PEER
#   virt0 198.51.100.1/24 ---+
#                            p0 192.0.2.1/24 ===== p1 192.0.2.2/24
#                                                     198.51.100.2/24
#                                                     203.0.113.2/24
#
# p0/p1 are a veth pair; virt0 is a virt child of p0. Tests add more
# children (virt1 on 203.0.113.0/24) as they need them.

lib_dir=$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")
# shellcheck source=../../../net/lib.sh
source "$lib_dir/../../../net/lib.sh"

HOST=""
PEER=""

virt_require()
{
	local cmd

	for cmd in ip ping socat cmp; do
		require_command "$cmd"
	done
	if ! modprobe -q virt; then
		echo "SKIP: the virt module is not available"
		exit "$ksft_skip"
	fi
}

virt_setup()
{
	virt_require
	setup_ns HOST PEER || exit "$ksft_skip"
	trap virt_cleanup EXIT
	# Tests asserting exact counts run without IPv6, whose own multicast
	# (DAD, RS, MLD) would reach every child.
	if [ "${VIRT_IPV6:-0}" = 0 ]; then
		in_all_ns sysctl -wq net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	fi

	ip link add p0 netns "$HOST" type veth peer name p1 netns "$PEER"
	ip -n "$HOST" addr add 192.0.2.1/24 dev p0
	ip -n "$HOST" link set p0 up
	ip -n "$PEER" addr add 192.0.2.2/24 dev p1
	ip -n "$PEER" addr add 198.51.100.2/24 dev p1
	ip -n "$PEER" addr add 203.0.113.2/24 dev p1
	ip -n "$PEER" link set p1 up

	virt_add_child virt0 198.51.100.1/24
}

virt_cleanup()
{
	cleanup_all_ns
}

# virt_add_child NAME ADDR/PLEN: a child of p0 in $HOST, up, addressed.
virt_add_child()
{
	ip -n "$HOST" link add link p0 name "$1" type virt &&
	ip -n "$HOST" addr add "$2" dev "$1" &&
	ip -n "$HOST" link set "$1" up
}

# virt_pin_neigh CHILD CHILD_ADDR PEER_ADDR: permanent neighbour entries both
# ways, so that no ARP probe lands in a counter a test is reading.
virt_pin_neigh()
{
	ip -n "$PEER" neigh replace "$2" dev p1 nud permanent \
		lladdr "$(virt_sysfs "$HOST" p0 address)" &&
	ip -n "$HOST" neigh replace "$3" dev "$1" nud permanent \
		lladdr "$(virt_sysfs "$PEER" p1 address)"
}

# virt_stat NS DEV COUNTER: one of DEV's /sys statistics in NS.
virt_stat()
{
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# virt_sysfs NS DEV ATTR: one of DEV's /sys attributes in NS.
virt_sysfs()
{
	ip netns exec "$1" cat "/sys/class/net/$2/$3"
}

# virt_sysfs_is NS DEV ATTR VALUE: DEV's /sys attribute is VALUE.
virt_sysfs_is()
{
	[ "$(virt_sysfs "$1" "$2" "$3")" = "$4" ]
}

# virt_ping NS ADDR [COUNT]: quiet ping that must get COUNT replies within
# five seconds (without -w, one reply of COUNT would do).
virt_ping()
{
	ip netns exec "$1" ping -q -c "${3:-3}" -i 0.1 -W 2 -w 5 "$2" >/dev/null
}

# virt_transfer FROM_NS TO_NS ADDR MIB: copy MIB MiB of random bytes over
# TCP from FROM_NS to a listener on ADDR (IPv4 or IPv6) in TO_NS; fails
# unless every byte arrives unchanged.
virt_transfer()
{
	local from=$1 to=$2 addr=$3 mib=$4 tmpd pid rc=0 pf=4 host=$3

	if [[ "$addr" == *:* ]]; then
		pf=6
		host="[$addr]"
	fi
	tmpd=$(mktemp -d)
	dd if=/dev/urandom of="$tmpd/sent" bs=1M count="$mib" status=none
	ip netns exec "$to" socat -u TCP$pf-LISTEN:5001,bind="$host",reuseaddr \
		OPEN:"$tmpd/received",creat,trunc &
	pid=$!
	wait_local_port_listen "$to" 5001 tcp
	# A peer that never answers (ipvlan's side of virt_compare.sh) fails
	# after 20 s of SYN retransmissions, not after the whole timeout.
	timeout 120 ip netns exec "$from" socat -u OPEN:"$tmpd/sent" \
		TCP$pf:"$host":5001,connect-timeout=20 || rc=1
	# A listener nobody reached is stopped rather than waited for.
	[ "$rc" = 0 ] || kill "$pid" 2>/dev/null
	wait "$pid" || rc=1
	cmp -s "$tmpd/sent" "$tmpd/received" || rc=1
	rm -rf "$tmpd"
	return "$rc"
}

# virt_ping_none NS ADDR COUNT: COUNT echo requests, none of them answered.
virt_ping_none()
{
	! ip netns exec "$1" ping -q -c "$3" -i 0.1 -W 1 "$2" >/dev/null
}

# virt_err_has OUTPUT TEXT: OUTPUT (stderr of ip) carries TEXT.
virt_err_has()
{
	grep -qF -- "$2" <<<"$1"
}
