// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The --single-path writer (user/stream/single_path.c): files written into
 * a temporary directory, read back with libpcap and checked field by field
 * (handshake, no TCP option, checksums recomputed here, segment sizes,
 * contiguous sequence numbers, holes, FINs, IPv6, frames passed through);
 * then, when they are installed, tshark's `follow,tcp,raw` and tcpflow must
 * rebuild exactly the bytes that were fed.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stream/single_path.h"
#include "test_harness.h"

#define ISN_A 0xfffffe00u /* wraps within the first few kilobytes */
#define ISN_B 7u

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

/* ---- temporary directory ---- */

static char tmpdir[256];

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/mpx_single_path.XXXXXX",
		 base && *base ? base : "/tmp");
	return CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp %s: %s", tmpdir,
		     strerror(errno));
}

static void remove_tmpdir(void)
{
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- reading a capture back ---- */

struct frame {
	uint8_t *b;
	uint32_t caplen, len;
	int64_t sec;
	int32_t usec;
};

struct cap {
	struct frame *f;
	size_t n;
};

static void free_cap(struct cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->f[i].b);
	free(c->f);
	c->f = NULL;
	c->n = 0;
}

static int read_cap(const char *path, struct cap *c)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	memset(c, 0, sizeof(*c));
	p = pcap_open_offline(path, errbuf);
	if (!CHECK(p != NULL, "%s", errbuf))
		return 0;
	if (!ASSERT_EQ(pcap_datalink(p), DLT_EN10MB)) {
		pcap_close(p);
		return 0;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		struct frame *f = realloc(c->f, (c->n + 1) * sizeof(*f));

		if (!f)
			break;
		c->f = f;
		f = &c->f[c->n++];
		f->b = malloc(h->caplen ? h->caplen : 1);
		if (!CHECK(f->b != NULL, "out of memory")) {
			c->n--;
			break;
		}
		memcpy(f->b, data, h->caplen);
		f->caplen = h->caplen;
		f->len = h->len;
		f->sec = h->ts.tv_sec;
		f->usec = (int32_t)h->ts.tv_usec;
	}
	CHECK(rc == PCAP_ERROR_BREAK, "pcap_next_ex: %d %s", rc,
	      pcap_geterr(p));
	pcap_close(p);
	return 1;
}

/* ---- decoding what single_path.c wrote ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

struct seg {
	int v6, from_b; /* from_b: sent by b (source MAC b) */
	const uint8_t *ip, *tcp, *pay;
	size_t plen;
	uint16_t sport, dport, win;
	uint32_t seq, ack;
	uint8_t flags, doff;
};

#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_ACK 0x10

/* Ones-complement sum, written independently of the code under test:
 * 16-bit words, an odd last byte as the high half of a word. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* What a frame that could not be decoded points to: the checks that
 * follow then fail instead of reading out of bounds. */
static const uint8_t zeros[2048];

/* Decodes f as Ethernet + IPv4/IPv6 + TCP and checks what every
 * synthesised frame must be: no TCP option, window 65535, TTL or hop
 * limit 64, DF, the MAC of its side, both checksums. */
