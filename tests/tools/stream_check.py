#!/usr/bin/env python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
"""stream_check.py - the independent side of tests/e2e/test_streams.sh.

Everything here is computed from what the test itself knows (the content
mptcp_xfer or this script sent, the frames it removed or changed), never
from mptcp-xdp's own output, so that the test compares mptcp-xdp's streams
with something it did not compute. Python 3 standard library only.

    stream_check.py drop IN.pcap OUT.pcap --port P STREAM-SPECS
        writes IN without a few data frames of the middle (three
        client-to-server, one server-to-client) and prints, as JSON, the
        stream ranges of what was removed and the gaps that must follow:
        each removed payload is located in the known stream, and the
        ranges that another (kept) frame also carried are taken out
    stream_check.py corrupt IN.pcap OUT.pcap --port P
        writes IN with one payload byte of one client-to-server data frame
        of the middle flipped (nothing else changed: IP and TCP checksums
        are left as they were) and prints, as JSON, which frame, its
        subflow's 4-tuple and the byte's subflow sequence number relative
        to the subflow's SYN (rel_ssn, as DSS mappings count)
    stream_check.py check FILE --dir a2b|b2a --events EVENTS --conn ID
                    STREAM-SPECS
        the stream file against the known stream: same length; inside the
        data_gap ranges of EVENTS (for that connection and direction)
        zeros, everywhere else the known bytes
    stream_check.py gaps --events EVENTS --conn ID --expect DROP.json
        the data_gap events against what `drop` printed: every removed
        byte inside a gap, and the gaps exactly the expected ranges
    stream_check.py carriers PCAP --port P --dir a2b|b2a --events EVENTS
                    --conn ID --rule NAME STREAM-SPECS
        for each signature_match of RULE, which subflows carried the
        matched bytes, from the capture itself: every client-to-server (or
        reverse) payload located in the known stream, its subflow matched
        to the summary's "subflows" array by 4-tuple. "split" must be true
        exactly when no one subflow carried all the matched bytes (any
        copy: retransmissions and reinjections count); "subflows" must
        name every subflow that carried some of them first (capture order)
        and only subflows that carried some of them. Prints a JSON report
        ("bad" lists the disagreements)
    stream_check.py markers-client --connect ADDR --port P --count K
                    --sha256-out FILE [--hold-ms H]
        an MPTCP client sending K markers "MPXSPLITMARKER-%010d" (25 bytes
        each, the k-th one at stream offset 25 k, numbered k) back to back,
        then DATA_FIN, then reads mptcp_xfer server's "<count>\\n" reply and
        checks it; FILE gets the SHA-256 of what was sent
    stream_check.py follow-raw TSHARK-OUTPUT OUT-A2B OUT-B2A
        decodes `tshark -q -z follow,tcp,raw,N` (hex lines, node 1's
        indented by a tab) into the two directions' bytes
    stream_check.py known OUT --dir a2b|b2a STREAM-SPECS
        writes the known stream of that direction to OUT
    stream_check.py frames PCAP --port P
        SHA-256 and count of the frames (the whole frame bytes, in order)
        whose TCP source or destination port is P

STREAM-SPECS (the known content, as mptcp_xfer makes it):
    --pattern SEED --bytes N [--embed STRING --embed-at K]   client to server
    --reply-pattern SEED --reply-bytes R [--count-line N]    server to client
    (mptcp_xfer's server sends R reply bytes and then "<N>\\n", N the bytes
    it received), or --markers K for the markers client's stream.

Captures: classic pcap (either byte order, micro- or nanosecond), link
types Ethernet (802.1Q skipped), Linux cooked v1 and v2, raw IP. Exit
status: 0 the check holds (or the command did its job), 1 it does not,
2 usage or unreadable input.
"""
import argparse
import hashlib
import json
import os
import re
import socket
import struct
import sys
import time

IPPROTO_MPTCP = 262
MARKER_FMT = "MPXSPLITMARKER-%010d"
MARKER_LEN = 25


def die(msg, code=2):
    print("stream_check: " + msg, file=sys.stderr)
    sys.exit(code)


# ---- the known streams -------------------------------------------------------


