#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send virt raw RTM_NEWLINK requests built by hand, many of which ip(8)
never sends. Each bad one must be refused with an errno (and, where the
case says so, an extack message) and leave the links of both namespaces
as they were; one that the kernel may accept must be undone cleanly.

Usage: ip netns exec NS virt_netlink.py PARENT OTHER_NS

PARENT is a veth in NS; OTHER_NS (/run/netns/OTHER_NS) holds the veth o0.
The script adds the veth pair nlv0 (here) / nlv1 (in OTHER_NS) and vnl0, a
virt child of nlv0, and deletes them at the end; it gives OTHER_NS an nsid
here if it has none. Exits 0 if every case passes, 1 if not, 4 (skip) if
there is no virt link kind.
"""

import errno
import os
import socket
import struct
import sys
from typing import NamedTuple

SOL_NETLINK = 270
NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK = 11, 12
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200     # in an NLMSG_ERROR
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWNSID, RTM_GETNSID = 88, 90
NETNSA_NSID, NETNSA_FD = 1, 3
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK = 1, 3, 4, 5
IFLA_LINKINFO, IFLA_NET_NS_FD, IFLA_LINK_NETNSID = 18, 28, 37
IFLA_TARGET_NETNSID = 46
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
VETH_INFO_PEER = 1
NLA_TYPE_MASK = 0x3fff
NLMSG = struct.Struct('=IHHII')
IFINFO = struct.Struct('=BxHiII')
KSFT_SKIP = 4
ANY = 'any'             # the kernel may accept it: then it must be undone
VBAD, VCHILD, VETH0, VETH1 = 'vbad', 'vnl0', 'nlv0', 'nlv1'


def align(n):
    return (n + 3) & ~3


def nla(kind, payload=b''):
    return (struct.pack('=HH', 4 + len(payload), kind) + payload +
            b'\0' * (align(len(payload)) - len(payload)))


def attrs(data, pos=0):
    """(type, payload) of each attribute in data from pos on."""
    while pos + 4 <= len(data):
        length, kind = struct.unpack_from('=HH', data, pos)
        if length < 4 or pos + length > len(data):
            return
        yield kind & NLA_TYPE_MASK, data[pos + 4:pos + length]
        pos += align(length)


def u32(kind, value):
    return nla(kind, struct.pack('=I', value))


def s32(kind, value):
    return nla(kind, struct.pack('=i', value))


def ifname(name):
    return nla(IFLA_IFNAME, name.encode() + b'\0')


def linkinfo(kind=b'virt\0', data=None):
    body = nla(IFLA_INFO_KIND, kind)
    if data is not None:
        body += nla(IFLA_INFO_DATA, data)
    return nla(IFLA_LINKINFO, body)


def ifinfo(index=0):
    return IFINFO.pack(socket.AF_UNSPEC, 0, index, 0, 0)


class Reply(NamedTuple):
    error: int          # 0, or the positive errno
    msg: str            # extack message, '' if none
    offs: int           # offset of the attribute blamed, -1 if none
    payloads: list      # messages before the ack (dumps, RTM_GETNSID)


class Link(NamedTuple):
    index: int
    name: str
    kind: str
    mtu: int


class Netlink:
    """A NETLINK_ROUTE socket with extended acks and strict checking."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  socket.NETLINK_ROUTE)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
        self.sock.bind((0, 0))
        self.seq = 0

    def request(self, kind, flags, body):
        self.seq += 1
        self.sock.send(NLMSG.pack(NLMSG.size + len(body), kind,
                                  NLM_F_REQUEST | flags, self.seq, 0) + body)
        payloads = []
        while True:
            data, pos = self.sock.recv(1 << 20), 0
            while pos + NLMSG.size <= len(data):
                length, mtype, mflags, seq = NLMSG.unpack_from(data, pos)[:4]
                if length < NLMSG.size:
                    raise OSError(errno.EBADMSG, 'short netlink message')
                payload = data[pos + NLMSG.size:pos + length]
                pos += align(length)
                if seq != self.seq:
                    continue
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    return self.ack(mtype, mflags, payload, payloads)
                payloads.append(payload)

    @staticmethod
    def ack(mtype, flags, payload, payloads):
        error, = struct.unpack_from('=i', payload)
        pos = 4                                 # NLMSG_DONE: error, TLVs
        if mtype == NLMSG_ERROR:
            # struct nlmsgerr: the error and the request's header, then,
            # unless capped, the rest of the request; the TLVs follow.
            if flags & NLM_F_CAPPED:
                pos += NLMSG.size
            else:
                pos += align(NLMSG.unpack_from(payload, 4)[0])
        msg, offs = '', -1
        if flags & NLM_F_ACK_TLVS:
            for kind, value in attrs(payload, pos):
                if kind == NLMSGERR_ATTR_MSG:
                    msg = value.rstrip(b'\0').decode(errors='replace')
                elif kind == NLMSGERR_ATTR_OFFS:
                    offs, = struct.unpack('=I', value)
        return Reply(-error, msg, offs, payloads)

    def links(self, nsid=None):
        """{name: Link} of this netns, or of the one known here as nsid."""
        body = ifinfo()
        if nsid is not None:
            body += s32(IFLA_TARGET_NETNSID, nsid)
        reply = self.request(RTM_GETLINK, NLM_F_DUMP, body)
        if reply.error:
            raise OSError(reply.error, f'link dump: {reply.msg}')
        links = {}
        for payload in reply.payloads:
            tb = dict(attrs(payload, IFINFO.size))
            info = dict(attrs(tb.get(IFLA_LINKINFO, b'')))
            name = tb[IFLA_IFNAME].rstrip(b'\0').decode()
            links[name] = Link(IFINFO.unpack_from(payload)[2], name,
                               info.get(IFLA_INFO_KIND, b'').rstrip(b'\0')
                               .decode(), *struct.unpack('=I', tb[IFLA_MTU]))
        return links

    def newlink(self, body):
        return self.request(RTM_NEWLINK,
                            NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, body)

    def dellink(self, name, nsid=None):
        body = ifinfo() + ifname(name)
        if nsid is not None:
            body += s32(IFLA_TARGET_NETNSID, nsid)
        return self.request(RTM_DELLINK, NLM_F_ACK, body)

    def nsid(self, fd):
        """The id of the netns behind fd here; assigns one if it has none."""
        query = struct.pack('=Bxxx', socket.AF_UNSPEC) + u32(NETNSA_FD, fd)
        for _ in range(2):
            reply = self.request(RTM_GETNSID, NLM_F_ACK, query)
            for payload in reply.payloads:
                value = dict(attrs(payload, 4)).get(NETNSA_NSID)
                if value and struct.unpack('=i', value)[0] >= 0:
                    return struct.unpack('=i', value)[0]
            self.request(RTM_NEWNSID, NLM_F_ACK, query + s32(NETNSA_NSID, -1))
        raise OSError(errno.ENOENT, f'no nsid: {reply.msg}')


