#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The configuration of a child (ip link ... type virt mode, mark, priority,
# guard), proven by what the kernel's own consumers make of it: tc classes
# and nftables counters on the parent, policy routing and nftables in the
# child's namespace; exclusive mode and live switching by who counted each
# frame; the source guard by its drop counters and by what the peer saw;
# bad requests by their extack and by an unchanged `ip -d -j link show`.
#
#   $HOST: p0 192.0.2.1/24, virt0 198.51.100.1/24 (child of p0)
#   $CNS:  a child of p0 per test (vc, vg, vx) 203.0.113.5/24
#   $PEER: p1 192.0.2.2/24 198.51.100.2/24 203.0.113.2/24

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_show
	test_tc_fw_class
	test_nft_mark
	test_mark_mask
	test_rule_fwmark
	test_prio_band
	test_local_colours
	test_guard
	test_allow_claim
	test_exclusive_takes_all
	test_exclusive_rules
	test_mode_switch_flood
	test_userns_locked
	test_bad_input
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

CNS=""
MAC=""
PMAC=""
VAL=0

# --- counters: each snapshot prints "KEY VALUE" lines ---------------------

# kv_val TEXT KEY: VAL becomes KEY's value in TEXT, 0 if it has none.
kv_val()
{
	local k v

	VAL=0
	while read -r k v; do
		if [ "$k" = "$2" ]; then
			VAL=${v%% *}
			return
		fi
	done <<<"$1"
}

# check_delta BEFORE AFTER KEY WANT WHO: KEY moved by WANT between the two.
check_delta()
{
	local was

	kv_val "$1" "$3"
	was=$VAL
	kv_val "$2" "$3"
	[ $((VAL - was)) -eq "$4" ]
	check_err $? "$5 $3 moved by $((VAL - was)), expected $4"
}

# snap_tc NS DEV: packets ("1:3") and bytes ("1:3.bytes") of DEV's classes.
snap_tc()
{
	local a b c d rest cls=""

	tc -n "$1" -s class show dev "$2" | while read -r a b c d rest; do
		case "$a" in
		class) cls=$c ;;
		Sent) echo "$cls $d"; echo "$cls.bytes $b" ;;
		esac
	done
}

# snap_nft NS FAMILY TABLE: packets of each named counter of the table.
snap_nft()
{
	local a b rest cnt=""

	ip netns exec "$1" nft list counters table "$2" "$3" |
	while read -r a b rest; do
		case "$a" in
		counter) cnt=$b ;;
		packets) echo "$cnt $b" ;;
		esac
	done
}

# snap_ethtool NS DEV: DEV's ethtool -S counters.
snap_ethtool()
{
	local a b

	ip netns exec "$1" ethtool -S "$2" | while read -r a b; do
		echo "${a%:} $b"
	done
}

# snap_dev NS DEV [PREFIX]: DEV's /sys statistics (rx_packets,
# tx_dropped...), each name after PREFIX.
snap_dev()
{
	local f v

	ip netns exec "$1" grep -r . "/sys/class/net/$2/statistics/" |
	while IFS=: read -r f v; do
		echo "${3:-}${f##*/} $v"
	done
}

