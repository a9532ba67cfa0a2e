#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The data level on the real captures of other projects (../shared, read in
# place) and edits of them: what `replay --streams / --single-path / --yara`
# writes, checked against readers that know nothing of this program (tshark
# following a TCP stream, tcpflow, ngrep) and against the edits' own
# arithmetic. Live traffic and the kernel's payload records are in
# tests/e2e/test_streams.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
V1="$SHARED_PCAPS/tcpdump_mptcp-v1.pcap"
V0="$SHARED_PCAPS/tcpdump_mptcp-v0.pcap"
IPERF="$SHARED_PCAPS/pymptcpanalyzer_iperf-mptcp-0-0.pcap"

# follow PCAP STREAM OUT: tshark's reassembly of TCP stream STREAM, the
# bytes of each direction in OUT.a (the first sender's) and OUT.b.
follow() {
	tshark -n -r "$1" -q -z "follow,tcp,raw,$2" 2>/dev/null | python3 -c '
import sys
a, b = bytearray(), bytearray()
body = False
for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("====="):
        body = not body if line.strip("=") == "" else body
        continue
    if not body or not line.strip() or ":" in line:
        continue
    (b if line.startswith("\t") else a).extend(bytes.fromhex(line.strip()))
open(sys.argv[1] + ".a", "wb").write(a)
open(sys.argv[1] + ".b", "wb").write(b)
' "$3"
}

# streams PCAP DIR [ARGS...]: replay with --streams DIR (no depth limit);
# events in DIR.jsonl.
streams() {
	local pcap=$1 dir=$2
	shift 2
	"$MPTCP_XDP" replay --engine host --stream-depth 0 --streams "$dir" "$@" "$pcap" >"$dir.jsonl" 2>"$dir.err"
}

# conn_of JSONL: the id of the (only) connection.
conn_of() { jq -r 'select(.event == "connection_closed") | .conn' "$1" | head -1; }

# A single-subflow v1 connection: the streams are exactly what tshark's
# TCP reassembly of its one subflow gives, both ways.
test_streams_equal_tshark_follow() {
	local id
	streams "$V1" "$tmp/v1" || { fail streams_equal_tshark_follow "replay failed: $(cat "$tmp/v1.err")"; return; }
	follow "$V1" 0 "$tmp/v1.follow"
	id=$(conn_of "$tmp/v1.jsonl")
	if [ -s "$tmp/v1.follow.a" ] && cmp -s "$tmp/v1/$id.a2b" "$tmp/v1.follow.a" &&
		cmp -s "$tmp/v1/$id.b2a" "$tmp/v1.follow.b"; then
		pass streams_equal_tshark_follow
	else
		fail streams_equal_tshark_follow "conn $id: $(stat -c %s "$tmp/v1/$id".* "$tmp/v1.follow".* 2>&1 | tr '\n' ' ')"
	fi
}

# The summary's data counts are the files' lengths, and nothing is a gap.
test_summary_data_counts() {
	local id line
	need streams "$V0" "$tmp/v0" || return
	id=$(conn_of "$tmp/v0.jsonl")
	line=$(jq -c 'select(.event == "connection_closed") | .data' "$tmp/v0.jsonl")
	if [ -n "$id" ] && [ "$(jq .a2b.data_bytes <<<"$line")" = "$(stat -c %s "$tmp/v0/$id.a2b")" ] &&
		[ "$(jq .b2a.data_bytes <<<"$line")" = "$(stat -c %s "$tmp/v0/$id.b2a")" ] &&
		[ "$(jq '.a2b.data_gap_bytes + .b2a.data_gap_bytes' <<<"$line")" = 0 ] &&
		[ "$(stat -c %s "$tmp/v0/$id.a2b")" -gt 0 ]; then
		pass summary_data_counts
	else
		fail summary_data_counts "conn $id, data $line"
	fi
}

# v0 over two subflows (RFC 6824: 4-byte DSNs, SHA-1): every payload byte
# tshark decoded sits in the stream at the DSN its subflow's mapping gives
# (tshark's own decoding of the DSS: DSN + (seq - SSN), relative numbers as
# tshark prints them, offsets from the direction's lowest DSN), and both
# subflows carried some.
test_v0_two_subflows_in_dsn_order() {
	local id
	need streams "$V0" "$tmp/v0" || return
	id=$(conn_of "$tmp/v0.jsonl")
	tshark -n -r "$V0" -T fields -e tcp.stream -e ip.src -e tcp.flags.syn -e tcp.flags.ack \
		-e tcp.seq -e tcp.len -e tcp.options.mptcp.rawdataseqno \
		-e tcp.options.mptcp.subflowseqno -e tcp.payload 2>/dev/null >"$tmp/v0.fields"
	if python3 - "$tmp/v0.fields" "$tmp/v0/$id.a2b" "$tmp/v0/$id.b2a" <<'PY'; then
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
files = {"a": open(sys.argv[2], "rb").read(), "b": open(sys.argv[3], "rb").read()}
init = {}  # tcp.stream -> the SYN sender (side a for these joins too)
for st, src, syn, ack, *_ in rows:
    if syn == "1" and ack == "0":
        init.setdefault(st, src)
maps, pieces = {}, []
for st, src, syn, ack, seq, ln, dsn, ssn, payload in rows:
    key = (st, src)
    if dsn and ssn:
        maps[key] = (int(dsn), int(ssn))
    if int(ln or 0) and payload and key in maps:
        d, s = maps[key]
        side = "a" if src == init[st] else "b"
        pieces.append((side, st, (d + int(seq) - s) % 2**32, bytes.fromhex(payload.replace(":", ""))))
base = {side: min(p[2] for p in pieces if p[0] == side) for side in "ab" if any(p[0] == side for p in pieces)}
for side, st, dsn, data in pieces:
    off = (dsn - base[side]) % 2**32
    assert files[side][off:off + len(data)] == data, (side, st, off)
assert len({st for side, st, _, _ in pieces}) >= 2, "one subflow carried everything"
PY
		pass v0_two_subflows_in_dsn_order
	else
		fail v0_two_subflows_in_dsn_order "a subflow's bytes are not where its mappings put them"
	fi
}

