# shellcheck shell=bash
# daemon_lib.sh - the live daemon and transfers in the two-path test network
# (sourced after lib.sh and netns_lib.sh, by the live suites). Needs W, the
# run's directory, and XFER, the mptcp_xfer binary.
#
#   live_ready FAMILY           in a test: root, and the network made once
#   start_daemon NAME ARGS...   `load ARGS s1 s2` in the server namespace
#   halt_daemon SIGNAL, exited_ok NAME SIGNAL, stop_daemon NAME SIGNAL
#   nothing_attached NAME       no XDP, TC filter or clsact left, and
#                               `mptcp-xdp status` agrees (a check)
#   transfer_bg DST PORT ARGS, transfer_wait, transfer DST PORT ARGS

DAEMON=
HALT_RC=
W=

# live_ready FAMILY: in a test, skips it unless root (a failure in CI);
# fails it when the test network (netns_setup FAMILY: 4, 6 or both) cannot
# be made. Made once, by the first test that needs it.
live_ready() {
	need_root "network namespaces and XDP need root" && need live_network "$1"
}

# live_network FAMILY (set-up): the two namespaces, the teardown trap, and
# this run's directory in $W.
live_network() {
	if [ ! -x "$XFER" ]; then
		fail network "missing $XFER (make test-binaries)"
		return 1
	fi
	netns_trap
	netns_setup "$1" >/dev/null 2>&1 || { fail network_setup "netns_setup $1 failed"; return 1; }
	netns_tmpdir
	W=$NETNS_TMPDIR
}
SRVARGS=() # mptcp_xfer server options of the next transfer

# start_daemon NAME ARGS...: load on s1 s2 in the server namespace, output
# to $W/NAME.out/.err; waits until it says it is attached (set-up: fails
# when it does not, never passes).
start_daemon() {
	local name=$1
	shift
	netns_bg "$NS_SRV" "$MPTCP_XDP" load "$@" s1 s2 >"$W/$name.out" 2>"$W/$name.err"
	DAEMON=$NETNS_BG_PID
	netns_wait_attached "$W/$name.err" "$DAEMON" && return 0
	fail "$name/start" "daemon did not attach: $(cat "$W/$name.err")"
	return 1
}

# halt_daemon SIGNAL: sends it and waits for the daemon's exit; its status
# in HALT_RC.
halt_daemon() {
	HALT_RC=0
	kill "-$1" "$DAEMON"
	netns_wait_pid "$DAEMON" 200 || HALT_RC=$?
}
# exited_ok NAME SIGNAL: the daemon NAME, halted by SIGNAL, exited 0.
exited_ok() {
	if [ "$HALT_RC" -eq 0 ]; then pass "$1/exit_on_$2"; else fail "$1/exit_on_$2" "exit $HALT_RC: $(tail -2 "$W/$1.err")"; fi
}
# stop_daemon NAME SIGNAL: the daemon must exit 0 on it.
stop_daemon() {
	halt_daemon "$2"
	exited_ok "$1" "$2"
}

# Nothing on s1/s2: no XDP, no TC filter, no clsact qdisc, no TCX program
# of ours; and `mptcp-xdp status` says nothing is attached.
nothing_attached() {
	local dev dir bad=
	for dev in s1 s2; do
		ip -n "$NS_SRV" -d link show dev "$dev" | grep -q 'prog/xdp' && bad+=" xdp:$dev"
		for dir in ingress egress; do
			[ -n "$(ip netns exec "$NS_SRV" tc filter show dev "$dev" "$dir" 2>/dev/null)" ] && bad+=" tc-filter-$dir:$dev"
		done
		ip netns exec "$NS_SRV" tc qdisc show dev "$dev" | grep -q clsact && bad+=" clsact:$dev"
	done
	# bpftool's view of the namespace (XDP, tc and tcx): no program of ours.
	ip netns exec "$NS_SRV" bpftool net show 2>/dev/null | grep -q mptcp_ && bad+=" bpftool-net"
	ip netns exec "$NS_SRV" "$MPTCP_XDP" status 2>&1 | grep -qx 'no interface has mptcp-xdp attached' ||
		bad+=" status:$(ip netns exec "$NS_SRV" "$MPTCP_XDP" status 2>&1 | head -1)"
	if [ -z "$bad" ]; then pass "$1/nothing_attached"; else fail "$1/nothing_attached" "$bad"; fi
}

# The wildcard of the destination's family (mptcp_xfer listens IPv6-only
# on ::).
any_of() { case $1 in *:*) echo :: ;; *) echo 0.0.0.0 ;; esac; }

# transfer_bg DST PORT ARGS...: server on PORT (SRVARGS), client to DST
# with ARGS, both in the background; their PIDs in SRV_PID and CLI_PID.
transfer_bg() {
	local dst=$1 port=$2
	shift 2
	netns_bg "$NS_SRV" "$XFER" server --listen "$(any_of "$dst")" --port "$port" --once "${SRVARGS[@]}"
	SRV_PID=$NETNS_BG_PID
	netns_wait_listen "$NS_SRV" "$port"
	netns_bg "$NS_CLI" "$XFER" client --connect "$dst" --port "$port" "$@" >/dev/null
	CLI_PID=$NETNS_BG_PID
}

transfer_wait() {
	netns_wait_pid "$CLI_PID" 600 || true
	netns_wait_pid "$SRV_PID" 600 || true
}

transfer() { # transfer DST PORT ARGS...: the same, to its end
	transfer_bg "$@"
	transfer_wait
}
