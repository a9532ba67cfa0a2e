// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * gen_hostile - write a pcap of hostile MPTCP traffic for the end-to-end
 * hostile-input suite (tests/e2e/test_hostile.sh), and print on stdout a
 * JSON summary of what it wrote and of what a correct inspector must count
 * for it.
 *
 *   gen_hostile OUT.pcap --src-mac MAC --dst-mac MAC [--handshakes N]
 *               [--joins N] [--seed S] [--dst A.B.C.D] [--dport P]
 *
 * Frames come from tests/packet_builder.c, the file is written by libpcap
 * (pcap_open_dead + pcap_dump). Every source address is in 198.19.0.0/16
 * (random per connection, 4-tuples unique in the file), every destination
 * the server's address (default 198.18.1.2); the server side of a handshake
 * (its SYN/ACK) is the reverse. Nothing is sent: the suite replays the file
 * into its own namespaces.
 *
 * Classes, in file order (the small ones first, so that their records are
 * in the ring buffer before the floods can fill it):
 *
 *   illegal_length   every length 0..40 that RFC 8684 section 3 (RFC 6824
 *                    for v0) does not allow, for every subtype 0..8 and
 *                    every variant whose legal lengths differ (MP_CAPABLE
 *                    v0/v1, the 16 DSS flag sets, ADD_ADDR v1 echo/no echo
 *                    and v0 IPv4/IPv6); lengths 0, 1, 2 have no room for a
 *                    subtype and are written once each
 *   unknown_subtype  subtypes 9..14
 *   bad_flags        DATA_FIN without a mapping; ADD_ADDR nibbles that are
 *                    neither v0 (4, 6) nor v1 (0, 1)
 *   truncated        Ethernet (inside a VLAN tag), IPv4/IPv6 and TCP
 *                    headers cut short; TCP data offset past the datagram
 *                    or below 5; bad IP headers; an IPv6 chain of too many
 *                    extension headers; a frame that ends inside its TCP
 *                    options, cut at every byte
 *   mid_option       option lists ending mid-option inside a whole header:
 *                    kind 30 whose length runs past the header (every
 *                    subtype), kind 30 as the last byte, MPTCP and other
 *                    options with length 0 or 1
 *   handshake        N MP_CAPABLE v1 handshakes (SYN, SYN/ACK, third ACK),
 *                    random keys whose tokens are all distinct
 *   join             N MP_JOIN SYNs with random tokens, none the token of
 *                    a key in the file
 *
 * The expected counts are derived here from what was written and from the
 * protocol rules (lengths above; RFC 9293 section 3.2 for the option walk:
 * a length below 2 or an option past the header ends it), not from the
 * parser under test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <pcap/pcap.h>

#include "gen_common.h"
#include "packet_builder.h"

/* Option error reasons, named as the metrics label them. */
enum reason {
	R_BAD_LENGTH,
	R_BAD_FLAGS,
	R_UNKNOWN_SUBTYPE,
	R_OPT_TRUNCATED,
	R_OPT_LEN_INVALID,
	R_MAX
};
static const char *const reason_name[R_MAX] = {
    "bad_length", "bad_flags", "unknown_subtype", "opt_truncated",
    "opt_len_invalid"};

/* Packet (header) error reasons. */
enum perr {
	P_TRUNC_L2,
	P_TRUNC_L3,
	P_TRUNC_L4,
	P_BAD_IP_HEADER,
	P_BAD_TCP_DOFF,
	P_TOO_MANY_EXTHDRS,
	P_MAX
};
static const char *const perr_name[P_MAX] = {
    "trunc_l2",	     "trunc_l3",     "trunc_l4",
    "bad_ip_header", "bad_tcp_doff", "too_many_exthdrs"};

enum cls {
	C_ILLEGAL_LENGTH,
	C_UNKNOWN_SUBTYPE,
	C_BAD_FLAGS,
	C_TRUNCATED,
	C_MID_OPTION,
	C_HANDSHAKE,
	C_JOIN,
	C_MAX
};
static const char *const cls_name[C_MAX] = {
    "illegal_length", "unknown_subtype", "bad_flags", "truncated",
    "mid_option",     "handshake",	 "join"};

#define NO_SUBTYPE   (-1)
#define MAX_RECS     4096
#define MAX_VARIANTS 32

/* An mp_error record the inspector must produce: (subtype or none, the
 * option's length byte, reason), and how many of them. */
struct rec {
	int sub;
	int len;
	int reason;
	unsigned long n;
};

/* A set of 64-bit values (0 is the empty slot; callers never store 0). */
struct set {
	uint64_t *v;
	size_t cap;
	size_t n;
};

struct variant {
	const char *name;
	int sub;
	int lengths[41]; /* 1 = illegal, written */
};

struct gen {
	pcap_t *pd;
	pcap_dumper_t *d;
	uint64_t rng;
	uint8_t smac[6], dmac[6];
	char dst[INET_ADDRSTRLEN];
	uint16_t dport;
	uint64_t ts_us;
	unsigned long frames;
	unsigned long cls_frames[C_MAX];
	unsigned long opt_err[C_MAX][R_MAX];
	unsigned long pkt_err[C_MAX][P_MAX];
	struct rec recs[MAX_RECS];
	int nrecs;
	struct variant var[MAX_VARIANTS];
	int nvar;
	struct set tuples, tokens;
	EVP_MD_CTX *md;
	unsigned long handshakes, joins;
	unsigned long mptcp_options; /* kind 30 options a walk meets */
};

