#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the function of each netfilter egress hook of a device, one per
line, as the kernel's hook dump (nfnetlink_hook) names them.

Usage: virt_hooks.py DEV
"""

import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_HOOK = 12
NFNL_MSG_HOOK_GET = 0
NFPROTO_NETDEV = 5
NF_NETDEV_EGRESS = 1
NFNLA_HOOK_HOOKNUM = 1
NFNLA_HOOK_DEV = 3
NFNLA_HOOK_FUNCTION_NAME = 4
NLA_TYPE_MASK = 0x3fff
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSG_HDR = struct.Struct('=IHHII')


def align(n):
    return (n + 3) & ~3


def attr(kind, payload):
    return (struct.pack('=HH', 4 + len(payload), kind) + payload +
            b'\0' * (align(len(payload)) - len(payload)))


def request(dev):
    body = struct.pack('=BBH', NFPROTO_NETDEV, 0, 0)
    body += attr(NFNLA_HOOK_HOOKNUM, struct.pack('!I', NF_NETDEV_EGRESS))
    body += attr(NFNLA_HOOK_DEV, dev.encode() + b'\0')
    kind = (NFNL_SUBSYS_HOOK << 8) | NFNL_MSG_HOOK_GET
    return NLMSG_HDR.pack(NLMSG_HDR.size + len(body), kind,
                          NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body


def functions(msg):
    pos = NLMSG_HDR.size + 4    # past struct nfgenmsg
    while pos + 4 <= len(msg):
        length, kind = struct.unpack_from('=HH', msg, pos)
        if length < 4:
            break
        if kind & NLA_TYPE_MASK == NFNLA_HOOK_FUNCTION_NAME:
            yield msg[pos + 4:pos + length].rstrip(b'\0').decode()
        pos += align(length)


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                         NETLINK_NETFILTER)
    sock.send(request(sys.argv[1]))
    while True:
        data = sock.recv(65536)
        off = 0
        while off + NLMSG_HDR.size <= len(data):
            length, kind = NLMSG_HDR.unpack_from(data, off)[:2]
            if kind == NLMSG_DONE:
                return 0
            if kind == NLMSG_ERROR:
                err, = struct.unpack_from('=i', data, off + NLMSG_HDR.size)
                if err:
                    print(os.strerror(-err), file=sys.stderr)
                    return 1
            else:
                for name in functions(data[off:off + length]):
                    print(name)
            off += align(length)


if __name__ == '__main__':
    sys.exit(main())
