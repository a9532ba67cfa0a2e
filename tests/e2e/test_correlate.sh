#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The correlator end to end: captures of real kernel MPTCP traffic (made in
# namespaces by make_capture.sh, IPv4 and IPv6) replayed through
# `mptcp-xdp replay`, and the connection events asserted with jq.
#
#  - benign captures: no anomaly at all; joins verified, ADD_ADDR HMACs
#    valid, REMOVE_ADDR, MP_PRIO, MP_FASTCLOSE with its key checked and
#    MP_TCPRST, fallback, 20 concurrent connections; complete summaries;
#  - both engines (host and bpf) print the same connection events;
#  - --format zeek and --format text are consistent with the JSON;
#  - forged captures (tests/tools/forge_pcap.py, one mutation each): each
#    is flagged with exactly the expected kind and nothing else;
#  - the connection bound: eviction counted and reported.
#
# Captures: tests/data/NAME.pcap when present (test_capture_replay.sh runs
# first in run_all.sh and leaves multipath_v4, multipath_v6, multipath_any,
# prio_v4, remove_v4, fastclose_v4, fallback_v4), else made here and left
# there too (also many_v4, prio_v6, remove_v6, fastclose_v6, fallback_v6).
# Set FRESH=1 to remake them all.
# shellcheck disable=SC2016 # single quotes hold jq filters: $x is jq's
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

SUITE=e2e_correlate
DATA="$ROOT/tests/data"
FORGE="$ROOT/tests/tools/forge_pcap.py"
export MPTCP_XFER="${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$DATA"
NS_TAG="mxcorr$$"

# ---- helpers -----------------------------------------------------------------

# ready: in a test, skips it unless root (a failure in CI), fails it when a
# tool or a binary is missing.
ready() {
	need_root "network namespaces and BPF need root" && need tools_ready
}
tools_ready() {
	local tool
	for tool in jq python3; do
		if ! command -v "$tool" >/dev/null; then
			fail "$SUITE" "$tool missing"
			return 1
		fi
	done
	if [ ! -x "$MPTCP_XFER" ] || [ ! -x "$MPTCP_XDP" ]; then
		fail "$SUITE" "missing $MPTCP_XDP or $MPTCP_XFER (make all test-binaries)"
		return 1
	fi
}

# The make_capture.sh arguments of each capture.
declare -A SCENARIO=(
	[multipath_v4]="--scenario multipath"
	[multipath_v6]="--ipv6 --scenario multipath"
	[multipath_any]="--scenario multipath --link any"
	[prio_v4]="--scenario prio" [prio_v6]="--scenario prio --ipv6"
	[remove_v4]="--scenario remove" [remove_v6]="--scenario remove --ipv6"
	[fastclose_v4]="--scenario fastclose" [fastclose_v6]="--scenario fastclose --ipv6"
	[fallback_v4]="--scenario fallback" [fallback_v6]="--scenario fallback --ipv6"
	[many_v4]="--scenario many"
)

# ensure NAME: tests/data/NAME.pcap, made if absent (set-up: `need ensure
# NAME` makes it once; a failure to make it fails, never passes).
ensure() {
	local name=$1 pcap="$DATA/$1.pcap"
	if [ -s "$pcap" ] && [ -z "${FRESH:-}" ]; then
		return 0
	fi
	# Our own namespace names, so that the final check looks at ours only
	# (other suites may be running theirs at the same time).
	# shellcheck disable=SC2086 # the arguments are words
	if ! NETNS_TAG="${NS_TAG}${name//_/}" "$ROOT/tests/e2e/make_capture.sh" "$pcap" ${SCENARIO[$name]} \
		>"$tmp/$name.mk" 2>&1; then
		fail "$name/capture" "$(tail -3 "$tmp/$name.mk")"
		return 1
	fi
}

