// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Unit tests of the correlator's data level (user/correlate/corr_stream.c,
 * over user/stream/reassembly.c and user/stream/dss_map.c): MPTCP records
 * and payload in, the --streams files, the data-level events and the
 * summary's "data" out.
 *
 * The correlator is driven as tests/unit/test_correlate.c drives it: by
 * synthetic `struct mptcp_event` records (include/mptcp_event.h), with a
 * test writer that captures every event. Every record's sequence number is
 * the one the wire would carry (the subflow's ISN from its SYN plus the
 * relative SSN), so the payload lands through the mappings exactly as a
 * capture's would. The keys are the v1 vector of docs/design.md; their
 * IDSNs (RFC 8684 section 3.1: the low 64 bits of SHA-256 of the key) are
 * computed here with OpenSSL, and that computation is itself checked
 * against the documented vector, so that an offset the test expects is
 * never taken from the code under test.
 *
 * RFC 8684 sections cited: 3.1 (IDSN), 3.3 (DSS, 4-byte DSNs), 3.3.1
 * (mappings, checksum, infinite mapping), 3.3.3 (DATA_FIN).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>
#include <openssl/sha.h>

#include "correlate/correlate.h"
#include "mptcp_event.h"
#include "output/conn_event.h"
#include "stream/dss_checksum.h"
#include "stream/reassembly.h"
#include "test_harness.h"

/* ---- vectors ------------------------------------------------------------ */

/* docs/design.md: one Linux v1 connection, A = client, B = server. */
#define KEY_A	    0x61e1d0065542809bULL
#define KEY_B	    0x4d4c52a7e86df770ULL
#define TOKEN_B	    0xc56050edU
#define R_A	    0x34acc972U
#define R_B	    0x764bf014U
#define SYNACK_HMAC 0x465b9f41d38e312dULL
static const __u8 ACK_HMAC[20] = {
    0x32, 0xbc, 0xc1, 0x75, 0x87, 0x20, 0x55, 0x08, 0xc2, 0xb0,
    0x1b, 0xd8, 0xb8, 0x39, 0x57, 0x11, 0xe7, 0xae, 0x50, 0xde,
};
/* docs/design.md, "v1, from Linux": a key and the IDSN Linux derived. */
#define LINUX_KEY  0x359d87cb7ab1243dULL
#define LINUX_IDSN 0x0f84c5bbc4ac7476ULL

#define T0 1795666764 /* capture-like timestamps */

/* RFC 8684 section 3.1: IDSN = the least significant 64 bits of
 * SHA-256(key), the key as 8 big-endian bytes. */
static __u64 idsn_of_key(__u64 key)
{
	__u8 be[8], h[SHA256_DIGEST_LENGTH];
	__u64 v = 0;

	for (int i = 0; i < 8; i++)
		be[i] = (__u8)(key >> (56 - 8 * i));
	SHA256(be, sizeof(be), h);
	for (int i = SHA256_DIGEST_LENGTH - 8; i < SHA256_DIGEST_LENGTH; i++)
		v = v << 8 | h[i];
	return v;
}

/* Byte off of each direction's stream is at DSN IDSN + 1 + off. */
static __u64 dsn_a(__u64 off)
{
	return idsn_of_key(KEY_A) + 1 + off;
}

static __u64 dsn_b(__u64 off)
{
	return idsn_of_key(KEY_B) + 1 + off;
}

/* A message whose bytes do not repeat in any short period, so that bytes
 * put at a wrong offset show. */
static void fill_msg(__u8 *buf, size_t len, __u32 seed)
{
	__u32 x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (__u8)(x >> 16);
	}
}

/* ---- the capturing writer ------------------------------------------------ */

struct cap_field {
	char key[24];
	char text[96];
};

struct cap_event {
	char name[32];
	char conn[24];
	int nfields;
	struct cap_field f[MPX_EV_MAX_FIELDS];
	struct mpx_conn_summary *sum; /* connection_closed only */
};

struct cap {
	struct mpx_event_writer writer; /* first: the callbacks get &writer */
	struct cap_event **ev;
	int n, size;
};

static void field_text(const struct mpx_field *f, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	switch (f->type) {
	case MPX_F_STR:
		snprintf(out, len, "%s", f->v.s);
		break;
	case MPX_F_U64:
		snprintf(out, len, "%" PRIu64, f->v.u);
		break;
	case MPX_F_BOOL:
		snprintf(out, len, "%s", f->v.u ? "true" : "false");
		break;
	case MPX_F_NULL:
		snprintf(out, len, "null");
		break;
	case MPX_F_HEX:
		snprintf(out, len, "%0*" PRIx64, f->width, f->v.u);
		break;
	case MPX_F_BYTES:
		for (int i = 0; i < f->width && n + 3 < len; i++)
			n += (size_t)snprintf(out + n, len - n, "%02x",
					      f->v.bytes[i]);
		break;
	case MPX_F_U8S:
		for (int i = 0; i < f->width && n + 5 < len; i++)
			n += (size_t)snprintf(out + n, len - n,
					      i ? ",%u" : "%u", f->v.bytes[i]);
		break;
	case MPX_F_TIME:
		snprintf(out, len, "%" PRIu64 ".%06d", f->v.u, f->width);
		break;
	}
}

