#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# What attaching costs a bulk MPTCP transfer: two namespaces over veth
# (tests/e2e/netns_lib.sh: namespaces made here, only 198.18.0.0/15, torn
# down by its trap on every exit), one transfer of BYTES (300 MB) with
# tests/tools/mptcp_xfer from the client to the server, timed to the
# server's end, with nothing attached and then with `mptcp-xdp load s1 s2`
# on the server side in each ingress mode. Offloads as the veths come
# (NETNS_OFFLOADS=keep: TSO, GSO, GRO) and off (NETNS_OFFLOADS=off: every
# packet MSS-sized). Prints markdown table rows: throughput and its ratio
# to nothing attached in the same network (measured first and last, after
# a warm-up transfer; the ratio is to the mean of the two). Median of REPS
# runs.
#
# Usage: tests/bench/live_throughput.sh   (root; make test-binaries first)
#   BYTES=314572800 REPS=3 OFFLOADS="keep off"
# Not part of run_bench.sh: numbers for reading, never an assertion.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BIN=$ROOT/build/mptcp-xdp
XFER=$ROOT/build/tests/mptcp_xfer
BYTES=${BYTES:-314572800}
REPS=${REPS:-3}
OFFLOADS=${OFFLOADS:-keep off}
PORT=5801

[ "$(id -u)" -eq 0 ] || { echo "live_throughput: needs root (namespaces, BPF)" >&2; exit 1; }
for f in "$BIN" "$XFER"; do
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

# median_seconds: REPS transfers, the median.
median_seconds() {
	local i
	for ((i = 0; i < REPS; i++)); do one_transfer; done |
		sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# with_daemon LABEL ENV LOAD-ARGS...: the daemon attached during the
# transfers; prints "LABEL seconds hooks".
with_daemon() {
	local label=$1 envs=$2 d s hooks
	shift 2
	# shellcheck disable=SC2086 # ENV is a list of VAR=VALUE words, or empty
	netns_bg "$NS_SRV" env $envs "$BIN" load "$@" s1 s2 >/dev/null 2>"$NETNS_TMPDIR/d.err"
	d=$NETNS_BG_PID
	for _ in $(seq 100); do
		grep -q 'attached to' "$NETNS_TMPDIR/d.err" 2>/dev/null && break
		kill -0 "$d" 2>/dev/null || break
		sleep 0.05
	done
	hooks=$(grep -o 's1 ([^)]*)' "$NETNS_TMPDIR/d.err" | head -1)
	if [ -z "$hooks" ]; then
		echo "$label failed: $(cat "$NETNS_TMPDIR/d.err")" >&2
		kill -TERM "$d" 2>/dev/null
		netns_wait_pid "$d" 100 || true
		return
	fi
	s=$(median_seconds)
	kill -TERM "$d"
	netns_wait_pid "$d" 200 || true
	echo "$label|$s|$hooks"
}

# One network per offload setting, in a subshell: its trap tears it down.
run_offloads() (
	NETNS_OFFLOADS=$1
	NETNS_TAG=mxbench$$o$1
	# shellcheck source=tests/e2e/netns_lib.sh
	source "$ROOT/tests/e2e/netns_lib.sh"
	netns_trap
	netns_setup 4 >/dev/null 2>&1 || { echo "live_throughput: netns_setup failed" >&2; exit 1; }
	netns_tmpdir
	local base base2 rows=() label s hooks
	one_transfer >/dev/null # warm-up: the first transfer of a network is slow
	base=$(median_seconds)
	rows+=("nothing attached|$base|")
	rows+=("$(with_daemon "load (defaults)" "")")
	rows+=("$(with_daemon "--ingress xdp-native" "" --ingress xdp-native)")
	rows+=("$(with_daemon "--ingress xdp-generic" "" --ingress xdp-generic)")
	rows+=("$(with_daemon "--ingress tc" "" --ingress tc)")
	rows+=("$(with_daemon "--ingress tc, MPTCP_XDP_NO_TCX=1" "MPTCP_XDP_NO_TCX=1" --ingress tc)")
	# Nothing attached again: the ratios are against the mean of both, and
	# the two show how much the machine drifted during the run.
	base2=$(median_seconds)
	rows+=("nothing attached (again)|$base2|")
	base=$(awk -v a="$base" -v b="$base2" 'BEGIN { printf "%.3f", (a + b) / 2 }')
	for r in "${rows[@]}"; do
		[ -n "$r" ] || continue
		IFS='|' read -r label s hooks <<<"$r"
		awk -v o="$1" -v l="$label" -v s="$s" -v b="$base" -v bytes="$BYTES" -v h="$hooks" 'BEGIN {
			printf "| %s | %s | %s | %.0f | %.2f |\n", o, l, (h == "" ? "-" : h),
				bytes * 8 / s / 1e6, b / s }'
	done
)

echo "| offloads | mptcp-xdp | hooks on s1 | Mbit/s | vs nothing attached |"
echo "| --- | --- | --- | ---: | ---: |"
for o in $OFFLOADS; do
	run_offloads "$o"
done
