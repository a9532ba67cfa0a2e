// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Crafted frames and MPTCP option bytes for the tests; see packet_builder.h.
 * The option layouts are written from the RFC diagrams, section by section.
 */
#include <arpa/inet.h>
#include <string.h>

#include "packet_builder.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* ---- spec setup ------------------------------------------------------ */

static void init_common(struct pb_spec *s, uint16_t sport, uint16_t dport)
{
	static const uint8_t dmac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
	static const uint8_t smac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

	memset(s, 0, sizeof(*s));
	memcpy(s->dst_mac, dmac, 6);
	memcpy(s->src_mac, smac, 6);
	s->ttl = 64;
	s->sport = sport;
	s->dport = dport;
	s->seq = 0x01020304;
	s->ack = 0x0a0b0c0d;
	s->tcp_flags = PB_TCP_ACK;
	s->window = 64240;
	s->tcp_pad = PB_TCPOPT_EOL;
	s->payload_byte = 0x61;
}

int pb_init_v4(struct pb_spec *s, const char *src, uint16_t sport,
	       const char *dst, uint16_t dport)
{
	init_common(s, sport, dport);
	s->family = 4;
	if (inet_pton(AF_INET, src, s->saddr) != 1 ||
	    inet_pton(AF_INET, dst, s->daddr) != 1)
		return -1;
	return 0;
}

int pb_init_v6(struct pb_spec *s, const char *src, uint16_t sport,
	       const char *dst, uint16_t dport)
{
	init_common(s, sport, dport);
	s->family = 6;
	if (inet_pton(AF_INET6, src, s->saddr) != 1 ||
	    inet_pton(AF_INET6, dst, s->daddr) != 1)
		return -1;
	return 0;
}

int pb_add_vlan(struct pb_spec *s, uint16_t tpid, uint16_t vid)
{
	if (s->n_vlan >= PB_MAX_VLAN)
		return -1;
	s->vlan[s->n_vlan].tpid = tpid;
	s->vlan[s->n_vlan].tci = vid & 0x0fff;
	s->n_vlan++;
	return 0;
}

int pb_add_ext(struct pb_spec *s, uint8_t type, uint16_t len)
{
	if (s->n_ext >= PB_MAX_EXT)
		return -1;
	memset(&s->ext[s->n_ext], 0, sizeof(s->ext[0]));
	s->ext[s->n_ext].type = type;
	s->ext[s->n_ext].len = len;
	s->n_ext++;
	return 0;
}

int pb_add_frag6(struct pb_spec *s, uint16_t offset, int more)
{
	if (pb_add_ext(s, PB_EXT_FRAGMENT, 8) < 0)
		return -1;
	s->ext[s->n_ext - 1].frag_offset = offset;
	s->ext[s->n_ext - 1].frag_more = !!more;
	return 0;
}

int pb_set_ip_opts(struct pb_spec *s, const uint8_t *opts, size_t n)
{
	if (n > PB_IP_OPT_MAX)
		return -1;
	memcpy(s->ip_opts, opts, n);
	s->ip_opts_len = n;
	return 0;
}

int pb_tcp_opt(struct pb_spec *s, const uint8_t *opt, size_t n)
{
	if (s->tcp_opts_len + n > PB_TCP_OPT_MAX)
		return -1;
	memcpy(s->tcp_opts + s->tcp_opts_len, opt, n);
	s->tcp_opts_len += n;
	return 0;
}

int pb_tcp_nop(struct pb_spec *s)
{
	static const uint8_t nop = PB_TCPOPT_NOP;

	return pb_tcp_opt(s, &nop, 1);
}

int pb_tcp_linux_ts(struct pb_spec *s, uint32_t val, uint32_t ecr)
{
	uint8_t o[10];

	if (pb_tcp_nop(s) < 0 || pb_tcp_nop(s) < 0)
		return -1;
	return pb_tcp_opt(s, o, pb_opt_ts(o, val, ecr));
}

void pb_tcp_opts_clear(struct pb_spec *s)
{
	memset(s->tcp_opts, 0, sizeof(s->tcp_opts));
	s->tcp_opts_len = 0;
}

/* ---- frame assembly -------------------------------------------------- */

