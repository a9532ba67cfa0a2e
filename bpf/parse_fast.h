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
 *    filter, on the endpoints returned here);
 *  - MPTCP in those as Linux sends it once the connection is up:
 *    timestamps and one DSS that is no DATA_FIN, no SYN, FIN or RST
 *    (mpx_fast_dss()). With the default edges policy, on a subflow the
 *    flow table holds as assured and whose direction has had its first
 *    mapping, the DSS makes no record: the caller counts it and the
 *    subflow's packet and bytes, and is done.
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
#include "parse_options.h"

enum mpx_fast_class {
	MPX_FAST_SLOW = 0, /* take the full parse */
	MPX_FAST_NON_IP,
	MPX_FAST_NON_TCP4,
	MPX_FAST_NON_TCP6,
	MPX_FAST_TCP4,
	MPX_FAST_TCP6,
	MPX_FAST_DSS4, /* see mpx_fast_dss() */
	MPX_FAST_DSS6,
};

/* A TCP packet's endpoints as the flow filter hashes them: the last four
 * bytes of each address (all of an IPv4 one) and the ports; and for a DSS
 * segment what the DSS edges policy and the flow table need (struct
 * mpx_fast_dss_info). */
struct mpx_fast_ends {
	__u32 saddr4; /* as mpx_load_word() reads them */
	__u32 daddr4;
	__u16 sport;
	__u16 dport;
};

/* For MPX_FAST_DSS4/6, when the caller asks (mpx_fast_classify()). */
struct mpx_fast_dss_info {
	const __u8 *saddr; /* IPv6: the 16 bytes in the packet */
	const __u8 *daddr;
	__u16 payload_len;
	__u8 has_map; /* the DSS carries a mapping */
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

/* Padding byte i after the DSS: 0 NOP, 1 EOL, -1 anything else or a byte
 * past the packet's end. */
mpx_inline int mpx_fast_pad(const __u8 *pad, int i, const __u8 *end)
{
	if (pad + i + 1 > end)
		return -1;
	if (pad[i] == MPX_TCPOPT_EOL)
		return 1;
	return pad[i] == MPX_TCPOPT_NOP ? 0 : -1;
}

/*
 * What Linux puts on an MPTCP segment once the connection is up (RFC 8684
 * section 3.3): NOP, NOP, timestamps, then one DSS option, of the length
 * its flags call for, then at most three bytes of padding, NOP or EOL (a
 * mapping without checksum is followed by two NOPs). opts: the option
 * bytes, all in the packet; 1 when they are that, and the DSS is no
 * DATA_FIN. Then the full walk would meet exactly that one MPTCP option,
 * and decode it without error.
 */
mpx_inline int mpx_fast_dss(const __u8 *opts, const __u8 *end, __u32 space,
			    struct mpx_fast_dss_info *dss)
{
	const __u8 *pad;
	__u32 len, rest;
	__u8 f;
	int st;

	if (space < 12 + 8 || opts + 16 > end)
		return 0;
	if (opts[12] != MPX_TCPOPT_MPTCP || (opts[14] >> 4) != MPX_EV_DSS)
		return 0;
	len = opts[13];
	f = opts[15];
	if (!mpx_dss_len_ok(f, len) || (f & MPX_DSS_F) || 12 + len > space)
		return 0;
	rest = space - 12 - len;
	if (rest > 3)
		return 0;
	/* At most three bytes, one by one: 0 NOP (the walk goes on), 1 EOL
	 * (it ends there), -1 anything else or past the packet. */
	pad = opts + 12 + len;
	st = rest > 0 ? mpx_fast_pad(pad, 0, end) : 1;
	if (st == 0)
		st = rest > 1 ? mpx_fast_pad(pad, 1, end) : 1;
	if (st == 0)
		st = rest > 2 ? mpx_fast_pad(pad, 2, end) : 1;
	if (st < 0)
		return 0;
	if (dss)
		dss->has_map = !!(f & MPX_DSS_M);
	return 1;
}

/* The TCP header at l4 with l4_len bytes of datagram, all of it in [l4,
 * end). 1 when its options are none or exactly NOP NOP timestamps; 2 when
 * they are timestamps and a DSS (mpx_fast_dss(), checked only when dss is
 * given) and no SYN, FIN or RST is set. */
mpx_inline int mpx_fast_tcp(const __u8 *l4, const __u8 *end, __u32 l4_len,
			    struct mpx_fast_ends *e,
			    struct mpx_fast_dss_info *dss)
{
	__u32 doff;
	int kind = 1;

	if (l4 + 20 > end)
		return 0;
	doff = (__u32)(l4[12] >> 4) * 4;
	if (doff > l4_len)
		return 0; /* the full parse counts it as truncated */
	if (doff != 20) {
		if (doff < 32 || l4 + 32 > end ||
		    mpx_load_word(l4 + 20) != mpx_fast_ts_lead())
			return 0;
		if (doff != 32) {
			if (l4[13] & (MPX_TCP_SYN | MPX_TCP_FIN | MPX_TCP_RST))
				return 0;
			/* Without dss, a candidate only (see
			 * mpx_fast_classify()). */
			if (dss &&
			    (l4 + doff > end ||
			     !mpx_fast_dss(l4 + 20, end, doff - 20, dss)))
				return 0;
			if (dss)
				dss->payload_len = (__u16)(l4_len - doff);
			kind = 2;
		}
	}
	e->sport = mpx_load_be16(l4);
	e->dport = mpx_load_be16(l4 + 2);
	return kind;
}

/*
 * The packet's class (enum mpx_fast_class), its endpoints in e for TCP.
 * MPX_FAST_DSS4/6 with dss: a DSS segment as mpx_fast_dss() says, its
 * details in dss. Without dss, a candidate only: timestamps and more
 * options, no SYN, FIN or RST; the caller asks again with dss where it has
 * the stack for it (the kernel's hook has not: its frame is on the full
 * path's chain of calls, which share 512 bytes).
 */
mpx_inline int mpx_fast_classify(const void *data, const void *data_end,
				 struct mpx_fast_ends *e,
				 struct mpx_fast_dss_info *dss)
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
		switch (mpx_fast_tcp(p + 20, end, mpx_load_be16(p + 2) - 20u, e,
				     dss)) {
		case 1:
			return MPX_FAST_TCP4;
		case 2:
			return MPX_FAST_DSS4;
		default:
			return MPX_FAST_SLOW;
		}
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
		if (dss) {
			dss->saddr = p + 8;
			dss->daddr = p + 24;
		}
		switch (
		    mpx_fast_tcp(p + 40, end, mpx_load_be16(p + 4), e, dss)) {
		case 1:
			return MPX_FAST_TCP6;
		case 2:
			return MPX_FAST_DSS6;
		default:
			return MPX_FAST_SLOW;
		}
	}
	if (type == MPX_ETH_P_8021Q || type == MPX_ETH_P_8021AD)
		return MPX_FAST_SLOW;
	return MPX_FAST_NON_IP;
}

#endif /* MPX_PARSE_FAST_H */
