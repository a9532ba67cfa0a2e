# shellcheck shell=bash
# netns_lib.sh - test network for the mptcp-xdp end-to-end tests (sourced).
#
# Topology (both namespaces are created by this library, named per run):
#
#   client ns ($NS_CLI)                         server ns ($NS_SRV)
#   c1 198.18.1.1/24  2001:db8:1::1/64  <--->  s1 198.18.1.2/24  2001:db8:1::2/64
#   c2 198.18.2.1/24  2001:db8:2::1/64  <--->  s2 198.18.2.2/24  2001:db8:2::2/64
#
# Kernel MPTCP in both: limits subflows 4 add_addr_accepted 4; the client has
# a "subflow" endpoint on its path-2 address (-> MP_JOIN), the server a
# "signal" endpoint on its path-2 address (-> ADD_ADDR).
#
# Usage:
#   source tests/e2e/netns_lib.sh
#   netns_trap                  # teardown on EXIT INT TERM HUP
#   netns_setup 4               # or 6, or both: which families get endpoints
#   netns_bg "$NS_SRV" "$MPTCP_XFER" server --listen 0.0.0.0 --port 5201 --once
#   netns_wait_listen "$NS_SRV" 5201
#   netns_run "$NS_CLI" "$MPTCP_XFER" client --connect "$SRV4_1" --port 5201 --bytes 1000
#   netns_capture_start "$NS_SRV" any /tmp/x.pcap tcp; pid=$NETNS_CAPTURE_PID
#   netns_capture_stop "$pid"
#
# Safety: only 198.18.0.0/15 and 2001:db8::/32, only inside the two
# namespaces made here. The veth pairs are created directly inside the
# namespaces, so nothing ever appears in the host's namespace and deleting
# the namespaces deletes the links. Teardown only touches namespaces and
# PIDs this run recorded as its own.
#
# Offloads: by default TSO/GSO/GRO and checksum offload are switched off on
# all four veths (needs ethtool), so that every captured packet is an
# MSS-sized segment with a valid checksum, i.e. what a real wire would carry,
# and each segment carries its own TCP options as the XDP program will see
# them. Set NETNS_OFFLOADS=keep to leave the veth defaults (then captures hold
# GSO super-segments of up to 64 KB and CHECKSUM_PARTIAL checksums on egress).

# Unique per run: $$ keeps two concurrent runs apart; the random suffix keeps
# a rerun with a recycled PID away from a namespace a killed run left behind.
NETNS_TAG=${NETNS_TAG:-mx$$r${RANDOM}}
NS_CLI="${NETNS_TAG}-cli"
NS_SRV="${NETNS_TAG}-srv"

# shellcheck disable=SC2034  # used by the scripts that source this file
{
	CLI4_1=198.18.1.1 SRV4_1=198.18.1.2
	CLI4_2=198.18.2.1 SRV4_2=198.18.2.2
	CLI6_1=2001:db8:1::1 SRV6_1=2001:db8:1::2
	CLI6_2=2001:db8:2::1 SRV6_2=2001:db8:2::2
	# Endpoint ids are fixed so that scenarios can change/delete them by id.
	EP_ID4=2
	EP_ID6=12
}

NETNS_OFFLOADS=${NETNS_OFFLOADS:-off}
NETNS_CREATED=()   # namespaces this run created (and only those get deleted)
NETNS_PIDS=()      # background processes this run started
NETNS_TMPDIRS=()   # temp directories this run created
NETNS_TMPDIR=
NETNS_TORN_DOWN=0
NETNS_BG_PID=
NETNS_CAPTURE_PID=
declare -gA NETNS_CAPTURE_LOG=()  # tcpdump PID -> its stderr log

netns_log() { printf '[netns] %s\n' "$*" >&2; }
netns_die() { printf '[netns] error: %s\n' "$*" >&2; exit 1; }

