#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side: run every TEST_PROGS script of one selftest directory, the
# way the kselftest runner would, and print TAP-like lines per script.
#
# Usage: run-selftests.sh DIR [TIMEOUT_S]
set -uo pipefail

dir=$1 timeout_s=${2:-600}
mapfile -t progs < <(sed -n '/^TEST_PROGS/,/^# end of TEST_PROGS/{s/\\$//;s/^\t//p}' \
			"$dir/Makefile" | grep '\.sh' | tr -d ' ')

echo "TAP version 13"
echo "1..${#progs[@]}"
n=0 rc_all=0
for prog in "${progs[@]}"; do
	n=$((n + 1))
	echo "# selftests: $prog"
	timeout --kill-after=10 "$timeout_s" "$dir/$prog" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	case $rc in
	0) echo "ok $n $prog" ;;
	4) echo "ok $n $prog # SKIP" ; rc_all=1 ;;
	*) echo "not ok $n $prog # exit=$rc" ; rc_all=1 ;;
	esac
done
exit $rc_all