static void cap_event(struct mpx_event_writer *s,
		      const struct mpx_conn_event *e)
{
	struct cap *c = (struct cap *)s;
	struct cap_event *x;

	if (c->n == c->size) {
		c->size = c->size ? 2 * c->size : 64;
		c->ev = realloc(c->ev, (size_t)c->size * sizeof(*c->ev));
		if (!c->ev)
			exit(2);
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		exit(2);
	c->ev[c->n++] = x;
	snprintf(x->name, sizeof(x->name), "%s", e->name);
	if (e->conn_id)
		snprintf(x->conn, sizeof(x->conn), "%s", e->conn_id);
	x->nfields = e->nfields;
	for (int i = 0; i < e->nfields && i < MPX_EV_MAX_FIELDS; i++) {
		snprintf(x->f[i].key, sizeof(x->f[i].key), "%s",
			 e->fields[i].key);
		field_text(&e->fields[i], x->f[i].text, sizeof(x->f[i].text));
	}
	if (e->summary) {
		/* Its strings are the correlator's literals: copying the
		 * pointers is enough. */
		x->sum = malloc(sizeof(*x->sum));
		if (!x->sum)
			exit(2);
		*x->sum = *e->summary;
	}
}

static void cap_finish(struct mpx_event_writer *s)
{
	(void)s;
}

/* ---- a test's world: correlator + writer + clock + streams directory ---- */

struct tc {
	struct cap cap;
	struct mpx_correlator *c;
	uint64_t frame;
	char dir[64]; /* "" when streams are off */
};

/* streams: 0 off; else on, into a fresh directory, with depth and memcap
 * (0: the correlator's "no limit"). */
static void tc_init(struct tc *t, int streams, __u64 depth, __u64 memcap)
{
	memset(t, 0, sizeof(*t));
	t->cap.writer.event = cap_event;
	t->cap.writer.finish = cap_finish;
	t->c = mpx_corr_new(16, &t->cap.writer);
	if (!t->c) {
		fprintf(stderr, "mpx_corr_new failed\n");
		exit(2);
	}
	if (streams) {
		struct mpx_stream_opts o = {0};

		snprintf(t->dir, sizeof(t->dir),
			 "/tmp/test_corr_stream.XXXXXX");
		if (!mkdtemp(t->dir)) {
			perror("mkdtemp");
			exit(2);
		}
		o.on = 1;
		o.dir = t->dir;
		o.depth = depth;
		o.memcap = memcap;
		mpx_corr_set_streams(t->c, &o);
	}
}

static void tc_free(struct tc *t)
{
	mpx_corr_free(t->c);
	for (int i = 0; i < t->cap.n; i++) {
		free(t->cap.ev[i]->sum);
		free(t->cap.ev[i]);
	}
	free(t->cap.ev);
	if (t->dir[0]) {
		/* Only what the correlator wrote is in there. */
		DIR *d = opendir(t->dir);
		struct dirent *e;
		char path[512];

		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", t->dir,
				 e->d_name);
			unlink(path);
		}
		if (d)
			closedir(d);
		rmdir(t->dir);
	}
	memset(t, 0, sizeof(*t));
}

static struct mpx_origin now(const struct tc *t)
{
	struct mpx_origin o;

	memset(&o, 0, sizeof(o));
	o.frame = t->frame;
	o.ts_sec = T0 + (int64_t)(t->frame / 1000);
	o.ts_usec = (int32_t)(t->frame % 1000) * 1000;
	return o;
}

/* Each record is one frame, 1 ms after the previous one. */
static void feed(struct tc *t, const struct mptcp_event *ev)
{
	struct mpx_origin o;

	t->frame++;
	o = now(t);
	mpx_corr_record(t->c, &o, ev);
}

static const struct mpx_corr_stats *stats(struct tc *t)
{
	return mpx_corr_stats(t->c);
}

/* ---- queries on what was said ------------------------------------------- */

static int count(const struct tc *t, const char *name)
{
	int n = 0;

	for (int i = 0; i < t->cap.n; i++)
		n += strcmp(t->cap.ev[i]->name, name) == 0;
	return n;
}

static const struct cap_event *first(const struct tc *t, const char *name)
{
	for (int i = 0; i < t->cap.n; i++)
		if (strcmp(t->cap.ev[i]->name, name) == 0)
			return t->cap.ev[i];
	return NULL;
}

static const char *F(const struct cap_event *e, const char *key)
{
	if (!e)
		return "(no event)";
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->f[i].key, key) == 0)
			return e->f[i].text;
	return "(absent)";
}

static const char *conn_of(const struct cap_event *e)
{
	return e ? e->conn : "(no event)";
}

static int count_anomaly(const struct tc *t, const char *kind)
{
	int n = 0;

	for (int i = 0; i < t->cap.n; i++)
		n += strcmp(t->cap.ev[i]->name, "anomaly") == 0 &&
		     strcmp(F(t->cap.ev[i], "kind"), kind) == 0;
	return n;
}

static const struct cap_event *anomaly_ev(const struct tc *t, const char *kind)
{
	for (int i = 0; i < t->cap.n; i++)
		if (strcmp(t->cap.ev[i]->name, "anomaly") == 0 &&
		    strcmp(F(t->cap.ev[i], "kind"), kind) == 0)
			return t->cap.ev[i];
	return NULL;
}

static const struct mpx_conn_summary *summary_of(const struct tc *t,
						 const char *conn)
{
	for (int i = 0; i < t->cap.n; i++)
		if (strcmp(t->cap.ev[i]->name, "connection_closed") == 0 &&
		    strcmp(t->cap.ev[i]->conn, conn) == 0)
			return t->cap.ev[i]->sum;
	return NULL;
}

static void dump_events(const struct tc *t)
{
	for (int i = 0; i < t->cap.n; i++) {
		const struct cap_event *e = t->cap.ev[i];

		fprintf(stderr, "    [%d] %s conn=%s", i, e->name,
			e->conn[0] ? e->conn : "-");
		for (int k = 0; k < e->nfields; k++)
			fprintf(stderr, " %s=%s", e->f[k].key, e->f[k].text);
		fputc('\n', stderr);
	}
}

/* No `anomaly` event at all; prints the events when there is one. */
#define ASSERT_NO_ANOMALY(t)                                                   \
	do {                                                                   \
		int n_ = count(t, "anomaly");                                  \
		CHECK(n_ == 0, "%d anomaly event(s)", n_);                     \
		if (n_)                                                        \
			dump_events(t);                                        \
	} while (0)

/* The whole of DIR/<conn>.<dir> (malloc'd, *len its size), or NULL when
 * there is no such file. */
static __u8 *slurp(const struct tc *t, const char *conn, const char *dir,
		   size_t *len)
{
	char path[256];
	struct stat st;
	__u8 *buf;
	FILE *f;

	*len = 0;
	snprintf(path, sizeof(path), "%s/%s.%s", t->dir, conn, dir);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		exit(2);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

static int file_exists(const struct tc *t, const char *conn, const char *dir)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.%s", t->dir, conn, dir);
	return stat(path, &st) == 0;
}

