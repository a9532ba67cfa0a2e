#!/usr/bin/env python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
"""Build every fuzz target's seed corpus, from scratch, out of the shared
captures and files of this repository only (never from test by-products):

    seed_corpus.py OUTDIR SHARED_PCAPS_DIR

writes OUTDIR/<target>/corpus/ for each target:

  fuzz_parser     every frame (the first 400 of each capture) of the shared
                  captures, rewritten as Ethernet as the daemon does
                  (user/capture/link_layer.c), one file each
  fuzz_capture    the shared captures whole, cut after the last record that
                  ends within 64 KiB; the small ones again as pcapng, as
                  big-endian and nanosecond pcap, and with their frames
                  under every other link type the reader takes (Linux
                  SLL and SLL2, raw IP, PPP, BSD loopback); and the forged
                  captures of tests/tools/forge_pcap.py (each of its
                  mutations, on the first shared capture it applies to)
  fuzz_correlate  record sequences in the target's own input format
                  (tests/fuzz/fuzz_correlate.c): v1 and v0 connections with a
                  verified join, ADD_ADDR, DATA_FIN both ways and subflow
                  FINs; fastclose, resets, errors, midstream starts,
                  unknown tokens, bad HMACs, eviction, 4-tuple reuse, token
                  collisions; each with every writer

Python 3 standard library only.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# pcap link types (LINKTYPE_* of the pcap spec).
LT_NULL, LT_ETHERNET, LT_PPP, LT_RAW, LT_LOOP = 0, 1, 9, 101, 108
LT_SLL, LT_SLL2 = 113, 276

PARSER_FRAMES_PER_CAPTURE = 400
CAPTURE_MAX = 64 * 1024
# Captures this small get every variant (format, byte order, link type).
VARIANT_MAX = 8 * 1024


# ---- reading captures -----------------------------------------------------

def read_pcap(data):
    """Classic pcap: (linktype, [(sec, usec_or_nsec, frame)], record ends,
    byte order, nanosecond?) or None."""
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        end = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        end = '>'
    else:
        return None
    nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    linktype = struct.unpack(end + 'I', data[20:24])[0] & 0xffff
    frames, ends, off = [], [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        if off + 16 + caplen > len(data):
            break
        frames.append((sec, frac, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
        ends.append(off)
    return linktype, frames, ends, end, nano


def read_pcapng(data):
    """pcapng: (linktype of the first interface, [(sec, usec, frame)],
    block ends) or None. Enhanced and simple packet blocks; 1 us units."""
    if len(data) < 28 or data[:4] != b'\x0a\x0d\x0d\x0a':
        return None
    bom = data[8:12]
    end = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
    linktype, frames, ends, off = None, [], [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(end + 'II', data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and linktype is None and len(body) >= 8:
            linktype = struct.unpack(end + 'H', body[:2])[0]
        elif btype == 6 and len(body) >= 20:
            _, hi, lo, caplen, _ = struct.unpack(end + 'IIIII', body[:20])
            t = hi << 32 | lo
            frames.append((t // 1000000, t % 1000000, body[20:20 + caplen]))
        off += blen
        ends.append(off)
    if linktype is None:
        return None
    return linktype, frames, ends


def to_ethernet(linktype, fr):
    """A frame as the daemon's link layer rewrites it (link_layer.c)."""
    def eth(proto, payload):
        return b'\0' * 12 + struct.pack('>H', proto) + payload

    def by_version(p):
        v = p[0] >> 4 if p else 0
        return eth(0x0800 if v == 4 else 0x86dd if v == 6 else 0xffff, p)

    if linktype == LT_ETHERNET:
        return fr
    if linktype == LT_SLL and len(fr) >= 16:
        return eth(struct.unpack('>H', fr[14:16])[0], fr[16:])
    if linktype == LT_SLL2 and len(fr) >= 20:
        return eth(struct.unpack('>H', fr[0:2])[0], fr[20:])
    if linktype == LT_RAW:
        return by_version(fr)
    if linktype == LT_PPP:
        p = fr[2:] if fr[:2] == b'\xff\x03' else fr
        if p and p[0] & 1:
            proto, p = p[0], p[1:]
        elif len(p) >= 2:
            proto, p = struct.unpack('>H', p[:2])[0], p[2:]
        else:
            return None
        return eth({0x21: 0x0800, 0x57: 0x86dd}.get(proto, 0xffff), p)
    if linktype in (LT_NULL, LT_LOOP) and len(fr) >= 4:
        return by_version(fr[4:])
    return None


