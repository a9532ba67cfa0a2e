#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The data level end to end (issue 10): kernel MPTCP transfers of known
# content between the namespaces of netns_lib.sh (only 198.18.0.0/15 and
# 2001:db8::/32, made here and removed on every exit), captured on the
# server's two veths, and what mptcp-xdp makes of them:
#
#  - --streams: each direction's file is, byte for byte, what mptcp_xfer
#    sent (SHA-256 written by mptcp_xfer itself) over two paths, IPv4 and
#    IPv6, with DSS checksums, with loss on one path (retransmission and
#    reinjection), with GRO/GSO super-packets; the summary's "data" counts;
#    the default depth and a K suffix;
#  - DSS checksums: a payload byte flipped in the capture is
#    dss_checksum_invalid;
#  - a capture that missed frames: data_gap events exactly where the removed
#    frames' bytes were (located in the known stream by
#    tests/tools/stream_check.py), zeros there, the sent bytes elsewhere;
#  - --yara: a marker at a known offset; numbered markers back to back, whose
#    "subflows" and "split" are checked against the capture itself, and
#    split markers that no single captured packet holds (ngrep);
#  - --single-path: one plain TCP connection on the initial subflow's
#    4-tuple, ISNs from the IDSNs, that tcpflow and tshark read back to the
#    same bytes, without MPTCP options, non-MPTCP frames as they were;
#  - live: `load --streams` in the server namespace during a transfer,
#    offloads off and kept;
#  - bad input: a YARA rules file with a syntax error, --streams on a
#    regular file (one line, the exit codes --help gives), a bad size.
#
# Nothing expected is written here: hashes come from mptcp_xfer (or the
# markers client of stream_check.py), gaps from this test's own edits of
# the capture. STREAMS_KEEP=DIR keeps the run's files (captures, events,
# streams) in DIR for a look after a failure.
# shellcheck disable=SC2016 # single quotes hold jq filters: $x is jq's
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
# Our namespaces' names begin with this (netns_lib.sh reads it when
# sourced), so that the last test can look for ours only.
NETNS_TAG="mxstr$$r${RANDOM}"
# shellcheck source=tests/e2e/netns_lib.sh
source "$ROOT/tests/e2e/netns_lib.sh"
# shellcheck source=tests/e2e/daemon_lib.sh
source "$ROOT/tests/e2e/daemon_lib.sh"

SUITE=e2e_streams
XFER=${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}
CHECK="$ROOT/tests/tools/stream_check.py"