static int decode(const struct frame *f, struct seg *s)
{
	const uint8_t *b = f->b;
	size_t tcp_len;
	uint32_t sum;
	uint8_t ph[4];
	int ok = 1;

	memset(s, 0, sizeof(*s));
	s->ip = s->tcp = s->pay = zeros;
	if (!CHECK(f->caplen == f->len && f->caplen >= 14 + 20 + 20,
		   "frame %u/%u bytes", f->caplen, f->len))
		return 0;
	s->from_b = memcmp(b + 6, mac_b, 6) == 0;
	ok &= CHECK(memcmp(b + 6, s->from_b ? mac_b : mac_a, 6) == 0 &&
			memcmp(b, s->from_b ? mac_a : mac_b, 6) == 0,
		    "MACs");
	s->ip = b + 14;
	if (get16(b + 12) == 0x0800) {
		ok &= ASSERT_EQ(s->ip[0], 0x45);
		ok &= ASSERT_EQ(get16(s->ip + 2), f->caplen - 14);
		ok &= ASSERT_EQ(get16(s->ip + 6), 0x4000); /* DF */
		ok &= ASSERT_EQ(s->ip[8], 64);
		ok &= ASSERT_EQ(s->ip[9], 6);
		ok &= CHECK(fold(sum16(0, s->ip, 20)) == 0xffff,
			    "IPv4 header checksum 0x%04x is wrong",
			    get16(s->ip + 10));
		s->tcp = s->ip + 20;
		tcp_len = f->caplen - 14 - 20;
		sum = sum16(0, s->ip + 12, 8);
	} else {
		if (!ASSERT_EQ(get16(b + 12), 0x86dd) ||
		    !CHECK(f->caplen >= 14 + 40 + 20, "short IPv6 frame"))
			return 0;
		s->v6 = 1;
		ok &= ASSERT_EQ(get32(s->ip), 0x60000000);
		ok &= ASSERT_EQ(get16(s->ip + 4), f->caplen - 14 - 40);
		ok &= ASSERT_EQ(s->ip[6], 6);
		ok &= ASSERT_EQ(s->ip[7], 64);
		s->tcp = s->ip + 40;
		tcp_len = f->caplen - 14 - 40;
		sum = sum16(0, s->ip + 8, 32);
	}
	ph[0] = 0;
	ph[1] = 6;
	ph[2] = (uint8_t)(tcp_len >> 8);
	ph[3] = (uint8_t)tcp_len;
	sum = sum16(sum, ph, 4);
	ok &= CHECK(fold(sum16(sum, s->tcp, tcp_len)) == 0xffff,
		    "TCP checksum 0x%04x is wrong", get16(s->tcp + 16));
	s->sport = get16(s->tcp);
	s->dport = get16(s->tcp + 2);
	s->seq = get32(s->tcp + 4);
	s->ack = get32(s->tcp + 8);
	s->doff = s->tcp[12] >> 4;
	s->flags = s->tcp[13];
	s->win = get16(s->tcp + 14);
	ok &= ASSERT_EQ(s->doff, 5); /* no option at all */
	ok &= ASSERT_EQ(s->win, 65535);
	ok &= ASSERT_EQ(get16(s->tcp + 18), 0);
	s->pay = s->tcp + 20;
	s->plen = tcp_len - 20;
	return ok;
}

/* ---- the connection the tests write ---- */

static uint8_t src[300000];

static void fill_src(void)
{
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + i / 251);
}

static void tuple4(struct mpx_sp_tuple *t)
{
	static const uint8_t a[16] = {0, 0, 0,	  0,	0,   0, 0, 0,
				      0, 0, 0xff, 0xff, 192, 0, 2, 1};
	static const uint8_t b[16] = {0, 0, 0,	  0,	0,   0, 0, 0,
				      0, 0, 0xff, 0xff, 192, 0, 2, 2};

	memset(t, 0, sizeof(*t));
	t->family = 4;
	memcpy(t->a_addr, a, 16);
	memcpy(t->b_addr, b, 16);
	t->a_port = 40000;
	t->b_port = 80;
}

static void tuple6(struct mpx_sp_tuple *t)
{
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				      0,    0,	  0,	0,    0, 0, 0, 1};
	static const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				      0,    0,	  0,	0,    0, 0, 0, 2};

	memset(t, 0, sizeof(*t));
	t->family = 6;
	memcpy(t->a_addr, a, 16);
	memcpy(t->b_addr, b, 16);
	t->a_port = 51000;
	t->b_port = 443;
}

static struct mpx_origin at_us(int64_t usec)
{
	struct mpx_origin o = {0, 0, 0};

	mpx_origin_set_time(&o, 1700000000, usec);
	return o;
}

static int same_time(const struct frame *f, const struct mpx_origin *o)
{
	return CHECK(f->sec == o->ts_sec && f->usec == o->ts_usec,
		     "time %" PRId64 ".%06d, want %" PRId64 ".%06d", f->sec,
		     f->usec, o->ts_sec, o->ts_usec);
}

