#!/usr/bin/env python3
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
"""forge_pcap.py - write forged MPTCP traffic into a copy of a real capture.

    forge_pcap.py MUTATION IN.pcap OUT.pcap

Reads a classic pcap (libpcap format, micro- or nanosecond timestamps,
either byte order) whose link type is Ethernet (as tests/e2e/make_capture.sh
writes by default; 802.1Q tags are skipped) or Linux cooked v1/v2, applies
ONE mutation and writes the result with the same header. Python 3 standard
library only.

Mutations (RFC 8684 sections in brackets):

  join-unknown-token  the token of the first MP_JOIN SYN (and of its
                      retransmissions on that 4-tuple) is inverted, so it
                      names no connection of the capture [3.2]
  join-bad-ack-hmac   one byte of the 160-bit HMAC of the first MP_JOIN
                      third ACK is flipped [3.2]
  key-mismatch        the receiver's key echoed in the first MP_CAPABLE
                      third ACK is changed, so it differs from the key of
                      the SYN/ACK [3.1]
  addr-id-reuse       after the first non-echo ADD_ADDR, a copy of its frame
                      is inserted that advertises another address under the
                      same address id, with its HMAC recomputed from the
                      connection's keys (read from the capture's MP_CAPABLE
                      third ACK), so that only the id reuse is wrong [3.4.1]
  fastclose-bad-key   the key of the first MP_FASTCLOSE is changed [3.5]
  mp-fail             the first 12-byte DSS (8-byte Data ACK only) after a
                      connection is established becomes an MP_FAIL
                      (subtype 6) carrying that value as its DSN [3.7]

Checksums: options are changed in place with their lengths kept, so IP
headers are untouched and stay valid; TCP checksums are left stale on
purpose (neither mptcp-xdp's parser nor tshark verifies them, and captures
made on veth often carry partial checksums anyway).

Prints what it changed (frame numbers are 1-based, as in tshark) on stdout.
Exit status: 0 done, 1 the capture has nothing to mutate, 2 usage or a
capture it cannot read.
"""
import hashlib
import hmac
import ipaddress
import struct
import sys

MPTCP_KIND = 30
SUB_CAPABLE, SUB_JOIN, SUB_DSS, SUB_ADD_ADDR = 0, 1, 2, 3
SUB_FAIL, SUB_FASTCLOSE = 6, 7
TCP_SYN, TCP_ACK = 0x02, 0x10

LINK_ETHERNET, LINK_SLL, LINK_SLL2 = 1, 113, 276


class Fail(Exception):
    """Nothing to mutate (exit 1)."""


class Usage(Exception):
    """Bad arguments or an unreadable capture (exit 2)."""


