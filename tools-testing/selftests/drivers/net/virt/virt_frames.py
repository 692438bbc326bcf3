#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send malformed and edge-case frames out of an interface, for virt's
rx_handler: short Ethernet, ARP, IPv4, IPv6 extension header chains,
neighbour discovery, VLAN stacks, odd ethertypes and full-size frames.

Usage: virt_frames.py IFNAME DST_MAC COUNT [--seed N] [--max-seconds S]

Templates are built once. Frames go in turn to DST_MAC, broadcast and a
multicast address (the next one each pass over the templates), with one
byte of a template varied from a seeded random stream. A template the
kernel refuses to send (EINVAL, EMSGSIZE) is dropped after that attempt.
The last line on stdout is: frames_sent=N refused=M templates=T seconds=S
(M templates refused out of T built).
"""

import argparse
import errno
import random
import socket
import struct
import sys
import time

BCAST = b'\xff' * 6
MCASTS = [bytes.fromhex(m)
          for m in ('333300000001', '3333ff000001', '01005e000001')]
T4, T4B = '198.51.100.1', '203.0.113.1'         # owned by the receiver
T6, T6B = '2001:db8:1::1', '2001:db8:2::1'
S4, S6 = '198.51.100.10', '2001:db8:1::10'
SNMC = 'ff02::1:ff00:1'                         # solicited-node of T6, T6B
IP, IP6, ARP, QTAG, STAG = 0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8
FLOW = (2, 3)                   # IPv6 flow label: outside every checksum
REFUSED = (errno.EINVAL, errno.EMSGSIZE)
BUSY = (errno.ENOBUFS, errno.EAGAIN)


def a4(addr):
    return socket.inet_aton(addr)


def a6(addr):
    return socket.inet_pton(socket.AF_INET6, addr)


def put_csum(data, off, pseudo=b''):
    """data with the Internet checksum of pseudo + data stored at off."""
    if len(data) < off + 2:
        return data
    raw = pseudo + data[:off] + b'\0\0' + data[off + 2:]
    raw += b'\0' * (len(raw) & 1)
    total = sum(struct.unpack('!%dH' % (len(raw) // 2), raw))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return data[:off] + struct.pack('!H', ~total & 0xffff) + data[off + 2:]


def ip4(dst, proto, l4, src=S4, opts=b'', ihl=None, tot=None, frag=0,
        ttl=64, bad=False, ver=4):
    hlen = 20 + len(opts)
    ihl = hlen // 4 if ihl is None else ihl
    tot = hlen + len(l4) if tot is None else tot
    hdr = put_csum(struct.pack('!BBHHHBBH4s4s', ver << 4 | ihl, 0, tot,
                               0x1234, frag, ttl, proto, 0, a4(src), a4(dst))
                   + opts, 10)
    return hdr[:10] + bytes([hdr[10] ^ (0x5a if bad else 0)]) + hdr[11:] + l4


def udp(data=b'virt-frames!', length=None):
    length = 8 + len(data) if length is None else length
    return struct.pack('!HHHH', 4242, 9, length, 0) + data


def ip6(dst, nh, pl, src=S6, hlim=64, plen=None, ver=6):
    plen = len(pl) if plen is None else plen
    return struct.pack('!IHBB16s16s', ver << 28, plen, nh, hlim, a6(src),
                       a6(dst)) + pl


def sum6(src, dst, nh, msg, off):
    return put_csum(msg, off, a6(src) + a6(dst) +
                    struct.pack('!IxxxB', len(msg), nh))


def udp6(dst, src=S6, data=b'virt-frames!'):
    return sum6(src, dst, 17, udp(data), 6)


def ext(kind, nxt, body=b''):
    """One IPv6 extension header of type kind (0, 43, 44, 60) before nxt."""
    if kind == 44:                                      # fragment
        return body or struct.pack('!BBHI', nxt, 0, 0, 7)
    if kind == 43:                                      # routing
        body = body or bytes(6) + a6(T6)
    pad = -(2 + len(body)) % 8                         # Pad1 or PadN
    if pad:
        body += b'\0' if pad == 1 else bytes([1, pad - 2]) + bytes(pad - 2)
    return bytes([nxt, (2 + len(body)) // 8 - 1]) + body


def chain(kinds, nh, payload, bodies=None):
    for kind, body in reversed(list(zip(kinds, bodies or [b''] * len(kinds)))):
        payload, nh = ext(kind, nh, body) + payload, kind
    return nh, payload


class Builder:
    """Collects templates: (family, ethertype, payload, mutable offsets,
    length cut); reps is a sample that is sent again inside VLAN tags."""

    def __init__(self, mac, dst, mtu, rng):
        self.mac, self.dst, self.mtu, self.rng = mac, dst, mtu, rng
        self.templates, self.reps, self.fam = [], [], None

    def add(self, et, payload, muts=(), rep=False, cut=None):
        t = (self.fam, et, bytes(payload), tuple(muts), cut)
        self.templates.append(t)
        if rep:
            self.reps.append(t)

    def arp(self, op=1, spa=S4, tpa=T4, tha=bytes(6), hrd=1, pro=IP, hln=6,
            pln=4):
        return (struct.pack('!HHBBH', hrd, pro, hln, pln, op) + self.mac +
                a4(spa) + tha + a4(tpa))

    def ns(self, target=T6, opts=None, src=S6, dst=SNMC, code=0):
        opts = b'\1\1' + self.mac if opts is None else opts
        msg = struct.pack('!BBH4x', 135, code, 0) + a6(target) + opts
        return sum6(src, dst, 58, msg, 2)

    def na(self, target=T6, flags=0x20, src=S6, dst='ff02::1'):
        msg = struct.pack('!BBHB3x', 136, 0, 0, flags) + a6(target)
        return sum6(src, dst, 58, msg + b'\2\1' + self.mac, 2)


def build_eth_arp(b):
    b.fam = 'eth'
    for et in (IP, IP6, ARP, QTAG, STAG):
        b.add(et, b'', rep=et == IP)
    for n in range(14):                         # shorter than the header
        b.add(IP, b'', cut=n)
    b.fam, req, sha = 'arp', b.arp(), (12, 13)
    for n in range(28):
        b.add(ARP, req[:n], [m for m in sha if m < n], rep=n in (7, 20))
    for field, values in (('hrd', (0, 6, 0xffff)), ('pro', (0, IP6, ARP)),
                          ('hln', (0, 5, 7, 16, 255)),
                          ('pln', (0, 3, 5, 16, 255)),
                          ('op', (0, 3, 8, 0xffff))):
        for v in values:
            b.add(ARP, b.arp(**{field: v}), sha,
                  rep=(field, v) in (('hrd', 6), ('pln', 255)))
    b.add(ARP, struct.pack('!HHBBH', 1, IP, 8, 4, 1) + b.mac + b'\0\0' +
          a4(S4) + bytes(8) + a4(T4), sha)                  # hln 8, sized
    b.add(ARP, b.arp(pln=16) + bytes(24), sha)              # pln 16, sized
    b.add(ARP, req + bytes(18), sha)                        # padded
    z, d, probe = bytes(6), b.dst, '0.0.0.0'
    for op, spa, tpa, tha in (
            (1, S4, T4, z), (1, '203.0.113.10', T4B, z),
            (1, '192.0.2.10', T4, z), (1, S4, '198.51.100.2', z),
            (1, S4, '198.51.100.255', z), (1, S4, T4, d), (1, S4, T4, BCAST),
            (2, S4, T4, d), (2, S4, T4B, d),                # replies
            (1, S4, S4, z), (1, T4, T4, z), (2, S4, S4, BCAST),
            (2, T4, T4, BCAST),                             # gratuitous
            (1, probe, T4, z), (1, probe, T4B, z), (1, probe, S4, z)):
        b.add(ARP, b.arp(op, spa, tpa, tha),
              sha + (17,) if spa == '192.0.2.10' else sha,
              rep=op == 1 and tpa == T4 and spa in (S4, probe) and tha == z)
    return req


def build_ipv4(b):
    """Frames with a good header checksum vary only bytes outside it."""
    b.fam = 'ipv4'
    good = ip4(T4, 17, udp())
    data, hdr = range(28, len(good)), (4, 5, 8)     # UDP data; id, ttl
    for n in range(20):
        b.add(IP, good[:n], [m for m in hdr if m < n], rep=n == 10)
    for field, values in (('ihl', (0, 1, 2, 3, 4, 6, 15)),
                          ('tot', (0, 19, 20, 24, 41, 1000, 0xffff)),
                          ('ver', (0, 6, 15)), ('ttl', (0, 1, 255)),
                          ('frag', (0x2000, 1, 0x1fff, 0x3fff, 0x6000,
                                    0x8000)),
                          ('src', (T4, '0.0.0.0', '192.0.2.255')),
                          ('dst', (T4, T4B, '198.51.100.2', '198.51.100.255',
                                   '198.51.100.0', '203.0.113.255',
                                   '192.0.2.1'))):
        for v in values:
            b.add(IP, ip4(**{'dst': T4, 'proto': 17, 'l4': udp(), field: v}),
                  data, rep=(field, v) in (('ihl', 3), ('tot', 1000),
                                           ('frag', 0x2000), ('dst', T4)))
    b.add(IP, ip4(T4, 17, b'', ihl=15, tot=60), hdr)
    for dst in (T4, T4B, '192.0.2.1'):
        b.add(IP, ip4(dst, 17, udp(), bad=True), hdr)
    b.add(IP, ip4(T4, 17, udp()[:8], frag=0x2000))  # tiny first fragment
    for opts in (b'\1\1\1\1', b'\0\xaa\xbb\xcc', b'\7\7\4' + bytes(5),
                 b'\x44\x0c\x05\0' + bytes(8), b'\x94\4\0\0',
                 b'\x83\7\4' + a4(T4B) + b'\1', b'\x89\7\4' + a4(T4) + b'\0',
                 b'\7\0\0\0', b'\x44\1\0\0', b'\7\x28\4\0', b'\1' * 40,
                 b'\x82\x0b' + bytes(10)):
        b.add(IP, ip4(T4, 17, udp(), opts=opts),
              range(28 + len(opts), len(good) + len(opts)))
    echo = put_csum(struct.pack('!BBHHH', 8, 0, 0, 77, 1) + b'virt' * 4, 2)
    syn = put_csum(struct.pack('!HHIIBBHHH', 4242, 22, 1, 0, 0x50, 2, 512, 0,
                               0), 16, a4(S4) + a4(T4) + b'\0\6\0\x14')
    for dst, proto, l4, muts in (
            (T4, 1, echo, ()), (T4B, 1, echo, ()), (T4, 1, echo[:4], ()),
            (T4, 6, syn, ()), (T4, 255, b'\xee' * 16, range(20, 36)),
            (T4, 0, bytes(8), range(20, 28)),
            (T4, 4, ip4(T4B, 17, udp()), range(48, 60)),
            (T4, 41, ip6(T6, 17, udp6(T6)), (22, 23)),
            (T4, 17, udp(length=4), data), (T4, 17, udp(length=200), data)):
        b.add(IP, ip4(dst, proto, l4), muts)
    b.add(IP, good + b'\xaa' * 30, range(len(good), len(good) + 30))
    return good


def build_ipv6(b, ns):
    b.fam = 'ipv6'
    good = ip6(T6, 17, udp6(T6))
    for n in range(40):
        b.add(IP6, good[:n], [m for m in FLOW if m < n], rep=n == 20)
    for field, values in (('plen', (0, 1, 19, 21, 120, 0xffff)),
                          ('ver', (0, 4, 15))):
        for v in values:
            b.add(IP6, ip6(T6, 17, udp6(T6), **{field: v}), FLOW)
    for dst in (T6, T6B, '2001:db8:1::2', '2001:db8:3::1', 'ff02::1', SNMC,
                '::ffff:' + T4, '::ffff:' + T4B, '::' + T4):
        b.add(IP6, ip6(dst, 17, udp6(dst)), FLOW,
              rep=dst in (T6, '::ffff:' + T4))
    for src in ('::', '::ffff:' + S4, T6, 'ff02::1'):   # DAD-like, mapped...
        b.add(IP6, ip6(T6, 17, udp6(T6, src), src=src), FLOW)
    for dst in (T6, T6B):
        echo = struct.pack('!BBHHH', 128, 0, 0, 77, 1) + b'virt' * 4
        echo = sum6(S6, dst, 58, echo, 2)
        b.add(IP6, ip6(dst, 58, echo), FLOW)
    for nh, pl in ((59, b'\xaa' * 20), (255, b'\xbb' * 8), (0, b'')):
        b.add(IP6, ip6(T6, nh, pl), FLOW)
    mix = [0, 60, 43, 60, 44, 60, 60, 60]
    for kinds in ([0], [60], [43], [44], [0, 60, 43, 44, 60], [0, 0], [60, 0],
                  [60] * 8, [60] * 12, [0] + [60] * 15, [60] * 32, [60] * 64,
                  mix):
        nh, pl = chain(kinds, 58, ns)
        b.add(IP6, ip6(SNMC, nh, pl, hlim=255), FLOW,
              rep=len(kinds) in (1, 8) and kinds[0] in (0, 60))
    for kind, body in ((43, b'\2\1' + bytes(4) + a6(T6)),       # type 2
                       (43, b'\4\1' + bytes(4) + a6(T6)),       # SRH-like
                       (44, struct.pack('!BBHI', 58, 0, 1, 9)),  # first frag
                       (0, b'\5\2\0\0'), (0, b'\xc2\4\0\1\0\0'),  # RA, jumbo
                       (60, b'\x8f\1\xff'), (60, b'\1\x20')):   # unknown, long
        nh, pl = chain([kind], 58, ns, [body])
        b.add(IP6, ip6(SNMC, nh, pl, hlim=255), FLOW)
    b.add(IP6, ip6(SNMC, 0, b'\x3a\xff' + ns, hlim=255), FLOW)  # 2 KiB HBH


def build_nd(b, ns):
    b.fam, mac = 'nd', b.mac

    def nd(msg, src=S6, dst=SNMC, hlim=255, rep=False):
        b.add(IP6, ip6(dst, 58, msg, src=src, hlim=hlim), FLOW, rep)

    for n in range(25):                 # ICMPv6 cut, checksum redone
        nd(sum6(S6, SNMC, 58, b.ns(opts=b'')[:n], 2), rep=n == 12)
        nd(sum6(S6, T6, 58, b.na(dst=T6)[:n], 2), dst=T6)
    for n in range(25, 32):             # source link-layer option cut
        nd(sum6(S6, SNMC, 58, ns[:n], 2))
    for kw in ({}, dict(opts=b''), dict(dst=T6), dict(target=T6B),
               dict(target=T6B, dst=T6B), dict(target='2001:db8:1::2'),
               dict(target='::ffff:' + T4, dst='ff02::1:ff33:6401'),
               dict(target='ff02::1'), dict(target='::'),
               dict(src='::', opts=b''), dict(src='::'),   # DAD, bad DAD
               dict(opts=b'\1\0' + mac), dict(opts=b'\1\5' + mac),
               dict(opts=b'\x0e\1' + bytes(6)), dict(opts=b'\xc8\1' + mac),
               dict(opts=(b'\1\1' + mac) * 2), dict(code=1),
               dict(dst='ff02::1')):
        nd(b.ns(**kw), kw.get('src', S6), kw.get('dst', SNMC),
           rep=not kw or kw.get('src') == '::')
    nd(ns[:2] + bytes([ns[2] ^ 0xff]) + ns[3:])             # bad checksum
    for kw in ({}, dict(dst=T6), dict(target=T6B, dst=T6B), dict(flags=0x60),
               dict(src='::'), dict(flags=0xe0, dst=T6)):
        nd(b.na(**kw), kw.get('src', S6), kw.get('dst', 'ff02::1'),
           rep=not kw)
    nd(ns, hlim=64)
    nd(b.ns(dst=T6), dst=T6, hlim=64)
    nd(b.na(), dst='ff02::1', hlim=64)


def build_vlan(b):
    """The sample under each tag arrangement, then cut and empty tags."""
    b.fam, reps = 'vlan', list(b.reps)
    for stack in ([(QTAG, 0x6000)], [(QTAG, 0xa001)], [(QTAG, 0xfff)],
                  [(STAG, 100), (QTAG, 1)], [(QTAG, 1), (STAG, 100)],
                  [(0x9100, 100), (QTAG, 1)],
                  [(STAG, 10), (QTAG, 20), (QTAG, 30), (QTAG, 40),
                   (QTAG, 1)]):
        for fam, et, pl, muts, cut in reps:
            for tpid, tci in reversed(stack):
                pl, et = struct.pack('!HH', tci, et) + pl, tpid
                muts = [m + 4 for m in muts]
            b.add(et, pl, muts)
    for tpid in (QTAG, STAG):
        for n in range(4):
            b.add(tpid, struct.pack('!HH', 1, IP)[:n])
        for et in (IP, IP6, ARP, QTAG, STAG):
            b.add(tpid, struct.pack('!HH', 1, et))
            b.add(tpid, struct.pack('!HH', 1, et) + b'\x45\0')


def build_other(b, req, good, ns):
    b.fam, rng, mtu = 'ethertype', b.rng, b.mtu
    types = [0x0000, 0x0001, 0x05dc, 0x05dd, 0x05ff, 0x0600, 0x88cc, 0xffff]
    for et in types + [rng.randrange(0x0600, 0x10000) for _ in range(6)]:
        for n in (0, 46, rng.randrange(1, 200)):
            b.add(et, rng.randbytes(n), range(min(n, 64)))
    for inner, et in ((good, IP), (req, ARP),
                      (ip6(SNMC, 58, ns, hlim=255), IP6)):  # 802.3 LLC/SNAP
        pl = b'\xaa\xaa\x03\0\0\0' + struct.pack('!H', et) + inner
        b.add(len(pl), pl)
        b.add(0x05dc, pl)
    b.add(0x8035, req, (12, 13))                            # RARP

    b.fam = 'jumbo'                     # up to MTU bytes after the header

    def fill(used):
        return bytes(max(0, mtu - used))

    data = range(28, 40)
    b.add(IP, ip4(T4, 17, udp(fill(28))), data)
    b.add(IP, ip4(T4, 17, udp(fill(28)), tot=min(mtu + 100, 0xffff)), data)
    for size in (512, 1000, mtu - 1):
        if 40 <= size <= mtu:
            b.add(IP, ip4(T4, 17, udp(bytes(size - 28))), data)
    b.add(IP6, ip6(T6, 17, udp6(T6, data=fill(48))), FLOW)
    nh, pl = chain([60] * (len(fill(72)) // 8), 58, ns)
    b.add(IP6, ip6(SNMC, nh, pl, hlim=255), FLOW)
    many = (b'\1\1' + b.mac) * (len(fill(64)) // 8)
    b.add(IP6, ip6(SNMC, 58, b.ns(opts=many), hlim=255), FLOW)
    b.add(ARP, b.arp(hln=255, pln=255) + fill(28), (12, 13))
    b.add(0x88b5, rng.randbytes(mtu), range(64))
    b.add(QTAG, struct.pack('!HH', 1, IP) + ip4(T4, 17, udp(fill(32))),
          range(32, 44))


def send_hard(sock, buf, stats):
    """Retry a send that failed: True sent, None refused, False dropped."""
    for attempt in range(50):
        try:
            sock.send(buf)
            return True
        except OSError as e:
            if e.errno in REFUSED:
                return None
            if e.errno not in BUSY:
                raise
            stats['busy'] += 1
            time.sleep(min(0.001 * (attempt + 1), 0.01))
    return False


def run(sock, built, count, max_seconds, rng):
    """Send count frames; return (sent, refused template ids)."""
    refused, stats = set(), {'busy': 0, 'dropped': 0}

    def passes():       # per multicast address: each template to 3 dsts
        return [[(bufs[k if k < 2 else 2 + m], muts, len(muts), i)
                 for i, (bufs, muts) in enumerate(built)
                 if muts is not None and i not in refused for k in range(3)]
                for m in range(3)]

    at, val = rng.randbytes(1 << 16), rng.randbytes(1 << 16)
    plists, sent, npass, resume = passes(), 0, 0, 0
    start = time.monotonic()
    deadline, report = start + max_seconds, start + 5
    stop = count <= 0
    while not stop and plists[0]:
        plist = plists[npass % 3]
        for j in range(resume, len(plist)):
            buf, muts, nm, tid = plist[j]
            if nm:
                k = sent & 0xffff
                buf[muts[at[k] % nm]] = val[k]
            try:
                sock.send(buf)
                sent += 1
                if sent & 1023 and sent < count:
                    continue
            except OSError:
                ok = send_hard(sock, buf, stats)
                if ok is None:          # refused: drop it, go on from here
                    refused.add(tid)
                    plists, resume = passes(), j
                    break
                sent += ok
                stats['dropped'] += not ok
            now = time.monotonic()
            if now >= report:
                print('virt_frames: %d sent, %.0f/s' %
                      (sent, sent / (now - start)), file=sys.stderr)
                report = now + 5
            if now >= deadline or sent >= count:
                stop = True
                break
        else:
            resume, npass = 0, npass + 1
    if stats['busy'] or stats['dropped']:
        print('virt_frames: %(busy)d busy retries, %(dropped)d dropped' %
              stats, file=sys.stderr)
    return sent, refused


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('ifname')
    ap.add_argument('dst_mac')
    ap.add_argument('count', type=int)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--max-seconds', type=float, default=300)
    args = ap.parse_args()
    sysfs = '/sys/class/net/%s/' % args.ifname
    try:
        with open(sysfs + 'address') as f:
            src = bytes.fromhex(f.read().strip().replace(':', ''))
        with open(sysfs + 'mtu') as f:
            mtu = int(f.read())
        dst = bytes.fromhex(args.dst_mac.replace(':', ''))
    except (OSError, ValueError) as e:
        ap.error(str(e))
    if len(dst) != 6 or len(src) != 6:
        ap.error('need Ethernet addresses')

    rng = random.Random(args.seed)
    b = Builder(src, dst, mtu, rng)
    req, good, ns = build_eth_arp(b), build_ipv4(b), b.ns()
    build_ipv6(b, ns)
    build_nd(b, ns)
    build_vlan(b)
    build_other(b, req, good, ns)
    built, fams = [], {}
    for fam, et, pl, muts, cut in b.templates:
        rest = src + struct.pack('!H', et) + pl
        bufs = [bytearray((d + rest)[:cut]) for d in [dst, BCAST] + MCASTS]
        fit = len(bufs[0]) <= mtu + 14      # false only for a tiny MTU
        built.append((bufs, tuple(14 + m for m in muts
                                  if 14 + m < len(bufs[0])) if fit else None))
        fams[fam] = fams.get(fam, 0) + 1
    print('virt_frames: %d templates: %s' % (len(built), ' '.join(
        '%s=%d' % kv for kv in fams.items())), file=sys.stderr)

    start = time.monotonic()
    try:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        sock.bind((args.ifname, 0))
        sent, refused = run(sock, built, args.count, args.max_seconds, rng)
    except OSError as e:
        print('virt_frames: %s: %s' % (args.ifname, e), file=sys.stderr)
        return 1
    print('frames_sent=%d refused=%d templates=%d seconds=%.1f' %
          (sent, len(refused), len(built), time.monotonic() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