static struct mpx_single_path *open_in_tmp(const char *name, char *path,
					   size_t pathlen)
{
	char err[512];
	struct mpx_single_path *sp;

	snprintf(path, pathlen, "%s/%s", tmpdir, name);
	sp = mpx_single_path_open(path, err, sizeof(err));
	CHECK(sp != NULL, "open: %s", err);
	return sp;
}

static int close_ok(struct mpx_single_path *sp)
{
	char err[512] = "";

	return CHECK(mpx_single_path_close(sp, err, sizeof(err)) == 0,
		     "close: %s", err);
}

/* Checks frame i: sender, flags, seq, ack, payload length. *out (when
 * not NULL) is the decoded frame, or points to zeros when it could not be
 * decoded. */
static int expect(const struct cap *c, size_t i, int from_b, uint8_t flags,
		  uint32_t seq, uint32_t ack, size_t plen, struct seg *out)
{
	struct seg s;
	int ok;

	memset(&s, 0, sizeof(s));
	s.ip = s.tcp = s.pay = zeros;
	ok = CHECK(i < c->n, "frame %zu of %zu", i, c->n) &&
	     decode(&c->f[i], &s);
	if (ok) {
		ok &= CHECK(s.from_b == from_b, "frame %zu sent by %c", i,
			    s.from_b ? 'b' : 'a');
		ok &= CHECK(s.flags == flags,
			    "frame %zu flags 0x%02x, want 0x%02x", i, s.flags,
			    flags);
		ok &= CHECK(s.seq == seq, "frame %zu seq %u, want %u", i, s.seq,
			    seq);
		ok &= CHECK(s.ack == ack, "frame %zu ack %u, want %u", i, s.ack,
			    ack);
		ok &= CHECK(s.plen == plen, "frame %zu payload %zu, want %zu",
			    i, s.plen, plen);
	}
	if (out)
		*out = s;
	return ok;
}

/* ---- tests ---- */

TEST(sp_handshake_and_close_v4)
{
	struct mpx_origin t0 = at_us(0), t1 = at_us(250);
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;
	struct seg s;
	struct cap cap;
	char path[512];

	if (!make_tmpdir())
		return;
	tuple4(&t);
	sp = open_in_tmp("hs.pcap", path, sizeof(path));
	if (!sp)
		goto out;
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t0);
	ASSERT_EQ(c != NULL, 1);
	mpx_single_path_conn_close(sp, c, 0, 0, &t1);
	if (!close_ok(sp) || !read_cap(path, &cap))
		goto out;
	if (!ASSERT_EQ(cap.n, 6))
		goto free;
	/* RFC 9293 section 3.5: SYN, SYN/ACK, ACK. */
	expect(&cap, 0, 0, F_SYN, ISN_A, 0, 0, &s);
	ASSERT_EQ(s.sport, 40000);
	ASSERT_EQ(s.dport, 80);
	ASSERT_MEMEQ(s.ip + 12, t.a_addr + 12, 4);
	ASSERT_MEMEQ(s.ip + 16, t.b_addr + 12, 4);
	expect(&cap, 1, 1, F_SYN | F_ACK, ISN_B, ISN_A + 1, 0, &s);
	ASSERT_EQ(s.sport, 80);
	ASSERT_EQ(s.dport, 40000);
	ASSERT_MEMEQ(s.ip + 12, t.b_addr + 12, 4);
	expect(&cap, 2, 0, F_ACK, ISN_A + 1, ISN_B + 1, 0, NULL);
	/* Empty streams: the FINs take ISN + 1. */
	expect(&cap, 3, 0, F_FIN | F_ACK, ISN_A + 1, ISN_B + 1, 0, NULL);
	expect(&cap, 4, 1, F_FIN | F_ACK, ISN_B + 1, ISN_A + 2, 0, NULL);
	expect(&cap, 5, 0, F_ACK, ISN_A + 2, ISN_B + 2, 0, NULL);
	for (size_t i = 0; i < cap.n; i++) {
		same_time(&cap.f[i], i < 3 ? &t0 : &t1);
		/* The IPv4 id counts up, one per frame. */
		if (i)
			ASSERT_EQ(
			    get16(cap.f[i].b + 14 + 4),
			    (uint16_t)(get16(cap.f[i - 1].b + 14 + 4) + 1));
	}
