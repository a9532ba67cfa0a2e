#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# Detection end to end: the attacks of README.md "Detection" forged by
# build/tests/gen_detect (a join flood, an MPTCP scan, suspicious
# ADD_ADDRs) replayed through `mptcp-xdp replay --engine host`; each gives a
# handful of alerts of exactly its kind and none of the other two, with the
# counts the generator's JSON summary implies (never taken from the tool's
# output). Benign captures give none: the shared ones
# (../shared/testdata/pcaps, read in place) and the real kernel traffic the
# e2e suites leave in tests/data (made here with make_capture.sh if there
# is none).
# shellcheck disable=SC2016 # single quotes hold jq filters: $x is jq's
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

SUITE=e2e_detect
GEN="$ROOT/build/tests/gen_detect"
SHARED="${SHARED_PCAPS:-$ROOT/../shared/testdata/pcaps}"
DATA="$ROOT/tests/data"
export MPTCP_XFER="${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
KINDS='["join_flood","mptcp_scan","add_addr_suspicious"]'
# The defaults (README.md, "Detection"), which the expectations assume.
WINDOW=60
JOIN_THRESHOLD=50
MAX_SUBFLOWS=32 # MPX_SUM_MAX_SUBFLOWS

tools_ready() {
	if ! command -v jq >/dev/null; then
		fail "$SUITE" "jq missing"
		return 1
	fi
	if [ ! -x "$GEN" ] || [ ! -x "$MPTCP_XDP" ]; then
		fail "$SUITE" "missing $GEN or $MPTCP_XDP (make all test-binaries)"
		return 1
	fi
}

# forge MODE: $tmp/MODE.pcap and its summary $tmp/MODE.json (set-up).
forge() {
	need tools_ready || return 1
	if ! "$GEN" "$1" "$tmp/$1.pcap" >"$tmp/$1.json" 2>"$tmp/$1.err"; then
		fail "$1/forge" "$(cat "$tmp/$1.err")"
		return 1
	fi
}

# replay OUT PCAP [OPTION...]: the events as JSON lines in OUT.
replay() {
	local out=$1 pcap=$2
	shift 2
	"$MPTCP_XDP" replay --engine host "$@" "$pcap" >"$out" 2>"$out.err"
}

# alerts FILE KIND: how many anomaly events of KIND.
alerts() {
	jq -s --arg k "$2" '[.[] | select(.event == "anomaly" and .kind == $k)] | length' "$1"
}

# detections FILE: how many of the three kinds in all.
detections() {
	jq -s --argjson k "$KINDS" '[.[] | select(.event == "anomaly" and (.kind as $x | $k | index($x)))] | length' "$1"
}

# field FILE KIND FILTER: FILTER over the alerts of KIND, as one array.
field() {
	jq -s -c --arg k "$2" "[.[] | select(.event == \"anomaly\" and .kind == \$k) | $3]" "$1"
}

sum() { jq -r "$2" "$tmp/$1.json"; }

# between V LO HI: LO <= V <= HI.
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# ---- join_flood ----------------------------------------------------------

test_join_flood() {
	need forge join_flood || return
	local out=$tmp/jf.out joins keys want
	replay "$out" "$tmp/join_flood.pcap" || { fail join_flood "replay failed: $(cat "$out.err")"; return; }
	joins=$(sum join_flood .joins)
	# One alert per token and per destination over the threshold, the
	# flood being shorter than one window.
	keys=$(sum join_flood '.tokens + .destinations')
	want=$keys
	if [ "$joins" -lt "$JOIN_THRESHOLD" ]; then want=0; fi
	check "join_flood/span_in_window" [ "$(sum join_flood ".span_s < $WINDOW")" = true ]
	check "join_flood/count" [ "$(alerts "$out" join_flood)" -eq "$want" ]
	check "join_flood/handful" between "$want" 1 5
	check "join_flood/no_scan" [ "$(alerts "$out" mptcp_scan)" -eq 0 ]
	check "join_flood/no_add_addr" [ "$(alerts "$out" add_addr_suspicious)" -eq 0 ]
	check "join_flood/by_token" [ "$(field "$out" join_flood 'select(.by == "token") | .token')" = "[\"$(sum join_flood .token)\"]" ]
	check "join_flood/by_destination" [ "$(field "$out" join_flood 'select(.by == "destination") | .destination')" = '["198.18.1.2"]' ]
	check "join_flood/attempts_at_threshold" [ "$(field "$out" join_flood '.attempts' | jq 'all(. == '"$JOIN_THRESHOLD"')')" = true ]
	check "join_flood/sample" [ "$(field "$out" join_flood '.sample_sources | split(",") | length' | jq 'all(. >= 1 and . <= 4)')" = true ]
	check "join_flood/no_conn" [ "$(field "$out" join_flood '.conn' | jq 'all(. == null)')" = true ]
	# Counted: --stats and the metrics' anomalies_total share the counts.
	"$MPTCP_XDP" replay --engine host --stats "$tmp/join_flood.pcap" 2>"$tmp/jf.stats" >/dev/null
	check "join_flood/stats" [ "$(jq -s '[.[] | select(.correlator) | .correlator.anomalies.join_flood][0]' "$tmp/jf.stats")" -eq "$want" ]
	check "join_flood/text" [ "$("$MPTCP_XDP" replay --engine host --format text "$tmp/join_flood.pcap" | grep -c 'kind=join_flood')" -eq "$want" ]
	# Zeek: rows of their own log, mptcp_detect, in the same stream.
	"$MPTCP_XDP" replay --engine host --format zeek "$tmp/join_flood.pcap" >"$tmp/jf.zeek"
	check "join_flood/zeek" [ "$(awk -F'\t' '/^#path/ { p = $2 } !/^#/ && p == "mptcp_detect" && $2 == "join_flood"' "$tmp/jf.zeek" | wc -l)" -eq "$want" ]
	check "join_flood/zeek_summary" [ "$(awk -F'\t' '/^#path/ { p = $2 } !/^#/ && p == "mptcp"' "$tmp/jf.zeek" | wc -l)" -eq 1 ]
}