/* RFC 1071 one's complement sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t ext_len(const struct pb_ext *e)
{
	if (e->type == PB_EXT_FRAGMENT)
		return 8;
	if (e->type == PB_EXT_AH)
		return e->len ? e->len : 24;
	return e->len ? e->len : 8;
}

/* One IPv6 extension header (RFC 8200 sections 4.3-4.6, RFC 4302 2). */
static void put_ext(uint8_t *p, const struct pb_ext *e, uint8_t next)
{
	size_t n = ext_len(e);

	memset(p, 0, n);
	p[0] = next;
	switch (e->type) {
	case PB_EXT_FRAGMENT:
		/* next, reserved, offset (13 bits) res (2) M, identification */
		put16(p + 2, (uint16_t)(e->frag_offset << 3 | e->frag_more));
		put32(p + 4, 0x12345678);
		break;
	case PB_EXT_AH:
		/* payload length in 4-octet units minus 2; SPI; sequence */
		p[1] = (uint8_t)(n / 4 - 2);
		put32(p + 4, 0x00000100);
		put32(p + 8, 1);
		break;
	case PB_EXT_ROUTING:
		/* hdr ext len in 8-octet units minus 1; routing type 253
		 * (RFC 4727 experiment) with segments left 0: ignored. */
		p[1] = (uint8_t)(n / 8 - 1);
		p[2] = 253;
		p[3] = 0;
		break;
	default:
		/* Hop-by-hop / destination options: one PadN (RFC 8200
		 * section 4.2) filling the rest. */
		p[1] = (uint8_t)(n / 8 - 1);
		p[2] = 1;
		p[3] = (uint8_t)(n - 4);
		break;
	}
}

size_t pb_build(const struct pb_spec *s, uint8_t *out, size_t cap,
		struct pb_layout *layout)
{
	struct pb_layout l = {0};
	uint8_t proto = s->l4_proto ? s->l4_proto : PB_IPPROTO_TCP;
	size_t ip_opts = (s->ip_opts_len + 3) & ~(size_t)3;
	size_t tcp_opts = (s->tcp_opts_len + 3) & ~(size_t)3;
	size_t l4hdr, l3hdr, exts = 0, pos, i;
	uint16_t ethertype;
	uint8_t *p;
	int later_fragment = 0;

	if (tcp_opts > PB_TCP_OPT_MAX || ip_opts > PB_IP_OPT_MAX ||
	    s->n_vlan > PB_MAX_VLAN || s->n_ext > PB_MAX_EXT)
		return 0;
	if (proto == PB_IPPROTO_TCP)
		l4hdr = 20 + tcp_opts;
	else if (proto == PB_IPPROTO_UDP || proto == PB_IPPROTO_ICMP ||
		 proto == PB_IPPROTO_ICMPV6)
		l4hdr = 8;
	else
		l4hdr = 0;
	for (i = 0; i < (size_t)s->n_ext; i++)
		exts += ext_len(&s->ext[i]);
	l3hdr = s->family == 6 ? 40 + exts : 20 + ip_opts;
	l.l3 = 14 + 4 * (size_t)s->n_vlan;
	l.l4 = l.l3 + l3hdr;
	l.opts = l.l4 + 20;
	l.payload = l.l4 + l4hdr;
	l.len = l.payload + s->payload_len;
	if (l.len > cap || l.len > 0xffff)
		return 0;
	memset(out, 0, l.len);

	/* Ethernet II, VLAN tags (IEEE 802.1Q; outer 802.1ad for QinQ). */
	ethertype = s->ethertype     ? s->ethertype
		    : s->family == 6 ? PB_ETH_P_IPV6
				     : PB_ETH_P_IP;
	memcpy(out, s->dst_mac, 6);
	memcpy(out + 6, s->src_mac, 6);
	pos = 12;
	for (i = 0; i < (size_t)s->n_vlan; i++) {
		put16(out + pos, s->vlan[i].tpid);
		put16(out + pos + 2, s->vlan[i].tci);
		pos += 4;
	}
	put16(out + pos, ethertype);

	p = out + l.l3;
	if (s->family == 6) {
		/* IPv6 (RFC 8200 section 3). */
		uint8_t next = s->n_ext ? s->ext[0].type : proto;
		uint8_t *e = p + 40;

		p[0] = 0x60;
		put16(p + 4, (uint16_t)(exts + l4hdr + s->payload_len));
		p[6] = next;
		p[7] = s->ttl;
		memcpy(p + 8, s->saddr, 16);
		memcpy(p + 24, s->daddr, 16);
		for (i = 0; i < (size_t)s->n_ext; i++) {
			uint8_t nh = i + 1 < (size_t)s->n_ext
					 ? s->ext[i + 1].type
					 : proto;

			put_ext(e, &s->ext[i], nh);
			if (s->ext[i].type == PB_EXT_FRAGMENT &&
			    s->ext[i].frag_offset)
				later_fragment = 1;
			e += ext_len(&s->ext[i]);
		}
	} else {
		/* IPv4 (RFC 791 section 3.1), options padded with EOL. */
		p[0] = (uint8_t)(0x40 | (l3hdr / 4));
		put16(p + 2, (uint16_t)(l3hdr + l4hdr + s->payload_len));
		put16(p + 4, 0x4242);
		put16(p + 6, s->ip_frag);
		p[8] = s->ttl;
		p[9] = proto;
		memcpy(p + 12, s->saddr, 4);
		memcpy(p + 16, s->daddr, 4);
		memcpy(p + 20, s->ip_opts, s->ip_opts_len);
		put16(p + 10, csum_fold(csum_add(0, p, l3hdr)));
		if (s->ip_frag & 0x1fff)
			later_fragment = 1;
	}

