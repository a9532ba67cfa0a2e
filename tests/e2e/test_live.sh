#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The live sensor end to end: `mptcp-xdp load` attached to the server side
# of the two-path test network (netns_lib.sh: namespaces made here, only
# 198.18.0.0/15 and 2001:db8::/32, removed on every exit), real kernel MPTCP
# traffic, and what the daemon printed. Also: every way the daemon can stop
# leaves nothing attached, a second load is refused, a killed daemon's
# leftovers are removed by `unload`, and a capture taken during the live run
# replays to the same connection summaries.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/netns_lib.sh
source "$ROOT/tests/e2e/netns_lib.sh"
XFER=${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}
FORGE="$ROOT/tests/tools/send_forged_join.py"

if ! is_root; then
	skip live "network namespaces and XDP need root"
	summary live
	exit $?
fi
if [ ! -x "$XFER" ]; then
	fail live "missing $XFER (make test-binaries)"
	summary live
	exit 1
fi

netns_trap
netns_setup both >/dev/null 2>&1 || { fail live_setup "netns_setup failed"; summary live; exit 1; }
netns_tmpdir
T=$NETNS_TMPDIR
DAEMON=

# start_daemon NAME ARGS...: load on s1 s2 in the server namespace, output
# to $T/NAME.out/.err; waits until it says it is attached.
start_daemon() {
	local name=$1
	shift
	netns_bg "$NS_SRV" "$MPTCP_XDP" load "$@" s1 s2 >"$T/$name.out" 2>"$T/$name.err"
	DAEMON=$NETNS_BG_PID
	for _ in $(seq 100); do
		grep -q 'attached to' "$T/$name.err" 2>/dev/null && return 0
		kill -0 "$DAEMON" 2>/dev/null || break
		sleep 0.05
	done
	fail "$name/start" "daemon did not attach: $(cat "$T/$name.err")"
	return 1
}

# stop_daemon NAME SIGNAL: the daemon must exit 0 on it.
stop_daemon() {
	local rc=0
	kill "-$2" "$DAEMON"
	netns_wait_pid "$DAEMON" 200 || rc=$?
	if [ "$rc" -eq 0 ]; then pass "$1/exit_on_$2"; else fail "$1/exit_on_$2" "exit $rc: $(tail -2 "$T/$1.err")"; fi
}

# Nothing of ours on s1/s2: no XDP, no TC filter, no clsact qdisc.
nothing_attached() {
	local dev bad=
	for dev in s1 s2; do
		ip -n "$NS_SRV" -d link show dev "$dev" | grep -q 'prog/xdp' && bad+=" xdp:$dev"
		[ -n "$(ip netns exec "$NS_SRV" tc filter show dev "$dev" egress 2>/dev/null)" ] && bad+=" tc-filter:$dev"
		ip netns exec "$NS_SRV" tc qdisc show dev "$dev" | grep -q clsact && bad+=" clsact:$dev"
	done
	# bpftool's view of the namespace: no XDP or TC program of ours.
	ip netns exec "$NS_SRV" bpftool net show 2>/dev/null | grep -q mptcp_ && bad+=" bpftool-net"
	if [ -z "$bad" ]; then pass "$1/nothing_attached"; else fail "$1/nothing_attached" "$bad"; fi
}

# has NAME FILE JQ-FILTER: at least one event matches.
has() {
	if jq -e -s "$3" "$2" >/dev/null 2>&1; then pass "$1"; else fail "$1" "no match for $3 in $(basename "$2")"; fi
}

# The wildcard of the destination's family (mptcp_xfer listens IPv6-only
# on ::).
any_of() { case $1 in *:*) echo :: ;; *) echo 0.0.0.0 ;; esac; }

# transfer_bg DST PORT ARGS...: server on PORT (SRVARGS), client to DST
# with ARGS, both in the background; their PIDs in SRV_PID and CLI_PID.
transfer_bg() {
	local dst=$1 port=$2
	shift 2
	netns_bg "$NS_SRV" "$XFER" server --listen "$(any_of "$dst")" --port "$port" --once "${SRVARGS[@]}"
	SRV_PID=$NETNS_BG_PID
	netns_wait_listen "$NS_SRV" "$port"
	netns_bg "$NS_CLI" "$XFER" client --connect "$dst" --port "$port" "$@" >/dev/null
	CLI_PID=$NETNS_BG_PID
}

transfer_wait() {
	netns_wait_pid "$CLI_PID" 600 || true
	netns_wait_pid "$SRV_PID" 600 || true
}

transfer() { # transfer DST PORT ARGS...: the same, to its end
	transfer_bg "$@"
	transfer_wait
}

# ---- 1: the main run, with a capture beside it -------------------------
start_daemon main --events all --stats || { summary live; exit 1; }
# Which XDP mode ran (native XDP on veth needs the MTU to fit a page).
echo "note: $(grep -o 'attached to.*;' "$T/main.err")"
netns_capture_start "$NS_SRV" s1 "$T/s1.pcap" tcp
cap1=$NETNS_CAPTURE_PID
netns_capture_start "$NS_SRV" s2 "$T/s2.pcap" tcp
cap2=$NETNS_CAPTURE_PID