# replay NAME PCAP: connection events of both engines into $tmp/NAME.json
# (host) and $tmp/NAME.bpf.json, which must be identical.
replay() {
	local name=$1 pcap=$2
	if ! "$MPTCP_XDP" replay --engine host "$pcap" >"$tmp/$name.json" 2>"$tmp/$name.err"; then
		fail "$name/replay" "$(tail -1 "$tmp/$name.err")"
		return 1
	fi
	if ! "$MPTCP_XDP" replay --engine bpf "$pcap" >"$tmp/$name.bpf.json" 2>"$tmp/$name.bpf.err"; then
		fail "$name/replay_bpf" "$(tail -1 "$tmp/$name.bpf.err")"
		return 1
	fi
	if cmp -s "$tmp/$name.json" "$tmp/$name.bpf.json"; then
		pass "$name/bpf_equals_host"
	else
		fail "$name/bpf_equals_host" "$(diff "$tmp/$name.json" "$tmp/$name.bpf.json" | head -4)"
	fi
	if [ -s "$tmp/$name.json" ] && jq -e . "$tmp/$name.json" >/dev/null 2>&1; then
		pass "$name/json_lines"
	else
		fail "$name/json_lines" "empty or not JSON"
		return 1
	fi
}

# expect NAME TEST FILTER: jq FILTER over the events of $tmp/TEST.json as one
# array must be true.
expect() {
	local name=$1 test=$2 filter=$3
	if jq -e -s "$filter" "$tmp/$test.json" >/dev/null 2>"$tmp/jq.err"; then
		pass "$test/$name"
	else
		fail "$test/$name" "not true: $filter $(head -1 "$tmp/jq.err")"
	fi
}

# Filters used more than once.
SUMMARIES='[.[] | select(.event == "connection_closed")]'
# Every summary: id, start, duration, end, anomalies; every subflow with its
# 4-tuple, role, counters and end, and at least one packet.
SUMMARY_SHAPE=$SUMMARIES' | length > 0 and all(.[];
	(.conn | test("^[0-9a-f]{16}$")) and (.start | type == "number")
	and (.duration | type == "number") and .duration >= 0
	and (.end | IN("data_fin", "fastclose", "subflows_closed", "fallback", "open", "evicted"))
	and (.anomalies | type == "array")
	and (.subflows | length >= 1)
	and all(.subflows[]; (.src | type == "string") and (.dst | type == "string")
		and .sport > 0 and .dport > 0 and (.role | IN("initial", "join"))
		and (.packets_fwd + .packets_rev) > 0
		and (.bytes_fwd | type == "number") and (.bytes_rev | type == "number")
		and (.end | IN("fin", "rst", "open"))))'
# MPTCP (not fallen back): both keys and tokens, fixed-width hex.
SUMMARY_KEYS=$SUMMARIES' | all(.[];
	(.version == 1) and (.key_a | test("^[0-9a-f]{16}$")) and (.key_b | test("^[0-9a-f]{16}$"))
	and (.token_a | test("^[0-9a-f]{8}$")) and (.token_b | test("^[0-9a-f]{8}$")))'
# Per connection: at least N joins with verified true.
verified_joins() {
	printf '. as $all | %s | length > 0 and all(.[]; .conn as $c |
		[$all[] | select(.event == "subflow_joined" and .conn == $c and .verified == true)]
		| length >= %d)' "$SUMMARIES" "$1"
}
NO_ANOMALY='all(.[]; .event != "anomaly" and .event != "join_unknown_token"
	and .event != "join_hmac_invalid" and .event != "mp_fail")
	and all(.[] | select(.event == "connection_closed"); .anomalies == [])'

# Tokens in the summaries are SHA-256 of the keys (RFC 8684 section 3.1),
# computed independently here.
tokens_match_keys() {
	python3 - "$1" <<'EOF'
import hashlib, json, sys
bad = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") != "connection_closed" or e.get("version") != 1:
        continue
    for side in "ab":
        if "key_" + side not in e:
            continue
        want = hashlib.sha256(bytes.fromhex(e["key_" + side])).hexdigest()[:8]
        if e["token_" + side] != want:
            print(f"{e['conn']}: token_{side} {e['token_' + side]}, want {want}")
            bad = 1
sys.exit(bad)
EOF
}