/* The file is exactly want[0, len). */
#define ASSERT_FILE(t, conn, dir, want, wlen)                                  \
	do {                                                                   \
		size_t got_len_;                                               \
		__u8 *got_ = slurp(t, conn, dir, &got_len_);                   \
		CHECK(got_ != NULL, "no file %s.%s", conn, dir);               \
		if (got_ && ASSERT_EQ(got_len_, (wlen)))                       \
			ASSERT_MEMEQ(got_, want, wlen);                        \
		free(got_);                                                    \
	} while (0)

/* ---- record builders ---------------------------------------------------- */

struct ep {
	__u8 family;
	__u8 addr[MPX_ADDR_LEN]; /* IPv4 as ::ffff:a.b.c.d, as the records */
	__u16 port;
};

static struct ep ep(const char *ip, __u16 port)
{
	struct ep e;

	memset(&e, 0, sizeof(e));
	e.family = 4;
	e.addr[10] = e.addr[11] = 0xff;
	inet_pton(AF_INET, ip, e.addr + 12);
	e.port = port;
	return e;
}

/* A subflow: a sent the SYN; isn_a, isn_b its SYN's and SYN/ACK's. */
struct path {
	struct ep a, b;
	__u32 isn_a, isn_b;
};

static struct path path(const char *a, __u16 ap, const char *b, __u16 bp)
{
	struct path p;

	p.a = ep(a, ap);
	p.b = ep(b, bp);
	p.isn_a = 0x10000000u + ap;
	p.isn_b = 0x20000000u + bp;
	return p;
}

#define P_INIT() path("198.18.1.1", 40000, "198.18.1.2", 80)
#define P_JOIN() path("198.18.2.1", 40001, "198.19.1.2", 80)

static struct mptcp_event rec(const struct path *p, int from_a, __u8 kind,
			      __u8 flags)
{
	const struct ep *s = from_a ? &p->a : &p->b;
	const struct ep *d = from_a ? &p->b : &p->a;
	struct mptcp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.abi_version = MPX_ABI_VERSION;
	ev.kind = kind;
	ev.hook = MPX_HOOK_HOST;
	memcpy(ev.saddr, s->addr, MPX_ADDR_LEN);
	memcpy(ev.daddr, d->addr, MPX_ADDR_LEN);
	ev.sport = s->port;
	ev.dport = d->port;
	ev.family = s->family;
	ev.tcp_flags = flags;
	ev.seq = from_a ? p->isn_a : p->isn_b;
	if (flags & MPX_TCP_ACK)
		ev.ack = (from_a ? p->isn_b : p->isn_a) + 1;
	if (!(flags & MPX_TCP_SYN))
		ev.seq++;
	ev.subtype =
	    kind <= MPX_EV_MP_EXPERIMENTAL ? kind : MPX_SUBTYPE_UNKNOWN;
	ev.version = MPX_VERSION_UNKNOWN;
	return ev;
}

/* The v1 handshake of RFC 8684 section 3.1 (H = HMAC-SHA256), as Linux
 * does it: flags on the SYN, Key-B on the SYN/ACK, both keys on the third
 * ACK. */
static void open_conn(struct tc *t, const struct path *p)
{
	struct mptcp_event ev = rec(p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_SYN);

	ev.version = 1;
	ev.opt_len = 4;
	ev.u.capable.flags = MPX_CAP_H;
	feed(t, &ev);

	ev = rec(p, 0, MPX_EV_MP_CAPABLE, MPX_TCP_SYN | MPX_TCP_ACK);
	ev.version = 1;
	ev.opt_len = 12;
	ev.u.capable.flags = MPX_CAP_H;
	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = KEY_B;
	feed(t, &ev);

	ev = rec(p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_ACK);
	ev.version = 1;
	ev.opt_len = 20;
	ev.u.capable.flags = MPX_CAP_H;
	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = KEY_A;
	ev.u.capable.has_receiver_key = 1;
	ev.u.capable.receiver_key = KEY_B;
	feed(t, &ev);
}

/* An MP_JOIN from A to B's token (RFC 8684 section 3.2), with the
 * docs/design.md nonces and HMACs. */
static void join(struct tc *t, const struct path *p)
{
	struct mptcp_event ev = rec(p, 1, MPX_EV_MP_JOIN, MPX_TCP_SYN);

	ev.opt_len = 12;
	ev.u.join.stage = MPX_JOIN_SYN;
	ev.u.join.token = TOKEN_B;
	ev.u.join.nonce = R_A;
	ev.u.join.addr_id = 1;
	feed(t, &ev);

	ev = rec(p, 0, MPX_EV_MP_JOIN, MPX_TCP_SYN | MPX_TCP_ACK);
	ev.opt_len = 16;
	ev.u.join.stage = MPX_JOIN_SYNACK;
	ev.u.join.hmac64 = SYNACK_HMAC;
	ev.u.join.nonce = R_B;
	feed(t, &ev);

	ev = rec(p, 1, MPX_EV_MP_JOIN, MPX_TCP_ACK);
	ev.opt_len = 24;
	ev.u.join.stage = MPX_JOIN_ACK;
	memcpy(ev.u.join.hmac, ACK_HMAC, MPX_JOIN_HMAC_LEN);
	feed(t, &ev);
}

/* A DSS mapping (RFC 8684 section 3.3.1) sent by a (from_a) or b. */
struct map {
	__u64 dsn;	/* the 64-bit DSN, or only its low half (dsn4) */
	int dsn4;	/* a 4-byte DSN: the "m" flag clear */
	__u32 ssn;	/* relative to the sender's ISN: 1 is its first byte */
	__u16 data_len; /* 0: the infinite mapping */
	int has_csum;
	__u16 csum;
	int data_fin;
	__u16 payload; /* the packet's payload length (the record's) */
};

