#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A child in a container must not take, answer for or receive what belongs
# to the host or to a sibling; and what the link announces (gratuitous ARP,
# duplicate address detection) must reach every device that needs it.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_child_takes_host_addr
	test_host_takes_child_addr
	test_no_foreign_unicast
	test_gratuitous_arp
	test_dad_across_children
	test_slaac_token_host_addr
	test_group_addr_refused
"

VIRT_IPV6=1
# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

CNS=""
DNS=""

# Two containers: vc (203.0.113.5, 2001:db8:5::5) in $CNS and vd
# (203.0.113.6) in $DNS, children of p0.
iso_setup()
{
	setup_ns CNS DNS || return 1
	ip -n "$HOST" link add link p0 name vc netns "$CNS" type virt &&
	ip -n "$HOST" link add link p0 name vd netns "$DNS" type virt &&
	ip -n "$CNS" addr add 203.0.113.5/24 dev vc &&
	ip -n "$CNS" addr add 2001:db8:5::5/64 dev vc nodad &&
	ip -n "$DNS" addr add 203.0.113.6/24 dev vd &&
	ip -n "$CNS" link set vc up &&
	ip -n "$DNS" link set vd up
}

iso_cleanup()
{
	cleanup_ns "$CNS" "$DNS"
}

# iso_refused NS ADDR DEV TEXT: adding ADDR to DEV in NS fails, saying TEXT.
iso_refused()
{
	local out

	out=$(ip -n "$1" addr add "$2" dev "$3" 2>&1) && return 1
	virt_err_has "$out" "$4" || { echo "$out"; return 1; }
}

test_child_takes_host_addr()
{
	RET=0
	iso_setup
	check_err $? "cannot set up two containers"
	ip -n "$HOST" addr add 2001:db8:9::1/64 dev p0 nodad
	ip -n "$HOST" addr add 198.18.3.1/32 dev lo
	iso_refused "$CNS" 192.0.2.1/24 vc "local to the parent's namespace"
	check_err $? "a child took the parent's IPv4 address"
	iso_refused "$CNS" 2001:db8:9::1/64 vc "local to the parent's namespace"
	check_err $? "a child took the parent's IPv6 address"
	iso_refused "$CNS" 198.18.3.1/32 vc "local to the parent's namespace"
	check_err $? "a child took an address of the parent's namespace"
	iso_refused "$DNS" 203.0.113.5/24 vd "another child"
	check_err $? "a child took a sibling's address"
	virt_ping "$PEER" 192.0.2.1
	check_err $? "the parent no longer answers for its address"
	ip -n "$HOST" addr del 198.18.3.1/32 dev lo
	ip -n "$HOST" addr del 2001:db8:9::1/64 dev p0
	iso_cleanup
	log_test "a child cannot take an address of the host or a sibling"
}

test_host_takes_child_addr()
{
	RET=0
	iso_setup
	check_err $? "cannot set up two containers"
	iso_refused "$HOST" 203.0.113.5/24 p0 "a virt child of p0"
	check_err $? "the parent took a child's IPv4 address"
	iso_refused "$HOST" 2001:db8:5::5/64 p0 "a virt child of p0"
	check_err $? "the parent took a child's IPv6 address"
	iso_refused "$HOST" 203.0.113.5/32 lo "a virt child of p0"
	check_err $? "the parent's namespace took a child's address on lo"
	virt_ping "$PEER" 203.0.113.5
	check_err $? "the child no longer answers for its address"
	iso_cleanup
	log_test "the host cannot take a child's address"
}

# With the parent promiscuous, frames for the parent and for a sibling
# still reach neither child.
test_no_foreign_unicast()
{
	local c0 c1

	RET=0
	iso_setup
	check_err $? "cannot set up two containers"
	ip -n "$HOST" link set p0 promisc on
	c0=$(virt_stat "$CNS" vc rx_packets)
	virt_ping "$PEER" 192.0.2.1 20
	check_err $? "the parent does not answer"
	virt_ping "$PEER" 203.0.113.6 20
	check_err $? "vd does not answer"
	c1=$(virt_stat "$CNS" vc rx_packets)
	# Broadcast ARP may reach vc; 40 echo requests must not.
	[ $((c1 - c0)) -lt 5 ]
	check_err $? "vc received $((c1 - c0)) frames meant for others"
	ip -n "$HOST" link set p0 promisc off
	iso_cleanup
	log_test "a child receives no unicast of the parent or a sibling"
}

