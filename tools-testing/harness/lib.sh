#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared by the harness scripts: progress lines with elapsed time.

: "${VIRT_T0:=$(date +%s)}"
export VIRT_T0

step()
{
	local t=$(( $(date +%s) - VIRT_T0 ))

	printf '[%02d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*"
}

die()
{
	echo "error: $*" >&2
	exit 1
}