static void dss_map(struct tc *t, const struct path *p, int from_a,
		    const struct map *m)
{
	struct mptcp_event ev = rec(p, from_a, MPX_EV_DSS, MPX_TCP_ACK);
	struct mpx_ev_dss *d = &ev.u.dss;

	/* The packet that carries the mapping carries its first byte. */
	ev.seq = (from_a ? p->isn_a : p->isn_b) + m->ssn;
	ev.payload_len = m->payload;
	d->has_ack = 1;
	d->has_map = 1;
	d->flags = MPX_DSS_A | MPX_DSS_M | (m->dsn4 ? 0 : MPX_DSS_m) |
		   (m->data_fin ? MPX_DSS_F : 0);
	d->dsn8 = !m->dsn4;
	d->dsn = m->dsn4 ? (__u32)m->dsn : m->dsn;
	d->ssn = m->ssn;
	d->data_len = m->data_len;
	d->has_checksum = (__u8)m->has_csum;
	d->checksum = m->csum;
	d->data_fin = (__u8)m->data_fin;
	ev.opt_len =
	    (__u8)(4 + 4 + (m->dsn4 ? 4 : 8) + 4 + 2 + (m->has_csum ? 2 : 0));
	feed(t, &ev);
}

/* Payload of the last record's packet: bytes at relative SSN ssn. */
static void payload(struct tc *t, const struct path *p, int from_a, __u32 ssn,
		    const __u8 *buf, size_t len)
{
	struct mptcp_event hdr = rec(p, from_a, MPX_EV_PAYLOAD, MPX_TCP_ACK);
	struct mpx_origin o = now(t);

	hdr.seq = (from_a ? p->isn_a : p->isn_b) + ssn;
	hdr.payload_len = (__u16)len;
	hdr.u.payload.offset = 0;
	hdr.u.payload.len = (__u16)len;
	mpx_corr_payload(t->c, &o, &hdr, buf, len);
}

/* One packet: a mapping of exactly its payload (8-byte DSN), then the
 * payload. */
static void seg(struct tc *t, const struct path *p, int from_a, __u64 dsn,
		__u32 ssn, const __u8 *buf, size_t len)
{
	struct map m = {.dsn = dsn,
			.ssn = ssn,
			.data_len = (__u16)len,
			.payload = (__u16)len};

	dss_map(t, p, from_a, &m);
	payload(t, p, from_a, ssn, buf, len);
}

/* The mapping's checksum as its sender computes it (RFC 8684 3.3.1). */
static __u16 csum_of(__u64 dsn, __u32 ssn, __u16 data_len, const __u8 *buf,
		     size_t len)
{
	return mpx_dss_csum_value(mpx_dss_csum_add(0, 0, buf, len), dsn, ssn,
				  data_len);
}

/* ---- the vectors themselves ---------------------------------------------- */

/* The IDSN helper agrees with the IDSN Linux derived (docs/design.md): the
 * DSNs every other test sends are right. */
TEST(idsn_helper_matches_linux_vector)
{
	ASSERT_EQ(idsn_of_key(LINUX_KEY), LINUX_IDSN);
}

/* ---- reassembly across subflows and directions -------------------------- */

/* One message split over the initial subflow and a join, interleaved and
 * out of order: the a2b file is the message, nothing is reported. */
TEST(two_subflows_interleaved)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct mpx_conn_summary *s;
	__u8 msg[600];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 1);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	join(&t, &j);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	ASSERT_EQ(strlen(conn), 16);
	/* The initial subflow carries [0,100) and [250,400), the join
	 * [100,250) and [400,600); the join's second piece comes first. */
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	seg(&t, &j, 1, dsn_a(400), 151, msg + 400, 200);
	seg(&t, &j, 1, dsn_a(100), 1, msg + 100, 150);
	seg(&t, &p, 1, dsn_a(250), 101, msg + 250, 150);
	ASSERT_EQ(stats(&t)->stream_bytes, 600);
	ASSERT_EQ(stats(&t)->stream_unmapped_bytes, 0);
	mpx_corr_finish(t.c);

	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	CHECK(!file_exists(&t, conn, "b2a"), "a b2a file for no b2a data");
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->nsubflows, 2);
		ASSERT_EQ(s->has_data, 1);
		ASSERT_EQ(s->data[0].data_bytes, sizeof(msg));
		ASSERT_EQ(s->data[0].gap_bytes, 0);
		ASSERT_EQ(s->data[0].reinjected_bytes, 0);
		ASSERT_EQ(s->data[0].depth_bytes, 0);
		ASSERT_EQ(s->data[1].data_bytes, 0);
	}
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* Each direction is its own stream, from its own IDSN: b's bytes go to
 * .b2a, on both subflows. */
TEST(both_directions)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct mpx_conn_summary *s;
	__u8 req[300], resp[500];
	char conn[24];
	struct tc t;

	fill_msg(req, sizeof(req), 2);
	fill_msg(resp, sizeof(resp), 3);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	join(&t, &j);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, req, 200);
	seg(&t, &p, 0, dsn_b(0), 1, resp, 250);
	seg(&t, &j, 0, dsn_b(250), 1, resp + 250, 250);
	seg(&t, &j, 1, dsn_a(200), 1, req + 200, 100);
	mpx_corr_finish(t.c);

	ASSERT_FILE(&t, conn, "a2b", req, sizeof(req));
	ASSERT_FILE(&t, conn, "b2a", resp, sizeof(resp));
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->data[0].data_bytes, sizeof(req));
		ASSERT_EQ(s->data[1].data_bytes, sizeof(resp));
		ASSERT_EQ(s->data[0].gap_bytes + s->data[1].gap_bytes, 0);
	}
	ASSERT_EQ(stats(&t)->stream_bytes, sizeof(req) + sizeof(resp));
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/*
 * RFC 8684 section 3.3: a 4-byte DSN is the low half of the 64-bit one.
 * A midstream connection (no handshake, so no IDSN) starts at its first
 * DSN, just below 2^32; the stream crosses 2^32, and the later 4-byte DSNs
 * (small numbers) must be put after it, a retransmission from before the
 * wrap back before it.
 */