class Env(NamedTuple):
    parent: int         # PARENT's ifindex
    mtu: int            # PARENT's MTU
    lo: int
    vchild: int         # vnl0, a virt child of nlv0
    o0: int             # o0's ifindex in OTHER_NS
    foreign: int        # nlv1's ifindex in OTHER_NS, unused here
    missing: int        # an ifindex unused in either netns
    nsid: int           # OTHER_NS's id here
    nsfd: int           # open on /run/netns/OTHER_NS
    nullfd: int         # open on /dev/null


class Case(NamedTuple):
    name: str
    body: bytes         # the attributes after struct ifinfomsg
    expect: str         # errno name, or ANY
    need_msg: bool      # a refusal must carry an extack message


def cases(e):
    def req(*extra, link=e.parent, name=VBAD, info=linkinfo()):
        """A valid request for a child of PARENT, but for what is given."""
        if isinstance(link, int):
            link = u32(IFLA_LINK, link)
        return ifname(name) + link + b''.join(extra) + info

    mac = bytes.fromhex('020000000001')
    return [
        Case('no IFLA_LINK', req(link=b''), 'EINVAL', True),
        Case('IFLA_LINK to a nonexistent ifindex', req(link=e.missing),
             'ENODEV', True),
        Case('IFLA_LINK as a u16',
             req(link=nla(IFLA_LINK, struct.pack('=H', e.parent))),
             'ERANGE', True),
        Case('IFLA_LINK as a u64 (read as its low u32)',
             req(link=nla(IFLA_LINK, struct.pack('=Q', e.parent))),
             ANY, False),
        Case('IFLA_LINK empty', req(link=nla(IFLA_LINK)), 'ERANGE', True),
        Case('IFLA_LINK to lo', req(link=e.lo), 'EINVAL', True),
        Case('IFLA_LINK to a virt child', req(link=e.vchild), 'EINVAL', True),
        Case('IFLA_LINK to another netns, no IFLA_LINK_NETNSID',
             req(link=e.foreign), 'ENODEV', True),
        Case('the same, child into that netns by IFLA_NET_NS_FD',
             req(u32(IFLA_NET_NS_FD, e.nsfd), link=e.foreign), 'ENODEV', True),
        Case('IFLA_LINK_NETNSID unknown',
             req(s32(IFLA_LINK_NETNSID, 0x7fffffff), link=e.o0),
             'EINVAL', True),
        Case('IFLA_LINK to o0 through IFLA_LINK_NETNSID',
             req(s32(IFLA_LINK_NETNSID, e.nsid), link=e.o0), ANY, False),
        Case('IFLA_NET_NS_FD not a netns', req(u32(IFLA_NET_NS_FD, e.nullfd)),
             'EINVAL', False),
        Case('IFLA_ADDRESS given', req(nla(IFLA_ADDRESS, mac)),
             'EINVAL', True),
        Case('IFLA_ADDRESS of 3 bytes', req(nla(IFLA_ADDRESS, mac[:3])),
             'EINVAL', True),
        Case('IFLA_ADDRESS of 33 bytes', req(nla(IFLA_ADDRESS, bytes(33))),
             'ERANGE', True),
        Case("IFLA_MTU above the parent's", req(u32(IFLA_MTU, e.mtu + 1)),
             'EINVAL', True),
        Case('IFLA_MTU 0', req(u32(IFLA_MTU, 0)), 'EINVAL', True),
        Case('IFLA_MTU 67', req(u32(IFLA_MTU, 67)), 'EINVAL', True),
        Case('IFLA_IFNAME of 16 characters', req(name='vbad' + 'x' * 12),
             'ERANGE', True),
        Case("IFLA_IFNAME with a '/'", req(name='vb/ad'), 'EINVAL', False),
        Case('IFLA_IFNAME of an existing device', req(name=VCHILD),
             'EEXIST', False),
        Case('IFLA_INFO_DATA of garbage (virt has no policy)',
             req(info=linkinfo(data=b'\xde\xad\xbe\xef' * 4)), ANY, False),
        Case('IFLA_INFO_DATA shorter than an attribute header',
             req(info=linkinfo(data=b'\xff' * 3)), 'ERANGE', False),
        Case('IFLA_INFO_KIND without its NUL', req(info=linkinfo(b'virt')),
             ANY, False),
    ]


