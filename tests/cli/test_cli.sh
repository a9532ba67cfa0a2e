#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The command line: every bad input gets a one-line error on stderr and its
# documented exit code (user/cli/exit_codes.h, docs/mptcp-xdp.8).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
V0="$SHARED_PCAPS/tcpdump_mptcp-v0.pcap"
PCAPNG="$SHARED_PCAPS/pymptcpanalyzer_client_2.pcap"

# expect NAME CODE ARGS...: exit code CODE, and for errors exactly one line
# on stderr starting with "mptcp-xdp: ".
expect() {
	local name=$1 want=$2
	shift 2
	"$MPTCP_XDP" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit $rc, want $want; stderr: $(head -2 "$tmp/err")"
		return
	fi
	if [ "$want" -ne 0 ] && { [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q '^mptcp-xdp: ' "$tmp/err"; }; then
		fail "$name" "want one 'mptcp-xdp: ' line on stderr, got: $(cat "$tmp/err")"
		return
	fi
	pass "$name"
}

# unprivileged ARGS...: mptcp-xdp ARGS as nobody (uid 65534), with no
# capability at all. Acting as another user needs root and setpriv
# (need_setpriv skips the test otherwise).
unprivileged() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- "$MPTCP_XDP" "$@"
}
need_setpriv() {
	if is_root && command -v setpriv >/dev/null; then return 0; fi
	skip "$T_CURRENT" "needs root and setpriv to act as another user"
	return 1
}
# A copy of the v0 capture nobody may read, and one anybody may.
unprivileged_files() {
	cp "$V0" "$tmp/secret.pcap" && chmod 600 "$tmp/secret.pcap" &&
		cp "$V0" "$tmp/open.pcap" && chmod 644 "$tmp/open.pcap" &&
		chmod 755 "$tmp" || { fail unprivileged_files "cannot copy $V0 into $tmp"; return 1; }
}

test_usage_errors() {
	expect no_args 2
	expect unknown_command 2 frobnicate
	expect replay_no_file 2 replay
	expect replay_two_files 2 replay "$V0" "$V0"
	expect replay_unknown_flag 2 replay --bogus "$V0"
	expect replay_bad_engine 2 replay --engine gpu "$V0"
	expect replay_bad_dss 2 replay --dss sample:0 "$V0"
	expect replay_bad_dss_word 2 replay --dss some "$V0"
	expect replay_bad_events 2 replay --events everything "$V0"
	expect replay_bad_kinds 2 replay --kinds mp_nothing "$V0"
	expect replay_bad_format 2 replay --format xml "$V0"
	expect replay_raw_not_text 2 replay --events raw --format text "$V0"
	expect replay_bad_max_conns 2 replay --max-conns 0 "$V0"
	expect load_no_iface 2 load
	expect load_unknown_flag 2 load --bogus lo
	expect load_bad_xdp_mode 2 load --xdp-mode turbo lo
	expect load_bad_ingress 2 load --ingress xdp lo
	expect load_ingress_no_value 2 load lo --ingress
	expect load_iface_twice 2 load lo lo
	expect load_bad_metrics 2 load --metrics 127.0.0.1 lo
	expect load_raw_not_zeek 2 load --events all --format zeek lo
	expect unload_no_iface 2 unload
	expect status_extra_arg 2 status now
	# Conflicting or misplaced flags.
	expect replay_hold_without_metrics 2 replay --metrics-hold "$V0"
	expect replay_load_only_flag 2 replay --xdp-mode native "$V0"
	expect replay_ingress_load_only 2 replay --ingress tc "$V0"
	expect load_raw_not_text 2 load --events raw --format text lo
}