free:
	free_cap(&cap);
out:
	remove_tmpdir();
}

TEST(sp_data_segments_and_acks)
{
	struct mpx_origin t0 = at_us(0), t1 = at_us(10), t2 = at_us(20),
			  t3 = at_us(30);
	const uint32_t a1 = ISN_A + 1, b1 = ISN_B + 1;
	static const size_t sizes[] = {1400, 1400, 1400, 800};
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;
	struct seg s;
	struct cap cap;
	char path[512];
	uint32_t seq = a1;
	size_t i, off = 0;

	fill_src();
	if (!make_tmpdir())
		return;
	tuple4(&t);
	sp = open_in_tmp("data.pcap", path, sizeof(path));
	if (!sp)
		goto out;
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t0);
	mpx_single_path_data(sp, c, 0, 0, src, 5000, &t1);
	mpx_single_path_data(sp, c, 1, 0, src + 5000, 10, &t2);
	mpx_single_path_conn_close(sp, c, 5000, 10, &t3);
	if (!close_ok(sp) || !read_cap(path, &cap))
		goto out;
	/* 3 + (4 segments + ACK) + (1 + ACK) + 3 */
	if (!ASSERT_EQ(cap.n, 3 + 5 + 2 + 3))
		goto free;
	for (i = 0; i < 4; i++) {
		/* Contiguous across the 2^32 wrap, PSH on the last one. */
		expect(&cap, 3 + i, 0, i == 3 ? (F_PSH | F_ACK) : F_ACK, seq,
		       b1, sizes[i], &s);
		CHECK(s.plen <= MPX_SP_MSS, "segment of %zu bytes", s.plen);
		if (s.plen == sizes[i])
			ASSERT_MEMEQ(s.pay, src + off, sizes[i]);
		same_time(&cap.f[3 + i], &t1);
		seq += (uint32_t)sizes[i];
		off += sizes[i];
	}
	ASSERT_EQ(seq, (uint32_t)(a1 + 5000));
	expect(&cap, 7, 1, F_ACK, b1, a1 + 5000, 0, NULL);
	same_time(&cap.f[7], &t1);
	expect(&cap, 8, 1, F_PSH | F_ACK, b1, a1 + 5000, 10, &s);
	ASSERT_MEMEQ(s.pay, src + 5000, 10);
	same_time(&cap.f[8], &t2);
	expect(&cap, 9, 0, F_ACK, a1 + 5000, b1 + 10, 0, NULL);
	expect(&cap, 10, 0, F_FIN | F_ACK, a1 + 5000, b1 + 10, 0, NULL);
	expect(&cap, 11, 1, F_FIN | F_ACK, b1 + 10, a1 + 5001, 0, NULL);
	expect(&cap, 12, 0, F_ACK, a1 + 5001, b1 + 11, 0, NULL);
	same_time(&cap.f[12], &t3);
free:
	free_cap(&cap);
out:
	remove_tmpdir();
}

