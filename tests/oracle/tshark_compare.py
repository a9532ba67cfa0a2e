#!/usr/bin/env python3
"""Compare mptcp-xdp raw option records with tshark's decoding of the same capture.

Usage:
  build/mptcp-xdp replay --events raw FILE.pcap > FILE.jsonl
  tests/oracle/tshark_compare.py --pcap FILE.pcap --records FILE.jsonl [--verbose]
  build/mptcp-xdp replay --events raw FILE.pcap | tests/oracle/tshark_compare.py --pcap FILE.pcap --records -

Options are matched by (frame number, index among the frame's MPTCP options).
For each position the event must match tshark's subtype, and every field that
tshark also decodes must be equal after normalisation; the common fields (src,
dst, sport, dport, tcp_flags, opt_len, ts) are always compared.
Exit status: 0 no differences, 1 differences, 2 usage or tshark error.

tshark is the oracle only because it is independent of our parser; it has
known gaps (tshark 4.0.x), tolerated here and nowhere else:
  T1 DSS checksum: tshark adds the DSS checksum only when 4 bytes remain after
     the data-level length (off by two), so it never shows it on a well-formed
     DSS (e.g. the 20-byte v0 DSS). Our `checksum` goes uncompared, but only
     when opt_len is exactly the DSS length with checksum for its flags.
  T2 ADD_ADDR version: tshark leaves `ipver` empty for v1 ADD_ADDR; it decides
     by the nibble (4 or 6 -> v0 with `ipver`, otherwise v1 with `echo`).
     We compare our `version` against that choice, and `echo` against false
     for v0 (the v0 nibble is the IP version; it has no echo bit).
  T3 mptcp.stream (tshark's connection grouping) is not ground truth for joins
     whose token it cannot match; it is not used at all.
  T4 After an MPTCP option too short for its fixed fields (e.g. DSS of length
     3), tshark throws ("Malformed Packet") and shows none of the following
     options of that packet. When we report mp_error at exactly the option
     where tshark's list ends and tshark marked the frame malformed, our later
     options in that frame are counted as unverified, not as differences.
  T5 A kind-30 option whose length byte is 0/1 or runs past the TCP header
     gets no MPTCP subtree from tshark. Our mp_error (opt_len_invalid or
     opt_truncated) for it is accepted as the last record of the frame when
     tshark's raw `tcp.options` bytes end in exactly such an option.
  ts: tshark prints nanoseconds (pcapng), we print microseconds: |diff| < 1us.
"""
import argparse
import ipaddress
import json
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

# Keep tshark to a plain per-packet decode: no reassembly or analysis state
# that could move or merge what a per-packet parser sees.
TSHARK_PREFS = [
    'tcp.analyze_sequence_numbers:FALSE', 'tcp.desegment_tcp_streams:FALSE',
    'tcp.calculate_timestamps:FALSE', 'tcp.summary_in_tree:FALSE',
    'mptcp.analyze_mptcp:FALSE', 'ip.defragment:FALSE', 'ipv6.defragment:FALSE',
]
SUBTYPE_EVENT = {0: 'mp_capable', 1: 'mp_join', 2: 'mp_dss', 3: 'mp_add_addr',
                 4: 'mp_remove_addr', 5: 'mp_prio', 6: 'mp_fail', 7: 'mp_fastclose',
                 8: 'mp_tcprst', 15: 'mp_experimental'}
# Our fields per event and their JSON type ('hex' = fixed-width lowercase string).
SPEC = {
    'mp_capable': {'version': 'int', 'flags': 'hex', 'sender_key': 'hex',
                   'receiver_key': 'hex', 'data_len': 'int', 'checksum': 'int'},
    'mp_join': {'stage': 'str', 'backup': 'bool', 'addr_id': 'int', 'token': 'hex',
                'nonce': 'hex', 'hmac': 'hex'},
    'mp_dss': {'data_fin': 'bool', 'data_ack': 'int', 'dsn': 'int', 'ssn': 'int',
               'data_len': 'int', 'checksum': 'int', 'dsn8': 'bool', 'ack8': 'bool'},
    'mp_add_addr': {'version': 'int', 'echo': 'bool', 'addr_id': 'int', 'addr': 'addr',
                    'port': 'int', 'hmac': 'hex'},
    'mp_remove_addr': {'addr_ids': 'intlist'},
    'mp_prio': {'backup': 'bool', 'addr_id': 'int'},
    'mp_fail': {'dsn': 'int'},
    'mp_fastclose': {'receiver_key': 'hex'},
    'mp_tcprst': {'flags': 'str', 'reason': 'int'},
    'mp_experimental': {},
    'mp_error': {'subtype': 'int'},
}
COMMON = {'src': 'addr', 'dst': 'addr', 'sport': 'int', 'dport': 'int',
          'tcp_flags': 'str', 'opt_len': 'int'}