TEST(dsn4_across_32bit_wrap_midstream)
{
	struct path p = P_INIT();
	const struct mpx_conn_summary *s;
	const __u32 first_dsn = 0xffffff00u;
	__u8 msg[400];
	char conn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 4);
	tc_init(&t, 1, 0, 0);
	/* [0,200): 0xffffff00 .. 0x1000000c7, one mapping over the wrap. */
	m = (struct map){.dsn = first_dsn,
			 .dsn4 = 1,
			 .ssn = 1,
			 .data_len = 200,
			 .payload = 200};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 1, msg, 200);
	ASSERT_EQ(count(&t, "mptcp_midstream"), 1);
	snprintf(conn, sizeof(conn), "%s",
		 conn_of(first(&t, "mptcp_midstream")));
	/* [300,400) first: low half 0x0000002c, after the wrap. */
	m = (struct map){.dsn = (__u32)(first_dsn + 300),
			 .dsn4 = 1,
			 .ssn = 301,
			 .data_len = 100,
			 .payload = 100};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 301, msg + 300, 100);
	/* [200,300): low half 0x000000c8. */
	m = (struct map){.dsn = (__u32)(first_dsn + 200),
			 .dsn4 = 1,
			 .ssn = 201,
			 .data_len = 100,
			 .payload = 100};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 201, msg + 200, 100);
	/* A retransmission of [100,150), low half 0xffffff64: behind where
	 * the stream is, the same bytes. */
	m = (struct map){.dsn = first_dsn + 100,
			 .dsn4 = 1,
			 .ssn = 101,
			 .data_len = 50,
			 .payload = 50};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 101, msg + 100, 50);
	mpx_corr_finish(t.c);

	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->midstream, 1);
		ASSERT_EQ(s->data[0].data_bytes, sizeof(msg));
		ASSERT_EQ(s->data[0].gap_bytes, 0);
		ASSERT_EQ(s->data[0].reinjected_bytes, 50);
	}
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* A 4-byte DSN with the handshake seen: expanded against IDSN + 1. */
TEST(dsn4_with_handshake)
{
	struct path p = P_INIT();
	__u8 msg[200];
	char conn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 5);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	m = (struct map){.dsn = (__u32)dsn_a(100),
			 .dsn4 = 1,
			 .ssn = 101,
			 .data_len = 100,
			 .payload = 100};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 101, msg + 100, 100);
	m = (struct map){.dsn = (__u32)dsn_a(0),
			 .dsn4 = 1,
			 .ssn = 1,
			 .data_len = 100,
			 .payload = 100};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 1, msg, 100);
	mpx_corr_finish(t.c);
	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* RFC 8684 section 3.1: a v1 MP_CAPABLE carrying data (the first data
 * packet repeats both keys and gives a data-level length) maps it
 * implicitly from IDSN + 1 at subflow sequence number 1. */
TEST(mp_capable_data_implicit_mapping)
{
	struct path p = P_INIT();
	struct mptcp_event ev;
	__u8 msg[150];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 20);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	ev = rec(&p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_ACK | MPX_TCP_PSH);
	ev.version = 1;
	ev.opt_len = 22;
	ev.payload_len = 100;
	ev.u.capable.flags = MPX_CAP_H;
	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = KEY_A;
	ev.u.capable.has_receiver_key = 1;
	ev.u.capable.receiver_key = KEY_B;
	ev.u.capable.has_data_len = 1;
	ev.u.capable.data_len = 100;
	feed(&t, &ev);
	payload(&t, &p, 1, 1, msg, 100);
	seg(&t, &p, 1, dsn_a(100), 101, msg + 100, 50);
	mpx_corr_finish(t.c);
	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* ---- what is never seen, what is seen twice ---------------------------- */

/* A mapping whose payload never comes: a data_gap with its exact range,
 * zeros in the file there, the rest in place. */
TEST(hole_is_a_gap_and_zeros)
{
	struct path p = P_INIT();
	const struct mpx_conn_summary *s;
	const struct cap_event *g;
	__u8 msg[400], want[400];
	char conn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 6);
	memcpy(want, msg, sizeof(want));
	memset(want + 100, 0, 120);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	/* [100,220) mapped, its packet lost before the sensor. */
	m = (struct map){
	    .dsn = dsn_a(100), .ssn = 101, .data_len = 120, .payload = 120};
	dss_map(&t, &p, 1, &m);
	seg(&t, &p, 1, dsn_a(220), 221, msg + 220, 180);
	ASSERT_EQ(stats(&t)->stream_bytes, 100); /* the rest waits */
	mpx_corr_finish(t.c);

	ASSERT_EQ(count(&t, "data_gap"), 1);
	g = first(&t, "data_gap");
	ASSERT_STREQ(conn_of(g), conn);
	ASSERT_STREQ(F(g, "dir"), "a2b");
	ASSERT_STREQ(F(g, "offset"), "100");
	ASSERT_STREQ(F(g, "len"), "120");
	ASSERT_FILE(&t, conn, "a2b", want, sizeof(want));
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->data[0].data_bytes, 280);
		ASSERT_EQ(s->data[0].gap_bytes, 120);
	}
	ASSERT_EQ(stats(&t)->stream_gap_bytes, 120);
	ASSERT_EQ(stats(&t)->stream_bytes, 280);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* Reinjection (RFC 8684 section 3.3.6 lets a sender resend data on
 * another subflow): the same bytes again are counted, nothing else. */
TEST(reinjection_same_bytes)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct mpx_conn_summary *s;
	__u8 msg[300];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 7);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	join(&t, &j);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 200);
	/* [100,200) again on the join, after delivery (the history). */
	seg(&t, &j, 1, dsn_a(100), 1, msg + 100, 100);
	/* [250,300) on the join, then again on the initial subflow while it
	 * waits behind [200,250) (the out-of-order buffer). */
	seg(&t, &j, 1, dsn_a(250), 101, msg + 250, 50);
	seg(&t, &p, 1, dsn_a(250), 251, msg + 250, 50);
	seg(&t, &p, 1, dsn_a(200), 201, msg + 200, 50);
	mpx_corr_finish(t.c);

	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->data[0].data_bytes, sizeof(msg));
		ASSERT_EQ(s->data[0].reinjected_bytes, 150);
	}
	ASSERT_EQ(stats(&t)->stream_reinjected_bytes, 150);
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* A copy with other bytes: data_overlap_mismatch over the differing span,
 * and the file keeps the first copy, whether the second came after the
 * first was delivered or while it waited. */