# The known content: client to server (a2b) the pattern from SEED_A with
# a marker at EMBED_AT; server to client (b2a) B_BYTES of the pattern from
# SEED_B, then mptcp_xfer's count line "<A_BYTES>\n". A few MB: the
# multipath scheduler switches subflows many times, and the suite stays
# within its time.
A_BYTES=3000000 SEED_A=7
B_BYTES=2000000 SEED_B=11
EMBED=MPXSPLITMARKER-0123456789 EMBED_AT=1500007
MARKERS=20000 # the markers client: 25-byte numbered markers, 500 kB
SPEC_A=(--pattern "$SEED_A" --bytes "$A_BYTES" --embed "$EMBED" --embed-at "$EMBED_AT")
SPEC_B=(--reply-pattern "$SEED_B" --reply-bytes "$B_BYTES" --count-line "$A_BYTES")
COUNT_LINE_LEN=$((${#A_BYTES} + 1))

# Server ports, one per transfer.
P_MAIN=5301 P_PLAIN=5311 P_CSUM=5302 P_LOSS=5303 P_V6=5304 P_MARK=5305
P_LIVE=5306 P_KEEP=5401 P_LIVE_KEEP=5402

# ---- set-up ------------------------------------------------------------------

# ready: in a test, root (a skip outside CI), the tools and the feature.
ready() {
	need_root "network namespaces and BPF need root" && need tools_ready && need feature_ready
}
tools_ready() {
	local tool
	for tool in jq python3 tshark mergecap tcpdump ethtool tcpflow ngrep nft sha256sum; do
		if ! command -v "$tool" >/dev/null; then
			fail "$SUITE" "$tool missing (apt-get install tcpflow ngrep nftables tshark jq ethtool)"
			return 1
		fi
	done
	if [ ! -x "$XFER" ] || [ ! -x "$MPTCP_XDP" ]; then
		fail "$SUITE" "missing $MPTCP_XDP or $XFER (make all build/tests/mptcp_xfer)"
		return 1
	fi
}
feature_ready() {
	# Read whole first: under pipefail, grep -q leaving early can make the
	# writer die of SIGPIPE and the pipeline fail though the text is there.
	if ! grep -q -- --streams <<<"$("$MPTCP_XDP" replay --help 2>&1)"; then
		fail "$SUITE" "$MPTCP_XDP replay has no --streams"
		return 1
	fi
}

# The run's directory (removed by the teardown, kept in STREAMS_KEEP when
# set) and the teardown trap.
W=
run_dir() {
	netns_trap
	trap 'keep_files; netns_teardown' EXIT
	netns_tmpdir
	W=$NETNS_TMPDIR
	mkdir -p "$W/rules"
}
keep_files() {
	[ -n "${STREAMS_KEEP:-}" ] && [ -n "$W" ] && [ -d "$W" ] || return 0
	mkdir -p "$STREAMS_KEEP" && cp -a "$W/." "$STREAMS_KEEP/" 2>/dev/null
}

# Two test networks (each: two namespaces, two paths, IPv4 and IPv6
# endpoints): "off" with offloads off (wire-sized segments), "keep" with
# the veth defaults (GSO super-packets). net_use NAME points NS_CLI and
# NS_SRV, which netns_lib.sh and daemon_lib.sh use, at one of them.
declare -A NET_CLI=([off]="${NETNS_TAG}-cli" [keep]="${NETNS_TAG}k-cli")
declare -A NET_SRV=([off]="${NETNS_TAG}-srv" [keep]="${NETNS_TAG}k-srv")
net_use() { NS_CLI=${NET_CLI[$1]} NS_SRV=${NET_SRV[$1]}; }
# network NAME (set-up): makes it. netns_setup exits on an error, so it
# runs in a subshell; the namespaces are recorded first, so the teardown
# removes them whatever happened.
network() {
	local name=$1 offloads=off
	[ -n "$W" ] || run_dir
	[ "$name" = keep ] && offloads=keep
	net_use "$name"
	NETNS_CREATED+=("$NS_CLI" "$NS_SRV")
	if ! (NETNS_OFFLOADS=$offloads && netns_setup both) >"$W/net_$name.log" 2>&1; then
		fail "network_$name" "netns_setup failed: $(tail -2 "$W/net_$name.log")"
		return 1
	fi
}
# on NAME: in a test, the network NAME made (once) and in use.
on() { need network "$1" && net_use "$1"; }

# cap_start NAME / cap_stop NAME: tcpdump on both of the server's veths;
# stopped, merged into $W/NAME.pcap (Ethernet, classic pcap: what XDP
# sees, and what ngrep and tcpflow read).
CAPS=()
cap_start() {
	CAPS=()
	netns_capture_start "$NS_SRV" s1 "$W/$1.s1.pcap" tcp || return 1
	CAPS+=("$NETNS_CAPTURE_PID")
	netns_capture_start "$NS_SRV" s2 "$W/$1.s2.pcap" tcp || return 1
	CAPS+=("$NETNS_CAPTURE_PID")
}
cap_stop() {
	if ! netns_capture_stop "${CAPS[@]}" 2>"$W/$1.tcpdump.log"; then
		fail "$1/capture" "incomplete: $(tr '\n' ' ' <"$W/$1.tcpdump.log")"
		return 1
	fi
	if ! mergecap -F pcap -w "$W/$1.pcap" "$W/$1.s1.pcap" "$W/$1.s2.pcap" 2>"$W/$1.merge.log"; then
		fail "$1/capture" "mergecap: $(cat "$W/$1.merge.log")"
		return 1
	fi
}

# xfer NAME DST PORT [CLIENT-ARGS...] (set-up): one mptcp_xfer transfer of
# the known content both ways, the joins up first (--hold-ms); both ends
# must succeed and agree on both hashes. $W/NAME.sent.sha is what the
# client sent, $W/NAME.reply.sha what the server sent back.
xfer() {
	local name=$1 dst=$2 port=$3 srv rc=0 src=0
	shift 3
	netns_bg "$NS_SRV" "$XFER" server --listen "$(any_of "$dst")" --port "$port" --once \
		--sha256-out "$W/$name.recv.sha" --reply-bytes "$B_BYTES" --reply-pattern "$SEED_B" \
		--reply-sha256-out "$W/$name.reply.sha" >"$W/$name.srv.log" 2>&1
	srv=$NETNS_BG_PID
	netns_wait_listen "$NS_SRV" "$port" 2>>"$W/$name.srv.log" || {
		fail "$name/transfer" "the server did not listen: $(cat "$W/$name.srv.log")"
		return 1
	}
	netns_run "$NS_CLI" timeout 60 "$XFER" client --connect "$dst" --port "$port" --hold-ms 200 \
		"${SPEC_A[@]}" --sha256-out "$W/$name.sent.sha" \
		--expect-reply-bytes "$B_BYTES" --reply-sha256-out "$W/$name.reply_recv.sha" "$@" \
		>"$W/$name.cli.log" 2>&1 || rc=$?
	netns_wait_pid "$srv" 600 || src=$?
	if [ "$rc" -ne 0 ] || [ "$src" -ne 0 ]; then
		fail "$name/transfer" "client exit $rc, server exit $src: $(cat "$W/$name.cli.log" "$W/$name.srv.log" | tail -3)"
		return 1
	fi
	if ! cmp -s "$W/$name.sent.sha" "$W/$name.recv.sha" || ! cmp -s "$W/$name.reply.sha" "$W/$name.reply_recv.sha"; then
		fail "$name/transfer" "the two ends disagree on what went through"
		return 1
	fi
	[ -z "${VERBOSE:-}" ] || echo "     $name: $(cat "$W/$name.cli.log")"
}

# capture_xfer NAME NET DST PORT [CLIENT-ARGS...] (set-up): xfer, captured.
capture_xfer() {
	local name=$1 net=$2 dst=$3 port=$4
	shift 4
	net_use "$net"
	cap_start "$name" || { fail "$name/capture" "tcpdump did not start"; return 1; }
	xfer "$name" "$dst" "$port" "$@" || { netns_capture_stop "${CAPS[@]}" >/dev/null 2>&1; return 1; }
	cap_stop "$name"
}

# The main capture (set-up): IPv4, two paths, the known content; then a
# plain TCP connection (not MPTCP: what --single-path passes through).
main_capture() {
	local srv rc=0
	net_use off
	cap_start main || { fail main/capture "tcpdump did not start"; return 1; }
	xfer main "$SRV4_1" "$P_MAIN" || { netns_capture_stop "${CAPS[@]}" >/dev/null 2>&1; return 1; }
	netns_bg "$NS_SRV" "$XFER" server --tcp --listen 0.0.0.0 --port "$P_PLAIN" --once >/dev/null 2>&1
	srv=$NETNS_BG_PID
	netns_wait_listen "$NS_SRV" "$P_PLAIN" 2>/dev/null
	netns_run "$NS_CLI" timeout 60 "$XFER" client --tcp --connect "$SRV4_1" --port "$P_PLAIN" --bytes 20000 >/dev/null 2>&1 || rc=$?
	netns_wait_pid "$srv" 200 || rc=$?
	[ "$rc" -eq 0 ] || { fail main/plain_transfer "exit $rc"; netns_capture_stop "${CAPS[@]}" >/dev/null 2>&1; return 1; }
	cap_stop main
}
main() { ready && on off && need main_capture; }

# replay NAME PCAP ARGS...: mptcp-xdp replay ARGS PCAP, events in
# $W/NAME.json; its exit status in RC (checked by replay_ok).
RC=0
replay() {
	local name=$1 pcap=$2
	shift 2
	RC=0
	"$MPTCP_XDP" replay "$@" "$pcap" >"$W/$name.json" 2>"$W/$name.err" || RC=$?
}
# replay_ok NAME: the last replay exited 0 with JSON lines.
replay_ok() {
	if [ "$RC" -eq 0 ] && jq -e . "$W/$1.json" >/dev/null 2>&1; then
		pass "$1/replay_ok"
	else
		fail "$1/replay_ok" "exit $RC: $(tail -2 "$W/$1.err")"
		return 1
	fi
}
# streams NAME PCAP PORT ARGS...: replay with --streams $W/NAME.d (the
# whole stream: --stream-depth 0 unless ARGS say otherwise), then CONN:
# the connection whose initial subflow went to PORT (conn_of).
CONN=
streams() {
	local name=$1 pcap=$2 port=$3
	shift 3
	rm -rf "$W/$name.d"
	mkdir -p "$W/$name.d"
	replay "$name" "$pcap" --streams "$W/$name.d" --stream-depth 0 "$@"
	replay_ok "$name" || return 1
	conn_of "$name" "$port"
}
conn_of() {
	CONN=$(jq -r --argjson p "$2" 'select(.event == "connection_closed" and any(.subflows[]; .role == "initial" and .dport == $p)) | .conn' "$W/$1.json")
	if [ -z "$CONN" ] || [ "$(wc -l <<<"$CONN")" -ne 1 ]; then
		fail "$1/one_connection" "connection_closed events to port $2: ${CONN:-none}"
		return 1
	fi
}

# expect NAME TEST [--arg|--argjson VAR VALUE]... FILTER: jq FILTER over
# the events of $W/TEST.json as one array, with $c the connection's id (and
# the VARs), must be true.
expect() {
	local name=$1 test=$2 filter args=()
	shift 2
	while [ $# -gt 1 ]; do args+=("$1" "$2" "$3"); shift 3; done
	filter=$1
	if jq -e -s --arg c "$CONN" "${args[@]}" "$filter" "$W/$test.json" >/dev/null 2>"$W/jq.err"; then
		pass "$test/$name"
	else
		local got=
		# What the summary said, so a failure can be read from the log.
		[ -n "$CONN" ] && got=" summary data: $(jq -c -s --arg c "$CONN" "$SUMMARY | .data" "$W/$test.json" 2>/dev/null)"
		fail "$test/$name" "not true: $(tr -s '\t\n ' ' ' <<<"$filter") $(head -1 "$W/jq.err")$got"
	fi
}
SUMMARY='[.[] | select(.event == "connection_closed" and .conn == $c)][0]'

# sha FILE: its SHA-256 (hex).
sha() { sha256sum "$1" | cut -d' ' -f1; }
# same_sha NAME FILE SHAFILE: FILE hashes to what SHAFILE holds.
same_sha() {
	local got want
	want=$(cat "$3" 2>/dev/null)
	got=$(sha "$2" 2>/dev/null)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		pass "$1"
	else
		fail "$1" "sha256 ${got:-(no file $2)} ($(stat -c %s "$2" 2>/dev/null || echo 0) bytes), sent ${want:-?}"
	fi
}
# hashes NAME DIR XFER: the stream files of $CONN in DIR are what the
# transfer XFER sent: a2b the client's bytes; b2a the server's reply bytes
# followed by mptcp_xfer's count line.
hashes() {
	local name=$1 dir=$2 x=$3 got want
	same_sha "$name/a2b_sha256" "$dir/$CONN.a2b" "$W/$x.sent.sha"
	want=$(cat "$W/$x.reply.sha")
	got=$(head -c "$B_BYTES" "$dir/$CONN.b2a" 2>/dev/null | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ] && [ "$(tail -c +$((B_BYTES + 1)) "$dir/$CONN.b2a")" = "$A_BYTES" ] &&
		[ "$(stat -c %s "$dir/$CONN.b2a")" -eq $((B_BYTES + COUNT_LINE_LEN)) ]; then
		pass "$name/b2a_sha256"
	else
		fail "$name/b2a_sha256" "first $B_BYTES bytes sha256 $got, sent $want; $(stat -c %s "$dir/$CONN.b2a" 2>/dev/null || echo no) bytes"
	fi
}
# complete NAME: no data_gap, and the summary counts the whole transfer in
# each direction.
complete() {
	expect no_data_gap "$1" 'all(.[]; .event != "data_gap")'
	expect data_counts "$1" "$SUMMARY"' | .data.a2b.data_bytes == '"$A_BYTES"'
		and .data.b2a.data_bytes == '"$((B_BYTES + COUNT_LINE_LEN))"'
		and .data.a2b.data_gap_bytes == 0 and .data.b2a.data_gap_bytes == 0
		and .data.a2b.depth_bytes == 0 and .data.b2a.depth_bytes == 0'
}
DATA_ANOMALY='all(.[]; .event != "anomaly" or (.kind | IN("data_overlap_mismatch", "dss_checksum_invalid",
	"mapping_inconsistent", "infinite_mapping") | not))'
# two_carried NAME: at least two subflows of the summary carried payload.
two_carried() {
	expect two_subflows_carried "$1" "$SUMMARY"' | [.subflows[] | select(.bytes_fwd + .bytes_rev > 0)] | length >= 2'
}
# benign NAME DIR XFER: what every clean transfer's streams pass.
benign() {
	hashes "$1" "$2" "$3"
	complete "$1"
	expect no_data_anomaly "$1" "$DATA_ANOMALY"
	two_carried "$1"
}

# A YARA rules file: the marker of --embed; numbered markers.
rules() {
	cat >"$W/rules/markers.yar" <<EOF
rule mpx_embed { strings: \$a = "$EMBED" condition: \$a }
rule mpx_dense { strings: \$m = /MPXSPLITMARKER-[0-9]{10}/ condition: \$m }
EOF
}

# ---- 1: IPv4, two paths ------------------------------------------------------

test_v4_streams() {
	main || return
	streams v4 "$W/main.pcap" "$P_MAIN" || return
	benign v4 "$W/v4.d" main
	expect no_anomaly v4 'all(.[]; .event != "anomaly") and all(.[] | select(.event == "connection_closed"); .anomalies == [])'
	expect data_shape v4 "$SUMMARY"' | .data | keys == ["a2b", "b2a"] and all(.[]; keys == ["data_bytes", "data_gap_bytes", "depth_bytes", "reinjected_bytes"] and all(.[]; type == "number" and . >= 0))'
	# The directory holds the files of the MPTCP connections, a2b and
	# b2a, named by their ids, and nothing else (the plain TCP one has
	# no id).
	local want got
	want=$(jq -r 'select(.event == "connection_closed" and .data != null) | .conn + ".a2b", .conn + ".b2a"' "$W/v4.json" | sort)
	got=$(find "$W/v4.d" -mindepth 1 -printf '%f\n' | sort)
	if [ "$got" = "$want" ] && [ -n "$got" ]; then pass v4/files_per_connection; else fail v4/files_per_connection "files: $got; connections: $want"; fi
}

# Both engines give the same events and the same stream files.
test_v4_engines_agree() {
	local e
	main || return
	for e in host bpf; do
		rm -rf "$W/eng_$e.d"
		mkdir -p "$W/eng_$e.d"
		replay "eng_$e" "$W/main.pcap" --engine "$e" --streams "$W/eng_$e.d" --stream-depth 0
		replay_ok "eng_$e" || return
	done
	if cmp -s "$W/eng_host.json" "$W/eng_bpf.json" && diff -r "$W/eng_host.d" "$W/eng_bpf.d" >/dev/null; then
		pass v4/engines_agree
	else
		fail v4/engines_agree "$(diff "$W/eng_host.json" "$W/eng_bpf.json" | head -4) $(diff -rq "$W/eng_host.d" "$W/eng_bpf.d" | head -2)"
	fi
}

# No data option, no "data" in the summaries.
test_v4_no_data_field_by_default() {
	main || return
	replay plain "$W/main.pcap"
	replay_ok plain || return
	CONN=
	expect no_data_field plain 'any(.[]; .event == "connection_closed") and all(.[] | select(.event == "connection_closed"); has("data") | not)'
}

# The default depth (1M per direction) and a K suffix: the files stop
# there, what was cut is counted, what was kept is the start of the stream.
test_depth() {
	local depth name size
	main || return
	"$CHECK" known "$W/known.a2b" --dir a2b "${SPEC_A[@]}"
	for depth in default 64K; do
		name=depth_$depth
		rm -rf "$W/$name.d"
		mkdir -p "$W/$name.d"
		if [ "$depth" = default ]; then
			replay "$name" "$W/main.pcap" --streams "$W/$name.d"
			size=1048576
		else
			replay "$name" "$W/main.pcap" --streams "$W/$name.d" --stream-depth "$depth"
			size=65536
		fi
		replay_ok "$name" || continue
		conn_of "$name" "$P_MAIN" || continue
		if [ "$(stat -c %s "$W/$name.d/$CONN.a2b")" -eq "$size" ] &&
			[ "$(stat -c %s "$W/$name.d/$CONN.b2a")" -eq "$size" ] &&
			cmp -s -n "$size" "$W/$name.d/$CONN.a2b" "$W/known.a2b"; then
			pass "$name/files_cut_at_depth"
		else
			fail "$name/files_cut_at_depth" "a2b $(stat -c %s "$W/$name.d/$CONN.a2b") b2a $(stat -c %s "$W/$name.d/$CONN.b2a") bytes, want $size of the known stream"
		fi
		expect depth_counted "$name" "$SUMMARY"' | .data.a2b.data_bytes == '"$size"'
			and .data.a2b.depth_bytes == '"$((A_BYTES - size))"'
			and .data.b2a.data_bytes == '"$size"'
			and .data.b2a.depth_bytes == '"$((B_BYTES + COUNT_LINE_LEN - size))"'
			and .data.a2b.data_gap_bytes == 0'
	done
}

# ---- 2: DSS checksums ------------------------------------------------------

csum_capture() {
	local ns rc=0
	for ns in "${NET_CLI[off]}" "${NET_SRV[off]}"; do
		ip netns exec "$ns" sysctl -qw net.mptcp.checksum_enabled=1
	done
	capture_xfer csum off "$SRV4_1" "$P_CSUM" || rc=1
	for ns in "${NET_CLI[off]}" "${NET_SRV[off]}"; do
		ip netns exec "$ns" sysctl -qw net.mptcp.checksum_enabled=0
	done
	[ "$rc" -eq 0 ] || return 1
	# The set-up worked only if the handshake asked for DSS checksums.
	if [ -z "$(tshark -r "$W/csum.pcap" -Y 'tcp.options.mptcp.checksumreq.flags == 1' -T fields -e frame.number 2>/dev/null | head -1)" ]; then
		fail csum/capture "no MP_CAPABLE asks for DSS checksums: checksum_enabled had no effect"
		return 1
	fi
}

test_checksum() {
	local out
	ready && on off && need csum_capture || return
	streams csum "$W/csum.pcap" "$P_CSUM" || return
	benign csum "$W/csum.d" csum
	expect no_checksum_invalid csum 'all(.[]; .event != "anomaly" or .kind != "dss_checksum_invalid")'

	# One payload byte of one client-to-server frame flipped.
	if ! out=$("$CHECK" corrupt "$W/csum.pcap" "$W/csum_bad.pcap" --port "$P_CSUM" 2>&1); then
		fail csum_bad/edit "$out"
		return
	fi
	[ -z "${VERBOSE:-}" ] || echo "     corrupted: $out"
	local conn=$CONN
	streams csum_bad "$W/csum_bad.pcap" "$P_CSUM" || return
	if [ "$CONN" != "$conn" ]; then fail csum_bad/same_conn "$CONN, was $conn"; fi
	expect checksum_invalid csum_bad '[.[] | select(.event == "anomaly" and .kind == "dss_checksum_invalid")]
		| length >= 1 and all(.[]; .conn == $c)'
	expect checksum_invalid_in_summary csum_bad "$SUMMARY"' | .anomalies | index("dss_checksum_invalid") != null'
	# Its details: the direction, the subflow of the flipped frame, a
	# mapping that covers the flipped byte.
	expect checksum_invalid_names_mapping csum_bad --argjson x "$out" "$SUMMARY"' as $s
		| ($s.subflows | map(.src == $x.src and .sport == $x.sport and .dst == $x.dst and .dport == $x.dport) | index(true)) as $sf
		| [.[] | select(.event == "anomaly" and .kind == "dss_checksum_invalid")]
		| any(.[]; .dir == "a2b" and .subflow == $sf and .ssn <= $x.rel_ssn and $x.rel_ssn < .ssn + .data_len)'
	echo "note: csum_bad: $(jq -s '[.[] | select(.event == "anomaly" and .kind == "dss_checksum_invalid")] | length' "$W/csum_bad.json") dss_checksum_invalid event(s) for one flipped byte ($out)"
}

# ---- 3: loss on path 2 ---------------------------------------------------------

# nftables in the client namespace only (never the host): one packet in
# five of this port's traffic out of c2 dropped. The capture on the server
# side then sees retransmissions and reinjections, not the losses.
loss_capture() {
	local rc=0 ns=${NET_CLI[off]}
	if ! ip netns exec "$ns" nft -f - <<EOF 2>"$W/nft.err"; then
table inet mxloss {
	chain output {
		type filter hook output priority 0; policy accept;
		oifname "c2" tcp dport $P_LOSS numgen random mod 5 == 0 counter drop
	}
}
EOF
		fail loss/nft "$(cat "$W/nft.err")"
		return 1
	fi
	capture_xfer loss off "$SRV4_1" "$P_LOSS" || rc=1
	ip netns exec "$ns" nft list table inet mxloss >"$W/nft.list" 2>&1
	ip netns exec "$ns" nft delete table inet mxloss
	[ "$rc" -eq 0 ] || return 1
	if ! grep -Eq 'packets [1-9]' "$W/nft.list"; then
		fail loss/nft "no packet was dropped: $(tr -s '\n\t' ' ' <"$W/nft.list")"
		return 1
	fi
}

test_loss() {
	local dropped retrans
	ready && on off && need loss_capture || return
	streams loss "$W/loss.pcap" "$P_LOSS" || return
	benign loss "$W/loss.d" loss
	dropped=$(grep -o 'packets [0-9]*' "$W/nft.list" | head -1)
	retrans=$(tshark -r "$W/loss.pcap" -Y tcp.analysis.retransmission -T fields -e frame.number 2>/dev/null | wc -l)
	echo "note: loss: nft dropped ${dropped:-?} on c2, $retrans retransmission(s) in the capture;" \
		"$(jq -c -s "$SUMMARY"' | {reinjected_a2b: .data.a2b.reinjected_bytes, reinjected_b2a: .data.b2a.reinjected_bytes}' --arg c "$CONN" "$W/loss.json")"
}

# ---- 4: IPv6 -------------------------------------------------------------------

test_v6() {
	ready && on off && need capture_xfer v6 off "$SRV6_1" "$P_V6" || return
	streams v6 "$W/v6.pcap" "$P_V6" || return
	benign v6 "$W/v6.d" v6
}

# ---- 5: offloads kept: GRO/GSO super-packets -----------------------------------

test_offloads_keep() {
	local maxlen
	ready && on keep && need capture_xfer keep keep "$SRV4_1" "$P_KEEP" || return
	maxlen=$(tshark -r "$W/keep.pcap" -T fields -e frame.len 2>/dev/null | sort -n | tail -1)
	echo "note: keep: the largest captured frame is $maxlen bytes"
	streams keep "$W/keep.pcap" "$P_KEEP" || return
	benign keep "$W/keep.d" keep
}

# ---- 6: a capture that missed frames -----------------------------------------

test_missing_frames() {
	local out
	main || return
	# Three client-to-server and one server-to-client data frames out;
	# where their bytes were in the streams is found by locating each
	# payload in the known streams (not from mptcp-xdp).
	if ! "$CHECK" drop "$W/main.pcap" "$W/gap.pcap" --port "$P_MAIN" "${SPEC_A[@]}" "${SPEC_B[@]}" \
		>"$W/gap.expect" 2>"$W/gap.expect.err"; then
		fail gap/edit "$(cat "$W/gap.expect.err")"
		return
	fi
	streams gap "$W/gap.pcap" "$P_MAIN" || return
	expect gap_events gap '([.[] | select(.event == "data_gap" and .conn == $c and .dir == "a2b") | .len] | add // 0) > 0
		and ([.[] | select(.event == "data_gap" and .conn == $c and .dir == "b2a") | .len] | add // 0) > 0
		and all(.[] | select(.event == "data_gap"); (.offset | type == "number") and .len > 0)'
	if out=$("$CHECK" gaps --events "$W/gap.json" --conn "$CONN" --expect "$W/gap.expect" 2>&1); then
		pass gap/gaps_are_the_removed_bytes
	else
		fail gap/gaps_are_the_removed_bytes "$(jq -r '.bad[]' <<<"$out" 2>/dev/null || echo "$out")"
	fi
	if out=$("$CHECK" check "$W/gap.d/$CONN.a2b" --dir a2b --events "$W/gap.json" --conn "$CONN" "${SPEC_A[@]}" 2>&1); then
		pass gap/a2b_content
	else
		fail gap/a2b_content "$out"
	fi
	if out=$("$CHECK" check "$W/gap.d/$CONN.b2a" --dir b2a --events "$W/gap.json" --conn "$CONN" "${SPEC_B[@]}" 2>&1); then
		pass gap/b2a_content
	else
		fail gap/b2a_content "$out"
	fi
	expect summary_gap_bytes gap '. as $all | '"$SUMMARY"' as $s | all("a2b", "b2a"; . as $d
		| ([$all[] | select(.event == "data_gap" and .conn == $c and .dir == $d) | .len] | add // 0) as $g
		| $s.data[$d].data_gap_bytes == $g and $g > 0)
		and $s.data.a2b.data_bytes + $s.data.a2b.data_gap_bytes == '"$A_BYTES"'
		and $s.data.b2a.data_bytes + $s.data.b2a.data_gap_bytes == '"$((B_BYTES + COUNT_LINE_LEN))"
}

# ---- 7: YARA ------------------------------------------------------------------

# The marker of --embed, at its offset, with the subflows that carried it
# (from the capture: stream_check.py carriers). --yara without --streams
# turns the reassembly on.
test_yara_embed() {
	local out
	main || return
	rules
	replay yara "$W/main.pcap" --yara "$W/rules/markers.yar" --stream-depth 0
	replay_ok yara || return
	conn_of yara "$P_MAIN" || return
	expect embed_match yara '[.[] | select(.event == "signature_match" and .rule == "mpx_embed")]
		| length == 1 and .[0].conn == $c and .[0].dir == "a2b"
		and .[0].offset == '"$EMBED_AT"' and .[0].len == '"${#EMBED}"'
		and (.[0].subflows | type == "array" and length >= 1) and (.[0].split | type == "boolean")'
	expect data_field_with_yara yara "$SUMMARY"' | has("data")'
	if out=$("$CHECK" carriers "$W/main.pcap" --port "$P_MAIN" --dir a2b --events "$W/yara.json" \
		--conn "$CONN" --rule mpx_embed "${SPEC_A[@]}" 2>&1) && [ "$(jq .matches <<<"$out")" = 1 ]; then
		pass yara/embed_subflows_as_captured
	else
		fail yara/embed_subflows_as_captured "$(jq -c '{matches, bad}' <<<"$out" 2>/dev/null || echo "$out")"
	fi
	# The default depth (1M) stops the scan before the marker (at 1.5M).
	replay yara_depth "$W/main.pcap" --yara "$W/rules/markers.yar"
	replay_ok yara_depth || return
	expect no_match_past_depth yara_depth 'all(.[]; .event != "signature_match")'
}

# Split markers. One marker at one offset lands across two subflows only
# if a scheduler switch falls inside it: luck. So the markers client sends
# nothing but markers, 25 bytes each, back to back, each numbered. Every
# switch of subflow in the stream then falls inside a marker unless its
# offset is a multiple of 25 (about 1 in 25), and a few hundred kB over two
# paths switch many times (measured here: every 40-50 segments, 7 to 10
# split markers in 20000): with both subflows carrying data, a stream of
# markers with no split one is a chance below 1 in 25^k for k switches.
# What does not depend on luck is checked exactly, against the capture
# (stream_check.py carriers): every marker matched, at 25 k; "split" true
# exactly when no one subflow carried all of the marker (any copy: the
# kernel also reinjects a range on another subflow, whole, which then did
# carry it all); "subflows" naming the subflows that carried it first and
# only subflows that carried some of it. And the raw capture, through
# ngrep: no single packet holds a marker said to be split, while one that
# one packet holds is found (ngrep works on this capture).
marker_capture() {
	local srv rc=0 src=0
	net_use off
	cap_start markers || { fail markers/capture "tcpdump did not start"; return 1; }
	netns_bg "$NS_SRV" "$XFER" server --listen 0.0.0.0 --port "$P_MARK" --once \
		--sha256-out "$W/markers.recv.sha" >"$W/markers.srv.log" 2>&1
	srv=$NETNS_BG_PID
	netns_wait_listen "$NS_SRV" "$P_MARK" 2>/dev/null
	netns_run "$NS_CLI" timeout 60 python3 "$CHECK" markers-client --connect "$SRV4_1" --port "$P_MARK" \
		--count "$MARKERS" --sha256-out "$W/markers.sent.sha" >"$W/markers.cli.log" 2>&1 || rc=$?
	netns_wait_pid "$srv" 600 || src=$?
	if [ "$rc" -ne 0 ] || [ "$src" -ne 0 ] || ! cmp -s "$W/markers.sent.sha" "$W/markers.recv.sha"; then
		fail markers/transfer "client exit $rc, server exit $src: $(cat "$W/markers.cli.log" "$W/markers.srv.log" | tail -3)"
		netns_capture_stop "${CAPS[@]}" >/dev/null 2>&1
		return 1
	fi
	cap_stop markers
}

test_yara_split() {
	local out n t hits bad=
	ready && on off && need marker_capture || return
	rules
	streams split "$W/markers.pcap" "$P_MARK" --yara "$W/rules/markers.yar" || return
	same_sha split/a2b_sha256 "$W/split.d/$CONN.a2b" "$W/markers.sent.sha"
	expect every_marker split '[.[] | select(.event == "signature_match" and .rule == "mpx_dense" and .conn == $c)]
		| length == '"$MARKERS"' and all(.[]; .dir == "a2b" and .len == 25)
		and ([.[].offset] | sort) == [range(0; '"$MARKERS"') | . * 25]'
	if out=$("$CHECK" carriers "$W/markers.pcap" --port "$P_MARK" --dir a2b --events "$W/split.json" \
		--conn "$CONN" --rule mpx_dense --markers "$MARKERS" 2>&1); then
		pass split/subflows_as_captured
	else
		fail split/subflows_as_captured "$(jq -c '{bad_count, bad}' <<<"$out" 2>/dev/null || echo "$out")"
	fi
	n=$(jq '.subflows_carrying | length' <<<"$out" 2>/dev/null || echo 0)
	if [ "${n:-0}" -lt 2 ]; then
		fail split/two_subflows_carried "subflows that carried the markers: $(jq -c .subflows_carrying <<<"$out" 2>/dev/null)"
		return
	fi
	expect some_split split '[.[] | select(.event == "signature_match" and .rule == "mpx_dense" and .split == true)] | length >= 1'
	echo "note: split: $(jq -r '"\(.split) of \(.matches) markers split (\(.first_carriers_split) over the first copies), subflows \(.subflows_carrying)"' <<<"$out")"
	# The raw capture: no single packet holds a marker that mptcp-xdp
	# says is split (the k-th marker, at 25 k, reads MPXSPLITMARKER-k).
	while read -r n; do
		t=$(printf 'MPXSPLITMARKER-%010d' "$n")
		hits=$(ngrep -I "$W/markers.pcap" -q -W none "$t" 2>/dev/null | grep -c '^T ')
		[ "$hits" -eq 0 ] || bad+=" $t:$hits"
	done < <(jq -r 'select(.event == "signature_match" and .rule == "mpx_dense" and .split == true) | .offset / 25' "$W/split.json" | head -20)
	if [ -z "$bad" ]; then
		pass split/split_markers_in_no_packet
	else
		fail split/split_markers_in_no_packet "packets holding a marker said split (marker:packets):$bad"
	fi
	t=$(jq -r '.whole_texts[0] // empty' <<<"$out" 2>/dev/null)
	if [ -n "$t" ] && ngrep -I "$W/markers.pcap" -q -W none "$t" 2>/dev/null | grep -q '^T '; then
		pass split/ngrep_finds_whole_marker
	else
		fail split/ngrep_finds_whole_marker "ngrep did not find '$t', which one packet holds"
	fi
}

# ---- 8: single path ----------------------------------------------------------

test_single_path() {
	local f a2b b2a tuple want out
	main || return
	rm -rf "$W/sp.d" "$W/sp.flow"
	mkdir -p "$W/sp.d" "$W/sp.flow"
	replay sp "$W/main.pcap" --single-path "$W/sp.pcap" --streams "$W/sp.d" --stream-depth 0
	replay_ok sp || return
	conn_of sp "$P_MAIN" || return
	if [ -n "$(tshark -r "$W/sp.pcap" -T fields -e frame.number 2>/dev/null | head -1)" ] &&
		[ -z "$(tshark -r "$W/sp.pcap" -Y mptcp 2>/dev/null)" ]; then
		pass sp/no_mptcp_options
	else
		fail sp/no_mptcp_options "$(tshark -r "$W/sp.pcap" -Y mptcp 2>&1 | grep -v 'Running as user' | head -2)"
	fi
	# One TCP connection, on the initial subflow's 4-tuple.
	want=$(jq -r --arg c "$CONN" 'select(.event == "connection_closed" and .conn == $c)
		| .subflows[] | select(.role == "initial") | "\(.src) \(.sport) \(.dst) \(.dport)"' "$W/sp.json")
	tuple=$(tshark -r "$W/sp.pcap" -Y "tcp.port == $P_MAIN && tcp.flags.syn == 1 && tcp.flags.ack == 0" \
		-T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport 2>/dev/null | tr '\t' ' ')
	if [ -n "$want" ] && [ "$tuple" = "$want" ] &&
		[ "$(tshark -r "$W/sp.pcap" -Y "tcp.port == $P_MAIN" -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)" -eq 1 ]; then
		pass sp/one_tcp_connection_initial_tuple
	else
		fail sp/one_tcp_connection_initial_tuple "SYN ${tuple:-none}, initial subflow ${want:-none}"
	fi
	# Its ISNs are the low 32 bits of the IDSNs (the low 64 bits of
	# SHA-256 of each side's key, RFC 8684 section 3.1, computed here from
	# the summary's keys), and no segment is over 1400 bytes.
	local isns idsns
	isns=$(tshark -r "$W/sp.pcap" -Y "tcp.port == $P_MAIN && tcp.flags.syn == 1" -T fields -e tcp.seq_raw 2>/dev/null | tr '\n' ' ')
	idsns=$(jq -r --arg c "$CONN" 'select(.event == "connection_closed" and .conn == $c) | .key_a, .key_b' "$W/sp.json" |
		python3 -c 'import hashlib, sys
print(" ".join(str(int.from_bytes(hashlib.sha256(bytes.fromhex(k.strip())).digest()[-4:], "big")) for k in sys.stdin) + " ")')
	if [ -n "$isns" ] && [ "$isns" = "$idsns" ]; then
		pass sp/isn_is_idsn
	else
		fail sp/isn_is_idsn "SYN, SYN/ACK ISNs: ${isns:-none}; low 32 bits of IDSN a, b: $idsns"
	fi
	if [ "$(tshark -r "$W/sp.pcap" -Y "tcp.port == $P_MAIN" -T fields -e tcp.len 2>/dev/null | sort -n | tail -1)" -le 1400 ]; then
		pass sp/segments_at_most_1400
	else
		fail sp/segments_at_most_1400 "largest: $(tshark -r "$W/sp.pcap" -Y "tcp.port == $P_MAIN" -T fields -e tcp.len 2>/dev/null | sort -n | tail -1)"
	fi
	# tcpflow: one file per direction (names: zero-padded address, 5-digit port).
	(cd "$W/sp.flow" && tcpflow -r "$W/sp.pcap" -o . >/dev/null 2>&1)
	# shellcheck disable=SC2034 # read through ${!f}
	a2b='' b2a=''
	for f in "$W"/sp.flow/*; do
		# shellcheck disable=SC2034 # read through ${!f}
		case ${f##*/} in
		*-*."$(printf %05d "$P_MAIN")") a2b=$f ;;
		*."$(printf %05d "$P_MAIN")"-*) b2a=$f ;;
		esac
	done
	for f in a2b b2a; do
		if [ -n "${!f}" ] && cmp -s "${!f}" "$W/sp.d/$CONN.$f"; then
			pass "sp/tcpflow_$f"
		else
			fail "sp/tcpflow_$f" "tcpflow's ${!f:-(none: $(find "$W/sp.flow" -type f -printf '%f '))} differs from the stream file"
		fi
	done
	# tshark's own reassembly of the same connection.
	local idx
	idx=$(tshark -r "$W/sp.pcap" -Y "tcp.port == $P_MAIN" -T fields -e tcp.stream 2>/dev/null | head -1)
	tshark -r "$W/sp.pcap" -q -z "follow,tcp,raw,${idx:-0}" >"$W/sp.follow" 2>/dev/null
	if out=$("$CHECK" follow-raw "$W/sp.follow" "$W/sp.follow.a2b" "$W/sp.follow.b2a" 2>&1) &&
		[ "$(sha "$W/sp.follow.a2b")" = "$(cat "$W/main.sent.sha")" ] &&
		cmp -s "$W/sp.follow.b2a" "$W/sp.d/$CONN.b2a"; then
		pass sp/tshark_follow
	else
		fail sp/tshark_follow "$out; a2b sha256 $(sha "$W/sp.follow.a2b" 2>/dev/null), sent $(cat "$W/main.sent.sha")"
	fi
	# The plain TCP connection's frames, unchanged.
	if [ "$("$CHECK" frames "$W/main.pcap" --port "$P_PLAIN")" = "$("$CHECK" frames "$W/sp.pcap" --port "$P_PLAIN")" ] &&
		[ "$("$CHECK" frames "$W/main.pcap" --port "$P_PLAIN" | cut -d' ' -f1)" -gt 0 ]; then
		pass sp/non_mptcp_frames_unchanged
	else
		fail sp/non_mptcp_frames_unchanged "in: $("$CHECK" frames "$W/main.pcap" --port "$P_PLAIN"), out: $("$CHECK" frames "$W/sp.pcap" --port "$P_PLAIN")"
	fi
}

# ---- 9: live ----------------------------------------------------------------

# live NAME NET PORT: `load s1 s2 --streams` in NET's server namespace
# during a transfer, then SIGINT; the files are what went through.
live() {
	local name=$1 net=$2 port=$3
	ready && on "$net" || return
	rm -rf "$W/$name.d"
	mkdir -p "$W/$name.d"
	start_daemon "$name" --streams "$W/$name.d" --stream-depth 0 || return
	if ! xfer "$name" "$SRV4_1" "$port"; then
		halt_daemon INT
		return
	fi
	sleep 0.5
	stop_daemon "$name" INT
	cp "$W/$name.out" "$W/$name.json"
	if grep -q '"records_lost"' "$W/$name.out"; then
		echo "note: $name: $(grep -m1 '"records_lost"' "$W/$name.out")"
	fi
	conn_of "$name" "$port" || return
	hashes "$name" "$W/$name.d" "$name"
	complete "$name"
	expect no_data_anomaly "$name" "$DATA_ANOMALY"
}
test_live() { live live off "$P_LIVE"; }
test_live_offloads_keep() { live live_keep keep "$P_LIVE_KEEP"; }

# ---- 10: bad input ----------------------------------------------------------

# tiny_pcap (set-up): $W/tiny.pcap, one Ethernet frame with an MP_CAPABLE
# SYN, so that the bad options below, not the capture, are what fails.
tiny_pcap() {
	[ -n "$W" ] || run_dir
	python3 - "$W/tiny.pcap" <<'EOF'
import struct, sys
opt = bytes([30, 4, 0x01, 0x81])  # MP_CAPABLE v1, SYN form
tcp = struct.pack(">HHIIBBHHH", 40000, 5201, 1, 0, (20 + len(opt)) // 4 << 4, 0x02, 64240, 0, 0) + opt
ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                 bytes([198, 18, 1, 1]), bytes([198, 18, 1, 2]))
eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
frame = eth + ip + tcp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1, 0, len(frame), len(frame)) + frame)
EOF
}