# The data level's options (README.md, "The data level"): each mistake is
# found before the first frame, with its own exit code.
test_data_level_errors() {
	printf 'rule broken {\n  strings: $a = "x"\n  condition: $a and\n}\n' >"$tmp/bad.yar"
	printf 'rule fine { strings: $a = "MPTCP" condition: $a }\n' >"$tmp/ok.yar"
	: >"$tmp/a-file"
	expect streams_with_raw_events 2 replay --engine host --events raw --streams "$tmp/s1" "$V0"
	expect stream_depth_not_bytes 2 replay --engine host --stream-depth 10X "$V0"
	expect memcap_not_bytes 2 replay --engine host --reassembly-memcap -5 "$V0"
	expect load_streams_dss_edges 2 load --streams "$tmp/s1" --dss edges lo
	expect yara_rules_do_not_compile 15 replay --engine host --yara "$tmp/bad.yar" "$V0"
	expect yara_rules_missing 15 replay --engine host --yara "$tmp/nope.yar" "$V0"
	expect streams_dir_is_a_file 16 replay --engine host --streams "$tmp/a-file" "$V0"
	expect streams_dir_parent_missing 16 replay --engine host --streams "$tmp/no/such/dir" "$V0"
	expect single_path_unwritable 16 replay --engine host --single-path "$tmp/no/such/out.pcap" "$V0"
	expect data_level_all_three 0 replay --engine host --streams "$tmp/s2" --single-path "$tmp/sp.pcap" --yara "$tmp/ok.yar" "$V0"
}

# The yara error names the file and the line the compiler stopped at.
test_yara_error_names_file_and_line() {
	printf 'rule broken {\n  strings: $a = "x"\n  condition: $a and\n}\n' >"$tmp/bad2.yar"
	"$MPTCP_XDP" replay --engine host --yara "$tmp/bad2.yar" "$V0" >/dev/null 2>"$tmp/err"
	if grep -q "bad2.yar.*line [0-9]" "$tmp/err"; then
		pass yara_error_names_file_and_line
	else
		fail yara_error_names_file_and_line "stderr: $(cat "$tmp/err")"
	fi
}

# Many sensors (README.md, "Many sensors"): the options' mistakes, and a
# Redis nobody listens for (port 1 on loopback: refused at once).
test_publish_errors() {
	expect sensor_without_publish 2 replay --engine host --sensor s1 "$V0"
	expect shards_without_publish 2 replay --engine host --shards 2 "$V0"
	expect publish_not_redis_url 2 replay --engine host --publish http://127.0.0.1/k "$V0"
	expect publish_shards_zero 2 replay --engine host --publish redis://127.0.0.1:1/k --shards 0 "$V0"
	expect publish_redis_refused 17 replay --engine host --publish redis://127.0.0.1:1/k "$V0"
	expect correlate_without_from 2 correlate
	expect correlate_no_key 2 correlate --from redis://127.0.0.1/
	expect correlate_redis_refused 17 correlate --from redis://127.0.0.1:1/k
	expect correlate_unknown_flag 2 correlate --from redis://127.0.0.1:1/k --bogus
}

test_unload_unknown_iface() {
	expect unload_unknown_iface 11 unload nosuch0
}

test_help_and_version() {
	expect help 0 help
	expect version 0 version
}

# --help lists --ingress and its four values; a bad value names them.
test_help_lists_ingress() {
	local out
	out=$("$MPTCP_XDP" load --help 2>&1)
	if grep -q -- '--ingress auto|xdp-native|xdp-generic|tc' <<<"$out"; then
		pass help_lists_ingress
	else
		fail help_lists_ingress "no --ingress in load --help"
	fi
	out=$("$MPTCP_XDP" load --ingress turbo lo 2>&1)
	if grep -q -- '--ingress takes auto, xdp-native, xdp-generic or tc' <<<"$out" &&
		[ "$(wc -l <<<"$out")" -le 2 ]; then
		pass bad_ingress_names_values
	else
		fail bad_ingress_names_values "$out"
	fi
}

test_missing_file() {
	expect missing_file 3 replay --engine host "$tmp/does-not-exist.pcap"
}

test_directory() {
	mkdir -p "$tmp/dir.pcap"
	expect directory 4 replay --engine host "$tmp/dir.pcap"
}