netns_run() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Starts "$@" in namespace $1 in the background. The PID goes into
# NETNS_BG_PID (not stdout: a $(...) would run it in a subshell that this
# shell cannot wait for) and into the teardown list.
netns_bg() {
	local ns=$1
	shift
	# `ip netns exec` execs the command, so $! is the command's own PID.
	ip netns exec "$ns" "$@" &
	NETNS_BG_PID=$!
	NETNS_PIDS+=("$NETNS_BG_PID")
}

# Waits (bounded) until a TCP listener on port $2 exists in namespace $1.
# MPTCP listeners show up here too: the kernel listens with a TCP subflow.
netns_wait_listen() {
	local ns=$1 port=$2 tries=${3:-100}
	while ((tries-- > 0)); do
		if [[ -n $(ip netns exec "$ns" ss -Hltn "sport = :$port") ]]; then
			return 0
		fi
		sleep 0.05
	done
	netns_log "nothing listening on port $port in $ns"
	return 1
}

# netns_wait_attached ERRFILE PID: until the `mptcp-xdp load` writing its
# stderr to ERRFILE says it is attached (0), or it exits or ~5 s pass (1).
netns_wait_attached() {
	local _
	for _ in $(seq 100); do
		grep -q 'attached to' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# Waits (bounded, ~tries*50ms) for PID $1 to exit and returns its status.
# Only for children of this shell.
netns_wait_pid() {
	local pid=$1 tries=${2:-200} rc=0
	while ((tries-- > 0)) && kill -0 "$pid" 2>/dev/null; do
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		netns_log "pid $pid still running, sending TERM"
		kill -TERM "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || rc=$?
	netns_forget_pid "$pid"
	return "$rc"
}

netns_forget_pid() {
	local p keep=()
	for p in "${NETNS_PIDS[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	NETNS_PIDS=("${keep[@]}")
}

netns_set_offloads() {
	local ns=$1 dev=$2
	[[ $NETNS_OFFLOADS == keep ]] && return 0
	command -v ethtool >/dev/null ||
		netns_die "ethtool missing (apt-get install -y ethtool) or set NETNS_OFFLOADS=keep"
	# tx off also drops TSO (it depends on tx checksumming); gso/gro off stop
	# the software merging/splitting that would otherwise show up in captures.
	ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off gro off >/dev/null 2>&1 ||
		netns_die "ethtool -K $dev failed in $ns"
}

# netns_wait_oper_up NS DEV...: waits (bounded, ~3 s) until each link's
# operstate is UP. Why: the carrier-on of a fresh veth reaches the stack via
# linkwatch, which is rate limited to about one run per second; until then
# IPv6 treats the link as not ready and ignores neighbour solicitations
# (measured: the first NS unanswered, the first IPv6 SYN ~1 s late, which
# silently shifted every timed path-manager action of a scenario).
netns_wait_oper_up() {
	local ns=$1 dev tries
	shift
	for dev; do
		tries=60
		until [[ $(ip -n "$ns" -o link show dev "$dev") == *"state UP"* ]]; do
			((tries-- > 0)) || netns_die "$dev in $ns never came up"
			sleep 0.05
		done
	done
}

# netns_setup FAMILY: FAMILY is 4, 6 or both; it selects which addresses get
# MPTCP endpoints (the addresses themselves are always configured).
netns_setup() {
	local fam=${1:-4} ns dev
	case $fam in 4 | 6 | both) ;; *) netns_die "netns_setup: family must be 4, 6 or both" ;; esac
	[[ $(id -u) == 0 ]] || netns_die "needs root"

	for ns in "$NS_CLI" "$NS_SRV"; do
		# Never adopt a namespace we did not make; record ours before
		# creating it so a signal right after the add cannot leak it.
		[[ ! -e /run/netns/$ns ]] || netns_die "namespace $ns already exists"
		NETNS_CREATED+=("$ns")
		ip netns add "$ns" || netns_die "cannot create namespace $ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.mptcp.enabled=1
		# Quiet IPv6 link: no DAD delay for the test addresses, no RS noise.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0
		if [[ ${MPTCP_CSUM:-0} == 1 ]]; then
			# Optional DSS checksums, for parser coverage of that field.
			ip netns exec "$ns" sysctl -qw net.mptcp.checksum_enabled=1
		fi
	done

	# Created inside the client namespace with the peer moved straight into
	# the server namespace: the host namespace never sees these links.
	ip -n "$NS_CLI" link add c1 type veth peer name s1 netns "$NS_SRV"
	ip -n "$NS_CLI" link add c2 type veth peer name s2 netns "$NS_SRV"

	ip -n "$NS_CLI" addr add "$CLI4_1/24" dev c1
	ip -n "$NS_CLI" addr add "$CLI4_2/24" dev c2
	ip -n "$NS_SRV" addr add "$SRV4_1/24" dev s1
	ip -n "$NS_SRV" addr add "$SRV4_2/24" dev s2
	ip -n "$NS_CLI" -6 addr add "$CLI6_1/64" dev c1 nodad
	ip -n "$NS_CLI" -6 addr add "$CLI6_2/64" dev c2 nodad
	ip -n "$NS_SRV" -6 addr add "$SRV6_1/64" dev s1 nodad
	ip -n "$NS_SRV" -6 addr add "$SRV6_2/64" dev s2 nodad

	for dev in c1 c2; do netns_set_offloads "$NS_CLI" "$dev"; done
	for dev in s1 s2; do netns_set_offloads "$NS_SRV" "$dev"; done
	for dev in c1 c2; do ip -n "$NS_CLI" link set "$dev" up; done
	for dev in s1 s2; do ip -n "$NS_SRV" link set "$dev" up; done
	netns_wait_oper_up "$NS_CLI" c1 c2
	netns_wait_oper_up "$NS_SRV" s1 s2

	# The client's path-2 subflow goes from its path-2 address to the
	# server's path-1 address. Without this rule the main table would send
	# it out of c1 (wrong link, asymmetric), so pin that source to c2; the
	# server accepts it on s2 (the address is local) and answers via s2.
	ip -n "$NS_CLI" rule add from "$CLI4_2" table 102 pref 1000
	ip -n "$NS_CLI" route add 198.18.1.0/24 via "$SRV4_2" dev c2 table 102
	ip -n "$NS_CLI" -6 rule add from "$CLI6_2" table 102 pref 1000
	ip -n "$NS_CLI" -6 route add 2001:db8:1::/64 via "$SRV6_2" dev c2 table 102

	for ns in "$NS_CLI" "$NS_SRV"; do
		ip -n "$ns" mptcp limits set subflows 4 add_addr_accepted 4
	done
	if [[ $fam == 4 || $fam == both ]]; then
		ip -n "$NS_CLI" mptcp endpoint add "$CLI4_2" dev c2 id "$EP_ID4" subflow
		ip -n "$NS_SRV" mptcp endpoint add "$SRV4_2" dev s2 id "$EP_ID4" signal
	fi
	if [[ $fam == 6 || $fam == both ]]; then
		ip -n "$NS_CLI" mptcp endpoint add "$CLI6_2" dev c2 id "$EP_ID6" subflow
		ip -n "$NS_SRV" mptcp endpoint add "$SRV6_2" dev s2 id "$EP_ID6" signal
	fi
	netns_log "namespaces $NS_CLI, $NS_SRV ready (endpoints: IPv$fam, offloads: $NETNS_OFFLOADS)"
}