# virt_garp NS DEV SENDER_MAC IP: a gratuitous ARP request for IP from
# SENDER_MAC, broadcast out of DEV.
virt_garp()
{
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<'EOF'
import socket, struct, sys
dev = sys.argv[1]
mac = bytes.fromhex(sys.argv[2].replace(":", ""))
ip = socket.inet_aton(sys.argv[3])
arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip + b"\0" * 6 + ip
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp)
EOF
}

test_gratuitous_arp()
{
	local mac=02:00:00:00:00:99

	RET=0
	iso_setup
	check_err $? "cannot set up two containers"
	ip -n "$CNS" neigh replace 203.0.113.2 dev vc nud stale \
		lladdr "$(virt_sysfs "$PEER" p1 address)"
	ip -n "$HOST" neigh replace 203.0.113.2 dev p0 nud stale \
		lladdr "$(virt_sysfs "$PEER" p1 address)" 2>/dev/null
	# Past the neighbour table's locktime, so that the update applies.
	sleep 1.2
	virt_garp "$PEER" p1 "$mac" 203.0.113.2
	check_err $? "cannot send a gratuitous ARP"
	sleep 0.5
	ip -n "$CNS" neigh show 203.0.113.2 dev vc | grep -q "$mac"
	check_err $? "vc's neighbour entry did not follow the gratuitous ARP"
	iso_cleanup
	log_test "gratuitous ARP from the link reaches children in containers"
}

# virt_ra NS DEV PREFIX: one router advertisement for PREFIX::/64, with
# autonomous address configuration, out of DEV.
virt_ra()
{
	ip netns exec "$1" python3 - "$2" "$3" <<'EOF'
import socket, struct, sys
dev = sys.argv[1]
prefix = socket.inet_pton(socket.AF_INET6, sys.argv[2] + "::")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
# Type 134, router lifetime 0 (not a default router), then a prefix option
# (type 3, 4 x 8 bytes): /64, on-link and autonomous, one hour.
ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0)
pio = struct.pack("!BBBBIII", 3, 4, 64, 0xc0, 3600, 3600, 0) + prefix
s.sendto(ra + pio, ("ff02::1", 0, 0, socket.if_nametoindex(dev)))
EOF
}

# Two children in two containers with the same stable_secret generate the
# same SLAAC address, which no validator sees: duplicate address detection
# must make the second one pick another. vc configures it first; only then
# does vd hear the prefix.
test_dad_across_children()
{
	local secret=2001:db8:dead:beef::1 a c d

	RET=0
	iso_setup
	check_err $? "cannot set up two containers"
	for a in "$CNS:vc" "$DNS:vd"; do
		ip netns exec "${a%%:*}" sysctl -wq \
			"net.ipv6.conf.${a#*:}.stable_secret=$secret" \
			"net.ipv6.conf.${a#*:}.accept_ra=2"
	done
	ip netns exec "$DNS" sysctl -wq net.ipv6.conf.vd.accept_ra=0
	virt_ra "$PEER" p1 2001:db8:77:0
	check_err $? "cannot send a router advertisement"
	slowwait 10 sh -c "ip -n $CNS -6 addr show dev vc scope global |
		grep 2001:db8:77: | grep -qv tentative"
	c=$(ip -n "$CNS" -6 -o addr show dev vc scope global |
		awk '/2001:db8:77:/ { print $4 }')
	ip netns exec "$DNS" sysctl -wq net.ipv6.conf.vd.accept_ra=2
	virt_ra "$PEER" p1 2001:db8:77:0
	sleep 4
	d=$(ip -n "$DNS" -6 -o addr show dev vd scope global |
		awk '/2001:db8:77:/ && !/tentative|dadfailed/ { print $4 }')
	[ -n "$c" ] && [ -n "$d" ]
	check_err $? "SLAAC gave no address (vc: '$c', vd: '$d')"
	[ "$c" != "$d" ]
	check_err $? "both children configured $c: DAD did not see the duplicate"
	iso_cleanup
	log_test "DAD between children in containers (stable-privacy SLAAC)"
}

