#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# Many sensors (README.md, "Many sensors"): sensors publish to Redis
# Streams, `mptcp-xdp correlate` reads them. A real redis-server started
# here, inside the test's server namespace, on its 127.0.0.1 (--save ''
# --appendonly no, its own directory, ended by PID). Two live sensors in
# the two-path network of netns_lib.sh, in the server namespace: sensor A
# on s1 only, sensor B on s2 only; real kernel MPTCP whose join crosses
# s2 only. Captures (../shared/testdata/pcaps) replayed as sensors for
# the shard, restart and trimming tests.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/netns_lib.sh
source "$ROOT/tests/e2e/netns_lib.sh"
# shellcheck source=tests/e2e/daemon_lib.sh
source "$ROOT/tests/e2e/daemon_lib.sh"
XFER=${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}
RPORT=6390 # the namespace is new: nothing else listens in it
REDIS_PID=
# Each a different set of connections (pymptcpanalyzer_server_2 is the
# other end of pymptcpanalyzer_client_2: published together, they would
# be one vantage point more of the same connections).
CAPS=(pymptcpanalyzer_client_2 tcpdump_mptcp-v1 tcpdump_mptcp-v0 tcpdump_mptcp-fclose tcpdump_mptcp-aa-v1 tcpdump_mptcp-tcprst)

# ---- set-up and helpers ------------------------------------------------

in_srv() { ip netns exec "$NS_SRV" "$@"; }
rcli() { in_srv redis-cli -p "$RPORT" "$@"; }
url() { echo "redis://127.0.0.1:$RPORT/$1"; }

