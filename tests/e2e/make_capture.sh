#!/usr/bin/env bash
# make_capture.sh - record real kernel MPTCP traffic into a pcap.
#
#   make_capture.sh OUT.pcap [--ipv6] [--scenario NAME] [--link eth|any] [--no-verify]
#
# Builds the two-namespace, two-path network of netns_lib.sh, runs one
# scenario with mptcp_xfer ($MPTCP_XFER, default build/tests/mptcp_xfer under
# the project root), captures TCP on the server's side and tears everything
# down, also on failure or Ctrl-C.
#
# Scenarios (what each is meant to put on the wire):
#   multipath  (default) MP_CAPABLE, MP_JOIN on path 2, ADD_ADDR from the
#              server's signal endpoint, DSS on all subflows, DATA_FIN
#   prio       + MP_PRIO: the client's path-2 endpoint becomes "backup"
#              mid-transfer
#   remove     + REMOVE_ADDR: the client's subflow endpoint and the server's
#              signal endpoint are deleted mid-transfer
#   fastclose  MP_FASTCLOSE (+ MP_TCPRST on the RSTs) from both sides: one
#              server closes with unread data, one client aborts with
#              SO_LINGER 0 right after sending
#   fallback   the server is plain TCP: MP_CAPABLE only on the SYN
#   many       20 concurrent MPTCP connections
#
# --link eth (default): tcpdump on s1 and s2 separately, merged into one
#   Ethernet (EN10MB) pcap, i.e. the frames an XDP program sees.
# --link any: one tcpdump on "any": Linux cooked v2 (SLL2) pcap that also
#   records interface index and direction.
#
# Verification (needs tshark, skipped with --no-verify): the per-subtype
# counts are printed and the scenario's options must be present.
#
# Exit: 0 ok, 1 setup/transfer failure, 2 usage, 3 capture made but the
# expected options are missing (OUT.pcap is kept for inspection).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/netns_lib.sh
source "$here/netns_lib.sh"

usage() {
	sed -n '3p' "${BASH_SOURCE[0]}" | sed 's/^#  *//' >&2
	exit 2
}

out='' fam=4 scenario=multipath link=eth verify=1
while (($#)); do
	case $1 in
	--ipv6) fam=6 ;;
	--scenario) (($# >= 2)) || usage; scenario=$2; shift ;;
	--link) (($# >= 2)) || usage; link=$2; shift ;;
	--no-verify) verify=0 ;;
	-h | --help) usage ;;
	-*) echo "unknown option $1" >&2; usage ;;
	*) [[ -z $out ]] || usage; out=$1 ;;
	esac
	shift
done
[[ -n $out ]] || usage
# Fail before building anything if the result could not be written.
[[ -d $(dirname -- "$out") && -w $(dirname -- "$out") ]] ||
	{ echo "cannot write to $(dirname -- "$out")" >&2; exit 1; }
case $scenario in multipath | prio | remove | fastclose | fallback | many) ;; *) echo "unknown scenario $scenario" >&2; usage ;; esac
case $link in eth | any) ;; *) usage ;; esac

