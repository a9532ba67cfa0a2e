#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# Real kernel MPTCP traffic between namespaces this test makes (and removes:
# make_capture.sh traps every exit), captured with tcpdump, replayed through
# both engines and compared field by field with tshark's decoding.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

DATA="$ROOT/tests/data"
mkdir -p "$DATA"
export MPTCP_XFER="${MPTCP_XFER:-$ROOT/build/tests/mptcp_xfer}"
# Our namespaces' names (netns_lib.sh appends -cli/-srv), to check below
# that none is left, whatever else runs on the machine.
export NETNS_TAG="mxcap$$"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# capture_case NAME MAKE_CAPTURE_ARGS SUBTYPE-EVENTS...: capture (set-up:
# fails, never passes), replay, compare, and require each event.
capture_case() {
	local name=$1 args=$2 pcap="$DATA/$1.pcap" out ev
	shift 2
	need_root "network namespaces and BPF need root" || return
	need xfer_built || return
	# shellcheck disable=SC2086
	if ! "$ROOT/tests/e2e/make_capture.sh" "$pcap" $args >"$tmp/$name.mk" 2>&1; then
		fail "$name/capture" "$(tail -5 "$tmp/$name.mk")"
		return
	fi
	"$MPTCP_XDP" replay --engine host --events raw --stats "$pcap" >"$tmp/$name.host" 2>"$tmp/$name.host.stats" ||
		fail "$name/host" "replay failed: $(tail -1 "$tmp/$name.host.stats")"
	"$MPTCP_XDP" replay --engine bpf --events raw --stats "$pcap" >"$tmp/$name.bpf" 2>"$tmp/$name.bpf.stats" ||
		fail "$name/bpf" "replay failed: $(tail -1 "$tmp/$name.bpf.stats")"
	if cmp -s "$tmp/$name.host" "$tmp/$name.bpf" && cmp -s "$tmp/$name.host.stats" "$tmp/$name.bpf.stats"; then
		pass "$name/bpf_equals_host"
	else
		fail "$name/bpf_equals_host" "$(diff "$tmp/$name.host" "$tmp/$name.bpf" | head -4)"
	fi
	# The DSS edges policy with the flow table's records, as load runs
	# it (--events all: raw output alone leaves the table out): the
	# kernel's DSS fast path (bpf/parse_fast.h) takes most of these real
	# segments, the host engine none.
	local e
	for e in host bpf; do
		"$MPTCP_XDP" replay --engine "$e" --dss edges --events all --stats "$pcap" \
			>"$tmp/$name.$e.edges" 2>"$tmp/$name.$e.edges.stats" ||
			fail "$name/$e/edges" "replay failed: $(tail -1 "$tmp/$name.$e.edges.stats")"
	done
	# (a capture with DSS options must have had some held back)
	if cmp -s "$tmp/$name.host.edges" "$tmp/$name.bpf.edges" &&
		cmp -s "$tmp/$name.host.edges.stats" "$tmp/$name.bpf.edges.stats" &&
		{ grep -q '"opt_dss":0,' "$tmp/$name.bpf.edges.stats" ||
			grep -q '"dss_suppressed":[1-9]' "$tmp/$name.bpf.edges.stats"; }; then
		pass "$name/bpf_equals_host_dss_edges"
	else
		fail "$name/bpf_equals_host_dss_edges" "$(diff "$tmp/$name.host.edges.stats" "$tmp/$name.bpf.edges.stats" | head -4)"
	fi
	if out=$(python3 "$ROOT/tests/oracle/tshark_compare.py" --pcap "$pcap" --records "$tmp/$name.host" 2>&1); then
		pass "$name/tshark"
		[ -z "${VERBOSE:-}" ] || printf '%s\n' "$out" | tail -1
	else
		fail "$name/tshark" "$(printf '%s\n' "$out" | tail -5)"
	fi
	if grep -q '"event":"mp_error"' "$tmp/$name.host"; then
		fail "$name/no_mp_error" "$(grep -m2 '"event":"mp_error"' "$tmp/$name.host")"
	else
		pass "$name/no_mp_error"
	fi
	for ev in "$@"; do
		if grep -q "\"event\":\"$ev\"" "$tmp/$name.host"; then
			pass "$name/has_$ev"
		else
			fail "$name/has_$ev" "no $ev record in the replay"
		fi
	done
}

xfer_built() {
	[ -x "$MPTCP_XFER" ] && return 0
	fail mptcp_xfer "missing $MPTCP_XFER (make test-binaries)"
	return 1
}

# Two paths, a subflow endpoint, a signal endpoint: joins and ADD_ADDR.
test_multipath_v4() { capture_case multipath_v4 "--scenario multipath" mp_capable mp_join mp_dss mp_add_addr; }
test_multipath_v6() { capture_case multipath_v6 "--ipv6 --scenario multipath" mp_capable mp_join mp_dss mp_add_addr; }
# The same traffic as `tcpdump -i any` writes it (Linux cooked v2).
test_multipath_any() { capture_case multipath_any "--scenario multipath --link any" mp_capable mp_join mp_dss mp_add_addr; }
test_prio_v4() { capture_case prio_v4 "--scenario prio" mp_join mp_prio; }
test_remove_v4() { capture_case remove_v4 "--scenario remove" mp_join mp_remove_addr; }
test_fastclose_v4() { capture_case fastclose_v4 "--scenario fastclose" mp_fastclose mp_tcprst; }
test_fallback_v4() { capture_case fallback_v4 "--scenario fallback" mp_capable; }

# Nothing of ours may be left behind (whichever tests ran).
test_no_namespace_left() {
	local left
	need_root "network namespaces need root" || return
	left=$(ip netns list 2>/dev/null | grep -c "^$NETNS_TAG-" || true)
	if [ "$left" -eq 0 ]; then pass no_namespace_left; else fail no_namespace_left "$(ip netns list)"; fi
}

run_tests e2e_capture
