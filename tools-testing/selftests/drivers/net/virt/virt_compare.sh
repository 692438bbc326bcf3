#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run virt_local.sh with virt children and, at the same time, its
# namespace scenarios with ipvlan l2 children; print virt's results, then
# both side by side. The exit status is virt_local.sh's with virt.

dir=$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")
ksft_skip=4

# verdicts FILE: "description<TAB>OK|FAIL|SKIP" for each test in FILE.
verdicts()
{
	sed -n 's/^TEST: \(.*[^ ]\)  *\[ *\([A-Z]*\) *\]$/\1\t\2/p' "$1"
}

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

# ipvlan's side fails on purpose in several scenarios, each failure waiting
# for a timeout; it is only a comparison, so it gets a bounded time of its
# own and the table shows what it finished.
VIRT_KIND=ipvlan timeout --kill-after=10 "${VIRT_COMPARE_SECS:-400}" \
	"$dir/virt_local.sh" >"$tmpd/ipvlan" 2>&1 &
ipvlan_pid=$!
VIRT_KIND=virt "$dir/virt_local.sh" >"$tmpd/virt" 2>&1
rc=$?
wait "$ipvlan_pid"
cat "$tmpd/virt"

if [ "$rc" = "$ksft_skip" ] || ! grep -q . <(verdicts "$tmpd/ipvlan"); then
	echo "No ipvlan results to compare with"
	exit "$rc"
fi

echo
printf '%-60s %-6s %s\n' "Scenario" "virt" "ipvlan l2"
while IFS=$'\t' read -r name verdict; do
	mine=$(awk -F '\t' -v n="$name" '$1 == n { print $2 }' \
		<(verdicts "$tmpd/virt"))
	printf '%-60s %-6s %s\n' "$name" "${mine:-n/a}" "$verdict"
done < <(verdicts "$tmpd/ipvlan")
exit "$rc"
