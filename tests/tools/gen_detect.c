// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * gen_detect - write a pcap of one attack the detection suite
 * (tests/e2e/test_detect.sh) must see as aggregated alerts, and print on
 * stdout a JSON summary of what it wrote, from which the suite derives
 * what a correct inspector must say (never from the inspector's output).
 *
 *   gen_detect join_flood|scan|add_addr OUT.pcap [--seed S] [--count N]
 *
 *   join_flood  N (default 10000) MP_JOIN SYNs to one random token (no
 *               handshake in the file has it) and one destination, from
 *               distinct random initiators, one per millisecond
 *   scan        one source probing 3 hosts on 100 ports each with
 *               MP_CAPABLE SYNs (a tenth answered by an MP_CAPABLE
 *               SYN/ACK, a tenth by a plain SYN/ACK, the rest by RST),
 *               then 60 MP_JOIN SYNs with random tokens to random ports
 *               of the same hosts, answered by RST; 100 ms apart
 *   add_addr    one MP_CAPABLE v1 connection per advertised address
 *               (handshake, then the server's ADD_ADDR with a correct
 *               HMAC, sent twice): addresses no host should be sent to,
 *               one inside 10.0.0.0/8 (the suite's --home-net),
 *               documentation and benchmarking ones (192.0.2.0/24,
 *               198.18.0.0/15: suspicious only when told) and a benign one
 *
 * Frames come from tests/packet_builder.c, the file is written by libpcap
 * (pcap_open_dead + pcap_dump). Sources are in 198.19.0.0/16, servers in
 * 198.18.1.0/24 (RFC 2544 benchmarking: not suspicious by default).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pcap/pcap.h>

#include "gen_common.h"
#include "packet_builder.h"

struct gen {
	pcap_dumper_t *d;
	uint64_t rng;
	uint64_t ts_us;
	unsigned long frames;
};

static uint64_t rnd(struct gen *g)
{
	return gen_splitmix64(&g->rng);
}

static void emit(struct gen *g, const struct pb_spec *s, uint64_t step_us)
{
	uint8_t f[PB_MAX_FRAME];
	struct pcap_pkthdr h;
	size_t n = pb_build(s, f, sizeof(f), NULL);

	if (!n)
		gen_die("gen_detect", "frame does not build");
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(1700000000 + g->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->ts_us % 1000000);
	h.caplen = h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)g->d, &h, f);
	g->ts_us += step_us;
	g->frames++;
}

static void spec(struct pb_spec *s, const char *src, uint16_t sport,
		 const char *dst, uint16_t dport, uint8_t flags)
{
	static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 1},
			     mac_b[6] = {2, 0, 0, 0, 0, 2};

	if (pb_init_v4(s, src, sport, dst, dport) < 0)
		gen_die("gen_detect", "bad address %s or %s", src, dst);
	memcpy(s->src_mac, mac_a, 6);
	memcpy(s->dst_mac, mac_b, 6);
	s->tcp_flags = flags;
}

static void reply(struct pb_spec *r, const struct pb_spec *s, uint8_t flags)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, s->daddr, src, sizeof(src));
	inet_ntop(AF_INET, s->saddr, dst, sizeof(dst));
	spec(r, src, s->dport, dst, s->sport, flags);
	r->ack = s->seq + 1;
}

/* ---- join_flood --------------------------------------------------------- */

static void join_flood(struct gen *g, unsigned long n)
{
	uint8_t o[PB_MPTCP_OPT_MAX];
	uint32_t token = (uint32_t)rnd(g);
	struct pb_spec s;
	char src[INET_ADDRSTRLEN];

	if (n > 250UL * 250UL)
		gen_die("gen_detect", "at most 62500 joins");
	for (unsigned long i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "198.19.%lu.%lu", i / 250,
			 i % 250 + 1);
		spec(&s, src, (uint16_t)(1024 + rnd(g) % 60000), "198.18.1.2",
		     5201, PB_TCP_SYN);
		s.seq = (uint32_t)rnd(g);
		s.ack = 0;
		pb_tcp_opt(&s, o,
			   pb_mp_join_syn(o, 0, 1, token, (uint32_t)rnd(g)));
		emit(g, &s, 1000);
	}
	printf("{\"mode\":\"join_flood\",\"frames\":%lu,\"joins\":%lu,"
	       "\"sources\":%lu,\"tokens\":1,\"token\":\"%08x\","
	       "\"destinations\":1,\"span_s\":%.6f}\n",
	       g->frames, n, n, token, (double)(n ? n - 1 : 0) / 1000.0);
}

/* ---- scan --------------------------------------------------------------- */

#define SCAN_HOSTS 3
#define SCAN_PORTS 100
#define SCAN_JOINS 60

