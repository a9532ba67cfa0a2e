#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# Least privilege and back-pressure, live (docs/security.md): the daemon
# attached to the server side of the two-path test network (netns_lib.sh:
# namespaces made here, only 198.18.0.0/15 and 2001:db8::/32, removed on
# every exit).
#
# - Once attached, the daemon keeps CAP_NET_ADMIN only while it has a
#   clsact filter to remove (MPTCP_XDP_NO_TCX=1), and nothing at all with
#   TCX and XDP links (the default on veth); it still detaches everything
#   at exit.
# - Back-pressure: with the daemon stopped (SIGSTOP) a bulk transfer still
#   completes (the kernel side never waits for the consumer); the records
#   it could not push are counted and exported, and after SIGCONT the
#   daemon writes records_lost events that add up to the kernel's count.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/netns_lib.sh
source "$ROOT/tests/e2e/netns_lib.sh"
# shellcheck source=tests/e2e/daemon_lib.sh
source "$ROOT/tests/e2e/daemon_lib.sh"
XFER=${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}
# ready: in a test, the root check and the network (daemon_lib.sh).
ready() { live_ready 4; }

# cap_eff PID: the effective capability set, as the kernel shows it.
cap_eff() { awk '/^CapEff:/ {print $2}' "/proc/$1/status"; }
cap_bnd() { awk '/^CapBnd:/ {print $2}' "/proc/$1/status"; }

test_caps_dropped_to_net_admin_with_clsact() {
	ready || return
	local want
	# CAP_NET_ADMIN is capability 12 (linux/capability.h).
	want=$(printf '%016x' $((1 << 12)))
	export MPTCP_XDP_NO_TCX=1
	start_daemon caps --metrics off
	local started=$?
	unset MPTCP_XDP_NO_TCX
	[ "$started" -eq 0 ] || return
	if [ "$(cap_eff "$DAEMON")" = "$want" ] && [ "$(cap_bnd "$DAEMON")" = "$want" ]; then
		pass caps/net_admin_only
	else
		fail caps/net_admin_only "CapEff $(cap_eff "$DAEMON") CapBnd $(cap_bnd "$DAEMON"), want $want"
	fi
	if grep -q 'capabilities kept: CAP_NET_ADMIN;' "$W/caps.err"; then pass caps/says_what_it_kept; else fail caps/says_what_it_kept "$(cat "$W/caps.err")"; fi
	stop_daemon caps TERM
	nothing_attached caps
}

# TCX links (ingress and egress) need no capability to detach.
test_caps_dropped_to_none_with_tcx() {
	ready || return
	start_daemon tcx --metrics off || return
	if [ "$(cap_eff "$DAEMON")" = 0000000000000000 ] && [ "$(cap_bnd "$DAEMON")" = 0000000000000000 ]; then
		pass tcx/no_capability
	else
		fail tcx/no_capability "CapEff $(cap_eff "$DAEMON") CapBnd $(cap_bnd "$DAEMON")"
	fi
	if grep -q 'capabilities kept: none;' "$W/tcx.err" && grep -q 'ingress tcx: a virtual device, egress tcx' "$W/tcx.err"; then
		pass tcx/says_what_it_kept
	else
		fail tcx/says_what_it_kept "$(cat "$W/tcx.err")"
	fi
	stop_daemon tcx TERM
	nothing_attached tcx
}

test_caps_dropped_to_none_without_egress() {
	ready || return
	start_daemon noegress --metrics off --no-egress || return
	if [ "$(cap_eff "$DAEMON")" = 0000000000000000 ]; then pass noegress/no_capability; else fail noegress/no_capability "CapEff $(cap_eff "$DAEMON")"; fi
	# A scrape still works without privilege: the maps are read through
	# file descriptors opened before the drop.
	stop_daemon noegress TERM
	nothing_attached noegress
}