def state(nl, nsid):
    """(ifindex, name, kind) of every device here and in OTHER_NS."""
    return tuple(frozenset((ln.index, ln.name, ln.kind) for ln in
                           links.values())
                 for links in (nl.links(), nl.links(nsid)))


def diff(before, after, nsid):
    out = []
    for where, old, new in zip(('', f'@nsid{nsid}'), before, after):
        out += [f'+{n}({k}){where}' for _, n, k in sorted(new - old)]
        out += [f'-{n}({k}){where}' for _, n, k in sorted(old - new)]
    return ' '.join(out)


def undo(nl, nsid, before):
    """Delete the devices added since before (virt children first);
    return what still differs."""
    for where, old, new in zip((None, nsid), before, state(nl, nsid)):
        for _, name, _ in sorted(new - old, key=lambda ln: ln[2] != 'virt'):
            nl.dellink(name, where)
    return diff(before, state(nl, nsid), nsid)


def check(nl, e, case):
    before = state(nl, e.nsid)
    reply = nl.newlink(ifinfo() + case.body)
    after, fails = state(nl, e.nsid), []
    if reply.error:
        seen = errno.errorcode.get(reply.error, str(reply.error))
        notes = f'{seen}: {reply.msg or "(no extack message)"}'
        if reply.offs >= 0:
            notes += f' [attribute at offset {reply.offs}]'
        if case.expect not in (ANY, seen):
            fails.append(f'expected {case.expect}')
        if case.need_msg and not reply.msg:
            fails.append('no extack message')
        if after != before:
            fails.append(f'refused, yet: {diff(before, after, e.nsid)}')
    else:
        notes = f'accepted: {diff(before, after, e.nsid)}'
        if case.expect != ANY:
            fails.append(f'accepted, expected {case.expect}')
        made = [(n, k) for _, n, k in after[0] - before[0]]
        if (after[1] != before[1] or not before[0] <= after[0] or
                made != [(VBAD, 'virt')]):
            fails.append(f'expected just a new virt named {VBAD}')
    left = undo(nl, e.nsid, before)
    if left:
        fails.append(f'links differ after the cleanup: {left}')
    print(f'TEST: {"netlink: " + case.name + " ":<60}  '
          f'[{"FAIL" if fails else " OK "}]')
    for line in [notes] + fails:
        print(f'\t{line}')
    sys.stdout.flush()
    return not fails