BOOKKEEPING = {'frame', 'ts', 'event'}
TCP_FLAG_LETTERS = 'FSRPAUEC'  # bit 0 (FIN) .. bit 7 (CWR)
P = 'tcp.options.mptcp.'
ABSENT = object()


class Node(list):
    """A JSON object as its ordered (key, value) pairs: tshark repeats keys."""

    def get(self, key, default=None):
        return next((v for k, v in self if k == key), default)


def flatten(node):
    """Scalar fields of a subtree in order; values of repeated keys collected."""
    out = defaultdict(list)
    for k, v in node:
        if isinstance(v, Node):
            for k2, v2 in flatten(v).items():
                out[k2].extend(v2)
        else:
            out[k].append(v)
    return out


def num(s):
    s = s.strip()
    return int(s, 16) if s.lower().startswith('0x') else int(s)


def hexw(s, width):
    return format(num(s), '0%dx' % width)


def flag(s):
    return s.lower() not in ('0', 'false')


def tshark_option(f):
    """tshark's decoding of one MPTCP option, in our record schema."""
    one = {k: v[0] for k, v in f.items()}
    g = lambda name: one.get(P + name)
    view = {'opt_len': num(one['tcp.option_len'])} if 'tcp.option_len' in one else {}
    if g('subtype') is None:
        return view  # tshark could not read the subtype byte
    subtype = num(g('subtype'))
    view['subtype'] = subtype
    event = view['event'] = SUBTYPE_EVENT.get(subtype, 'unknown(%d)' % subtype)
    conv = {}  # our field -> (tshark field, converter)
    if event == 'mp_capable':
        conv = {'version': ('version', num), 'flags': ('flags', lambda s: hexw(s, 2)),
                'sender_key': ('sendkey', lambda s: hexw(s, 16)),
                'receiver_key': ('recvkey', lambda s: hexw(s, 16)),
                'data_len': ('datalvllen', num), 'checksum': ('checksum', num)}
    elif event == 'mp_join':
        # tshark picks the handshake stage from the option length (12/16/24).
        for field, stage in (('recvtok', 'syn'), ('sendtrunchmac', 'synack'),
                             ('sendhmac', 'ack')):
            if g(field) is not None:
                view['stage'] = stage
        conv = {'backup': ('backup.flag', flag), 'addr_id': ('addrid', num),
                'token': ('recvtok', lambda s: hexw(s, 8)),
                'nonce': ('sendrand', lambda s: hexw(s, 8)),
                'hmac': ('sendtrunchmac', lambda s: hexw(s, 16))}
        if g('sendhmac') is not None:
            conv['hmac'] = ('sendhmac', lambda s: s.replace(':', '').lower())
    elif event == 'mp_dss':
        conv = {'data_fin': ('datafin.flag', flag), 'dsn8': ('dseqn8.flag', flag),
                'ack8': ('dataack8.flag', flag), 'data_ack': ('rawdataack', num),
                'dsn': ('rawdataseqno', num), 'ssn': ('subflowseqno', num),
                'data_len': ('datalvllen', num), 'checksum': ('checksum', num)}
    elif event == 'mp_add_addr':
        if g('ipver') is not None:   # T2
            view['version'], view['echo'] = 0, False
        elif g('echo') is not None:
            view['version'] = 1
        conv = {'echo': ('echo', flag), 'addr_id': ('addrid', num),
                'addr': ('ipv4', str), 'port': ('port', num),
                'hmac': ('addaddrtrunchmac', lambda s: hexw(s, 16))}
        if g('ipv6') is not None:
            conv['addr'] = ('ipv6', str)
    elif event == 'mp_remove_addr' and 'mptcp.rm_addr.count' in one:
        view['addr_ids'] = [num(x) for x in f.get(P + 'addrid', [])]
    elif event == 'mp_prio':
        conv = {'backup': ('backup.flag', flag), 'addr_id': ('addrid', num)}
    elif event == 'mp_fail':
        conv = {'dsn': ('rawdataseqno', num)}
    elif event == 'mp_fastclose':
        conv = {'receiver_key': ('recvkey', lambda s: hexw(s, 16))}
    elif event == 'mp_tcprst':
        if g('flag_T.flag') is not None:
            view['flags'] = ''.join(c for c in 'UVWT' if flag(g('flag_%s.flag' % c) or '0'))
        conv = {'reason': ('rst_reason', num)}
    for ours, (theirs, fn) in conv.items():
        if g(theirs) is not None:
            view[ours] = fn(g(theirs))
    view['_dss_flags'] = num(g('flags')) if event == 'mp_dss' and g('flags') else None
    return view


def bad_kind30_tail(raw):
    """T5: True if the raw TCP options end in a kind-30 option with a bad length."""
    i = 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            return False
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2 or i + raw[i + 1] > len(raw):
            return kind == 30
        i += raw[i + 1]
    return False


