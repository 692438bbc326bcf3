#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Raw rtnetlink requests, not only what ip(8) sends: every bad one is
# refused with an errno and an extack message and changes nothing.
# virt_netlink.py holds the table of cases.

# shellcheck source=virt_lib.sh
source "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/virt_lib.sh"

ONS=""

virt_setup
setup_ns ONS || exit "$ksft_skip"
ip -n "$ONS" link add o0 type veth peer name o1
ip netns exec "$HOST" python3 "$lib_dir/virt_netlink.py" p0 "$ONS"
rc=$?
cleanup_ns "$ONS"
exit "$rc"