static uint64_t rnd(struct gen *g)
{
	return gen_splitmix64(&g->rng);
}

static void set_init(struct set *s, size_t want)
{
	s->cap = 1024;
	while (s->cap < want * 4)
		s->cap <<= 1;
	s->v = calloc(s->cap, sizeof(*s->v));
	if (!s->v)
		gen_die("gen_hostile", "out of memory");
	s->n = 0;
}

/* Adds v; returns 0 if it was there already. */
static int set_add(struct set *s, uint64_t v)
{
	size_t i = (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 20) & (s->cap - 1);

	while (s->v[i]) {
		if (s->v[i] == v)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	if (s->n + 1 >= s->cap / 2)
		gen_die("gen_hostile", "set full");
	s->v[i] = v;
	s->n++;
	return 1;
}

/* The token of a v1 key: the most significant 32 bits of SHA-256 of the
 * key in network byte order (RFC 8684 section 3.2). */
static uint32_t token_of(struct gen *g, uint64_t key)
{
	unsigned char in[8], out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	for (int i = 0; i < 8; i++)
		in[i] = (unsigned char)(key >> (56 - 8 * i));
	if (!EVP_DigestInit_ex(g->md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(g->md, in, sizeof(in)) ||
	    !EVP_DigestFinal_ex(g->md, out, &n) || n < 4)
		gen_die("gen_hostile", "SHA-256 failed");
	return (uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 |
	       (uint32_t)out[2] << 8 | out[3];
}

/* A key whose token no other key or join of this file has. */
static uint64_t fresh_key(struct gen *g)
{
	for (;;) {
		uint64_t k = rnd(g);

		if (k &&
		    set_add(&g->tokens, (uint64_t)token_of(g, k) | 1ULL << 32))
			return k;
	}
}

static uint32_t fresh_token(struct gen *g)
{
	for (;;) {
		uint32_t t = (uint32_t)rnd(g);

		if (set_add(&g->tokens, (uint64_t)t | 1ULL << 32))
			return t;
	}
}

/* A client 198.19.x.y with a source port, unique in the file. */
static void fresh_client(struct gen *g, char *addr, uint16_t *port)
{
	for (;;) {
		uint64_t r = rnd(g);
		uint16_t host = (uint16_t)r;
		uint16_t sport = (uint16_t)(1024 + (r >> 16) % (65536 - 1024));

		if (set_add(&g->tuples,
			    (uint64_t)host << 16 | sport | 1ULL << 40)) {
			snprintf(addr, INET_ADDRSTRLEN, "198.19.%u.%u",
				 host >> 8, host & 0xff);
			*port = sport;
			return;
		}
	}
}

static void emit(struct gen *g, enum cls c, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(1700000000 + g->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->ts_us % 1000000);
	h.caplen = (bpf_u_int32)len;
	h.len = (bpf_u_int32)len; /* the frame on the wire is this short */
	g->ts_us++;
	pcap_dump((u_char *)g->d, &h, frame);
	g->frames++;
	g->cls_frames[c]++;
}

static void expect_rec(struct gen *g, enum cls c, int sub, int len,
		       enum reason r)
{
	g->opt_err[c][r]++;
	g->mptcp_options++;
	for (int i = 0; i < g->nrecs; i++) {
		if (g->recs[i].sub == sub && g->recs[i].len == len &&
		    g->recs[i].reason == (int)r) {
			g->recs[i].n++;
			return;
		}
	}
	if (g->nrecs >= MAX_RECS)
		gen_die("gen_hostile", "too many distinct records");
	g->recs[g->nrecs++] = (struct rec){sub, len, r, 1};
}

/* A non-MPTCP option error: counted, no record. */
static void expect_count(struct gen *g, enum cls c, enum reason r)
{
	g->opt_err[c][r]++;
}

/* A spec from a fresh client to the server, ACK, no options. */
static void client_spec(struct gen *g, struct pb_spec *s)
{
	char src[INET_ADDRSTRLEN];
	uint16_t sport;

	fresh_client(g, src, &sport);
	if (pb_init_v4(s, src, sport, g->dst, g->dport) < 0)
		gen_die("gen_hostile", "bad address %s", g->dst);
	memcpy(s->src_mac, g->smac, 6);
	memcpy(s->dst_mac, g->dmac, 6);
	s->seq = (uint32_t)rnd(g);
	s->ack = (uint32_t)rnd(g);
}

static void client_spec6(struct gen *g, struct pb_spec *s)
{
	char src[64];
	uint16_t sport;

	fresh_client(g, src, &sport);
	/* IPv6 frames for the header classes: 2001:db8:19::/48 sources to
	 * 2001:db8:1::2, the server's path-1 address. */
	snprintf(src, sizeof(src), "2001:db8:19::%x",
		 (unsigned)(rnd(g) & 0xffff));
	if (pb_init_v6(s, src, sport, "2001:db8:1::2", g->dport) < 0)
		gen_die("gen_hostile", "bad IPv6 address");
	memcpy(s->src_mac, g->smac, 6);
	memcpy(s->dst_mac, g->dmac, 6);
}

static size_t build(const struct pb_spec *s, uint8_t *f, struct pb_layout *l)
{
	size_t n = pb_build(s, f, PB_MAX_FRAME, l);

	if (!n)
		gen_die("gen_hostile", "frame does not build");
	return n;
}

/* One frame whose options are opt[0..n) (padded with EOL to 4 bytes). */
static void emit_opts(struct gen *g, enum cls c, const uint8_t *opt, size_t n)
{
	uint8_t f[PB_MAX_FRAME];
	struct pb_spec s;

	client_spec(g, &s);
	if (pb_tcp_opt(&s, opt, n) < 0)
		gen_die("gen_hostile", "options do not fit");
	emit(g, c, f, build(&s, f, NULL));
}

/* ---- illegal lengths -------------------------------------------------- */

/* Legal lengths of one variant, from docs/design.md's protocol table (RFC 8684
 * section 3; RFC 6824 section 3 for v0). */
struct legal {
	const char *name;
	int sub;
	uint8_t nibble;
	uint8_t byte3; /* the byte after the subtype (flags for DSS) */
	int (*ok)(int len, uint8_t byte3);
};

static int ok_capable_v0(int l, uint8_t b)
{
	(void)b;
	return l == 12 || l == 20;
}

static int ok_capable_v1(int l, uint8_t b)
{
	(void)b;
	return l == 4 || l == 12 || l == 20 || l == 22 || l == 24;
}

static int ok_join(int l, uint8_t b)
{
	(void)b;
	return l == 12 || l == 16 || l == 24;
}

/* 4 + (A ? (a ? 8 : 4) : 0) + (M ? (m ? 8 : 4) + 4 + 2 + (csum ? 2 : 0) : 0);
 * the checksum is negotiated, so both lengths are legal with M. */
static int ok_dss(int l, uint8_t f)
{
	int A = f & PB_DSS_A, a = f & PB_DSS_a, M = f & PB_DSS_M,
	    m = f & PB_DSS_m;
	int want = 4 + (A ? (a ? 8 : 4) : 0) + (M ? (m ? 8 : 4) + 6 : 0);

	return l == want || (M && l == want + 2);
}

static int ok_add_v1_adv(int l, uint8_t b)
{
	(void)b;
	return l == 16 || l == 18 || l == 28 || l == 30;
}

static int ok_add_v1_echo(int l, uint8_t b)
{
	(void)b;
	return l == 8 || l == 10 || l == 20 || l == 22;
}

static int ok_add_v0_4(int l, uint8_t b)
{
	(void)b;
	return l == 8 || l == 10;
}

static int ok_add_v0_6(int l, uint8_t b)
{
	(void)b;
	return l == 20 || l == 22;
}

static int ok_remove(int l, uint8_t b)
{
	(void)b;
	return l >= 4; /* 3 + at least one address id */
}

static int ok_prio(int l, uint8_t b)
{
	(void)b;
	return l == 3 || l == 4; /* 4: v0 with an address id */
}

static int ok_12(int l, uint8_t b)
{
	(void)b;
	return l == 12;
}

static int ok_4(int l, uint8_t b)
{
	(void)b;
	return l == 4;
}

static void illegal_lengths(struct gen *g)
{
	static const char *const dss_names[16] = {
	    "dss_flags_00", "dss_flags_01", "dss_flags_02", "dss_flags_03",
	    "dss_flags_04", "dss_flags_05", "dss_flags_06", "dss_flags_07",
	    "dss_flags_08", "dss_flags_09", "dss_flags_0a", "dss_flags_0b",
	    "dss_flags_0c", "dss_flags_0d", "dss_flags_0e", "dss_flags_0f"};
	struct legal v[32];
	int nv = 0;
	uint8_t o[PB_MPTCP_OPT_MAX];

	v[nv++] = (struct legal){"mp_capable_v0", PB_MP_CAPABLE, 0, 0x81,
				 ok_capable_v0};
	v[nv++] = (struct legal){"mp_capable_v1", PB_MP_CAPABLE, 1, 0x01,
				 ok_capable_v1};
	v[nv++] = (struct legal){"mp_join", PB_MP_JOIN, 0, 0x01, ok_join};
	for (int f = 0; f < 16; f++)
		v[nv++] = (struct legal){dss_names[f], PB_MP_DSS, 0, (uint8_t)f,
					 ok_dss};
	v[nv++] = (struct legal){"add_addr_v1", PB_MP_ADD_ADDR, 0, 0x01,
				 ok_add_v1_adv};
	v[nv++] = (struct legal){"add_addr_v1_echo", PB_MP_ADD_ADDR, 1, 0x01,
				 ok_add_v1_echo};
	v[nv++] = (struct legal){"add_addr_v0_ipv4", PB_MP_ADD_ADDR, 4, 0x01,
				 ok_add_v0_4};
	v[nv++] = (struct legal){"add_addr_v0_ipv6", PB_MP_ADD_ADDR, 6, 0x01,
				 ok_add_v0_6};
	v[nv++] = (struct legal){"remove_addr", PB_MP_REMOVE_ADDR, 0, 0x01,
				 ok_remove};
	v[nv++] = (struct legal){"mp_prio", PB_MP_PRIO, 0, 0x01, ok_prio};
	v[nv++] = (struct legal){"mp_fail", PB_MP_FAIL, 0, 0x00, ok_12};
	v[nv++] =
	    (struct legal){"mp_fastclose", PB_MP_FASTCLOSE, 0, 0x00, ok_12};
	v[nv++] = (struct legal){"mp_tcprst", PB_MP_TCPRST, 0, 0x01, ok_4};

	/* Lengths 0 and 1 (an illegal TCP option length: the walk ends) and 2
	 * (kind and length only, no subtype): once each. */
	for (int len = 0; len < 3; len++) {
		size_t n = pb_mp_raw(o, (uint8_t)len, 0, 0, 0);

		emit_opts(g, C_ILLEGAL_LENGTH, o, n);
		expect_rec(g, C_ILLEGAL_LENGTH, NO_SUBTYPE, len,
			   len < 2 ? R_OPT_LEN_INVALID : R_BAD_LENGTH);
	}
	for (int i = 0; i < nv; i++) {
		struct variant *out = &g->var[g->nvar++];

		out->name = v[i].name;
		out->sub = v[i].sub;
		memset(out->lengths, 0, sizeof(out->lengths));
		for (int len = 3; len <= PB_TCP_OPT_MAX; len++) {
			size_t n;

			/* A 3-byte option has no byte 3: its flags would be
			 * read from the padding (zero), illegal all the
			 * same for every variant. */
			if (v[i].ok(len, v[i].byte3) && len > 3)
				continue;
			if (len == 3 && v[i].ok(3, 0))
				continue;
			n = pb_mp_raw(o, (uint8_t)len, (uint8_t)v[i].sub,
				      v[i].nibble, v[i].byte3);
			emit_opts(g, C_ILLEGAL_LENGTH, o, n);
			expect_rec(g, C_ILLEGAL_LENGTH, v[i].sub, len,
				   R_BAD_LENGTH);
			out->lengths[len] = 1;
		}
	}
}

/* ---- unknown subtypes and bad flags ------------------------------------ */

static void unknown_subtypes(struct gen *g)
{
	static const int lens[] = {3, 4, 12, 20, 40};
	uint8_t o[PB_MPTCP_OPT_MAX];

	for (int sub = 9; sub <= 14; sub++) {
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			size_t n = pb_mp_raw(o, (uint8_t)lens[i], (uint8_t)sub,
					     0, 0x42);

			emit_opts(g, C_UNKNOWN_SUBTYPE, o, n);
			expect_rec(g, C_UNKNOWN_SUBTYPE, sub, lens[i],
				   R_UNKNOWN_SUBTYPE);
		}
	}
}

static void bad_flags(struct gen *g)
{
	/* DATA_FIN takes one octet of data sequence space, so it comes with
	 * a mapping (RFC 8684 section 3.3.3): F without M, at the length the
	 * other flags give. 'a' without 'A' means nothing. */
	static const uint8_t fin_flags[] = {PB_DSS_F, PB_DSS_F | PB_DSS_A,
					    PB_DSS_F | PB_DSS_A | PB_DSS_a,
					    PB_DSS_F | PB_DSS_a};
	uint8_t o[PB_MPTCP_OPT_MAX];

	for (size_t i = 0; i < sizeof(fin_flags); i++) {
		uint8_t f = fin_flags[i];
		int len = 4 + ((f & PB_DSS_A) ? ((f & PB_DSS_a) ? 8 : 4) : 0);
		size_t n = pb_mp_raw(o, (uint8_t)len, PB_MP_DSS, 0, f);

		emit_opts(g, C_BAD_FLAGS, o, n);
		expect_rec(g, C_BAD_FLAGS, PB_MP_DSS, len, R_BAD_FLAGS);
	}
	/* ADD_ADDR: v0 puts the IP version (4, 6) in the nibble, v1 three
	 * zero bits and E. Anything else is neither. */
	for (int nib = 0; nib < 16; nib++) {
		size_t n;

		if (nib == 0 || nib == 1 || nib == 4 || nib == 6)
			continue;
		n = pb_mp_raw(o, 16, PB_MP_ADD_ADDR, (uint8_t)nib, 0x01);
		emit_opts(g, C_BAD_FLAGS, o, n);
		expect_rec(g, C_BAD_FLAGS, PB_MP_ADD_ADDR, 16, R_BAD_FLAGS);
	}
}

/* ---- truncated and bad headers ------------------------------------------ */

static void emit_cut(struct gen *g, const uint8_t *f, size_t len, enum perr e)
{
	emit(g, C_TRUNCATED, f, len);
	g->pkt_err[C_TRUNCATED][e]++;
}

/* What a walk of options sees when the frame ends `avail` bytes into
 * them, the header announcing more: the first option not wholly there
 * ends it as truncated. An MPTCP option whose kind byte is there makes a
 * record; its length and subtype count when their bytes are there. */
struct optpos {
	int off, len, kind, sub;
};

static void expect_cut_walk(struct gen *g, const struct optpos *p, int np,
			    int avail)
{
	for (int i = 0; i < np; i++) {
		if (p[i].off + p[i].len <= avail)
			continue;
		if (p[i].kind != PB_TCPOPT_MPTCP || p[i].off >= avail) {
			expect_count(g, C_TRUNCATED, R_OPT_TRUNCATED);
			return;
		}
		expect_rec(g, C_TRUNCATED,
			   p[i].len >= 3 && p[i].off + 2 < avail ? p[i].sub
								 : NO_SUBTYPE,
			   p[i].off + 1 < avail ? p[i].len : 0,
			   R_OPT_TRUNCATED);
		return;
	}
}

static void truncated(struct gen *g)
{
	uint8_t f[PB_MAX_FRAME], o[PB_MPTCP_OPT_MAX];
	struct pb_layout l;
	struct pb_spec s;
	size_t n;

	/* L2: a VLAN tag (one, or the second of QinQ) cut short. */
	client_spec(g, &s);
	pb_add_vlan(&s, PB_TPID_8021Q, 100);
	n = build(&s, f, &l);
	for (size_t k = 0; k < 4; k++)
		emit_cut(g, f, 14 + k, P_TRUNC_L2);
	client_spec(g, &s);
	pb_add_vlan(&s, PB_TPID_8021AD, 100);
	pb_add_vlan(&s, PB_TPID_8021Q, 200);
	n = build(&s, f, &l);
	for (size_t k = 0; k < 4; k++)
		emit_cut(g, f, 18 + k, P_TRUNC_L2);

	/* L3: IPv4 cut inside its 20 bytes, then inside 40 bytes of IP
	 * options (IHL 15); IPv6 inside its 40 bytes and inside a hop-by-hop
	 * header. */
	client_spec(g, &s);
	n = build(&s, f, &l);
	for (size_t k = 0; k < 20; k++)
		emit_cut(g, f, l.l3 + k, P_TRUNC_L3);
	client_spec(g, &s);
	{
		uint8_t ipo[40];

		memset(ipo, 1, sizeof(ipo)); /* NOPs */
		pb_set_ip_opts(&s, ipo, sizeof(ipo));
	}
	n = build(&s, f, &l);
	for (size_t k = 20; k < 60; k += 13)
		emit_cut(g, f, l.l3 + k, P_TRUNC_L3);
	client_spec6(g, &s);
	n = build(&s, f, &l);
	for (size_t k = 0; k < 40; k += 7)
		emit_cut(g, f, l.l3 + k, P_TRUNC_L3);
	client_spec6(g, &s);
	pb_add_ext(&s, PB_EXT_HOPOPTS, 8);
	n = build(&s, f, &l);
	for (size_t k = 40; k < 48; k += 3)
		emit_cut(g, f, l.l3 + k, P_TRUNC_L3);

	/* Bad IP headers, whole frames: IPv4 with version 6, IHL 0..4,
	 * total length below the header; IPv6 with version 4; an IPv6
	 * extension header longer than the payload. */
	client_spec(g, &s);
	n = build(&s, f, &l);
	f[l.l3] = 0x65;
	emit_cut(g, f, n, P_BAD_IP_HEADER);
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		n = build(&s, f, &l);
		f[l.l3] = (uint8_t)(0x40 | ihl);
		emit_cut(g, f, n, P_BAD_IP_HEADER);
	}
	for (int tot = 0; tot < 20; tot += 19) {
		n = build(&s, f, &l);
		f[l.l3 + 2] = 0;
		f[l.l3 + 3] = (uint8_t)tot;
		emit_cut(g, f, n, P_BAD_IP_HEADER);
	}
	client_spec6(g, &s);
	n = build(&s, f, &l);
	f[l.l3] = 0x45;
	emit_cut(g, f, n, P_BAD_IP_HEADER);
	client_spec6(g, &s);
	pb_add_ext(&s, PB_EXT_HOPOPTS, 16);
	n = build(&s, f, &l);
	f[l.l3 + 4] = 0; /* payload length 8: the 16-byte header overruns */
	f[l.l3 + 5] = 8;
	emit_cut(g, f, n, P_BAD_IP_HEADER);
	/* Seven destination options headers: more than a parser follows
	 * before it must give up (and count). */
	client_spec6(g, &s);
	for (int i = 0; i < 7; i++)
		pb_add_ext(&s, PB_EXT_DSTOPTS, 8);
	n = build(&s, f, &l);
	emit_cut(g, f, n, P_TOO_MANY_EXTHDRS);

	/* L4: the TCP header cut inside its 20 bytes (IPv4, IPv6). */
	client_spec(g, &s);
	n = build(&s, f, &l);
	for (size_t k = 0; k < 20; k++)
		emit_cut(g, f, l.l4 + k, P_TRUNC_L4);
	client_spec6(g, &s);
	n = build(&s, f, &l);
	for (size_t k = 0; k < 20; k += 9)
		emit_cut(g, f, l.l4 + k, P_TRUNC_L4);
	/* Data offset past the datagram (6..15 with only 20 bytes of TCP)
	 * and below 5. */
	for (uint8_t doff = 0; doff < 16; doff++) {
		if (doff == 5)
			continue;
		client_spec(g, &s);
		n = build(&s, f, &l);
		f[l.l4 + 12] = (uint8_t)(doff << 4);
		emit_cut(g, f, n, doff < 5 ? P_BAD_TCP_DOFF : P_TRUNC_L4);
	}
	client_spec6(g, &s);
	n = build(&s, f, &l);
	f[l.l4 + 12] = 15 << 4;
	emit_cut(g, f, n, P_TRUNC_L4);

	/* The frame ends inside the TCP options the header and the IP total
	 * length announce, at every byte: MSS, SACK permitted, NOP NOP, TS,
	 * NOP NOP, MP_CAPABLE v1 third ACK (40 bytes). */
	{
		struct optpos p[8];
		int np = 0, off = 0;

#define OPT(kind_, sub_, bytes_, len_)                                         \
	do {                                                                   \
		pb_tcp_opt(&s, (bytes_), (len_));                              \
		p[np++] = (struct optpos){off, (int)(len_), (kind_), (sub_)};  \
		off += (int)(len_);                                            \
	} while (0)
		client_spec(g, &s);
		OPT(PB_TCPOPT_MSS, 0, o, pb_opt_mss(o, 1460));
		OPT(PB_TCPOPT_SACK_PERM, 0, o, pb_opt_sack_perm(o));
		OPT(PB_TCPOPT_NOP, 0, (const uint8_t *)"\x01", 1);
		OPT(PB_TCPOPT_NOP, 0, (const uint8_t *)"\x01", 1);
		OPT(PB_TCPOPT_TS, 0, o, pb_opt_ts(o, 1, 2));
		OPT(PB_TCPOPT_NOP, 0, (const uint8_t *)"\x01", 1);
		OPT(PB_TCPOPT_NOP, 0, (const uint8_t *)"\x01", 1);
		OPT(PB_TCPOPT_MPTCP, PB_MP_CAPABLE, o,
		    pb_mp_capable(o, 1, 20, 0x01, rnd(g), rnd(g), 0, 0));
#undef OPT
		if (off != PB_TCP_OPT_MAX)
			gen_die("gen_hostile", "cut layout is %d bytes", off);
		n = build(&s, f, &l);
		for (int k = 0; k < PB_TCP_OPT_MAX; k++) {
			emit(g, C_TRUNCATED, f, l.opts + (size_t)k);
			expect_cut_walk(g, p, np, k);
		}
	}
}

/* ---- option lists ending mid-option ----------------------------------- */

/* Fill `opt` with NOPs, then an MPTCP option of length len (subtype sub)
 * at offset space - avail: its length runs past the option space. */
static void mptcp_past_end(struct gen *g, int sub, uint8_t nibble, int len,
			   int space, int avail)
{
	uint8_t opt[PB_TCP_OPT_MAX], o[PB_MPTCP_OPT_MAX];
	int at = space - avail;

	memset(opt, PB_TCPOPT_NOP, sizeof(opt));
	pb_mp_raw(o, (uint8_t)len, (uint8_t)sub, nibble, 0x01);
	memcpy(opt + at, o, (size_t)avail);
	emit_opts(g, C_MID_OPTION, opt, (size_t)space);
	expect_rec(g, C_MID_OPTION, len >= 3 && avail >= 3 ? sub : NO_SUBTYPE,
		   avail >= 2 ? len : 0, R_OPT_TRUNCATED);
}

static void mid_option(struct gen *g)
{
	/* A length each subtype may legally have, longer than 3. */
	static const int full[9] = {20, 12, 8, 16, 5, 4, 12, 12, 4};
	static const int spaces[] = {4, 8, 20, 40};
	uint8_t opt[PB_TCP_OPT_MAX];

	/* Kind 30 whose length runs past the header, every subtype, with 2,
	 * 3 and len - 1 bytes of it present, at several option spaces. */
	for (int sub = 0; sub <= 8; sub++) {
		for (size_t si = 0; si < sizeof(spaces) / sizeof(spaces[0]);
		     si++) {
			int avails[3] = {2, 3, full[sub] - 1};

			for (int a = 0; a < 3; a++) {
				if (avails[a] > spaces[si] ||
				    (a == 2 && avails[2] <= 3))
					continue;
				mptcp_past_end(g, sub, sub == 0 ? 1 : 0,
					       full[sub], spaces[si],
					       avails[a]);
			}
		}
		/* And a length longer than any option space can hold. */
		mptcp_past_end(g, sub, 0, 255, 40, 4);
	}
	/* Kind 30 as the very last byte: no length byte. */
	for (size_t si = 0; si < sizeof(spaces) / sizeof(spaces[0]); si++) {
		memset(opt, PB_TCPOPT_NOP, sizeof(opt));
		opt[spaces[si] - 1] = PB_TCPOPT_MPTCP;
		emit_opts(g, C_MID_OPTION, opt, (size_t)spaces[si]);
		expect_rec(g, C_MID_OPTION, NO_SUBTYPE, 0, R_OPT_TRUNCATED);
	}
	/* MPTCP with length 0 or 1 after other options (MSS; MSS and TS). */
	for (int len = 0; len < 2; len++) {
		uint8_t o2[PB_TCP_OPT_MAX];
		size_t n = pb_opt_mss(o2, 1460);

		o2[n++] = PB_TCPOPT_MPTCP;
		o2[n++] = (uint8_t)len;
		emit_opts(g, C_MID_OPTION, o2, n);
		expect_rec(g, C_MID_OPTION, NO_SUBTYPE, len, R_OPT_LEN_INVALID);
		n = pb_opt_mss(o2, 1460);
		n += pb_opt_ts(o2 + n, 7, 0);
		o2[n++] = PB_TCPOPT_MPTCP;
		o2[n++] = (uint8_t)len;
		o2[n++] = PB_MP_DSS
			  << 4; /* a subtype byte the walk never reads */
		emit_opts(g, C_MID_OPTION, o2, n);
		expect_rec(g, C_MID_OPTION, NO_SUBTYPE, len, R_OPT_LEN_INVALID);
	}
	/* Other options that end the walk the same way: no record, a count. */
	{
		uint8_t o2[8] = {PB_TCPOPT_NOP, PB_TCPOPT_NOP, PB_TCPOPT_MSS,
				 4};

		emit_opts(g, C_MID_OPTION, o2, 4); /* MSS past a 4-byte space */
		expect_count(g, C_MID_OPTION, R_OPT_TRUNCATED);
		memset(opt, PB_TCPOPT_NOP, sizeof(opt));
		pb_opt_ts(opt + 32, 1, 2); /* TS at 32 of 40 */
		emit_opts(g, C_MID_OPTION, opt, 40);
		expect_count(g, C_MID_OPTION, R_OPT_TRUNCATED);
		o2[2] = PB_TCPOPT_MSS;
		o2[3] = 0;
		emit_opts(g, C_MID_OPTION, o2, 4); /* MSS length 0 */
		expect_count(g, C_MID_OPTION, R_OPT_LEN_INVALID);
		o2[2] = PB_TCPOPT_TS;
		o2[3] = 1;
		emit_opts(g, C_MID_OPTION, o2, 4); /* TS length 1 */
		expect_count(g, C_MID_OPTION, R_OPT_LEN_INVALID);
	}
}

/* ---- the floods --------------------------------------------------------- */

static void handshakes(struct gen *g, unsigned long n)
{
	uint8_t f[PB_MAX_FRAME], o[PB_MPTCP_OPT_MAX];
	struct pb_spec c, sv;

	for (unsigned long i = 0; i < n; i++) {
		uint64_t ka = fresh_key(g), kb = fresh_key(g);
		uint32_t isn_c = (uint32_t)rnd(g), isn_s = (uint32_t)rnd(g);

		client_spec(g, &c);
		/* SYN: MP_CAPABLE v1, length 4, H (HMAC-SHA256). */
		c.tcp_flags = PB_TCP_SYN;
		c.seq = isn_c;
		c.ack = 0;
		pb_tcp_opt(&c, o, pb_opt_mss(o, 1460));
		pb_tcp_opt(&c, o, pb_mp_capable(o, 1, 4, 0x01, 0, 0, 0, 0));
		emit(g, C_HANDSHAKE, f, build(&c, f, NULL));

		/* SYN/ACK from the server: its key. */
		if (pb_init_v4(&sv, g->dst, g->dport, "0.0.0.0", c.sport) < 0)
			gen_die("gen_hostile", "bad address");
		memcpy(sv.saddr, c.daddr, 4);
		memcpy(sv.daddr, c.saddr, 4);
		memcpy(sv.src_mac, g->smac, 6);
		memcpy(sv.dst_mac, g->dmac, 6);
		sv.tcp_flags = PB_TCP_SYN | PB_TCP_ACK;
		sv.seq = isn_s;
		sv.ack = isn_c + 1;
		pb_tcp_opt(&sv, o, pb_opt_mss(o, 1460));
		pb_tcp_opt(&sv, o, pb_mp_capable(o, 1, 12, 0x01, kb, 0, 0, 0));
		emit(g, C_HANDSHAKE, f, build(&sv, f, NULL));

		/* Third ACK: both keys. */
		pb_tcp_opts_clear(&c);
		c.tcp_flags = PB_TCP_ACK;
		c.seq = isn_c + 1;
		c.ack = isn_s + 1;
		pb_tcp_opt(&c, o, pb_mp_capable(o, 1, 20, 0x01, ka, kb, 0, 0));
		emit(g, C_HANDSHAKE, f, build(&c, f, NULL));
		g->mptcp_options += 3;
	}
	g->handshakes = n;
}

static void joins(struct gen *g, unsigned long n)
{
	uint8_t f[PB_MAX_FRAME], o[PB_MPTCP_OPT_MAX];
	struct pb_spec c;

	for (unsigned long i = 0; i < n; i++) {
		uint64_t r = rnd(g);

		client_spec(g, &c);
		c.tcp_flags = PB_TCP_SYN;
		c.ack = 0;
		pb_tcp_opt(&c, o, pb_opt_mss(o, 1460));
		pb_tcp_opt(&c, o,
			   pb_mp_join_syn(o, 0, (uint8_t)(r & 0x0f),
					  fresh_token(g), (uint32_t)(r >> 32)));
		emit(g, C_JOIN, f, build(&c, f, NULL));
		g->mptcp_options++;
	}
	g->joins = n;
}

/* ---- the summary -------------------------------------------------------- */

static void print_summary(struct gen *g, const char *file, uint64_t seed)
{
	unsigned long tot_opt[R_MAX] = {0}, tot_pkt[P_MAX] = {0};

	for (int c = 0; c < C_MAX; c++) {
		for (int r = 0; r < R_MAX; r++)
			tot_opt[r] += g->opt_err[c][r];
		for (int p = 0; p < P_MAX; p++)
			tot_pkt[p] += g->pkt_err[c][p];
	}
	printf("{\"file\":\"%s\",\"seed\":%" PRIu64 ",\"frames\":%lu,", file,
	       seed, g->frames);
	printf("\"connections\":{\"handshake\":%lu,\"join\":%lu},",
	       g->handshakes, g->joins);
	/* Every MPTCP option a walk meets makes one record (an mp_error one
	 * when it is not legal). */
	printf("\"mptcp_options\":%lu,", g->mptcp_options);
	printf("\"classes\":{");
	for (int c = 0; c < C_MAX; c++) {
		int first = 1;

		printf("%s\"%s\":{\"frames\":%lu,\"option_errors\":{",
		       c ? "," : "", cls_name[c], g->cls_frames[c]);
		for (int r = 0; r < R_MAX; r++) {
			if (!g->opt_err[c][r])
				continue;
			printf("%s\"%s\":%lu", first ? "" : ",", reason_name[r],
			       g->opt_err[c][r]);
			first = 0;
		}
		printf("},\"packet_errors\":{");
		first = 1;
		for (int p = 0; p < P_MAX; p++) {
			if (!g->pkt_err[c][p])
				continue;
			printf("%s\"%s\":%lu", first ? "" : ",", perr_name[p],
			       g->pkt_err[c][p]);
			first = 0;
		}
		printf("}}");
	}
	printf("},\"option_errors\":{");
	for (int r = 0; r < R_MAX; r++)
		printf("%s\"%s\":%lu", r ? "," : "", reason_name[r],
		       tot_opt[r]);
	printf("},\"packet_errors\":{");
	for (int p = 0; p < P_MAX; p++)
		printf("%s\"%s\":%lu", p ? "," : "", perr_name[p], tot_pkt[p]);
	printf("},\"illegal_lengths\":{");
	for (int i = 0; i < g->nvar; i++) {
		int first = 1;

		printf("%s\"%s\":{\"subtype\":%d,\"lengths\":[", i ? "," : "",
		       g->var[i].name, g->var[i].sub);
		for (int len = 0; len <= PB_TCP_OPT_MAX; len++) {
			if (!g->var[i].lengths[len])
				continue;
			printf("%s%d", first ? "" : ",", len);
			first = 0;
		}
		printf("]}");
	}
	/* The mp_error records, as [subtype|null, opt_len, reason, count]. */
	printf("},\"mp_error_records\":[");
	for (int i = 0; i < g->nrecs; i++) {
		const struct rec *r = &g->recs[i];

		if (r->sub == NO_SUBTYPE)
			printf("%s[null,%d,\"%s\",%lu]", i ? "," : "", r->len,
			       reason_name[r->reason], r->n);
		else
			printf("%s[%d,%d,\"%s\",%lu]", i ? "," : "", r->sub,
			       r->len, reason_name[r->reason], r->n);
	}
	printf("]}\n");
}

static void parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char extra;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &extra) != 6)
		gen_die("gen_hostile", "bad MAC address '%s'", s);
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			gen_die("gen_hostile", "bad MAC address '%s'", s);
		mac[i] = (uint8_t)b[i];
	}
}