# The other formats on the same capture: text has one line per JSON event
# (same names, same order); zeek has the header, as many columns in each row
# as in #fields and #types, and one row per summary, with its uid.
formats() {
	local name=$1 pcap=$2
	"$MPTCP_XDP" replay --format text "$pcap" >"$tmp/$name.txt" 2>/dev/null
	if [ "$(jq -r .event "$tmp/$name.json")" = "$(awk '{print $3}' "$tmp/$name.txt")" ] &&
		! grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]{15}  [a-z_]+ ' "$tmp/$name.txt"; then
		pass "$name/text_one_line_per_event"
	else
		fail "$name/text_one_line_per_event" "$(diff <(jq -r .event "$tmp/$name.json") <(awk '{print $3}' "$tmp/$name.txt") | head -3)"
	fi
	"$MPTCP_XDP" replay --format zeek "$pcap" >"$tmp/$name.zeek" 2>/dev/null
	if out=$(python3 - "$tmp/$name.zeek" "$tmp/$name.json" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "no final newline"
lines = lines[:-1]
fixed = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
         "#unset_field\t-", "#path\tmptcp"]
assert lines[:5] == fixed, f"header {lines[:5]}"
assert lines[5].startswith("#open\t"), lines[5]
assert lines[-1].startswith("#close\t"), lines[-1]
fields = lines[6].split("\t")
types = lines[7].split("\t")
assert fields[0] == "#fields" and types[0] == "#types", (fields[0], types[0])
assert len(fields) == len(types) > 10, (len(fields), len(types))
rows = [l.split("\t") for l in lines[8:-1]]
for r in rows:
    assert len(r) == len(fields) - 1, f"{len(r)} columns: {r}"
summ = [json.loads(l) for l in open(sys.argv[2])]
summ = [e for e in summ if e["event"] == "connection_closed"]
assert len(rows) == len(summ), f"{len(rows)} rows, {len(summ)} summaries"
uid = fields.index("uid") - 1
assert [r[uid] for r in rows] == [e["conn"] for e in summ], "uids"
n = fields.index("n_subflows") - 1
assert [int(r[n]) for r in rows] == [len(e["subflows"]) for e in summ]
EOF
	); then
		pass "$name/zeek_consistent"
	else
		fail "$name/zeek_consistent" "$out"
	fi
}

# ---- benign captures ---------------------------------------------------------

# benign NAME: capture, replay, the checks every benign capture passes.
# Returns non-zero when there is nothing more to check.
benign() {
	local name=$1 out
	ready || return 1
	need ensure "$name" || return 1
	replay "$name" "$DATA/$name.pcap" || return 1
	expect no_anomaly "$name" "$NO_ANOMALY"
	expect summary_shape "$name" "$SUMMARY_SHAPE"
	if out=$(tokens_match_keys "$tmp/$name.json"); then
		pass "$name/tokens_match_keys"
	else
		fail "$name/tokens_match_keys" "$out"
	fi
}

# Two paths, a subflow endpoint and a signal endpoint: two joins per
# connection (RFC 8684 section 3.2), an ADD_ADDR (3.4.1), DATA_FIN (3.3).
multipath() {
	local name=$1
	benign "$name" || return
	expect keys_and_tokens "$name" "$SUMMARY_KEYS"
	expect two_joins_verified "$name" "$(verified_joins 2)"
	expect join_token_unique "$name" 'all(.[] | select(.event == "subflow_joined"); .token_match == "unique")'
	expect add_addr_hmac_valid "$name" '[.[] | select(.event == "add_addr" and .echo == false)]
		| length >= 1 and all(.[]; .hmac_valid == true and .by == "b")'
	expect add_addr_echo "$name" 'any(.[]; .event == "add_addr" and .echo == true and .hmac_valid == null)'
	expect end_data_fin "$name" "$SUMMARIES"' | length == 1 and all(.[]; .end == "data_fin" and (.subflows | length) == 3
		and ([.subflows[] | select(.role == "join" and .verified == true)] | length) == 2)'
	expect attempt_established "$name" '([.[] | select(.event == "mptcp_attempt")] | length) == 1
		and ([.[] | select(.event == "mptcp_established")] | length) == 1'
	expect subflow_closed_each "$name" '([.[] | select(.event == "subflow_closed")] | length) == 3'
	formats "$name" "$DATA/$name.pcap"
}
test_multipath_v4() { multipath multipath_v4; }
test_multipath_v6() { multipath multipath_v6; }
test_multipath_any() { multipath multipath_any; }

