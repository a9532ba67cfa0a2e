/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The flow table's canonical key (include/mptcp_flow.h): both directions of
 * a subflow map to one key, the lower (address, port) endpoint first. Used
 * by the kernel side and by the correlator, so that both name a subflow the
 * same way.
 */
#ifndef MPX_FLOW_KEY_H
#define MPX_FLOW_KEY_H

#include "parse_common.h"

/* Returns the packet's direction: 0 when its source is the key's first
 * endpoint, 1 otherwise. */
mpx_inline int mpx_flow_key_make(__u8 family, const __u8 *saddr,
				 const __u8 *daddr, __u16 sport, __u16 dport,
				 struct mpx_flow_key *k)
{
	int i, cmp = 0, dir;

	MPX_UNROLL
	for (i = 0; i < MPX_ADDR_LEN; i++) {
		if (cmp == 0 && saddr[i] != daddr[i])
			cmp = saddr[i] < daddr[i] ? -1 : 1;
	}
	if (cmp == 0)
		cmp = sport < dport ? -1 : (sport > dport);
	dir = cmp > 0;
	MPX_UNROLL
	for (i = 0; i < MPX_ADDR_LEN; i++) {
		k->addr[0][i] = dir ? daddr[i] : saddr[i];
		k->addr[1][i] = dir ? saddr[i] : daddr[i];
	}
	k->port[0] = dir ? dport : sport;
	k->port[1] = dir ? sport : dport;
	k->family = family;
	k->pad0[0] = k->pad0[1] = k->pad0[2] = 0;
	return dir;
}

#endif /* MPX_FLOW_KEY_H */
