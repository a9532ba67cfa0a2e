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
/* Four bytes of an address as a number, first byte highest: words compare
 * as the bytes do. */
mpx_inline __u32 mpx_addr_word(const __u8 *a, int i)
{
	__u32 v;

	__builtin_memcpy(&v, a + 4 * i, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

mpx_inline int mpx_flow_key_make(__u8 family, const __u8 *saddr,
				 const __u8 *daddr, __u16 sport, __u16 dport,
				 struct mpx_flow_key *k)
{
	int i, cmp = 0, dir;

	MPX_UNROLL
	for (i = 0; i < MPX_ADDR_LEN / 4; i++) {
		__u32 s = mpx_addr_word(saddr, i), d = mpx_addr_word(daddr, i);

		if (cmp == 0 && s != d)
			cmp = s < d ? -1 : 1;
	}
	if (cmp == 0)
		cmp = sport < dport ? -1 : (sport > dport);
	dir = cmp > 0;
	__builtin_memcpy(k->addr[0], dir ? daddr : saddr, MPX_ADDR_LEN);
	__builtin_memcpy(k->addr[1], dir ? saddr : daddr, MPX_ADDR_LEN);
	k->port[0] = dir ? dport : sport;
	k->port[1] = dir ? sport : dport;
	k->family = family;
	k->pad0[0] = k->pad0[1] = k->pad0[2] = 0;
	return dir;
}

#endif /* MPX_FLOW_KEY_H */
