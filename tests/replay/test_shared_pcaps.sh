#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The real captures of other projects (../shared/testdata/pcaps, read in
# place): both engines must print the same records and counters, and every
# MPTCP option field must agree with tshark's independent decoding.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -d "$SHARED_PCAPS" ]; then
	fail shared_pcaps "no directory $SHARED_PCAPS"
	summary replay_shared
	exit 1
fi

# host_replay NAME: the host engine's records and counters for NAME.pcap,
# in $tmp/NAME.host and $tmp/NAME.host.stats (set-up of the checks on them;
# the replay's success is itself checked, as NAME/host).
host_replay() {
	"$MPTCP_XDP" replay --engine host --events raw --stats "$SHARED_PCAPS/$1.pcap" \
		>"$tmp/$1.host" 2>"$tmp/$1.host.stats" && return 0
	fail "$1/host" "replay failed: $(tail -1 "$tmp/$1.host.stats")"
	return 1
}

# capture_case NAME: the host engine reads NAME.pcap and prints records,
# tshark agrees with every one, the BPF engine prints the same.
capture_case() {
	local name=$1 pcap="$SHARED_PCAPS/$1.pcap" out
	need host_replay "$name" || return
	pass "$name/host"
	if [ ! -s "$tmp/$name.host" ]; then
		fail "$name/records" "no record at all"
	else
		pass "$name/records"
	fi

	# The oracle: zero differences allowed.
	if out=$(python3 "$ROOT/tests/oracle/tshark_compare.py" --pcap "$pcap" \
		--records "$tmp/$name.host" 2>&1); then
		pass "$name/tshark"
	else
		fail "$name/tshark" "$(printf '%s\n' "$out" | tail -5)"
	fi

	if ! is_root; then
		skip "$name/bpf" "BPF engine needs root"
		return
	fi
	if ! "$MPTCP_XDP" replay --engine bpf --events raw --stats "$pcap" \
		>"$tmp/$name.bpf" 2>"$tmp/$name.bpf.stats"; then
		fail "$name/bpf" "replay failed: $(tail -1 "$tmp/$name.bpf.stats")"
		return
	fi
	if cmp -s "$tmp/$name.host" "$tmp/$name.bpf" &&
		cmp -s "$tmp/$name.host.stats" "$tmp/$name.bpf.stats"; then
		pass "$name/bpf_equals_host"
	else
		fail "$name/bpf_equals_host" \
			"$(diff "$tmp/$name.host" "$tmp/$name.bpf" | head -3; diff "$tmp/$name.host.stats" "$tmp/$name.bpf.stats" | head -3)"
	fi
}

# One test per capture, named after it (test_tcpdump_mptcp-v0, ...).
tests=()
for pcap in "$SHARED_PCAPS"/*.pcap; do
	name=$(basename "$pcap" .pcap)
	eval "test_$name() { capture_case '$name'; }"
	tests+=("test_$name")
done

# tcpdump's expected output for dss-oobr says "dss[bad opt]": a 3-byte DSS.
test_dss_oobr_is_mp_error() {
	need host_replay tcpdump_mptcp-dss-oobr || return
	if grep -q '"event":"mp_error".*"opt_len":3,"subtype":2,"reason":"bad_length"' "$tmp/tcpdump_mptcp-dss-oobr.host"; then
		pass dss_oobr_is_mp_error
	else
		fail dss_oobr_is_mp_error "no bad_length mp_error for the 3-byte DSS"
	fi
}
# The v0 capture is v0 throughout (RFC 6824): every MP_CAPABLE says 0.
test_v0_capable_version() {
	local v0="$tmp/tcpdump_mptcp-v0.host"
	need host_replay tcpdump_mptcp-v0 || return
	if [ "$(grep -c '"event":"mp_capable"' "$v0")" -gt 0 ] &&
		! grep '"event":"mp_capable"' "$v0" | grep -qv '"version":0'; then
		pass v0_capable_version
	else
		fail v0_capable_version "MP_CAPABLE not all version 0"
	fi
}

run_tests replay_shared "${tests[@]}" test_dss_oobr_is_mp_error test_v0_capable_version