	p = out + l.l4;
	if (proto == PB_IPPROTO_TCP) {
		/* TCP (RFC 9293 section 3.1). */
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put32(p + 4, s->seq);
		put32(p + 8, s->ack);
		p[12] = (uint8_t)((l4hdr / 4) << 4);
		p[13] = s->tcp_flags;
		put16(p + 14, s->window);
		memcpy(p + 20, s->tcp_opts, s->tcp_opts_len);
		for (i = s->tcp_opts_len; i < tcp_opts; i++)
			p[20 + i] = s->tcp_pad;
	} else if (proto == PB_IPPROTO_UDP) {
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, (uint16_t)(8 + s->payload_len));
	} else if (proto == PB_IPPROTO_ICMP || proto == PB_IPPROTO_ICMPV6) {
		p[0] = proto == PB_IPPROTO_ICMP ? 8 : 128; /* echo request */
		put16(p + 4, 0x0001);
		put16(p + 6, 0x0001);
	}
	memset(out + l.payload, s->payload_byte, s->payload_len);

	/* Transport checksum over the pseudo-header (RFC 9293 3.1, RFC 8200
	 * 8.1), so that the frames also read right in a capture. */
	if (!later_fragment &&
	    (proto == PB_IPPROTO_TCP || proto == PB_IPPROTO_UDP ||
	     proto == PB_IPPROTO_ICMP || proto == PB_IPPROTO_ICMPV6)) {
		size_t seg = l4hdr + s->payload_len;
		uint32_t sum = 0;
		uint8_t ph[4];
		uint16_t c;

		if (proto != PB_IPPROTO_ICMP) {
			size_t alen = s->family == 6 ? 16 : 4;

			sum = csum_add(sum, s->saddr, alen);
			sum = csum_add(sum, s->daddr, alen);
			put16(ph, (uint16_t)(seg >> 16));
			put16(ph + 2, (uint16_t)seg);
			sum = csum_add(sum, ph, 4);
			sum += proto;
		}
		sum = csum_add(sum, p, seg);
		c = csum_fold(sum);
		if (proto == PB_IPPROTO_UDP && c == 0)
			c = 0xffff;
		put16(p + (proto == PB_IPPROTO_TCP   ? 16
			   : proto == PB_IPPROTO_UDP ? 6
						     : 2),
		      c);
	}
	if (layout)
		*layout = l;
	return l.len;
}

/* ---- plain TCP options ----------------------------------------------- */

size_t pb_opt_mss(uint8_t *o, uint16_t mss)
{
	o[0] = PB_TCPOPT_MSS;
	o[1] = 4;
	put16(o + 2, mss);
	return 4;
}

size_t pb_opt_ws(uint8_t *o, uint8_t shift)
{
	o[0] = PB_TCPOPT_WS;
	o[1] = 3;
	o[2] = shift;
	return 3;
}

size_t pb_opt_sack_perm(uint8_t *o)
{
	o[0] = PB_TCPOPT_SACK_PERM;
	o[1] = 2;
	return 2;
}

size_t pb_opt_ts(uint8_t *o, uint32_t val, uint32_t ecr)
{
	o[0] = PB_TCPOPT_TS;
	o[1] = 10;
	put32(o + 2, val);
	put32(o + 6, ecr);
	return 10;
}

/* ---- MPTCP options ---------------------------------------------------- */

static void mp_head(uint8_t *o, uint8_t len, uint8_t subtype, uint8_t nibble)
{
	o[0] = PB_TCPOPT_MPTCP;
	o[1] = len;
	o[2] = (uint8_t)(subtype << 4 | (nibble & 0x0f));
}

/*
 * RFC 8684 section 3.1 (RFC 6824 section 3.1 for v0):
 *   kind | length | subtype(4) version(4) | A B C D E F G H
 *   Option Sender's Key (64)      if length > 4
 *   Option Receiver's Key (64)    if length > 12
 *   Data-Level Length (16)        if length >= 22
 *   Checksum (16)                 if length == 24
 */