test_metrics_after_drop() {
	ready || return
	local port=9846
	start_daemon scrape --metrics "127.0.0.1:$port" || return
	if ip netns exec "$NS_SRV" curl -sf "http://127.0.0.1:$port/metrics" >"$W/scrape.txt" &&
		grep -q '^mptcp_xdp_packets_total ' "$W/scrape.txt"; then
		pass scrape/after_drop
	else
		fail scrape/after_drop "no packets_total in the scrape"
	fi
	# The interface's hook kinds, as the daemon chose them (auto on veth).
	if grep -qx 'mptcp_xdp_interface_info{interface="s1",ingress="tcx",egress="tcx"} 1' "$W/scrape.txt"; then
		pass scrape/hook_kinds
	else
		fail scrape/hook_kinds "$(grep interface_info "$W/scrape.txt")"
	fi
	stop_daemon scrape TERM
}

test_records_lost_after_sigstop() {
	ready || return
	local out=$W/lost.out err=$W/lost.err port=9847 stopped_done=0 kernel_lost events_sum last_total scraped
	start_daemon lost --events all --dss all --stats --metrics "127.0.0.1:$port" || return
	SRVARGS=()
	transfer_bg "$SRV4_1" 5301 --bytes 300000000
	sleep 0.3
	kill -STOP "$DAEMON"
	# The transfer must finish while the consumer is stopped.
	for _ in $(seq 600); do
		kill -0 "$CLI_PID" 2>/dev/null || { stopped_done=1; break; }
		sleep 0.05
	done
	if [ "$stopped_done" = 1 ]; then pass lost/kernel_never_waits; else fail lost/kernel_never_waits "transfer still running 30 s after SIGSTOP"; fi
	transfer_wait
	kill -CONT "$DAEMON"
	sleep 2.5 # drain the ring, then at least one loss check (1 s)
	# A connection after the gap is followed from its start to its end.
	transfer "$SRV4_1" 5302 --bytes 100000 --hold-ms 200
	sleep 1.5 # the summary's grace period
	ip netns exec "$NS_SRV" curl -sf "http://127.0.0.1:$port/metrics" >"$W/lost.metrics"
	stop_daemon lost TERM
	kernel_lost=$(grep -o '"ringbuf_full":[0-9]*' "$err" | tail -1 | cut -d: -f2)
	scraped=$(awk '/^mptcp_xdp_records_lost_total / {print $2}' "$W/lost.metrics")
	events_sum=$(jq -s '[.[] | select(.event=="records_lost") | .lost] | add // 0' "$out")
	last_total=$(jq -s '[.[] | select(.event=="records_lost") | .lost_total] | last // 0' "$out")
	echo "note: records lost while stopped: kernel $kernel_lost, events $events_sum, scraped $scraped"
	if [ "${kernel_lost:-0}" -gt 0 ]; then pass lost/counted_by_kernel; else fail lost/counted_by_kernel "ringbuf_full=${kernel_lost:-none}"; fi
	if [ "$events_sum" = "${kernel_lost:-x}" ] && [ "$last_total" = "$kernel_lost" ]; then
		pass lost/events_add_up
	else
		fail lost/events_add_up "events $events_sum (last total $last_total), kernel $kernel_lost"
	fi
	if [ -n "$scraped" ] && [ "$scraped" -gt 0 ] && [ "$scraped" -le "${kernel_lost:-0}" ]; then
		pass lost/exported
	else
		fail lost/exported "scraped '${scraped}', kernel $kernel_lost"
	fi
	# "since" is the last clean check: before the event, after the start.
	if jq -e -s 'map(select(.event=="records_lost")) | length > 0 and all(.[]; .since <= .ts and .cause == "ring_buffer_full")' "$out" >/dev/null; then
		pass lost/says_when
	else
		fail lost/says_when "$(grep records_lost "$out" | head -2)"
	fi
	if grep -q 'warning: .* records lost' "$err"; then pass lost/warns_on_stderr; else fail lost/warns_on_stderr "$(tail -3 "$err")"; fi
	# The daemon recovered: the connection made after the gap is complete,
	# its join verified and its summary closed by DATA_FIN.
	if jq -e -s 'any(.[]; .event=="connection_closed" and .end=="data_fin" and any(.subflows[]; .dport==5302 and .role=="initial") and any(.subflows[]; .role=="join" and .verified==true))' "$out" >/dev/null; then
		pass lost/recovers
	else
		fail lost/recovers "no complete summary for the connection after SIGCONT"
	fi
	nothing_attached lost
}

run_tests privilege