SRVARGS=()
transfer "$SRV4_1" 5201 --bytes 400000 --hold-ms 200
transfer "$SRV6_1" 5202 --bytes 400000 --hold-ms 200
SRVARGS=(--tcp)
transfer "$SRV4_1" 5203 --bytes 50000 # plain TCP server: fallback
SRVARGS=(--no-read)
transfer "$SRV4_1" 5204 --bytes 400000 --hold-ms 200 # MP_FASTCLOSE, MP_TCPRST
SRVARGS=()
ip netns exec "$NS_CLI" python3 "$FORGE" "$SRV4_1" 5201 --token deadbeef >/dev/null
ip netns exec "$NS_CLI" python3 "$FORGE" "$SRV6_1" 5201 --token feedf00d >/dev/null
# MP_PRIO then REMOVE_ADDR on a slow transfer.
transfer_bg "$SRV4_1" 5205 --bytes 400000 --chunk 4096 --delay-ms 15 --hold-ms 200
sleep 0.6
ip -n "$NS_CLI" mptcp endpoint change id "$EP_ID4" backup
sleep 0.4
ip -n "$NS_SRV" mptcp endpoint delete id "$EP_ID4"
transfer_wait
sleep 1.2 # let tcpdump's buffer reach the file (netns_lib.sh notes)
netns_capture_stop "$cap1" "$cap2" >/dev/null 2>&1
stop_daemon main TERM
nothing_attached main

out="$T/main.out"
has v4_joins_verified "$out" '[.[] | select(.event=="subflow_joined" and .verified==true and (.src|test("^198")))] | length >= 2'
has v6_joins_verified "$out" '[.[] | select(.event=="subflow_joined" and .verified==true and (.src|test("^2001")))] | length >= 2'
has add_addr_verified "$out" 'any(.[]; .event=="add_addr" and .echo==false and .hmac_valid==true)'
has prio_change "$out" 'any(.[]; .event=="prio_change" and .backup==true)'
has remove_addr "$out" 'any(.[]; .event=="remove_addr")'
has fastclose "$out" 'any(.[]; .event=="fastclose" and .key_valid==true)'
has tcprst "$out" 'any(.[]; .event=="tcprst")'
has fallback "$out" 'any(.[]; .event=="mptcp_fallback")'
has forged_join_v4 "$out" 'any(.[]; .event=="join_unknown_token" and .token=="deadbeef")'
has forged_join_v6 "$out" 'any(.[]; .event=="join_unknown_token" and .token=="feedf00d")'
has summaries "$out" '[.[] | select(.event=="connection_closed")] | length >= 5'
has raw_records_too "$out" 'any(.[]; .record=="option" and .event=="mp_join")'
has hooks_both_ways "$out" '[.[] | select(.record=="option")] | length > 0'
if grep -q '"event":"anomaly"' "$out"; then
	fail no_anomaly_on_benign "$(grep -m3 '"event":"anomaly"' "$out")"
else
	pass no_anomaly_on_benign
fi

# The capture of the same run, replayed: the same summaries, timestamps
# aside. (Forged joins make summaries of their own on both sides.)
if mergecap -F pcap -w "$T/live.pcap" "$T/s1.pcap" "$T/s2.pcap" 2>/dev/null &&
	"$MPTCP_XDP" replay "$T/live.pcap" >"$T/replay.out" 2>"$T/replay.err"; then
	norm='[.[] | select(.event=="connection_closed") | del(.ts,.frame,.start,.duration,.record)] | sort_by(.conn)'
	if diff <(jq -S -s "$norm" "$T/main.out") <(jq -S -s "$norm" "$T/replay.out") >"$T/diff" &&
		[ "$(jq -s "$norm | length" "$T/replay.out")" -ge 5 ]; then
		pass live_equals_replay
	else
		fail live_equals_replay "$(head -20 "$T/diff")"
		# Keep the evidence: the run's directory goes with the trap.
		[ -z "${LIVE_KEEP:-}" ] || cp "$T/main.out" "$T/replay.out" "$T/live.pcap" "$LIVE_KEEP/"
	fi
else
	fail live_equals_replay "capture or replay failed: $(cat "$T/replay.err")"
fi

# ---- 2: a connection already running when load starts -----------------
transfer_bg "$SRV4_1" 5301 --bytes 400000 --chunk 4096 --delay-ms 20 --hold-ms 200
sleep 0.5
start_daemon midstream && {
	transfer_wait
	sleep 0.3
	stop_daemon midstream INT
	nothing_attached midstream
	has midstream "$T/midstream.out" 'any(.[]; .event=="mptcp_midstream")'
	has midstream_summary "$T/midstream.out" 'any(.[]; .event=="connection_closed" and .midstream==true)'
}

