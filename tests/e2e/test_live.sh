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
# shellcheck source=tests/e2e/daemon_lib.sh
source "$ROOT/tests/e2e/daemon_lib.sh"
XFER=${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}
FORGE="$ROOT/tests/tools/send_forged_join.py"

# ---- set-up and helpers ------------------------------------------------

# ready: in a test, the root check and the network (daemon_lib.sh).
ready() { live_ready both; }

# has NAME FILE JQ-FILTER: at least one event matches.
has() {
	if jq -e -s "$3" "$2" >/dev/null 2>&1; then pass "$1"; else fail "$1" "no match for $3 in $(basename "$2")"; fi
}

# ---- 1: the main run, with a capture beside it -------------------------
# main_run (set-up): the daemon with --events all, every kind of traffic,
# a capture of s1 and s2 beside it, then SIGTERM (the daemon's status in
# MAIN_RC, checked by test_main_exit_on_TERM). It printed $W/main.out.
main_run() {
	local cap1 cap2
	start_daemon main --events all --stats || return 1
	# Which XDP mode ran (native XDP on veth needs the MTU to fit a page).
	echo "note: $(grep -o 'attached to.*;' "$W/main.err")"
	netns_capture_start "$NS_SRV" s1 "$W/s1.pcap" tcp
	cap1=$NETNS_CAPTURE_PID
	netns_capture_start "$NS_SRV" s2 "$W/s2.pcap" tcp
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
	halt_daemon TERM
	MAIN_RC=$HALT_RC
}
MAIN_RC=
# main: in a test, the main run done (once).
main() { ready && need main_run; }

test_main_exit_on_TERM() {
	main || return
	HALT_RC=$MAIN_RC
	exited_ok main TERM
}
test_main_nothing_attached() { main && nothing_attached main; }
test_v4_joins_verified() { main && has v4_joins_verified "$W/main.out" '[.[] | select(.event=="subflow_joined" and .verified==true and (.src|test("^198")))] | length >= 2'; }
test_v6_joins_verified() { main && has v6_joins_verified "$W/main.out" '[.[] | select(.event=="subflow_joined" and .verified==true and (.src|test("^2001")))] | length >= 2'; }
test_add_addr_verified() { main && has add_addr_verified "$W/main.out" 'any(.[]; .event=="add_addr" and .echo==false and .hmac_valid==true)'; }
test_prio_change() { main && has prio_change "$W/main.out" 'any(.[]; .event=="prio_change" and .backup==true)'; }
test_remove_addr() { main && has remove_addr "$W/main.out" 'any(.[]; .event=="remove_addr")'; }
test_fastclose() { main && has fastclose "$W/main.out" 'any(.[]; .event=="fastclose" and .key_valid==true)'; }
test_tcprst() { main && has tcprst "$W/main.out" 'any(.[]; .event=="tcprst")'; }
test_fallback() { main && has fallback "$W/main.out" 'any(.[]; .event=="mptcp_fallback")'; }
test_forged_join_v4() { main && has forged_join_v4 "$W/main.out" 'any(.[]; .event=="join_unknown_token" and .token=="deadbeef")'; }
test_forged_join_v6() { main && has forged_join_v6 "$W/main.out" 'any(.[]; .event=="join_unknown_token" and .token=="feedf00d")'; }
test_summaries() { main && has summaries "$W/main.out" '[.[] | select(.event=="connection_closed")] | length >= 5'; }
test_raw_records_too() { main && has raw_records_too "$W/main.out" 'any(.[]; .record=="option" and .event=="mp_join")'; }
test_hooks_both_ways() { main && has hooks_both_ways "$W/main.out" '[.[] | select(.record=="option")] | length > 0'; }
test_no_anomaly_on_benign() {
	main || return
	if grep -q '"event":"anomaly"' "$W/main.out"; then
		fail no_anomaly_on_benign "$(grep -m3 '"event":"anomaly"' "$W/main.out")"
	else
		pass no_anomaly_on_benign
	fi
}

