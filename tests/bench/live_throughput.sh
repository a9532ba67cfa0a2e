#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# What attaching costs a bulk MPTCP transfer: two namespaces over veth
# (tests/e2e/netns_lib.sh: namespaces made here, only 198.18.0.0/15, torn
# down by its trap on every exit), one transfer of BYTES (300 MB) with
# tests/tools/mptcp_xfer from the client to the server, timed to the
# server's end, with nothing attached, with `mptcp-xdp load s1 s2` on the
# server side in each ingress mode, and with no-op TC programs on the
# defaults' hooks (the floor of attaching anything there). Offloads as the
# veths come (NETNS_OFFLOADS=keep: TSO, GSO, GRO) and off
# (NETNS_OFFLOADS=off: every packet MSS-sized). Prints markdown table
# rows: throughput (the median) and its ratio to nothing attached in the
# same network (the median of the rounds' ratios). After a warm-up transfer, REPS rounds, each measuring
# every configuration once in turn, nothing attached first (the daemon
# started and stopped around its transfer).
#
# Then one transfer more at the defaults with kernel.bpf_stats_enabled on:
# each program's runs and ns per run, as table rows on file descriptor 3
# when the caller opened it.
#
# Usage: tests/bench/live_throughput.sh   (root; make test-binaries first)
#   BYTES=314572800 REPS=3 OFFLOADS="keep off" ONLY="1 6"
# make bench runs it (section 8, REPS=5): numbers for reading, never an
# assertion.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BIN=$ROOT/build/mptcp-xdp
XFER=$ROOT/build/tests/mptcp_xfer
FOREIGN=$ROOT/build/tests/foreign_prog
BYTES=${BYTES:-314572800}
REPS=${REPS:-5}
OFFLOADS=${OFFLOADS:-keep off}
PORT=5801

[ "$(id -u)" -eq 0 ] || { echo "live_throughput: needs root (namespaces, BPF)" >&2; exit 1; }
for f in "$BIN" "$XFER" "$FOREIGN"; do
	[ -x "$f" ] || { echo "live_throughput: missing $f (make && make test-binaries)" >&2; exit 1; }
done