# A frame removed from the capture: a data_gap where its payload was
# (single subflow: offset = relative sequence number - 1). When the frame
# carried the mapping of the bytes after it, those are unmapped too and in
# the gap (never placed by a guess). Zeros in the file there, the rest as
# in the whole capture's stream.
test_missing_frame_is_a_gap() {
	local frame seq len id id1 got
	need streams "$V1" "$tmp/v1" || return
	read -r frame seq len < <(tshark -n -r "$V1" -Y 'tcp.len > 100' -T fields -e frame.number -e tcp.seq -e tcp.len 2>/dev/null | sed -n 3p)
	editcap "$V1" "$tmp/cut.pcap" "$frame" >/dev/null 2>&1
	streams "$tmp/cut.pcap" "$tmp/cut" || { fail missing_frame_is_a_gap "replay failed"; return; }
	id=$(conn_of "$tmp/cut.jsonl")
	id1=$(conn_of "$tmp/v1.jsonl")
	got=$(jq -c 'select(.event == "data_gap") | [.dir, .offset, .len]' "$tmp/cut.jsonl" | tr '\n' ' ')
	if python3 - "$tmp/cut.jsonl" "$tmp/cut/$id" "$tmp/v1/$id1" "$((seq - 1))" "$len" <<'PY'; then
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
gaps = [e for e in events if e["event"] == "data_gap"]
cut, full, off, n = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
assert len(gaps) == 1, gaps
g = gaps[0]
assert g["offset"] <= off and off + n <= g["offset"] + g["len"], (g, off, n)
c = open(cut + "." + g["dir"], "rb").read()
f = open(full + "." + g["dir"], "rb").read()
o, l = g["offset"], g["len"]
assert len(c) == len(f) and c[o:o + l] == bytes(l)
assert c[:o] == f[:o] and c[o + l:] == f[o + l:]
other = "b2a" if g["dir"] == "a2b" else "a2b"
assert open(cut + "." + other, "rb").read() == open(full + "." + other, "rb").read()
closed = [e for e in events if e["event"] == "connection_closed"][0]
assert closed["data"][g["dir"]]["data_gap_bytes"] == l
PY
		pass missing_frame_is_a_gap
	else
		fail missing_frame_is_a_gap "removed frame $frame (seq $seq, len $len): gaps $got"
	fi
}