test_not_a_capture() {
	: >"$tmp/empty.pcap"
	expect empty_file 5 replay --engine host "$tmp/empty.pcap"
	echo "this is not a capture, just some text" >"$tmp/text.pcap"
	expect text_file 5 replay --engine host "$tmp/text.pcap"
}

# A pcap header with link type 105 (IEEE 802.11): valid, not supported.
test_unsupported_linktype() {
	printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x69\x00\x00\x00' >"$tmp/wifi.pcap"
	expect unsupported_linktype 7 replay --engine host "$tmp/wifi.pcap"
}

# Unreadable: as an unprivileged user (root reads anything).
test_unreadable() {
	need_setpriv || return
	need unprivileged_files || return
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$MPTCP_XDP" replay --engine host "$tmp/secret.pcap" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq 4 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then pass unreadable; else fail unreadable "exit $rc: $(cat "$tmp/err")"; fi
}

# The BPF engine without privilege: exit 9, and auto falls back.
test_bpf_without_privilege() {
	need_setpriv || return
	need unprivileged_files || return
	unprivileged replay --engine bpf "$tmp/open.pcap" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq 9 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then pass bpf_without_privilege; else fail bpf_without_privilege "exit $rc: $(cat "$tmp/err")"; fi
}

test_auto_falls_back_to_host() {
	need_setpriv || return
	need unprivileged_files || return
	unprivileged replay "$tmp/open.pcap" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq 0 ] && grep -q 'notice: .*host engine' "$tmp/err" && [ -s "$tmp/out" ]; then
		pass auto_falls_back_to_host
	else
		fail auto_falls_back_to_host "exit $rc: $(cat "$tmp/err")"
	fi
}

# load without privilege: exit 9, one line, nothing attached.
test_load_without_privilege() {
	need_setpriv || return
	unprivileged load --metrics off lo >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq 9 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then pass load_without_privilege; else fail load_without_privilege "exit $rc: $(cat "$tmp/err")"; fi
}

# unload without privilege: exit 9 and one line naming the capabilities,
# not "nothing attached" (it could not even have looked).
test_unload_without_privilege() {
	need_setpriv || return
	unprivileged unload lo >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq 9 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'CAP_NET_ADMIN' "$tmp/err" && [ ! -s "$tmp/out" ]; then
		pass unload_without_privilege
	else
		fail unload_without_privilege "exit $rc: $(cat "$tmp/err" "$tmp/out")"
	fi
}

# A snaplen shorter than the headers: the frames are still read, but their
# options were not: exit 14, one line with how many frames (tshark counts
# the frames cut short, independently).
test_snaplen_cuts_headers() {
	local rc n want
	editcap -s 40 "$V0" "$tmp/snap40.pcap" >/dev/null 2>&1 || { fail snaplen_cuts_headers "editcap failed"; return; }
	want=$(tshark -n -r "$tmp/snap40.pcap" -Y 'frame.cap_len < frame.len' 2>/dev/null | wc -l)
	"$MPTCP_XDP" replay --engine host --events raw "$tmp/snap40.pcap" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 14 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ "$want" -gt 0 ] &&
		grep -q "^mptcp-xdp: .*: $want frames were captured short of their headers" "$tmp/err"; then
		pass snaplen_cuts_headers
	else
		fail snaplen_cuts_headers "exit $rc, tshark counts $want cut frames: $(cat "$tmp/err")"
	fi
}

# A snaplen that cuts only payload loses nothing the inspector reads: the
# same records as the whole capture, exit 0.
test_snaplen_cuts_only_payload() {
	local rc
	editcap -s 120 "$V0" "$tmp/snap120.pcap" >/dev/null 2>&1 || { fail snaplen_cuts_only_payload "editcap failed"; return; }
	"$MPTCP_XDP" replay --engine host --events raw "$V0" >"$tmp/whole.jsonl" 2>/dev/null
	"$MPTCP_XDP" replay --engine host --events raw "$tmp/snap120.pcap" >"$tmp/snap120.jsonl" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$tmp/whole.jsonl" ] && cmp -s "$tmp/whole.jsonl" "$tmp/snap120.jsonl"; then
		pass snaplen_cuts_only_payload
	else
		fail snaplen_cuts_only_payload "exit $rc: $(cat "$tmp/err")"
	fi
}

