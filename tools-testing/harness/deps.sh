#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the project needs; quiet when all are there.
# Then run every tool once (probe-tools.sh) and fail, naming the package,
# if one is not usable; --no-probe leaves that to the caller (make check
# reports each tool as a check of its own).
set -euo pipefail

pkgs=(
	# kernel build
	bc bison build-essential ccache cpio flex git libelf-dev libssl-dev
	python3 xz-utils
	# ip(8) with the iproute2 series (bison, flex, libelf-dev: above);
	# libmnl-dev lets ip print the kernel's extack messages
	libmnl-dev pkg-config
	# static checks
	coccinelle libpython3-dev ocaml perl python3-docutils python3-git
	python3-ply shellcheck
	sparse
	# YNL: virt_ynl.sh runs the kernel's tools/net/ynl/pyynl/cli.py
	python3-jsonschema python3-yaml
	# the guest: QEMU, and the tools the tests run from the host's root
	ethtool iproute2 iputils-ping kmod nftables procps qemu-system-x86 socat
	tcpdump
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	     grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -qq update
	apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "${1:-}" = --no-probe ] && exit 0

# Installed is not usable: run each tool once. Quiet when all work.
here=$(dirname "$(readlink -e "$0")")
if ! out=$("$here/probe-tools.sh"); then
	grep -v '^ok ' <<<"$out" >&2
	exit 1
fi
