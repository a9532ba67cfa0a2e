/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Packet headers, L2 to L4: one small bounds-checked function per header, in
 * the style of the xdp-tutorial parsing helpers. Takes (data, data_end) and
 * uses no helpers: compiled into the BPF object and into the host build.
 *
 * The result is a struct mpx_pkt: the packet's addresses, ports, flags and a
 * copy of its TCP option bytes, which parse_options.h then walks.
 */
#ifndef MPX_PARSE_HEADERS_H
#define MPX_PARSE_HEADERS_H

#include "parse_common.h"

#define MPX_ETH_HLEN	  14
#define MPX_ETH_P_IP	  0x0800
#define MPX_ETH_P_IPV6	  0x86DD
#define MPX_ETH_P_8021Q	  0x8100
#define MPX_ETH_P_8021AD  0x88A8
#define MPX_IPPROTO_TCP	  6
#define MPX_MAX_VLAN_TAGS 2
/* Extension headers followed before giving up on an IPv6 packet. */
#define MPX_MAX_EXTHDRS 6

enum mpx_parse_result {
	MPX_PKT_TCP = 0,
	MPX_PKT_NON_IP,
	MPX_PKT_NON_TCP,
	MPX_PKT_LATER_FRAGMENT,
	/* The rest carry the counter through enum mpx_err in pkt->err. */
	MPX_PKT_MALFORMED,
};

struct mpx_pkt {
	__u8 saddr[MPX_ADDR_LEN];
	__u8 daddr[MPX_ADDR_LEN];
	__u32 seq;
	__u32 ack;
	__u16 sport;
	__u16 dport;
	__u16 payload_len;
	__u16 payload_off; /* from the frame's first byte (TCP, TCP header
			      length) */
	__u8 family;
	__u8 tcp_flags;
	__u8 vlan_tags;
	__u8 err;	 /* enum mpx_err when MPX_PKT_MALFORMED */
	__u8 opt_space;	 /* option bytes the TCP header announces (0..40) */
	__u8 opt_copied; /* of those, the bytes present in the capture */
	/* Option bytes; zero past opt_copied, so masked reads stay defined.
	 * Aligned for mpx_copy_word()'s stores. */
	__u8 opts[MPX_OPT_BUF] __attribute__((aligned(4)));
};

/* Four bytes from a bounds-checked packet pointer to the option buffer
 * (4-byte aligned: see struct mpx_pkt). In BPF one load and one store:
 * clang would split a memcpy from a byte pointer into four of each, and
 * the verifier allows the unaligned packet load where the architecture
 * has efficient unaligned access (x86, arm64). */
mpx_inline void mpx_copy_word(__u8 *dst, const __u8 *src)
{
#ifdef __bpf__
	*(__u32 *)dst = *(const __u32 *)src;
#else
	__builtin_memcpy(dst, src, 4);
#endif
}

struct mpx_cursor {
	const __u8 *pos;
	const __u8 *end;
};

/* Ethernet plus up to two VLAN tags (802.1Q, 802.1ad QinQ). */
mpx_inline int mpx_parse_eth(struct mpx_cursor *c, __u16 *proto, __u8 *tags)
{
	const __u8 *p = c->pos;
	__u16 type;
	int i;

	if (p + MPX_ETH_HLEN > c->end)
		return -1;
	type = mpx_get_be16(p + 12);
	p += MPX_ETH_HLEN;
	*tags = 0;
	MPX_UNROLL
	for (i = 0; i < MPX_MAX_VLAN_TAGS; i++) {
		if (type != MPX_ETH_P_8021Q && type != MPX_ETH_P_8021AD)
			break;
		if (p + 4 > c->end)
			return -1;
		type = mpx_get_be16(p + 2);
		p += 4;
		(*tags)++;
	}
	c->pos = p;
	*proto = type;
	return 0;
}

mpx_inline void mpx_map_ipv4(__u8 *dst, const __u8 *v4)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	dst[12] = v4[0];
	dst[13] = v4[1];
	dst[14] = v4[2];
	dst[15] = v4[3];
}

/* IPv4 with options (RFC 791). Returns enum mpx_parse_result. *l4_len is
 * what the IP header says follows it, for the TCP payload length. */