# redis_start (set-up): a redis-server in the server namespace, empty.
redis_start() {
	mkdir -p "$W/redis"
	netns_bg "$NS_SRV" redis-server --port "$RPORT" --bind 127.0.0.1 \
		--dir "$W/redis" --save '' --appendonly no >"$W/redis.log" 2>&1
	REDIS_PID=$NETNS_BG_PID
	for _ in $(seq 100); do
		[ "$(rcli ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.05
	done
	fail redis_start "redis-server did not answer: $(tail -3 "$W/redis.log")"
	return 1
}
redis_stop() { # by PID: KILL, as a crash
	kill -KILL "$REDIS_PID" 2>/dev/null
	netns_wait_pid "$REDIS_PID" 100 || true
}
ready() { live_ready 4 && need redis_start; }

# sensor NAME ARGS...: `load ARGS` in the server namespace, output in
# $W/NAME.out/.err, its PID in SENSOR; waits until attached (set-up).
sensor() {
	local name=$1
	shift
	netns_bg "$NS_SRV" "$MPTCP_XDP" load --metrics off "$@" >"$W/$name.out" 2>"$W/$name.err"
	SENSOR=$NETNS_BG_PID
	netns_wait_attached "$W/$name.err" "$SENSOR" && return 0
	fail "$name/start" "sensor did not attach: $(cat "$W/$name.err")"
	return 1
}
stop_pid() { # stop_pid PID: TERM, its exit status
	kill -TERM "$1" 2>/dev/null
	netns_wait_pid "$1" 200
}

# drained KEY GROUP: the group has read every entry of KEY and holds
# none unacknowledged (bounded wait).
drained() {
	local len info
	for _ in $(seq 100); do
		len=$(rcli XLEN "$1")
		info=$(rcli XINFO GROUPS "$1" 2>/dev/null | tr '\n' ' ')
		if [[ $info == *"name $2 "*"pending 0 "* ]] &&
			[[ $info =~ entries-read\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$len" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# correlate NAME KEYS GROUP [ARGS...]: the central correlator until KEYS
# are drained by GROUP, then TERM; output in $W/NAME.out, status in CRC.
correlate() {
	local name=$1 keys=$2 group=$3 pid k
	shift 3
	netns_bg "$NS_SRV" "$MPTCP_XDP" correlate --from "$(url "$keys")" --group "$group" \
		--consumer c1 --stats "$@" >"$W/$name.out" 2>"$W/$name.err"
	pid=$NETNS_BG_PID
	for k in ${keys//,/ }; do drained "$k" "$group" || echo "note: $k not drained by $group" >&2; done
	CRC=0
	stop_pid "$pid" || CRC=$?
}

# has NAME FILE JQ-FILTER: the JSON lines of FILE satisfy it.
has() {
	if grep '^{' "$2" | jq -e -s "$3" >/dev/null 2>&1; then pass "$1"; else fail "$1" "no match for $3 in $(basename "$2")"; fi
}

publish_caps() { # publish_caps KEY ARGS...: every capture, sensor "cap"
	local key=$1 f
	shift
	for f in "${CAPS[@]}"; do
		"$MPTCP_XDP" replay --engine host --sensor cap --publish "$(url "$key")" "$@" \
			"$SHARED_PCAPS/$f.pcap" >/dev/null 2>>"$W/publish_caps.err" || return 1
	done
}
# ...but replay runs in the namespace (its 127.0.0.1 is Redis's).
publish_caps_ns() { in_srv bash -c "$(declare -f url publish_caps); CAPS=(${CAPS[*]}); RPORT=$RPORT MPTCP_XDP=$MPTCP_XDP SHARED_PCAPS=$SHARED_PCAPS W=$W publish_caps $*"; }

# ---- errors at start -----------------------------------------------------

test_redis_down_at_start() {
	local port rc out
	# A port nothing listens on, on this host's loopback: only a connect
	# attempt, refused.
	for port in $(seq 16390 16490); do
		[ -z "$(ss -Hltn "sport = :$port")" ] && break
	done
	out=$("$MPTCP_XDP" replay --engine host --publish "redis://127.0.0.1:$port/k" \
		"$SHARED_PCAPS/tcpdump_mptcp-v1.pcap" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 17 ] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
		[[ $out == "mptcp-xdp: redis at 127.0.0.1:$port: Connection refused" ]]; then
		pass redis_down_at_start
	else
		fail redis_down_at_start "exit $rc: $out"
	fi
}

# ---- two sensors, one join only the second saw ---------------------------

two_sensors_run() {
	local a b ra rb
	sensor sensorA --publish "$(url two)" --sensor A s1 || return 1
	a=$SENSOR
	sensor sensorB --publish "$(url two)" --sensor B s2 || return 1
	b=$SENSOR
	SRVARGS=()
	transfer "$SRV4_1" 5301 --bytes 400000 --hold-ms 300
	sleep 1.5 # the summaries' grace period, and the last poll
	ra=0 rb=0
	stop_pid "$a" || ra=$?
	stop_pid "$b" || rb=$?
	[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] || { fail two_sensors "sensors exited $ra, $rb"; return 1; }
	correlate central two g1
}
two() { ready && need two_sensors_run; }

test_central_exit_ok() {
	two || return
	if [ "$CRC" -eq 0 ]; then pass central_exit_ok; else fail central_exit_ok "exit $CRC: $(tail -2 "$W/central.err")"; fi
}
test_sensor_b_alone_cannot_verify() {
	two || return
	has sensor_b_alone_sees_unknown_token "$W/sensorB.out" 'any(.[]; .event=="join_unknown_token")'
	has sensor_b_alone_verifies_nothing "$W/sensorB.out" 'all(.[]; .event!="subflow_joined" or .verified!=true)'
}
test_sensor_a_alone_sees_no_join() {
	two && has sensor_a_alone_sees_no_join "$W/sensorA.out" 'any(.[]; .event=="mptcp_established") and all(.[]; .event!="subflow_joined")'
}
test_central_verifies_join_seen_by_b() {
	two && has central_verifies_join_seen_by_b "$W/central.out" \
		"any(.[]; .event==\"subflow_joined\" and .verified==true and .sensor==\"B\" and .dport==5301)"
}
test_central_summary_names_sensors() {
	two && has central_summary_names_sensors "$W/central.out" \
		'any(.[]; .event=="connection_closed" and ([.subflows[] | select(.role=="initial") | .sensor] == ["A"]) and any(.subflows[]; .role=="join" and .sensor=="B" and .verified==true))'
}
test_central_no_unknown_token() {
	two && has central_no_unknown_token "$W/central.out" 'all(.[]; .event!="join_unknown_token")'
}
test_central_consumed_all() {
	two && has central_consumed_all "$W/central.err" \
		'any(.[]; .consume? and .consume.received > 0 and .consume.received == .consume.fed and .consume.acked == .consume.fed)'
}

# ---- Redis killed and restarted under a running sensor ---------------------

restart_run() {
	local s
	sensor restart --publish "$(url rs)" --sensor R --stats s1 s2 || return 1
	s=$SENSOR
	SRVARGS=()
	transfer "$SRV4_1" 5311 --bytes 100000 --hold-ms 200
	sleep 0.5
	redis_stop
	transfer "$SRV4_1" 5312 --bytes 100000 --hold-ms 200
	sleep 0.5
	redis_start || return 1
	sleep 6 # past the longest back-off (5 s)
	transfer "$SRV4_1" 5313 --bytes 100000 --hold-ms 200
	sleep 1.5
	RESTART_RC=0
	stop_pid "$s" || RESTART_RC=$?
}
restart() { ready && need two_sensors_run && need restart_run; }

test_restart_sensor_kept_inspecting() {
	restart || return
	if [ "$RESTART_RC" -eq 0 ]; then pass restart_sensor_exit_ok; else fail restart_sensor_exit_ok "exit $RESTART_RC"; fi
	has restart_all_three_summaries "$W/restart.out" \
		'([.[] | select(.event=="connection_closed") | .subflows[0].dport] | sort) == [5311,5312,5313]'
}
test_restart_counted_and_reconnected() {
	restart || return
	has restart_failed_counted "$W/restart.err" 'any(.[]; .publish? and .publish.failed > 0 and .publish.sent > 0 and .publish.reconnects >= 1 and .publish.connected == 1)' 2>/dev/null ||
		true
	if grep -q '^mptcp-xdp: warning: redis at 127.0.0.1:6390 lost' "$W/restart.err" &&
		grep -q '^mptcp-xdp: notice: redis at 127.0.0.1:6390 reconnected' "$W/restart.err"; then
		pass restart_said_lost_and_back
	else
		fail restart_said_lost_and_back "$(grep redis "$W/restart.err")"
	fi
}
test_restart_published_after() {
	restart || return
	correlate after_restart rs g2
	has restart_published_after "$W/after_restart.out" \
		'any(.[]; .event=="mptcp_established" and .dport==5313) and all(.[]; .dport!=5311)'
}

# ---- shards -----------------------------------------------------------------

shards_run() {
	publish_caps_ns one || { fail shards "publishing: $(tail -2 "$W/publish_caps.err")"; return 1; }
	publish_caps_ns sh --shards 2 || { fail shards "publishing: $(tail -2 "$W/publish_caps.err")"; return 1; }
	correlate one one g1
	correlate shard0 sh:0 g1
	correlate shard1 sh:1 g1
}
shards() { ready && need shards_run; }

test_two_shards_equal_one() {
	shards || return
	if [ -s "$W/one.out" ] && [ -s "$W/shard0.out" ] && [ -s "$W/shard1.out" ] &&
		diff <(sort "$W/one.out") <(sort "$W/shard0.out" "$W/shard1.out") >"$W/shards.diff"; then
		pass two_shards_equal_one
	else
		fail two_shards_equal_one "$(head -c 600 "$W/shards.diff")"
	fi
}
test_shards_both_used() {
	shards && has shards_both_used_0 "$W/shard0.out" '[.[] | select(.event=="connection_closed")] | length > 0' &&
		has shards_both_used_1 "$W/shard1.out" '[.[] | select(.event=="connection_closed")] | length > 0'
}
test_one_equals_local_replay() {
	# The central correlator says what a local replay says (--dss edges,
	# as published), but the sensor and the final counts (kept in the
	# sensor's flow table, not published: the last subflow record's).
	shards || return
	local f
	for f in "${CAPS[@]}"; do
		"$MPTCP_XDP" replay --engine host --dss edges "$SHARED_PCAPS/$f.pcap"
	done | jq -c 'del(.frame) | if (.subflows|type)=="array" then .subflows|=map(del(.packets_fwd,.packets_rev,.bytes_fwd,.bytes_rev)) else . end | del(.ts,.duration)' | sort >"$W/local.norm"
	jq -c 'del(.sensor) | if (.subflows|type)=="array" then .subflows|=map(del(.sensor,.packets_fwd,.packets_rev,.bytes_fwd,.bytes_rev)) else . end | del(.ts,.duration)' "$W/one.out" | sort >"$W/one.norm"
	if [ -s "$W/one.norm" ] && diff "$W/local.norm" "$W/one.norm" >"$W/local.diff"; then
		pass one_equals_local_replay
	else
		fail one_equals_local_replay "$(head -c 600 "$W/local.diff")"
	fi
}

# ---- shards: joins that name token A ------------------------------------------

# The listener opens the joins: the client announces its path-2 address
# (a "signal" endpoint instead of "subflow"), the server's in-kernel path
# manager connects to it, and the Linux client, with no listener there,
# resets it. Each such join SYN names token A. s1 and s2 are captured
# apart and replayed as sensors A and B, sharded and not: sensor B alone
# sees the joins, sensor A the keys. Twelve connections: a token A and a
# token B in different shards (odd and even) is all but sure (1 - 2^-12).
token_a_run() {
	local i capa capb
	ip -n "$NS_CLI" mptcp endpoint delete id "$EP_ID4"
	ip -n "$NS_SRV" mptcp endpoint delete id "$EP_ID4"
	ip -n "$NS_CLI" mptcp endpoint add "$CLI4_2" dev c2 id 7 signal
	netns_capture_start "$NS_SRV" s1 "$W/ta_s1.pcap" tcp || { fail token_a "tcpdump on s1"; return 1; }
	capa=$NETNS_CAPTURE_PID
	netns_capture_start "$NS_SRV" s2 "$W/ta_s2.pcap" tcp || { fail token_a "tcpdump on s2"; return 1; }
	capb=$NETNS_CAPTURE_PID
	SRVARGS=()
	for i in $(seq 12); do transfer "$SRV4_1" $((5400 + i)) --bytes 20000 --hold-ms 800; done
	netns_capture_stop "$capa" "$capb" >/dev/null
	# The network as the other tests know it.
	ip -n "$NS_CLI" mptcp endpoint delete id 7
	ip -n "$NS_CLI" mptcp endpoint add "$CLI4_2" dev c2 id "$EP_ID4" subflow
	# The server's path manager made an implicit endpoint for the address
	# its joins came from: gone with the flush.
	ip -n "$NS_SRV" mptcp endpoint flush
	ip -n "$NS_SRV" mptcp endpoint add "$SRV4_2" dev s2 id "$EP_ID4" signal
	for i in a:s1:A b:s2:B; do
		IFS=: read -r _ ifc name <<<"$i"
		in_srv "$MPTCP_XDP" replay --engine host --sensor "$name" --publish "$(url ta1)" \
			"$W/ta_$ifc.pcap" >/dev/null 2>>"$W/ta_pub.err" || { fail token_a "publishing $ifc"; return 1; }
		in_srv "$MPTCP_XDP" replay --engine host --sensor "$name" --publish "$(url ta)" --shards 2 \
			"$W/ta_$ifc.pcap" >/dev/null 2>>"$W/ta_pub.err" || { fail token_a "publishing $ifc"; return 1; }
	done
	correlate ta_one ta1 g1
	correlate ta_shard0 ta:0 g1
	correlate ta_shard1 ta:1 g1
}
token_a() { ready && need token_a_run; }

test_shards_join_to_token_a() {
	token_a || return
	# The reference: one correlator links every join to its connection.
	has token_a_one_links_all "$W/ta_one.out" \
		'any(.[]; .event=="connection_closed" and any(.subflows[]; .role=="join" and .src=="198.18.2.2")) and all(.[]; .event!="join_unknown_token")'
	# Shards: a connection the listener joined has its tokens in
	# different shards ...
	has token_a_tokens_split "$W/ta_one.out" \
		'def odd(t): (t[-1:] as $c | "0123456789abcdef" | index($c)) % 2; any(.[]; .event=="connection_closed" and any(.subflows[]; .role=="join" and .src=="198.18.2.2") and odd(.token_a) != odd(.token_b))'
	# ... yet no shard says a join named an unknown token, each join's
	# end is said once under its connection's id, and the shadows wrote
	# nothing of their own.
	has token_a_no_unknown_token "$W/ta_shard0.out" 'all(.[]; .event!="join_unknown_token")'
	has token_a_no_unknown_token_1 "$W/ta_shard1.out" 'all(.[]; .event!="join_unknown_token")'
	if diff <(grep -h '"event":"subflow_closed"' "$W/ta_one.out" | jq -c 'del(.sensor)' | sort) \
		<(grep -h '"event":"subflow_closed"' "$W/ta_shard0.out" "$W/ta_shard1.out" | jq -c 'del(.sensor)' | sort) >"$W/ta.diff"; then
		pass token_a_subflow_events_equal_one
	else
		fail token_a_subflow_events_equal_one "$(head -c 600 "$W/ta.diff")"
	fi
	if diff <(grep -hv '"event":"connection_closed"' "$W/ta_one.out" | sort) \
		<(grep -hv '"event":"connection_closed"' "$W/ta_shard0.out" "$W/ta_shard1.out" | sort) >"$W/ta_ev.diff"; then
		pass token_a_events_equal_one
	else
		fail token_a_events_equal_one "$(head -c 600 "$W/ta_ev.diff")"
	fi
	# A shadow lives in the shard of the connection's other token, which
	# is shard 0 or 1 by that token's parity: count both shards.
	cat "$W/ta_shard0.err" "$W/ta_shard1.err" >"$W/ta_shards.err"
	has token_a_shadows_counted "$W/ta_shards.err" 'any(.[]; .consume? and .consume.shadow_conns > 0)'
}

# ---- the correlator restarted: resumes, no summary twice ---------------------

test_correlator_resumes() {
	ready || return
	local pid n1 n2
	# One capture: its records span less than the window below.
	local CAPS=(pymptcpanalyzer_client_2)
	publish_caps_ns res || { fail correlator_resumes "publishing"; return; }
	# Holds every record in a 60 s window (of record time, and of idle
	# time), so it dies with all of them read but unacknowledged ...
	netns_bg "$NS_SRV" "$MPTCP_XDP" correlate --from "$(url res)" --group g --consumer c1 \
		--reorder-window 60000 >"$W/res1.out" 2>"$W/res1.err"
	pid=$NETNS_BG_PID
	for _ in $(seq 100); do
		[[ $(rcli XPENDING res g | head -1) -gt 0 ]] && break
		sleep 0.1
	done
	kill -KILL "$pid"
	netns_wait_pid "$pid" 100
	check correlator_killed_before_feeding test ! -s "$W/res1.out"
	# ... then the same consumer again: the pending entries are read again.
	correlate res2 res g
	# Later records: a third run sees only them.
	publish_caps_ns res || { fail correlator_resumes "publishing"; return; }
	correlate res3 res g
	n2=$(jq -s '[.[] | select(.event=="connection_closed")] | length' "$W/res2.out")
	if [ "$n2" -gt 0 ] && diff <(jq -c 'del(.sensor)' "$W/res2.out" | sort) <(jq -c 'del(.sensor)' "$W/res3.out" | sort) >/dev/null; then
		pass correlator_resumes_pending_once
	else
		fail correlator_resumes_pending_once "summaries: $n2 then $(jq -s '[.[] | select(.event=="connection_closed")] | length' "$W/res3.out")"
	fi
}

# ---- stream length -----------------------------------------------------------

# /metrics of a publishing replay (publish_records_total) and of the
# central correlator (consume_records_total, lag): the counts are the
# stream's length as Redis itself says (XLEN).
scrape() { in_srv curl -s --max-time 5 "http://127.0.0.1:$1/metrics"; }
metric() { sed -n "s/^mptcp_xdp_$2 \([0-9]*\)$/\1/p" <<<"$1"; }
test_metrics_publish_and_consume() {
	local pid text len sent acked lag
	ready || return
	netns_bg "$NS_SRV" "$MPTCP_XDP" replay --engine host --sensor m --publish "$(url mkey)" \
		--metrics "127.0.0.1:$((RPORT + 1))" --metrics-hold "$SHARED_PCAPS/tcpdump_mptcp-v0.pcap" \
		>"$W/mpub.out" 2>"$W/mpub.err"
	pid=$NETNS_BG_PID
	for _ in $(seq 100); do
		grep -q 'serving /metrics' "$W/mpub.err" 2>/dev/null && break
		sleep 0.05
	done
	text=$(scrape $((RPORT + 1)))
	stop_pid "$pid" || true
	len=$(rcli XLEN mkey)
	sent=$(metric "$text" 'publish_records_total{result="sent"}')
	if [ -n "$sent" ] && [ "$sent" = "$len" ] && [ "$len" -gt 0 ] &&
		[ "$(metric "$text" publish_connected)" = 1 ]; then
		pass metrics_publish
	else
		fail metrics_publish "sent '$sent', XLEN $len: $(grep publish <<<"$text" | tr '\n' ' ')"
	fi
	netns_bg "$NS_SRV" "$MPTCP_XDP" correlate --from "$(url mkey)" --group mg --consumer c1 \
		--metrics "127.0.0.1:$((RPORT + 2))" >"$W/mcons.out" 2>"$W/mcons.err"
	pid=$NETNS_BG_PID
	drained mkey mg || true
	sleep 0.5 # one more turn of its loop publishes what it read
	text=$(scrape $((RPORT + 2)))
	stop_pid "$pid" || true
	acked=$(metric "$text" 'consume_records_total{result="acked"}')
	lag=$(metric "$text" consume_lag_records)
	if [ -n "$acked" ] && [ "$acked" = "$len" ] && [ "$lag" = 0 ] &&
		! grep -q '^mptcp_xdp_packets_total' <<<"$text"; then
		pass metrics_consume
	else
		fail metrics_consume "acked '$acked', lag '$lag', XLEN $len: $(grep consume <<<"$text" | tr '\n' ' ')"
	fi
}

test_stream_capped_and_trimmed() {
	ready || return
	local sent len
	publish_caps_ns cap --dss all --stream-maxlen 100 || { fail stream_capped "publishing"; return; }
	sent=0
	for f in "${CAPS[@]}"; do
		sent=$((sent + $("$MPTCP_XDP" replay --engine host --events raw "$SHARED_PCAPS/$f.pcap" | jq -s 'length')))
	done
	len=$(rcli XLEN cap)
	# MAXLEN ~ trims whole macro nodes (100 entries): at most a node over.
	if [ "$len" -lt "$sent" ] && [ "$len" -le 200 ]; then pass stream_capped; else fail stream_capped "XLEN $len of $sent sent"; fi
	correlate capped cap gc
	sleep 1.2
	len=$(rcli XLEN cap)
	if [ "$len" -lt 100 ]; then pass acknowledged_trimmed; else fail acknowledged_trimmed "XLEN $len after the group read all"; fi
}

# The central correlator under a Redis that dies and comes back (empty:
# no persistence): it keeps its state, says it lost Redis, reconnects
# with back-off, makes its group again, and goes on with what is
# published after: both captures' connections are summarised.
test_correlator_reconnects() {
	local pid
	ready || return
	netns_bg "$NS_SRV" "$MPTCP_XDP" correlate --from "$(url cr)" --group gr --consumer c1 \
		--stats >"$W/cr.out" 2>"$W/cr.err"
	pid=$NETNS_BG_PID
	in_srv "$MPTCP_XDP" replay --engine host --sensor v1 --publish "$(url cr)" \
		"$SHARED_PCAPS/tcpdump_mptcp-v1.pcap" >/dev/null 2>&1
	drained cr gr || echo "note: cr not drained before the restart" >&2
	redis_stop
	sleep 1
	redis_start || { stop_pid "$pid"; return; }
	sleep 6 # past the longest back-off (5 s)
	in_srv "$MPTCP_XDP" replay --engine host --sensor v0 --publish "$(url cr)" \
		"$SHARED_PCAPS/tcpdump_mptcp-v0.pcap" >/dev/null 2>&1
	drained cr gr || echo "note: cr not drained after the restart" >&2
	stop_pid "$pid" || true
	has correlator_reconnects_counted "$W/cr.err" 'any(.[]; .consume? and .consume.reconnects >= 1)'
	has correlator_both_sides_of_restart "$W/cr.out" \
		'([.[] | select(.event=="connection_closed") | .subflows[0].sensor] | sort) == ["v0","v1"]'
}

run_tests publish