TEST(reinjection_different_bytes)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct cap_event *a;
	__u8 msg[300], evil[300];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 8);
	memcpy(evil, msg, sizeof(evil));
	for (int i = 110; i < 120; i++)
		evil[i] ^= 0x5a; /* delivered range: [110,120) differs */
	evil[260] ^= 0xff;	 /* waiting range: 260 only */
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	join(&t, &j);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 200);
	seg(&t, &j, 1, dsn_a(100), 1, evil + 100, 100);
	ASSERT_EQ(count_anomaly(&t, "data_overlap_mismatch"), 1);
	a = anomaly_ev(&t, "data_overlap_mismatch");
	ASSERT_STREQ(conn_of(a), conn);
	ASSERT_STREQ(F(a, "dir"), "a2b");
	ASSERT_STREQ(F(a, "subflow"), "1");
	ASSERT_STREQ(F(a, "offset"), "110");
	ASSERT_STREQ(F(a, "len"), "10");

	seg(&t, &p, 1, dsn_a(250), 251, msg + 250, 50);
	seg(&t, &j, 1, dsn_a(250), 101, evil + 250, 50);
	ASSERT_EQ(count_anomaly(&t, "data_overlap_mismatch"), 2);
	a = t.cap.ev[t.cap.n - 1];
	ASSERT_STREQ(F(a, "kind"), "data_overlap_mismatch");
	ASSERT_STREQ(F(a, "offset"), "260");
	ASSERT_STREQ(F(a, "len"), "1");
	seg(&t, &p, 1, dsn_a(200), 201, msg + 200, 50);
	mpx_corr_finish(t.c);

	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_DATA_OVERLAP_MISMATCH], 2);
	ASSERT_EQ(stats(&t)->stream_reinjected_bytes, 150);
	tc_free(&t);
}

/* ---- mapping checks ----------------------------------------------------- */

/* The same subflow range mapped to two DSNs (RFC 8684 section 3.3.1
 * forbids changing a mapping): said once, with the new mapping. */
TEST(mapping_inconsistent_once)
{
	struct path p = P_INIT();
	const struct cap_event *a;
	__u8 msg[100];
	char conn[24], dsn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 9);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	/* The same mapping again (each segment of a mapping repeats it):
	 * not a contradiction. */
	m = (struct map){.dsn = dsn_a(0), .ssn = 1, .data_len = 100};
	dss_map(&t, &p, 1, &m);
	ASSERT_EQ(count(&t, "anomaly"), 0);
	m = (struct map){.dsn = dsn_a(5000), .ssn = 1, .data_len = 100};
	dss_map(&t, &p, 1, &m);
	ASSERT_EQ(count_anomaly(&t, "mapping_inconsistent"), 1);
	ASSERT_EQ(count(&t, "anomaly"), 1);
	a = anomaly_ev(&t, "mapping_inconsistent");
	snprintf(dsn, sizeof(dsn), "%016" PRIx64, (uint64_t)dsn_a(5000));
	ASSERT_STREQ(conn_of(a), conn);
	ASSERT_STREQ(F(a, "dir"), "a2b");
	ASSERT_STREQ(F(a, "subflow"), "0");
	ASSERT_STREQ(F(a, "dsn"), dsn);
	ASSERT_STREQ(F(a, "ssn"), "1");
	ASSERT_STREQ(F(a, "data_len"), "100");
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_MAPPING_INCONSISTENT], 1);
	mpx_corr_finish(t.c);
	ASSERT_EQ(count_anomaly(&t, "mapping_inconsistent"), 1);
	tc_free(&t);
}

/* Data-level length 0 is the infinite mapping (RFC 8684 section 3.3.1): a
 * fallback by mapping, said once per subflow; the bytes after it still
 * land in order. */
TEST(infinite_mapping_once)
{
	struct path p = P_INIT();
	const struct cap_event *a;
	__u8 msg[300];
	char conn[24], dsn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 10);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	m = (struct map){
	    .dsn = dsn_a(100), .ssn = 101, .data_len = 0, .payload = 100};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 101, msg + 100, 100);
	dss_map(&t, &p, 1, &m); /* again: not said again */
	payload(&t, &p, 1, 201, msg + 200, 100);
	ASSERT_EQ(count_anomaly(&t, "infinite_mapping"), 1);
	ASSERT_EQ(count(&t, "anomaly"), 1);
	a = anomaly_ev(&t, "infinite_mapping");
	snprintf(dsn, sizeof(dsn), "%016" PRIx64, (uint64_t)dsn_a(100));
	ASSERT_STREQ(conn_of(a), conn);
	ASSERT_STREQ(F(a, "dir"), "a2b");
	ASSERT_STREQ(F(a, "subflow"), "0");
	ASSERT_STREQ(F(a, "dsn"), dsn);
	ASSERT_STREQ(F(a, "ssn"), "101");
	ASSERT_STREQ(F(a, "data_len"), "0");
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_INFINITE_MAPPING], 1);
	mpx_corr_finish(t.c);
	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	tc_free(&t);
}

/* RFC 8684 section 3.3.1: the DSS checksum over the pseudo-header and the
 * mapping's payload. Right (payload in two pieces, the first of odd
 * length): checked, no anomaly. One payload byte flipped: the anomaly,
 * naming the mapping. */
TEST(dss_checksum_right_and_wrong)
{
	struct path p = P_INIT();
	const struct cap_event *a;
	__u8 msg[200], bad[100];
	char conn[24], dsn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 11);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	m = (struct map){.dsn = dsn_a(0),
			 .ssn = 1,
			 .data_len = 100,
			 .has_csum = 1,
			 .csum = csum_of(dsn_a(0), 1, 100, msg, 100),
			 .payload = 37};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 1, msg, 37);
	m.payload = 63;
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 38, msg + 37, 63);
	ASSERT_EQ(stats(&t)->dss_checksums_ok, 1);
	ASSERT_NO_ANOMALY(&t);

	memcpy(bad, msg + 100, sizeof(bad));
	bad[42] ^= 0x01;
	m = (struct map){.dsn = dsn_a(100),
			 .ssn = 101,
			 .data_len = 100,
			 .has_csum = 1,
			 .csum = csum_of(dsn_a(100), 101, 100, msg + 100, 100),
			 .payload = 100};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 101, bad, 100);
	ASSERT_EQ(count_anomaly(&t, "dss_checksum_invalid"), 1);
	ASSERT_EQ(count(&t, "anomaly"), 1);
	a = anomaly_ev(&t, "dss_checksum_invalid");
	snprintf(dsn, sizeof(dsn), "%016" PRIx64, (uint64_t)dsn_a(100));
	ASSERT_STREQ(conn_of(a), conn);
	ASSERT_STREQ(F(a, "dir"), "a2b");
	ASSERT_STREQ(F(a, "subflow"), "0");
	ASSERT_STREQ(F(a, "dsn"), dsn);
	ASSERT_STREQ(F(a, "ssn"), "101");
	ASSERT_STREQ(F(a, "data_len"), "100");
	ASSERT_EQ(stats(&t)->dss_checksums_ok, 1);
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_DSS_CHECKSUM_INVALID], 1);
	mpx_corr_finish(t.c);
	tc_free(&t);
}