TEST(sp_hole_jumps_sequence)
{
	struct mpx_origin t0 = at_us(0);
	const uint32_t a1 = ISN_A + 1, b1 = ISN_B + 1;
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;
	struct seg s1, s2;
	struct cap cap;
	char path[512];

	fill_src();
	if (!make_tmpdir())
		return;
	tuple4(&t);
	sp = open_in_tmp("hole.pcap", path, sizeof(path));
	if (!sp)
		goto out;
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t0);
	mpx_single_path_data(sp, c, 0, 0, src, 100, &t0);
	/* Bytes 100..599 never seen; then 600..699; the stream ends at
	 * 1000 (a hole at the end too). */
	mpx_single_path_data(sp, c, 0, 600, src + 600, 100, &t0);
	mpx_single_path_conn_close(sp, c, 1000, 0, &t0);
	if (!close_ok(sp) || !read_cap(path, &cap))
		goto out;
	if (!ASSERT_EQ(cap.n, 3 + 2 + 2 + 3))
		goto free;
	expect(&cap, 3, 0, F_PSH | F_ACK, a1, b1, 100, &s1);
	expect(&cap, 4, 1, F_ACK, b1, a1 + 100, 0, NULL);
	expect(&cap, 5, 0, F_PSH | F_ACK, a1 + 600, b1, 100, &s2);
	/* The jump is exactly the hole: nothing invented to fill it. */
	ASSERT_EQ((uint32_t)(s2.seq - (s1.seq + (uint32_t)s1.plen)), 500);
	ASSERT_MEMEQ(s2.pay, src + 600, 100);
	expect(&cap, 6, 1, F_ACK, b1, a1 + 700, 0, NULL);
	expect(&cap, 7, 0, F_FIN | F_ACK, a1 + 1000, b1, 0, NULL);
	expect(&cap, 8, 1, F_FIN | F_ACK, b1, a1 + 1001, 0, NULL);
	expect(&cap, 9, 0, F_ACK, a1 + 1001, b1 + 1, 0, NULL);
free:
	free_cap(&cap);
out:
	remove_tmpdir();
}

/* One call far larger than the 65535-byte window, then a hole and more:
 * a tracker that drops what passes the offered window must drop nothing,
 * and the bytes come back whole. */
TEST(sp_large_write_stays_in_window)
{
	struct mpx_origin t0 = at_us(0);
	const uint32_t a1 = ISN_A + 1;
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;
	struct seg s;
	struct cap cap;
	char path[512];
	uint32_t acked = a1, next = a1;
	uint64_t got = 0, bad_window = 0, bad_order = 0, bad_bytes = 0;
	uint64_t big = 0;

	fill_src();
	if (!make_tmpdir())
		return;
	tuple4(&t);
	sp = open_in_tmp("big.pcap", path, sizeof(path));
	if (!sp)
		goto out;
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t0);
	mpx_single_path_data(sp, c, 0, 0, src, 200000, &t0);
	mpx_single_path_data(sp, c, 0, 230000, src + 230000, 60000, &t0);
	mpx_single_path_conn_close(sp, c, 290000, 0, &t0);
	if (!close_ok(sp) || !read_cap(path, &cap))
		goto out;
	for (size_t i = 3; i < cap.n; i++) {
		if (!decode(&cap.f[i], &s))
			break;
		if (s.from_b) {
			acked = s.ack;
			continue;
		}
		if (!s.plen)
			continue;
		if ((uint32_t)(s.seq + s.plen - acked) > 65535)
			bad_window++;
		if (s.plen > MPX_SP_MSS)
			big++;
		if (s.seq != next &&
		    !(next == a1 + 200000 && s.seq == a1 + 230000))
			bad_order++;
		if (memcmp(s.pay, src + (uint32_t)(s.seq - a1), s.plen))
			bad_bytes++;
		next = s.seq + (uint32_t)s.plen;
		got += s.plen;
	}
	ASSERT_EQ(bad_window, 0);
	ASSERT_EQ(big, 0);
	ASSERT_EQ(bad_order, 0);
	ASSERT_EQ(bad_bytes, 0);
	ASSERT_EQ(got, 260000);
	free_cap(&cap);
out:
	remove_tmpdir();
}