# help_exit_code REGEX: the exit code whose meaning in `mptcp-xdp --help`
# matches REGEX (read from the help, not assumed).
help_exit_code() {
	"$MPTCP_XDP" --help 2>&1 | tr '\n' ' ' | tr -s ' ' | grep -o 'Exit codes:[^.]*' |
		sed 's/^Exit codes://' | tr ',' '\n' | grep -iE -e "$1" | grep -oE '^ *[0-9]+' | tr -d ' ' | head -1
}

test_bad_yara_rules() {
	local code rc
	ready && need tiny_pcap || return
	printf 'rule broken {\n  strings: $a = "x"\n  condition: $a and\n}\n' >"$W/rules/broken.yar"
	code=$(help_exit_code 'yara|rules')
	"$MPTCP_XDP" replay --engine host --yara "$W/rules/broken.yar" "$W/tiny.pcap" \
		>"$W/badyara.out" 2>"$W/badyara.err"
	rc=$?
	if [ -z "$code" ]; then
		fail bad_yara/documented_exit_code "mptcp-xdp --help documents no exit code for YARA rules"
	elif [ "$rc" -eq "$code" ]; then
		pass bad_yara/documented_exit_code
	else
		fail bad_yara/documented_exit_code "exit $rc, --help says $code: $(cat "$W/badyara.err")"
	fi
	if [ "$(wc -l <"$W/badyara.err")" -eq 1 ] && grep -q '^mptcp-xdp: .*broken\.yar' "$W/badyara.err"; then
		pass bad_yara/one_line_naming_file
	else
		fail bad_yara/one_line_naming_file "stderr: $(head -c 400 "$W/badyara.err")"
	fi
	if [ ! -s "$W/badyara.out" ]; then pass bad_yara/no_output; else fail bad_yara/no_output "$(head -2 "$W/badyara.out")"; fi
}