# ---- 3: SIGHUP, and a second load while one runs ----------------------
start_daemon hup && {
	ip netns exec "$NS_CLI" python3 "$FORGE" "$SRV4_1" 5201 >/dev/null
	ip netns exec "$NS_SRV" "$MPTCP_XDP" load s1 >"$T/second.out" 2>"$T/second.err"
	rc=$?
	if [ "$rc" -eq 12 ] && [ "$(wc -l <"$T/second.err")" -eq 1 ]; then
		pass second_load_refused
	else
		fail second_load_refused "exit $rc: $(cat "$T/second.err")"
	fi
	ip netns exec "$NS_SRV" "$MPTCP_XDP" status >"$T/status.out" 2>&1
	if grep -q '^s1 .*xdp id [0-9]* mode native.*tc egress id [0-9]*.*running' "$T/status.out" &&
		grep -q 'counters.*: packets=' "$T/status.out"; then
		pass status_lists_attachment
	else
		fail status_lists_attachment "$(cat "$T/status.out")"
	fi
	stop_daemon hup HUP
	nothing_attached hup
}
ip netns exec "$NS_SRV" "$MPTCP_XDP" load nosuch0 >/dev/null 2>"$T/noif.err"
rc=$?
if [ "$rc" -eq 11 ]; then pass unknown_interface; else fail unknown_interface "exit $rc: $(cat "$T/noif.err")"; fi

# ---- 4: a closed output pipe ends the daemon, detached ----------------
mkfifo "$T/pipe"
# The reader first: opening a FIFO for writing waits for one.
head -n 1 <"$T/pipe" >"$T/pipe.out" &
reader=$!
netns_bg "$NS_SRV" "$MPTCP_XDP" load --events raw --dss all s1 s2 >"$T/pipe" 2>"$T/pipe.err"
DAEMON=$NETNS_BG_PID
for _ in $(seq 100); do grep -q 'attached to' "$T/pipe.err" 2>/dev/null && break; sleep 0.05; done
transfer "$SRV4_1" 5401 --bytes 100000
wait "$reader" 2>/dev/null
rc=0
netns_wait_pid "$DAEMON" 100 || rc=$?
if [ "$rc" -eq 0 ] && [ -s "$T/pipe.out" ]; then pass closed_pipe_exit; else fail closed_pipe_exit "exit $rc: $(cat "$T/pipe.err")"; fi
nothing_attached closed_pipe

# ---- 5: SIGKILL leaves the TC filter; unload removes it ----------------
start_daemon killed && {
	kill -KILL "$DAEMON"
	netns_wait_pid "$DAEMON" 100 || true
	ip netns exec "$NS_SRV" "$MPTCP_XDP" status >"$T/status2.out" 2>&1
	if grep -q "unload s1" "$T/status2.out"; then pass status_shows_leftovers; else fail status_shows_leftovers "$(cat "$T/status2.out")"; fi
	for dev in s1 s2; do
		if ip netns exec "$NS_SRV" "$MPTCP_XDP" unload "$dev" >"$T/unload.out" 2>&1; then
			pass "unload_$dev"
		else
			fail "unload_$dev" "$(cat "$T/unload.out")"
		fi
	done
	nothing_attached killed
}

# ---- 6: a real Prometheus server scrapes the daemon --------------------
# Both in the server namespace, on its loopback; scrape interval 1 s.
MPORT=9846
query_prom() { # the value of the first series of a PromQL query, or ""
	ip netns exec "$NS_SRV" python3 - "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
q = urllib.parse.quote(sys.argv[1])
try:
    r = json.load(urllib.request.urlopen(
        'http://127.0.0.1:9090/api/v1/query?query=' + q, timeout=2))
    print(r['data']['result'][0]['value'][1])
except Exception:
    print('')
PY
}
if command -v prometheus >/dev/null; then
	start_daemon prom --metrics "127.0.0.1:$MPORT" && {
		cat >"$T/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mptcp-xdp
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
		netns_bg "$NS_SRV" prometheus --config.file="$T/prom.yml" \
			--storage.tsdb.path="$T/tsdb" --web.listen-address=127.0.0.1:9090 \
			>"$T/prom.log" 2>&1
		prom=$NETNS_BG_PID
		# Run 1 changed the endpoints: back to two joins per connection.
		ip -n "$NS_CLI" mptcp endpoint change id "$EP_ID4" nobackup
		ip -n "$NS_SRV" mptcp endpoint add "$SRV4_2" id "$EP_ID4" signal
		SRVARGS=()
		transfer "$SRV4_1" 5501 --bytes 400000 --hold-ms 200
		made=$(jq -s '[.[] | select(.event=="subflow_joined" and .verified==true)] | length' "$T/prom.out")
		v=
		for _ in $(seq 80); do
			v=$(query_prom 'mptcp_xdp_joins_total{result="verified"}')
			[ -n "$v" ] && [ "$v" = "$made" ] && break
			sleep 0.25
		done
		if [ "$made" -ge 2 ] && [ "$v" = "$made" ]; then
			pass prometheus_counts_verified_joins
		else
			fail prometheus_counts_verified_joins "prometheus says '$v', daemon printed $made verified joins; $(tail -2 "$T/prom.log")"
		fi
		kill -TERM "$prom" 2>/dev/null
		netns_wait_pid "$prom" 100 || true
		stop_daemon prom INT
		nothing_attached prom
	}
else
	fail prometheus_counts_verified_joins "prometheus is not installed (make deps installs it)"
fi

summary live