# SLAAC adds addresses without the validator, and a token the container sets
# makes the address whatever it likes: here the host's own. That address
# must not be steered into the container, and the host's DAD answer must
# make the container's copy fail.
test_slaac_token_host_addr()
{
	local e0 e1 mon pid

	RET=0
	iso_setup
	check_err $? "cannot set up two containers"
	# Only vc configures from the advertisement.
	ip netns exec "$HOST" sysctl -wq net.ipv6.conf.p0.accept_ra=0 \
		net.ipv6.conf.virt0.accept_ra=0
	ip -n "$HOST" addr add 2001:db8:78::1/64 dev p0 nodad
	ip -n "$PEER" addr add 2001:db8:78::2/64 dev p1 nodad
	ip netns exec "$CNS" sysctl -wq net.ipv6.conf.vc.accept_ra=2
	ip -n "$CNS" token set ::1/64 dev vc
	check_err $? "cannot set a token on vc"
	# The address may fail DAD and go before a poll would see it.
	mon=$(mktemp)
	ip -n "$CNS" monitor address >"$mon" &
	pid=$!
	sleep 1
	virt_ra "$PEER" p1 2001:db8:78:0
	check_err $? "cannot send a router advertisement"
	slowwait 10 grep -q 2001:db8:78::1/ "$mon"
	check_err $? "SLAAC with the token gave vc no address"
	# DAD fails, and the kernel removes such a SLAAC address.
	slowwait 10 sh -c "! ip -n $CNS -6 addr show dev vc |
		grep 2001:db8:78::1/ | grep -qv dadfailed"
	check_err $? "vc configured the host's address: $(ip -n "$CNS" -6 -o \
		addr show dev vc | grep 2001:db8:78::1/)"
	kill "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$mon"
	e0=$(virt_snmp6 "$CNS" Icmp6InEchos)
	virt_ping "$PEER" 2001:db8:78::1 10
	check_err $? "the host no longer answers for its own address"
	e1=$(virt_snmp6 "$CNS" Icmp6InEchos)
	[ "$e1" -eq "$e0" ]
	check_err $? "vc's namespace got $((e1 - e0)) echo requests for the host"
	ip -n "$PEER" addr del 2001:db8:78::2/64 dev p1
	ip -n "$HOST" addr del 2001:db8:78::1/64 dev p0
	ip netns exec "$HOST" sysctl -wq net.ipv6.conf.p0.accept_ra=1 \
		net.ipv6.conf.virt0.accept_ra=1
	iso_cleanup
	log_test "a SLAAC token cannot give a container the host's address"
}

# virt_snmp6 NS COUNTER: one of NS's IPv6 SNMP counters.
virt_snmp6()
{
	ip netns exec "$1" cat /proc/net/snmp6 |
		awk -v k="$2" '$1 == k { print $2 }'
}

# A group or broadcast address names no single owner: a child holding one
# would take the parent's and its siblings' IGMP, VRRP, mDNS or DHCP.
test_group_addr_refused()
{
	local a out

	RET=0
	iso_setup
	check_err $? "cannot set up two containers"
	for a in 224.0.0.1/32 224.0.0.18/32 239.255.255.250/32 \
		 255.255.255.255/32 0.1.2.3/32; do
		iso_refused "$CNS" "$a" vc "not a unicast address"
		check_err $? "vc was given $a"
	done
	# IPv6 takes a multicast address only to join it.
	out=$(ip -n "$CNS" addr add ff0e::1/128 dev vc autojoin 2>&1)
	check_fail $? "vc was given ff0e::1"
	virt_err_has "$out" "not a unicast address"
	check_err $? "ff0e::1 refused without saying why: $out"
	iso_cleanup
	log_test "a child cannot own a multicast, broadcast or zero address"
}

virt_setup
tests_run
exit "$EXIT_STATUS"
