#!/usr/bin/env python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
"""Write a pcap of N MPTCP v0 SYNs with random keys from random ports: the
attack docs/design.md says must not grow the correlator without bound.

    make_syn_flood.py N OUT.pcap

Ethernet, 198.18.0.0/15 addresses only, written to a file (nothing is sent).
"""
import random
import struct
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(8684)
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            # MP_CAPABLE v0 SYN (RFC 6824 section 3.1): length 12, flags A|H,
            # the sender's key.
            opt = struct.pack('!BBBBQ', 30, 12, 0x00, 0x81, rnd.getrandbits(64))
            src = bytes([198, 18, 100 + (i >> 16) % 100, (i >> 8) & 255])
            tcp = struct.pack('!HHIIBBHHH', rnd.randint(1024, 65535), 80,
                              rnd.getrandbits(32), 0, (20 + len(opt)) // 4 << 4,
                              0x02, 64240, 0, 0) + opt
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i & 0xffff,
                             0, 64, 6, 0, src, bytes([198, 19, 0, 1])) + tcp
            frame = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip
            f.write(struct.pack('<IIII', 1700000000 + i // 1000000, i % 1000000,
                                len(frame), len(frame)))
            f.write(frame)


if __name__ == '__main__':
    main()