static void scan(struct gen *g)
{
	static const char *const host[SCAN_HOSTS] = {"198.18.1.2", "198.18.1.3",
						     "198.18.1.4"};
	static uint8_t seen[SCAN_HOSTS][65536];
	unsigned long probes = 0, targets = 0, answered = 0, plain = 0,
		      resets = 0, joins = 0;
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct pb_spec s, r;

	for (int h = 0; h < SCAN_HOSTS; h++) {
		for (int p = 0; p < SCAN_PORTS; p++) {
			uint16_t dport = (uint16_t)(1 + p * 7);

			spec(&s, "198.19.66.6", (uint16_t)(40000 + probes),
			     host[h], dport, PB_TCP_SYN);
			s.seq = (uint32_t)rnd(g);
			s.ack = 0;
			pb_tcp_opt(&s, o,
				   pb_mp_capable(o, 1, 4, 0x01, 0, 0, 0, 0));
			emit(g, &s, 50000);
			probes++;
			targets += !seen[h][dport]++;
			if (p % 10 == 0) {
				reply(&r, &s, PB_TCP_SYN | PB_TCP_ACK);
				r.seq = (uint32_t)rnd(g);
				pb_tcp_opt(&r, o,
					   pb_mp_capable(o, 1, 12, 0x01, rnd(g),
							 0, 0, 0));
				answered++;
			} else if (p % 10 == 1) {
				reply(&r, &s, PB_TCP_SYN | PB_TCP_ACK);
				r.seq = (uint32_t)rnd(g);
				plain++;
			} else {
				reply(&r, &s, PB_TCP_RST | PB_TCP_ACK);
				r.seq = 0;
				resets++;
			}
			emit(g, &r, 50000);
		}
	}
	for (int i = 0; i < SCAN_JOINS; i++) {
		int h = i % SCAN_HOSTS;
		uint16_t dport = (uint16_t)(1024 + rnd(g) % 60000);

		spec(&s, "198.19.66.6", (uint16_t)(40000 + probes), host[h],
		     dport, PB_TCP_SYN);
		s.seq = (uint32_t)rnd(g);
		s.ack = 0;
		pb_tcp_opt(&s, o,
			   pb_mp_join_syn(o, 0, 1, (uint32_t)rnd(g),
					  (uint32_t)rnd(g)));
		emit(g, &s, 50000);
		probes++;
		joins++;
		targets += !seen[h][dport]++;
		reply(&r, &s, PB_TCP_RST | PB_TCP_ACK);
		r.seq = 0;
		emit(g, &r, 50000);
		resets++;
	}
	printf("{\"mode\":\"scan\",\"frames\":%lu,\"sources\":1,"
	       "\"source\":\"198.19.66.6\",\"hosts\":%d,\"probes\":%lu,"
	       "\"capable_probes\":%lu,\"join_probes\":%lu,\"targets\":%lu,"
	       "\"answered_mptcp\":%lu,\"answered_plain\":%lu,\"reset\":%lu,"
	       "\"max_joins_per_destination\":%d,\"span_s\":%.6f}\n",
	       g->frames, SCAN_HOSTS, probes, probes - joins, joins, targets,
	       answered, plain, resets,
	       (SCAN_JOINS + SCAN_HOSTS - 1) / SCAN_HOSTS,
	       (double)(g->ts_us - 50000) / 1e6);
}

/* ---- add_addr ----------------------------------------------------------- */

struct adv {
	const char *addr;
	const char *expect; /* "suspicious", "home_net", "documentation",
			       "benign" */
};

