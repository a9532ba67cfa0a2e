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
	# Which hooks ran (auto on veth: TCX ingress and egress).
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
	if grep -q '^s1: ingress tcx id [0-9]*; egress tcx id [0-9]*; daemon pid [0-9]* running' "$W/status.out" &&
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

# ---- 5: SIGKILL leaves a stale state file (TCX links go with the
# process); unload removes it ----------------------------------------------
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

# ---- 7: the hook kinds, and sharing the hooks with someone else --------
FOREIGN=${FOREIGN_PROG:-$ROOT/build/tests/foreign_prog}

# joins_seen NAME FILE: the daemon saw a transfer's MPTCP traffic (both
# joins verified: ingress and egress were both inspected).
joins_seen() {
	has "$1" "$2" '[.[] | select(.event=="subflow_joined" and .verified==true)] | length >= 1'
}
# attached_line NAME REGEX: the daemon's "attached to" line matches.
attached_line() {
	if grep -Eq "$2" "$W/$1.err"; then pass "$1/says_hooks"; else fail "$1/says_hooks" "$(grep 'attached to' "$W/$1.err" || tail -2 "$W/$1.err")"; fi
}
foreign_ok() {
	if [ ! -x "$FOREIGN" ]; then
		fail "$1/foreign_prog" "missing $FOREIGN (make test-binaries)"
		return 1
	fi
}

# Someone else's XDP program on s1 and s2 stays; auto attaches TC beside it
# and still sees the traffic; --ingress xdp-native is refused with exit 12.
test_foreign_xdp_beside() {
	local dev rc ids=()
	ready && foreign_ok foreign_xdp || return
	for dev in s1 s2; do
		ids+=("$(ip netns exec "$NS_SRV" "$FOREIGN" xdp "$dev" native)") || {
			fail foreign_xdp/setup "foreign_prog xdp $dev failed"
			return
		}
	done
	ip netns exec "$NS_SRV" "$MPTCP_XDP" load --ingress xdp-native s1 >/dev/null 2>"$W/fxdp_refused.err"
	rc=$?
	if [ "$rc" -eq 12 ] && [ "$(wc -l <"$W/fxdp_refused.err")" -eq 1 ] &&
		grep -q 'another XDP program is attached' "$W/fxdp_refused.err"; then
		pass foreign_xdp/explicit_xdp_refused
	else
		fail foreign_xdp/explicit_xdp_refused "exit $rc: $(cat "$W/fxdp_refused.err")"
	fi
	if start_daemon fxdp --events all; then
		attached_line fxdp 's1 \(ingress tcx: XDP held by program [0-9]+ .foreign_pass., egress tcx\)'
		SRVARGS=()
		transfer "$SRV4_1" 5601 --bytes 400000 --hold-ms 200
		sleep 0.3
		stop_daemon fxdp TERM
		joins_seen fxdp/sees_mptcp "$W/fxdp.out"
	fi
	for dev in s1 s2; do
		if ip -n "$NS_SRV" -d link show dev "$dev" | grep -q "prog/xdp id ${ids[0]} \|prog/xdp id ${ids[1]} "; then
			pass "foreign_xdp/still_there_$dev"
		else
			fail "foreign_xdp/still_there_$dev" "$(ip -n "$NS_SRV" -d link show dev "$dev" | grep prog)"
		fi
		ip -n "$NS_SRV" link set dev "$dev" xdp off
	done
	nothing_attached foreign_xdp
}

# --ingress xdp-native on veth works when asked.
test_ingress_xdp_native() {
	ready || return
	start_daemon xdpnat --ingress xdp-native --events all || return
	attached_line xdpnat 's1 \(ingress xdp-native: asked, egress tcx\)'
	SRVARGS=()
	transfer "$SRV4_1" 5602 --bytes 400000 --hold-ms 200
	sleep 0.3
	stop_daemon xdpnat TERM
	joins_seen xdpnat/sees_mptcp "$W/xdpnat.out"
	nothing_attached xdpnat
}

# foreign_tc_left NAME DEV DIR: the foreign clsact filter and the qdisc are
# still on DEV, and no filter of ours.
foreign_tc_left() {
	local f
	f=$(ip netns exec "$NS_SRV" tc filter show dev "$2" "$3" 2>/dev/null)
	if grep -q foreign_pass <<<"$f" && ! grep -q mptcp_ <<<"$f" &&
		ip netns exec "$NS_SRV" tc qdisc show dev "$2" | grep -q clsact; then
		pass "$1/foreign_left_$2_$3"
	else
		fail "$1/foreign_left_$2_$3" "filters: $f; qdiscs: $(ip netns exec "$NS_SRV" tc qdisc show dev "$2" | tr '\n' ' ')"
	fi
}
ours_gone() { # ours_gone NAME: no filter of ours on s1, s2
	local dev dir bad=
	for dev in s1 s2; do
		for dir in ingress egress; do
			ip netns exec "$NS_SRV" tc filter show dev "$dev" "$dir" 2>/dev/null | grep -q mptcp_ && bad+=" $dev/$dir"
		done
	done
	if [ -z "$bad" ]; then pass "$1/ours_gone"; else fail "$1/ours_gone" "$bad"; fi
}