/* ---- the end of a stream, and its bounds -------------------------------- */

/* RFC 8684 section 3.3.3: the DATA_FIN takes the mapping's last DSN and no
 * byte; data_len counts it. The stream ends there: its last mapping (with
 * the DATA_FIN) seen before the bytes ahead of it, no gap at the end, and
 * bytes mapped past it are not the stream's. */
TEST(data_fin_ends_stream)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct mpx_conn_summary *s;
	__u8 msg[200], late[50];
	char conn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 12);
	fill_msg(late, sizeof(late), 13);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	join(&t, &j);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	/* Its checksum covers the 80 bytes, its pseudo-header the data_len
	 * with the DATA_FIN (RFC 8684 section 3.3.1). */
	m = (struct map){.dsn = dsn_a(120),
			 .ssn = 121,
			 .data_len = 80 + 1,
			 .has_csum = 1,
			 .csum = csum_of(dsn_a(120), 121, 81, msg + 120, 80),
			 .data_fin = 1,
			 .payload = 80};
	dss_map(&t, &p, 1, &m);
	payload(&t, &p, 1, 121, msg + 120, 80);
	seg(&t, &p, 1, dsn_a(0), 1, msg, 120);
	/* Mapped past the DATA_FIN (at offset 200), on the other subflow:
	 * nothing of the stream. */
	seg(&t, &j, 1, dsn_a(201), 1, late, sizeof(late));
	mpx_corr_finish(t.c);

	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->data[0].data_bytes, sizeof(msg));
		ASSERT_EQ(s->data[0].gap_bytes, 0);
		ASSERT_STREQ(s->end, "open"); /* one DATA_FIN, one way */
	}
	ASSERT_EQ(stats(&t)->dss_checksums_ok, 1);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* A pure DATA_FIN (data_len 1, no payload) right after the last byte:
 * no gap either. */
TEST(data_fin_alone_no_gap)
{
	struct path p = P_INIT();
	__u8 msg[100];
	char conn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 14);
	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	m = (struct map){
	    .dsn = dsn_a(100), .ssn = 0, .data_len = 1, .data_fin = 1};
	dss_map(&t, &p, 1, &m);
	mpx_corr_finish(t.c);
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	ASSERT_EQ(stats(&t)->stream_gap_bytes, 0);
	tc_free(&t);
}

/* --stream-depth 10 on a 30-byte stream: 10 bytes kept, 20 counted. */
TEST(stream_depth)
{
	struct path p = P_INIT();
	const struct mpx_conn_summary *s;
	__u8 msg[30];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 15);
	tc_init(&t, 1, 10, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 7);
	seg(&t, &p, 1, dsn_a(7), 8, msg + 7, 23);
	mpx_corr_finish(t.c);

	ASSERT_FILE(&t, conn, "a2b", msg, 10);
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->data[0].data_bytes, 10);
		ASSERT_EQ(s->data[0].depth_bytes, 20);
		ASSERT_EQ(s->data[0].gap_bytes, 0);
	}
	ASSERT_EQ(stats(&t)->stream_depth_bytes, 20);
	ASSERT_EQ(count(&t, "data_gap"), 0);
	tc_free(&t);
}

/* A memcap below one direction's 64 KiB history: the direction is refused
 * (counted once), its payload is not reassembled, no file, and the
 * summary still comes. */
TEST(memcap_refuses_direction)
{
	struct path p = P_INIT();
	const struct mpx_conn_summary *s;
	__u8 msg[200];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 16);
	tc_init(&t, 1, 0, MPX_REASM_HISTORY - 1);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	seg(&t, &p, 1, dsn_a(100), 101, msg + 100, 100);
	ASSERT_EQ(stats(&t)->streams_memcap, 1);
	ASSERT_EQ(stats(&t)->stream_bytes, 0);
	ASSERT_EQ(stats(&t)->stream_memory, 0);
	ASSERT_EQ(stats(&t)->stream_unmapped_bytes, 200);
	mpx_corr_finish(t.c);
	CHECK(!file_exists(&t, conn, "a2b"), "a file for a refused direction");
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->has_data, 1);
		ASSERT_EQ(s->data[0].data_bytes, 0);
	}
	tc_free(&t);
}

/* Room for one direction, not for the second: the first is whole, the
 * second refused. */
TEST(memcap_room_for_one_direction)
{
	struct path p = P_INIT();
	__u8 msg[100];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 17);
	tc_init(&t, 1, 0, MPX_REASM_HISTORY + 1000);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	seg(&t, &p, 0, dsn_b(0), 1, msg, 100);
	ASSERT_EQ(stats(&t)->streams_memcap, 1);
	ASSERT_EQ(stats(&t)->stream_memory, MPX_REASM_HISTORY);
	mpx_corr_finish(t.c);
	ASSERT_FILE(&t, conn, "a2b", msg, sizeof(msg));
	CHECK(!file_exists(&t, conn, "b2a"), "a file for a refused direction");
	ASSERT_EQ(stats(&t)->stream_memory, 0);
	tc_free(&t);
}

/*
 * The memcap bounds what waits behind a hole: past it the hole is given up
 * as a gap (README.md, "Bounds"). A copy that straddles what the forced
 * delivery reaches must still land at its own offsets: [100,200) waits
 * behind the hole [0,100); [150,250) comes, over the budget, so [0,100)
 * becomes a gap and [100,200) goes out; then only [200,250) of the new
 * copy is new, at offset 200.
 *
 * Fails on purpose until user/stream/reassembly.c is fixed (reported):
 * mpx_reasm_add() inserts the whole copy at offset 150 after force() has
 * moved next to 200, and drain() then delivers those 100 bytes at offset
 * 200, so msg[150,250) is written at [200,300) and the file is 300 long.
 */