static const struct adv advs[] = {
    {"127.0.0.1", "suspicious"},     {"0.0.0.0", "suspicious"},
    {"224.0.0.251", "suspicious"},   {"255.255.255.255", "suspicious"},
    {"169.254.10.20", "suspicious"}, {"::1", "suspicious"},
    {"fe80::1", "suspicious"},	     {"ff02::1", "suspicious"},
    {"10.1.2.3", "home_net"},	     {"192.0.2.33", "documentation"},
    {"198.18.2.2", "documentation"}, {"8.8.4.4", "benign"},
};

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* RFC 8684 section 3.4.1: rightmost 64 bits of HMAC-SHA256(key = sender's
 * key + receiver's key, msg = address id + address + port (0 if none)). */
static uint64_t add_addr_hmac(uint64_t ks, uint64_t kr, uint8_t id,
			      const uint8_t *addr, size_t alen)
{
	uint8_t key[16], msg[19], mac[32];
	unsigned int mlen = sizeof(mac);
	size_t n = 0;
	uint64_t v = 0;

	be64(key, ks);
	be64(key + 8, kr);
	msg[n++] = id;
	memcpy(msg + n, addr, alen);
	n += alen;
	msg[n++] = 0;
	msg[n++] = 0;
	if (!HMAC(EVP_sha256(), key, sizeof(key), msg, n, mac, &mlen))
		gen_die("gen_detect", "HMAC failed");
	for (int i = 24; i < 32; i++)
		v = v << 8 | mac[i];
	return v;
}

static void add_addr(struct gen *g)
{
	int counts[4] = {0};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct pb_spec c, sv;

	for (size_t i = 0; i < sizeof(advs) / sizeof(advs[0]); i++) {
		uint64_t ka = rnd(g), kb = rnd(g);
		uint32_t isn_c = (uint32_t)rnd(g), isn_s = (uint32_t)rnd(g);
		uint8_t a[16];
		int fam = strchr(advs[i].addr, ':') ? 6 : 4;
		char src[INET_ADDRSTRLEN];

		if (inet_pton(fam == 4 ? AF_INET : AF_INET6, advs[i].addr, a) !=
		    1)
			gen_die("gen_detect", "bad address %s", advs[i].addr);
		snprintf(src, sizeof(src), "198.19.5.%zu", i + 1);
		spec(&c, src, (uint16_t)(50000 + i), "198.18.1.2", 5201,
		     PB_TCP_SYN);
		c.seq = isn_c;
		c.ack = 0;
		pb_tcp_opt(&c, o, pb_mp_capable(o, 1, 4, 0x01, 0, 0, 0, 0));
		emit(g, &c, 1000);
		reply(&sv, &c, PB_TCP_SYN | PB_TCP_ACK);
		sv.seq = isn_s;
		pb_tcp_opt(&sv, o, pb_mp_capable(o, 1, 12, 0x01, kb, 0, 0, 0));
		emit(g, &sv, 1000);
		pb_tcp_opts_clear(&c);
		c.tcp_flags = PB_TCP_ACK;
		c.seq = isn_c + 1;
		c.ack = isn_s + 1;
		pb_tcp_opt(&c, o, pb_mp_capable(o, 1, 20, 0x01, ka, kb, 0, 0));
		emit(g, &c, 1000);
		/* The server advertises, twice (a retransmission). */
		pb_tcp_opts_clear(&sv);
		sv.tcp_flags = PB_TCP_ACK;
		sv.seq = isn_s + 1;
		sv.ack = isn_c + 1;
		pb_tcp_opt(&sv, o,
			   pb_mp_add_addr_v1(
			       o, fam, 0, 5, a, 0, 0,
			       add_addr_hmac(kb, ka, 5, a, fam == 4 ? 4 : 16)));
		emit(g, &sv, 1000);
		emit(g, &sv, 1000);
		counts[strcmp(advs[i].expect, "suspicious") == 0      ? 0
		       : strcmp(advs[i].expect, "home_net") == 0      ? 1
		       : strcmp(advs[i].expect, "documentation") == 0 ? 2
								      : 3]++;
	}
	printf("{\"mode\":\"add_addr\",\"frames\":%lu,\"connections\":%zu,"
	       "\"advertisements\":%zu,\"suspicious\":%d,"
	       "\"home_net_inward\":%d,\"home_net\":\"10.0.0.0/8\","
	       "\"documentation\":%d,\"benign\":%d}\n",
	       g->frames, sizeof(advs) / sizeof(advs[0]),
	       2 * sizeof(advs) / sizeof(advs[0]), counts[0], counts[1],
	       counts[2], counts[3]);
}

int main(int argc, char **argv)
{
	struct gen g = {.rng = 1};
	unsigned long count = 10000;
	pcap_t *p;

	if (argc < 3)
		gen_die("gen_detect",
			"usage: gen_detect join_flood|scan|add_addr OUT.pcap "
			"[--seed S] [--count N]");
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--seed") == 0)
			g.rng = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--count") == 0)
			count = strtoul(argv[i + 1], NULL, 0);
		else
			gen_die("gen_detect", "unknown option %s", argv[i]);
	}
	p = pcap_open_dead(DLT_EN10MB, 65535);
	if (!p)
		gen_die("gen_detect", "pcap_open_dead failed");
	g.d = pcap_dump_open(p, argv[2]);
	if (!g.d)
		gen_die("gen_detect", "%s: %s", argv[2], pcap_geterr(p));
	if (strcmp(argv[1], "join_flood") == 0)
		join_flood(&g, count);
	else if (strcmp(argv[1], "scan") == 0)
		scan(&g);
	else if (strcmp(argv[1], "add_addr") == 0)
		add_addr(&g);
	else
		gen_die("gen_detect", "unknown mode %s", argv[1]);
	pcap_dump_close(g.d);
	pcap_close(p);
	return 0;
}
