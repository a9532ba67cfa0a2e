#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The /metrics endpoint on loopback: promtool accepts the exposition, the
# figures are the replay's, other paths are 404, and a port in use or a bad
# --metrics is a clear error at start. (The live scrape by a real
# Prometheus server is in tests/e2e/test_live.sh.)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
PID=
cleanup() {
	[ -z "$PID" ] || { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
	rm -rf "$tmp"
}
trap cleanup EXIT
V0="$SHARED_PCAPS/tcpdump_mptcp-v0.pcap"
# A port of our own for this run, away from the default.
PORT=$((20000 + $$ % 20000))

fetch() { # fetch PATH -> body on stdout, HTTP status in $tmp/status
	python3 - "$PORT" "$1" "$tmp/status" <<'PY'
import sys, urllib.request, urllib.error
port, path, status = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = urllib.request.urlopen('http://127.0.0.1:%s%s' % (port, path), timeout=5)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
open(status, 'w').write(str(code))
sys.stdout.write(body.decode())
PY
}

# Set-up: a replay that serves /metrics and holds on (until SIGINT), and
# its /metrics page, fetched once: body in $tmp/metrics, HTTP status in
# $tmp/metrics.status.
serving() {
	"$MPTCP_XDP" replay --engine host --metrics "127.0.0.1:$PORT" --metrics-hold "$V0" \
		>"$tmp/out" 2>"$tmp/err" &
	PID=$!
	for _ in $(seq 100); do
		grep -q 'serving /metrics' "$tmp/err" 2>/dev/null && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -q 'serving /metrics' "$tmp/err" 2>/dev/null; then
		fail serving "the replay does not serve /metrics: $(cat "$tmp/err")"
		return 1
	fi
	fetch /metrics >"$tmp/metrics"
	cp "$tmp/status" "$tmp/metrics.status" 2>/dev/null || : >"$tmp/metrics.status"
}

test_metrics_200() {
	need serving || return
	[ "$(cat "$tmp/metrics.status")" = 200 ] && pass metrics_200 || fail metrics_200 "status $(cat "$tmp/metrics.status")"
}
test_promtool_accepts() {
	local out
	need serving || return
	if out=$(promtool check metrics <"$tmp/metrics" 2>&1) && [ -z "$out" ]; then
		pass promtool_accepts
	else
		fail promtool_accepts "$out"
	fi
}
# The figures are the replay's own: the v0 capture has one verified join
# (docs/design.md: both join HMACs check) and 264 packets.
test_verified_joins_figure() {
	need serving || return
	grep -qx 'mptcp_xdp_joins_total{result="verified"} 1' "$tmp/metrics" &&
		pass verified_joins_figure || fail verified_joins_figure "$(grep joins_total "$tmp/metrics")"
}
test_packets_figure() {
	local packets
	need serving || return
	packets=$("$MPTCP_XDP" replay --engine host --stats --events raw "$V0" 2>&1 >/dev/null |
		sed -n 's/.*"counters":{"packets":\([0-9]*\).*/\1/p')
	grep -qx "mptcp_xdp_packets_total $packets" "$tmp/metrics" &&
		pass packets_figure || fail packets_figure "want $packets: $(grep '^mptcp_xdp_packets_total' "$tmp/metrics")"
}
test_other_path_404() {
	need serving || return
	fetch /other >/dev/null
	[ "$(cat "$tmp/status")" = 404 ] && pass other_path_404 || fail other_path_404 "status $(cat "$tmp/status")"
}

# A port in use: exit 13 and one line, at start.
test_port_in_use() {
	local rc
	need serving || return
	"$MPTCP_XDP" replay --engine host --metrics "127.0.0.1:$PORT" "$V0" >/dev/null 2>"$tmp/busy.err"
	rc=$?
	if [ "$rc" -eq 13 ] && [ "$(wc -l <"$tmp/busy.err")" -eq 1 ] && grep -q 'in use' "$tmp/busy.err"; then
		pass port_in_use
	else
		fail port_in_use "exit $rc: $(cat "$tmp/busy.err")"
	fi
}

# Ends the server: the last test that needs it.
test_hold_ends_on_signal() {
	local rc
	need serving || return
	kill -INT "$PID"
	wait "$PID"
	rc=$?
	PID=
	[ "$rc" -eq 0 ] && pass hold_ends_on_signal || fail hold_ends_on_signal "exit $rc"
}

test_bad_metrics_spec() {
	"$MPTCP_XDP" replay --metrics nowhere "$V0" >/dev/null 2>"$tmp/e"
	[ $? -eq 2 ] && pass bad_metrics_spec || fail bad_metrics_spec "$(cat "$tmp/e")"
}
test_hold_needs_metrics() {
	"$MPTCP_XDP" replay --metrics-hold "$V0" >/dev/null 2>"$tmp/e"
	[ $? -eq 2 ] && pass hold_needs_metrics || fail hold_needs_metrics "$(cat "$tmp/e")"
}
test_metrics_off() {
	"$MPTCP_XDP" replay --engine host --metrics off "$V0" >/dev/null 2>"$tmp/e"
	[ $? -eq 0 ] && pass metrics_off || fail metrics_off "$(cat "$tmp/e")"
}

run_tests metrics