TEST(sp_ipv6)
{
	struct mpx_origin t0 = at_us(0), t1 = at_us(1);
	const uint32_t a1 = ISN_A + 1, b1 = ISN_B + 1;
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;
	struct seg s;
	struct cap cap;
	char path[512];

	fill_src();
	if (!make_tmpdir())
		return;
	tuple6(&t);
	sp = open_in_tmp("v6.pcap", path, sizeof(path));
	if (!sp)
		goto out;
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t0);
	mpx_single_path_data(sp, c, 1, 0, src, 1401, &t1); /* odd length */
	mpx_single_path_conn_close(sp, c, 0, 1401, &t1);
	if (!close_ok(sp) || !read_cap(path, &cap))
		goto out;
	if (!ASSERT_EQ(cap.n, 3 + 3 + 3))
		goto free;
	expect(&cap, 0, 0, F_SYN, ISN_A, 0, 0, &s);
	ASSERT_EQ(s.v6, 1);
	ASSERT_MEMEQ(s.ip + 8, t.a_addr, 16);
	ASSERT_MEMEQ(s.ip + 24, t.b_addr, 16);
	ASSERT_EQ(s.sport, 51000);
	ASSERT_EQ(s.dport, 443);
	expect(&cap, 1, 1, F_SYN | F_ACK, ISN_B, a1, 0, &s);
	ASSERT_MEMEQ(s.ip + 8, t.b_addr, 16);
	expect(&cap, 2, 0, F_ACK, a1, b1, 0, NULL);
	expect(&cap, 3, 1, F_ACK, b1, a1, 1400, &s);
	ASSERT_MEMEQ(s.pay, src, 1400);
	expect(&cap, 4, 1, F_PSH | F_ACK, b1 + 1400, a1, 1, &s);
	ASSERT_EQ(s.pay[0], src[1400]);
	expect(&cap, 5, 0, F_ACK, a1, b1 + 1401, 0, NULL);
	expect(&cap, 6, 0, F_FIN | F_ACK, a1, b1 + 1401, 0, NULL);
	expect(&cap, 7, 1, F_FIN | F_ACK, b1 + 1401, a1 + 1, 0, NULL);
	expect(&cap, 8, 0, F_ACK, a1 + 1, b1 + 1402, 0, NULL);
free:
	free_cap(&cap);
out:
	remove_tmpdir();
}

TEST(sp_passthrough_byte_identical)
{
	struct mpx_origin t0 = at_us(5), t1 = at_us(6), t2 = at_us(7);
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;
	struct cap cap;
	char path[512];
	uint8_t small[61], large[1514];

	for (size_t i = 0; i < sizeof(small); i++)
		small[i] = (uint8_t)(0xa5 ^ i);
	for (size_t i = 0; i < sizeof(large); i++)
		large[i] = (uint8_t)(i * 13);
	fill_src();
	if (!make_tmpdir())
		return;
	tuple4(&t);
	sp = open_in_tmp("pass.pcap", path, sizeof(path));
	if (!sp)
		goto out;
	mpx_single_path_frame(sp, &t0, small, sizeof(small));
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t1);
	mpx_single_path_frame(sp, &t2, large, sizeof(large));
	mpx_single_path_conn_close(sp, c, 0, 0, &t2);
	/* Longer than a reader takes (libpcap's 262144 for Ethernet): cut
	 * to that, its length kept. */
	mpx_single_path_frame(sp, &t2, src, sizeof(src));
	if (!close_ok(sp) || !read_cap(path, &cap))
		goto out;
	if (!ASSERT_EQ(cap.n, 1 + 3 + 1 + 3 + 1))
		goto free;
	ASSERT_EQ(cap.f[8].caplen, 262144);
	ASSERT_EQ(cap.f[8].len, sizeof(src));
	ASSERT_MEMEQ(cap.f[8].b, src, 262144);
	ASSERT_EQ(cap.f[0].caplen, sizeof(small));
	ASSERT_EQ(cap.f[0].len, sizeof(small));
	ASSERT_MEMEQ(cap.f[0].b, small, sizeof(small));
	same_time(&cap.f[0], &t0);
	ASSERT_EQ(cap.f[4].caplen, sizeof(large));
	ASSERT_EQ(cap.f[4].len, sizeof(large));
	ASSERT_MEMEQ(cap.f[4].b, large, sizeof(large));
	same_time(&cap.f[4], &t2);
	expect(&cap, 1, 0, F_SYN, ISN_A, 0, 0, NULL);
	expect(&cap, 5, 0, F_FIN | F_ACK, ISN_A + 1, ISN_B + 1, 0, NULL);
free:
	free_cap(&cap);
out:
	remove_tmpdir();
}