# netns_capture_start NS IFACE OUT.pcap [FILTER...]: tcpdump in NS on IFACE
# (or "any"), full snaplen, packet-buffered (-U) so the file is usable even
# if the run dies. The PID is left in NETNS_CAPTURE_PID.
# Returns once tcpdump is capturing, so no packet of the following traffic is
# missed. (A variable, not stdout: `pid=$(netns_capture_start ...)` would
# start tcpdump in a subshell this shell can neither wait for nor reap.)
netns_capture_start() {
	local ns=$1 ifc=$2 out=$3 log tries=100
	shift 3
	log="${out}.tcpdump.log"
	# -B 65536 (KiB): veth delivers bursts far faster than a default 2 MiB
	# ring drains.
	# -Z root: Debian's tcpdump would otherwise drop to user tcpdump before
	# opening the output, which then fails in root-owned directories.
	ip netns exec "$ns" tcpdump -n -i "$ifc" -s 0 -U -B 65536 -Z root -w "$out" "$@" 2>"$log" &
	NETNS_CAPTURE_PID=$!
	NETNS_PIDS+=("$NETNS_CAPTURE_PID")
	while ((tries-- > 0)); do
		grep -q 'listening on' "$log" 2>/dev/null && break
		if ! kill -0 "$NETNS_CAPTURE_PID" 2>/dev/null; then
			netns_log "tcpdump failed: $(cat "$log")"
			return 1
		fi
		sleep 0.05
	done
	((tries >= 0)) || { netns_log "tcpdump did not start"; return 1; }
	NETNS_CAPTURE_LOG[$NETNS_CAPTURE_PID]=$log
}

