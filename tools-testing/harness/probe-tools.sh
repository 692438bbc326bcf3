#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every tool the checks and the guest use once, on a known-good input,
# so that a missing or broken install is reported as "tool X is not usable:
# install package Y" instead of failing three levels down a kernel make.
#
# Prints one "ok   NAME" or "FAIL NAME: ..." line per tool; exits 1 if any
# tool fails.
set -uo pipefail

here=$(dirname "$(readlink -e "$0")")
# shellcheck source=lib.sh
source "$here/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

cat >t.c <<'EOF'
int virt_probe(int x);
int virt_probe(int x) { return x + 1; }
EOF
# The kernel's semantic patches embed Python and OCaml scripts: spatch
# loads libpython3.X.so (from libpython3-dev) for the former and compiles
# the latter with ocamlfind and ocamlopt at start-up.
cat >t.cocci <<'EOF'
@r@
identifier f;
@@
int f(...) { ... }

@script:python depends on r@
f << r.f;
@@
print("python " + f)

@script:ocaml depends on r@
f << r.f;
@@
Printf.printf "ocaml %s\n" f
EOF
# shellcheck disable=SC2016 # the script's $1, not ours
printf '#!/bin/bash\necho "$1"\n' >t.sh
printf 'Title\n=====\n\nText.\n' >t.rst

bad=0
# probe NAME PACKAGE COMMAND...
probe()
{
	local name=$1 pkg=$2

	shift 2
	if "$@" >out.log 2>&1; then
		printf 'ok   %s\n' "$name"
	else
		printf 'FAIL %s: tool %s is not usable: install package %s\n' \
			"$name" "$name" "$pkg"
		sed 's/^/     | /' out.log | tail -n 5
		bad=1
	fi
}

probe gcc build-essential gcc -c t.c -o t.o
probe make make make --version
probe ccache ccache ccache gcc -c t.c -o t2.o
probe bc bc sh -c 'echo 1+1 | bc'
probe flex flex flex --version
probe bison bison bison --version
probe git git git --version
probe perl perl perl -e 1
probe python3-git+ply "python3-git python3-ply" python3 -c 'import git, ply'
probe sparse sparse sparse t.c
probe spatch "coccinelle ocaml libpython3-dev" sh -c \
	'spatch --very-quiet --sp-file t.cocci t.c >sp.out &&
	 grep -qx "python virt_probe" sp.out && grep -qx "ocaml virt_probe" sp.out'
probe shellcheck shellcheck shellcheck t.sh
probe docutils python3-docutils python3 -m docutils --halt=warning t.rst t.html
probe qemu qemu-system-x86 qemu-system-x86_64 -machine none -display none \
	-nic none -nodefaults -S -no-reboot -version
for t in ip:iproute2 ethtool:ethtool tcpdump:tcpdump socat:socat \
	 ping:iputils-ping modprobe:kmod sysctl:procps nft:nftables; do
	probe "${t%%:*}" "${t#*:}" sh -c "command -v ${t%%:*}"
done

exit $bad