# One transfer; prints its seconds (client start to server end).
one_transfer() {
	local srv t0 t1
	netns_bg "$NS_SRV" "$XFER" server --listen 0.0.0.0 --port "$PORT" --once >/dev/null 2>&1
	srv=$NETNS_BG_PID
	netns_wait_listen "$NS_SRV" "$PORT" || return 1
	t0=$(date +%s.%N)
	ip netns exec "$NS_CLI" "$XFER" client --connect "$SRV4_1" --port "$PORT" \
		--bytes "$BYTES" >/dev/null 2>&1
	netns_wait_pid "$srv" 1200 || true
	t1=$(date +%s.%N)
	PORT=$((PORT + 1))
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# The configurations, measured in turn within each round (so that a
# machine that drifts during the run drifts for all of them alike):
# "label|environment|load options"; no options field: nothing attached.
# "no-op TC programs" is the floor of TC: a program that returns at once
# (tests/tools/foreign_prog) on the same four hooks as the defaults (TCX)
# and as --ingress tc under MPTCP_XDP_NO_TCX (clsact), with no daemon:
# what attaching any TC program there costs this transfer.
CONFIGS=(
	"nothing attached||"
	"load (defaults)|| "
	"--ingress xdp-native||--ingress xdp-native"
	"--ingress xdp-generic||--ingress xdp-generic"
	"--ingress tc||--ingress tc"
	"--ingress tc, clsact|MPTCP_XDP_NO_TCX=1|--ingress tc"
	"no-op TC programs|NOOP_TC|tcx"
	"no-op TC programs, clsact|NOOP_TC|tc"
)
# ONLY="1 6": measure only those configurations (by index above; 0,
# nothing attached, is always measured).
ONLY=${ONLY:-}

# start_daemon ENV ARGS...: load on s1 s2 in the server namespace; its PID
# in D_PID, the hooks it chose on s1 in D_HOOKS (empty if it failed).
start_daemon() {
	local envs=$1
	shift
	# shellcheck disable=SC2086 # ENV is a list of VAR=VALUE words, or empty
	netns_bg "$NS_SRV" env $envs "$BIN" load "$@" s1 s2 >/dev/null 2>"$NETNS_TMPDIR/d.err"
	D_PID=$NETNS_BG_PID
	netns_wait_attached "$NETNS_TMPDIR/d.err" "$D_PID" || true
	D_HOOKS=$(grep -o 's1 ([^)]*)' "$NETNS_TMPDIR/d.err" | head -1)
	[ -n "$D_HOOKS" ] || echo "live_throughput: load $* failed: $(cat "$NETNS_TMPDIR/d.err")" >&2
}
stop_daemon() {
	kill -TERM "$D_PID" 2>/dev/null
	netns_wait_pid "$D_PID" 200 || true
}

# The no-op TC floor on s1 and s2, both directions, as TCX or clsact
# (KIND tcx or tc); a clsact qdisc goes with it (nothing else is attached
# there between configurations).
noop_tc_attach() { # KIND
	local dev dir
	for dev in s1 s2; do
		for dir in ingress egress; do
			ip netns exec "$NS_SRV" "$FOREIGN" "$1" "$dev" "$dir" >/dev/null || return 1
		done
	done
}
noop_tc_detach() { # KIND
	local dev dir
	for dev in s1 s2; do
		if [ "$1" = tcx ]; then
			for dir in ingress egress; do
				ip netns exec "$NS_SRV" "$FOREIGN" tcx-detach "$dev" "$dir" || true
			done
		else
			tc -n "$NS_SRV" qdisc del dev "$dev" clsact 2>/dev/null || true
		fi
	done
}

# One transfer's seconds appended to FILE, 0 when it did not run: every
# configuration's file has a line per round, so that the rounds pair up.
transfer_into() { # FILE
	one_transfer >>"$1" || echo 0 >>"$1"
}

# Of the positive values in a file (0: a transfer that did not run).
median() { [ -s "$1" ] && awk '$1 > 0' "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One network per offload setting, in a subshell: its trap tears it down.
run_offloads() (
	NETNS_OFFLOADS=$1
	NETNS_TAG=mxbench$$o$1
	# shellcheck source=tests/e2e/netns_lib.sh
	source "$ROOT/tests/e2e/netns_lib.sh"
	netns_trap
	netns_setup 4 >/dev/null 2>&1 || { echo "live_throughput: netns_setup failed" >&2; exit 1; }
	netns_tmpdir
	local i r label envs args kind s hooks=()
	one_transfer >/dev/null # warm-up: the first transfer of a network is slow
	for ((r = 0; r < REPS; r++)); do
		for i in "${!CONFIGS[@]}"; do
			IFS='|' read -r label envs args <<<"${CONFIGS[$i]}"
			if [ -n "$ONLY" ] && [ "$i" != 0 ] && [[ " $ONLY " != *" $i "* ]]; then
				continue
			fi
			if [ "$envs" = NOOP_TC ]; then
				kind=$args
				[ "$kind" = tc ] && kind=clsact
				if noop_tc_attach "$args"; then
					hooks[i]="s1 (ingress $kind, egress $kind: no-op)"
					transfer_into "$NETNS_TMPDIR/s$i"
				else
					echo "live_throughput: no-op $args programs: attach failed" >&2
					echo 0 >>"$NETNS_TMPDIR/s$i"
				fi
				noop_tc_detach "$args"
				continue
			fi
			if [ -z "$args" ]; then
				transfer_into "$NETNS_TMPDIR/s$i"
				continue
			fi
			# shellcheck disable=SC2086 # options as words
			start_daemon "$envs" $args
			hooks[i]=$D_HOOKS
			if [ -n "$D_HOOKS" ]; then
				transfer_into "$NETNS_TMPDIR/s$i"
			else
				echo 0 >>"$NETNS_TMPDIR/s$i"
			fi
			stop_daemon
		done
	done
	# One more transfer at the defaults with the kernel's BPF run-time
	# statistics on (they cost two clock reads a run, so never during
	# the timed rounds): ns per run of each hook's program.
	start_daemon ""
	if [ -n "$D_HOOKS" ]; then
		sysctl -qw kernel.bpf_stats_enabled=1
		one_transfer >/dev/null
		sysctl -qw kernel.bpf_stats_enabled="$STATS_BEFORE"
		bpftool -j prog show 2>/dev/null | jq -r '.[] |
			select(.name == "mptcp_xdp" or .name == "mptcp_tc_ingress" or .name == "mptcp_tc_egress") |
			select((.run_cnt // 0) > 0) |
			"\(.name) \(.run_cnt) \(.run_time_ns)"' >"$NETNS_TMPDIR/stats"
	fi
	stop_daemon
	for i in "${!CONFIGS[@]}"; do
		IFS='|' read -r label envs args <<<"${CONFIGS[$i]}"
		s=$(median "$NETNS_TMPDIR/s$i")
		[ -n "$s" ] || continue
		# The ratio to nothing attached in the same round, round by
		# round (a round's transfers are seconds apart, rounds a
		# minute), then the median of those.
		paste "$NETNS_TMPDIR/s0" "$NETNS_TMPDIR/s$i" |
			awk 'NF == 2 && $1 > 0 && $2 > 0 { print $1 / $2 }' >"$NETNS_TMPDIR/r$i"
		r=$(median "$NETNS_TMPDIR/r$i")
		awk -v o="$1" -v l="$label" -v s="$s" -v r="$r" -v bytes="$BYTES" -v h="${hooks[i]:-}" 'BEGIN {
			printf "| %s | %s | %s | %.0f | %.2f |\n", o, l, (h == "" ? "-" : h),
				bytes * 8 / s / 1e6, r }'
	done
	# stdout of the script is the table; these go to fd 3 when open
	if [ -s "$NETNS_TMPDIR/stats" ] && { true >&3; } 2>/dev/null; then
		awk -v o="$1" '{ n[$1] += $2; t[$1] += $3 }
			END { for (p in n) printf "| %s | %s | %d | %.0f |\n", o, p, n[p], t[p] / n[p] }' \
			"$NETNS_TMPDIR/stats" | sort >&3
	fi
)

# The statistics switch as it was, however the script ends.
STATS_BEFORE=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
trap 'sysctl -qw kernel.bpf_stats_enabled="$STATS_BEFORE" 2>/dev/null' EXIT

echo "| offloads | mptcp-xdp | hooks on s1 | Mbit/s | vs nothing attached |"
echo "| --- | --- | --- | ---: | ---: |"
for o in $OFFLOADS; do
	run_offloads "$o"
done