# MP_PRIO (RFC 8684 section 3.3.8): a path-2 endpoint turned backup.
prio() {
	local name=$1
	benign "$name" || return
	expect keys_and_tokens "$name" "$SUMMARY_KEYS"
	expect two_joins_verified "$name" "$(verified_joins 2)"
	expect prio_change_backup "$name" 'any(.[]; .event == "prio_change" and .backup == true and (.conn | length) == 16 and (.sport > 0))'
	expect summary_backup "$name" "$SUMMARIES"' | any(.[]; any(.subflows[]; .backup == true))'
}
test_prio_v4() { prio prio_v4; }
test_prio_v6() { prio prio_v6; }

# REMOVE_ADDR (RFC 8684 section 3.4.2): each side withdraws an address.
remove() {
	local name=$1
	benign "$name" || return
	expect keys_and_tokens "$name" "$SUMMARY_KEYS"
	expect two_joins_verified "$name" "$(verified_joins 2)"
	expect remove_addr_both_sides "$name" '([.[] | select(.event == "remove_addr") | .by] | unique) == ["a", "b"]
		and all(.[] | select(.event == "remove_addr"); (.addr_ids | length) >= 1)'
	expect removed_joins_closed "$name" '[.[] | select(.event == "subflow_closed" and .role == "join")] | length == 2'
}
test_remove_v4() { remove remove_v4; }
test_remove_v6() { remove remove_v6; }

# MP_FASTCLOSE with the receiver's key (RFC 8684 section 3.5) and MP_TCPRST
# (3.6) on the resets, from both sides.
fastclose() {
	local name=$1
	benign "$name" || return
	expect keys_and_tokens "$name" "$SUMMARY_KEYS"
	expect fastclose_key_valid "$name" '[.[] | select(.event == "fastclose")] | length >= 2 and all(.[]; .key_valid == true)'
	expect fastclose_both_keys "$name" '. as $all | [$all[] | select(.event == "fastclose") | .receiver_key] | unique as $k
		| [$all[] | select(.event == "connection_closed") | .key_a, .key_b] as $keys
		| all($k[]; . as $x | $keys | index($x) != null)'
	expect tcprst_reason "$name" '[.[] | select(.event == "tcprst")] | length >= 1
		and all(.[]; (.reason | type == "number") and (.reason_name | type == "string") and (.conn | length) == 16)'
	expect end_fastclose "$name" "$SUMMARIES"' | length == 2 and all(.[]; .end == "fastclose")'
	formats "$name" "$DATA/$name.pcap"
}
test_fastclose_v4() { fastclose fastclose_v4; }
test_fastclose_v6() { fastclose fastclose_v6; }

# Fallback to TCP (RFC 8684 section 3.7): the server is plain TCP.
fallback() {
	local name=$1
	benign "$name" || return
	expect mptcp_fallback "$name" '[.[] | select(.event == "mptcp_fallback")] | length == 1'
	expect end_fallback "$name" "$SUMMARIES"' | length == 1 and all(.[]; .end == "fallback" and .fallback == true
		and (.subflows | length) == 1 and .subflows[0].bytes_fwd > 0)'
	expect no_join "$name" 'all(.[]; .event != "subflow_joined" and .event != "mptcp_established")'
}
test_fallback_v4() { fallback fallback_v4; }
test_fallback_v6() { fallback fallback_v6; }