# The connection that absorbed the joins past the per-connection bound
# says how many in its summary.
test_joins_dropped() {
	need forge join_flood || return
	local out=$tmp/jd.out joins
	replay "$out" "$tmp/join_flood.pcap" || { fail joins_dropped "replay failed"; return; }
	joins=$(sum join_flood .joins)
	check "joins_dropped/summary" [ "$(jq -s '[.[] | select(.event == "connection_closed")] | length' "$out")" -eq 1 ]
	check "joins_dropped/count" [ "$(jq -s '[.[] | select(.event == "connection_closed") | .joins_dropped][0]' "$out")" -eq $((joins - MAX_SUBFLOWS)) ]
	check "joins_dropped/subflows" [ "$(jq -s '[.[] | select(.event == "connection_closed") | .subflows | length][0]' "$out")" -eq "$MAX_SUBFLOWS" ]
	"$MPTCP_XDP" replay --engine host --format text "$tmp/join_flood.pcap" >"$tmp/jd.txt" 2>/dev/null
	check "joins_dropped/text" grep -q "joins_dropped=$((joins - MAX_SUBFLOWS))" "$tmp/jd.txt"
}

# Shorter windows: one alert per key and window, the repeats saying how
# many joins they silenced.
test_join_flood_windows() {
	need forge join_flood || return
	local out=$tmp/jw.out w=2 windows keys
	replay "$out" "$tmp/join_flood.pcap" --detect-window "$w" || { fail join_flood_windows "replay failed"; return; }
	# Fixed windows from the first join, every one holding 1000 per second.
	windows=$(sum join_flood "(.span_s / $w | floor) + 1")
	keys=$(sum join_flood '.tokens + .destinations')
	check "join_flood_windows/count" [ "$(alerts "$out" join_flood)" -eq $((windows * keys)) ]
	check "join_flood_windows/repeats" [ "$(field "$out" join_flood 'select(.by == "token") | .repeat')" = "$(jq -nc "[range($windows)]")" ]
	# Each repeat: the joins after the previous alert, in its window.
	check "join_flood_windows/suppressed" [ "$(field "$out" join_flood 'select(.by == "token" and .repeat > 0) | .suppressed_since_last' | jq "all(. == $((w * 1000 - JOIN_THRESHOLD)))")" = true ]
	replay "$out" "$tmp/join_flood.pcap" --join-flood-threshold "$(($(sum join_flood .joins) + 1))"
	check "join_flood_windows/threshold_above" [ "$(alerts "$out" join_flood)" -eq 0 ]
}

# ---- mptcp_scan ----------------------------------------------------------

test_scan() {
	need forge scan || return
	local out=$tmp/sc.out targets
	replay "$out" "$tmp/scan.pcap" || { fail scan "replay failed: $(cat "$out.err")"; return; }
	targets=$(sum scan .targets)
	check "scan/count" [ "$(alerts "$out" mptcp_scan)" -eq "$(sum scan .sources)" ]
	check "scan/below_join_threshold" [ "$(sum scan ".max_joins_per_destination < $JOIN_THRESHOLD")" = true ]
	check "scan/no_join_flood" [ "$(alerts "$out" join_flood)" -eq 0 ]
	check "scan/no_add_addr" [ "$(alerts "$out" add_addr_suspicious)" -eq 0 ]
	check "scan/source" [ "$(field "$out" mptcp_scan .source)" = "[\"$(sum scan .source)\"]" ]
	check "scan/probes" [ "$(field "$out" mptcp_scan .probes)" = "[$(sum scan .probes)]" ]
	check "scan/hosts" [ "$(field "$out" mptcp_scan .hosts)" = "[$(sum scan .hosts)]" ]
	check "scan/answered" [ "$(field "$out" mptcp_scan .answered_mptcp)" = "[$(sum scan .answered_mptcp)]" ]
	check "scan/reset" [ "$(field "$out" mptcp_scan .reset)" = "[$(sum scan .reset)]" ]
	# Distinct targets past 64 are estimated (linear counting): 5%.
	check "scan/targets" [ "$(field "$out" mptcp_scan ".targets | . >= $targets * 0.95 and . <= $targets * 1.05" | jq -r '.[0]')" = true ]
	replay "$out" "$tmp/scan.pcap" --scan-threshold $((targets * 2))
	check "scan/threshold_above" [ "$(alerts "$out" mptcp_scan)" -eq 0 ]
}