def run_tshark(pcap):
    cmd = ['tshark', '-r', pcap, '-n', '-Y', 'tcp.hdr_len > 20', '-T', 'json',
           '-J', 'frame ip ipv6 tcp _ws.malformed']
    for pref in TSHARK_PREFS:
        cmd += ['-o', pref]
    try:
        res = subprocess.run(cmd, capture_output=True)
        packets = json.loads(res.stdout, object_pairs_hook=Node) if res.stdout.strip() else None
    except OSError as e:
        res, packets = None, None
        err = 'cannot run tshark: %s' % e
    except ValueError:
        packets = None
    if res is not None and (res.returncode != 0 or packets is None):
        err = ' '.join(l for l in res.stderr.decode(errors='replace').splitlines()
                       if 'Running as user' not in l)
        err = 'tshark exited %d: %s' % (res.returncode, err.strip() or 'no JSON output')
    if packets is None:
        print('tshark_compare: %s' % err, file=sys.stderr)
        sys.exit(2)
    if res.returncode != 0:
        # e.g. a capture cut short: keep what tshark decoded, but say so
        print('tshark_compare: warning: %s' % err, file=sys.stderr)
    frames = {}
    for pkt in packets:
        layers = pkt.get('_source').get('layers')
        info = {'malformed': False, 'opts': [], 'raw': b''}
        ip = None
        for key, layer in layers:
            if key == 'frame':
                info['frame'] = num(layer.get('frame.number'))
                info['ts'] = Decimal(layer.get('frame.time_epoch'))
            elif key in ('ip', 'ipv6') and 'tcp' not in info:
                ip = (layer.get(key + '.src'), layer.get(key + '.dst'))
            elif key == 'tcp' and 'tcp' not in info:  # the outer TCP header only
                info['tcp'] = layer
            elif key == '_ws.malformed':
                info['malformed'] = True
        tcp = info.pop('tcp', None)
        if tcp is None or 'frame' not in info:
            continue
        flags = num(tcp.get('tcp.flags', '0')) & 0xff  # AE/reserved bits are not ours
        info['common'] = {
            'src': ip[0] if ip else None, 'dst': ip[1] if ip else None,
            'sport': num(tcp.get('tcp.srcport')), 'dport': num(tcp.get('tcp.dstport')),
            'tcp_flags': ''.join(c for i, c in enumerate(TCP_FLAG_LETTERS) if flags >> i & 1)}
        info['raw'] = bytes.fromhex(tcp.get('tcp.options', '').replace(':', ''))
        tree = tcp.get('tcp.options_tree') or Node()
        info['opts'] = [tshark_option(flatten(v)) for k, v in tree
                        if k == 'mptcp' and isinstance(v, Node)]
        frames[info['frame']] = info
    return frames


def dss_len_with_checksum(flags):
    n = 4
    if flags & 0x01:
        n += 8 if flags & 0x02 else 4
    if flags & 0x04:
        n += (8 if flags & 0x08 else 4) + 4 + 2 + 2
    return n


def type_ok(kind, v):
    if kind == 'int':
        return isinstance(v, int) and not isinstance(v, bool)
    if kind == 'bool':
        return isinstance(v, bool)
    if kind == 'intlist':
        return isinstance(v, list) and all(type_ok('int', x) for x in v)
    return isinstance(v, str)


def same(kind, ours, theirs):
    if kind == 'addr':
        try:
            return ipaddress.ip_address(ours) == ipaddress.ip_address(theirs)
        except ValueError:
            return False
    return ours == theirs