# 20 concurrent connections: 20 summaries, each with its subflows and bytes.
test_many_v4() {
	local name=many_v4
	benign "$name" || return
	expect keys_and_tokens "$name" "$SUMMARY_KEYS"
	expect twenty_summaries "$name" "$SUMMARIES"' | length == 20 and ([.[].conn] | unique | length) == 20
		and all(.[]; (.subflows | length) >= 1 and ([.subflows[] | .bytes_fwd + .bytes_rev] | add) > 0)'
	expect twenty_attempts "$name" '[.[] | select(.event == "mptcp_attempt")] | length == 20'
	expect joins_verified "$name" "$(verified_joins 1)"
	expect distinct_tokens "$name" "$SUMMARIES"' | ([.[].token_b] | unique | length) == 20'
	formats "$name" "$DATA/$name.pcap"
}

# The bound (docs/design.md: bounded state, eviction counted and reported): 4
# connections at most. How many of the 20 of many_v4 are evicted depends on
# how many overlapped when the capture was made (a loaded machine runs them
# more one after another: 5 were once), so: some are, each evicted one has a
# summary that says so, and no connection goes without one (an evicted
# connection seen again starts over midstream and gets its own).
test_many_v4_bound() {
	local name=many_v4 ev summ all
	ready || return
	need ensure "$name" || return
	if "$MPTCP_XDP" replay --max-conns 4 --stats "$DATA/$name.pcap" >"$tmp/bound.json" 2>"$tmp/bound.stats"; then
		ev=$(grep '"correlator"' "$tmp/bound.stats" | jq '.correlator.conns_evicted')
		summ=$(jq -s '[.[] | select(.event == "connection_closed" and .end == "evicted")] | length' "$tmp/bound.json")
		all=$(jq -s '[.[] | select(.event == "connection_closed")] | length' "$tmp/bound.json")
		if [ -n "$ev" ] && [ "$ev" -ge 1 ] && [ "$ev" = "$summ" ] && [ "$all" -ge 20 ]; then
			pass "$name/bound_evictions_reported"
		else
			fail "$name/bound_evictions_reported" "conns_evicted=$ev, evicted summaries=$summ, summaries=$all"
		fi
	else
		fail "$name/bound_replay" "$(tail -1 "$tmp/bound.stats")"
	fi
}

# v0 (RFC 6824, SHA-1) on a real capture of another project: the join's
# HMACs verify (docs/design.md: "both join HMACs check").
test_v0() {
	local v0="$SHARED_PCAPS/tcpdump_mptcp-v0.pcap"
	ready || return
	if [ ! -f "$v0" ]; then
		fail v0/capture "no $v0"
		return
	fi
	replay v0 "$v0" || return
	expect join_verified v0 '[.[] | select(.event == "subflow_joined")] | length == 1
		and all(.[]; .verified == true and .token == "e47f0142")'
	expect v0_tokens v0 "$SUMMARIES"' | all(.[]; .version == 0 and .token_b == "e47f0142")'
}

# ---- forged captures ----------------------------------------------------------

# forged MUTATION BASE: forge (set-up: fails, never passes) from BASE's
# capture, replay (both engines), the mutation's own evidence
# (FORGED_EVIDENCE, a jq filter), and exactly the expected anomaly event
# kinds and summary anomaly kinds (FORGED_KINDS, FORGED_SKINDS: JSON arrays,
# sorted).
declare -A FORGED_EVIDENCE FORGED_KINDS FORGED_SKINDS
forged() {
	local mut=$1 base=$2
	local name="forged_${mut}_$base" out
	ready || return
	need ensure "$base" || return
	if ! out=$(python3 "$FORGE" "$mut" "$DATA/$base.pcap" "$tmp/$name.pcap" 2>&1); then
		fail "$name/forge" "$out"
		return
	fi
	[ -z "${VERBOSE:-}" ] || echo "     $out"
	replay "$name" "$tmp/$name.pcap" || return
	expect evidence "$name" "${FORGED_EVIDENCE[$mut]}"
	expect anomaly_kinds "$name" "([.[] | select(.event == \"anomaly\") | .kind] | unique) == ${FORGED_KINDS[$mut]}"
	expect summary_kinds "$name" "([.[] | select(.event == \"connection_closed\") | .anomalies[]] | unique) == ${FORGED_SKINDS[$mut]}"
}

