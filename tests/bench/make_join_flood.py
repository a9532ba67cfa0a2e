#!/usr/bin/python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
"""Write a pcap of N MP_JOIN SYNs with unknown tokens, from distinct
4-tuples: the algorithmic-complexity attack on the correlator's token
index (docs/security.md). Each join names a token nobody owns, so each
starts a midstream connection indexed under that token.

    make_join_flood.py N OUT.pcap random|collide

random: random 32-bit tokens. collide: every token shares its low 16 bits
(0xbeef), what an unkeyed index on those bits turns into one long chain.
Ethernet, 198.18.0.0/15 addresses only, written to a file with scapy's
pcap writer (nothing is sent).
"""
import random
import struct
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.utils import PcapWriter


def main():
    n, out, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if mode not in ('random', 'collide'):
        sys.exit('make_join_flood.py: mode is random or collide')
    rnd = random.Random(6824)
    w = PcapWriter(out, linktype=1, sync=False)
    for i in range(n):
        token = rnd.getrandbits(32)
        if mode == 'collide':
            token = (token & 0xffff0000) | 0xbeef
        # MP_JOIN SYN (RFC 8684 section 3.2): length 12, subtype 1 and B,
        # address id, receiver's token, sender's nonce.
        opt = struct.pack('!BBBBII', 30, 12, 0x10, 1, token,
                          rnd.getrandbits(32))
        src = '198.18.%d.%d' % (100 + (i >> 16) % 100, (i >> 8) & 255)
        pkt = (Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') /
               IP(src=src, dst='198.19.0.1', id=i & 0xffff) /
               TCP(sport=1024 + i % 60000, dport=80, flags='S',
                   seq=rnd.getrandbits(32), options=[(30, opt[2:])]))
        pkt.time = 1700000000 + i / 1000000
        w.write(pkt)
    w.close()


if __name__ == '__main__':
    main()