/* One line naming the path and the reason. */
static void open_fails(const char *path, int errnum)
{
	char err[512] = "";
	struct mpx_single_path *sp;

	sp = mpx_single_path_open(path, err, sizeof(err));
	if (!CHECK(sp == NULL, "%s opened", path)) {
		mpx_single_path_close(sp, err, sizeof(err));
		return;
	}
	CHECK(strstr(err, path) != NULL, "'%s' does not name the path", err);
	CHECK(strstr(err, strerror(errnum)) != NULL, "'%s' lacks '%s'", err,
	      strerror(errnum));
	CHECK(strchr(err, '\n') == NULL, "'%s' is more than one line", err);
}

TEST(sp_open_errors)
{
	char path[512];
	FILE *f;

	if (!make_tmpdir())
		return;
	snprintf(path, sizeof(path), "%s/missing/out.pcap", tmpdir);
	open_fails(path, ENOENT);
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	f = fopen(path, "w");
	if (CHECK(f != NULL, "%s: %s", path, strerror(errno))) {
		fclose(f);
		snprintf(path, sizeof(path), "%s/file/out.pcap", tmpdir);
		open_fails(path, ENOTDIR);
	}
	/* Root writes anywhere: permissions are checked only without it. */
	snprintf(path, sizeof(path), "%s/ro", tmpdir);
	if (geteuid() != 0 &&
	    CHECK(mkdir(path, 0500) == 0, "%s: %s", path, strerror(errno))) {
		snprintf(path, sizeof(path), "%s/ro/out.pcap", tmpdir);
		open_fails(path, EACCES);
	}
	remove_tmpdir();
}

TEST(sp_close_reports_write_error)
{
	struct mpx_origin t0 = at_us(0);
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;
	char err[512] = "";

	if (access("/dev/full", W_OK) != 0)
		SKIP("no writable /dev/full");
	fill_src();
	sp = mpx_single_path_open("/dev/full", err, sizeof(err));
	if (!CHECK(sp != NULL, "open: %s", err))
		return;
	tuple4(&t);
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t0);
	/* More than stdio buffers: writes fail before the close too. */
	mpx_single_path_data(sp, c, 0, 0, src, 100000, &t0);
	mpx_single_path_conn_close(sp, c, 100000, 0, &t0);
	ASSERT_EQ(mpx_single_path_close(sp, err, sizeof(err)), -1);
	CHECK(strstr(err, "/dev/full") != NULL, "'%s'", err);
	CHECK(strstr(err, strerror(ENOSPC)) != NULL, "'%s'", err);
	CHECK(strchr(err, '\n') == NULL, "'%s' is more than one line", err);
}

/* ---- the readers the file is for ---- */

