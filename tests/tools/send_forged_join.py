#!/usr/bin/env python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
"""Send one forged MP_JOIN SYN (RFC 8684 section 3.2) from a raw socket.

    send_forged_join.py DST_ADDR DST_PORT [--token HEX] [--count N]

For the live end-to-end test only: run inside the test's client namespace,
towards the test's server namespace (198.18.0.0/15 or 2001:db8::/32 -
anything else is refused). The token names no connection, so the server's
kernel answers with a reset and the inspector must report
join_unknown_token. The kernel adds the IP header; we write TCP.
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys

ALLOWED = [ipaddress.ip_network('198.18.0.0/15'), ipaddress.ip_network('2001:db8::/32')]


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def source_for(dst, family):
    # The address the kernel would use towards dst: a connected UDP socket
    # (no packet is sent) tells it.
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect((str(dst), 9))
        return ipaddress.ip_address(s.getsockname()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dst')
    ap.add_argument('port', type=int)
    ap.add_argument('--token', default='deadbeef')
    ap.add_argument('--count', type=int, default=1)
    a = ap.parse_args()
    dst = ipaddress.ip_address(a.dst)
    if not any(dst in n for n in ALLOWED):
        sys.exit('send_forged_join: refusing %s: test addresses only' % dst)
    family = socket.AF_INET if dst.version == 4 else socket.AF_INET6
    src = source_for(dst, family)
    sport = random.randint(40000, 60000)
    # MSS, then MP_JOIN SYN: kind 30, length 12, subtype 1 with B=0,
    # address id 9, receiver's token, sender's random nonce.
    opts = struct.pack('!BBH', 2, 4, 1460)
    opts += struct.pack('!BBBBII', 30, 12, 0x10, 9, int(a.token, 16),
                        random.getrandbits(32))
    hdr_len = 20 + len(opts)
    tcp = struct.pack('!HHIIBBHHH', sport, a.port, random.getrandbits(32), 0,
                      (hdr_len // 4) << 4, 0x02, 64240, 0, 0) + opts
    if dst.version == 4:
        pseudo = src.packed + dst.packed + struct.pack('!BBH', 0, 6, len(tcp))
    else:
        pseudo = src.packed + dst.packed + struct.pack('!IxxxB', len(tcp), 6)
    tcp = tcp[:16] + struct.pack('!H', checksum(pseudo + tcp)) + tcp[18:]
    with socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_TCP) as s:
        for _ in range(a.count):
            s.sendto(tcp, (str(dst), 0))
    print('sent %d forged MP_JOIN SYN(s) %s:%d > %s:%d token %s'
          % (a.count, src, sport, dst, a.port, a.token))


if __name__ == '__main__':
    main()
