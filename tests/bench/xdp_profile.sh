#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# Where the XDP program's time goes under BPF_PROG_TEST_RUN: perf samples
# every CPU while build/tests/xdp_profile runs one bench frame, and each
# sample is put on its place: a source line of the BPF program (through
# the JIT's line table, from BTF line info: what `bpftool prog dump jited
# linum` would say, which needs a bpftool built with libbfd) or a kernel
# function (map helpers, the clock, the ring buffer). Prints a markdown
# table per frame: the TOP places by share of the samples taken while the
# program ran (the test-run loop's own samples included, as "kernel"),
# after a first row with the share of the program's own code.
#
# Usage: tests/bench/xdp_profile.sh [SECONDS] [TOP]   (root; perf)
# make bench runs it after xdp_cost (section 1): numbers for reading.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
SECS=${1:-3}
TOP=${2:-8}
PROF=$PWD/build/tests/xdp_profile

[ "$(id -u)" -eq 0 ] || { echo "xdp_profile: needs root (BPF, perf)" >&2; exit 1; }
command -v perf >/dev/null || { echo "xdp_profile: perf missing (apt-get install linux-perf)" >&2; exit 1; }
[ -x "$PROF" ] || { echo "xdp_profile: missing $PROF (make bench-binaries)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

names=(tcp_ack_no_mptcp mptcp_dss_data mptcp_join_syn udp)
for f in ${FRAMES:-0 1 2 3}; do
	# Sampled from when the line table is written (the object is loaded
	# and verified: that work is not the program's) for SECS seconds.
	rm -f "$tmp/lines"
	"$PROF" "$f" $((SECS + 2)) "$tmp/lines" >/dev/null 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do
		[ -s "$tmp/lines" ] || ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	if ! [ -s "$tmp/lines" ]; then
		wait "$pid"
		echo "xdp_profile: $(tail -1 "$tmp/err")" >&2
		exit 1
	fi
	perf record -q -p "$pid" -o "$tmp/p.data" -- sleep "$SECS" >/dev/null 2>&1
	wait "$pid" || { echo "xdp_profile: $(tail -1 "$tmp/err")" >&2; exit 1; }
	perf script -i "$tmp/p.data" -F comm,ip,sym 2>/dev/null >"$tmp/samples"
	echo
	echo "${names[f]}:"
	echo
	echo "| share | where |"
	echo "|---:|---|"
	python3 - "$tmp/lines" "$tmp/samples" "$TOP" <<'PY'
import bisect, collections, sys
lines = []
for l in open(sys.argv[1]):
    a, rest = l.rstrip('\n').split(' ', 1)
    lines.append((int(a, 16), ' '.join(rest.split())))
lines.sort()
addrs = [a for a, _ in lines]
count = collections.Counter()
total = 0
for l in open(sys.argv[2]):
    p = l.split()
    # comm ip sym: only the profiler's own samples (its test runs)
    if len(p) < 3 or p[0] != 'xdp_profile':
        continue
    ip, sym = int(p[1], 16), p[2]
    if sym.startswith('bpf_prog_'):
        i = bisect.bisect_right(addrs, ip) - 1
        where = 'BPF ' + (lines[i][1] if i >= 0 else sym)
    elif sym.startswith('[unknown]'):
        continue
    else:
        where = 'kernel ' + sym
    count[where] += 1
    total += 1
bpf = sum(n for w, n in count.items() if w.startswith('BPF '))
print('| %.1f%% | all of the BPF program\'s own code |' % (100.0 * bpf / total))
for where, n in count.most_common(int(sys.argv[3])):
    print('| %.1f%% | `%s` |' % (100.0 * n / total, where.replace('|', '\\|')[:110]))
PY
done