# ---- add_addr_suspicious -------------------------------------------------

test_add_addr() {
	need forge add_addr || return
	local out=$tmp/aa.out n home doc
	replay "$out" "$tmp/add_addr.pcap" || { fail add_addr "replay failed: $(cat "$out.err")"; return; }
	n=$(sum add_addr .suspicious)
	home=$(sum add_addr .home_net_inward)
	doc=$(sum add_addr .documentation)
	check "add_addr/count" [ "$(alerts "$out" add_addr_suspicious)" -eq "$n" ]
	check "add_addr/others" [ "$(detections "$out")" -eq "$n" ]
	check "add_addr/hmac_valid" [ "$(jq -s '[.[] | select(.event == "add_addr" and .hmac_valid != true)] | length' "$out")" -eq 0 ]
	check "add_addr/in_summary" [ "$(jq -s '[.[] | select(.event == "connection_closed" and (.anomalies | index("add_addr_suspicious")))] | length' "$out")" -eq "$n" ]
	replay "$out" "$tmp/add_addr.pcap" --home-net "$(sum add_addr .home_net)"
	check "add_addr/home_net" [ "$(alerts "$out" add_addr_suspicious)" -eq $((n + home)) ]
	check "add_addr/home_net_reason" [ "$(field "$out" add_addr_suspicious 'select(.reason == "home_net_inward") | .addr' | jq length)" -eq "$home" ]
	replay "$out" "$tmp/add_addr.pcap" --doc-ranges-suspicious
	check "add_addr/documentation" [ "$(alerts "$out" add_addr_suspicious)" -eq $((n + doc)) ]
	# The home network holding the advertiser: not inward.
	replay "$out" "$tmp/add_addr.pcap" --home-net "$(sum add_addr .home_net),198.18.0.0/15"
	check "add_addr/home_net_inside" [ "$(alerts "$out" add_addr_suspicious)" -eq "$n" ]
}

# Both engines see the same attacks (the estimates past 64 distinct values
# depend on the run's hash key, so the kinds are compared, not the fields).
test_engines_agree() {
	need_root "the BPF engine needs root" || return
	local mode kinds='[.[] | select(.event == "anomaly") | .kind] | group_by(.) | map([.[0], length])'
	for mode in join_flood scan add_addr; do
		need forge "$mode" || return
		replay "$tmp/h.out" "$tmp/$mode.pcap"
		"$MPTCP_XDP" replay --engine bpf "$tmp/$mode.pcap" >"$tmp/b.out" 2>/dev/null
		check "engines_agree/$mode" [ "$(jq -s -c "$kinds" "$tmp/h.out")" = "$(jq -s -c "$kinds" "$tmp/b.out")" ]
	done
}

# ---- options ---------------------------------------------------------------

test_bad_options() {
	need tools_ready || return
	local opt
	for opt in "--home-net 10.0.0.0/33" "--home-net bogus" "--home-net ," \
		"--detect-window 0" "--detect-window x" "--join-flood-threshold 0" \
		"--scan-threshold -1"; do
		# shellcheck disable=SC2086 # the option and its value
		"$MPTCP_XDP" replay --engine host $opt /dev/null >/dev/null 2>"$tmp/opt.err"
		check "bad_options/$opt/exit" [ $? -eq 2 ]
		check "bad_options/$opt/one_line" [ "$(wc -l <"$tmp/opt.err")" -eq 1 ]
	done
	check "bad_options/help" bash -c "'$MPTCP_XDP' help | grep -q -- --home-net"
}

# ---- benign captures -------------------------------------------------------

test_benign_shared() {
	need tools_ready || return
	local f n=0
	for f in "$SHARED"/*.pcap; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		replay "$tmp/b.out" "$f"
		check "benign_shared/$(basename "$f")" [ "$(detections "$tmp/b.out")" -eq 0 ]
	done
	[ "$n" -gt 0 ] || skip benign_shared "no shared captures in $SHARED"
}

# real_captures: tests/data/*.pcap, or one made here (set-up).
real_captures() {
	local f
	for f in "$DATA"/*.pcap; do [ -s "$f" ] && return 0; done
	mkdir -p "$DATA"
	if ! NETNS_TAG="mxdet$$" "$ROOT/tests/e2e/make_capture.sh" "$DATA/many_v4.pcap" --scenario many \
		>"$tmp/mk.log" 2>&1; then
		fail "real_captures" "$(tail -3 "$tmp/mk.log")"
		return 1
	fi
}

test_benign_real() {
	need tools_ready || return
	need_root "making a capture needs network namespaces" || return
	need real_captures || return
	local f
	for f in "$DATA"/*.pcap; do
		replay "$tmp/r.out" "$f"
		check "benign_real/$(basename "$f")" [ "$(detections "$tmp/r.out")" -eq 0 ]
	done
}

run_tests "$SUITE"
