/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The kernel's fast path: most packets on a link are counted and nothing
 * else. Straight from the packet, with no copy into struct mpx_pkt, this
 * recognises the common shapes whose whole treatment by the full parse
 * (parse_headers.h, parse_options.h, inspect.h) is counters:
 *
 *  - not IP (ARP, LLDP): packets, non_ip;
 *  - IPv4 without options or IPv6 without extension headers, first or only
 *    fragment, not TCP (UDP, ICMP): packets, ipv4 or ipv6, non_tcp;
 *  - TCP in those, its options none or NOP NOP timestamps (what Linux
 *    sends on every segment but the handshake's): packets, ipv4 or ipv6,
 *    tcp, unless its subflow may be in the flow table (the caller's
 *    filter, on the endpoints returned here).
 *
 * Anything else, a VLAN tag, an IP option, another option layout, a header
 * cut short or inconsistent, goes to the full parse, which counts it as it
 * always has: this only answers early for packets where it and the full
 * parse agree (tests/unit/test_parser.c checks that they do).
 *
 * Helper-free like the other parsing headers; compiled into the host tests
 * too.
 */
#ifndef MPX_PARSE_FAST_H
#define MPX_PARSE_FAST_H

#include "parse_headers.h"

enum mpx_fast_class {
	MPX_FAST_SLOW = 0, /* take the full parse */
	MPX_FAST_NON_IP,
	MPX_FAST_NON_TCP4,
	MPX_FAST_NON_TCP6,
	MPX_FAST_TCP4,
	MPX_FAST_TCP6,
};

/* A TCP packet's endpoints as the flow filter hashes them: the last four
 * bytes of each address (all of an IPv4 one) and the ports. */
struct mpx_fast_ends {
	__u32 saddr4; /* as mpx_load_word() reads them */
	__u32 daddr4;
	__u16 sport;
	__u16 dport;
};

/* Four bytes as one native-endian word: in BPF one load (see
 * mpx_copy_word()). */
mpx_inline __u32 mpx_load_word(const __u8 *p)
{
	__u32 v;

	mpx_copy_word((__u8 *)&v, p);
	return v;
}

/* A big-endian 16-bit field: in BPF one load and one byte swap, where
 * mpx_get_be16() is two loads, a shift and an or. */
mpx_inline __u16 mpx_load_be16(const __u8 *p)
{
#if defined(__bpf__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16(*(const __u16 *)p);
#else
	return mpx_get_be16(p);
#endif
}

/* NOP, NOP, kind 8 length 10 (RFC 7323 section 3, the layout of its
 * appendix A that Linux uses): the first four option bytes, as a word. */
mpx_inline __u32 mpx_fast_ts_lead(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return 0x0a080101U;
#else
	return 0x0101080aU;
#endif
}

/* The TCP header at l4 with l4_len bytes of datagram: 1 when its options
 * are none or exactly NOP NOP timestamps and all of it is in [l4, end). */
mpx_inline int mpx_fast_tcp(const __u8 *l4, const __u8 *end, __u32 l4_len,
			    struct mpx_fast_ends *e)
{
	__u32 doff;

	if (l4 + 20 > end)
		return 0;
	doff = (__u32)(l4[12] >> 4) * 4;
	if (doff > l4_len)
		return 0; /* the full parse counts it as truncated */
	if (doff == 32) {
		if (l4 + 32 > end ||
		    mpx_load_word(l4 + 20) != mpx_fast_ts_lead())
			return 0;
	} else if (doff != 20) {
		return 0;
	}
	e->sport = mpx_load_be16(l4);
	e->dport = mpx_load_be16(l4 + 2);
	return 1;
}

mpx_inline int mpx_fast_classify(const void *data, const void *data_end,
				 struct mpx_fast_ends *e)
{
	const __u8 *p = data, *end = data_end;
	__u16 type;
	__u8 next;

	if (p + MPX_ETH_HLEN > end)
		return MPX_FAST_SLOW;
	type = mpx_load_be16(p + 12);
	p += MPX_ETH_HLEN;
	if (type == MPX_ETH_P_IP) {
		/* Version 4, IHL 5; total length covers the header; offset 0
		 * (RFC 791 section 3.1). */
		if (p + 20 > end || p[0] != 0x45 || mpx_load_be16(p + 2) < 20 ||
		    (mpx_load_be16(p + 6) & 0x1fff))
			return MPX_FAST_SLOW;
		if (p[9] != MPX_IPPROTO_TCP)
			return MPX_FAST_NON_TCP4;
		e->saddr4 = mpx_load_word(p + 12);
		e->daddr4 = mpx_load_word(p + 16);
		return mpx_fast_tcp(p + 20, end, mpx_load_be16(p + 2) - 20u, e)
			   ? MPX_FAST_TCP4
			   : MPX_FAST_SLOW;
	}
	if (type == MPX_ETH_P_IPV6) {
		if (p + 40 > end || (p[0] >> 4) != 6)
			return MPX_FAST_SLOW;
		next = p[6];
		/* The extension headers parse_headers.h follows. */
		if (next == 0 || next == 43 || next == 60 || next == 44 ||
		    next == 51)
			return MPX_FAST_SLOW;
		if (next != MPX_IPPROTO_TCP)
			return MPX_FAST_NON_TCP6;
		e->saddr4 = mpx_load_word(p + 8 + 12);
		e->daddr4 = mpx_load_word(p + 24 + 12);
		return mpx_fast_tcp(p + 40, end, mpx_load_be16(p + 4), e)
			   ? MPX_FAST_TCP6
			   : MPX_FAST_SLOW;
	}
	if (type == MPX_ETH_P_8021Q || type == MPX_ETH_P_8021AD)
		return MPX_FAST_SLOW;
	return MPX_FAST_NON_IP;
}

#endif /* MPX_PARSE_FAST_H */
