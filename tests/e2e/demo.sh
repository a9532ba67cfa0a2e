#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# `make demo`: the inspector live on a built-in network.
#
# Two namespaces joined by two veth paths (198.18.1.0/24, 198.18.2.0/24),
# kernel MPTCP with a subflow endpoint (client) and a signal endpoint
# (server); mptcp-xdp attached to both server interfaces (TCX ingress and
# egress: auto's choice on veth); one slow transfer that shows MP_CAPABLE,
# two joins, ADD_ADDR, a switch to backup (MP_PRIO), an address removal
# (REMOVE_ADDR) and a close.
# Events print in the text format. Everything is removed on exit, Ctrl-C
# included (netns_lib.sh's trap), and the daemon detaches on its SIGINT.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
MPTCP_XDP=${MPTCP_XDP:-$root/build/mptcp-xdp}
XFER=${MPTCP_XFER:-$root/build/tests/mptcp_xfer}
FORMAT=${DEMO_FORMAT:-text}
# shellcheck source=tests/e2e/netns_lib.sh
source "$here/netns_lib.sh"

[[ $(id -u) -eq 0 ]] || { echo "demo: needs root (namespaces, XDP)" >&2; exit 1; }
[[ -x $MPTCP_XDP && -x $XFER ]] || { echo "demo: build first (make demo does)" >&2; exit 1; }

netns_trap
netns_setup 4
netns_tmpdir
err="$NETNS_TMPDIR/daemon.err"

say() { printf '\n### %s\n' "$*" >&2; }

say "mptcp-xdp load s1 s2 --format $FORMAT   (in the server namespace)"
netns_bg "$NS_SRV" "$MPTCP_XDP" load --format "$FORMAT" s1 s2 2>"$err"
daemon=$NETNS_BG_PID
if ! netns_wait_attached "$err" "$daemon" && ! kill -0 "$daemon" 2>/dev/null; then
	cat "$err" >&2
	exit 1
fi
cat "$err" >&2

say "a 400 kB MPTCP transfer, slow enough to change paths under it"
netns_bg "$NS_SRV" "$XFER" server --listen 0.0.0.0 --port 5201 --once
server=$NETNS_BG_PID
netns_wait_listen "$NS_SRV" 5201
netns_bg "$NS_CLI" "$XFER" client --connect "$SRV4_1" --port 5201 \
	--bytes 400000 --chunk 4096 --delay-ms 15 --hold-ms 200
client=$NETNS_BG_PID
sleep 0.6
say "ip mptcp endpoint change id $EP_ID4 backup   (client: MP_PRIO)"
ip -n "$NS_CLI" mptcp endpoint change id "$EP_ID4" backup
sleep 0.4
say "ip mptcp endpoint delete id $EP_ID4   (server: REMOVE_ADDR)"
ip -n "$NS_SRV" mptcp endpoint delete id "$EP_ID4"
netns_wait_pid "$client" 600
netns_wait_pid "$server" 600
sleep 1.5 # the summary comes a second after the last subflow closes

say "SIGINT to the daemon: it detaches and writes what is still open"
kill -INT "$daemon"
netns_wait_pid "$daemon" 100
sed -n '/attached to/!p' "$err" >&2
if ip netns exec "$NS_SRV" ip -d link show | grep -q 'prog/xdp' ||
	! ip netns exec "$NS_SRV" "$MPTCP_XDP" status | grep -qx 'no interface has mptcp-xdp attached'; then
	echo "demo: still attached after exit" >&2
	exit 1
fi
say "done: nothing left attached; namespaces are removed on exit"