# snap_ip NS: NS's IPv4 MIB (InReceives...).
snap_ip()
{
	local -a keys vals
	local i

	{ read -ra keys; read -ra vals; } < <(ip netns exec "$1" grep '^Ip:' /proc/net/snmp)
	for ((i = 1; i < ${#keys[@]}; i++)); do
		echo "${keys[i]} ${vals[i]}"
	done
}

# json_has JSON KEY VALUE: JSON has "KEY":VALUE (VALUE as printed).
json_has()
{
	local re="\"$2\":$3[],}]"

	[[ "$1" =~ $re ]]
}

# --- topology ---------------------------------------------------------------

# cfg_child NAME [OPTION...]: a child of p0 with OPTIONs, moved to $CNS,
# 203.0.113.5/24, up, the peer's address pinned; deleted when the test ends.
cfg_child()
{
	local name=$1

	shift
	ip -n "$HOST" link add link p0 name "$name" netns "$CNS" type virt "$@" ||
		return 1
	defer ip -n "$CNS" link del "$name"
	ip -n "$CNS" -b - <<-EOF
		addr add 203.0.113.5/24 dev $name
		link set $name up
		neigh replace 203.0.113.2 dev $name lladdr $PMAC nud permanent
	EOF
}

# cfg_virt0: virt0 as virt_setup made it, its neighbour pinned.
cfg_virt0()
{
	virt_add_child virt0 198.51.100.1/24 &&
	ip -n "$HOST" neigh replace 198.51.100.2 dev virt0 lladdr "$PMAC" \
		nud permanent
}

# cfg_nft NS: load the nftables rules on stdin into NS.
cfg_nft()
{
	ip netns exec "$1" nft -f -
}

cfg_setup()
{
	local out

	virt_setup
	setup_ns CNS || exit "$ksft_skip"
	# Nothing of IPv6's own (DAD, MLD) in a class or counter; test_guard
	# turns it on for its child.
	ip netns exec "$CNS" sysctl -wq net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1

	if ! out=$(ip -n "$HOST" link add link p0 name vprobe type virt \
			mode shared 2>&1); then
		if [[ "$out" == *"RTNETLINK answers"* || "$out" == *"Error:"* ]]; then
			echo "FAIL: the kernel refused a child in shared mode: $out"
			exit "$ksft_fail"
		fi
		echo "SKIP: this ip does not know the virt options: $out"
		exit "$ksft_skip"
	fi
	ip -n "$HOST" link del vprobe

	MAC=$(virt_sysfs "$HOST" p0 address)
	PMAC=$(virt_sysfs "$PEER" p1 address)
	# No ARP in any counter: every address the tests use is pinned.
	ip -n "$PEER" -b - <<-EOF
		neigh replace 192.0.2.1 dev p1 lladdr $MAC nud permanent
		neigh replace 198.51.100.1 dev p1 lladdr $MAC nud permanent
		neigh replace 203.0.113.5 dev p1 lladdr $MAC nud permanent
	EOF
	ip -n "$HOST" -b - <<-EOF
		neigh replace 192.0.2.2 dev p0 lladdr $PMAC nud permanent
		neigh replace 198.51.100.2 dev virt0 lladdr $PMAC nud permanent
	EOF
}

# --- what ip shows ----------------------------------------------------------

test_show()
{
	local j kv

	RET=0
	ip -n "$HOST" link add link p0 name vs type virt mode shared \
		mark 0x10/0xff priority 6 guard on allow 192.0.2.0/24 \
		allow 2001:db8:1::/64
	check_err $? "cannot add a child with every option"
	defer ip -n "$HOST" link del vs
	j=$(ip -n "$HOST" -d link show vs)
	kv="virt mode shared mark 0x10/0xff priority 6 guard on"
	kv+=" allow 192.0.2.0/24 2001:db8:1::/64"
	[[ "$j" == *"$kv"* ]]
	check_err $? "ip -d link show says: $j"
	j=$(ip -n "$HOST" -d -j link show vs)
	for kv in mode:'"shared"' mark:16 mask:255 priority:6 guard:true; do
		json_has "$j" "${kv%%:*}" "${kv#*:}"
		check_err $? "no \"${kv%%:*}\":${kv#*:} in $j"
	done
	[[ "$j" == *'"allow":["192.0.2.0/24","2001:db8:1::/64"]'* ]]
	check_err $? "no allow list in $j"

	# Guard off and priority none go in one bitfield: neither may
	# disturb the other's bit, nor the mark.
	ip -n "$HOST" link set vs type virt guard off
	check_err $? "cannot turn the guard off"
	j=$(ip -n "$HOST" -d -j link show vs)
	json_has "$j" guard false && json_has "$j" priority 6 &&
		json_has "$j" mark 16
	check_err $? "guard off changed more than the guard: $j"
	ip -n "$HOST" link set vs type virt guard on
	ip -n "$HOST" link set vs type virt priority none
	check_err $? "cannot stop stamping a priority"
	j=$(ip -n "$HOST" -d -j link show vs)
	json_has "$j" guard true && [[ "$j" != *'"priority":'* ]]
	check_err $? "priority none changed more than the priority: $j"

	ip -n "$HOST" link set vs type virt mark 0/0 guard off allow none
	check_err $? "cannot turn colouring, guard and the allow list off"
	j=$(ip -n "$HOST" -d -j link show vs)
	[[ "$j" != *'"mark":'* && "$j" != *'"mask":'* && "$j" != *'"priority":'* &&
	   "$j" != *'"allow":'* ]]
	check_err $? "mark, mask, priority or allow still shown: $j"
	json_has "$j" guard false && json_has "$j" mode '"shared"'
	check_err $? "guard or mode wrong: $j"

	ip -n "$HOST" link set vs type virt mark 0x20 priority 1:3
	check_err $? "cannot set a mark without a mask"
	j=$(ip -n "$HOST" -d -j link show vs)
	json_has "$j" mark 32 && json_has "$j" mask 4294967295 &&
		json_has "$j" priority 65539
	check_err $? "mark 0x20 is not 0x20/0xffffffff or priority 1:3 not 0x10003: $j"
	log_test "ip shows the options, their changes and their absence"
}

# --- colouring --------------------------------------------------------------

test_tc_fw_class()
{
	local b a

	RET=0
	cfg_child vc mark 0x10
	check_err $? "cannot add a child with mark 0x10"
	tc -n "$HOST" -b - <<-EOF
		qdisc add dev p0 root handle 1: prio
		filter add dev p0 parent 1: protocol all prio 1 handle 0x10 fw classid 1:3
	EOF
	check_err $? "cannot set up prio and fw on p0"
	defer tc -n "$HOST" qdisc del dev p0 root

	b=$(snap_tc "$HOST" p0)
	virt_ping "$CNS" 203.0.113.2 10
	check_err $? "the child cannot ping the peer"
	virt_ping "$HOST" 192.0.2.2 10
	check_err $? "the parent cannot ping the peer"
	a=$(snap_tc "$HOST" p0)
	# 10 echo requests of 98 bytes each, from each.
	check_delta "$b" "$a" 1:3 10 "the fw class"
	check_delta "$b" "$a" 1:3.bytes 980 "the fw class"
	check_delta "$b" "$a" 1:2 10 "the default class"
	check_delta "$b" "$a" 1:2.bytes 980 "the default class"
	check_delta "$b" "$a" 1:1 0 "class"
	log_test "colour: tc fw on the parent puts the child in its own class"

	RET=0
	ip -n "$CNS" link set vc type virt mark 0x20
	check_err $? "cannot change the mark"
	b=$a
	virt_ping "$CNS" 203.0.113.2 5
	check_err $? "the child cannot ping the peer with mark 0x20"
	a=$(snap_tc "$HOST" p0)
	check_delta "$b" "$a" 1:3 0 "with mark 0x20, the fw class"
	check_delta "$b" "$a" 1:2 5 "with mark 0x20, the default class"
	ip -n "$CNS" link set vc type virt mark 0x10
	check_err $? "cannot change the mark back"
	b=$a
	virt_ping "$CNS" 203.0.113.2 5
	check_err $? "the child cannot ping the peer with mark 0x10"
	a=$(snap_tc "$HOST" p0)
	check_delta "$b" "$a" 1:3 5 "back at 0x10, the fw class"
	check_delta "$b" "$a" 1:2 0 "back at 0x10, the default class"
	log_test "colour: a mark changed live applies to the next frames"
}

test_nft_mark()
{
	local c h

	RET=0
	cfg_child vc mark 0x10
	check_err $? "cannot add a child with mark 0x10"
	cfg_nft "$CNS" <<-EOF
		table netdev cm {
			counter m10 {}
			counter other {}
			chain in {
				type filter hook ingress device vc priority 0;
				meta mark 0x10 counter name m10
				meta mark != 0x10 counter name other
			}
		}
	EOF
	check_err $? "cannot load the child's nftables rules"
	defer ip netns exec "$CNS" nft delete table netdev cm
	cfg_nft "$HOST" <<-EOF
		table netdev pm {
			counter m10 {}
			counter m0 {}
			counter other {}
			chain out {
				type filter hook egress device p0 priority 0;
				meta mark 0x10 counter name m10
				meta mark 0 counter name m0
				meta mark != 0x10 meta mark != 0 counter name other
			}
		}
	EOF
	check_err $? "cannot load the parent's nftables rules"
	defer ip netns exec "$HOST" nft delete table netdev pm

	virt_ping "$PEER" 203.0.113.5 10
	check_err $? "the peer cannot ping the child"
	virt_ping "$HOST" 192.0.2.2 5
	check_err $? "the parent cannot ping the peer"
	c=$(snap_nft "$CNS" netdev cm)
	h=$(snap_nft "$HOST" netdev pm)
	# Received: the echo requests, scrubbed and then stamped.
	check_delta "" "$c" m10 10 "child ingress"
	check_delta "" "$c" other 0 "child ingress"
	# Transmitted: the child's echo replies; the parent's own requests.
	check_delta "" "$h" m10 10 "parent egress"
	check_delta "" "$h" m0 5 "parent egress"
	check_delta "" "$h" other 0 "parent egress"
	log_test "colour: nft meta mark counts received and transmitted frames"
}

# virt0 shares the parent's namespace: nothing scrubs the mark, so bits set
# before the stamp (by ingress rules, by SO_MARK) show the mask at work.
test_mark_mask()
{
	local h

	RET=0
	ip -n "$HOST" link set virt0 type virt mark 0x10/0xff
	check_err $? "cannot set mark 0x10/0xff"
	defer ip -n "$HOST" link set virt0 type virt mark 0/0
	cfg_nft "$HOST" <<-EOF
		table netdev mm {
			counter rx110 {}
			counter rxother {}
			counter tx110 {}
			counter tx10 {}
			counter txother {}
			chain wire {
				type filter hook ingress device p0 priority 0;
				meta mark set 0x100
			}
			chain child {
				type filter hook ingress device virt0 priority 0;
				meta mark 0x110 counter name rx110
				meta mark != 0x110 counter name rxother
			}
			chain out {
				type filter hook egress device p0 priority 0;
				ip daddr != 198.51.100.2 accept
				meta mark 0x110 counter name tx110 accept
				meta mark 0x10 counter name tx10 accept
				counter name txother
			}
		}
	EOF
	check_err $? "cannot load the nftables rules"
	defer ip netns exec "$HOST" nft delete table netdev mm

	# SO_MARK 0x1ff: 0x100 stays, 0xff becomes 0x10.
	ip netns exec "$HOST" ping -q -c 5 -i 0.1 -W 2 -w 5 -m 511 \
		198.51.100.2 >/dev/null
	check_err $? "virt0 cannot ping the peer with SO_MARK 0x1ff"
	virt_ping "$HOST" 198.51.100.2 3
	check_err $? "virt0 cannot ping the peer"
	h=$(snap_nft "$HOST" netdev mm)
	check_delta "" "$h" tx110 5 "transmitted, SO_MARK 0x1ff:"
	check_delta "" "$h" tx10 3 "transmitted, no SO_MARK:"
	check_delta "" "$h" txother 0 "transmitted:"
	# Ingress on p0 marked every reply 0x100.
	check_delta "" "$h" rx110 8 "received:"
	check_delta "" "$h" rxother 0 "received:"
	log_test "colour: bits outside the mask are kept, inside it replaced"
}

# With fwmark_reflect, an echo reply carries the request's mark: a rule on
# that mark sends the replies of a coloured child out of d0 instead.
test_rule_fwmark()
{
	local b a

	RET=0
	cfg_child vc mark 0x10
	check_err $? "cannot add a child with mark 0x10"
	ip -n "$CNS" -b - <<-EOF
		link add d0 type veth peer name d1
		link set d0 up
		link set d1 up
		neigh replace 203.0.113.2 dev d0 lladdr 02:00:00:00:00:01 nud permanent
		route add 203.0.113.2/32 dev d0 table 100
		rule add fwmark 0x10 table 100 pref 100
	EOF
	check_err $? "cannot set up the policy routing"
	defer ip -n "$CNS" link del d0
	ip netns exec "$CNS" sysctl -wq net.ipv4.fwmark_reflect=1
	defer ip netns exec "$CNS" sysctl -wq net.ipv4.fwmark_reflect=0

	b="$(snap_dev "$CNS" vc child.)
$(snap_dev "$CNS" d0 d0.)"
	virt_ping_none "$PEER" 203.0.113.5 5
	check_err $? "the peer got replies the fwmark rule sends elsewhere"
	a="$(snap_dev "$CNS" vc child.)
$(snap_dev "$CNS" d0 d0.)"
	check_delta "$b" "$a" child.rx_packets 5 "marked:"
	check_delta "$b" "$a" child.tx_packets 0 "marked:"
	check_delta "$b" "$a" d0.tx_packets 5 "marked:"

	ip -n "$CNS" link set vc type virt mark 0/0
	check_err $? "cannot turn colouring off"
	b=$a
	virt_ping "$PEER" 203.0.113.5 5
	check_err $? "no replies with colouring off"
	a="$(snap_dev "$CNS" vc child.)
$(snap_dev "$CNS" d0 d0.)"
	check_delta "$b" "$a" child.tx_packets 5 "unmarked:"
	check_delta "$b" "$a" d0.tx_packets 0 "unmarked:"
	log_test "colour: ip rule fwmark routes what the child received"
}

test_prio_band()
{
	local b a c

	RET=0
	cfg_child vc priority 6
	check_err $? "cannot add a child with priority 6"
	tc -n "$HOST" qdisc add dev p0 root handle 1: prio
	check_err $? "cannot add prio to p0"
	defer tc -n "$HOST" qdisc del dev p0 root
	cfg_nft "$CNS" <<-EOF
		table netdev cp {
			counter p6 {}
			counter p13 {}
			counter p0 {}
			counter other {}
			chain in {
				type filter hook ingress device vc priority 0;
				meta priority 0:6 counter name p6 accept
				meta priority 1:3 counter name p13 accept
				meta priority none counter name p0 accept
				counter name other
			}
		}
	EOF
	check_err $? "cannot load the child's nftables rules"
	defer ip netns exec "$CNS" nft delete table netdev cp

	# The default priomap puts priority 6 in band 0 (1:1), 0 in band 1.
	b=$(snap_tc "$HOST" p0)
	virt_ping "$CNS" 203.0.113.2 5
	check_err $? "the child cannot ping with priority 6"
	a=$(snap_tc "$HOST" p0)
	check_delta "$b" "$a" 1:1 5 "priority 6:"
	check_delta "$b" "$a" 1:2 0 "priority 6:"
	check_delta "$b" "$a" 1:3 0 "priority 6:"

	# A priority of the qdisc's own major number names the band itself.
	ip -n "$CNS" link set vc type virt priority 1:3
	check_err $? "cannot set priority 1:3"
	b=$a
	virt_ping "$CNS" 203.0.113.2 5
	check_err $? "the child cannot ping with priority 1:3"
	a=$(snap_tc "$HOST" p0)
	check_delta "$b" "$a" 1:1 0 "priority 1:3:"
	check_delta "$b" "$a" 1:3 5 "priority 1:3:"

	ip -n "$CNS" link set vc type virt priority none
	check_err $? "cannot clear the priority"
	b=$a
	virt_ping "$CNS" 203.0.113.2 5
	check_err $? "the child cannot ping without a priority"
	a=$(snap_tc "$HOST" p0)
	check_delta "$b" "$a" 1:2 5 "no priority:"
	check_delta "$b" "$a" 1:1 0 "no priority:"
	check_delta "$b" "$a" 1:3 0 "no priority:"

	# The echo replies the child received in each phase.
	c=$(snap_nft "$CNS" netdev cp)
	check_delta "" "$c" p6 5 "received,"
	check_delta "" "$c" p13 5 "received,"
	check_delta "" "$c" p0 5 "received,"
	check_delta "" "$c" other 0 "received,"
	log_test "priority: the parent's prio qdisc bands by the child's priority"
}

# --- colours on the local path ---------------------------------------------

# What a child sends its parent carries the child's colours, as it would
# into the parent's qdisc; what a sibling in another namespace receives
# carries the sibling's own colours, never the sender's.
test_local_colours()
{
	local c h

	RET=0
	ip -n "$HOST" link add link p0 name vl netns "$CNS" type virt mark 0x10
	check_err $? "cannot add a child with mark 0x10"
	defer ip -n "$CNS" link del vl
	ip -n "$HOST" link set virt0 type virt mark 0x20
	check_err $? "cannot colour virt0"
	defer ip -n "$HOST" link set virt0 type virt mark 0/0
	ip -n "$CNS" -b - <<-EOF
		addr add 192.0.2.15/24 dev vl
		addr add 198.51.100.15/24 dev vl
		link set vl up
		neigh replace 192.0.2.1 dev vl lladdr $MAC nud permanent
		neigh replace 198.51.100.1 dev vl lladdr $MAC nud permanent
	EOF
	check_err $? "cannot configure vl"
	ip -n "$HOST" -b - <<-EOF
		neigh replace 192.0.2.15 dev p0 lladdr $MAC nud permanent
		neigh replace 198.51.100.15 dev virt0 lladdr $MAC nud permanent
	EOF
	defer ip -n "$HOST" neigh del 192.0.2.15 dev p0
	defer ip -n "$HOST" neigh del 198.51.100.15 dev virt0
	cfg_nft "$HOST" <<-EOF
		table netdev lc {
			counter par_m10 {}
			counter par_other {}
			counter sib_m20 {}
			counter sib_other {}
			chain par {
				type filter hook ingress device p0 priority 0;
				ip saddr 192.0.2.15 icmp type echo-request jump par_req
			}
			chain par_req {
				meta mark 0x10 counter name par_m10
				meta mark != 0x10 counter name par_other
			}
			chain sib {
				type filter hook ingress device virt0 priority 0;
				ip saddr 198.51.100.15 icmp type echo-request jump sib_req
			}
			chain sib_req {
				meta mark 0x20 counter name sib_m20
				meta mark != 0x20 counter name sib_other
			}
		}
	EOF
	check_err $? "cannot load the host's nftables rules"
	defer ip netns exec "$HOST" nft delete table netdev lc
	cfg_nft "$CNS" <<-EOF
		table netdev lc {
			counter m10 {}
			counter other {}
			chain in {
				type filter hook ingress device vl priority 0;
				icmp type echo-reply meta mark 0x10 counter name m10
				icmp type echo-reply meta mark != 0x10 counter name other
			}
		}
	EOF
	check_err $? "cannot load the child's nftables rules"
	defer ip netns exec "$CNS" nft delete table netdev lc

	virt_ping "$CNS" 192.0.2.1 5
	check_err $? "the child cannot ping its parent"
	virt_ping "$CNS" 198.51.100.1 5
	check_err $? "the child cannot ping its sibling"
	h=$(snap_nft "$HOST" netdev lc)
	c=$(snap_nft "$CNS" netdev lc)
	check_delta "" "$h" par_m10 5 "the parent's ingress"
	check_delta "" "$h" par_other 0 "the parent's ingress"
	check_delta "" "$h" sib_m20 5 "the sibling's ingress"
	check_delta "" "$h" sib_other 0 "the sibling's ingress"
	check_delta "" "$c" m10 10 "the child's ingress"
	check_delta "" "$c" other 0 "the child's ingress"
	log_test "colour: local path: the parent gets the sender's, a sibling its own"
}

# --- guard ------------------------------------------------------------------

# Frames test_guard sends, CASE:COUNTER for those the guard must drop.
GUARD_DROP="
	mac:tx_guard_mac
	ip_sibling:tx_guard_ip
	ip_host:tx_guard_ip
	ip_zero:tx_guard_ip
	ip6_foreign:tx_guard_ip
	arp_sender_ip:tx_guard_arp
	arp_sender_mac:tx_guard_arp
	na_foreign:tx_guard_nd
	na_lladdr:tx_guard_nd
	frag_hidden:tx_guard_nd
	frag_na:tx_guard_nd
	frag_double:tx_guard_nd
	vnet_csum:tx_guard_ip
	vlan:tx_guard_proto
	ethertype:tx_guard_proto
"
GUARD_PASS="ip_own ip6_own dhcp arp_probe dad na_own ns_own mld"
# As its router, 203.0.113.1 and 2001:db8:5::1, once the container claims
# them: IP, IPv6, ARP reply, NA.
GUARD_CLAIMED="ip_claimed ip6_claimed arp_claimed na_foreign"

# guard_send NS DEV CASE...: one frame per CASE out of DEV, the Nth to the
# unicast MAC address 02:99:00:00:00:N, whatever its IP destination.
guard_send()
{
	ip netns exec "$1" python3 - "${@:2}" <<'EOF'
import socket, struct, sys

dev, cases = sys.argv[1], sys.argv[2:]
with open(f'/sys/class/net/{dev}/address') as f:
    mac = bytes.fromhex(f.read().strip().replace(':', ''))
FOREIGN = bytes.fromhex('029999999999')
OWN4, PEER4 = '203.0.113.5', '203.0.113.2'
OWN6, PEER6 = '2001:db8:5::5', '2001:db8:5::2'
IP, IP6, ARP = 0x0800, 0x86dd, 0x0806


def a4(a):
    return socket.inet_aton(a)


def a6(a):
    return socket.inet_pton(socket.AF_INET6, a)


def csum(data):
    data += b'\0' * (len(data) & 1)
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def ip4(src, dst, l4, proto=17):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64,
                      proto, 0, a4(src), a4(dst))
    return hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:] + l4


def udp(sport=4242, dport=9, data=b'virt-config guard'):
    return struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data


def ip6(src, dst, nh, pl, hlim=64):
    return struct.pack('!IHBB16s16s', 6 << 28, len(pl), nh, hlim, a6(src),
                       a6(dst)) + pl


def udp6(src, dst=PEER6):
    l4 = udp()
    pseudo = a6(src) + a6(dst) + struct.pack('!IxxxB', len(l4), 17)
    l4 = l4[:6] + struct.pack('!H', csum(pseudo + l4)) + l4[8:]
    return ip6(src, dst, 17, l4)


def icmp6(src, dst, msg, hlim=255, hbh=b''):
    pseudo = a6(src) + a6(dst) + struct.pack('!IxxxB', len(msg), 58)
    msg = msg[:2] + struct.pack('!H', csum(pseudo + msg)) + msg[4:]
    if hbh:
        return ip6(src, dst, 0, hbh + msg, hlim)
    return ip6(src, dst, 58, msg, hlim)


def na(target, src=OWN6, lladdr=None):
    msg = (struct.pack('!BBHB3x', 136, 0, 0, 0x20) + a6(target) +
           b'\2\1' + (lladdr or mac))
    return icmp6(src, 'ff02::1', msg)


def arp(sha, spa, tpa, op=1):
    return (struct.pack('!HHBBH', 1, IP, 6, 4, op) + sha + a4(spa) +
            bytes(6) + a4(tpa))


dad = icmp6('::', 'ff02::1:ff00:5',
            struct.pack('!BBH4x', 135, 0, 0) + a6(OWN6))
# MLDv2 report (change to exclude ff02::1:ff00:5), hop-by-hop router alert.
mld = icmp6('::', 'ff02::16',
            struct.pack('!BBHHH', 143, 0, 0, 0, 1) +
            struct.pack('!BBH', 4, 0, 0) + a6('ff02::1:ff00:5'),
            hlim=1, hbh=bytes([58, 0, 5, 2, 0, 0, 1, 0]))


def frag6(src, dst, nh, pl, atomic=False):
    """
    The first of several fragments, carrying pl; with an atomic fragment
    header (offset 0, no more fragments) after its own if atomic.
    """
    if atomic:
        pl = struct.pack('!BxHI', nh, 0, 0x5158) + pl
        nh = 44
    return ip6(src, dst, 44, struct.pack('!BxHI', nh, 1, 0x5157) + pl)


def vnet_csum():
    """
    From its own address, asking (virtio_net_hdr, NEEDS_CSUM) for a
    checksum over the IPv4 source: the source that leaves is the one
    after the checksum is written, not its own.
    """
    pkt = ip4(OWN4, PEER4, udp())
    start = 14 + 12
    frame = bytes(start) + pkt[12:]
    total = csum(frame[start:])
    assert struct.pack('!H', total) != a4(OWN4)[:2]
    return struct.pack('=BBHHHH', 1, 0, 0, 0, start, 0), pkt


FRAMES = {
    'mac': (FOREIGN, IP, ip4(OWN4, PEER4, udp())),
    'ip_sibling': (mac, IP, ip4('198.51.100.1', PEER4, udp())),
    'ip_host': (mac, IP, ip4('192.0.2.1', PEER4, udp())),
    'ip_zero': (mac, IP, ip4('0.0.0.0', PEER4, udp(1234, 67))),
    'ip6_foreign': (mac, IP6, udp6('2001:db8:5::99')),
    'arp_sender_ip': (mac, ARP, arp(mac, '192.0.2.1', PEER4)),
    'arp_sender_mac': (mac, ARP, arp(FOREIGN, OWN4, PEER4)),
    'na_foreign': (mac, IP6, na('2001:db8:5::1')),
    # Its own address, at another station's MAC address
    'na_lladdr': (mac, IP6, na(OWN6, lladdr=FOREIGN)),
    # A first fragment that ends in the ICMPv6 header; a fragmented NA.
    'frag_hidden': (mac, IP6, frag6(OWN6, PEER6, 58, b'\x88')),
    'frag_na': (mac, IP6, frag6(OWN6, 'ff02::1', 58,
                                na(OWN6)[40:])),
    # The same, its last fragment header atomic: it looks unfragmented
    'frag_double': (mac, IP6, frag6(OWN6, 'ff02::1', 58,
                                    na(OWN6)[40:], atomic=True)),
    'vnet_csum': (mac, IP, None),
    'vlan': (mac, 0x8100, struct.pack('!HH', 5, IP) + ip4(OWN4, PEER4, udp())),
    'ethertype': (mac, 0x88b5, b'virt-config guard'.ljust(46, b'\0')),
    'ip_own': (mac, IP, ip4(OWN4, PEER4, udp())),
    'ip6_own': (mac, IP6, udp6(OWN6)),
    'dhcp': (mac, IP, ip4('0.0.0.0', '255.255.255.255',
                          udp(68, 67, bytes(240)))),
    'arp_probe': (mac, ARP, arp(mac, '0.0.0.0', OWN4)),
    'dad': (mac, IP6, dad),
    'na_own': (mac, IP6, na(OWN6)),
    # A solicitation from its own address, naming its own MAC address,
    # with a nonce option (RFC 3971 type 14) after it
    'ns_own': (mac, IP6, icmp6(OWN6, 'ff02::1:ff00:2',
                               struct.pack('!BBH4x', 135, 0, 0) + a6(PEER6) +
                               b'\1\1' + mac + b'\x0e\1' + bytes(6))),
    'mld': (mac, IP6, mld),
    # Its router's addresses, once the container has claimed them
    'ip_claimed': (mac, IP, ip4('203.0.113.1', PEER4, udp())),
    'arp_claimed': (mac, ARP, arp(mac, '203.0.113.1', PEER4, op=2)),
    'ip6_claimed': (mac, IP6, udp6('2001:db8:5::1')),
}
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((dev, 0))
vnet = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
vnet.setsockopt(263, 15, 1)  # SOL_PACKET, PACKET_VNET_HDR
vnet.bind((dev, 0))
rc = 0
for n, name in enumerate(cases, 1):
    src, etype, payload = FRAMES[name]
    frame = bytes([2, 0x99, 0, 0, 0, n]) + src + struct.pack('!H', etype)
    try:
        if payload is None:
            hdr, payload = vnet_csum()
            vnet.send(hdr + frame + payload)
            continue
        sock.send(frame + payload)
    except OSError as e:
        print(f'{name}: {e}', file=sys.stderr)
        rc = 1
sys.exit(rc)
EOF
}

test_guard()
{
	local -a cases=()
	local -A want=()
	local b a bs as p p2 c k n drops=0
	local counters="tx_guard_mac tx_guard_ip tx_guard_arp tx_guard_nd tx_guard_proto"

	for c in $GUARD_DROP; do
		cases+=("${c%%:*}")
	done
	for c in $GUARD_PASS; do
		cases+=("$c")
	done

	RET=0
	ip -n "$HOST" link add link p0 name vg netns "$CNS" type virt guard on
	check_err $? "cannot add a child with guard on"
	defer ip -n "$CNS" link del vg
	ip netns exec "$CNS" sysctl -wq net.ipv6.conf.vg.disable_ipv6=0
	ip -n "$CNS" -b - <<-EOF
		link set vg addrgenmode none
		addr add 203.0.113.5/24 dev vg
		addr add 2001:db8:5::5/64 dev vg nodad
		link set vg up
		neigh replace 203.0.113.2 dev vg lladdr $PMAC nud permanent
	EOF
	check_err $? "cannot configure vg"
	# The peer counts each case's frame by its destination MAC address,
	# in counter c_CASE (some case names are nft keywords).
	{
		echo "table netdev gd {"
		for c in "${cases[@]}"; do
			echo "counter c_$c {}"
		done
		echo "chain in { type filter hook ingress device p1 priority 0;"
		for n in "${!cases[@]}"; do
			printf 'ether daddr 02:99:00:00:00:%02x counter name c_%s\n' \
				$((n + 1)) "${cases[n]}"
		done
		echo "}"
		echo "}"
	} | cfg_nft "$PEER"
	check_err $? "cannot load the peer's nftables rules"
	defer ip netns exec "$PEER" nft delete table netdev gd

	virt_ping "$CNS" 203.0.113.2 3
	check_err $? "with guard on, the child cannot ping the peer"
	log_test "guard on: the child still pings the peer"

	# The core completes checksums and segments before the guard looks.
	RET=0
	p=$(ip netns exec "$CNS" ethtool -k vg)
	for k in tx-checksumming scatter-gather tcp-segmentation-offload; do
		[[ "$p" == *"$k: off"* ]]
		check_err $? "guard on, but vg has $k on"
	done
	log_test "guard on: no checksum, scatter-gather or segmentation offloads"

	RET=0
	b=$(snap_ethtool "$CNS" vg)
	bs=$(snap_dev "$CNS" vg)
	guard_send "$CNS" vg "${cases[@]}"
	check_err $? "cannot send the frames"
	a=$(snap_ethtool "$CNS" vg)
	as=$(snap_dev "$CNS" vg)
	p=$(snap_nft "$PEER" netdev gd)
	log_test "guard on: the test frames were sent"

	for k in $counters; do
		want[$k]=0
	done
	for c in $GUARD_DROP; do
		k=${c#*:}
		want[$k]=$((${want[$k]} + 1))
		drops=$((drops + 1))
	done
	for k in $counters; do
		RET=0
		check_delta "$b" "$a" "$k" "${want[$k]}" "vg"
		for c in $GUARD_DROP; do
			[ "${c#*:}" = "$k" ] || continue
			check_delta "" "$p" "c_${c%%:*}" 0 "the peer's counter"
		done
		log_test "guard on: $k counts ${want[$k]} spoofed frames, the peer sees none"
	done

	RET=0
	check_delta "$bs" "$as" tx_dropped "$drops" "vg"
	for c in $GUARD_PASS; do
		check_delta "" "$p" "c_$c" 1 "the peer's counter"
	done
	log_test "guard on: own IP, DHCP, ARP probe, DAD, MLD, own NA and NS pass"

	# The container claims its router's addresses. The guard alone lets
	# it send as them; the host's allow list does not.
	RET=0
	ip -n "$CNS" -b - <<-EOF
		addr add 203.0.113.1/32 dev vg
		addr add 2001:db8:5::1/128 dev vg nodad
	EOF
	check_err $? "the container cannot claim 203.0.113.1 and 2001:db8:5::1"
	bs=$(snap_dev "$CNS" vg)
	# shellcheck disable=SC2086 # a list of case names
	guard_send "$CNS" vg $GUARD_CLAIMED
	check_err $? "cannot send the frames"
	as=$(snap_dev "$CNS" vg)
	check_delta "$bs" "$as" tx_dropped 0 "no allow list: vg"
	log_test "guard on, no allow list: a container sends as the address it claimed"

	RET=0
	ip -n "$CNS" link set vg type virt allow 203.0.113.4/30 \
		allow 2001:db8:5::4/126
	check_err $? "cannot set the allow list"
	p2=$(ip -n "$CNS" -d link show vg)
	[[ "$p2" == *"allow 203.0.113.4/30 2001:db8:5::4/126"* ]]
	check_err $? "ip -d link show says: $p2"
	b=$(snap_ethtool "$CNS" vg)
	bs=$(snap_dev "$CNS" vg)
	# shellcheck disable=SC2086 # a list of case names
	guard_send "$CNS" vg $GUARD_CLAIMED ip_own ip6_own na_own
	check_err $? "cannot send the frames"
	a=$(snap_ethtool "$CNS" vg)
	as=$(snap_dev "$CNS" vg)
	check_delta "$b" "$a" tx_guard_ip 2 "allow list: vg"
	check_delta "$b" "$a" tx_guard_arp 1 "allow list: vg"
	check_delta "$b" "$a" tx_guard_nd 1 "allow list: vg"
	check_delta "$bs" "$as" tx_dropped 4 "allow list: vg"
	virt_ping "$CNS" 203.0.113.2 1
	check_err $? "with an allow list, the child cannot ping the peer"
	log_test "guard on, allow list: the claimed addresses are dropped, its own pass"

	RET=0
	ip -n "$CNS" -b - <<-EOF
		link set vg type virt allow none
		addr del 203.0.113.1/32 dev vg
		addr del 2001:db8:5::1/128 dev vg
	EOF
	check_err $? "cannot clear the allow list"
	p2=$(ip -n "$CNS" -d -j link show vg)
	[[ "$p2" != *'"allow"'* ]]
	check_err $? "the allow list is still shown: $p2"
	log_test "allow none clears the list"
	a=$(snap_ethtool "$CNS" vg)
	as=$(snap_dev "$CNS" vg)
	p=$(snap_nft "$PEER" netdev gd)

	RET=0
	ip -n "$CNS" link set vg type virt guard off
	check_err $? "cannot turn guard off"
	b=$a
	bs=$as
	guard_send "$CNS" vg "${cases[@]}"
	check_err $? "cannot send the frames"
	a=$(snap_ethtool "$CNS" vg)
	as=$(snap_dev "$CNS" vg)
	p2=$(snap_nft "$PEER" netdev gd)
	for k in $counters; do
		check_delta "$b" "$a" "$k" 0 "guard off: vg"
	done
	check_delta "$bs" "$as" tx_dropped 0 "guard off: vg"
	for c in "${cases[@]}"; do
		check_delta "$p" "$p2" "c_$c" 1 "guard off: the peer's counter"
	done
	p=$(ip netns exec "$CNS" ethtool -k vg)
	[[ "$p" == *"tx-checksumming: on"* ]]
	check_err $? "guard off, but vg's checksum offload stays off"
	log_test "guard off: every one of those frames reaches the peer"
}

# has_linklocal DEV: DEV, in $CNS, has an IPv6 link-local address.
has_linklocal()
{
	ip -n "$CNS" -6 addr show dev "$1" scope link | grep -q fe80
}

# addr_refused DEV ADDR MSG [OPTION...]: adding ADDR to DEV in $CNS fails,
# and the extack message says MSG.
addr_refused()
{
	local out

	out=$(ip -n "$CNS" addr add "$2" dev "$1" "${@:4}" 2>&1)
	check_fail $? "$1 took $2 ${*:4}"
	[[ "$out" == *"$3"* ]]
	check_err $? "$1, $2: no extack message \"$3\": $out"
}

# A guarded child with an allow list may not claim an address outside it:
# not by ip addr add, not as the local end of a point-to-point address,
# not as its link-local address, and not by keeping what it held when the
# host narrowed the list. Else it could take a sibling's address before the
# sibling configures it (or after it removes it), and receive the sibling's
# traffic from neighbours that cached it.
test_allow_claim()
{
	local out

	RET=0
	ip -n "$HOST" link add link p0 name va netns "$CNS" type virt guard on \
		allow 203.0.113.20/32 allow 2001:db8:5::20/128 &&
	ip -n "$HOST" link add link p0 name vb netns "$CNS" type virt
	check_err $? "cannot add va and vb"
	defer ip -n "$CNS" link del vb
	defer ip -n "$CNS" link del va
	ip netns exec "$CNS" sysctl -wq net.ipv6.conf.va.disable_ipv6=0 \
		net.ipv6.conf.vb.disable_ipv6=0
	check_err $? "cannot turn IPv6 on for va and vb"
	ip -n "$CNS" -b - <<-EOF
		addr add 203.0.113.20/24 dev va
		addr add 2001:db8:5::20/64 dev va nodad
	EOF
	check_err $? "va cannot take the addresses its list allows"
	addr_refused va 203.0.113.21/24 "outside the child's allow list"
	addr_refused va 2001:db8:5::21/64 "outside the child's allow list" nodad
	# The validator sees the peer's address; the local one is checked
	# when it comes up.
	ip -n "$CNS" addr add 203.0.113.22 peer 203.0.113.20 dev va
	check_err $? "cannot add a point-to-point address to va"
	# The IPv4 validator sees only the peer: it must be inside too.
	addr_refused va 203.0.113.20 "outside the child's allow list" \
		peer 203.0.113.1
	ip -n "$CNS" -b - <<-EOF
		addr add 203.0.113.21/24 dev vb
		addr add 2001:db8:5::21/64 dev vb nodad
		addr add 203.0.113.22/32 dev vb
	EOF
	check_err $? "vb cannot take addresses outside va's list"
	# The kernel's own link-local address for va is refused too; vb,
	# unguarded, gets its own in the same way.
	ip -n "$CNS" link set va up && ip -n "$CNS" link set vb up
	check_err $? "cannot bring va and vb up"
	slowwait 5 has_linklocal vb
	check_err $? "vb has no link-local address"
	out=$(ip -n "$CNS" -6 addr show dev va scope link)
	[ -z "$out" ]
	check_err $? "va has a link-local address outside its list: $out"
	log_test "allow list: a guarded child cannot claim a sibling's address"

	RET=0
	ip -n "$CNS" link set va type virt guard off
	check_err $? "cannot turn va's guard off"
	ip -n "$CNS" -b - <<-EOF
		addr add 203.0.113.23/24 dev va
		addr add 203.0.113.24/24 dev va
		addr add 2001:db8:5::23/64 dev va nodad
		addr add 2001:db8:5::24/64 dev va nodad
	EOF
	check_err $? "with its guard off, va cannot take addresses outside its list"
	ip -n "$CNS" link set va type virt guard on
	check_err $? "cannot turn va's guard on"
	ip -n "$CNS" -b - <<-EOF
		addr add 203.0.113.23/32 dev vb
		addr add 2001:db8:5::23/128 dev vb nodad
	EOF
	check_err $? "turning va's guard on left it 203.0.113.23 or 2001:db8:5::23"
	ip -n "$CNS" link set va type virt allow none
	check_err $? "cannot clear va's list"
	# Clearing va's list gave it back what it had.
	addr_refused vb 203.0.113.24/32 "in use by another child"
	addr_refused vb 2001:db8:5::24/128 "in use by another child" nodad
	# One list for another of the same length: .20 out, .24 in.
	ip -n "$CNS" link set va type virt allow 203.0.113.20/32 \
		allow 2001:db8:5::20/128 &&
	ip -n "$CNS" link set va type virt allow 203.0.113.24/32 \
		allow 2001:db8:5::24/128
	check_err $? "cannot change va's list"
	addr_refused vb 203.0.113.24/32 "in use by another child"
	addr_refused vb 2001:db8:5::24/128 "in use by another child" nodad
	ip -n "$CNS" -b - <<-EOF
		addr add 203.0.113.20/32 dev vb
		addr add 2001:db8:5::20/128 dev vb nodad
	EOF
	check_err $? "va's new list left it 203.0.113.20 or 2001:db8:5::20"
	log_test "allow list: the guard unsteers what the list excludes, and steers it back"
}

# --- modes ------------------------------------------------------------------

# excl_setup: virt0 gone (until the test ends), vx the only child of p0.
excl_setup()
{
	ip -n "$HOST" link del virt0 || return 1
	defer cfg_virt0
	cfg_child vx "$@"
}

test_exclusive_takes_all()
{
	local b a bh ah bp ap

	RET=0
	excl_setup mode exclusive
	check_err $? "cannot add an exclusive child"
	# The parent's VLAN device, which keeps its frames.
	ip -n "$HOST" -b - <<-EOF
		link add link p0 name p0.10 type vlan id 10
		addr add 198.18.0.1/24 dev p0.10
		link set p0.10 up
		neigh replace 198.18.0.2 dev p0.10 lladdr $PMAC nud permanent
	EOF
	check_err $? "cannot add p0.10"
	defer ip -n "$HOST" link del p0.10
	ip -n "$PEER" -b - <<-EOF
		link add link p1 name p1.10 type vlan id 10
		addr add 198.18.0.2/24 dev p1.10
		link set p1.10 up
		neigh replace 198.18.0.1 dev p1.10 lladdr $MAC nud permanent
	EOF
	check_err $? "cannot add p1.10"
	defer ip -n "$PEER" link del p1.10

	b=$(snap_dev "$CNS" vx)
	bh=$(snap_ip "$HOST")
	bp=$(snap_dev "$PEER" p1)
	virt_ping_none "$PEER" 192.0.2.1 5
	check_err $? "the parent answered with an exclusive child"
	echo x | ip netns exec "$PEER" socat -u - \
		UDP4-DATAGRAM:192.0.2.255:9,broadcast
	check_err $? "the peer cannot send a broadcast"
	a=$(snap_dev "$CNS" vx)
	ah=$(snap_ip "$HOST")
	ap=$(snap_dev "$PEER" p1)
	check_delta "$b" "$a" rx_packets 6 "vx"
	check_delta "$bh" "$ah" InReceives 0 "the parent's namespace"
	check_delta "$bp" "$ap" rx_packets 0 "the peer"
	log_test "exclusive: the child gets the parent's unicast and broadcast"

	RET=0
	b=$a
	virt_ping "$PEER" 203.0.113.5 3
	check_err $? "the exclusive child does not answer for its address"
	virt_ping "$PEER" 198.18.0.1 3
	check_err $? "the parent's VLAN device does not answer"
	a=$(snap_dev "$CNS" vx)
	check_delta "$b" "$a" rx_packets 3 "vx"
	check_delta "$b" "$a" tx_packets 3 "vx"
	log_test "exclusive: the child answers; the parent's VLAN keeps its frames"

	# VLAN 10 inside a priority tag (VID 0, PCP 5): the core finds p0.10
	# only after the parent's receive handler has seen the frame.
	RET=0
	b=$a
	bh=$(snap_dev "$HOST" p0.10)
	ip netns exec "$PEER" python3 - "$MAC" <<-'EOF'
		import socket, struct, sys
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
		s.bind(('p1', 0))
		with open('/sys/class/net/p1/address') as f:
		    src = bytes.fromhex(f.read().strip().replace(':', ''))
		dst = bytes.fromhex(sys.argv[1].replace(':', ''))
		icmp = struct.pack('!BBHHH', 8, 0, 0, 0x7669, 1) + b'virt' * 8
		c = sum(struct.unpack('!%dH' % (len(icmp) // 2), icmp))
		c = ~((c & 0xffff) + (c >> 16)) & 0xffff
		icmp = icmp[:2] + struct.pack('!H', c) + icmp[4:]
		ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0,
				 64, 1, 0, socket.inet_aton('198.18.0.2'),
				 socket.inet_aton('198.18.0.1'))
		c = sum(struct.unpack('!10H', ip))
		c = ~((c & 0xffff) + (c >> 16)) & 0xffff
		ip = ip[:10] + struct.pack('!H', c) + ip[12:]
		s.send(dst + src + struct.pack('!HHHH', 0x8100, 5 << 13,
						0x8100, 10) +
		       struct.pack('!H', 0x0800) + ip + icmp)
	EOF
	check_err $? "the peer cannot send the priority-tagged frame"
	a=$(snap_dev "$CNS" vx)
	ah=$(snap_dev "$HOST" p0.10)
	check_delta "$b" "$a" rx_packets 0 "vx"
	check_delta "$bh" "$ah" rx_packets 1 "p0.10"
	log_test "exclusive: VLAN 10 in a priority tag still reaches the parent's p0.10"
}

test_exclusive_rules()
{
	local out

	RET=0
	defer ip -n "$HOST" link set virt0 type virt mode shared
	out=$(ip -n "$HOST" link add link p0 name vx type virt mode exclusive 2>&1)
	check_fail $? "an exclusive child was added beside virt0"
	virt_err_has "$out" "virt: an exclusive child must be its parent's only child"
	check_err $? "refused creation said: $out"

	ip -n "$HOST" link add link p0 name virt1 type virt
	check_err $? "cannot add virt1"
	defer ip -n "$HOST" link del virt1 2>/dev/null
	out=$(ip -n "$HOST" link set virt0 type virt mode exclusive 2>&1)
	check_fail $? "virt0 became exclusive beside virt1"
	virt_err_has "$out" "virt: an exclusive child must be its parent's only child"
	check_err $? "refused switch said: $out"
	ip -n "$HOST" link del virt1

	ip -n "$HOST" link set virt0 type virt mode exclusive
	check_err $? "the only child cannot become exclusive"
	out=$(ip -n "$HOST" link add link p0 name virt1 type virt 2>&1)
	check_fail $? "a child was added beside an exclusive one"
	virt_err_has "$out" "virt: the parent has an exclusive child"
	check_err $? "refused creation said: $out"
	ip -n "$HOST" link set virt0 type virt mode shared
	check_err $? "cannot switch virt0 back to shared"
	ip -n "$HOST" link add link p0 name virt1 type virt
	check_err $? "cannot add virt1 once virt0 is shared again"
	log_test "exclusive: refused beside siblings, and siblings beside it"
}

# mode_flood CNS PEER CHILD DEV DST_MAC SRC_MAC COUNT: send COUNT UDP
# frames to 192.0.2.1 out of DEV in PEER while switching CHILD in CNS between
# exclusive and shared as fast as netlink goes; CHILD ends up shared.
# Prints "sent=N switches=M".
mode_flood()
{
	ip netns exec "$1" python3 - "$lib_dir" "${@:2}" <<'EOF'
import ctypes, os, socket, struct, sys, threading, time
sys.path.insert(0, sys.argv[1])
import virt_netlink as vn

peer, child, dev, dmac, smac, count = sys.argv[2:8]
count = int(count)
nl = vn.Netlink()                       # in the child's namespace
index = socket.if_nametoindex(child)
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(f'/run/netns/{peer}', os.O_RDONLY)
if libc.setns(fd, 0x40000000):          # CLONE_NEWNET
    raise OSError(ctypes.get_errno(), 'setns')
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((dev, 0))

data = b'virt-config flood'
l4 = struct.pack('!HHHH', 4242, 9, 8 + len(data), 0) + data
hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, 17, 0,
                  socket.inet_aton('192.0.2.2'), socket.inet_aton('192.0.2.1'))
s = sum(struct.unpack('!10H', hdr))
s = (s & 0xffff) + (s >> 16)
hdr = hdr[:10] + struct.pack('!H', ~s & 0xffff) + hdr[12:]
frame = (bytes.fromhex(dmac.replace(':', '')) +
         bytes.fromhex(smac.replace(':', '')) + b'\x08\x00' + hdr + l4)
sent = 0


def flood():
    global sent
    while sent < count:
        try:
            sock.send(frame)
            sent += 1
        except OSError:
            time.sleep(0.001)


def mode(m):
    r = nl.request(vn.RTM_NEWLINK, vn.NLM_F_ACK, vn.ifinfo(index) +
                   vn.linkinfo(data=vn.u32(1, m)))
    if r.error:
        raise OSError(r.error, f'mode {m}: {r.msg}')


t = threading.Thread(target=flood)
t.start()
switches, m = 0, 1
try:
    while t.is_alive():
        mode(m)
        switches += 1
        m ^= 1
        time.sleep(0.002)
finally:
    t.join()
    mode(0)
time.sleep(0.2)
print(f'sent={sent} switches={switches}')
EOF
}

test_mode_switch_flood()
{
	local n=4000 out bh ah bc ac bd ad host child sent switches

	RET=0
	excl_setup
	check_err $? "cannot add a shared child"
	bh=$(snap_ip "$HOST")
	bc=$(snap_ip "$CNS")
	bd=$(snap_dev "$HOST" p0)
	out=$(mode_flood "$CNS" "$PEER" vx p1 "$MAC" "$PMAC" "$n")
	check_err $? "the flood or a switch failed: $out"
	ah=$(snap_ip "$HOST")
	ac=$(snap_ip "$CNS")
	ad=$(snap_dev "$HOST" p0)
	sent=${out#*sent=}
	sent=${sent%% *}
	switches=${out##*switches=}
	kv_val "$bh" InReceives
	host=$VAL
	kv_val "$ah" InReceives
	host=$((VAL - host))
	kv_val "$bc" InReceives
	child=$VAL
	kv_val "$ac" InReceives
	child=$((VAL - child))
	log_info "$n frames, $switches switches: parent $host, child $child"
	[ "$sent" = "$n" ]
	check_err $? "sent $sent frames of $n"
	check_delta "$bd" "$ad" rx_packets "$n" "p0"
	check_delta "$bd" "$ad" rx_dropped 0 "p0"
	[ $((host + child)) -eq "$n" ]
	check_err $? "parent $host + child $child frames, not $n"
	[ "$host" -gt 0 ] && [ "$child" -gt 0 ] && [ "${switches:-0}" -ge 4 ]
	check_err $? "no switch happened during the flood"
	log_test "switching shared/exclusive live: each frame counted once"
}

# --- bad input --------------------------------------------------------------

# bad_input: the cases of test_bad_input, one "NAME|ok|DETAIL" or
# "NAME|fail|DETAIL" line each, then "done".
bad_input()
{
	ip netns exec "$HOST" python3 - "$lib_dir" <<'EOF'
import json, socket, struct, subprocess, sys
sys.path.insert(0, sys.argv[1])
import virt_netlink as vn

MODE, MARK, MASK, PRIO, FLAGS, PREFIXES = range(1, 7)
F_GUARD, F_PRIO = 1, 2
PREFIX = 1
IN, IN6, LEN = 1, 2, 3
NESTED = 0x8000
ONLY = "virt: an exclusive child must be its parent's only child"
HAS = 'virt: the parent has an exclusive child'
ANY = None
nl = vn.Netlink()
idx = {n: socket.if_nametoindex(n) for n in ('p0', 'q0', 'virt0')}


def u8(kind, value):
    return vn.nla(kind, bytes([value]))


def flags(value, selector):
    return vn.nla(FLAGS, struct.pack('=II', value, selector))


def prefixes(*entries, nested=NESTED):
    return vn.nla(PREFIXES | nested,
                  b''.join(vn.nla(PREFIX | nested, e) for e in entries))


def in4(a, b, c, d, plen=None):
    return vn.nla(IN, bytes([a, b, c, d])) + \
        (vn.u32(LEN, plen) if plen is not None else b'')


def in6(last, plen=None, size=16):
    ip = bytes.fromhex('20010db8') + bytes(size - 5) + bytes([last])
    return vn.nla(IN6, ip[:size]) + (vn.u32(LEN, plen) if plen is not None else b'')



def show(*dev):
    return subprocess.run(['ip', '-d', '-j', 'link', 'show', *dev],
                          capture_output=True, text=True, check=True).stdout


def change(*attrs, link=None):
    body = vn.ifinfo(idx['virt0'])
    if link:
        body += vn.u32(vn.IFLA_LINK, idx[link])
    return nl.request(vn.RTM_NEWLINK, vn.NLM_F_ACK,
                      body + vn.linkinfo(data=b''.join(attrs)))


def create(parent, *attrs):
    return nl.newlink(vn.ifinfo() + vn.ifname('vbad') +
                      vn.u32(vn.IFLA_LINK, idx[parent]) +
                      vn.linkinfo(data=b''.join(attrs)))


def ip(*args):
    return lambda: subprocess.run(['ip', *args], capture_output=True,
                                  text=True)


def differs(old, new):
    old = {ln['ifname']: ln for ln in json.loads(old)}
    new = {ln['ifname']: ln for ln in json.loads(new)}
    out = [f'+{n}' for n in new if n not in old]
    out += [f'-{n}' for n in old if n not in new]
    for n in old.keys() & new.keys():
        keys = [k for k in old[n].keys() | new[n].keys()
                if old[n].get(k) != new[n].get(k)]
        out += [f'{n}.{k}: {old[n].get(k)} -> {new[n].get(k)}'
                for k in keys]
    return '; '.join(out)


CASES = [
    ('mode 7', lambda: change(vn.u32(MODE, 7)), ANY),
    ('mode 7 at creation', lambda: create('p0', vn.u32(MODE, 7)), ANY),
    ('a flag virt does not know', lambda: change(flags(4, 4)), ANY),
    ('a flag virt does not know beside a valid mark',
     lambda: change(vn.u32(MARK, 0x20), flags(4 | F_GUARD, 4 | F_GUARD)),
     ANY),
    ('a flag set but not selected', lambda: change(flags(F_GUARD, 0)), ANY),
    ('flags of the wrong size',
     lambda: change(vn.u32(FLAGS, F_GUARD)), ANY),
    ('a mark of the wrong size',
     lambda: change(vn.nla(MARK, b'\x20\0')), ANY),
    ('a mode of the wrong size',
     lambda: change(vn.nla(MODE, b'\0' * 8)), ANY),
    ('a priority and flags that turn it off',
     lambda: change(vn.u32(PRIO, 3), flags(0, F_PRIO)),
     ['virt: a priority, and flags that turn it off']),
    ('17 guard prefixes',
     lambda: change(prefixes(*[in4(198, 51, 100, i) for i in range(17)])),
     ['virt: more than 16 guard prefixes']),
    ('an IPv4-mapped IPv6 prefix',
     lambda: change(prefixes(vn.nla(IN6, bytes(10) + b'\xff\xff' +
                                    bytes([192, 0, 2, 0])) + vn.u32(LEN, 120))),
     ['virt: an IPv4 prefix goes in IFLA_VIRT_PREFIX_ADDR4']),
    ('a guard prefix with no address',
     lambda: change(prefixes(vn.u32(LEN, 24))),
     ['virt: a guard prefix needs one IPv4 or one IPv6 address']),
    ('a guard prefix with two addresses',
     lambda: change(prefixes(in4(192, 0, 2, 1) + in6(1))),
     ['virt: a guard prefix needs one IPv4 or one IPv6 address']),
    ('an IPv4 prefix of 33 bits',
     lambda: change(prefixes(in4(192, 0, 2, 1, 33))),
     ['virt: the prefix is longer than its address']),
    ('an IPv6 prefix of 129 bits',
     lambda: change(prefixes(in6(1, 129))), ANY),
    ('a prefix with bits beyond its length',
     lambda: change(prefixes(in4(192, 0, 2, 1), in6(1, 64))),
     ['virt: the prefix has bits set beyond its length']),
    ('an IPv6 prefix of 8 bytes',
     lambda: change(prefixes(in6(0, 64, size=8))), ANY),
    ('guard prefixes without NLA_F_NESTED',
     lambda: change(prefixes(in4(192, 0, 2, 1), nested=0)), ANY),
    ('guard prefixes at creation, one bad',
     lambda: create('p0', prefixes(in4(192, 0, 2, 1), in4(192, 0, 2, 1, 8))),
     ['virt: the prefix has bits set beyond its length']),
    ('mark with bits outside its mask',
     lambda: change(vn.u32(MARK, 0x110), vn.u32(MASK, 0xff)),
     ['virt: the mark has bits outside its mask']),
    ('mark with bits outside its mask at creation',
     lambda: create('p0', vn.u32(MARK, 0x110), vn.u32(MASK, 0xff)),
     ['virt: the mark has bits outside its mask']),
    ('mask without a mark', lambda: change(vn.u32(MASK, 0xff)),
     ['virt: a mask needs a mark']),
    ('mask without a mark at creation',
     lambda: create('p0', vn.u32(MASK, 0xff)), ['virt: a mask needs a mark']),
    ('IFLA_LINK naming another parent',
     lambda: change(vn.u32(MARK, 0x20), link='q0'),
     ['virt: the parent cannot be changed']),
    ('exclusive (and a mark) beside a sibling',
     lambda: change(vn.u32(MODE, 1), vn.u32(MARK, 0x20)), [ONLY]),
    ('creating an exclusive child beside others',
     lambda: create('p0', vn.u32(MODE, 1)), [ONLY]),
    ('creating a child beside an exclusive one', lambda: create('q0'), [HAS]),
    ('creating an exclusive child beside an exclusive one',
     lambda: create('q0', vn.u32(MODE, 1)), [HAS, ONLY]),
    ('ip: unknown mode word at creation',
     ip('link', 'add', 'link', 'p0', 'name', 'vbad', 'type', 'virt', 'mode',
        'bogus'), ANY),
    ('ip: unknown mode word', ip('link', 'set', 'virt0', 'type', 'virt',
                                 'mode', 'bogus'), ANY),
    ('ip: mark with bits outside its mask',
     ip('link', 'set', 'virt0', 'type', 'virt', 'mark', '0x110/0xff'), ANY),
    ('ip: guard maybe', ip('link', 'set', 'virt0', 'type', 'virt', 'guard',
                           'maybe'), ANY),
    ('ip: allow none and a prefix',
     ip('link', 'set', 'virt0', 'type', 'virt', 'allow', '192.0.2.1',
        'allow', 'none'), ANY),
    ('ip: allow a prefix with bits beyond its length',
     ip('link', 'set', 'virt0', 'type', 'virt', 'allow', '192.0.2.1/24'),
     ANY),
]

before = show()
for name, run, msgs in CASES:
    fails, detail = [], ''
    r = run()
    if isinstance(r, subprocess.CompletedProcess):
        detail = r.stderr.strip().replace('\n', ' ')
        if r.returncode == 0:
            fails.append('ip accepted it')
    elif not r.error:
        fails.append('accepted')
    else:
        detail = f'errno {r.error}: {r.msg or "(no extack message)"}'
        if msgs is ANY and not r.msg:
            fails.append('no extack message')
        elif msgs and not any(m in r.msg for m in msgs):
            fails.append(f'expected "{msgs[0]}"')
    after = show()
    if after != before:
        fails.append(f'ip -d -j link show changed: {differs(before, after)}')
        if 'vbad' in after:
            subprocess.run(['ip', 'link', 'del', 'vbad'])
        before = show()
    print(f'{name}|{"fail" if fails else "ok"}|'
          f'{"; ".join(fails + [detail]) if fails else detail}', flush=True)

# The same parent named again is no change of parent.
r = change(vn.u32(MARK, 0x30), link='p0')
data = json.loads(show('virt0'))[0]['linkinfo'].get('info_data', {})
ok = (not r.error and data.get('mark') == 0x30 and
      data.get('mask') == 0xffffffff)
print(f'IFLA_LINK naming the same parent is accepted|{"ok" if ok else "fail"}|'
      f'errno {r.error}: {r.msg}; info_data {data}')
print('done')
EOF
}

test_bad_input()
{
	local out name verdict detail n=0

	RET=0
	ip -n "$HOST" -b - <<-EOF
		link set virt0 type virt mark 0x10/0xff priority 6 guard on
		link add link p0 name virt1 type virt
		link add q0 type veth peer name q1
		link add link q0 name vq type virt mode exclusive
	EOF
	check_err $? "cannot set up the bad input cases"
	defer ip -n "$HOST" link set virt0 type virt mode shared mark 0/0 \
		priority none guard off
	defer ip -n "$HOST" link del q0
	defer ip -n "$HOST" link del virt1
	log_test "bad input: setup"

	out=$(bad_input 2>&1)
	while IFS='|' read -r name verdict detail; do
		[ "$name" = "done" ] && break
		RET=0
		n=$((n + 1))
		[ "$verdict" = ok ]
		check_err $? "$detail"
		log_test "bad input: $name"
		[ "$verdict" = ok ] && log_info "$detail"
	done <<<"$out"
	RET=0
	[[ "$out" == *$'\ndone'* ]]
	check_err $? "the cases did not all run: $(tail -n 3 <<<"$out")"
	log_test "bad input: all $n cases ran"
}

# --- who may change a child -------------------------------------------------

# A container in a user namespace of its own holds CAP_NET_ADMIN over its
# network namespace only: it may use its child but not lift its guard.
test_userns_locked()
{
	local pid out i

	if ! unshare --user --map-root-user true 2>/dev/null; then
		log_test_skip "settings: a user-namespace container cannot lift its guard" \
			"no user namespaces (CONFIG_USER_NS)"
		return
	fi
	RET=0
	ip -n "$HOST" link add link p0 name vu type virt guard on \
		allow 203.0.113.9
	check_err $? "cannot add a guarded child"
	unshare --user --map-root-user --net sleep 120 &
	pid=$!
	defer kill "$pid"
	# Ready once unshare has written the mapping and exec'd sleep.
	for ((i = 0; i < 100; i++)); do
		[[ "$(readlink "/proc/$pid/exe")" == */sleep ]] && break
		sleep 0.1
	done
	# (proc files have no size: test the contents)
	grep -q . "/proc/$pid/uid_map"
	check_err $? "the user namespace did not come up"
	ip -n "$HOST" link set vu netns "$pid"
	check_err $? "cannot move the child into the container"

	out=$(nsenter -t "$pid" -U -n ip link set vu type virt guard off 2>&1)
	check_fail $? "the container changed its child's guard"
	[[ "$out" == *"CAP_NET_ADMIN in its parent's namespace"* ]]
	check_err $? "no extack message naming the capability: $out"
	out=$(nsenter -t "$pid" -U -n ip link set vu type virt allow none 2>&1)
	check_fail $? "the container cleared its child's allow list"
	[[ "$out" == *"CAP_NET_ADMIN in its parent's namespace"* ]]
	check_err $? "no extack message naming the capability: $out"
	out=$(nsenter -t "$pid" -U -n ip link set vu type virt \
		allow 192.0.2.1 2>&1)
	check_fail $? "the container changed its child's allow list"
	out=$(nsenter -t "$pid" -n ip -j -d link show vu)
	[[ "$out" == *'"guard":true'* ]]
	check_err $? "the guard is no longer on: $out"
	[[ "$out" == *'"allow":["203.0.113.9/32"]'* ]]
	check_err $? "the allow list changed: $out"
	nsenter -t "$pid" -U -n ip link set vu up
	check_err $? "the container cannot bring its child up"
	# The host, entering only the network namespace, still can.
	nsenter -t "$pid" -n ip link set vu type virt guard off
	check_err $? "the host cannot change the child's guard"
	out=$(nsenter -t "$pid" -n ip -j -d link show vu)
	[[ "$out" == *'"guard":false'* ]]
	check_err $? "the host's change did not take: $out"
	log_test "settings: a user-namespace container cannot lift its guard"
}

cfg_setup
tests_run
exit "$EXIT_STATUS"