size_t pb_mp_capable(uint8_t *o, uint8_t version, uint8_t len, uint8_t flags,
		     uint64_t sender_key, uint64_t receiver_key,
		     uint16_t data_len, uint16_t csum)
{
	if (len != 4 && len != 12 && len != 20 && len != 22 && len != 24)
		return 0;
	mp_head(o, len, PB_MP_CAPABLE, version);
	o[3] = flags;
	if (len >= 12)
		put64(o + 4, sender_key);
	if (len >= 20)
		put64(o + 12, receiver_key);
	if (len >= 22)
		put16(o + 20, data_len);
	if (len == 24)
		put16(o + 22, csum);
	return len;
}

/*
 * RFC 8684 section 3.2:
 *   SYN (12):     kind | len | subtype (rsv:3) B | address id
 *                 receiver's token (32) | sender's random number (32)
 *   SYN/ACK (16): kind | len | subtype (rsv:3) B | address id
 *                 sender's truncated HMAC (64) | sender's random number (32)
 *   ACK (24):     kind | len | subtype | reserved (12 bits)
 *                 sender's HMAC (160)
 */
size_t pb_mp_join_syn(uint8_t *o, int backup, uint8_t addr_id, uint32_t token,
		      uint32_t nonce)
{
	mp_head(o, 12, PB_MP_JOIN, backup ? 1 : 0);
	o[3] = addr_id;
	put32(o + 4, token);
	put32(o + 8, nonce);
	return 12;
}

size_t pb_mp_join_synack(uint8_t *o, int backup, uint8_t addr_id,
			 uint64_t hmac64, uint32_t nonce)
{
	mp_head(o, 16, PB_MP_JOIN, backup ? 1 : 0);
	o[3] = addr_id;
	put64(o + 4, hmac64);
	put32(o + 12, nonce);
	return 16;
}

size_t pb_mp_join_ack(uint8_t *o, const uint8_t hmac[20])
{
	mp_head(o, 24, PB_MP_JOIN, 0);
	o[3] = 0;
	memcpy(o + 4, hmac, 20);
	return 24;
}

/*
 * RFC 8684 section 3.3:
 *   kind | length | subtype (reserved: 7 bits) F m M a A
 *   Data ACK (4 or 8 octets, if A; 8 if a)
 *   Data sequence number (4 or 8 octets, if M; 8 if m)
 *   Subflow Sequence Number (4 octets, if M)
 *   Data-Level Length (2 octets, if M) | Checksum (2 octets, if M and
 *   negotiated)
 */
size_t pb_dss_len(uint8_t flags, int with_csum)
{
	size_t len = 4;

	if (flags & PB_DSS_A)
		len += (flags & PB_DSS_a) ? 8 : 4;
	if (flags & PB_DSS_M)
		len +=
		    ((flags & PB_DSS_m) ? 8 : 4) + 4 + 2 + (with_csum ? 2 : 0);
	return len;
}

size_t pb_mp_dss(uint8_t *o, const struct pb_dss *d)
{
	size_t len = pb_dss_len(d->flags, d->with_csum);
	uint8_t *p = o + 4;

	mp_head(o, (uint8_t)len, PB_MP_DSS, 0);
	o[3] = d->flags;
	if (d->flags & PB_DSS_A) {
		if (d->flags & PB_DSS_a) {
			put64(p, d->data_ack);
			p += 8;
		} else {
			put32(p, (uint32_t)d->data_ack);
			p += 4;
		}
	}
	if (d->flags & PB_DSS_M) {
		if (d->flags & PB_DSS_m) {
			put64(p, d->dsn);
			p += 8;
		} else {
			put32(p, (uint32_t)d->dsn);
			p += 4;
		}
		put32(p, d->ssn);
		put16(p + 4, d->data_len);
		p += 6;
		if (d->with_csum) {
			put16(p, d->csum);
			p += 2;
		}
	}
	return (size_t)(p - o);
}

/*
 * RFC 6824 section 3.4.1 (v0):
 *   kind | length | subtype IPVer | address id
 *   Address (IPv4 4 octets / IPv6 16 octets) | Port (2 octets, optional)
 *   Lengths 8/10 (IPv4), 20/22 (IPv6).
 */
size_t pb_mp_add_addr_v0(uint8_t *o, int family, uint8_t addr_id,
			 const uint8_t *addr, int with_port, uint16_t port)
{
	size_t alen = family == 6 ? 16 : 4;
	size_t len = 4 + alen + (with_port ? 2 : 0);

	mp_head(o, (uint8_t)len, PB_MP_ADD_ADDR, family == 6 ? 6 : 4);
	o[3] = addr_id;
	memcpy(o + 4, addr, alen);
	if (with_port)
		put16(o + 4 + alen, port);
	return len;
}

