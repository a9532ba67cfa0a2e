/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Crafted frames for the tests: Ethernet (0-3 VLAN tags), IPv4 (with
 * options, fragments) or IPv6 (with extension headers), TCP with arbitrary
 * option bytes (data offset computed, padded to 4 bytes), UDP, ICMP.
 *
 * Plus the MPTCP option bytes for every subtype, written from the layouts
 * of RFC 8684 section 3 (v1) and RFC 6824 section 3 (v0), independently of
 * the parser under test (bpf/parse_options.h).
 *
 * Plain C, no dependency on the project's headers: usable by any suite.
 */
#ifndef MPX_PACKET_BUILDER_H
#define MPX_PACKET_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#define PB_MAX_FRAME   2048
#define PB_MAX_VLAN    3 /* one more than the parser follows, on purpose */
#define PB_MAX_EXT     10
#define PB_TCP_OPT_MAX 40
#define PB_IP_OPT_MAX  40
/* Room an MPTCP option helper may write: the whole TCP option space. */
#define PB_MPTCP_OPT_MAX 40

#define PB_ETH_P_IP    0x0800
#define PB_ETH_P_ARP   0x0806
#define PB_ETH_P_IPV6  0x86dd
#define PB_TPID_8021Q  0x8100
#define PB_TPID_8021AD 0x88a8

#define PB_IPPROTO_ICMP	  1
#define PB_IPPROTO_TCP	  6
#define PB_IPPROTO_UDP	  17
#define PB_IPPROTO_ESP	  50
#define PB_IPPROTO_ICMPV6 58
#define PB_IPPROTO_NONE	  59

/* IPv6 extension headers (RFC 8200 section 4; AH: RFC 4302). */
#define PB_EXT_HOPOPTS	0
#define PB_EXT_ROUTING	43
#define PB_EXT_FRAGMENT 44
#define PB_EXT_AH	51
#define PB_EXT_DSTOPTS	60

/* TCP header flags (RFC 9293 section 3.1). */
#define PB_TCP_FIN 0x01
#define PB_TCP_SYN 0x02
#define PB_TCP_RST 0x04
#define PB_TCP_PSH 0x08
#define PB_TCP_ACK 0x10

/* TCP option kinds (RFC 9293 section 3.2; RFC 7323; RFC 2018). */
#define PB_TCPOPT_EOL	    0
#define PB_TCPOPT_NOP	    1
#define PB_TCPOPT_MSS	    2
#define PB_TCPOPT_WS	    3
#define PB_TCPOPT_SACK_PERM 4
#define PB_TCPOPT_SACK	    5
#define PB_TCPOPT_TS	    8
#define PB_TCPOPT_MPTCP	    30

/* MPTCP option subtypes (RFC 8684 section 7.2). */
#define PB_MP_CAPABLE	   0x0
#define PB_MP_JOIN	   0x1
#define PB_MP_DSS	   0x2
#define PB_MP_ADD_ADDR	   0x3
#define PB_MP_REMOVE_ADDR  0x4
#define PB_MP_PRIO	   0x5
#define PB_MP_FAIL	   0x6
#define PB_MP_FASTCLOSE	   0x7
#define PB_MP_TCPRST	   0x8
#define PB_MP_EXPERIMENTAL 0xf

/* DSS flags, the low five bits of byte 3 (RFC 8684 section 3.3). */
#define PB_DSS_A 0x01 /* Data ACK present */
#define PB_DSS_a 0x02 /* Data ACK is 8 octets */
#define PB_DSS_M 0x04 /* DSN, SSN, Data-Level Length (+checksum) present */
#define PB_DSS_m 0x08 /* DSN is 8 octets */
#define PB_DSS_F 0x10 /* DATA_FIN */

/* MP_TCPRST flags (RFC 8684 section 3.6). */
#define PB_RST_U 0x8
#define PB_RST_V 0x4
#define PB_RST_W 0x2
#define PB_RST_T 0x1

struct pb_vlan {
	uint16_t tpid; /* PB_TPID_8021Q or PB_TPID_8021AD */
	uint16_t tci;  /* PCP, DEI, VID */
};