# A record header claiming a frame longer than any snaplen: exit 6 and one
# line, whatever came before printed.
test_bogus_record_length() {
	{ head -c 24 "$V0"; printf '\x00\x00\x00\x00\x00\x00\x00\x00\x40\x42\x0f\x00\x40\x42\x0f\x00'; } >"$tmp/bogus.pcap"
	expect bogus_record_length 6 replay --engine host "$tmp/bogus.pcap"
}

# Fuzzed frames (bytes of a real capture flipped, a fixed seed): the run
# ends normally and every line it wrote is a JSON object.
test_fuzzed_frames() {
	local rc
	python3 - "$V0" "$tmp/fuzzed.pcap" <<'PY' || { fail fuzzed_frames "cannot write the fuzzed capture"; return; }
import random, struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
rnd = random.Random(6824)
off = 24
while off + 16 <= len(data):
    caplen = struct.unpack('<I', data[off + 8:off + 12])[0]
    start, end = off + 16, min(off + 16 + caplen, len(data))
    for _ in range(8):  # flip 8 bytes of every frame past Ethernet
        if end - start > 14:
            data[rnd.randrange(start + 14, end)] = rnd.getrandbits(8)
    off = end
open(sys.argv[2], 'wb').write(data)
PY
	"$MPTCP_XDP" replay --engine host --events all "$tmp/fuzzed.pcap" >"$tmp/fuzzed.jsonl" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$tmp/fuzzed.jsonl" ] && jq -e . "$tmp/fuzzed.jsonl" >/dev/null 2>&1; then
		pass fuzzed_frames
	else
		fail fuzzed_frames "exit $rc: $(head -2 "$tmp/err")"
	fi
}

