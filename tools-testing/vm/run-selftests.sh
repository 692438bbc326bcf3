#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side: run the TEST_PROGS scripts of one selftest directory, the
# way the kselftest runner would, and print TAP-like lines per script.
#   --only=A,B    run only these of TEST_PROGS
#   --skip=A,B    run all of TEST_PROGS but these
#   PROG=WRAPPER  run WRAPPER, a script of the same directory that runs
#                 PROG itself, in PROG's place
#
# Usage: run-selftests.sh DIR [TIMEOUT_S [OPTION...]]
set -uo pipefail

dir=$1 timeout_s=${2:-600}
shift $(($# < 2 ? $# : 2))
mapfile -t all < <(sed -n '/^TEST_PROGS/,/^# end of TEST_PROGS/{s/\\$//;s/^\t//p}' \
			"$dir/Makefile" | grep '\.sh' | tr -d ' ')
only="" skip=""
for arg in "$@"; do
	case "$arg" in
	--only=*) only=",${arg#--only=}," ;;
	--skip=*) skip=",${arg#--skip=}," ;;
	esac
done
# A name in --only that the Makefile does not list is a mistake, not a pass.
for want in ${only//,/ }; do
	[[ " ${all[*]} " == *" $want "* ]] ||
		{ echo "run-selftests: $want is not in TEST_PROGS" >&2; exit 2; }
done
progs=()
for prog in "${all[@]}"; do
	[ -n "$only" ] && [[ "$only" != *",$prog,"* ]] && continue
	[[ "$skip" == *",$prog,"* ]] && continue
	for arg in "$@"; do
		[ "${arg%%=*}" = "$prog" ] && prog=${arg#*=}
	done
	progs+=("$prog")
done

echo "TAP version 13"
echo "1..${#progs[@]}"
echo "# ip: $(command -v ip) ($(ip -V))"
n=0 rc_all=0
for prog in "${progs[@]}"; do
	n=$((n + 1))
	echo "# selftests: $prog"
	t0=$SECONDS
	timeout --kill-after=10 "$timeout_s" "$dir/$prog" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "# elapsed: $prog $((SECONDS - t0)) s"
	case $rc in
	0) echo "ok $n $prog" ;;
	4) echo "ok $n $prog # SKIP" ; rc_all=1 ;;
	*) echo "not ok $n $prog # exit=$rc" ; rc_all=1 ;;
	esac
done
exit $rc_all