static unsigned long parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > 10000000)
		gen_die("gen_hostile", "bad %s '%s'", what, s);
	return v;
}

static void usage(void)
{
	fputs("usage: gen_hostile OUT.pcap --src-mac MAC --dst-mac MAC "
	      "[--handshakes N] [--joins N] [--seed S] [--dst A.B.C.D] "
	      "[--dport P]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"src-mac", required_argument, NULL, 's'},
	    {"dst-mac", required_argument, NULL, 'd'},
	    {"handshakes", required_argument, NULL, 'h'},
	    {"joins", required_argument, NULL, 'j'},
	    {"seed", required_argument, NULL, 'r'},
	    {"dst", required_argument, NULL, 'a'},
	    {"dport", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	static struct gen g;
	unsigned long nh = 100000, nj = 100000;
	uint64_t seed = 8684;
	int have_s = 0, have_d = 0, c;
	struct in_addr dst;
	const char *out;

	snprintf(g.dst, sizeof(g.dst), "198.18.1.2");
	g.dport = 80;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			parse_mac(optarg, g.smac);
			have_s = 1;
			break;
		case 'd':
			parse_mac(optarg, g.dmac);
			have_d = 1;
			break;
		case 'h':
			nh = parse_count(optarg, "--handshakes");
			break;
		case 'j':
			nj = parse_count(optarg, "--joins");
			break;
		case 'r':
			seed = parse_count(optarg, "--seed");
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &dst) != 1 ||
			    (ntohl(dst.s_addr) >> 17) != (198u << 7 | 18u >> 1))
				gen_die("gen_hostile",
					"--dst must be an IPv4 address in "
					"198.18.0.0/15");
			snprintf(g.dst, sizeof(g.dst), "%s", optarg);
			break;
		case 'p':
			g.dport = (uint16_t)parse_count(optarg, "--dport");
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || !have_s || !have_d)
		usage();
	out = argv[optind];
	g.rng = seed;
	set_init(&g.tuples, 2 * (nh + nj) + 4096);
	set_init(&g.tokens, 2 * nh + nj + 16);
	g.md = EVP_MD_CTX_new();
	if (!g.md)
		gen_die("gen_hostile", "out of memory");
	g.pd = pcap_open_dead(DLT_EN10MB, 65535);
	if (!g.pd)
		gen_die("gen_hostile", "pcap_open_dead failed");
	g.d = pcap_dump_open(g.pd, out);
	if (!g.d)
		gen_die("gen_hostile", "%s: %s", out, pcap_geterr(g.pd));

	illegal_lengths(&g);
	unknown_subtypes(&g);
	bad_flags(&g);
	truncated(&g);
	mid_option(&g);
	handshakes(&g, nh);
	joins(&g, nj);

	if (pcap_dump_flush(g.d) != 0)
		gen_die("gen_hostile", "%s: write failed", out);
	pcap_dump_close(g.d);
	pcap_close(g.pd);
	EVP_MD_CTX_free(g.md);
	print_summary(&g, out, seed);
	return 0;
}
