/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The flow table: subflows the kernel side remembers, so that it can apply
 * the DSS "edges" policy (and, for the correlator, report subflow ends)
 * without sending every packet to userspace.
 *
 * Keys are canonical (the lower address/port pair first) so both directions
 * of a subflow share one entry; per-direction fields are indexed by
 * direction: 0 when the packet's source is the key's first endpoint
 * (bpf/flow_key.h).
 *
 * A subflow enters the table with its first MPTCP option; from then on
 * every TCP packet of it is counted, and its FIN, RST and a fallback to
 * TCP become records (include/mptcp_event.h, MPX_EV_SUBFLOW_*).
 */
#ifndef MPTCP_FLOW_H
#define MPTCP_FLOW_H

/* Userspace gets the __u types here; BPF programs from vmlinux.h. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "mptcp_event.h" /* MPX_ADDR_LEN */

/*
 * Two tables, as conntrack keeps its "assured" connections apart: a new
 * subflow enters the table of new subflows; once it has carried two packets
 * each way (a handshake and then some: what no flood of SYNs, of bare
 * three-packet handshakes or of join SYNs does) it is assured and moves to
 * the main table, which such a flood then cannot flush (docs/security.md).
 * The host engine keeps one table: it never evicts.
 */
#define MPX_FLOW_TABLE_SIZE	 65536
#define MPX_FLOW_NEW_TABLE_SIZE	 65536
#define MPX_FLOW_ASSURED_PACKETS 2

struct mpx_flow_key {
	__u8 addr[2][MPX_ADDR_LEN];
	__u16 port[2];
	__u8 family;
	__u8 pad0[3];
};

struct mpx_flow {
	__u64 packets[2];	/* TCP packets per direction */
	__u64 bytes[2];		/* TCP payload bytes per direction */
	__u8 first_map_seen[2]; /* a DSS mapping was seen in this direction */
	__u8 fin_seen[2];	/* a FIN was reported in this direction */
	__u8 syn_mpc; /* 1 + direction of a SYN that carried MP_CAPABLE */
	__u8 fallback_reported;
	__u8 rst_seen;
	__u8 assured; /* carried two packets each way (see below) */
};

_Static_assert(sizeof(struct mpx_flow_key) == 40, "flow key layout");
_Static_assert(sizeof(struct mpx_flow) == 40, "flow value layout");

#endif /* MPTCP_FLOW_H */