# --single-path read back by tcpflow: every MPTCP connection is one TCP
# flow per direction whose bytes are the streams'; no MPTCP option left.
test_single_path_read_by_tcpflow() {
	local pcap name id dir ok=1 f
	for name in v0 iperf; do
		pcap=$V0
		[ "$name" = iperf ] && pcap=$IPERF
		dir=$tmp/sp_$name
		mkdir -p "$dir.flow"
		streams "$pcap" "$dir" --single-path "$dir.pcap" || { ok=0; continue; }
		id=$(conn_of "$dir.jsonl")
		tcpflow -r "$dir.pcap" -o "$dir.flow" >/dev/null 2>&1 || ok=0
		for f in "$dir/$id.a2b" "$dir/$id.b2a"; do
			[ -s "$f" ] || continue
			# tcpflow names its files by 4-tuple: one of them is it.
			sha256sum "$dir.flow"/*[0-9] | grep -q "^$(sha256sum <"$f" | cut -d' ' -f1) " || ok=0
		done
		# An MP_CAPABLE SYN never answered was never shown to be MPTCP:
		# written through as it came.
		[ -z "$(tshark -n -r "$dir.pcap" -Y 'mptcp and not (tcp.flags.syn == 1 and tcp.flags.ack == 0)' 2>/dev/null)" ] || ok=0
	done
	if [ "$ok" = 1 ]; then pass single_path_read_by_tcpflow; else fail single_path_read_by_tcpflow "tcpflow's flows differ from the streams"; fi
}

# A connection that falls back to TCP (the SYN/ACK without MP_CAPABLE,
# made with scapy from the v1 capture) is plain TCP: --single-path writes
# every one of its frames through, the held SYN included, in order, with
# their times, options and payload (as Ethernet: the capture is Linux
# cooked).
test_single_path_fallback_passes_through() {
	/usr/bin/python3 - "$V1" "$tmp/fallback.pcap" <<'PY' || { fail single_path_fallback_passes_through "cannot make the capture"; return; }
import sys
from scapy.all import rdpcap, wrpcap, TCP, IP
pkts = rdpcap(sys.argv[1])
for p in pkts:
    t = p[TCP]
    if t.flags == "SA":
        t.options = [o for o in t.options if o[0] not in (30, "MPTCP")]
        del p[IP].len, p[IP].chksum, t.chksum, t.dataofs
wrpcap(sys.argv[2], pkts)
PY
	"$MPTCP_XDP" replay --engine host --single-path "$tmp/fb_sp.pcap" "$tmp/fallback.pcap" >"$tmp/fb.jsonl" 2>&1
	if grep -q '"event":"mptcp_fallback"' "$tmp/fb.jsonl" &&
		[ "$(tshark -n -r "$tmp/fallback.pcap" -T fields -e frame.time_epoch -e ip.src -e tcp.seq_raw -e tcp.len -e tcp.options -e tcp.payload 2>/dev/null | md5sum)" = \
			"$(tshark -n -r "$tmp/fb_sp.pcap" -T fields -e frame.time_epoch -e ip.src -e tcp.seq_raw -e tcp.len -e tcp.options -e tcp.payload 2>/dev/null | md5sum)" ] &&
		[ "$(capinfos -c -M "$tmp/fallback.pcap" | tail -1 | tr -dc 0-9)" = "$(capinfos -c -M "$tmp/fb_sp.pcap" | tail -1 | tr -dc 0-9)" ]; then
		pass single_path_fallback_passes_through
	else
		fail single_path_fallback_passes_through "$(head -3 "$tmp/fb.jsonl")"
	fi
}

# YARA on the streams: a string of the stream found at its offset, once,
# where a per-packet matcher (ngrep) on the raw capture finds it too (one
# subflow: no split); the same rule on a string that is not there: nothing.
test_yara_finds_stream_strings() {
	local id needle off got
	need streams "$V1" "$tmp/v1" || return
	id=$(conn_of "$tmp/v1.jsonl")
	# 12 bytes from the middle of the a2b stream, as a hex string.
	off=5000
	needle=$(dd if="$tmp/v1/$id.a2b" bs=1 skip=$off count=12 2>/dev/null | od -An -tx1 | tr -d ' \n')
	printf 'rule in_stream { strings: $a = { %s } condition: $a }\nrule absent { strings: $b = "MPX-NOT-IN-THIS-CAPTURE" condition: $b }\n' "$needle" >"$tmp/v1.yar"
	"$MPTCP_XDP" replay --engine host --stream-depth 0 --yara "$tmp/v1.yar" "$V1" >"$tmp/yara.jsonl" 2>"$tmp/yara.err"
	got=$(jq -c 'select(.event == "signature_match") | [.rule, .dir, .offset, .len, .split]' "$tmp/yara.jsonl" | tr '\n' ' ')
	# The first match at or before 5000 (the bytes may repeat earlier).
	if [[ "$got" == *'"in_stream","a2b",'*',12,false]'* ]] && [[ "$got" != *absent* ]] &&
		jq -s -e "any(.[]; .event == \"signature_match\" and .rule == \"in_stream\" and .offset == $off)" "$tmp/yara.jsonl" >/dev/null; then
		pass yara_finds_stream_strings
	else
		fail yara_finds_stream_strings "matches: $got $(cat "$tmp/yara.err")"
	fi
}

# The depth: --stream-depth 1000 keeps 1000 bytes a direction, counts the
# rest, and the files are 1000 bytes.
test_stream_depth() {
	local id line
	streams "$V1" "$tmp/depth" --stream-depth 1000 || { fail stream_depth "replay failed"; return; }
	id=$(conn_of "$tmp/depth.jsonl")
	line=$(jq -c 'select(.event == "connection_closed") | .data' "$tmp/depth.jsonl")
	if [ "$(stat -c %s "$tmp/depth/$id.a2b")" = 1000 ] && [ "$(jq .a2b.data_bytes <<<"$line")" = 1000 ] &&
		[ "$(jq '.a2b.depth_bytes' <<<"$line")" -gt 0 ]; then
		pass stream_depth
	else
		fail stream_depth "data $line, file $(stat -c %s "$tmp/depth/$id.a2b")"
	fi
}

# The two engines give the same data level (the payload comes from the
# frame whichever engine decodes the options).
test_engines_agree() {
	need_root "the BPF engine needs root" || return
	"$MPTCP_XDP" replay --engine bpf --stream-depth 0 --streams "$tmp/bpf" "$V0" >"$tmp/bpf.jsonl" 2>/dev/null
	need streams "$V0" "$tmp/v0" || return
	if diff -r "$tmp/bpf" "$tmp/v0" >/dev/null && cmp -s "$tmp/bpf.jsonl" "$tmp/v0.jsonl"; then
		pass engines_agree
	else
		fail engines_agree "bpf and host streams or events differ"
	fi
}

run_tests replay_data_level