struct pb_ext {
	uint8_t type; /* PB_EXT_* */
	/* Total bytes of the header. Hop-by-hop, routing, destination
	 * options: a multiple of 8, 0 means 8. AH: a multiple of 4, at least
	 * 12, 0 means 24 (SHA-256-128 ICV). Fragment: always 8. */
	uint16_t len;
	uint16_t frag_offset; /* fragment: offset in 8-octet units */
	uint8_t frag_more;    /* fragment: M flag */
};

struct pb_spec {
	/* L2 */
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	int n_vlan;
	struct pb_vlan vlan[PB_MAX_VLAN];
	uint16_t ethertype; /* 0: from family */

	/* L3 */
	int family;	   /* 4 or 6 */
	uint8_t saddr[16]; /* IPv4 in the first 4 bytes */
	uint8_t daddr[16];
	uint8_t l4_proto; /* 0: TCP */
	uint8_t ttl;
	uint8_t ip_opts[PB_IP_OPT_MAX]; /* IPv4 options, padded with EOL */
	size_t ip_opts_len;
	uint16_t ip_frag; /* IPv4 flags (DF 0x4000, MF 0x2000) + offset */
	int n_ext;	  /* IPv6 extension headers, in order */
	struct pb_ext ext[PB_MAX_EXT];

	/* L4 (TCP; UDP and ICMP use the ports / nothing) */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t tcp_flags;
	uint16_t window;
	uint8_t tcp_opts[PB_TCP_OPT_MAX];
	size_t tcp_opts_len;
	uint8_t
	    tcp_pad; /* padding to 4 bytes: PB_TCPOPT_EOL (default) or NOP */

	size_t payload_len;
	uint8_t payload_byte;
};

/* Where the headers start in a built frame, for tests that patch or cut. */
struct pb_layout {
	size_t l3;	/* IPv4 / IPv6 header */
	size_t l4;	/* TCP / UDP / ICMP header */
	size_t opts;	/* TCP option bytes */
	size_t payload; /* first payload byte */
	size_t len;	/* whole frame */
};

/* A TCP/IPv4 (or IPv6) spec with defaults: ACK, seq 0x01020304,
 * ack 0x0a0b0c0d, window 64240, no options, no payload. Addresses are
 * numeric strings. Returns 0, or -1 for an address that does not parse. */
int pb_init_v4(struct pb_spec *s, const char *src, uint16_t sport,
	       const char *dst, uint16_t dport);
int pb_init_v6(struct pb_spec *s, const char *src, uint16_t sport,
	       const char *dst, uint16_t dport);

int pb_add_vlan(struct pb_spec *s, uint16_t tpid, uint16_t vid);
int pb_add_ext(struct pb_spec *s, uint8_t type, uint16_t len);
int pb_add_frag6(struct pb_spec *s, uint16_t offset, int more);
int pb_set_ip_opts(struct pb_spec *s, const uint8_t *opts, size_t n);

/* Append option bytes to the TCP options. -1 when they do not fit. */
int pb_tcp_opt(struct pb_spec *s, const uint8_t *opt, size_t n);
int pb_tcp_nop(struct pb_spec *s);
/* NOP, NOP, timestamps (val, ecr): what Linux puts first on every segment
 * after the handshake (RFC 7323 appendix A). -1 when they do not fit. */
int pb_tcp_linux_ts(struct pb_spec *s, uint32_t val, uint32_t ecr);
void pb_tcp_opts_clear(struct pb_spec *s);

/* The frame, without Ethernet minimum-size padding or FCS. Returns its
 * length, 0 when it does not fit in cap. layout may be NULL. */
size_t pb_build(const struct pb_spec *s, uint8_t *out, size_t cap,
		struct pb_layout *layout);

/* Plain TCP options (RFC 9293 section 3.2, RFC 7323, RFC 2018). Each
 * writes its bytes to o and returns their number. */
size_t pb_opt_mss(uint8_t *o, uint16_t mss);
size_t pb_opt_ws(uint8_t *o, uint8_t shift);
size_t pb_opt_sack_perm(uint8_t *o);
size_t pb_opt_ts(uint8_t *o, uint32_t val, uint32_t ecr);