# netns_capture_stop PID...: waits NETNS_CAPTURE_SETTLE seconds (once, for
# all PIDs), sends SIGTERM (not SIGINT: a non-interactive shell starts
# background jobs with SIGINT ignored) and waits for each exit, after which
# tcpdump has written and closed its file. Prints tcpdump's counters and
# fails if the kernel dropped packets.
#
# Why the settle time: libpcap uses a TPACKET_V3 ring whose blocks reach
# tcpdump only when full or after tcpdump's 1 s block timeout; a block still
# open at SIGTERM is lost silently (not counted as dropped). -U does not
# help, it only flushes what tcpdump already has. --immediate-mode would
# avoid the wait but switches libpcap to TPACKET_V2 with one ring slot per
# snaplen (256 KiB with -s 0), and then veth bursts overflow the ring.
netns_capture_stop() {
	local pid log rc=0
	sleep "${NETNS_CAPTURE_SETTLE:-1.2}"
	for pid in "$@"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "$@"; do
		netns_wait_pid "$pid" 100 || true
		log=${NETNS_CAPTURE_LOG[$pid]:-}
		if [[ -n $log && -f $log ]]; then
			# "N packets captured", "N packets dropped by kernel"
			grep -E 'packets (captured|dropped)' "$log" | sed 's/^/[tcpdump] /' >&2 || true
			if grep -Eq '^[1-9][0-9]* packets dropped by kernel' "$log"; then
				netns_log "tcpdump $pid dropped packets: capture incomplete"
				rc=1
			fi
			rm -f "$log"
		fi
		unset "NETNS_CAPTURE_LOG[$pid]"
	done
	return "$rc"
}

# netns_tmpdir: a private temp directory, removed by the teardown; its path
# is left in NETNS_TMPDIR.
netns_tmpdir() {
	NETNS_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/mptcp-xdp-e2e.XXXXXX")
	NETNS_TMPDIRS+=("$NETNS_TMPDIR")
}

# Kills what this run started (by PID), deletes what this run created.
# Idempotent, so the EXIT trap after a signal trap is harmless.
netns_teardown() {
	local pid ns d
	((NETNS_TORN_DOWN)) && return 0
	NETNS_TORN_DOWN=1
	for pid in "${NETNS_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${NETNS_PIDS[@]}"; do
		# Bounded: TERM, then KILL after ~2 s.
		local n=40
		while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	NETNS_PIDS=()
	for ns in "${NETNS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null || netns_log "could not delete $ns"
	done
	NETNS_CREATED=()
	for d in "${NETNS_TMPDIRS[@]}"; do
		rm -rf -- "$d"
	done
	NETNS_TMPDIRS=()
}

# Installs the teardown. Signal traps exit explicitly: bash would otherwise
# resume the script after running the handler.
netns_trap() {
	trap 'netns_teardown' EXIT
	trap 'netns_teardown; trap - INT; exit 130' INT
	trap 'netns_teardown; exit 143' TERM
	trap 'netns_teardown; exit 129' HUP
}