# forged_case MUTATION EVIDENCE ANOMALY_KINDS SUMMARY_KINDS BASE...: one test
# per base capture, test_forged_MUTATION_BASE.
forged_case() {
	local mut=$1 base
	FORGED_EVIDENCE[$mut]=$2 FORGED_KINDS[$mut]=$3 FORGED_SKINDS[$mut]=$4
	shift 4
	for base; do
		eval "test_forged_${mut}_$base() { forged $mut $base; }"
	done
}

# RFC 8684 section 3.2: a join naming a token nobody has.
forged_case join-unknown-token \
	'([.[] | select(.event == "join_unknown_token")] | length) == 1
	and all(.[] | select(.event == "join_unknown_token"); (.token | test("^[0-9a-f]{8}$")) and (.conn | length) == 16)
	and ([.[] | select(.event == "subflow_joined" and .verified == true)] | length) == 1
	and ([.[] | select(.event == "join_hmac_invalid")] | length) == 0' \
	'[]' '["join_unknown_token"]' multipath_v4 multipath_v6
# RFC 8684 section 3.2: the third ACK's HMAC does not check.
forged_case join-bad-ack-hmac \
	'([.[] | select(.event == "join_hmac_invalid")] | length) == 1
	and all(.[] | select(.event == "join_hmac_invalid"); .failed == "ack")
	and ([.[] | select(.event == "subflow_joined" and .verified == false)] | length) == 1
	and ([.[] | select(.event == "subflow_joined" and .verified == true)] | length) == 1
	and ([.[] | select(.event == "join_unknown_token")] | length) == 0' \
	'[]' '["join_hmac_invalid"]' multipath_v4 multipath_v6
# RFC 8684 section 3.1: the third ACK echoes another key than B's.
forged_case key-mismatch \
	'[.[] | select(.event == "anomaly")] | length == 1 and .[0].side == "b"' \
	'["key_mismatch"]' '["key_mismatch"]' multipath_v4 multipath_v6
# RFC 8684 section 3.4.1: the same id for another address, HMAC right.
forged_case addr-id-reuse \
	'([.[] | select(.event == "add_addr" and .echo == false)] | length == 2 and all(.[]; .hmac_valid == true))
	and ([.[] | select(.event == "anomaly")] | length) == 1' \
	'["addr_id_reuse"]' '["addr_id_reuse"]' multipath_v4 multipath_v6
# RFC 8684 section 3.7: MP_FAIL on a real connection.
forged_case mp-fail \
	'([.[] | select(.event == "mp_fail")] | length) == 1
	and ([.[] | select(.event == "anomaly")] | length) == 1
	and ([.[] | select(.event == "mp_fail")][0].conn | length) == 16' \
	'["mp_fail"]' '["mp_fail"]' multipath_v4 multipath_v6
# RFC 8684 section 3.5: MP_FASTCLOSE with a key that is not the receiver's;
# the other MP_FASTCLOSEs of the capture still check.
forged_case fastclose-bad-key \
	'([.[] | select(.event == "fastclose" and .key_valid == false)] | length) == 1
	and ([.[] | select(.event == "fastclose" and .key_valid == true)] | length) >= 1
	and ([.[] | select(.event == "anomaly")] | length) == 1' \
	'["fastclose_key_invalid"]' '["fastclose_key_invalid"]' fastclose_v4 fastclose_v6

# Nothing of the namespaces made for this suite may be left behind
# (whichever tests ran).
test_no_namespace_left() {
	local left
	need_root "network namespaces need root" || return
	left=$(ip netns list 2>/dev/null | grep -c "^$NS_TAG" || true)
	if [ "$left" -eq 0 ]; then pass no_namespace_left; else fail no_namespace_left "$(ip netns list | grep "^$NS_TAG")"; fi
}

run_tests "$SUITE"