mpx_inline int mpx_parse_ipv4(struct mpx_cursor *c, struct mpx_pkt *pkt,
			      __u32 *l4_len)
{
	const __u8 *p = c->pos;
	__u32 ihl, tot;

	if (p + 20 > c->end) {
		pkt->err = MPX_ERR_TRUNC_L3;
		return MPX_PKT_MALFORMED;
	}
	ihl = (__u32)(p[0] & 0x0f) * 4;
	tot = mpx_get_be16(p + 2);
	if ((p[0] >> 4) != 4 || ihl < 20 || tot < ihl) {
		pkt->err = MPX_ERR_BAD_IP_HEADER;
		return MPX_PKT_MALFORMED;
	}
	if (p + ihl > c->end) {
		pkt->err = MPX_ERR_TRUNC_L3;
		return MPX_PKT_MALFORMED;
	}
	pkt->family = 4;
	/* Fragment offset non-zero: no TCP header in this fragment. */
	if (mpx_get_be16(p + 6) & 0x1fff)
		return MPX_PKT_LATER_FRAGMENT;
	if (p[9] != MPX_IPPROTO_TCP)
		return MPX_PKT_NON_TCP;
	/* Only TCP's addresses are used: the rest is counted and left. */
	mpx_map_ipv4(pkt->saddr, p + 12);
	mpx_map_ipv4(pkt->daddr, p + 16);
	*l4_len = tot - ihl;
	c->pos = p + ihl;
	return MPX_PKT_TCP;
}

/* IPv6 (RFC 8200) with hop-by-hop, routing, destination options and
 * fragment headers (first fragments only), and AH (RFC 4302). */
mpx_inline int mpx_parse_ipv6(struct mpx_cursor *c, struct mpx_pkt *pkt,
			      __u32 *l4_len)
{
	const __u8 *p = c->pos;
	__u32 plen, hlen;
	__u8 next;
	int i;

	if (p + 40 > c->end) {
		pkt->err = MPX_ERR_TRUNC_L3;
		return MPX_PKT_MALFORMED;
	}
	if ((p[0] >> 4) != 6) {
		pkt->err = MPX_ERR_BAD_IP_HEADER;
		return MPX_PKT_MALFORMED;
	}
	pkt->family = 6;
	MPX_UNROLL
	for (i = 0; i < MPX_ADDR_LEN; i++) {
		pkt->saddr[i] = p[8 + i];
		pkt->daddr[i] = p[24 + i];
	}
	plen = mpx_get_be16(p + 4);
	next = p[6];
	p += 40;

	/* A bounded loop (Linux 5.3+), not unrolled: six copies of this
	 * body would only make the verifier's work larger. */
	for (i = 0; i < MPX_MAX_EXTHDRS; i++) {
		if (next == MPX_IPPROTO_TCP)
			break;
		if (next != 0 && next != 43 && next != 60 && next != 44 &&
		    next != 51)
			return MPX_PKT_NON_TCP;
		if (p + 8 > c->end) {
			pkt->err = MPX_ERR_TRUNC_L3;
			return MPX_PKT_MALFORMED;
		}
		if (next == 44) {
			/* Fragment header: fixed 8 bytes; offset in 8-byte
			 * units in the top 13 bits of bytes 2-3. */
			if (mpx_get_be16(p + 2) & 0xfff8)
				return MPX_PKT_LATER_FRAGMENT;
			hlen = 8;
		} else if (next == 51) {
			hlen =
			    ((__u32)p[1] + 2) * 4; /* AH counts 4-byte words */
		} else {
			hlen = ((__u32)p[1] + 1) * 8;
		}
		if (hlen > plen) {
			pkt->err = MPX_ERR_BAD_IP_HEADER;
			return MPX_PKT_MALFORMED;
		}
		plen -= hlen;
		next = p[0];
		p += hlen;
	}
	if (next == 0 || next == 43 || next == 60 || next == 44 || next == 51) {
		pkt->err = MPX_ERR_TOO_MANY_EXTHDRS;
		return MPX_PKT_MALFORMED;
	}
	if (next != MPX_IPPROTO_TCP)
		return MPX_PKT_NON_TCP;
	*l4_len = plen;
	c->pos = p;
	return MPX_PKT_TCP;
}