TEST(memcap_overflow_keeps_offsets)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct mpx_conn_summary *s;
	const struct cap_event *g;
	__u8 msg[250], want[250];
	char conn[24];
	struct map m;
	struct tc t;

	fill_msg(msg, sizeof(msg), 18);
	memcpy(want, msg, sizeof(want));
	memset(want, 0, 100);
	tc_init(&t, 1, 0, MPX_REASM_HISTORY + 150);
	open_conn(&t, &p);
	join(&t, &j);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	m = (struct map){
	    .dsn = dsn_a(0), .ssn = 1, .data_len = 100, .payload = 100};
	dss_map(&t, &p, 1, &m); /* its payload is lost */
	seg(&t, &p, 1, dsn_a(100), 101, msg + 100, 100);
	seg(&t, &j, 1, dsn_a(150), 1, msg + 150, 100);
	mpx_corr_finish(t.c);
	/* Added up when the connection's stream is freed. */
	ASSERT_EQ(stats(&t)->stream_ooo_overflow, 1);

	ASSERT_EQ(count(&t, "data_gap"), 1);
	g = first(&t, "data_gap");
	ASSERT_STREQ(F(g, "offset"), "0");
	ASSERT_STREQ(F(g, "len"), "100");
	ASSERT_FILE(&t, conn, "a2b", want, sizeof(want));
	{
		/* Offset 200 holds msg[200], whatever the file's length. */
		size_t len;
		__u8 *got = slurp(&t, conn, "a2b", &len);

		if (ASSERT_EQ(got != NULL && len >= 250, 1))
			CHECK(memcmp(got + 200, msg + 200, 50) == 0,
			      "[200,250) is not msg[200,250)%s",
			      memcmp(got + 200, msg + 150, 50) == 0
				  ? ": it is msg[150,200)"
				  : "");
		free(got);
	}
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->data[0].data_bytes, 150);
		ASSERT_EQ(s->data[0].gap_bytes, 100);
		ASSERT_EQ(s->data[0].reinjected_bytes, 50);
	}
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* ---- who owns a 4-tuple, and streams off --------------------------------- */

static struct mptcp_event hdr_of(const struct path *p, int from_a)
{
	return rec(p, from_a, MPX_EV_PAYLOAD, MPX_TCP_ACK);
}

/* --single-path asks whether a frame's 4-tuple is an MPTCP connection's
 * subflow (its bytes come out of the rebuilt stream): 1 for the initial
 * subflow, 2 for a join (correlate.h), either direction; 0 for an unknown
 * 4-tuple, and after a fallback (plain TCP, written as it is). */
TEST(stream_owns_subflows)
{
	struct path p = P_INIT(), j = P_JOIN(),
		    other = path("198.18.3.1", 40002, "198.18.3.2", 80);
	struct mptcp_event h;
	struct tc t;

	tc_init(&t, 1, 0, 0);
	open_conn(&t, &p);
	join(&t, &j);
	for (int from_a = 0; from_a < 2; from_a++) {
		h = hdr_of(&p, from_a);
		ASSERT_EQ(mpx_corr_stream_owns(t.c, &h), 1);
		h = hdr_of(&j, from_a);
		ASSERT_EQ(mpx_corr_stream_owns(t.c, &h), 2);
		h = hdr_of(&other, from_a);
		ASSERT_EQ(mpx_corr_stream_owns(t.c, &h), 0);
	}
	tc_free(&t);

	/* A connection that falls back: its SYN/ACK came without
	 * MP_CAPABLE (the FALLBACK record). */
	tc_init(&t, 1, 0, 0);
	{
		struct mptcp_event ev =
		    rec(&p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_SYN);

		ev.version = 1;
		ev.opt_len = 4;
		ev.u.capable.flags = MPX_CAP_H;
		feed(&t, &ev);
	}
	h = hdr_of(&p, 1);
	ASSERT_EQ(mpx_corr_stream_owns(t.c, &h), 1);
	{
		struct mptcp_event ev =
		    rec(&p, 0, MPX_EV_FALLBACK, MPX_TCP_SYN | MPX_TCP_ACK);

		feed(&t, &ev);
	}
	ASSERT_EQ(count(&t, "mptcp_fallback"), 1);
	ASSERT_EQ(mpx_corr_stream_owns(t.c, &h), 0);
	h = hdr_of(&p, 0);
	ASSERT_EQ(mpx_corr_stream_owns(t.c, &h), 0);
	tc_free(&t);
}

/* Without mpx_corr_set_streams: no data level at all. Payload is ignored
 * (not even counted as unmapped), the summary has no "data", no 4-tuple
 * is owned. */
TEST(streams_off)
{
	struct path p = P_INIT();
	const struct mpx_conn_summary *s;
	const struct mpx_corr_stats *st;
	struct mptcp_event h;
	__u8 msg[100];
	char conn[24];
	struct tc t;

	fill_msg(msg, sizeof(msg), 19);
	tc_init(&t, 0, 0, 0);
	open_conn(&t, &p);
	snprintf(conn, sizeof(conn), "%s", conn_of(first(&t, "mptcp_attempt")));
	seg(&t, &p, 1, dsn_a(0), 1, msg, 100);
	payload(&t, &p, 1, 1000, msg, 100); /* unmapped too */
	h = hdr_of(&p, 1);
	ASSERT_EQ(mpx_corr_stream_owns(t.c, &h), 0);
	mpx_corr_finish(t.c);
	s = summary_of(&t, conn);
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->has_data, 0);
		ASSERT_EQ(s->data[0].data_bytes, 0);
	}
	st = stats(&t);
	ASSERT_EQ(st->stream_bytes, 0);
	ASSERT_EQ(st->stream_unmapped_bytes, 0);
	ASSERT_EQ(st->stream_memory, 0);
	ASSERT_EQ(st->streams_memcap, 0);
	ASSERT_EQ(count(&t, "data_gap"), 0);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

TEST_MAIN("test_corr_stream")