/*
 * MPTCP options. Each writes kind 30, the length, the subtype nibble and the
 * fields in network byte order to o (at least PB_MPTCP_OPT_MAX bytes) and
 * returns the option length, or 0 for a length the layout does not allow.
 */

/* MP_CAPABLE (RFC 8684 section 3.1; v0: RFC 6824 section 3.1). len picks
 * the fields: 4 none, 12 sender key, 20 both keys, 22 + data-level length,
 * 24 + checksum. */
size_t pb_mp_capable(uint8_t *o, uint8_t version, uint8_t len, uint8_t flags,
		     uint64_t sender_key, uint64_t receiver_key,
		     uint16_t data_len, uint16_t csum);

/* MP_JOIN (RFC 8684 section 3.2): SYN 12, SYN/ACK 16, third ACK 24. */
size_t pb_mp_join_syn(uint8_t *o, int backup, uint8_t addr_id, uint32_t token,
		      uint32_t nonce);
size_t pb_mp_join_synack(uint8_t *o, int backup, uint8_t addr_id,
			 uint64_t hmac64, uint32_t nonce);
size_t pb_mp_join_ack(uint8_t *o, const uint8_t hmac[20]);

/* DSS (RFC 8684 section 3.3). flags are PB_DSS_*; fields follow A/a/M/m;
 * the checksum is written when M is set and with_csum. */
struct pb_dss {
	uint8_t flags;
	uint64_t data_ack;
	uint64_t dsn;
	uint32_t ssn;
	uint16_t data_len;
	int with_csum;
	uint16_t csum;
};
size_t pb_mp_dss(uint8_t *o, const struct pb_dss *d);
/* The DSS length the RFC gives for these flags. */
size_t pb_dss_len(uint8_t flags, int with_csum);

/* ADD_ADDR. v0 (RFC 6824 section 3.4.1): IPVer nibble 4/6, address, port.
 * v1 (RFC 8684 section 3.4.1): E flag, address, port, and the truncated
 * HMAC when E is 0. family is 4 or 6; addr is 4 or 16 bytes. */
size_t pb_mp_add_addr_v0(uint8_t *o, int family, uint8_t addr_id,
			 const uint8_t *addr, int with_port, uint16_t port);
size_t pb_mp_add_addr_v1(uint8_t *o, int family, int echo, uint8_t addr_id,
			 const uint8_t *addr, int with_port, uint16_t port,
			 uint64_t hmac);

/* REMOVE_ADDR (RFC 8684 section 3.4.2): 3 + n, n >= 1. */
size_t pb_mp_remove_addr(uint8_t *o, const uint8_t *ids, size_t n);

/* MP_PRIO (RFC 8684 section 3.3.8: length 3; RFC 6824 section 3.3.8:
 * optional address id, length 4). */
size_t pb_mp_prio(uint8_t *o, int backup, int with_addr_id, uint8_t addr_id);

/* MP_FAIL (RFC 8684 section 3.7): 12, 64-bit DSN. */
size_t pb_mp_fail(uint8_t *o, uint64_t dsn);

/* MP_FASTCLOSE (RFC 8684 section 3.5): 12, the receiver's key. */
size_t pb_mp_fastclose(uint8_t *o, uint64_t receiver_key);

/* MP_TCPRST (RFC 8684 section 3.6): 4, U V W T flags, reason (section
 * 7.4 registry). */
size_t pb_mp_tcprst(uint8_t *o, uint8_t flags, uint8_t reason);

/* MP_EXPERIMENTAL (subtype 0xf, RFC 8684 section 7.2): any length >= 3;
 * the low nibble and the bytes after it are the experiment's. */
size_t pb_mp_experimental(uint8_t *o, uint8_t len, uint8_t nibble,
			  uint8_t fill);

/* Any bytes under kind 30, for malformed cases: the length byte says len;
 * byte 2 is subtype << 4 | nibble (when len >= 3); bytes 3.. are fill,
 * fill + 1, ... Writes max(len, 2) bytes (a length below 2 still takes
 * the kind and length bytes), and no more than PB_MPTCP_OPT_MAX. */
size_t pb_mp_raw(uint8_t *o, uint8_t len, uint8_t subtype, uint8_t nibble,
		 uint8_t fill);

#endif /* MPX_PACKET_BUILDER_H */