static int on_path(const char *name)
{
	const char *p = getenv("PATH");
	char buf[1024];

	while (p && *p) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
		if (n && access(buf, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/* argv run with stdout into out (stderr dropped); its exit status. */
static int run(char *const argv[], const char *out)
{
	pid_t pid = fork();
	int st, fd;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Reads a whole file; its length in *len, NULL when it cannot. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			uint8_t *nb = realloc(b, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return b;
}

#define A2B_LEN 4000
#define B2A_LEN 300

/* A small connection with known bytes: a to b in two calls, b to a in
 * one between them. */
static int write_known(const char *path)
{
	struct mpx_origin t0 = at_us(0), t1 = at_us(100), t2 = at_us(200);
	char err[512];
	struct mpx_single_path *sp;
	struct mpx_sp_tuple t;
	struct mpx_sp_conn *c;

	fill_src();
	sp = mpx_single_path_open(path, err, sizeof(err));
	if (!CHECK(sp != NULL, "open: %s", err))
		return 0;
	tuple4(&t);
	c = mpx_single_path_conn_open(sp, &t, ISN_A, ISN_B, &t0);
	mpx_single_path_data(sp, c, 0, 0, src, 2500, &t1);
	mpx_single_path_data(sp, c, 1, 0, src + 100000, B2A_LEN, &t1);
	mpx_single_path_data(sp, c, 0, 2500, src + 2500, A2B_LEN - 2500, &t2);
	mpx_single_path_conn_close(sp, c, A2B_LEN, B2A_LEN, &t2);
	return close_ok(sp);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

TEST(sp_tshark_follow_raw)
{
	static uint8_t a2b[A2B_LEN + 16], b2a[B2A_LEN + 16];
	char *argv[] = {"tshark", "-n", "-r", NULL, "-q", "-z", NULL, NULL};
	char path[512], out[512], line[16384];
	char follow[] = "follow,tcp,raw,0";
	size_t na = 0, nb = 0, bad = 0;
	int body = 0;
	FILE *f;

	if (!on_path("tshark"))
		SKIP("tshark not on PATH");
	if (!make_tmpdir())
		return;
	snprintf(path, sizeof(path), "%s/known.pcap", tmpdir);
	snprintf(out, sizeof(out), "%s/follow.txt", tmpdir);
	if (!write_known(path))
		goto out;
	argv[3] = path;
	argv[6] = follow;
	if (!ASSERT_EQ(run(argv, out), 0))
		goto out;
	f = fopen(out, "r");
	if (!CHECK(f != NULL, "%s: %s", out, strerror(errno)))
		goto out;
	/* After "Node 1:", one hex line per segment, those of node 1 (b,
	 * the responder) indented by a tab, until the closing "====". */
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;
		int from_b = 0;

		if (!body) {
			body = strncmp(line, "Node 1:", 7) == 0;
			continue;
		}
		if (line[0] == '=')
			break;
		if (*p == '\t') {
			from_b = 1;
			p++;
		}
		for (; hexval(p[0]) >= 0 && hexval(p[1]) >= 0; p += 2) {
			uint8_t v = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));

			if (from_b && nb < sizeof(b2a))
				b2a[nb++] = v;
			else if (!from_b && na < sizeof(a2b))
				a2b[na++] = v;
		}
		if (*p != '\n' && *p != '\0')
			bad++;
	}
	fclose(f);
	ASSERT_EQ(body, 1);
	ASSERT_EQ(bad, 0);
	if (ASSERT_EQ(na, A2B_LEN))
		ASSERT_MEMEQ(a2b, src, A2B_LEN);
	if (ASSERT_EQ(nb, B2A_LEN))
		ASSERT_MEMEQ(b2a, src + 100000, B2A_LEN);
out:
	remove_tmpdir();
}

TEST(sp_tcpflow)
{
	char *argv[] = {"tcpflow", "-r", NULL, "-o", NULL, NULL};
	char path[512], dir[512], out[512], flow[1024];
	uint8_t *b;
	size_t n;

	if (!on_path("tcpflow"))
		SKIP("tcpflow not on PATH");
	if (!make_tmpdir())
		return;
	snprintf(path, sizeof(path), "%s/known.pcap", tmpdir);
	snprintf(dir, sizeof(dir), "%s/flows", tmpdir);
	snprintf(out, sizeof(out), "%s/tcpflow.txt", tmpdir);
	if (!write_known(path) ||
	    !CHECK(mkdir(dir, 0755) == 0, "%s: %s", dir, strerror(errno)))
		goto out;
	argv[2] = path;
	argv[4] = dir;
	if (!ASSERT_EQ(run(argv, out), 0))
		goto out;
	/* tcpflow names a flow's file by its source and destination,
	 * zero-padded: exactly the bytes of that direction. */
	snprintf(flow, sizeof(flow), "%s/%s", dir,
		 "192.000.002.001.40000-192.000.002.002.00080");
	b = slurp(flow, &n);
	if (CHECK(b != NULL, "%s: %s", flow, strerror(errno)) &&
	    ASSERT_EQ(n, A2B_LEN))
		ASSERT_MEMEQ(b, src, A2B_LEN);
	free(b);
	snprintf(flow, sizeof(flow), "%s/%s", dir,
		 "192.000.002.002.00080-192.000.002.001.40000");
	b = slurp(flow, &n);
	if (CHECK(b != NULL, "%s: %s", flow, strerror(errno)) &&
	    ASSERT_EQ(n, B2A_LEN))
		ASSERT_MEMEQ(b, src + 100000, B2A_LEN);
	free(b);
out:
	remove_tmpdir();
}

TEST_MAIN("single_path")