# ---- pcap ------------------------------------------------------------------

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise Usage(f"{path}: too short for a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise Usage(f"{path}: not a classic pcap (pcapng? convert with "
                    f"editcap -F pcap)")
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype not in (LINK_ETHERNET, LINK_SLL, LINK_SLL2):
        raise Usage(f"{path}: link type {linktype} not supported")
    frames, off = [], 24
    while off + 16 <= len(data):
        hdr = bytearray(data[off:off + 16])
        incl = struct.unpack(endian + "I", hdr[8:12])[0]
        body = bytearray(data[off + 16:off + 16 + incl])
        if len(body) != incl:
            raise Usage(f"{path}: truncated record at offset {off}")
        frames.append([hdr, body])
        off += 16 + incl
    return data[:24], endian, linktype, frames


def write_pcap(path, header, frames):
    with open(path, "wb") as f:
        f.write(header)
        for hdr, body in frames:
            f.write(hdr)
            f.write(body)


# ---- dissection --------------------------------------------------------------

class Pkt:
    """Offsets into one frame: IP, TCP, and each MPTCP option."""

    def __init__(self, body, l3, ethertype):
        self.family = None
        self.opts = []  # (offset of the option's kind byte, length, subtype)
        if ethertype == 0x0800:
            self._ipv4(body, l3)
        elif ethertype == 0x86DD:
            self._ipv6(body, l3)

    def _ipv4(self, b, o):
        if len(b) < o + 20 or b[o] >> 4 != 4:
            return
        ihl = (b[o] & 0x0F) * 4
        frag = struct.unpack("!H", b[o + 6:o + 8])[0] & 0x1FFF
        if b[o + 9] != 6 or frag:
            return
        self.family, self.src, self.dst = 4, bytes(b[o + 12:o + 16]), \
            bytes(b[o + 16:o + 20])
        self._tcp(b, o + ihl)

    def _ipv6(self, b, o):
        if len(b) < o + 40 or b[o] >> 4 != 6:
            return
        nxt, off = b[o + 6], o + 40
        while nxt in (0, 43, 60) and len(b) >= off + 8:  # hop, routing, dst
            nxt, off = b[off], off + (b[off + 1] + 1) * 8
        if nxt != 6:
            return
        self.family, self.src, self.dst = 6, bytes(b[o + 8:o + 24]), \
            bytes(b[o + 24:o + 40])
        self._tcp(b, off)

    def _tcp(self, b, t):
        if len(b) < t + 20:
            self.family = None
            return
        self.sport, self.dport = struct.unpack("!HH", b[t:t + 4])
        self.flags = b[t + 13]
        end = min(t + (b[t + 12] >> 4) * 4, len(b))
        i = t + 20
        while i < end:
            kind = b[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            if i + 1 >= end or b[i + 1] < 2 or i + b[i + 1] > end:
                break
            ln = b[i + 1]
            if kind == MPTCP_KIND and ln >= 3:
                self.opts.append((i, ln, b[i + 2] >> 4))
            i += ln

    def src_ep(self):
        return (self.src, self.sport)

    def dst_ep(self):
        return (self.dst, self.dport)

    def tuple_key(self):
        """The same for both directions of a subflow."""
        return frozenset((self.src_ep(), self.dst_ep()))

    def syn(self):
        return bool(self.flags & TCP_SYN)

    def ack(self):
        return bool(self.flags & TCP_ACK)


def dissect(linktype, body):
    if linktype == LINK_ETHERNET:
        off = 12
        etype = struct.unpack("!H", body[off:off + 2])[0] if len(body) >= 14 \
            else 0
        off += 2
        while etype in (0x8100, 0x88A8) and len(body) >= off + 4:
            etype = struct.unpack("!H", body[off + 2:off + 4])[0]
            off += 4
        return Pkt(body, off, etype)
    if linktype == LINK_SLL:
        etype = struct.unpack("!H", body[14:16])[0] if len(body) >= 16 else 0
        return Pkt(body, 16, etype)
    etype = struct.unpack("!H", body[0:2])[0] if len(body) >= 20 else 0
    return Pkt(body, 20, etype)


def mptcp_options(linktype, frames):
    """Yields (frame index, Pkt, option offset, length, subtype)."""
    for idx, (_, body) in enumerate(frames):
        p = dissect(linktype, body)
        if p.family is None:
            continue
        for off, ln, sub in p.opts:
            yield idx, p, off, ln, sub


def first_option(linktype, frames, want):
    for item in mptcp_options(linktype, frames):
        if want(*item):
            return item
    raise Fail("no option to mutate in this capture")


# ---- keys ------------------------------------------------------------------

def be64(b):
    return struct.unpack("!Q", bytes(b))[0]


def token_of(key, version):
    h = hashlib.sha1 if version == 0 else hashlib.sha256
    return h(struct.pack("!Q", key)).digest()[:4]


def connections(linktype, frames):
    """Keys from each MP_CAPABLE third ACK (ACK, no SYN, length 20): a list
    of dicts with the initial subflow, A's endpoint, both keys, version."""
    conns = []
    for idx, p, off, ln, sub in mptcp_options(linktype, frames):
        if sub != SUB_CAPABLE or ln != 20 or p.syn() or not p.ack():
            continue
        b = frames[idx][1]
        key_a, key_b = be64(b[off + 4:off + 12]), be64(b[off + 12:off + 20])
        if any(c["tuple"] == p.tuple_key() for c in conns):
            continue
        conns.append({"tuple": p.tuple_key(), "a": p.src_ep(), "key_a": key_a,
                      "key_b": key_b, "version": b[off + 2] & 0x0F})
    return conns


def sender_receiver_keys(linktype, frames, pkt):
    """(sender's key, receiver's key) of the connection pkt belongs to: by
    its initial subflow, or by the token of the join SYN of its subflow."""
    conns = connections(linktype, frames)
    for c in conns:
        if c["tuple"] == pkt.tuple_key():
            if pkt.src_ep() == c["a"]:
                return c["key_a"], c["key_b"]
            return c["key_b"], c["key_a"]
    for idx, p, off, ln, sub in mptcp_options(linktype, frames):
        if sub != SUB_JOIN or ln != 12 or p.tuple_key() != pkt.tuple_key():
            continue
        token = bytes(frames[idx][1][off + 4:off + 8])
        for c in conns:
            for owner, other in (("key_a", "key_b"), ("key_b", "key_a")):
                if token_of(c[owner], c["version"]) == token:
                    # The join SYN's destination owns the token.
                    if pkt.src_ep() == p.dst_ep():
                        return c[owner], c[other]
                    return c[other], c[owner]
    raise Fail("no MP_CAPABLE third ACK gives the keys of the ADD_ADDR's "
               "connection")


def add_addr_hmac(sender, receiver, addr_id, addr, port):
    """RFC 8684 section 3.4.1: rightmost 64 bits of HMAC-SHA256(sender key
    || receiver key, address id || address || port, 0 when absent)."""
    msg = bytes([addr_id]) + addr + struct.pack("!H", port)
    mac = hmac.new(struct.pack("!QQ", sender, receiver), msg,
                   hashlib.sha256).digest()
    return mac[-8:]


# ---- the mutations -------------------------------------------------------------

def flip(body, i, mask=0xFF):
    body[i] ^= mask


def m_join_unknown_token(linktype, frames):
    idx, p, off, _, _ = first_option(
        linktype, frames,
        lambda i, p, o, ln, s: s == SUB_JOIN and ln == 12 and p.syn()
        and not p.ack())
    token = bytes(frames[idx][1][off + 4:off + 8])
    changed = []
    for i, q, o, ln, s in list(mptcp_options(linktype, frames)):
        if (s == SUB_JOIN and ln == 12 and q.syn() and not q.ack()
                and q.tuple_key() == p.tuple_key()
                and bytes(frames[i][1][o + 4:o + 8]) == token):
            for k in range(4):
                flip(frames[i][1], o + 4 + k)
            changed.append(i + 1)
    new = bytes(b ^ 0xFF for b in token)
    return (f"join-unknown-token: MP_JOIN SYN token {token.hex()} -> "
            f"{new.hex()} in frame(s) {changed}")


def m_join_bad_ack_hmac(linktype, frames):
    idx, _, off, _, _ = first_option(
        linktype, frames,
        lambda i, p, o, ln, s: s == SUB_JOIN and ln == 24 and p.ack()
        and not p.syn())
    flip(frames[idx][1], off + 4)
    return (f"join-bad-ack-hmac: first HMAC byte of the MP_JOIN third ACK "
            f"flipped in frame {idx + 1}")


def m_key_mismatch(linktype, frames):
    idx, _, off, _, _ = first_option(
        linktype, frames,
        lambda i, p, o, ln, s: s == SUB_CAPABLE and ln == 20 and p.ack()
        and not p.syn())
    body = frames[idx][1]
    old = bytes(body[off + 12:off + 20])
    flip(body, off + 19)
    return (f"key-mismatch: MP_CAPABLE third ACK receiver key {old.hex()} -> "
            f"{bytes(body[off + 12:off + 20]).hex()} in frame {idx + 1}")


# Addresses a forged ADD_ADDR advertises instead (inside the test ranges of
# docs/design.md: 198.18.0.0/15, 2001:db8::/32).
OTHER_V4 = ipaddress.ip_address("198.18.250.250").packed
OTHER_V6 = ipaddress.ip_address("2001:db8:ff::fa").packed


def m_addr_id_reuse(linktype, frames):
    # v1 ADD_ADDR: the low nibble holds the flags, E (echo) = 0x1; lengths
    # with an HMAC: 16/18 (IPv4, without/with port), 28/30 (IPv6).
    idx, p, off, ln, _ = first_option(
        linktype, frames,
        lambda i, p, o, ln, s: s == SUB_ADD_ADDR
        and not frames[i][1][o + 2] & 0x01)
    hdr, body = frames[idx]
    new = bytearray(body)
    v6 = ln in (20, 22, 28, 30)
    alen = 16 if v6 else 4
    has_hmac = ln in (16, 18, 28, 30)
    has_port = ln in (10, 18, 22, 30)
    addr_id = new[off + 3]
    old_addr = bytes(new[off + 4:off + 4 + alen])
    addr = OTHER_V6 if v6 else OTHER_V4
    if addr == old_addr:
        raise Fail("the ADD_ADDR already advertises the forged address")
    new[off + 4:off + 4 + alen] = addr
    port = 0
    if has_port:
        port = struct.unpack("!H", new[off + 4 + alen:off + 6 + alen])[0]
    what = ""
    if has_hmac:
        sender, receiver = sender_receiver_keys(linktype, frames, p)
        h = add_addr_hmac(sender, receiver, addr_id, addr, port)
        hoff = off + ln - 8
        new[hoff:hoff + 8] = h
        what = f", HMAC {h.hex()} (sender key {sender:016x})"
    frames.insert(idx + 1, [bytearray(hdr), new])
    return (f"addr-id-reuse: frame {idx + 2} inserted after frame {idx + 1}:"
            f" ADD_ADDR id {addr_id} {ipaddress.ip_address(old_addr)} -> "
            f"{ipaddress.ip_address(addr)}{what}")


def m_fastclose_bad_key(linktype, frames):
    idx, _, off, _, _ = first_option(
        linktype, frames,
        lambda i, p, o, ln, s: s == SUB_FASTCLOSE and ln == 12)
    body = frames[idx][1]
    old = bytes(body[off + 4:off + 12])
    flip(body, off + 11)
    return (f"fastclose-bad-key: MP_FASTCLOSE key {old.hex()} -> "
            f"{bytes(body[off + 4:off + 12]).hex()} in frame {idx + 1}")


def m_mp_fail(linktype, frames):
    established = {c["tuple"] for c in connections(linktype, frames)}
    idx, _, off, _, _ = first_option(
        linktype, frames,
        lambda i, p, o, ln, s: s == SUB_DSS and ln == 12
        and frames[i][1][o + 3] & 0x1F == 0x03  # A + a: 8-byte Data ACK
        and p.tuple_key() in established)
    body = frames[idx][1]
    body[off + 2] = SUB_FAIL << 4  # subtype 6, reserved bits 0
    body[off + 3] = 0
    dsn = be64(body[off + 4:off + 12])
    return (f"mp-fail: DSS (Data ACK {dsn}) -> MP_FAIL DSN {dsn} in frame "
            f"{idx + 1}")


MUTATIONS = {
    "join-unknown-token": m_join_unknown_token,
    "join-bad-ack-hmac": m_join_bad_ack_hmac,
    "key-mismatch": m_key_mismatch,
    "addr-id-reuse": m_addr_id_reuse,
    "fastclose-bad-key": m_fastclose_bad_key,
    "mp-fail": m_mp_fail,
}


def main(argv):
    if len(argv) != 4 or argv[1] not in MUTATIONS:
        print(f"usage: {argv[0]} {{{'|'.join(MUTATIONS)}}} IN.pcap OUT.pcap",
              file=sys.stderr)
        return 2
    try:
        header, _, linktype, frames = read_pcap(argv[2])
        what = MUTATIONS[argv[1]](linktype, frames)
    except Usage as e:
        print(f"forge_pcap: {e}", file=sys.stderr)
        return 2
    except Fail as e:
        print(f"forge_pcap: {argv[1]}: {e}", file=sys.stderr)
        return 1
    write_pcap(argv[3], header, frames)
    print(what)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