# Truncated: the last record cut short. Everything before it is printed,
# identical to the full run, then exit 6.
test_truncated_keeps_what_came_before() {
	local size rc n
	"$MPTCP_XDP" replay --engine host --events raw "$V0" >"$tmp/full.jsonl" 2>/dev/null
	size=$(stat -c %s "$V0")
	head -c $((size - 30)) "$V0" >"$tmp/cut.pcap"
	"$MPTCP_XDP" replay --engine host --events raw "$tmp/cut.pcap" >"$tmp/cut.jsonl" 2>"$tmp/err"
	rc=$?
	n=$(wc -l <"$tmp/cut.jsonl")
	if [ "$rc" -eq 6 ] && [ "$n" -gt 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		cmp -s "$tmp/cut.jsonl" <(head -n "$n" "$tmp/full.jsonl"); then
		pass truncated_keeps_what_came_before
	else
		fail truncated_keeps_what_came_before "exit $rc, $n records, stderr: $(cat "$tmp/err")"
	fi
}

# pcapng cut inside a block: the same.
test_pcapng_truncated() {
	local size rc n
	"$MPTCP_XDP" replay --engine host --events raw "$PCAPNG" >"$tmp/ng_full.jsonl" 2>/dev/null
	size=$(stat -c %s "$PCAPNG")
	head -c $((size / 2)) "$PCAPNG" >"$tmp/ng_cut.pcap"
	"$MPTCP_XDP" replay --engine host --events raw "$tmp/ng_cut.pcap" >"$tmp/ng_cut.jsonl" 2>"$tmp/err"
	rc=$?
	n=$(wc -l <"$tmp/ng_cut.jsonl")
	if [ "$rc" -eq 6 ] && [ "$n" -gt 0 ] && cmp -s "$tmp/ng_cut.jsonl" <(head -n "$n" "$tmp/ng_full.jsonl"); then
		pass pcapng_truncated
	else
		fail pcapng_truncated "exit $rc, $n records, stderr: $(cat "$tmp/err")"
	fi
}

# Classic pcap is read by capture.c itself, handing over to libpcap at the
# first record it does not take whole: the output is libpcap's. The same
# frames as pcapng (libpcap all along), with nanosecond timestamps, and a
# header snaplen of 100 (libpcap cuts the longer records from the first
# one on) against the records cut to 100 bytes in the file (read here).
test_classic_reader_as_libpcap() {
	local ok=1 a b
	editcap -F pcapng "$V0" "$tmp/v0.pcapng" >/dev/null 2>&1 &&
		editcap -F nsecpcap "$V0" "$tmp/v0_nsec.pcap" >/dev/null 2>&1 &&
		editcap -s 100 "$V0" "$tmp/v0_cut100.pcap" >/dev/null 2>&1 &&
		python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[16:20] = (100).to_bytes(4, "little"); open(sys.argv[2], "wb").write(d)' \
			"$V0" "$tmp/v0_snap100.pcap" || { fail classic_reader_as_libpcap "cannot write the captures"; return; }
	for pair in "$V0 $tmp/v0.pcapng" "$tmp/v0_nsec.pcap $tmp/v0.pcapng" "$tmp/v0_snap100.pcap $tmp/v0_cut100.pcap"; do
		read -r a b <<<"$pair"
		"$MPTCP_XDP" replay --engine host --events all --stats "$a" >"$tmp/a.jsonl" 2>"$tmp/a.err"
		echo "exit $?" >>"$tmp/a.err"
		"$MPTCP_XDP" replay --engine host --events all --stats "$b" >"$tmp/b.jsonl" 2>"$tmp/b.err"
		echo "exit $?" >>"$tmp/b.err"
		sed -i "s#$a#FILE#g" "$tmp/a.err"
		sed -i "s#$b#FILE#g" "$tmp/b.err"
		if [ ! -s "$tmp/a.jsonl" ] || ! cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || ! cmp -s "$tmp/a.err" "$tmp/b.err"; then
			ok=0
			fail classic_reader_as_libpcap "$a and $b differ: $(diff "$tmp/a.err" "$tmp/b.err" | head -4)"
		fi
	done
	[ "$ok" -eq 0 ] || pass classic_reader_as_libpcap
}

# A closed pipe ends the run quietly: no error text.
test_closed_pipe_quiet() {
	"$MPTCP_XDP" replay --engine host "$PCAPNG" 2>"$tmp/err" | head -1 >/dev/null
	if [ ! -s "$tmp/err" ]; then pass closed_pipe_quiet; else fail closed_pipe_quiet "$(cat "$tmp/err")"; fi
}

# --kinds: only the asked-for kinds come out, the rest are counted.
test_kinds_filter() {
	"$MPTCP_XDP" replay --engine host --events raw --kinds mp_join --stats "$V0" >"$tmp/joins" 2>"$tmp/stats"
	if [ -s "$tmp/joins" ] && ! grep -qv '"event":"mp_join"' "$tmp/joins" &&
		grep -q '"kind_disabled":[1-9]' "$tmp/stats"; then
		pass kinds_filter
	else
		fail kinds_filter "$(head -2 "$tmp/joins")"
	fi
}

# --dss sample:N and edges give fewer DSS records than all.
dss_count() { "$MPTCP_XDP" replay --engine host --events raw --dss "$1" "$V0" | grep -c '"mp_dss"'; }
test_dss_sample() {
	local all s10
	all=$(dss_count all)
	s10=$(dss_count sample:10)
	if [ "$s10" -eq $(((all + 9) / 10)) ]; then pass dss_sample; else fail dss_sample "all=$all sample:10=$s10"; fi
}
test_dss_edges() {
	local all edges
	all=$(dss_count all)
	edges=$(dss_count edges)
	if [ "$edges" -gt 0 ] && [ "$edges" -lt "$all" ]; then pass dss_edges; else fail dss_edges "all=$all edges=$edges"; fi
}

run_tests cli