/* The TCP header (RFC 9293) and a copy of its option bytes. */
mpx_inline int mpx_parse_tcp(struct mpx_cursor *c, struct mpx_pkt *pkt,
			     __u32 l4_len)
{
	const __u8 *p = c->pos;
	__u32 doff;
	int i;

	if (p + 20 > c->end) {
		pkt->err = MPX_ERR_TRUNC_L4;
		return MPX_PKT_MALFORMED;
	}
	doff = (__u32)(p[12] >> 4) * 4;
	if (doff < 20) {
		pkt->err = MPX_ERR_BAD_TCP_DOFF;
		return MPX_PKT_MALFORMED;
	}
	/* The header lies inside the IP datagram (RFC 791 section 3.1, RFC
	 * 9293 section 3.1): bytes past it, an Ethernet trailer say, are not
	 * options, and the receiving host never sees them as such. */
	if (doff > l4_len) {
		pkt->err = MPX_ERR_TRUNC_L4;
		return MPX_PKT_MALFORMED;
	}
	pkt->sport = mpx_get_be16(p);
	pkt->dport = mpx_get_be16(p + 2);
	pkt->seq = mpx_get_be32(p + 4);
	pkt->ack = mpx_get_be32(p + 8);
	pkt->tcp_flags = p[13];
	pkt->payload_len = l4_len > doff ? (__u16)(l4_len - doff) : 0;
	pkt->payload_off =
	    (__u16)doff; /* made absolute by mpx_parse_packet() */
	pkt->opt_space = (__u8)(doff - 20);
	pkt->opt_copied = 0;

	/* Copy the options a 4-byte word at a time (the data offset counts
	 * words, RFC 9293 section 3.1), each read bounds-checked: a capture
	 * cut by its snaplen may end inside them, and then the bytes before
	 * the cut follow one by one. The rest of the buffer is zero so that
	 * masked reads past the end read zeros. */
	p += 20;
	__builtin_memset(pkt->opts, 0, sizeof(pkt->opts));
	MPX_UNROLL
	for (i = 0; i < MPX_TCP_OPT_SPACE / 4; i++) {
		if ((__u32)i * 4 >= pkt->opt_space || p + i * 4 + 4 > c->end)
			break;
		mpx_copy_word(&pkt->opts[i * 4], p + i * 4);
		pkt->opt_copied = (__u8)(i * 4 + 4);
	}
	MPX_UNROLL
	for (i = 0; i < 3; i++) {
		__u32 o = pkt->opt_copied;

		if (o >= pkt->opt_space || p + o + 1 > c->end)
			break;
		pkt->opts[o & MPX_OPT_MASK] = p[o];
		pkt->opt_copied = (__u8)(o + 1);
	}
	return MPX_PKT_TCP;
}

/*
 * From an Ethernet frame to a struct mpx_pkt. Returns enum mpx_parse_result;
 * on MPX_PKT_MALFORMED, pkt->err says which header was short or wrong.
 */
mpx_inline int mpx_parse_packet(const void *data, const void *data_end,
				struct mpx_pkt *pkt)
{
	struct mpx_cursor c = {.pos = data, .end = data_end};
	__u32 l4_len = 0;
	__u16 proto;
	int r;

	pkt->err = MPX_ERR_NONE;
	pkt->family = 0;
	pkt->vlan_tags = 0;
	if (mpx_parse_eth(&c, &proto, &pkt->vlan_tags) < 0) {
		pkt->err = MPX_ERR_TRUNC_L2;
		return MPX_PKT_MALFORMED;
	}
	if (proto == MPX_ETH_P_IP)
		r = mpx_parse_ipv4(&c, pkt, &l4_len);
	else if (proto == MPX_ETH_P_IPV6)
		r = mpx_parse_ipv6(&c, pkt, &l4_len);
	else
		return MPX_PKT_NON_IP;
	if (r != MPX_PKT_TCP)
		return r;
	r = mpx_parse_tcp(&c, pkt, l4_len);
	if (r == MPX_PKT_TCP)
		pkt->payload_off +=
		    (__u16)((const __u8 *)c.pos - (const __u8 *)data);
	return r;
}

#endif /* MPX_PARSE_HEADERS_H */
