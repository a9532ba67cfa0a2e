#!/usr/bin/env python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
"""Seed the fuzzer's corpus with real frames: every frame of the Ethernet
captures given (classic pcap), one file each.

    seed_corpus.py OUTDIR CAPTURE...
"""
import os
import struct
import sys


def frames(path):
    with open(path, 'rb') as f:
        head = f.read(24)
        if len(head) < 24:
            return
        magic = struct.unpack('<I', head[:4])[0]
        end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
        if struct.unpack(end + 'I', head[20:24])[0] != 1:  # Ethernet only
            return
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            caplen = struct.unpack(end + 'IIII', rec)[2]
            data = f.read(caplen)
            if len(data) < caplen:
                return
            yield data


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for cap in sys.argv[2:]:
        for i, fr in enumerate(frames(cap)):
            if i >= 400:
                break
            with open(os.path.join(out, 'seed-%05d' % n), 'wb') as f:
                f.write(fr)
            n += 1
    print('seed_corpus: %d frames' % n)


if __name__ == '__main__':
    main()