def pattern(seed, n):
    """mptcp_xfer's --pattern stream (xorshift64*, tests/tools/mptcp_xfer.c)."""
    m = (1 << 64) - 1
    x = seed or 0x9E3779B97F4A7C15
    out = bytearray()
    mul = 0x2545F4914F6CDD1D
    while len(out) < n:
        x ^= x >> 12
        x ^= (x << 25) & m
        x ^= x >> 27
        out += ((x * mul) & m).to_bytes(8, "little")
    return bytes(out[:n])


def markers(k):
    return "".join(MARKER_FMT % i for i in range(k)).encode()


def known_stream(a, direction):
    """The bytes of one direction, from the STREAM-SPECS of args a."""
    if direction == "a2b":
        if a.markers is not None:
            return markers(a.markers)
        if a.pattern is None or a.bytes is None:
            die("a2b needs --pattern and --bytes (or --markers)")
        s = bytearray(pattern(a.pattern, a.bytes))
        if a.embed is not None:
            e = a.embed.encode()
            if a.embed_at is None or a.embed_at + len(e) > len(s):
                die("--embed needs --embed-at inside the stream")
            s[a.embed_at:a.embed_at + len(e)] = e
        return bytes(s)
    s = b""
    if a.reply_pattern is not None and a.reply_bytes:
        s = pattern(a.reply_pattern, a.reply_bytes)
    if a.count_line is not None:
        s += b"%d\n" % a.count_line
    return s


def add_spec_args(p):
    p.add_argument("--pattern", type=lambda v: int(v, 0))
    p.add_argument("--bytes", type=int)
    p.add_argument("--embed")
    p.add_argument("--embed-at", type=int)
    p.add_argument("--markers", type=int)
    p.add_argument("--reply-pattern", type=lambda v: int(v, 0))
    p.add_argument("--reply-bytes", type=int, default=0)
    p.add_argument("--count-line", type=int)


class Locator:
    """Finds where a payload sits in a known stream. Keys are the 56-byte
    windows at offsets that are multiples of 8: any payload of 63 bytes or
    more contains one whole, and in both kinds of stream (a random pattern;
    numbered 25-byte markers, of which 49 bytes always hold a whole one) a
    56-byte window occurs once. Shorter payloads are searched for."""

    W = 56

    def __init__(self, stream):
        self.s = stream
        self.idx = {}
        dup = set()
        for i in range(0, len(stream) - self.W + 1, 8):
            k = stream[i:i + self.W]
            if k in self.idx:
                dup.add(k)
            self.idx[k] = i
        for k in dup:
            del self.idx[k]

    def locate(self, payload):
        n = len(payload)
        if n >= self.W + 7:
            for j in range(8):
                i = self.idx.get(payload[j:j + self.W])
                if i is not None:
                    off = i - j
                    if off >= 0 and self.s[off:off + n] == payload:
                        return off
            return None
        off = self.s.find(payload)
        if off < 0 or self.s.find(payload, off + 1) >= 0:
            return None  # absent, or not unique: not located
        return off


# ---- pcap --------------------------------------------------------------------