XFER=${MPTCP_XFER:-build/tests/mptcp_xfer}
[[ $XFER == /* ]] || XFER="$root/$XFER"
[[ -x $XFER ]] || { echo "mptcp_xfer not found at $XFER (set MPTCP_XFER)" >&2; exit 1; }
if ((verify)) && ! command -v tshark >/dev/null; then
	echo "tshark missing: use --no-verify" >&2
	exit 1
fi
if [[ $link == eth ]] && ! command -v mergecap >/dev/null; then
	echo "mergecap (wireshark-common) missing: use --link any" >&2
	exit 1
fi

if ((fam == 4)); then
	DST=$SRV4_1 ANY=0.0.0.0 EP_ID=$EP_ID4
else
	DST=$SRV6_1 ANY=:: EP_ID=$EP_ID6
fi
PORT=5201

netns_trap
netns_setup "$fam"
netns_tmpdir
tmp=$NETNS_TMPDIR

# Wildcard listener: the joins (to the signalled path-2 address) and the
# initial subflow must reach the same MPTCP listener.
start_server() {
	local port=$1
	shift
	netns_bg "$NS_SRV" "$XFER" server --listen "$ANY" --port "$port" "$@"
	SERVER_PIDS+=("$NETNS_BG_PID")
	netns_wait_listen "$NS_SRV" "$port"
}

# Starts a client in the background; PID appended to CLIENT_PIDS.
start_client() {
	netns_bg "$NS_CLI" "$XFER" client --connect "$DST" "$@"
	CLIENT_PIDS+=("$NETNS_BG_PID")
}

# wait_all OKCODES PID...: waits (bounded) for each PID, fails unless every
# exit code is one of OKCODES (space separated).
wait_all() {
	local ok=" $1 " pid rc bad=0
	shift
	for pid in "$@"; do
		rc=0
		netns_wait_pid "$pid" 600 || rc=$?
		if [[ $ok != *" $rc "* ]]; then
			echo "process $pid exited $rc (wanted one of:$ok)" >&2
			bad=1
		fi
	done
	return "$bad"
}

# wait_subflows N: waits (bounded, ~5 s) until the client namespace has N
# established TCP subflows to the server port; warns and goes on otherwise
# (the verification then tells whether the scenario still worked).
wait_subflows() {
	local want=$1 tries=100 n=0
	while ((tries-- > 0)); do
		n=$(ip netns exec "$NS_CLI" ss -Htn state established "( dport = :$PORT )" | wc -l)
		((n >= want)) && return 0
		sleep 0.05
	done
	echo "warning: only $n of $want subflows came up" >&2
}

SERVER_PIDS=() CLIENT_PIDS=()
if [[ ${MPTCP_MONITOR:-0} == 1 ]]; then
	# Path-manager events of both sides, printed at the end, for debugging.
	# Plain `ip` processes (no wrapper shell), so the teardown's kill by PID
	# really ends them.
	netns_bg "$NS_CLI" ip mptcp monitor >"$tmp/pm_cli.log"
	netns_bg "$NS_SRV" ip mptcp monitor >"$tmp/pm_srv.log"
	sleep 0.1
fi
if [[ $link == eth ]]; then
	netns_capture_start "$NS_SRV" s1 "$tmp/s1.pcap" tcp
	cap1=$NETNS_CAPTURE_PID
	netns_capture_start "$NS_SRV" s2 "$tmp/s2.pcap" tcp
	caps=("$cap1" "$NETNS_CAPTURE_PID")
else
	netns_capture_start "$NS_SRV" any "$tmp/any.pcap" tcp
	caps=("$NETNS_CAPTURE_PID")
fi

case $scenario in
multipath)
	# Bulk (no delay) after a short hold: the joins are up before data
	# flows and the burst fills the first subflow's window, so the
	# scheduler spreads DSS mappings over all subflows.
	start_server $PORT --once
	start_client --port $PORT --bytes 400000 --hold-ms 200
	wait_all 0 "${CLIENT_PIDS[@]}" "${SERVER_PIDS[@]}"
	;;
prio | remove)
	# Slow transfer (~1 s) so the endpoint change lands while subflows live.
	start_server $PORT --once
	start_client --port $PORT --bytes 400000 --chunk 4096 --delay-ms 10 --hold-ms 100
	# Act once the joins are up (event, not a guessed delay), then let data
	# flow for a while, so the change hits live subflows mid-transfer
	# (the transfer takes ~1 s: 98 chunks, 10 ms apart).
	wait_subflows 3
	sleep 0.3
	if [[ $scenario == prio ]]; then
		# The in-kernel PM marks the subflows of this local address backup
		# and announces it with MP_PRIO (B=1). Measured on 6.18: one
		# MP_PRIO per connection, on one of the two matching subflows.
		ip -n "$NS_CLI" mptcp endpoint change id "$EP_ID" backup
	else
		# Deleting a subflow endpoint removes its subflows and announces
		# REMOVE_ADDR; deleting the signal endpoint makes the server
		# withdraw its ADD_ADDR the same way, so both directions are seen.
		ip -n "$NS_CLI" mptcp endpoint delete id "$EP_ID"
		sleep 0.2
		ip -n "$NS_SRV" mptcp endpoint delete id "$EP_ID"
	fi
	wait_all 0 "${CLIENT_PIDS[@]}" "${SERVER_PIDS[@]}"
	;;
fastclose)
	# 1) Server closes with data still queued: the kernel aborts the MPTCP
	#    connection with MP_FASTCLOSE; the client then sees a reset (exit 3).
	start_server $PORT --once --no-read
	start_client --port $PORT --bytes 400000 --hold-ms 200
	wait_all "0 3" "${CLIENT_PIDS[@]}"
	wait_all 0 "${SERVER_PIDS[@]}"
	# 2) Client aborts (SO_LINGER 0) right after its last write, while the
	#    connection is open: the fastclose comes from the client side and
	#    the server sees a reset (exit 3). A linger0 close after a complete
	#    exchange would abort nothing: both DATA_FINs are already done.
	SERVER_PIDS=() CLIENT_PIDS=()
	start_server $((PORT + 1)) --once
	start_client --port $((PORT + 1)) --bytes 100000 --hold-ms 200 --linger0 --no-reply
	wait_all 0 "${CLIENT_PIDS[@]}"
	wait_all "0 3" "${SERVER_PIDS[@]}"
	;;
fallback)
	# Plain TCP listener: the SYN/ACK has no MP_CAPABLE, the client falls
	# back to TCP and must report mptcp=no.
	start_server $PORT --once --tcp
	line=$(netns_run "$NS_CLI" "$XFER" client --connect "$DST" --port $PORT --bytes 100000)
	echo "$line"
	[[ $line == *"mptcp=no"* ]] || { echo "client did not fall back" >&2; exit 1; }
	wait_all 0 "${SERVER_PIDS[@]}"
	;;
many)
	start_server $PORT --count 20
	for _ in $(seq 20); do
		start_client --port $PORT --bytes 100000 --hold-ms 100
	done
	wait_all 0 "${CLIENT_PIDS[@]}" "${SERVER_PIDS[@]}"
	;;
esac

netns_capture_stop "${caps[@]}"
if [[ ${MPTCP_MONITOR:-0} == 1 ]]; then
	sed 's/^/[pm cli] /' "$tmp/pm_cli.log" >&2
	sed 's/^/[pm srv] /' "$tmp/pm_srv.log" >&2
fi
if [[ $link == eth ]]; then
	# Classic pcap (not pcapng) so every reader, ours included, can take it.
	mergecap -F pcap -w "$tmp/out.pcap" "$tmp/s1.pcap" "$tmp/s2.pcap"
else
	mv "$tmp/any.pcap" "$tmp/out.pcap"
fi
mv "$tmp/out.pcap" "$out"
echo "wrote $out (scenario $scenario, IPv$fam, link $link)"

((verify)) || exit 0

# Counts every MPTCP option by subtype (one packet may carry several).
declare -A count=()
while IFS= read -r st; do
	[[ -n $st ]] && count[$st]=$((${count[$st]:-0} + 1))
done < <(tshark -r "$out" -Y mptcp -T fields -e tcp.options.mptcp.subtype 2>/dev/null | tr ',' '\n')
names=(MP_CAPABLE MP_JOIN DSS ADD_ADDR REMOVE_ADDR MP_PRIO MP_FAIL MP_FASTCLOSE MP_TCPRST)
summary=
for i in "${!names[@]}"; do
	summary+=" ${names[$i]}($i)=${count[$i]:-0}"
done
datafin=$(tshark -r "$out" -Y 'tcp.options.mptcp.datafin.flag == 1' 2>/dev/null | wc -l)
mpc_syn=$(tshark -r "$out" -Y 'tcp.options.mptcp.subtype == 0 && tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)
echo "subtypes:$summary DATA_FIN=$datafin MPC_SYN=$mpc_syn"

need() { # need SUBTYPE...: each must occur at least once
	local s
	for s; do
		if ((${count[$s]:-0} == 0)); then
			echo "missing ${names[$s]} ($s) in scenario $scenario" >&2
			missing=1
		fi
	done
}
missing=0
case $scenario in
multipath) need 0 1 2 3; ((datafin > 0)) || { echo "missing DATA_FIN" >&2; missing=1; } ;;
prio) need 0 1 2 5 ;;
remove) need 0 1 2 4 ;;
fastclose) need 0 2 7 ;;
fallback)
	need 0
	if ((${count[1]:-0} + ${count[2]:-0} > 0)); then
		echo "fallback capture has MP_JOIN/DSS" >&2
		missing=1
	fi
	;;
many)
	need 0 1 2
	((mpc_syn == 20)) || { echo "expected 20 MP_CAPABLE SYNs, saw $mpc_syn" >&2; missing=1; }
	;;
esac
((missing == 0)) || exit 3