class Comparison:
    def __init__(self, verbose):
        self.verbose = verbose
        self.options = self.fields = self.errors = 0
        self.diffs = []
        self.not_compared = Counter()
        self.tolerated = Counter()

    def diff(self, frame, idx, field, ours, theirs):
        show = lambda v: '<absent>' if v is ABSENT else json.dumps(v, default=str)
        self.diffs.append('frame %s opt %s %s: ours=%s tshark=%s'
                          % (frame, idx, field, show(ours), show(theirs)))

    def tolerate(self, what, frame, idx):
        self.tolerated[what] += 1
        if self.verbose:
            print('tolerated %s at frame %s opt %s' % (what, frame, idx))

    def field(self, frame, idx, event, name, kind, rec, view):
        ours, theirs = rec.get(name, ABSENT), view.get(name, ABSENT)
        if ours is ABSENT and theirs is ABSENT:
            return
        if ours is not ABSENT and theirs is ABSENT:
            flags = view.get('_dss_flags')
            if (event == 'mp_dss' and name == 'checksum' and flags is not None
                    and view.get('opt_len') == dss_len_with_checksum(flags)):
                self.not_compared['mp_dss.checksum (T1)'] += 1
            elif event == 'mp_error':
                self.not_compared['mp_error.%s (tshark shows none)' % name] += 1
            else:
                self.diff(frame, idx, name, ours, theirs)
            return
        self.fields += 1
        if ours is ABSENT or not type_ok(kind, ours) or not same(kind, ours, theirs):
            self.diff(frame, idx, name, ours, theirs)

    def option(self, frame, idx, rec, view):
        """Compare one of our records with tshark's option at the same position."""
        event = rec.get('event', ABSENT)
        for name, kind in COMMON.items():
            self.field(frame, idx, event, name, kind, rec, view)
        if event == 'mp_error':
            # Decoded fields are ours alone; check position and subtype only.
            if rec.get('subtype') is not None:
                self.field(frame, idx, event, 'subtype', 'int', rec, view)
            self.not_compared['mp_error.reason'] += 1
            return
        self.fields += 1
        if event != view.get('event', ABSENT):
            return self.diff(frame, idx, 'event', event, view.get('event', ABSENT))
        spec = SPEC.get(event, {})
        for name, kind in spec.items():
            self.field(frame, idx, event, name, kind, rec, view)
        for name in rec:
            if name not in spec and name not in COMMON and name not in BOOKKEEPING:
                self.not_compared['%s.%s' % (event, name)] += 1

    def frame(self, frame, recs, info):
        views = info['opts'] if info else []
        for idx in range(max(len(recs), len(views))):
            self.options += 1
            rec = recs[idx] if idx < len(recs) else None
            view = views[idx] if idx < len(views) else None
            if rec is not None and rec.get('event') == 'mp_error':
                self.errors += 1
            if rec is not None and view is not None:
                self.check_ts(frame, idx, rec, info['ts'])
                self.option(frame, idx, rec, dict(view, **info['common']))
            elif rec is None:
                self.diff(frame, idx, 'event', ABSENT, view.get('event', ABSENT))
            elif (info and info['malformed'] and views
                  and recs[len(views) - 1].get('event') == 'mp_error'):
                self.tolerate('T4 (option after tshark exception)', frame, idx)
            elif (info and idx == len(views) == len(recs) - 1
                  and rec.get('event') == 'mp_error'
                  and rec.get('reason') in ('opt_len_invalid', 'opt_truncated')
                  and bad_kind30_tail(info['raw'])):
                self.tolerate('T5 (kind-30 option with bad length)', frame, idx)
            else:
                self.diff(frame, idx, 'event', rec.get('event', ABSENT), ABSENT)

    def check_ts(self, frame, idx, rec, ts):
        ours = rec.get('ts', ABSENT)
        self.fields += 1
        try:  # absent, bool or non-numeric values raise here
            ok = abs(Decimal(str(ours)) - ts) < Decimal('0.000001')
        except InvalidOperation:
            ok = False
        if not ok:
            self.diff(frame, idx, 'ts', ours, str(ts))


def load_records(path, cmp):
    """Our records grouped by frame, in output order."""
    try:
        fh = sys.stdin if path == '-' else open(path, encoding='utf-8')
    except OSError as e:
        print('tshark_compare: %s' % e, file=sys.stderr)
        sys.exit(2)
    by_frame = defaultdict(list)
    last = 0
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line, parse_float=Decimal)
                frame = rec['frame']
                if not type_ok('int', frame):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                cmp.diffs.append('records line %d: not a record with an integer frame: %s'
                                 % (lineno, line.strip()[:120]))
                continue
            if frame < last:
                cmp.diffs.append('records line %d: frame %d after frame %d (not packet order)'
                                 % (lineno, frame, last))
            last = max(last, frame)
            by_frame[frame].append(rec)
    return by_frame


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pcap', required=True, help='capture given to replay')
    ap.add_argument('--records', required=True, help="replay --events raw output, '-' for stdin")
    ap.add_argument('--verbose', action='store_true',
                    help='list tolerated positions and fields not compared')
    args = ap.parse_args()
    cmp = Comparison(args.verbose)
    ours = load_records(args.records, cmp)
    frames = run_tshark(args.pcap)
    for frame in sorted(set(ours) | {n for n, f in frames.items() if f['opts']}):
        cmp.frame(frame, ours.get(frame, []), frames.get(frame))
    for line in cmp.diffs:
        print(line)
    if args.verbose:
        for what, n in sorted(cmp.not_compared.items()):
            print('not compared: %s x%d' % (what, n))
        for what, n in sorted(cmp.tolerated.items()):
            print('tolerated: %s x%d' % (what, n))
    print('compare: %d options, %d fields compared, %d differences, %d mp_error'
          % (cmp.options, cmp.fields, len(cmp.diffs), cmp.errors))
    return 1 if cmp.diffs else 0


if __name__ == '__main__':
    sys.exit(main())
