#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virt's configuration through the kernel's own YNL tooling: the link-info
# attributes in Documentation/netlink/specs/rt-link.yaml, sent and read
# back by tools/net/ynl/pyynl/cli.py. A child is created with every
# attribute set, dumped, changed live, dumped again; bad values are
# refused with the kernel's extack message, which cli.py prints, and the
# attribute it names is decoded through the spec.

# Test functions are called through tests_run.
# shellcheck disable=SC2317

ALL_TESTS="
	test_spec_validates
	test_create
	test_change
	test_refused
	test_clear
"

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

# The kernel tree these selftests run from: drivers/net/virt is six levels
# below its root.
KSRC=$(readlink -e "$lib_dir/../../../../../..")
CLI=$KSRC/tools/net/ynl/pyynl/cli.py
SPEC=$KSRC/Documentation/netlink/specs/rt-link.yaml

# ynl ARGS...: cli.py on rt-link in $HOST. The schema is checked once, by
# test_spec_validates; under TCG every validation costs seconds.
ynl()
{
	ip netns exec "$HOST" python3 "$CLI" --spec "$SPEC" --no-schema "$@"
}

# ynl_set JSON [FLAG...]: an RTM_NEWLINK for virt1 carrying the virt
# link-info data JSON (and IFLA_LINK, the parent, when creating).
ynl_set()
{
	local data=$1 link=""

	shift
	[ $# -gt 0 ] && link=",\"link\": $(virt_sysfs "$HOST" p0 ifindex)"
	ynl --do newlink "$@" --json "{\"ifname\": \"virt1\"$link,
		\"linkinfo\": {\"kind\": \"virt\", \"data\": $data}}"
}

# What test_change makes of virt1, which test_refused must leave alone
CHANGED="virt mode=shared mark=32 mask=4294967295 priority=- flags=-"
CHANGED+=" prefixes=198.51.100.7/32,2001:db8:1::/64"

# ynl_info NAME: "KIND mode=M mark=N mask=N priority=N flags=F,.. prefixes=P,.."
# of NAME from a getlink dump; "-" for an attribute the kernel did not send
# or an empty set of flags.
ynl_info()
{
	ynl --dump getlink --output-json | python3 -c '
import json, sys
for link in json.load(sys.stdin):
    if link.get("ifname") != sys.argv[1]:
        continue
    info = link.get("linkinfo", {})
    data = info.get("data", {})
    flags = data.get("flags", {})
    if flags.get("selector"):
        data["flags"] = ",".join(sorted(flags.get("value"))) or "-"
    prefixes = data.get("allow", {}).get("prefix", [])
    if prefixes:
        data["prefixes"] = ",".join("%s/%s" % (p.get("addr4", p.get("addr6")),
                                               p.get("len")) for p in prefixes)
    print(info.get("kind"), " ".join("%s=%s" % (k, data.get(k, "-")) for k in
          ("mode", "mark", "mask", "priority", "flags", "prefixes")))
' "$1"
}

# info_is NAME EXPECTED WHAT: ynl_info NAME prints EXPECTED.
info_is()
{
	local got

	got=$(ynl_info "$1")
	[ "$got" = "$2" ]
	check_err $? "$3: expected \"$2\", got \"$got\""
}

test_spec_validates()
{
	local out

	RET=0
	out=$(python3 "$CLI" --spec "$SPEC" --validate 2>&1)
	check_err $? "rt-link.yaml does not validate: $out"
	log_test "rt-link.yaml validates against the netlink-raw schema"
}

test_create()
{
	local out want

	RET=0
	# A priority turns its flag on by itself.
	out=$(ynl_set '{"mode": "exclusive", "mark": 16, "mask": 255,
		"priority": 6,
		"flags": {"value": ["guard"], "selector": ["guard"]},
		"allow": {"prefix": [{"addr4": "192.0.2.0", "len": 24}]}}' \
		--create --excl 2>&1)
	check_err $? "cli.py newlink failed: $out"
	want="virt mode=exclusive mark=16 mask=255 priority=6"
	want+=" flags=guard,priority prefixes=192.0.2.0/24"
	info_is virt1 "$want" "after creation"
	virt_sysfs_is "$HOST" virt1 address "$(virt_sysfs "$HOST" p0 address)"
	check_err $? "virt1 does not use p0's MAC address"
	log_test "ynl: create a child with mode, mark/mask, priority, flags, prefixes"
}

test_change()
{
	local out

	RET=0
	# Live: exclusive to shared, a mark without a mask (all 32 bits
	# stamped), no more priority, guard off, two other prefixes (the
	# default length of an address is all of it).
	out=$(ynl_set '{"mode": "shared", "mark": 32,
		"flags": {"value": [], "selector": ["guard", "priority"]},
		"allow": {"prefix": [{"addr4": "198.51.100.7"},
			{"addr6": "2001:db8:1::", "len": 64}]}}' 2>&1)
	check_err $? "cli.py newlink (change) failed: $out"
	info_is virt1 "$CHANGED" "after the change"
	log_test "ynl: change every attribute of a live child"
}

# refused WHAT DATA TEXT...: a change carrying DATA fails and cli.py
# prints every TEXT: the extack message, and the attribute the kernel
# pointed at, decoded through the spec.
refused()
{
	local what=$1 data=$2 out text

	shift 2
	out=$(ynl_set "$data" 2>&1)
	check_fail $? "$what was accepted"
	for text in "$@"; do
		virt_err_has "$out" "$text"
		check_err $? "$what: expected \"$text\", got \"$out\""
	done
}

test_refused()
{
	RET=0
	# Each cli.py run costs seconds under TCG: two refusals by the
	# policy, two by virt itself. Each asks for the guard too, which
	# must not stick. (cli.py cannot yet name an attribute inside a nest
	# of a sub-message, a bad guard prefix say: virt_config.sh checks
	# those refusals.)
	refused "mode 2" '{"mode": 2, "flags": {"value": 1, "selector": 1}}' \
		"integer out of range" "linkinfo.data(virt).mode"
	refused "an unknown flag" '{"flags": {"value": 5, "selector": 5}}' \
		"linkinfo.data(virt).flags"
	refused "mask without mark" \
		'{"mask": 255, "flags": {"value": 1, "selector": 1}}' \
		"virt: a mask needs a mark" "linkinfo.data(virt).mask"
	refused "a priority with its flag off" \
		'{"priority": 1, "flags": {"value": 1, "selector": 3}}' \
		"virt: a priority, and flags that turn it off" \
		"linkinfo.data(virt).flags"
	info_is virt1 "$CHANGED" "after the refusals"
	log_test "ynl: refuse bad values with the extack message, change nothing"
}

test_clear()
{
	local out

	RET=0
	# Mask 0 turns the colouring off, an empty list the prefixes.
	out=$(ynl_set '{"mark": 0, "mask": 0, "priority": 7,
		"flags": {"value": ["guard"], "selector": ["guard"]},
		"allow": {}}' 2>&1)
	check_err $? "cli.py newlink (clear) failed: $out"
	info_is virt1 "virt mode=shared mark=0 mask=0 priority=7 flags=guard,priority prefixes=-" \
		"after clearing the mark and the prefixes"
	log_test "ynl: clear mark/mask with mask 0 and the prefixes, set a priority"
}

if [ ! -f "$CLI" ] || [ ! -f "$SPEC" ]; then
	echo "SKIP: no kernel tree with tools/net/ynl at $KSRC"
	exit "$ksft_skip"
fi
if ! python3 -c 'import yaml, jsonschema' 2>/dev/null; then
	echo "SKIP: python3 yaml and jsonschema are needed"
	exit "$ksft_skip"
fi
virt_require
setup_ns HOST PEER || exit "$ksft_skip"
trap virt_cleanup EXIT
ip link add p0 netns "$HOST" type veth peer name p1 netns "$PEER"
ip -n "$HOST" link set p0 up
ip -n "$PEER" link set p1 up

tests_run
exit "$EXIT_STATUS"