def setup(nl, parent, nsfd, nullfd):
    """Make nlv0/nlv1 and vnl0; the Env, or None if there is no virt."""
    nsid = nl.nsid(nsfd)
    here, there = nl.links(), nl.links(nsid)
    # nlv1 gets an ifindex unused in both namespaces, so that IFLA_LINK
    # naming it here finds nothing. veth keeps the peer's index only if
    # the first device's is given too.
    top = max(ln.index for ln in [*here.values(), *there.values()])
    foreign = top + 1
    peer = ifinfo(foreign) + ifname(VETH1) + u32(IFLA_NET_NS_FD, nsfd)
    for what, body in (
            ('veth pair', ifinfo(foreign + 1) + ifname(VETH0) +
             linkinfo(b'veth\0', nla(VETH_INFO_PEER, peer))),
            ('virt child', ifinfo(foreign + 2) + ifname(VCHILD) +
             u32(IFLA_LINK, foreign + 1) + linkinfo())):
        reply = nl.newlink(body)
        if what == 'virt child' and reply.error == errno.EOPNOTSUPP:
            return None
        if reply.error:
            raise OSError(reply.error, f'cannot add the {what}: {reply.msg}')
    return Env(parent=here[parent].index, mtu=here[parent].mtu,
               lo=here['lo'].index, vchild=foreign + 2,
               o0=there['o0'].index, foreign=foreign, missing=top + 4,
               nsid=nsid, nsfd=nsfd, nullfd=nullfd)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 1
    parent, other = sys.argv[1:]
    nl = Netlink()
    nsfd = os.open(f'/run/netns/{other}', os.O_RDONLY)
    nullfd = os.open(os.devnull, os.O_RDONLY)
    nsid = nl.nsid(nsfd)
    start = state(nl, nsid)
    try:
        e = setup(nl, parent, nsfd, nullfd)
        if e is None:
            print('SKIP: the virt link kind is not available')
            rc = KSFT_SKIP
        else:
            rc = 0 if all([check(nl, e, c) for c in cases(e)]) else 1
    finally:
        left = undo(nl, nsid, start)
    if left:
        print(f'left behind: {left}')
        rc = 1
    return rc


if __name__ == '__main__':
    sys.exit(main())