test_streams_on_regular_file() {
	local rc code
	ready && need tiny_pcap || return
	echo notadir >"$W/regular"
	"$MPTCP_XDP" replay --engine host --streams "$W/regular" "$W/tiny.pcap" \
		>"$W/notdir.out" 2>"$W/notdir.err"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$(wc -l <"$W/notdir.err")" -eq 1 ] && grep -q '^mptcp-xdp: ' "$W/notdir.err"; then
		pass streams_not_dir/one_line_error
	else
		fail streams_not_dir/one_line_error "exit $rc: $(head -c 400 "$W/notdir.err")"
	fi
	code=$(help_exit_code '--streams')
	if [ -n "$code" ] && [ "$rc" -eq "$code" ]; then
		pass streams_not_dir/documented_exit_code
	else
		fail streams_not_dir/documented_exit_code "exit $rc, --help says ${code:-nothing} for --streams"
	fi
	if [ "$(cat "$W/regular")" = notadir ]; then pass streams_not_dir/file_untouched; else fail streams_not_dir/file_untouched "changed"; fi
}

test_bad_size() {
	local rc v
	ready && need tiny_pcap || return
	for v in 12Q -1 ""; do
		"$MPTCP_XDP" replay --engine host --streams "$W" --stream-depth "$v" "$W/tiny.pcap" \
			>/dev/null 2>"$W/badsize.err"
		rc=$?
		if [ "$rc" -eq 2 ] && [ "$(wc -l <"$W/badsize.err")" -eq 1 ]; then
			pass "bad_size/stream_depth_'$v'"
		else
			fail "bad_size/stream_depth_'$v'" "exit $rc: $(head -c 300 "$W/badsize.err")"
		fi
	done
}

# ---- last: nothing left behind --------------------------------------------------

test_teardown_leaves_nothing() {
	local left
	need_root "network namespaces need root" || return
	keep_files
	netns_teardown
	left=$(ip netns list 2>/dev/null | grep -c "^$NETNS_TAG" || true)
	if [ "$left" -eq 0 ] && { [ -z "$W" ] || [ ! -e "$W" ]; }; then
		pass teardown_leaves_nothing
	else
		fail teardown_leaves_nothing "$(ip netns list | grep "^$NETNS_TAG") $W"
	fi
}

run_tests "$SUITE"