# The capture of the same run, replayed: the same summaries, timestamps
# aside. (Forged joins make summaries of their own on both sides.)
test_live_equals_replay() {
	local norm
	main || return
	if mergecap -F pcap -w "$W/live.pcap" "$W/s1.pcap" "$W/s2.pcap" 2>/dev/null &&
		"$MPTCP_XDP" replay "$W/live.pcap" >"$W/replay.out" 2>"$W/replay.err"; then
		norm='[.[] | select(.event=="connection_closed") | del(.ts,.frame,.start,.duration,.record)] | sort_by(.conn)'
		if diff <(jq -S -s "$norm" "$W/main.out") <(jq -S -s "$norm" "$W/replay.out") >"$W/diff" &&
			[ "$(jq -s "$norm | length" "$W/replay.out")" -ge 5 ]; then
			pass live_equals_replay
		else
			fail live_equals_replay "$(head -20 "$W/diff")"
			# Keep the evidence: the run's directory goes with the trap.
			[ -z "${LIVE_KEEP:-}" ] || cp "$W/main.out" "$W/replay.out" "$W/live.pcap" "$LIVE_KEEP/"
		fi
	else
		fail live_equals_replay "capture or replay failed: $(cat "$W/replay.err")"
	fi
}

# ---- 2: a connection already running when load starts -----------------
test_midstream() {
	ready || return
	# The transfer lasts until the daemon is attached and has seen some
	# of it (a fixed size raced the daemon's start on a slow machine).
	transfer_bg "$SRV4_1" 5301 --bytes 100000000 --chunk 4096 --delay-ms 20 \
		--hold-ms 200 --until-file "$W/midstream.stop"
	sleep 0.5
	start_daemon midstream || {
		touch "$W/midstream.stop"
		transfer_wait
		return
	}
	sleep 0.5
	touch "$W/midstream.stop"
	transfer_wait
	sleep 0.3
	stop_daemon midstream INT
	nothing_attached midstream
	has midstream "$W/midstream.out" 'any(.[]; .event=="mptcp_midstream")'
	has midstream_summary "$W/midstream.out" 'any(.[]; .event=="connection_closed" and .midstream==true)'
}

# ---- 3: SIGHUP, and a second load while one runs ----------------------
test_second_load_status_hup() {
	local rc
	ready || return
	start_daemon hup || return
	ip netns exec "$NS_CLI" python3 "$FORGE" "$SRV4_1" 5201 >/dev/null
	ip netns exec "$NS_SRV" "$MPTCP_XDP" load s1 >"$W/second.out" 2>"$W/second.err"
	rc=$?
	if [ "$rc" -eq 12 ] && [ "$(wc -l <"$W/second.err")" -eq 1 ]; then
		pass second_load_refused
	else
		fail second_load_refused "exit $rc: $(cat "$W/second.err")"
	fi
	ip netns exec "$NS_SRV" "$MPTCP_XDP" status >"$W/status.out" 2>&1
	if grep -q '^s1 .*xdp id [0-9]* mode native.*tc egress id [0-9]*.*running' "$W/status.out" &&
		grep -q 'counters.*: packets=' "$W/status.out"; then
		pass status_lists_attachment
	else
		fail status_lists_attachment "$(cat "$W/status.out")"
	fi
	stop_daemon hup HUP
	nothing_attached hup
}

test_unknown_interface() {
	local rc
	ready || return
	ip netns exec "$NS_SRV" "$MPTCP_XDP" load nosuch0 >/dev/null 2>"$W/noif.err"
	rc=$?
	if [ "$rc" -eq 11 ]; then pass unknown_interface; else fail unknown_interface "exit $rc: $(cat "$W/noif.err")"; fi
}

# ---- 4: a closed output pipe ends the daemon, detached ----------------
test_closed_pipe_exit() {
	local reader rc
	ready || return
	mkfifo "$W/pipe"
	# The reader first: opening a FIFO for writing waits for one.
	head -n 1 <"$W/pipe" >"$W/pipe.out" &
	reader=$!
	netns_bg "$NS_SRV" "$MPTCP_XDP" load --events raw --dss all s1 s2 >"$W/pipe" 2>"$W/pipe.err"
	DAEMON=$NETNS_BG_PID
	for _ in $(seq 100); do grep -q 'attached to' "$W/pipe.err" 2>/dev/null && break; sleep 0.05; done
	transfer "$SRV4_1" 5401 --bytes 100000
	wait "$reader" 2>/dev/null
	rc=0
	netns_wait_pid "$DAEMON" 100 || rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$W/pipe.out" ]; then pass closed_pipe_exit; else fail closed_pipe_exit "exit $rc: $(cat "$W/pipe.err")"; fi
	nothing_attached closed_pipe
}