class Pcap:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) < 24:
            die(f"{path}: not a pcap")
        magic = data[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            self.e = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            self.e = ">"
        else:
            die(f"{path}: not a classic pcap (pcapng is not read here)")
        self.header = data[:24]
        self.linktype = struct.unpack(self.e + "I", data[20:24])[0] & 0xFFFF
        self.records = []  # [record header bytes, frame bytes]
        off = 24
        while off + 16 <= len(data):
            rh = data[off:off + 16]
            incl = struct.unpack(self.e + "I", rh[8:12])[0]
            frame = data[off + 16:off + 16 + incl]
            if len(frame) < incl:
                break
            self.records.append([rh, bytearray(frame)])
            off += 16 + incl

    def write(self, path, skip=()):
        with open(path, "wb") as f:
            f.write(self.header)
            for i, (rh, fr) in enumerate(self.records):
                if i not in skip:
                    f.write(rh)
                    f.write(fr)

    def l3(self, fr):
        """(offset of the IP header, ethertype) or None."""
        lt = self.linktype
        if lt == 1:
            off, et = 14, struct.unpack(">H", fr[12:14])[0] if len(fr) >= 14 else 0
            while et in (0x8100, 0x88A8) and len(fr) >= off + 4:
                et = struct.unpack(">H", fr[off + 2:off + 4])[0]
                off += 4
            return off, et
        if lt == 113 and len(fr) >= 16:
            return 16, struct.unpack(">H", fr[14:16])[0]
        if lt == 276 and len(fr) >= 20:
            return 20, struct.unpack(">H", fr[0:2])[0]
        if lt in (101, 12, 14) and fr:
            return 0, {4: 0x0800, 6: 0x86DD}.get(fr[0] >> 4, 0)
        return None

    def tcp(self, i):
        """The TCP segment of record i: a dict, or None."""
        fr = self.records[i][1]
        r = self.l3(fr)
        if not r:
            return None
        off, et = r
        if et == 0x0800 and len(fr) >= off + 20:
            ihl = (fr[off] & 0x0F) * 4
            if fr[off + 9] != 6:
                return None
            tot = struct.unpack(">H", fr[off + 2:off + 4])[0]
            end = off + tot if tot else len(fr)
            src = socket.inet_ntop(socket.AF_INET, bytes(fr[off + 12:off + 16]))
            dst = socket.inet_ntop(socket.AF_INET, bytes(fr[off + 16:off + 20]))
            l4 = off + ihl
        elif et == 0x86DD and len(fr) >= off + 40:
            if fr[off + 6] != 6:
                return None  # extension headers: not in the test's traffic
            plen = struct.unpack(">H", fr[off + 4:off + 6])[0]
            end = off + 40 + plen if plen else len(fr)
            src = socket.inet_ntop(socket.AF_INET6, bytes(fr[off + 8:off + 24]))
            dst = socket.inet_ntop(socket.AF_INET6, bytes(fr[off + 24:off + 40]))
            l4 = off + 40
        else:
            return None
        if len(fr) < l4 + 20:
            return None
        sport, dport, seq = struct.unpack(">HHI", fr[l4:l4 + 8])
        doff = (fr[l4 + 12] >> 4) * 4
        flags = fr[l4 + 13]
        pstart = l4 + doff
        pend = min(end, len(fr))
        return {
            "src": src, "dst": dst, "sport": sport, "dport": dport,
            "seq": seq, "flags": flags, "pstart": pstart,
            "plen": max(0, pend - pstart),
        }


def data_frames(pc, port):
    """{'a2b': [(record index, tcp)], 'b2a': [...]} of frames with payload."""
    out = {"a2b": [], "b2a": []}
    for i in range(len(pc.records)):
        t = pc.tcp(i)
        if not t or t["plen"] == 0:
            continue
        if t["dport"] == port:
            out["a2b"].append((i, t))
        elif t["sport"] == port:
            out["b2a"].append((i, t))
    return out


def payload(pc, i, t):
    return bytes(pc.records[i][1][t["pstart"]:t["pstart"] + t["plen"]])


# ---- ranges ------------------------------------------------------------------


def merge(ranges):
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def subtract(ranges, minus):
    """ranges minus minus, both lists of [start, end)."""
    out = []
    minus = merge(minus)
    for a, b in merge(ranges):
        cur = a
        for c, d in minus:
            if d <= cur or c >= b:
                continue
            if c > cur:
                out.append([cur, c])
            cur = max(cur, d)
            if cur >= b:
                break
        if cur < b:
            out.append([cur, b])
    return out


def events(path, conn, kind, direction=None):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            e = json.loads(line)
            if e.get("event") != kind or e.get("conn") != conn:
                continue
            if direction and e.get("dir") != direction:
                continue
            out.append(e)
    return out


def event_gaps(path, conn, direction):
    return [[e["offset"], e["offset"] + e["len"]]
            for e in events(path, conn, "data_gap", direction)]


# ---- commands ----------------------------------------------------------------


def cmd_drop(a):
    pc = Pcap(a.inp)
    frames = data_frames(pc, a.port)
    removed, report = set(), {"removed": [], "gaps": {}, "removed_ranges": {}}
    for d, n in (("a2b", 3), ("b2a", 1)):
        fl = frames[d]
        if len(fl) < 4 * (n + 1):
            die(f"only {len(fl)} {d} data frames: too few to remove {n}", 1)
        # Evenly spaced in the middle (25 %, 50 %, 75 % for three), never
        # the first or last frames of the transfer.
        picks = [fl[len(fl) * (k + 1) // (n + 1)] for k in range(n)]
        stream = known_stream(a, d)
        loc = Locator(stream)
        rem, kept, unlocated = [], [], 0
        pick_ids = {i for i, _ in picks}
        for i, t in fl:
            off = loc.locate(payload(pc, i, t))
            if off is None:
                if i in pick_ids:
                    die(f"removed frame {i + 1} ({d}) not found in the known stream", 1)
                unlocated += 1
                continue
            rng = [off, off + t["plen"]]
            if i in pick_ids:
                rem.append(rng)
                report["removed"].append({"frame": i + 1, "dir": d,
                                          "offset": off, "len": t["plen"]})
            else:
                kept.append(rng)
        removed |= pick_ids
        report["removed_ranges"][d] = merge(rem)
        report["gaps"][d] = subtract(rem, kept)
        report["unlocated_" + d] = unlocated
    pc.write(a.out, skip=removed)
    print(json.dumps(report))


def cmd_corrupt(a):
    pc = Pcap(a.inp)
    fl = data_frames(pc, a.port)["a2b"]
    if len(fl) < 3:
        die("too few client-to-server data frames", 1)
    i, t = fl[len(fl) // 2]
    at = t["pstart"] + t["plen"] // 2
    # The subflow's ISN (its SYN), for the byte's relative subflow
    # sequence number, as a DSS mapping's SSN counts it.
    isn = None
    for j in range(len(pc.records)):
        u = pc.tcp(j)
        if (u and u["flags"] & 0x12 == 0x02 and u["src"] == t["src"] and u["sport"] == t["sport"]
                and u["dst"] == t["dst"] and u["dport"] == t["dport"]):
            isn = u["seq"]
            break
    pc.records[i][1][at] ^= 0xFF
    pc.write(a.out)
    print(json.dumps({"frame": i + 1, "payload_byte": t["plen"] // 2,
                      "payload_len": t["plen"], "src": t["src"], "sport": t["sport"],
                      "dst": t["dst"], "dport": t["dport"],
                      "rel_ssn": None if isn is None else (t["seq"] + t["plen"] // 2 - isn) % (1 << 32)}))


def cmd_check(a):
    with open(a.file, "rb") as f:
        got = f.read()
    want = known_stream(a, a.dir)
    gaps = merge(event_gaps(a.events, a.conn, a.dir))
    bad = []
    if len(got) != len(want):
        bad.append(f"{len(got)} bytes, the stream has {len(want)}")
    n = min(len(got), len(want))
    pos = 0
    for g0, g1 in gaps + [[n, n]]:
        g0, g1 = min(g0, n), min(g1, n)
        if got[pos:g0] != want[pos:g0]:
            first = next(k for k in range(pos, g0) if got[k] != want[k])
            bad.append(f"bytes differ from the known stream at {first} (outside any gap)")
            break
        if any(got[g0:g1]):
            first = next(k for k in range(g0, g1) if got[k])
            bad.append(f"gap [{g0}, {g1}) holds a non-zero byte at {first}")
            break
        pos = max(pos, g1)
    total = sum(g1 - g0 for g0, g1 in gaps)
    if bad:
        print("; ".join(bad))
        return 1
    print(f"{len(got)} bytes as sent outside {len(gaps)} gap(s) of {total} bytes, zeros inside")
    return 0


def cmd_gaps(a):
    with open(a.expect) as f:
        exp = json.load(f)
    out = {"bad": []}
    for d in ("a2b", "b2a"):
        got = merge(event_gaps(a.events, a.conn, d))
        want = merge(exp["gaps"][d])
        out[d] = {"event_gaps": got, "expected": want,
                  "removed": exp["removed_ranges"][d]}
        uncovered = subtract(want, got)
        if uncovered:
            out["bad"].append(f"{d}: removed bytes outside every data_gap: {uncovered}")
        elif got != want:
            out["bad"].append(f"{d}: data_gap ranges {got}, expected exactly {want}")
    print(json.dumps(out))
    return 1 if out["bad"] else 0


def cmd_carriers(a):
    """The feature's definitions: a match's "subflows" are
    subflows that carried some of its bytes; "split" is true when no single
    subflow carried all of them. A byte can be carried more than once
    (retransmission; reinjection on another subflow), so both are computed
    over every copy in the capture. The subflows that carried each byte
    first (capture order) must be among those named: they are what a
    reassembler keeps."""
    pc = Pcap(a.pcap)
    stream = known_stream(a, a.dir)
    summ = events(a.events, a.conn, "connection_closed")
    if len(summ) != 1:
        die(f"{len(summ)} connection_closed events for {a.conn}", 1)
    sfs = summ[0]["subflows"]
    # Subflow index by 4-tuple, either way round.
    by_tuple = {}
    for k, s in enumerate(sfs):
        by_tuple[(s["src"], s["sport"], s["dst"], s["dport"])] = k
        by_tuple[(s["dst"], s["dport"], s["src"], s["sport"])] = k
    loc = Locator(stream)
    owner = bytearray(b"\xff" * len(stream))  # first carrier of each byte
    covered = {}  # subflow -> bytearray: 1 where it carried a copy
    unlocated = unknown_sf = 0
    frames = data_frames(pc, a.port)[a.dir]
    for i, t in frames:
        k = by_tuple.get((t["src"], t["sport"], t["dst"], t["dport"]))
        p = payload(pc, i, t)
        off = loc.locate(p)
        if k is None:
            unknown_sf += 1
            continue
        if off is None:
            unlocated += 1
            continue
        end = off + len(p)
        if k not in covered:
            covered[k] = bytearray(len(stream))
        covered[k][off:end] = b"\x01" * len(p)
        seg = owner[off:end]
        if seg.count(0xFF) == len(seg):
            owner[off:end] = bytes([k]) * len(seg)
        elif seg.count(0xFF):
            for x in range(off, end):
                if owner[x] == 0xFF:
                    owner[x] = k
    matches = [e for e in events(a.events, a.conn, "signature_match", a.dir)
               if e.get("rule") == a.rule]
    bad, split, first_split, differs = [], [], 0, []
    for m in matches:
        o, n = m["offset"], m["len"]
        first = set(owner[o:o + n])
        if 0xFF in first or n == 0:
            bad.append(f"offset {o}: bytes no frame of the capture carried")
            continue
        some = {k for k, c in covered.items() if any(c[o:o + n])}
        whole = {k for k, c in covered.items() if all(c[o:o + n])}
        is_split = not whole
        named = set(m["subflows"])
        if m["split"] != is_split or not first <= named <= some:
            bad.append(f"offset {o}: subflows {sorted(named)} split {str(m['split']).lower()};"
                       f" the capture: carried by {sorted(some)}, first by {sorted(first)},"
                       f" all of it by {sorted(whole) or 'none'}")
        if is_split:
            split.append(o)
        if len(first) > 1:
            first_split += 1
            if not is_split:
                differs.append(o)
    carriers = sorted(covered)
    whole_texts = []
    for i, t in frames:
        if len(whole_texts) >= 3:
            break
        p = payload(pc, i, t)
        for m in matches:
            txt = stream[m["offset"]:m["offset"] + m["len"]]
            if txt in p and txt.decode("latin-1") not in whole_texts:
                whole_texts.append(txt.decode("latin-1"))
                break
    print(json.dumps({
        "matches": len(matches), "split": len(split),
        "split_offsets": split[:20],
        "split_texts": [stream[o:o + MARKER_LEN].decode("latin-1") for o in split[:20]],
        "first_carriers_split": first_split,
        "whole_on_a_later_copy": differs[:20],
        "whole_texts": whole_texts,
        "subflows_carrying": carriers, "unlocated_frames": unlocated,
        "frames_of_other_subflows": unknown_sf,
        "uncovered_bytes": owner.count(0xFF), "bad": bad[:10],
        "bad_count": len(bad)}))
    return 1 if bad else 0


def cmd_markers_client(a):
    data = markers(a.count)
    fam = socket.AF_INET6 if ":" in a.connect else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.settimeout(30)
    s.connect((a.connect, a.port))
    time.sleep(a.hold_ms / 1000.0)
    # Writes of 64 KiB, as mptcp_xfer does.
    for i in range(0, len(data), 65536):
        s.sendall(data[i:i + 65536])
    tmp = a.sha256_out + ".tmp"
    with open(tmp, "w") as f:
        f.write(hashlib.sha256(data).hexdigest() + "\n")
    os.rename(tmp, a.sha256_out)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        reply += b
    s.close()
    if reply != b"%d\n" % len(data):
        die(f"server replied {reply!r}, sent {len(data)} bytes", 1)
    print(f"ok bytes={len(data)}")
    return 0


def cmd_follow_raw(a):
    """tshark's follow,tcp,raw: after the header, node 0's data as hex
    lines, node 1's the same indented by a tab; ===... closes it."""
    out = {0: bytearray(), 1: bytearray()}
    started = False
    with open(a.inp) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Node 1:"):
                started = True
                continue
            if not started or not line or line.startswith("="):
                continue
            node = 1 if line.startswith("\t") else 0
            h = line.strip()
            if not re.fullmatch(r"[0-9a-fA-F]*", h):
                die(f"unexpected follow line: {line[:60]}")
            out[node] += bytes.fromhex(h)
    for node, path in ((0, a.out_a2b), (1, a.out_b2a)):
        with open(path, "wb") as f:
            f.write(out[node])
    print(f"node0 {len(out[0])} bytes, node1 {len(out[1])} bytes")
    return 0


def cmd_known(a):
    with open(a.out, "wb") as f:
        f.write(known_stream(a, a.dir))
    return 0


def cmd_frames(a):
    pc = Pcap(a.pcap)
    h, n = hashlib.sha256(), 0
    for i in range(len(pc.records)):
        t = pc.tcp(i)
        if t and a.port in (t["sport"], t["dport"]):
            h.update(bytes(pc.records[i][1]))
            n += 1
    print(f"{n} {h.hexdigest()}")
    return 0


def main():
    p = argparse.ArgumentParser(prog="stream_check.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("drop")
    q.add_argument("inp")
    q.add_argument("out")
    q.add_argument("--port", type=int, required=True)
    add_spec_args(q)
    q = sub.add_parser("corrupt")
    q.add_argument("inp")
    q.add_argument("out")
    q.add_argument("--port", type=int, required=True)
    q = sub.add_parser("check")
    q.add_argument("file")
    q.add_argument("--dir", choices=("a2b", "b2a"), required=True)
    q.add_argument("--events", required=True)
    q.add_argument("--conn", required=True)
    add_spec_args(q)
    q = sub.add_parser("gaps")
    q.add_argument("--events", required=True)
    q.add_argument("--conn", required=True)
    q.add_argument("--expect", required=True)
    q = sub.add_parser("carriers")
    q.add_argument("pcap")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--dir", choices=("a2b", "b2a"), required=True)
    q.add_argument("--events", required=True)
    q.add_argument("--conn", required=True)
    q.add_argument("--rule", required=True)
    add_spec_args(q)
    q = sub.add_parser("markers-client")
    q.add_argument("--connect", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--sha256-out", required=True)
    q.add_argument("--hold-ms", type=int, default=200)
    q = sub.add_parser("follow-raw")
    q.add_argument("inp")
    q.add_argument("out_a2b")
    q.add_argument("out_b2a")
    q = sub.add_parser("known")
    q.add_argument("out")
    q.add_argument("--dir", choices=("a2b", "b2a"), required=True)
    add_spec_args(q)
    q = sub.add_parser("frames")
    q.add_argument("pcap")
    q.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    fn = {"drop": cmd_drop, "corrupt": cmd_corrupt, "check": cmd_check,
          "gaps": cmd_gaps, "carriers": cmd_carriers,
          "markers-client": cmd_markers_client, "follow-raw": cmd_follow_raw,
          "known": cmd_known, "frames": cmd_frames}[a.cmd]
    try:
        sys.exit(fn(a) or 0)
    except OSError as e:
        die(str(e))


if __name__ == "__main__":
    main()