# The clsact path (MPTCP_XDP_NO_TCX=1) beside someone else's filters: a
# foreign filter on s1's ingress before the daemon (its qdisc is not ours),
# one on s2's egress after it (the qdisc is ours, but not empty). After
# SIGTERM, and after SIGKILL and unload, they and their qdiscs stay; ours go.
test_clsact_beside_foreign_filter() {
	local dev
	ready && foreign_ok clsact || return
	ip netns exec "$NS_SRV" "$FOREIGN" tc s1 ingress >/dev/null || {
		fail clsact/setup "foreign_prog tc s1 ingress failed"
		return
	}
	export MPTCP_XDP_NO_TCX=1
	if start_daemon clsact --events all; then
		unset MPTCP_XDP_NO_TCX
		attached_line clsact 's1 \(ingress clsact: a virtual device, egress clsact\)'
		ip netns exec "$NS_SRV" "$FOREIGN" tc s2 egress >/dev/null
		SRVARGS=()
		transfer "$SRV4_1" 5603 --bytes 400000 --hold-ms 200
		sleep 0.3
		stop_daemon clsact TERM
		joins_seen clsact/sees_mptcp "$W/clsact.out"
		foreign_tc_left clsact_term s1 ingress
		foreign_tc_left clsact_term s2 egress
		ours_gone clsact_term
	fi
	export MPTCP_XDP_NO_TCX=1
	if start_daemon clsact_kill; then
		unset MPTCP_XDP_NO_TCX
		kill -KILL "$DAEMON"
		netns_wait_pid "$DAEMON" 100 || true
		for dev in s1 s2; do
			if ip netns exec "$NS_SRV" "$MPTCP_XDP" unload "$dev" >"$W/cunload.out" 2>&1 &&
				grep -q 'removed the clsact filters' "$W/cunload.out"; then
				pass "clsact_kill/unload_$dev"
			else
				fail "clsact_kill/unload_$dev" "$(cat "$W/cunload.out")"
			fi
		done
		foreign_tc_left clsact_kill s1 ingress
		foreign_tc_left clsact_kill s2 egress
		ours_gone clsact_kill
	fi
	unset MPTCP_XDP_NO_TCX
	for dev in s1 s2; do
		ip netns exec "$NS_SRV" tc qdisc del dev "$dev" clsact 2>/dev/null
	done
	nothing_attached clsact
}

# TC counts segments: with offloads on (TSO on the client's veths, so that
# s1 and s2 receive 64 KB super-packets), the daemon's packets and tcp
# counters (TC ingress and egress) match the segments both sides sent
# (OutSegs counts a TSO skb as its segments; InSegs counts skbs), not the
# skbs.
out_segs() { # out_segs NS: OutSegs of the namespace
	ip netns exec "$1" awk '$1 == "Tcp:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["OutSegs"] }' /proc/net/snmp
}
tcp_segs() { echo $(($(out_segs "$NS_CLI") + $(out_segs "$NS_SRV"))); }
stat_counter() { grep -o "\"$2\":[0-9]*" "$W/$1.err" | tail -1 | cut -d: -f2; }
offloads() { # offloads on|off: TSO/GSO (and tx checksums) on the four veths
	local dev ns
	for dev in c1 c2 s1 s2; do
		ns=$NS_SRV
		[ "${dev#c}" != "$dev" ] && ns=$NS_CLI
		if [ "$1" = on ]; then
			ip netns exec "$ns" ethtool -K "$dev" tx on tso on gso on >/dev/null 2>&1
		else
			ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off gro off >/dev/null 2>&1
		fi
	done
}
test_tc_counts_segments() {
	local before after segs pk tcp
	ready || return
	offloads on
	if ! ip netns exec "$NS_CLI" ethtool -k c1 | grep -q '^tcp-segmentation-offload: on'; then
		offloads off
		fail segs/setup "cannot turn TSO on for c1"
		return
	fi
	if start_daemon segs --ingress tc --stats --metrics off; then
		before=$(tcp_segs)
		SRVARGS=()
		transfer "$SRV4_1" 5604 --bytes 20000000 --hold-ms 200
		after=$(tcp_segs)
		stop_daemon segs TERM
		segs=$((after - before))
		pk=$(stat_counter segs packets)
		tcp=$(stat_counter segs tcp)
		echo "note: TCP segments sent $segs (OutSegs, both sides); daemon at TC: packets ${pk:-?}, tcp ${tcp:-?}"
		# Within 5 % (and a few packets of ND and retransmission timing).
		if [ -n "$tcp" ] && [ "$segs" -gt 1000 ] &&
			[ $((tcp * 100)) -ge $((segs * 95 - 2000)) ] && [ $((tcp * 100)) -le $((segs * 105 + 2000)) ] &&
			[ "$pk" -ge "$tcp" ]; then
			pass segs/tc_counts_segments
		else
			fail segs/tc_counts_segments "TCP segments $segs, daemon tcp ${tcp:-none}, packets ${pk:-none}"
		fi
	fi
	offloads off
}

# ---- 8: a stopped consumer: records lost, and the gap said -------------
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