# ---- 5: SIGKILL leaves the TC filter; unload removes it ----------------
test_sigkill_then_unload() {
	local dev
	ready || return
	start_daemon killed || return
	kill -KILL "$DAEMON"
	netns_wait_pid "$DAEMON" 100 || true
	ip netns exec "$NS_SRV" "$MPTCP_XDP" status >"$W/status2.out" 2>&1
	if grep -q "unload s1" "$W/status2.out"; then pass status_shows_leftovers; else fail status_shows_leftovers "$(cat "$W/status2.out")"; fi
	for dev in s1 s2; do
		if ip netns exec "$NS_SRV" "$MPTCP_XDP" unload "$dev" >"$W/unload.out" 2>&1; then
			pass "unload_$dev"
		else
			fail "unload_$dev" "$(cat "$W/unload.out")"
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
test_prometheus_counts_verified_joins() {
	local prom made v
	ready || return
	if ! command -v prometheus >/dev/null; then
		fail prometheus_counts_verified_joins "prometheus is not installed (make deps installs it)"
		return
	fi
	start_daemon prom --metrics "127.0.0.1:$MPORT" || return
	cat >"$W/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mptcp-xdp
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
	netns_bg "$NS_SRV" prometheus --config.file="$W/prom.yml" \
		--storage.tsdb.path="$W/tsdb" --web.listen-address=127.0.0.1:9090 \
		>"$W/prom.log" 2>&1
	prom=$NETNS_BG_PID
	# The main run (if it ran) changed the endpoints: back to two joins per
	# connection.
	ip -n "$NS_CLI" mptcp endpoint change id "$EP_ID4" nobackup
	ip -n "$NS_SRV" mptcp endpoint show id "$EP_ID4" >/dev/null 2>&1 ||
		ip -n "$NS_SRV" mptcp endpoint add "$SRV4_2" id "$EP_ID4" signal
	SRVARGS=()
	transfer "$SRV4_1" 5501 --bytes 400000 --hold-ms 200
	made=$(jq -s '[.[] | select(.event=="subflow_joined" and .verified==true)] | length' "$W/prom.out")
	v=
	for _ in $(seq 80); do
		v=$(query_prom 'mptcp_xdp_joins_total{result="verified"}')
		[ -n "$v" ] && [ "$v" = "$made" ] && break
		sleep 0.25
	done
	if [ "$made" -ge 2 ] && [ "$v" = "$made" ]; then
		pass prometheus_counts_verified_joins
	else
		fail prometheus_counts_verified_joins "prometheus says '$v', daemon printed $made verified joins; $(tail -2 "$W/prom.log")"
	fi
	kill -TERM "$prom" 2>/dev/null
	netns_wait_pid "$prom" 100 || true
	stop_daemon prom INT
	nothing_attached prom
}

# ---- 7: a stopped consumer: records lost, and the gap said -------------
# The daemon stopped (SIGSTOP) while a transfer makes far more records
# (--dss all: one a data packet) than the ring buffer holds (16 MiB live
# with --dss all, ~131k records): the kernel never waits, it counts and
# drops. Resumed, the daemon reports
# the gap as records_lost events that add up to the kernel's count, and
# every record it did print was counted as pushed.
test_stalled_consumer_records_lost() {
	local lost said pushed printed
	ready || return
	start_daemon stalled --events raw --dss all --stats || return
	kill -STOP "$DAEMON"
	transfer "$SRV4_1" 5601 --bytes 400000000
	kill -CONT "$DAEMON"
	sleep 0.5
	stop_daemon stalled INT
	lost=$(grep '^{' "$W/stalled.err" | jq -r 'select(has("counters")) | .counters.ringbuf_full' | tail -1)
	pushed=$(grep '^{' "$W/stalled.err" | jq -r 'select(has("counters")) | .counters.records' | tail -1)
	said=$(jq -s '[.[] | select(.event == "records_lost") | .lost] | add // 0' "$W/stalled.out")
	printed=$(jq -s '[.[] | select(.event != "records_lost")] | length' "$W/stalled.out")
	if [ -n "$lost" ] && [ "$lost" -gt 0 ] && [ "$said" = "$lost" ]; then
		pass stalled_records_lost_said
	else
		fail stalled_records_lost_said "records_lost events say $said, the kernel counted '$lost'"
	fi
	if [ -n "$pushed" ] && [ "$printed" = "$pushed" ]; then
		pass stalled_every_pushed_record_printed
	else
		fail stalled_every_pushed_record_printed "$printed records printed, the kernel pushed '$pushed'"
	fi
	echo "note: stalled consumer: $pushed records pushed, $lost lost, $said said lost"
	nothing_attached stalled
}

run_tests live
