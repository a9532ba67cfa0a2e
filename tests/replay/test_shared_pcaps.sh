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

# short_frames FILE: frames captured short of their length, by tshark and
# capinfos (not by us): those cut (cap_len < len), and those longer than
# the file header's snaplen, which libpcap cuts to it when reading.
short_frames() {
	local snap
	snap=$(capinfos -l "$1" 2>/dev/null | sed -n 's/.*file hdr: \([0-9]*\) bytes.*/\1/p')
	tshark -n -r "$1" -T fields -e frame.cap_len -e frame.len 2>/dev/null |
		awk -v snap="${snap:-0}" '$1 < $2 || (snap > 0 && $1 > snap) { n++ } END { print n + 0 }'
}

# engine_replay ENGINE NAME: ENGINE's records and counters for NAME.pcap,
# in $tmp/NAME.ENGINE and $tmp/NAME.ENGINE.stats. It must exit 0, or 14
# when the snaplen cut frames inside their headers: then only if tshark
# and capinfos also find frames captured short (short_frames), at least as
# many as the one line says.
engine_replay() {
	local engine=$1 name=$2 rc cut said
	"$MPTCP_XDP" replay --engine "$engine" --events raw --stats "$SHARED_PCAPS/$name.pcap" \
		>"$tmp/$name.$engine" 2>"$tmp/$name.$engine.stats"
	rc=$?
	[ "$rc" -eq 0 ] && return 0
	if [ "$rc" -eq 14 ]; then
		cut=$(short_frames "$SHARED_PCAPS/$name.pcap")
		said=$(sed -n 's/^mptcp-xdp: .*: \([0-9]*\) frames were captured short of their headers.*/\1/p' "$tmp/$name.$engine.stats")
		[ "${said:-0}" -gt 0 ] && [ "$said" -le "$cut" ] && return 0
	fi
	fail "$name/$engine" "replay failed (exit $rc): $(grep -v '^{' "$tmp/$name.$engine.stats" | tail -1)"
	return 1
}

# host_replay NAME: the host engine's replay (set-up of the checks on it;
# its success is itself checked, as NAME/host).
host_replay() { engine_replay host "$1"; }

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
	engine_replay bpf "$name" || return
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