/*
 * RFC 8684 section 3.4.1 (v1):
 *   kind | length | subtype (rsv: 3 bits) E | address id
 *   Address (IPv4 4 octets / IPv6 16 octets) | Port (2 octets, optional)
 *   Truncated HMAC (8 octets, if E = 0)
 *   Lengths: IPv4 8/10 echo, 16/18 with HMAC; IPv6 20/22, 28/30.
 */
size_t pb_mp_add_addr_v1(uint8_t *o, int family, int echo, uint8_t addr_id,
			 const uint8_t *addr, int with_port, uint16_t port,
			 uint64_t hmac)
{
	size_t alen = family == 6 ? 16 : 4;
	size_t len = 4 + alen + (with_port ? 2 : 0) + (echo ? 0 : 8);
	uint8_t *p = o + 4 + alen;

	mp_head(o, (uint8_t)len, PB_MP_ADD_ADDR, echo ? 1 : 0);
	o[3] = addr_id;
	memcpy(o + 4, addr, alen);
	if (with_port) {
		put16(p, port);
		p += 2;
	}
	if (!echo)
		put64(p, hmac);
	return len;
}

/*
 * RFC 8684 section 3.4.2:
 *   kind | length = 3 + n | subtype (resvd: 4 bits) | address id ...
 */
size_t pb_mp_remove_addr(uint8_t *o, const uint8_t *ids, size_t n)
{
	if (n < 1 || 3 + n > PB_MPTCP_OPT_MAX)
		return 0;
	mp_head(o, (uint8_t)(3 + n), PB_MP_REMOVE_ADDR, 0);
	memcpy(o + 3, ids, n);
	return 3 + n;
}

/*
 * RFC 8684 section 3.3.8: kind | length = 3 | subtype
 * (rsv: 3 bits) B. RFC 6824 section 3.3.8: the same, then an
 * optional address id (length 4).
 */
size_t pb_mp_prio(uint8_t *o, int backup, int with_addr_id, uint8_t addr_id)
{
	mp_head(o, with_addr_id ? 4 : 3, PB_MP_PRIO, backup ? 1 : 0);
	if (with_addr_id)
		o[3] = addr_id;
	return with_addr_id ? 4 : 3;
}

/*
 * RFC 8684 section 3.7: kind | length = 12 | subtype
 * (reserved: 12 bits) | Data Sequence Number (8 octets).
 */
size_t pb_mp_fail(uint8_t *o, uint64_t dsn)
{
	mp_head(o, 12, PB_MP_FAIL, 0);
	o[3] = 0;
	put64(o + 4, dsn);
	return 12;
}

/*
 * RFC 8684 section 3.5: kind | length = 12 | subtype
 * (reserved: 12 bits) | Option Receiver's Key (64 bits).
 */
size_t pb_mp_fastclose(uint8_t *o, uint64_t receiver_key)
{
	mp_head(o, 12, PB_MP_FASTCLOSE, 0);
	o[3] = 0;
	put64(o + 4, receiver_key);
	return 12;
}

/*
 * RFC 8684 section 3.6: kind | length = 4 | subtype U V W T |
 * reason.
 */
size_t pb_mp_tcprst(uint8_t *o, uint8_t flags, uint8_t reason)
{
	mp_head(o, 4, PB_MP_TCPRST, flags);
	o[3] = reason;
	return 4;
}

size_t pb_mp_experimental(uint8_t *o, uint8_t len, uint8_t nibble, uint8_t fill)
{
	size_t i;

	if (len < 3 || len > PB_MPTCP_OPT_MAX)
		return 0;
	mp_head(o, len, PB_MP_EXPERIMENTAL, nibble);
	for (i = 3; i < len; i++)
		o[i] = (uint8_t)(fill + i - 3);
	return len;
}

size_t pb_mp_raw(uint8_t *o, uint8_t len, uint8_t subtype, uint8_t nibble,
		 uint8_t fill)
{
	size_t n = len < 2 ? 2 : len, i;

	if (n > PB_MPTCP_OPT_MAX)
		n = PB_MPTCP_OPT_MAX;
	o[0] = PB_TCPOPT_MPTCP;
	o[1] = len;
	if (n >= 3)
		o[2] = (uint8_t)(subtype << 4 | (nibble & 0x0f));
	for (i = 3; i < n; i++)
		o[i] = (uint8_t)(fill + i - 3);
	return n;
}