def capture_frames(path):
    """(linktype, [(sec, usec, frame)]) of a pcap or pcapng file."""
    with open(path, 'rb') as f:
        data = f.read()
    r = read_pcap(data)
    if r:
        linktype, frames, _, _, nano = r
        if nano:
            frames = [(s, n // 1000, fr) for s, n, fr in frames]
        return linktype, frames
    r = read_pcapng(data)
    if r:
        return r[0], r[1]
    return None, []


# ---- writing captures -----------------------------------------------------

def write_pcap(linktype, frames, end='<', nano=False, snaplen=65535):
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = [struct.pack(end + 'IHHiIII', magic, 2, 4, 0, 0, snaplen, linktype)]
    for sec, usec, fr in frames:
        frac = usec * 1000 if nano else usec
        out.append(struct.pack(end + 'IIII', sec, frac, len(fr), len(fr)))
        out.append(fr)
    return b''.join(out)


def pcapng_block(btype, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', btype, n) + body + struct.pack('<I', n)


def write_pcapng(linktype, frames):
    """Section header, one interface (with an if_tsresol option: 10^-6 s),
    enhanced packet blocks."""
    shb = pcapng_block(0x0a0d0d0a, struct.pack('<IHHq', 0x1a2b3c4d, 1, 0, -1))
    opts = struct.pack('<HHB3x', 9, 1, 6) + struct.pack('<HH', 0, 0)
    idb = pcapng_block(1, struct.pack('<HHI', linktype, 0, 65535) + opts)
    out = [shb, idb]
    for sec, usec, fr in frames:
        t = sec * 1000000 + usec
        out.append(pcapng_block(6, struct.pack(
            '<IIIII', 0, t >> 32, t & 0xffffffff, len(fr), len(fr)) + fr))
    return b''.join(out)


def from_ethernet(linktype, fr):
    """An Ethernet frame under another link type (IP only)."""
    if len(fr) < 14:
        return None
    proto, payload = struct.unpack('>H', fr[12:14])[0], fr[14:]
    if proto not in (0x0800, 0x86dd):
        return None
    v6 = proto == 0x86dd
    if linktype == LT_ETHERNET:
        return fr
    if linktype == LT_SLL:  # packet type, ARPHRD, addr len, addr, proto
        return struct.pack('>HHH8sH', 0, 1, 6, b'\x02' * 6, proto) + payload
    if linktype == LT_SLL2:  # proto, reserved, ifindex, ARPHRD, type, ...
        return struct.pack('>HHIHBB8s', proto, 0, 2, 1, 0, 6,
                           b'\x02' * 6) + payload
    if linktype == LT_RAW:
        return payload
    if linktype == LT_PPP:
        return b'\xff\x03' + struct.pack('>H', 0x57 if v6 else 0x21) + payload
    if linktype == LT_NULL:  # host order: little-endian here
        return struct.pack('<I', 30 if v6 else 2) + payload
    if linktype == LT_LOOP:
        return struct.pack('>I', 24 if v6 else 2) + payload
    return None


def cut(data, ends, limit, minimum):
    """data up to the last record end within limit."""
    last = minimum
    for e in ends:
        if e > limit:
            break
        last = e
    return data[:last]


# ---- the seeds of each target --------------------------------------------

class Corpus:
    def __init__(self, outdir, target):
        self.dir = os.path.join(outdir, target, 'corpus')
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.n = 0

    def add(self, name, data):
        safe = re.sub(r'[^A-Za-z0-9_.-]', '_', name)
        with open(os.path.join(self.dir, '%04d-%s' % (self.n, safe)),
                  'wb') as f:
            f.write(data)
        self.n += 1


def parser_seeds(outdir, pcaps):
    c = Corpus(outdir, 'fuzz_parser')
    for path in pcaps:
        linktype, frames = capture_frames(path)
        name = os.path.basename(path)
        for i, (_, _, fr) in enumerate(frames[:PARSER_FRAMES_PER_CAPTURE]):
            e = to_ethernet(linktype, fr)
            if e is not None:
                c.add('%s-%d' % (name, i + 1), e)
    return c.n


def forged(pcaps, tmp):
    """Each mutation of forge_pcap.py on the first capture it applies to."""
    tool = os.path.join(ROOT, 'tests', 'tools', 'forge_pcap.py')
    doc = open(tool).read()
    mutations = re.findall(r'^  ([a-z][a-z0-9-]+)  ', doc, re.M)
    for m in mutations:
        for path in pcaps:
            out = os.path.join(tmp, m + '.pcap')
            r = subprocess.run([sys.executable, tool, m, path, out],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                with open(out, 'rb') as f:
                    yield '%s-%s' % (m, os.path.basename(path)), f.read()
                break


def capture_seeds(outdir, pcaps):
    c = Corpus(outdir, 'fuzz_capture')
    for path in pcaps:
        name = os.path.basename(path)
        with open(path, 'rb') as f:
            data = f.read()
        classic = read_pcap(data)
        ng = None if classic else read_pcapng(data)
        if classic:
            c.add(name, cut(data, classic[2], CAPTURE_MAX, 24))
        elif ng:
            c.add(name + 'ng', cut(data, ng[2], CAPTURE_MAX, ng[2][0]))
        else:
            continue
        if len(data) > VARIANT_MAX:
            continue
        linktype, frames = capture_frames(path)
        c.add(name + '-be', write_pcap(linktype, frames, end='>'))
        c.add(name + '-nsec', write_pcap(linktype, frames, nano=True))
        c.add(name + '.pcapng', write_pcapng(linktype, frames))
        eth = [(s, u, to_ethernet(linktype, fr)) for s, u, fr in frames]
        eth = [(s, u, fr) for s, u, fr in eth if fr is not None]
        for lt in (LT_ETHERNET, LT_SLL, LT_SLL2, LT_RAW, LT_PPP, LT_NULL,
                   LT_LOOP):
            if lt == linktype:
                continue
            conv = [(s, u, from_ethernet(lt, fr)) for s, u, fr in eth]
            conv = [(s, u, fr) for s, u, fr in conv if fr is not None]
            if conv:
                c.add('%s-lt%d' % (name, lt), write_pcap(lt, conv))
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in forged(pcaps, tmp):
            r = read_pcap(data)
            c.add(name, cut(data, r[2], CAPTURE_MAX, 24) if r else data)
    return c.n


def correlate_templates():
    """Template name -> number, from the enum in fuzz_correlate.c, so that
    the two cannot drift apart."""
    src = open(os.path.join(HERE, 'fuzz_correlate.c')).read()
    body = re.search(r'enum tpl \{(.*?)\};', src, re.S).group(1)
    names = re.findall(r'^\s*TPL_([A-Z0-9_]+),', body, re.M)
    return {n: i for i, n in enumerate(names) if n != 'MAX'}


class Seq:
    """One fuzz_correlate input (its format: fuzz_correlate.c)."""
    def __init__(self, tpl, max_conns=4, writer=0, query=1,
                 ts=1795666764, usec=0):
        self.tpl = tpl
        self.head = bytes([(max_conns - 1) | writer << 3 | query << 5])
        self.head += struct.pack('<qI', ts, usec)
        self.body = b''

    def rec(self, tpl, client=0, server=0, rev=0, v6=0, port=0, ka=0, kb=1,
            nonce=0, v0=0, wrong=0, step=1, patches=()):
        path = client | server << 2 | rev << 4 | v6 << 5 | port << 6
        keys = ka | kb << 2 | nonce << 4 | v0 << 6 | wrong << 7
        self.body += bytes([self.tpl[tpl] | step << 5, path, keys,
                            len(patches)])
        for off, val in patches:
            self.body += bytes([off, val])
        return self

    def data(self):
        return self.head + self.body


def connection(s, v0=0, v6=0, ka=0, kb=1, wrong=0):
    """A whole connection: handshake, a join to an advertised address,
    data, DATA_FIN both ways, every subflow closed, the grace period over.
    """
    k = dict(v0=v0, v6=v6, ka=ka, kb=kb)
    s.rec('CAP_SYN', **k).rec('CAP_SYNACK', **k).rec('CAP_ACK', **k)
    s.rec('CAP_DATA', **k).rec('DSS', **k)
    s.rec('ADD_ADDR', rev=1, nonce=1, **k)
    j = dict(client=1, server=1, port=1, nonce=1, **k)
    s.rec('JOIN_SYN', **j).rec('JOIN_SYNACK', wrong=wrong, **j)
    s.rec('JOIN_ACK', wrong=wrong, **j)
    s.rec('DSS', **j).rec('PRIO', **j)
    s.rec('DSS_DATA_FIN', **k).rec('DSS_DATA_FIN', rev=1, **k)
    for p in (k, j):
        s.rec('SUBFLOW_FIN', **p).rec('SUBFLOW_FIN', rev=1, **p)
    s.rec('TICK', step=5)
    return s


def correlate_seeds(outdir):
    tpl = correlate_templates()
    c = Corpus(outdir, 'fuzz_correlate')
    seeds = {
        'v1': connection(Seq(tpl)),
        'v0': connection(Seq(tpl), v0=1, ka=2, kb=3),
        'v1-ipv6': connection(Seq(tpl), v6=1),
        'join-bad-hmac': connection(Seq(tpl), wrong=1),
    }
    s = Seq(tpl)
    for t in ('CAP_SYN', 'CAP_SYNACK', 'CAP_ACK', 'DSS'):
        s.rec(t)
    s.rec('FASTCLOSE').rec('FASTCLOSE', rev=1, wrong=1).rec('SUBFLOW_RST')
    seeds['fastclose'] = s.rec('TICK', step=6)
    s = Seq(tpl)
    for t in ('CAP_SYN', 'CAP_SYNACK', 'CAP_ACK', 'REMOVE_ADDR', 'FAIL',
              'ERROR', 'EXPERIMENTAL', 'TCPRST', 'FALLBACK'):
        s.rec(t, nonce=2)
    seeds['options'] = s.rec('TCPRST', rev=1, ka=3, kb=3, nonce=1)
    s = Seq(tpl)  # midstream starts, an unknown token
    s.rec('DSS', client=2).rec('JOIN_SYNACK', client=3).rec('ADD_ADDR', port=2)
    s.rec('JOIN_SYN', client=1, wrong=1).rec('JOIN_ACK', client=1)
    seeds['midstream'] = s.rec('SUBFLOW_RST', client=2, step=6)
    s = Seq(tpl, max_conns=2)  # eviction
    for i in range(6):
        s.rec('CAP_SYN', client=i % 4, port=i // 4, ka=i % 4)
        s.rec('CAP_SYNACK', client=i % 4, port=i // 4, ka=i % 4)
    seeds['eviction'] = s
    s = Seq(tpl)  # the same 4-tuple again, with other keys
    for ka, kb in ((0, 1), (2, 3)):
        for t in ('CAP_SYN', 'CAP_SYNACK', 'CAP_ACK', 'SUBFLOW_FIN'):
            s.rec(t, ka=ka, kb=kb)
        s.rec('SUBFLOW_FIN', rev=1, ka=ka, kb=kb, step=3)
    seeds['reuse'] = s
    s = Seq(tpl)  # two connections, one key B: a join matches both
    for cl in (0, 1):
        for t in ('CAP_SYN', 'CAP_SYNACK', 'CAP_ACK'):
            s.rec(t, client=cl, ka=cl)
    s.rec('ADD_ADDR', client=1, rev=1, ka=1, nonce=2)
    seeds['token-collision'] = s.rec('JOIN_SYN', client=2, server=2, ka=1)
    for name, s in list(seeds.items()):
        c.add(name, s.data())
        if name in ('v1', 'v0'):  # the text and zeek writers
            for w in (1, 2):
                c.add('%s-writer%d' % (name, w), bytes([s.head[0] | w << 3])
                      + s.data()[1:])
    return c.n


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    outdir, shared = sys.argv[1], sys.argv[2]
    pcaps = sorted(os.path.join(shared, f) for f in os.listdir(shared)
                   if f.endswith('.pcap')) if os.path.isdir(shared) else []
    if not pcaps:
        print('seed_corpus: no capture in %s: the capture and parser seeds '
              'are few' % shared, file=sys.stderr)
    n = (parser_seeds(outdir, pcaps), capture_seeds(outdir, pcaps),
         correlate_seeds(outdir))
    print('seed_corpus: fuzz_parser %d, fuzz_capture %d, fuzz_correlate %d '
          'seeds in %s' % (n + (outdir,)))


if __name__ == '__main__':
    main()
