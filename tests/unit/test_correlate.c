// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Unit tests of the correlator (user/correlate/correlate.c,
 * user/correlate/conn_table.c) and of the three connection-event writers (json,
 * text, zeek).
 *
 * The correlator is driven by synthetic `struct mptcp_event` records, the
 * very records the parser hands it (include/mptcp_event.h), written by the
 * small builders below; a test writer captures every event it says (name,
 * connection, subflow, fields as text, summary). The keys, nonces and HMACs
 * are the real v1 vector set of docs/design.md (one Linux connection), so that
 * "verified": true is really computed, never assumed; other HMACs were
 * computed independently with Python (command in a comment next to each).
 *
 * RFC 8684 sections cited: 3.1 MP_CAPABLE (keys, tokens, versions), 3.2
 * MP_JOIN (token, HMACs), 3.3 DSS (DATA_FIN), 3.3.8 MP_PRIO, 3.4.1
 * ADD_ADDR, 3.4.2 REMOVE_ADDR, 3.5 MP_FASTCLOSE, 3.6 MP_TCPRST, 3.7
 * MP_FAIL / fallback.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "correlate/conn_table.h"
#include "correlate/correlate.h"
#include "detect/address_class.h"
#include "detect/detect.h"
#include "mptcp_event.h"
#include "output/conn_event.h"
#include "output/conn_json_writer.h"
#include "output/conn_text_writer.h"
#include "output/zeek_writer.h"
#include "pipeline.h"
#include "test_harness.h"

/* ---- vectors ------------------------------------------------------------ */

/* docs/design.md: one Linux v1 connection, A = client, B = server. */
#define KEY_A	    0x61e1d0065542809bULL
#define KEY_B	    0x4d4c52a7e86df770ULL
#define TOKEN_A	    0x1fe931e8U /* python: hashlib.sha256(KEY_A be64)[:4] */
#define TOKEN_B	    0xc56050edU
#define R_A	    0x34acc972U
#define R_B	    0x764bf014U
#define SYNACK_HMAC 0x465b9f41d38e312dULL
static const __u8 ACK_HMAC[20] = {
    0x32, 0xbc, 0xc1, 0x75, 0x87, 0x20, 0x55, 0x08, 0xc2, 0xb0,
    0x1b, 0xd8, 0xb8, 0x39, 0x57, 0x11, 0xe7, 0xae, 0x50, 0xde,
};
/* ADD_ADDR from B, 198.19.1.2, id 1, no port (docs/design.md). */
#define AA_HMAC 0x33e01feed95bf044ULL
/*
 * Computed with
 *   python3 -c "import hmac,hashlib; b=lambda x,n:x.to_bytes(n,'big');
 *   m=hmac.new(b(SENDER,8)+b(RECEIVER,8), bytes([ID])+ADDR+b(PORT,2),
 *   hashlib.sha256).hexdigest(); print(m[:16], m[-16:])"
 */
#define AA_HMAC_LEFT   0x302c07de99951c6eULL /* leftmost 64 of AA_HMAC's */
#define AA_HMAC_9_9    0x98f7ac1d12d64ebfULL /* B: 198.19.9.9 id 1 */
#define AA_HMAC_PORT   0x55dd889f4362c64bULL /* B: 198.19.1.2:8080 id 1 */
#define AA_HMAC_FROM_A 0xf976eaef0b6511ceULL /* A: 198.18.7.1 id 5 */
#define AA_HMAC_V6     0x84ccc2fcd145d17fULL /* B: 2001:db8:9::2 id 3 */
/*
 * A join sent by B towards A (the roles of RFC 8684 section 3.2 swap: the
 * join's "A" is the connection's server): nonces R_A from the initiator,
 * R_B from the responder,
 *   SYN/ACK = HMAC(KEY_A||KEY_B, R_B||R_A)[:8]
 *   ACK     = HMAC(KEY_B||KEY_A, R_A||R_B)[:20]   (python as above)
 */
#define REV_SYNACK_HMAC 0x9ae9c0f41b674ac5ULL
static const __u8 REV_ACK_HMAC[20] = {
    0x88, 0x9b, 0x0a, 0x42, 0x60, 0xd4, 0xb8, 0xc1, 0xad, 0x27,
    0xeb, 0x06, 0xfb, 0xdc, 0x32, 0x5a, 0x2f, 0xba, 0x05, 0x07,
};
/* v0 (SHA-1) keys of testdata/pcaps/tcpdump_mptcp-v0.pcap frames 1-2, and
 * their tokens (the join SYN of frame 8 carries e47f0142). */
#define V0_KEY_A 0x9c9eabd1e46a33b2ULL
#define V0_KEY_B 0x967d2770b6960552ULL

#define T0 1795666764 /* capture-like timestamps */

/* ---- the capturing writer -------------------------------------------------
 */

struct cap_field {
	char key[24];
	char
	    text[96]; /* the value as text: "true", "null", "1,3", "c56050ed" */
};

struct cap_event {
	char name[32];
	char conn[24]; /* "" when the event names no connection */
	int has_tuple;
	struct mpx_tuple tuple;
	struct mpx_origin origin;
	int nfields;
	struct cap_field f[MPX_EV_MAX_FIELDS];
	struct mpx_conn_summary *sum; /* connection_closed only */
};

/* Events are allocated one by one, so that pointers to them stay valid
 * while more are captured. */
struct cap {
	struct mpx_event_writer writer; /* first: the callbacks get &writer */
	struct cap_event **ev;
	int n, size;
	int finished;
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
		if (!c->ev) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	c->ev[c->n++] = x;
	snprintf(x->name, sizeof(x->name), "%s", e->name);
	if (e->conn_id)
		snprintf(x->conn, sizeof(x->conn), "%s", e->conn_id);
	if (e->tuple) {
		x->has_tuple = 1;
		x->tuple = *e->tuple;
	}
	x->origin = e->origin;
	x->nfields = e->nfields;
	for (int i = 0; i < e->nfields && i < MPX_EV_MAX_FIELDS; i++) {
		snprintf(x->f[i].key, sizeof(x->f[i].key), "%s",
			 e->fields[i].key);
		field_text(&e->fields[i], x->f[i].text, sizeof(x->f[i].text));
	}
	if (e->summary) {
		/* The strings in a summary (role, end, anomaly names) are the
		 * correlator's literals: copying the pointers is enough. */
		x->sum = malloc(sizeof(*x->sum));
		if (!x->sum)
			exit(2);
		*x->sum = *e->summary;
	}
}

static void cap_finish(struct mpx_event_writer *s)
{
	((struct cap *)s)->finished = 1;
}

/* ---- a test's world: correlator + writer + clock --------------------------
 */

struct tc {
	struct cap cap;
	struct mpx_correlator *c;
	uint64_t frame;
};

static void tc_init(struct tc *t, size_t max_conns)
{
	memset(t, 0, sizeof(*t));
	t->cap.writer.event = cap_event;
	t->cap.writer.finish = cap_finish;
	t->c = mpx_corr_new(max_conns, &t->cap.writer);
	if (!t->c) {
		fprintf(stderr, "mpx_corr_new failed\n");
		exit(2);
	}
}

static void tc_finish(struct tc *t)
{
	mpx_corr_finish(t->c);
}

static void tc_free(struct tc *t)
{
	mpx_corr_free(t->c);
	for (int i = 0; i < t->cap.n; i++) {
		free(t->cap.ev[i]->sum);
		free(t->cap.ev[i]);
	}
	free(t->cap.ev);
	memset(t, 0, sizeof(*t));
}

/* Each record is one frame, 1 ms after the previous one. */
static void feed(struct tc *t, const struct mptcp_event *ev)
{
	struct mpx_origin o;

	t->frame++;
	o.frame = t->frame;
	o.ts_sec = T0 + (int64_t)(t->frame / 1000);
	o.ts_usec = (int32_t)(t->frame % 1000) * 1000;
	mpx_corr_record(t->c, &o, ev);
}

/* Let the time pass after which ended connections get their summaries
 * (correlate.c, CLOSE_GRACE_US): two seconds after the last record. */
static void pass_grace(struct tc *t)
{
	struct mpx_origin o = {.frame = t->frame,
			       .ts_sec = T0 + (int64_t)(t->frame / 1000) + 2};

	mpx_corr_tick(t->c, &o);
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

static const struct cap_event *nth(const struct tc *t, const char *name, int k)
{
	for (int i = 0; i < t->cap.n; i++)
		if (strcmp(t->cap.ev[i]->name, name) == 0 && k-- == 0)
			return t->cap.ev[i];
	return NULL;
}

static const struct cap_event *first(const struct tc *t, const char *name)
{
	return nth(t, name, 0);
}

/* A field's value as text; "(absent)" or "(no event)" otherwise, so that
 * ASSERT_STREQ says what went wrong. */
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

/* The summary of a connection (NULL if none was written). */
static const struct mpx_conn_summary *summary_of(const struct tc *t,
						 const char *conn)
{
	for (int i = 0; i < t->cap.n; i++)
		if (strcmp(t->cap.ev[i]->name, "connection_closed") == 0 &&
		    strcmp(t->cap.ev[i]->conn, conn) == 0)
			return t->cap.ev[i]->sum;
	return NULL;
}

static int sum_has_anomaly(const struct mpx_conn_summary *s, const char *kind)
{
	if (!s)
		return 0;
	for (int i = 0; i < s->nanomalies; i++)
		if (strcmp(s->anomalies[i], kind) == 0)
			return 1;
	return 0;
}

static void dump_events(const struct tc *t)
{
	for (int i = 0; i < t->cap.n; i++) {
		const struct cap_event *e = t->cap.ev[i];

		fprintf(stderr, "    [%d] %s conn=%s", i, e->name,
			e->conn[0] ? e->conn : "-");
		for (int k = 0; k < e->nfields; k++)
			fprintf(stderr, " %s=%s", e->f[k].key, e->f[k].text);
		if (e->sum)
			fprintf(stderr, " end=%s nsf=%d nanom=%d", e->sum->end,
				e->sum->nsubflows, e->sum->nanomalies);
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
	if (strchr(ip, ':')) {
		e.family = 6;
		inet_pton(AF_INET6, ip, e.addr);
	} else {
		e.family = 4;
		e.addr[10] = e.addr[11] = 0xff;
		inet_pton(AF_INET, ip, e.addr + 12);
	}
	e.port = port;
	return e;
}

/* A subflow: a sent the SYN. */
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

/* The initial subflow and a join of the docs/design.md connection. */
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

/* MP_CAPABLE, RFC 8684 section 3.1 (v0: RFC 6824, key on the SYN too). */
static void mpc_syn(struct tc *t, const struct path *p, int version, __u8 flags,
		    int has_key, __u64 key)
{
	struct mptcp_event ev = rec(p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_SYN);

	ev.version = (__u8)version;
	ev.opt_len = has_key ? 12 : 4;
	ev.u.capable.flags = flags;
	ev.u.capable.has_sender_key = (__u8)has_key;
	ev.u.capable.sender_key = key;
	feed(t, &ev);
}

static void mpc_synack(struct tc *t, const struct path *p, int version,
		       __u8 flags, __u64 key_b)
{
	struct mptcp_event ev =
	    rec(p, 0, MPX_EV_MP_CAPABLE, MPX_TCP_SYN | MPX_TCP_ACK);

	ev.version = (__u8)version;
	ev.opt_len = 12;
	ev.u.capable.flags = flags;
	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = key_b;
	feed(t, &ev);
}

/* The third ACK echoes both keys: sender's (A) then receiver's (B). */
static void mpc_ack(struct tc *t, const struct path *p, int version, __u8 flags,
		    __u64 key_a, __u64 key_b)
{
	struct mptcp_event ev = rec(p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_ACK);

	ev.version = (__u8)version;
	ev.opt_len = 20;
	ev.u.capable.flags = flags;
	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = key_a;
	ev.u.capable.has_receiver_key = 1;
	ev.u.capable.receiver_key = key_b;
	feed(t, &ev);
}

/* The whole handshake, as Linux does it (flags: H = HMAC-SHA256). */
static void open_conn(struct tc *t, const struct path *p, int version,
		      __u64 key_a, __u64 key_b)
{
	mpc_syn(t, p, version, MPX_CAP_H, version == 0, key_a);
	mpc_synack(t, p, version, MPX_CAP_H, key_b);
	mpc_ack(t, p, version, MPX_CAP_H, key_a, key_b);
}

/* MP_JOIN, RFC 8684 section 3.2. */
static void join_syn(struct tc *t, const struct path *p, __u32 token,
		     __u32 nonce, __u8 addr_id, int backup)
{
	struct mptcp_event ev = rec(p, 1, MPX_EV_MP_JOIN, MPX_TCP_SYN);

	ev.opt_len = 12;
	ev.u.join.stage = MPX_JOIN_SYN;
	ev.u.join.token = token;
	ev.u.join.nonce = nonce;
	ev.u.join.addr_id = addr_id;
	ev.u.join.backup = (__u8)backup;
	feed(t, &ev);
}

static void join_synack(struct tc *t, const struct path *p, __u64 hmac64,
			__u32 nonce, __u8 addr_id)
{
	struct mptcp_event ev =
	    rec(p, 0, MPX_EV_MP_JOIN, MPX_TCP_SYN | MPX_TCP_ACK);

	ev.opt_len = 16;
	ev.u.join.stage = MPX_JOIN_SYNACK;
	ev.u.join.hmac64 = hmac64;
	ev.u.join.nonce = nonce;
	ev.u.join.addr_id = addr_id;
	feed(t, &ev);
}

static void join_ack(struct tc *t, const struct path *p, const __u8 *hmac)
{
	struct mptcp_event ev = rec(p, 1, MPX_EV_MP_JOIN, MPX_TCP_ACK);

	ev.opt_len = 24;
	ev.u.join.stage = MPX_JOIN_ACK;
	memcpy(ev.u.join.hmac, hmac, MPX_JOIN_HMAC_LEN);
	feed(t, &ev);
}

/* A whole join with the docs/design.md vectors (from A, to B's token). */
static void join_design(struct tc *t, const struct path *p)
{
	join_syn(t, p, TOKEN_B, R_A, 1, 0);
	join_synack(t, p, SYNACK_HMAC, R_B, 0);
	join_ack(t, p, ACK_HMAC);
}

static void dss(struct tc *t, const struct path *p, int from_a, int data_fin)
{
	struct mptcp_event ev = rec(p, from_a, MPX_EV_DSS, MPX_TCP_ACK);

	ev.opt_len = data_fin ? 20 : 8;
	ev.u.dss.has_ack = 1;
	ev.u.dss.flags = MPX_DSS_A | (data_fin ? MPX_DSS_F | MPX_DSS_M : 0);
	ev.u.dss.data_fin = (__u8)data_fin;
	ev.u.dss.has_map = (__u8)data_fin;
	feed(t, &ev);
}

/* ADD_ADDR (RFC 8684 section 3.4.1): v1, HMAC unless echo. */
static void add_addr(struct tc *t, const struct path *p, int from_a, __u8 id,
		     const char *ip, __u16 port, int echo, __u64 hmac)
{
	struct mptcp_event ev = rec(p, from_a, MPX_EV_ADD_ADDR, MPX_TCP_ACK);
	struct mpx_ev_add_addr *a = &ev.u.add_addr;
	int v6 = strchr(ip, ':') != NULL;

	a->version = 1;
	a->echo = (__u8)echo;
	a->addr_id = id;
	a->family = v6 ? 6 : 4;
	inet_pton(v6 ? AF_INET6 : AF_INET, ip, a->addr);
	a->has_port = port != 0;
	a->port = port;
	a->has_hmac = !echo;
	a->hmac = echo ? 0 : hmac;
	ev.opt_len = (__u8)((v6 ? 20 : 8) + (port ? 2 : 0) + (echo ? 0 : 8));
	ev.version = 1;
	feed(t, &ev);
}

static void remove_addr(struct tc *t, const struct path *p, int from_a,
			const __u8 *ids, int n)
{
	struct mptcp_event ev = rec(p, from_a, MPX_EV_REMOVE_ADDR, MPX_TCP_ACK);

	ev.opt_len = (__u8)(3 + n);
	ev.u.remove_addr.count = (__u8)n;
	memcpy(ev.u.remove_addr.ids, ids, (size_t)n);
	feed(t, &ev);
}

static void prio(struct tc *t, const struct path *p, int from_a, int backup,
		 int has_id, __u8 id)
{
	struct mptcp_event ev = rec(p, from_a, MPX_EV_MP_PRIO, MPX_TCP_ACK);

	ev.opt_len = has_id ? 4 : 3;
	ev.u.prio.backup = (__u8)backup;
	ev.u.prio.has_addr_id = (__u8)has_id;
	ev.u.prio.addr_id = id;
	feed(t, &ev);
}

static void mp_fail(struct tc *t, const struct path *p, int from_a, __u64 dsn)
{
	struct mptcp_event ev = rec(p, from_a, MPX_EV_MP_FAIL, MPX_TCP_ACK);

	ev.opt_len = 12;
	ev.u.fail.dsn = dsn;
	feed(t, &ev);
}

static void fastclose(struct tc *t, const struct path *p, int from_a, __u64 key)
{
	struct mptcp_event ev =
	    rec(p, from_a, MPX_EV_MP_FASTCLOSE, MPX_TCP_ACK);

	ev.opt_len = 12;
	ev.u.fastclose.receiver_key = key;
	feed(t, &ev);
}

static void tcprst(struct tc *t, const struct path *p, int from_a, __u8 reason,
		   __u8 flags)
{
	struct mptcp_event ev =
	    rec(p, from_a, MPX_EV_MP_TCPRST, MPX_TCP_RST | MPX_TCP_ACK);

	ev.opt_len = 4;
	ev.u.tcprst.reason = reason;
	ev.u.tcprst.flags = flags;
	feed(t, &ev);
}

static void opt_error(struct tc *t, const struct path *p, int from_a, __u8 err,
		      __u8 subtype, __u8 len)
{
	struct mptcp_event ev = rec(p, from_a, MPX_EV_MP_ERROR, MPX_TCP_ACK);

	ev.subtype = subtype;
	ev.opt_len = len;
	ev.error = err;
	feed(t, &ev);
}

/* Subflow FIN / RST / fallback records, with the flow's counters so far:
 * given a->b and b->a here, stored as the record wants ([0] = the
 * direction of the record's source). */
static void flow_rec(struct tc *t, const struct path *p, int from_a, __u8 kind,
		     __u64 pk_ab, __u64 pk_ba, __u64 by_ab, __u64 by_ba)
{
	__u8 flags = kind == MPX_EV_SUBFLOW_FIN	  ? MPX_TCP_FIN | MPX_TCP_ACK
		     : kind == MPX_EV_SUBFLOW_RST ? MPX_TCP_RST
						  : MPX_TCP_SYN | MPX_TCP_ACK;
	struct mptcp_event ev = rec(p, from_a, kind, flags);

	ev.u.subflow.packets[0] = from_a ? pk_ab : pk_ba;
	ev.u.subflow.packets[1] = from_a ? pk_ba : pk_ab;
	ev.u.subflow.bytes[0] = from_a ? by_ab : by_ba;
	ev.u.subflow.bytes[1] = from_a ? by_ba : by_ab;
	feed(t, &ev);
}

static void fin_both(struct tc *t, const struct path *p)
{
	flow_rec(t, p, 1, MPX_EV_SUBFLOW_FIN, 10, 8, 1000, 20);
	flow_rec(t, p, 0, MPX_EV_SUBFLOW_FIN, 11, 9, 1000, 20);
}

/* ---- names --------------------------------------------------------------- */

/* The anomaly kinds are a stable interface (the list). */
TEST(anomaly_names_stable)
{
	static const struct {
		enum mpx_anomaly a;
		const char *name;
	} names[] = {
	    {MPX_ANOM_KEY_MISMATCH, "key_mismatch"},
	    {MPX_ANOM_ADDR_ID_REUSE, "addr_id_reuse"},
	    {MPX_ANOM_TOKEN_COLLISION, "token_collision"},
	    {MPX_ANOM_ADD_ADDR_HMAC_INVALID, "add_addr_hmac_invalid"},
	    {MPX_ANOM_FASTCLOSE_KEY_INVALID, "fastclose_key_invalid"},
	    {MPX_ANOM_MP_FAIL, "mp_fail"},
	    {MPX_ANOM_OPTION_ERROR, "option_error"},
	    {MPX_ANOM_UNKNOWN_VERSION, "unknown_version"},
	    {MPX_ANOM_UNKNOWN_ALGORITHM, "unknown_algorithm"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ASSERT_STREQ(mpx_anomaly_name(names[i].a), names[i].name);
	ASSERT_STREQ(mpx_anomaly_name(MPX_ANOM_MAX), "unknown");
}

/* ---- MP_CAPABLE: attempt, established (RFC 8684 section 3.1) ------------ */

TEST(attempt_and_established_v1)
{
	struct path p = P_INIT();
	const struct cap_event *a, *e;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	a = first(&t, "mptcp_attempt");
	e = first(&t, "mptcp_established");
	ASSERT_STREQ(F(a, "version"), "1");
	ASSERT_STREQ(F(a, "flags"), "01");
	ASSERT_STREQ(F(a, "key_a"), "(absent)"); /* v1: no key on the SYN */
	ASSERT_EQ(strlen(conn_of(a)), 16);
	CHECK(a && a->has_tuple, "attempt without 4-tuple");
	if (a && a->has_tuple) {
		ASSERT_STREQ(a->tuple.src, "198.18.1.1");
		ASSERT_STREQ(a->tuple.dst, "198.18.1.2");
		ASSERT_EQ(a->tuple.sport, 40000);
		ASSERT_EQ(a->tuple.dport, 80);
		ASSERT_EQ(a->origin.frame, 1);
	}
	ASSERT_STREQ(conn_of(e), conn_of(a));
	ASSERT_STREQ(F(e, "version"), "1");
	ASSERT_STREQ(F(e, "key_a"), "61e1d0065542809b");
	ASSERT_STREQ(F(e, "key_b"), "4d4c52a7e86df770");
	ASSERT_STREQ(F(e, "token_a"), "1fe931e8");
	ASSERT_STREQ(F(e, "token_b"), "c56050ed");
	ASSERT_EQ(e ? e->origin.frame : 0, 3);
	ASSERT_NO_ANOMALY(&t);
	ASSERT_EQ(stats(&t)->conns_started, 1);
	ASSERT_EQ(stats(&t)->active_conns, 1);
	ASSERT_EQ(stats(&t)->active_subflows, 1);

	tc_finish(&t);
	s = summary_of(&t, conn_of(a));
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->version, 1);
		ASSERT_EQ(s->has_key[0] && s->has_key[1], 1);
		ASSERT_EQ(s->key[0], KEY_A);
		ASSERT_EQ(s->key[1], KEY_B);
		ASSERT_EQ(s->token[0], TOKEN_A);
		ASSERT_EQ(s->token[1], TOKEN_B);
		ASSERT_STREQ(s->end, "open");
		ASSERT_EQ(s->start_sec, T0);
		ASSERT_EQ(s->start_usec, 1000);
		CHECK(s->duration > 0.0019 && s->duration < 0.0021,
		      "duration %f", s->duration);
		ASSERT_EQ(s->nsubflows, 1);
		ASSERT_STREQ(s->sf[0].role, "initial");
		ASSERT_EQ(s->sf[0].verified, -1);
		ASSERT_STREQ(s->sf[0].end, "open");
		ASSERT_EQ(s->nanomalies, 0);
	}
	ASSERT_EQ(stats(&t)->conns_closed, 1);
	ASSERT_EQ(stats(&t)->active_conns, 0);
	tc_free(&t);
}

/* v0 (RFC 6824 section 3.1): the SYN carries Key-A already; SHA-1 tokens. */
TEST(attempt_v0_carries_key)
{
	struct path p = P_INIT();
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 0, V0_KEY_A, V0_KEY_B);
	ASSERT_STREQ(F(first(&t, "mptcp_attempt"), "key_a"),
		     "9c9eabd1e46a33b2");
	ASSERT_STREQ(F(first(&t, "mptcp_attempt"), "version"), "0");
	e = first(&t, "mptcp_established");
	ASSERT_STREQ(F(e, "version"), "0");
	ASSERT_STREQ(F(e, "token_a"), "af9706eb");
	ASSERT_STREQ(F(e, "token_b"), "e47f0142");
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* Retransmitted SYN, SYN/ACK and third ACK (same sequence numbers) are the
 * same handshake: one attempt, one connection, no mismatch. */
TEST(retransmitted_handshake_not_double_counted)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	mpc_synack(&t, &p, 1, MPX_CAP_H, KEY_B);
	mpc_synack(&t, &p, 1, MPX_CAP_H, KEY_B);
	mpc_ack(&t, &p, 1, MPX_CAP_H, KEY_A, KEY_B);
	mpc_ack(&t, &p, 1, MPX_CAP_H, KEY_A, KEY_B);
	/* The 22/24-byte MP_CAPABLE of the first data packet repeats both
	 * keys (RFC 8684 section 3.1): still nothing new. */
	mpc_ack(&t, &p, 1, MPX_CAP_H, KEY_A, KEY_B);
	/* And a join whose SYN and third ACK are retransmitted. */
	join_syn(&t, &j, TOKEN_B, R_A, 1, 0);
	join_syn(&t, &j, TOKEN_B, R_A, 1, 0);
	join_synack(&t, &j, SYNACK_HMAC, R_B, 0);
	join_ack(&t, &j, ACK_HMAC);
	join_ack(&t, &j, ACK_HMAC);

	ASSERT_EQ(count(&t, "mptcp_attempt"), 1);
	ASSERT_EQ(count(&t, "mptcp_established"), 1);
	ASSERT_EQ(count(&t, "subflow_joined"), 1);
	ASSERT_STREQ(F(first(&t, "subflow_joined"), "subflows"), "2");
	ASSERT_NO_ANOMALY(&t);
	ASSERT_EQ(stats(&t)->conns_started, 1);
	ASSERT_EQ(stats(&t)->joins_verified, 1);
	ASSERT_EQ(stats(&t)->active_subflows, 2);
	tc_finish(&t);
	s = summary_of(&t, conn_of(first(&t, "mptcp_attempt")));
	ASSERT_EQ(s ? s->nsubflows : -1, 2);
	ASSERT_EQ(count(&t, "connection_closed"), 1);
	tc_free(&t);
}

/* RFC 8684 section 3.1: the third ACK echoes both keys; a receiver key
 * different from the SYN/ACK's is key_mismatch. */
TEST(key_mismatch_in_third_ack)
{
	struct path p = P_INIT();
	const struct cap_event *an, *e;
	struct tc t;

	tc_init(&t, 16);
	mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	mpc_synack(&t, &p, 1, MPX_CAP_H, KEY_B);
	mpc_ack(&t, &p, 1, MPX_CAP_H, KEY_A, KEY_B ^ 0xff);
	an = anomaly_ev(&t, "key_mismatch");
	ASSERT_EQ(count(&t, "anomaly"), 1);
	ASSERT_STREQ(F(an, "side"), "b");
	ASSERT_STREQ(F(an, "key_seen_before"), "4d4c52a7e86df770");
	ASSERT_STREQ(F(an, "key_now"), "4d4c52a7e86df78f");
	ASSERT_STREQ(conn_of(an), conn_of(first(&t, "mptcp_attempt")));
	/* The keys of record stay those of the handshake. */
	e = first(&t, "mptcp_established");
	ASSERT_STREQ(F(e, "key_b"), "4d4c52a7e86df770");
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_KEY_MISMATCH], 1);
	tc_finish(&t);
	CHECK(sum_has_anomaly(summary_of(&t, conn_of(an)), "key_mismatch"),
	      "summary lacks key_mismatch");
	tc_free(&t);
}

/* v0: Key-A is on the SYN, so a changed sender key in the third ACK is a
 * mismatch on side a. */
TEST(key_mismatch_v0_sender_key)
{
	struct path p = P_INIT();
	struct tc t;

	tc_init(&t, 16);
	mpc_syn(&t, &p, 0, MPX_CAP_H, 1, V0_KEY_A);
	mpc_synack(&t, &p, 0, MPX_CAP_H, V0_KEY_B);
	mpc_ack(&t, &p, 0, MPX_CAP_H, V0_KEY_A + 1, V0_KEY_B);
	ASSERT_EQ(count_anomaly(&t, "key_mismatch"), 1);
	ASSERT_STREQ(F(anomaly_ev(&t, "key_mismatch"), "side"), "a");
	ASSERT_EQ(count(&t, "anomaly"), 1);
	tc_free(&t);
}

/* RFC 8684 section 3.1: version 1 is this one, 0 the RFC 6824 one; others
 * are not understood (no token, no crypto check). */
TEST(unknown_version)
{
	struct path p = P_INIT();
	const struct cap_event *an;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 2, KEY_A, KEY_B);
	an = anomaly_ev(&t, "unknown_version");
	ASSERT_STREQ(F(an, "version"), "2");
	ASSERT_EQ(count(&t, "anomaly"), 1);
	ASSERT_STREQ(F(first(&t, "mptcp_established"), "token_a"), "(absent)");
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_UNKNOWN_VERSION], 1);
	tc_free(&t);
}

/*
 * Without H (RFC 8684 section 3.1: "H ... HMAC-SHA256"), no algorithm we
 * know is in use: flagged, and joins are not verified (null), even with
 * HMACs that would check under SHA-256.
 */
TEST(unknown_algorithm_no_verification)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct cap_event *an;
	struct tc t;

	tc_init(&t, 16);
	mpc_syn(&t, &p, 1, 0x00, 0, 0);
	mpc_synack(&t, &p, 1, 0x00, KEY_B);
	mpc_ack(&t, &p, 1, 0x00, KEY_A, KEY_B);
	an = anomaly_ev(&t, "unknown_algorithm");
	ASSERT_STREQ(F(an, "flags"), "00");
	ASSERT_EQ(count(&t, "anomaly"), 1);
	join_design(&t, &j);
	ASSERT_STREQ(F(first(&t, "subflow_joined"), "verified"), "null");
	ASSERT_EQ(count(&t, "join_hmac_invalid"), 0);
	ASSERT_EQ(stats(&t)->joins_unverified, 1);
	tc_free(&t);
}

/* RFC 8684 section 3.1 / 3.7: a SYN/ACK without MP_CAPABLE answering one
 * with it: plain TCP from there (the kernel side's FALLBACK record). */
TEST(fallback_to_tcp)
{
	struct path p = P_INIT();
	const struct cap_event *fb, *sc;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	flow_rec(&t, &p, 0, MPX_EV_FALLBACK, 1, 1, 0, 0);
	flow_rec(&t, &p, 0, MPX_EV_FALLBACK, 1, 1, 0, 0); /* said once */
	fb = first(&t, "mptcp_fallback");
	ASSERT_EQ(count(&t, "mptcp_fallback"), 1);
	ASSERT_STREQ(F(fb, "reason"), "synack_without_mp_capable");
	ASSERT_STREQ(conn_of(fb), conn_of(first(&t, "mptcp_attempt")));
	CHECK(fb && fb->has_tuple, "no 4-tuple");
	flow_rec(&t, &p, 1, MPX_EV_SUBFLOW_FIN, 74, 25, 100000, 7);
	flow_rec(&t, &p, 0, MPX_EV_SUBFLOW_FIN, 74, 26, 100000, 7);
	sc = first(&t, "subflow_closed");
	ASSERT_STREQ(F(sc, "how"), "fin");
	ASSERT_STREQ(F(sc, "role"), "initial");
	ASSERT_STREQ(F(sc, "packets_fwd"), "74");
	ASSERT_STREQ(F(sc, "packets_rev"), "26");
	ASSERT_STREQ(F(sc, "bytes_fwd"), "100000");
	ASSERT_STREQ(F(sc, "bytes_rev"), "7");
	pass_grace(&t);
	s = summary_of(&t, conn_of(fb));
	CHECK(s != NULL, "connection not closed by its last subflow");
	if (s) {
		ASSERT_STREQ(s->end, "fallback");
		ASSERT_EQ(s->fallback, 1);
		ASSERT_EQ(s->has_key[0] | s->has_key[1], 0);
		ASSERT_EQ(s->sf[0].packets[0], 74);
		ASSERT_EQ(s->sf[0].bytes[0], 100000);
	}
	ASSERT_EQ(stats(&t)->fallbacks, 1);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* ---- MP_JOIN (RFC 8684 section 3.2) ------------------------------------- */

TEST(join_verified_with_design_vectors)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct cap_event *e;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	join_syn(&t, &j, TOKEN_B, R_A, 1, 0);
	ASSERT_EQ(count(&t, "subflow_joined"), 0); /* not before the ACK */
	join_synack(&t, &j, SYNACK_HMAC, R_B, 0);
	join_ack(&t, &j, ACK_HMAC);
	e = first(&t, "subflow_joined");
	ASSERT_STREQ(F(e, "verified"), "true");
	ASSERT_STREQ(F(e, "token"), "c56050ed");
	ASSERT_STREQ(F(e, "token_match"), "unique");
	ASSERT_STREQ(F(e, "addr_id"), "1");
	ASSERT_STREQ(F(e, "backup"), "false");
	ASSERT_STREQ(F(e, "subflows"), "2");
	ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
	CHECK(e && e->has_tuple, "no 4-tuple");
	if (e && e->has_tuple) {
		ASSERT_STREQ(e->tuple.src, "198.18.2.1");
		ASSERT_STREQ(e->tuple.dst, "198.19.1.2");
		ASSERT_EQ(e->tuple.sport, 40001);
		ASSERT_EQ(e->tuple.dport, 80);
	}
	ASSERT_EQ(count(&t, "join_hmac_invalid"), 0);
	ASSERT_NO_ANOMALY(&t);
	ASSERT_EQ(stats(&t)->joins_verified, 1);
	tc_finish(&t);
	s = summary_of(&t, conn_of(e));
	if (s) {
		ASSERT_EQ(s->nsubflows, 2);
		ASSERT_STREQ(s->sf[1].role, "join");
		ASSERT_EQ(s->sf[1].verified, 1);
		ASSERT_STREQ(s->sf[1].tuple.dst, "198.19.1.2");
	}
	tc_free(&t);
}

/* The server (B) opens a subflow towards the client: the join carries A's
 * token and the HMAC roles swap. */
TEST(join_from_server_side_verified)
{
	struct path p = P_INIT();
	struct path j = path("198.18.1.2", 45000, "198.18.2.1", 40100);
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	join_syn(&t, &j, TOKEN_A, R_A, 0, 0);
	join_synack(&t, &j, REV_SYNACK_HMAC, R_B, 2);
	join_ack(&t, &j, REV_ACK_HMAC);
	e = first(&t, "subflow_joined");
	ASSERT_STREQ(F(e, "verified"), "true");
	ASSERT_STREQ(F(e, "token"), "1fe931e8");
	ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* One shard of many (publish/shard_route.h): the handshake arrives as
 * shadow copies, the join naming token A for real. Nothing is written
 * about the shadow's own subflow; the join is linked and verified under
 * the connection's id, and the summary lists the join only. */
TEST(shadow_connection_links_a_join_to_token_a)
{
	struct path p = P_INIT();
	struct path j = path("198.18.1.2", 45000, "198.18.2.1", 40100);
	const struct mpx_conn_summary *s;
	const struct cap_event *e;
	struct tc t, one;

	tc_init(&one, 16); /* the same records, none a shadow */
	open_conn(&one, &p, 1, KEY_A, KEY_B);
	tc_init(&t, 16);
	mpx_corr_set_shadow(t.c, 1);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	ASSERT_EQ(t.cap.n, 0);
	mpx_corr_set_shadow(t.c, 0);
	join_syn(&t, &j, TOKEN_A, R_A, 0, 0);
	join_synack(&t, &j, REV_SYNACK_HMAC, R_B, 2);
	join_ack(&t, &j, REV_ACK_HMAC);
	e = first(&t, "subflow_joined");
	if (!CHECK(e != NULL, "joined"))
		goto out;
	ASSERT_STREQ(F(e, "verified"), "true");
	ASSERT_STREQ(conn_of(e), conn_of(first(&one, "mptcp_attempt")));
	ASSERT_EQ(count(&t, "mptcp_attempt"), 0);
	ASSERT_EQ(count(&t, "mptcp_established"), 0);
	/* The initial subflow ends (its FINs come as shadows too), then the
	 * join: one summary, of the join. */
	mpx_corr_set_shadow(t.c, 1);
	fin_both(&t, &p);
	mpx_corr_set_shadow(t.c, 0);
	ASSERT_EQ(count(&t, "subflow_closed"), 0);
	fin_both(&t, &j);
	pass_grace(&t);
	ASSERT_EQ(count(&t, "subflow_closed"), 1);
	ASSERT_EQ(count(&t, "connection_closed"), 1);
	s = summary_of(&t, conn_of(e));
	if (CHECK(s != NULL, "summary")) {
		ASSERT_EQ(s->nsubflows, 1);
		ASSERT_EQ(s->sf[0].tuple.sport, 45000);
		ASSERT_EQ(s->sf[0].verified, 1);
	}
	ASSERT_EQ(stats(&t)->shadow_conns, 1);
	ASSERT_NO_ANOMALY(&t);
out:
	tc_free(&one);
	tc_free(&t);
}

/* A shadow that no join used writes nothing, ever; a copy of a subflow
 * known for real here is ignored. */
TEST(shadow_alone_writes_nothing)
{
	struct path p = P_INIT();
	struct path q = path("198.18.1.1", 40200, "198.18.2.1", 5201);
	struct tc t;

	tc_init(&t, 16);
	mpx_corr_set_shadow(t.c, 1);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	fin_both(&t, &p);
	mpx_corr_set_shadow(t.c, 0);
	open_conn(&t, &q, 1, KEY_A + 1, KEY_B + 1);
	mpx_corr_set_shadow(t.c, 1);
	mpc_ack(&t, &q, 1, MPX_CAP_H, KEY_A + 1, KEY_B + 1);
	mpx_corr_set_shadow(t.c, 0);
	pass_grace(&t);
	tc_finish(&t);
	ASSERT_EQ(count(&t, "mptcp_attempt"), 1);
	ASSERT_EQ(count(&t, "connection_closed"), 1);
	ASSERT_EQ(stats(&t)->shadows_ignored, 1);
	tc_free(&t);
}

/* On a subflow the server opened, the client (A) is the responder: the
 * side of each record comes from the connection, not from who sent the
 * subflow's SYN (ADD_ADDR HMAC keyed by the sender's key, RFC 8684 section
 * 3.4.1; MP_FASTCLOSE carrying the receiver's key, section 3.5). */
TEST(sides_on_a_server_initiated_subflow)
{
	struct path p = P_INIT();
	struct path j = path("198.18.1.2", 45000, "198.18.2.1", 40100);
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	join_syn(&t, &j, TOKEN_A, R_A, 0, 0);
	join_synack(&t, &j, REV_SYNACK_HMAC, R_B, 2);
	join_ack(&t, &j, REV_ACK_HMAC);
	/* From the join's responder (the client, A). */
	add_addr(&t, &j, 0, 5, "198.18.7.1", 0, 0, AA_HMAC_FROM_A);
	e = first(&t, "add_addr");
	ASSERT_STREQ(F(e, "by"), "a");
	ASSERT_STREQ(F(e, "hmac_valid"), "true");
	/* From the join's initiator (the server, B). */
	add_addr(&t, &j, 1, 1, "198.19.1.2", 0, 0, AA_HMAC);
	e = nth(&t, "add_addr", 1);
	ASSERT_STREQ(F(e, "by"), "b");
	ASSERT_STREQ(F(e, "hmac_valid"), "true");
	fastclose(&t, &j, 0, KEY_B); /* A closes: B's key */
	ASSERT_STREQ(F(first(&t, "fastclose"), "key_valid"), "true");
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* Which of the two MACs fails is said: table-driven. */
TEST(join_hmac_invalid)
{
	static const struct {
		int bad_synack, bad_ack;
		const char *failed;
	} cases[] = {
	    {0, 1, "ack"},
	    {1, 0, "synack"},
	    {1, 1, "synack,ack"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct path p = P_INIT(), j = P_JOIN();
		__u8 h[20];
		const struct cap_event *e, *inv;
		const struct mpx_conn_summary *s;
		struct tc t;

		memcpy(h, ACK_HMAC, sizeof(h));
		if (cases[i].bad_ack)
			h[19] ^= 0x01;
		tc_init(&t, 16);
		open_conn(&t, &p, 1, KEY_A, KEY_B);
		join_syn(&t, &j, TOKEN_B, R_A, 1, 0);
		join_synack(&t, &j, SYNACK_HMAC ^ (cases[i].bad_synack ? 1 : 0),
			    R_B, 0);
		join_ack(&t, &j, h);
		e = first(&t, "subflow_joined");
		inv = first(&t, "join_hmac_invalid");
		ASSERT_STREQ(F(e, "verified"), "false");
		ASSERT_STREQ(F(inv, "failed"), cases[i].failed);
		ASSERT_STREQ(conn_of(inv), conn_of(e));
		CHECK(inv && inv->has_tuple &&
			  strcmp(inv->tuple.src, "198.18.2.1") == 0,
		      "join_hmac_invalid without the join's 4-tuple");
		ASSERT_EQ(count(&t, "join_hmac_invalid"), 1);
		ASSERT_NO_ANOMALY(&t);
		ASSERT_EQ(stats(&t)->joins_hmac_invalid, 1);
		ASSERT_EQ(stats(&t)->joins_verified, 0);
		tc_finish(&t);
		s = summary_of(&t, conn_of(e));
		CHECK(sum_has_anomaly(s, "join_hmac_invalid"),
		      "case %zu: summary lacks join_hmac_invalid", i);
		ASSERT_EQ(s && s->nsubflows == 2 ? s->sf[1].verified : -2, 0);
		tc_free(&t);
	}
}

/* The SYN/ACK of the MP_CAPABLE handshake seen, its third ACK not: Key-A
 * unknown, so the join cannot be checked: verified null. */
TEST(join_keys_unseen_verified_null)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	mpc_synack(&t, &p, 1, MPX_CAP_H, KEY_B);
	join_design(&t, &j);
	e = first(&t, "subflow_joined");
	ASSERT_STREQ(F(e, "verified"), "null");
	ASSERT_STREQ(F(e, "token_match"), "unique");
	ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
	ASSERT_EQ(count(&t, "join_hmac_invalid"), 0);
	ASSERT_EQ(stats(&t)->joins_unverified, 1);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* A join SYN whose token belongs to no connection seen. */
TEST(join_unknown_token)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct cap_event *u, *e;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	join_syn(&t, &j, 0xdeadbeefU, R_A, 7, 1);
	u = first(&t, "join_unknown_token");
	ASSERT_EQ(count(&t, "join_unknown_token"), 1);
	ASSERT_STREQ(F(u, "token"), "deadbeef");
	ASSERT_STREQ(F(u, "addr_id"), "7");
	ASSERT_STREQ(F(u, "nonce"), "34acc972");
	CHECK(u && u->has_tuple && strcmp(u->tuple.src, "198.18.2.1") == 0,
	      "no 4-tuple");
	CHECK(u && u->conn[0] &&
		  strcmp(u->conn, conn_of(first(&t, "mptcp_attempt"))) != 0,
	      "unknown-token join tied to the wrong connection");
	join_synack(&t, &j, SYNACK_HMAC, R_B, 0);
	join_ack(&t, &j, ACK_HMAC);
	e = first(&t, "subflow_joined");
	ASSERT_STREQ(F(e, "verified"), "null");
	ASSERT_STREQ(conn_of(e), conn_of(u));
	ASSERT_EQ(stats(&t)->joins_unknown_token, 1);
	ASSERT_EQ(stats(&t)->conns_midstream, 1);
	ASSERT_NO_ANOMALY(&t);
	tc_finish(&t);
	s = summary_of(&t, conn_of(u));
	CHECK(s && s->midstream, "no midstream summary");
	CHECK(sum_has_anomaly(s, "join_unknown_token"),
	      "summary lacks join_unknown_token");
	CHECK(!sum_has_anomaly(
		  summary_of(&t, conn_of(first(&t, "mptcp_attempt"))),
		  "join_unknown_token"),
	      "the real connection blamed");
	tc_free(&t);
}

/*
 * The issue defines mptcp_midstream as "a connection first seen through DSS
 * or a join". A join SYN with an unknown token starts such a connection
 * (conns_midstream counts it, its summary says midstream): the event
 * stream must say so too, as it does for a join first seen at its SYN/ACK
 * or third ACK (see the next test).
 */
TEST(join_unknown_token_is_midstream)
{
	struct path j = P_JOIN();
	struct tc t;

	tc_init(&t, 16);
	join_syn(&t, &j, 0xdeadbeefU, R_A, 7, 0);
	ASSERT_EQ(stats(&t)->conns_midstream, 1);
	ASSERT_EQ(count(&t, "mptcp_midstream"), 1);
	ASSERT_STREQ(F(first(&t, "mptcp_midstream"), "via"), "mp_join");
	ASSERT_STREQ(conn_of(first(&t, "mptcp_midstream")),
		     conn_of(first(&t, "join_unknown_token")));
	tc_free(&t);
}

/* A join first seen at its third ACK: midstream via mp_join, then
 * subflow_joined with nothing to verify. */
TEST(midstream_via_join_ack)
{
	struct path j = P_JOIN();
	struct tc t;

	tc_init(&t, 16);
	join_ack(&t, &j, ACK_HMAC);
	ASSERT_STREQ(F(first(&t, "mptcp_midstream"), "via"), "mp_join");
	ASSERT_STREQ(F(first(&t, "subflow_joined"), "verified"), "null");
	ASSERT_STREQ(F(first(&t, "subflow_joined"), "token"), "(absent)");
	ASSERT_STREQ(conn_of(first(&t, "subflow_joined")),
		     conn_of(first(&t, "mptcp_midstream")));
	ASSERT_EQ(stats(&t)->conns_midstream, 1);
	tc_free(&t);
}

/*
 * Two connections whose B sides have one token (docs/design.md, after the Bro
 * work): the join goes to the one that advertised the join's destination
 * with ADD_ADDR. The first connection is on other addresses and has
 * another Key-A: picking it would make the HMACs fail.
 */
TEST(token_collision_disambiguated_by_add_addr)
{
	struct path p1 = path("198.18.5.1", 41000, "198.18.5.2", 80);
	struct path p2 = P_INIT(), j = P_JOIN();
	const struct cap_event *c1, *c2, *col, *e;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p1, 1, 0x1111111111111111ULL, KEY_B);
	open_conn(&t, &p2, 1, KEY_A, KEY_B);
	c1 = nth(&t, "mptcp_attempt", 0);
	c2 = nth(&t, "mptcp_attempt", 1);
	col = anomaly_ev(&t, "token_collision");
	ASSERT_EQ(count_anomaly(&t, "token_collision"), 1);
	ASSERT_STREQ(F(col, "token"), "c56050ed");
	ASSERT_STREQ(conn_of(col), conn_of(c2));
	ASSERT_STREQ(F(col, "other_conn"), conn_of(c1));
	add_addr(&t, &p2, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	ASSERT_STREQ(F(first(&t, "add_addr"), "hmac_valid"), "true");
	join_design(&t, &j);
	e = first(&t, "subflow_joined");
	ASSERT_STREQ(conn_of(e), conn_of(c2));
	ASSERT_STREQ(F(e, "token_match"), "add_addr");
	ASSERT_STREQ(F(e, "verified"), "true");
	ASSERT_EQ(count(&t, "anomaly"), 1); /* only the collision itself */
	tc_finish(&t);
	CHECK(sum_has_anomaly(summary_of(&t, conn_of(c1)), "token_collision"),
	      "first connection's summary lacks token_collision");
	CHECK(sum_has_anomaly(summary_of(&t, conn_of(c2)), "token_collision"),
	      "second connection's summary lacks token_collision");
	tc_free(&t);
}

/* Neither connection has the join's destination: ambiguous, said so. */
TEST(token_collision_ambiguous)
{
	struct path p1 = path("198.18.5.1", 41000, "198.18.5.2", 80);
	struct path p2 = P_INIT();
	struct path j = path("198.18.2.1", 40001, "198.19.77.7", 80);
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p1, 1, 0x1111111111111111ULL, KEY_B);
	open_conn(&t, &p2, 1, KEY_A, KEY_B);
	join_design(&t, &j);
	e = first(&t, "subflow_joined");
	ASSERT_STREQ(F(e, "token_match"), "ambiguous");
	ASSERT_EQ(count_anomaly(&t, "token_collision"), 2);
	ASSERT_STREQ(F(nth(&t, "anomaly", 1), "candidates"), "2");
	tc_free(&t);
}

/* ---- ADD_ADDR / REMOVE_ADDR (RFC 8684 sections 3.4.1, 3.4.2) ------------ */

TEST(add_addr_hmac_valid_table)
{
	static const struct {
		int from_a;
		__u8 id;
		const char *ip;
		__u16 port;
		__u64 hmac;
		const char *by;
	} cases[] = {
	    {0, 1, "198.19.1.2", 0, AA_HMAC, "b"}, /* docs/design.md */
	    {0, 1, "198.19.1.2", 8080, AA_HMAC_PORT, "b"},
	    {1, 5, "198.18.7.1", 0, AA_HMAC_FROM_A, "a"},
	    {0, 3, "2001:db8:9::2", 0, AA_HMAC_V6, "b"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct path p = P_INIT();
		const struct cap_event *e;
		char id[16];
		struct tc t;

		tc_init(&t, 16);
		open_conn(&t, &p, 1, KEY_A, KEY_B);
		add_addr(&t, &p, cases[i].from_a, cases[i].id, cases[i].ip,
			 cases[i].port, 0, cases[i].hmac);
		e = first(&t, "add_addr");
		snprintf(id, sizeof(id), "%u", cases[i].id);
		CHECK(strcmp(F(e, "hmac_valid"), "true") == 0,
		      "case %zu (%s): hmac_valid %s", i, cases[i].ip,
		      F(e, "hmac_valid"));
		ASSERT_STREQ(F(e, "addr"), cases[i].ip);
		ASSERT_STREQ(F(e, "addr_id"), id);
		ASSERT_STREQ(F(e, "by"), cases[i].by);
		ASSERT_STREQ(F(e, "echo"), "false");
		ASSERT_STREQ(F(e, "version"), "1");
		if (cases[i].port)
			ASSERT_STREQ(F(e, "port"), "8080");
		else
			ASSERT_STREQ(F(e, "port"), "(absent)");
		ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
		ASSERT_NO_ANOMALY(&t);
		ASSERT_EQ(stats(&t)->addrs_added, 1);
		tc_free(&t);
	}
}

TEST(add_addr_hmac_invalid)
{
	struct path p = P_INIT();
	const struct cap_event *an;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC ^ 0x100);
	ASSERT_STREQ(F(first(&t, "add_addr"), "hmac_valid"), "false");
	an = anomaly_ev(&t, "add_addr_hmac_invalid");
	ASSERT_STREQ(F(an, "addr"), "198.19.1.2");
	ASSERT_STREQ(F(an, "addr_id"), "1");
	ASSERT_STREQ(F(an, "note"), "(absent)");
	ASSERT_EQ(count(&t, "anomaly"), 1);
	/* The leftmost 64 bits (early Linux): still invalid, but said. */
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC_LEFT);
	ASSERT_STREQ(F(nth(&t, "anomaly", 1), "note"), "leftmost_64_bits");
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_ADD_ADDR_HMAC_INVALID], 2);
	tc_free(&t);
}

/* An echo carries no HMAC and repeats the peer's address; keys unseen
 * make an HMAC unverifiable. Both are null, neither an anomaly. */
TEST(add_addr_echo_and_unverifiable)
{
	struct path p = P_INIT();
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	add_addr(&t, &p, 1, 1, "198.19.1.2", 0, 1, 0);
	e = nth(&t, "add_addr", 1);
	ASSERT_STREQ(F(e, "echo"), "true");
	ASSERT_STREQ(F(e, "by"), "a");
	ASSERT_STREQ(F(e, "hmac_valid"), "null");
	ASSERT_EQ(stats(&t)->addrs_added, 1);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);

	tc_init(&t, 16);
	mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	mpc_synack(&t, &p, 1, MPX_CAP_H, KEY_B);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	ASSERT_STREQ(F(first(&t, "add_addr"), "hmac_valid"), "null");
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* RFC 8684 section 3.4.1: an address id names one address until it is
 * removed. The same advertisement again (a retransmission) is fine. */
TEST(addr_id_reuse)
{
	struct path p = P_INIT();
	const struct cap_event *an;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	ASSERT_NO_ANOMALY(&t);
	add_addr(&t, &p, 0, 1, "198.19.9.9", 0, 0, AA_HMAC_9_9);
	ASSERT_STREQ(F(nth(&t, "add_addr", 2), "hmac_valid"), "true");
	an = anomaly_ev(&t, "addr_id_reuse");
	ASSERT_STREQ(F(an, "addr_id"), "1");
	ASSERT_STREQ(F(an, "addr"), "198.19.9.9");
	ASSERT_EQ(count(&t, "anomaly"), 1);
	tc_finish(&t);
	CHECK(sum_has_anomaly(summary_of(&t, conn_of(an)), "addr_id_reuse"),
	      "summary lacks addr_id_reuse");
	tc_free(&t);
}

/* RFC 8684 section 3.4.2: REMOVE_ADDR withdraws the sender's own ids; after
 * it the id may name another address. A removal by the other side frees
 * nothing of B's. */
TEST(addr_id_reuse_after_remove)
{
	struct path p = P_INIT();
	const __u8 one = 1;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	remove_addr(&t, &p, 0, &one, 1);
	add_addr(&t, &p, 0, 1, "198.19.9.9", 0, 0, AA_HMAC_9_9);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	remove_addr(&t, &p, 1, &one, 1); /* A removes its own id 1 */
	add_addr(&t, &p, 0, 1, "198.19.9.9", 0, 0, AA_HMAC_9_9);
	ASSERT_EQ(count_anomaly(&t, "addr_id_reuse"), 1);
	tc_free(&t);
}

TEST(remove_addr_event)
{
	struct path p = P_INIT();
	const __u8 ids[] = {1, 3};
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	remove_addr(&t, &p, 0, ids, 2);
	e = first(&t, "remove_addr");
	ASSERT_STREQ(F(e, "addr_ids"), "1,3");
	ASSERT_STREQ(F(e, "by"), "b");
	ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
	CHECK(e && e->has_tuple, "no 4-tuple");
	ASSERT_EQ(stats(&t)->addrs_removed, 2);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* ---- MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST, errors ------------------- */

/* RFC 8684 section 3.3.8: v1 MP_PRIO is about the subflow it is sent on;
 * v0's may name another one by address id (then the subflow it is sent on
 * keeps its priority). */
TEST(prio_change)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct cap_event *e;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	join_design(&t, &j);
	prio(&t, &j, 1, 1, 0, 0);
	e = first(&t, "prio_change");
	ASSERT_STREQ(F(e, "backup"), "true");
	ASSERT_STREQ(F(e, "addr_id"), "(absent)");
	ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
	CHECK(e && e->has_tuple && e->tuple.sport == 40001,
	      "prio_change not on the join's 4-tuple");
	prio(&t, &p, 1, 1, 1, 3); /* v0 style, names id 3 */
	ASSERT_STREQ(F(nth(&t, "prio_change", 1), "addr_id"), "3");
	tc_finish(&t);
	s = summary_of(&t, conn_of(e));
	if (s && s->nsubflows == 2) {
		ASSERT_EQ(s->sf[0].backup, 0);
		ASSERT_EQ(s->sf[1].backup, 1);
	}
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* RFC 8684 section 3.7: MP_FAIL reports a checksum failure: an event and an
 * anomaly (something on the path changed the stream). */
TEST(mp_fail_event_and_anomaly)
{
	struct path p = P_INIT();
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	mp_fail(&t, &p, 0, 123456789012ULL);
	ASSERT_STREQ(F(first(&t, "mp_fail"), "dsn"), "123456789012");
	ASSERT_STREQ(conn_of(first(&t, "mp_fail")),
		     conn_of(first(&t, "mptcp_attempt")));
	ASSERT_STREQ(F(anomaly_ev(&t, "mp_fail"), "dsn"), "123456789012");
	ASSERT_EQ(count(&t, "anomaly"), 1);
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_MP_FAIL], 1);
	tc_finish(&t);
	CHECK(sum_has_anomaly(summary_of(&t, conn_of(first(&t, "mp_fail"))),
			      "mp_fail"),
	      "summary lacks mp_fail");
	tc_free(&t);
}

/* RFC 8684 section 3.5: MP_FASTCLOSE carries the key of its receiver. */
TEST(fastclose_key_check)
{
	static const struct {
		int from_a;
		__u64 key;
		const char *valid;
		int anomalies;
	} cases[] = {
	    {1, KEY_B, "true", 0},  /* A closes: B's key */
	    {0, KEY_A, "true", 0},  /* B closes: A's key */
	    {1, KEY_A, "false", 1}, /* A sends its own key */
	    {0, 0x0123456789abcdefULL, "false", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct path p = P_INIT();
		const struct cap_event *e;
		char key[17];
		struct tc t;

		tc_init(&t, 16);
		open_conn(&t, &p, 1, KEY_A, KEY_B);
		fastclose(&t, &p, cases[i].from_a, cases[i].key);
		e = first(&t, "fastclose");
		snprintf(key, sizeof(key), "%016" PRIx64,
			 (uint64_t)cases[i].key);
		CHECK(strcmp(F(e, "key_valid"), cases[i].valid) == 0,
		      "case %zu: key_valid %s", i, F(e, "key_valid"));
		ASSERT_STREQ(F(e, "receiver_key"), key);
		ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
		ASSERT_EQ(count(&t, "anomaly"), cases[i].anomalies);
		ASSERT_EQ(count_anomaly(&t, "fastclose_key_invalid"),
			  cases[i].anomalies);
		ASSERT_EQ(stats(&t)->fastcloses, 1);
		tc_free(&t);
	}
}

/* On a 4-tuple we do not know: no connection, the record's own 4-tuple,
 * and nothing to check the key against. */
TEST(fastclose_unknown_subflow)
{
	struct path p = P_INIT();
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 16);
	fastclose(&t, &p, 0, KEY_A);
	e = first(&t, "fastclose");
	ASSERT_STREQ(F(e, "key_valid"), "null");
	ASSERT_STREQ(conn_of(e), "");
	CHECK(e && e->has_tuple && strcmp(e->tuple.src, "198.18.1.2") == 0,
	      "no record 4-tuple");
	ASSERT_NO_ANOMALY(&t);
	ASSERT_EQ(stats(&t)->conns_started, 0);
	tc_free(&t);
}

/* RFC 8684 section 3.6: the reason codes and the U V W T flags. */
TEST(tcprst_reasons)
{
	static const struct {
		__u8 reason, flags;
		const char *name, *ftext;
		int bucket;
	} cases[] = {
	    {0, 0, "unspecified", "", 0},
	    {1, MPX_RST_T, "mptcp_error", "T", 1},
	    {2, 0, "lack_of_resources", "", 2},
	    {3, 0, "administratively_prohibited", "", 3},
	    {4, MPX_RST_U | MPX_RST_W, "too_much_outstanding_data", "UW", 4},
	    {5, 0, "unacceptable_performance", "", 5},
	    {6, MPX_RST_U | MPX_RST_V | MPX_RST_W | MPX_RST_T,
	     "middlebox_interference", "UVWT", 6},
	    {9, 0, "other", "", 7},
	};
	struct path p = P_INIT();
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cap_event *e;
		char r[16];

		tcprst(&t, &p, 0, cases[i].reason, cases[i].flags);
		e = nth(&t, "tcprst", (int)i);
		snprintf(r, sizeof(r), "%u", cases[i].reason);
		ASSERT_STREQ(F(e, "reason"), r);
		ASSERT_STREQ(F(e, "reason_name"), cases[i].name);
		ASSERT_STREQ(F(e, "flags"), cases[i].ftext);
		ASSERT_STREQ(conn_of(e), conn_of(first(&t, "mptcp_attempt")));
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_EQ(stats(&t)->tcprst[cases[i].bucket], 1);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* An illegal option (the parser's mp_error record): option_error. On a
 * known subflow it is the connection's; on an unknown one it creates no
 * state (garbage must not make connections). */
TEST(option_error)
{
	struct path p = P_INIT(), q = path("198.18.9.1", 1, "198.18.9.2", 2);
	const struct cap_event *an;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	opt_error(&t, &p, 1, MPX_ERR_BAD_LENGTH, MPX_EV_DSS, 3);
	an = anomaly_ev(&t, "option_error");
	ASSERT_STREQ(F(an, "reason"), "bad_length");
	ASSERT_STREQ(F(an, "subtype"), "2");
	ASSERT_STREQ(F(an, "opt_len"), "3");
	ASSERT_STREQ(conn_of(an), conn_of(first(&t, "mptcp_attempt")));
	opt_error(&t, &q, 1, MPX_ERR_UNKNOWN_SUBTYPE, 9, 4);
	an = nth(&t, "anomaly", 1);
	ASSERT_STREQ(F(an, "reason"), "unknown_subtype");
	ASSERT_STREQ(conn_of(an), "");
	CHECK(an && an->has_tuple && strcmp(an->tuple.src, "198.18.9.1") == 0,
	      "no record 4-tuple");
	ASSERT_EQ(stats(&t)->conns_started, 1);
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_OPTION_ERROR], 2);
	tc_finish(&t);
	CHECK(
	    sum_has_anomaly(summary_of(&t, conn_of(first(&t, "mptcp_attempt"))),
			    "option_error"),
	    "summary lacks option_error");
	tc_free(&t);
}

/* ---- midstream ------------------------------------------------------------
 */

TEST(midstream_via_dss)
{
	struct path p = P_INIT();
	const struct cap_event *m;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	dss(&t, &p, 0, 0);
	dss(&t, &p, 1, 0);
	m = first(&t, "mptcp_midstream");
	ASSERT_EQ(count(&t, "mptcp_midstream"), 1);
	ASSERT_STREQ(F(m, "via"), "mp_dss");
	ASSERT_EQ(strlen(conn_of(m)), 16);
	ASSERT_EQ(stats(&t)->conns_midstream, 1);
	ASSERT_EQ(stats(&t)->conns_started, 1);
	tc_finish(&t);
	s = summary_of(&t, conn_of(m));
	CHECK(s != NULL, "no summary");
	if (s) {
		ASSERT_EQ(s->midstream, 1);
		ASSERT_EQ(s->version, -1);
		ASSERT_EQ(s->has_key[0] | s->has_key[1], 0);
		ASSERT_STREQ(s->end, "open");
	}
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* First seen at its third ACK (both keys): the keys make later joins
 * verifiable. */
TEST(midstream_via_third_ack_then_verified_join)
{
	struct path p = P_INIT(), j = P_JOIN();
	const struct cap_event *m;
	struct tc t;

	tc_init(&t, 16);
	mpc_ack(&t, &p, 1, MPX_CAP_H, KEY_A, KEY_B);
	m = first(&t, "mptcp_midstream");
	ASSERT_STREQ(F(m, "via"), "mp_capable");
	join_design(&t, &j);
	ASSERT_STREQ(F(first(&t, "subflow_joined"), "verified"), "true");
	ASSERT_STREQ(conn_of(first(&t, "subflow_joined")), conn_of(m));
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* ---- subflow and connection ends ----------------------------------------- */

/* A subflow is closed by FINs both ways or by an RST; counters are per
 * direction, initiator -> responder first, whichever side the record. */
TEST(subflow_closed_fin_both_ways)
{
	struct path p = P_INIT();
	const struct cap_event *sc;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	flow_rec(&t, &p, 0, MPX_EV_SUBFLOW_FIN, 30, 20, 3000, 2000);
	ASSERT_EQ(count(&t, "subflow_closed"), 0);
	flow_rec(&t, &p, 1, MPX_EV_SUBFLOW_FIN, 31, 21, 3000, 2000);
	sc = first(&t, "subflow_closed");
	ASSERT_STREQ(F(sc, "how"), "fin");
	ASSERT_STREQ(F(sc, "packets_fwd"), "31");
	ASSERT_STREQ(F(sc, "packets_rev"), "21");
	ASSERT_STREQ(F(sc, "bytes_fwd"), "3000");
	ASSERT_STREQ(F(sc, "bytes_rev"), "2000");
	CHECK(sc && sc->has_tuple && strcmp(sc->tuple.src, "198.18.1.1") == 0,
	      "subflow_closed 4-tuple not initiator first");
	ASSERT_EQ(count(&t, "connection_closed"), 0); /* within the grace */
	pass_grace(&t);
	ASSERT_EQ(count(&t, "connection_closed"), 1);
	ASSERT_EQ(stats(&t)->active_subflows, 0);
	tc_free(&t);
}

/* How a connection ended, table-driven (docs/design.md: DATA_FIN both ways,
 * MP_FASTCLOSE, the end of its last subflow; or still open, or evicted:
 * see bound_* below). */
enum {
	S_DFIN_A = 1,
	S_DFIN_B = 2,
	S_FCLOSE = 4,
	S_RST = 8,
	S_FIN = 16,
	S_JOIN = 32
};

TEST(connection_end_reasons)
{
	static const struct {
		const char *what;
		int steps;
		int closed_before_finish;
		const char *end;
	} cases[] = {
	    {"data_fin both ways", S_DFIN_A | S_DFIN_B | S_FIN, 1, "data_fin"},
	    {"data_fin both ways, two subflows",
	     S_JOIN | S_DFIN_A | S_DFIN_B | S_FIN, 1, "data_fin"},
	    {"data_fin one way only", S_DFIN_A | S_FIN, 1, "subflows_closed"},
	    {"fastclose then rst", S_FCLOSE | S_RST, 1, "fastclose"},
	    {"rst alone", S_RST, 1, "subflows_closed"},
	    {"open at finish", 0, 0, "open"},
	    {"open at finish, one DATA_FIN", S_DFIN_A, 0, "open"},
	    {"fastclose, no rst seen", S_FCLOSE, 0, "fastclose"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct path p = P_INIT(), j = P_JOIN();
		int st = cases[i].steps;
		const struct mpx_conn_summary *s;
		const char *id;
		struct tc t;

		tc_init(&t, 16);
		open_conn(&t, &p, 1, KEY_A, KEY_B);
		id = conn_of(first(&t, "mptcp_attempt"));
		if (st & S_JOIN)
			join_design(&t, &j);
		if (st & S_DFIN_A)
			dss(&t, &p, 1, 1);
		if (st & S_DFIN_B)
			dss(&t, &p, 0, 1);
		if (st & S_FCLOSE)
			fastclose(&t, &p, 1, KEY_B);
		if (st & S_RST) {
			flow_rec(&t, &p, 0, MPX_EV_SUBFLOW_RST, 5, 5, 0, 0);
			if (st & S_JOIN)
				flow_rec(&t, &j, 0, MPX_EV_SUBFLOW_RST, 5, 5, 0,
					 0);
		}
		if (st & S_FIN) {
			fin_both(&t, &p);
			if (st & S_JOIN)
				fin_both(&t, &j);
		}
		pass_grace(&t);
		CHECK((summary_of(&t, id) != NULL) ==
			  cases[i].closed_before_finish,
		      "%s: closed before finish: %d", cases[i].what,
		      summary_of(&t, id) != NULL);
		tc_finish(&t);
		s = summary_of(&t, id);
		CHECK(s && strcmp(s->end, cases[i].end) == 0,
		      "%s: end %s, want %s", cases[i].what,
		      s ? s->end : "(none)", cases[i].end);
		ASSERT_EQ(count(&t, "connection_closed"), 1);
		tc_free(&t);
	}
}

/* The id is a function of the first subflow (4-tuple and ISN): the same
 * traffic gives the same ids, another ISN another id. Every event about a
 * subflow carries the id and the subflow's addresses. */
TEST(stable_conn_id_and_tuples)
{
	struct path p = P_INIT(), j = P_JOIN();
	char id1[24], id2[24];
	struct tc t;

	for (int run = 0; run < 2; run++) {
		tc_init(&t, 16);
		open_conn(&t, &p, 1, KEY_A, KEY_B);
		add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
		join_design(&t, &j);
		prio(&t, &j, 1, 1, 0, 0);
		dss(&t, &p, 1, 1);
		dss(&t, &p, 0, 1);
		fin_both(&t, &j);
		fin_both(&t, &p);
		snprintf(run ? id2 : id1, sizeof(id1), "%s",
			 conn_of(first(&t, "mptcp_attempt")));
		for (int i = 0; i < t.cap.n; i++) {
			const struct cap_event *e = t.cap.ev[i];

			CHECK(strcmp(e->conn, run ? id2 : id1) == 0,
			      "%s: conn %s", e->name, e->conn);
			if (strcmp(e->name, "connection_closed") != 0)
				CHECK(e->has_tuple, "%s: no 4-tuple", e->name);
		}
		pass_grace(&t);
		ASSERT_EQ(count(&t, "connection_closed"), 1);
		tc_free(&t);
	}
	ASSERT_STREQ(id1, id2);
	for (size_t i = 0; i < strlen(id1); i++)
		CHECK((id1[i] >= '0' && id1[i] <= '9') ||
			  (id1[i] >= 'a' && id1[i] <= 'f'),
		      "id %s not lowercase hex", id1);
	p.isn_a++;
	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	CHECK(strcmp(conn_of(first(&t, "mptcp_attempt")), id1) != 0,
	      "another ISN, same id");
	tc_free(&t);
}

/* Final per-subflow counts come from the flow table when there is one
 * (the kernel's or the host engine's), keyed canonically (lower endpoint
 * first): the summary must turn them to initiator -> responder. Here the
 * initiator is the higher address, so [0] of the table is the responder. */
struct fq_arg {
	int calls;
};

static int fake_flow_query(void *arg, const struct mpx_flow_key *key,
			   struct mpx_flow *out)
{
	struct fq_arg *a = arg;
	__u8 low[MPX_ADDR_LEN] = {0};

	a->calls++;
	low[10] = low[11] = 0xff;
	low[12] = 198, low[13] = 18, low[14] = 1, low[15] = 1;
	if (memcmp(key->addr[0], low, MPX_ADDR_LEN) != 0 || key->port[0] != 80)
		return -1;
	memset(out, 0, sizeof(*out));
	out->packets[0] = 10; /* from 198.18.1.1:80 (the responder) */
	out->packets[1] = 20;
	out->bytes[0] = 1000;
	out->bytes[1] = 2000;
	return 0;
}

TEST(summary_counts_from_flow_query)
{
	struct path p = path("198.18.1.2", 40000, "198.18.1.1", 80);
	struct fq_arg arg = {0};
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	mpx_corr_set_flow_query(t.c, fake_flow_query, &arg);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	tc_finish(&t);
	CHECK(arg.calls > 0, "flow table never asked");
	s = summary_of(&t, conn_of(first(&t, "mptcp_attempt")));
	if (s) {
		ASSERT_STREQ(s->sf[0].tuple.src, "198.18.1.2");
		ASSERT_EQ(s->sf[0].packets[0], 20);
		ASSERT_EQ(s->sf[0].packets[1], 10);
		ASSERT_EQ(s->sf[0].bytes[0], 2000);
		ASSERT_EQ(s->sf[0].bytes[1], 1000);
	}
	tc_free(&t);
}

/* ---- bounds (docs/design.md: "an attacker sending SYNs with random keys must
 * not grow memory without bound") ------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static struct path random_path(void)
{
	char a[32], b[32];
	uint64_t r = rnd();

	snprintf(a, sizeof(a), "198.18.%u.%u", (unsigned)(r >> 8 & 0xff),
		 (unsigned)(r >> 16 & 0xff));
	snprintf(b, sizeof(b), "198.19.%u.%u", (unsigned)(r >> 24 & 0xff),
		 (unsigned)(r >> 32 & 0xff));
	return path(a, (__u16)(1024 + (r >> 40) % 60000), b, 443);
}

/* Every connection that was attempted has exactly one summary, and the
 * evicted ones say so. Returns how many summaries say `end`. */
static int check_one_summary_each(const struct tc *t, const char *start_ev,
				  const char *end)
{
	int n = 0;

	for (int i = 0; i < t->cap.n; i++) {
		const struct cap_event *a = t->cap.ev[i];
		int found = 0;

		if (strcmp(a->name, start_ev) != 0)
			continue;
		for (int k = 0; k < t->cap.n; k++) {
			const struct cap_event *c = t->cap.ev[k];

			if (strcmp(c->name, "connection_closed") == 0 &&
			    strcmp(c->conn, a->conn) == 0) {
				found++;
				n += strcmp(c->sum->end, end) == 0;
			}
		}
		CHECK(found == 1, "%s %s: %d summaries", start_ev, a->conn,
		      found);
		if (found != 1)
			break;
	}
	return n;
}

TEST(bound_1000_syns_random_keys)
{
	struct tc t;
	__u64 peak = 0;

	tc_init(&t, 8);
	for (int i = 0; i < 1000; i++) {
		struct path p = random_path();

		/* v0 SYNs carry a key, so every one is also a token in the
		 * index; every other one is a v1 SYN (no key). */
		if (i % 2)
			mpc_syn(&t, &p, 0, MPX_CAP_H, 1, rnd());
		else
			mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
		if (stats(&t)->active_conns > peak)
			peak = stats(&t)->active_conns;
	}
	CHECK(peak <= 8, "%" PRIu64 " connections live at once",
	      (uint64_t)peak);
	ASSERT_EQ(count(&t, "mptcp_attempt"), 1000);
	ASSERT_EQ(stats(&t)->conns_started, 1000);
	ASSERT_EQ(stats(&t)->conns_evicted, 992);
	ASSERT_EQ(stats(&t)->active_subflows, 8);
	ASSERT_EQ(count(&t, "connection_closed"), 992);
	tc_finish(&t);
	ASSERT_EQ(count(&t, "connection_closed"), 1000);
	ASSERT_EQ(stats(&t)->conns_closed, 1000);
	ASSERT_EQ(stats(&t)->active_conns, 0);
	ASSERT_EQ(stats(&t)->active_subflows, 0);
	ASSERT_EQ(check_one_summary_each(&t, "mptcp_attempt", "evicted"), 992);
	ASSERT_EQ(check_one_summary_each(&t, "mptcp_attempt", "open"), 8);
	ASSERT_NO_ANOMALY(&t);
	tc_free(&t);
}

/* The same with joins carrying random tokens: each one is an unknown-token
 * connection, just as bounded. */
TEST(bound_join_flood_random_tokens)
{
	struct tc t;
	__u64 peak = 0;

	tc_init(&t, 8);
	for (int i = 0; i < 1000; i++) {
		struct path p = random_path();

		join_syn(&t, &p, (__u32)rnd(), (__u32)rnd(), 1, 0);
		if (stats(&t)->active_conns > peak)
			peak = stats(&t)->active_conns;
	}
	CHECK(peak <= 8, "%" PRIu64 " connections live at once",
	      (uint64_t)peak);
	ASSERT_EQ(stats(&t)->joins_unknown_token, 1000);
	ASSERT_EQ(stats(&t)->conns_evicted, 992);
	tc_finish(&t);
	ASSERT_EQ(check_one_summary_each(&t, "join_unknown_token", "evicted"),
		  992);
	tc_free(&t);
}

/* An evicted connection leaves no trace in the token index: a join to its
 * token is unknown (and, under ASan, touches no freed memory). */
TEST(evicted_connection_token_forgotten)
{
	struct path p = P_INIT(), j = P_JOIN();
	const char *victim;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 4);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	victim = conn_of(first(&t, "mptcp_attempt"));
	for (int i = 0; i < 4; i++) {
		struct path q = random_path();

		mpc_syn(&t, &q, 0, MPX_CAP_H, 1, rnd());
	}
	s = summary_of(&t, victim);
	CHECK(s && strcmp(s->end, "evicted") == 0, "victim not evicted");
	if (s) { /* evicted with what it knew */
		ASSERT_EQ(s->key[1], KEY_B);
		ASSERT_EQ(s->token[1], TOKEN_B);
	}
	ASSERT_EQ(stats(&t)->conns_evicted, 1);
	join_design(&t, &j);
	ASSERT_EQ(count(&t, "join_unknown_token"), 1);
	ASSERT_STREQ(F(first(&t, "subflow_joined"), "verified"), "null");
	tc_free(&t);
}

/* Per connection: at most MPX_SUM_MAX_SUBFLOWS subflows, the rest counted
 * as dropped. */
TEST(bound_subflows_per_connection)
{
	struct path p = P_INIT();
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	for (int i = 0; i < MPX_SUM_MAX_SUBFLOWS + 8; i++) {
		struct path j =
		    path("198.18.2.1", (__u16)(50000 + i), "198.19.1.2", 80);

		join_syn(&t, &j, TOKEN_B, R_A + (__u32)i, 1, 0);
	}
	ASSERT_EQ(stats(&t)->subflows_dropped, 9);
	tc_finish(&t);
	s = summary_of(&t, conn_of(first(&t, "mptcp_attempt")));
	ASSERT_EQ(s ? s->nsubflows : -1, MPX_SUM_MAX_SUBFLOWS);
	tc_free(&t);
}

/*
 * A join past the per-connection bound is dropped (counted in
 * subflows_dropped); the rest of its handshake (SYN/ACK, third ACK) must
 * not then pass for a new connection seen midstream: its SYN named a
 * known token, it belongs to a known connection.
 */
TEST(dropped_subflow_spawns_no_connection)
{
	struct path p = P_INIT();
	struct path j = path("198.18.2.1", 60000, "198.19.1.2", 80);
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	for (int i = 0; i < MPX_SUM_MAX_SUBFLOWS - 1; i++) {
		struct path q =
		    path("198.18.2.1", (__u16)(50000 + i), "198.19.1.2", 80);

		join_syn(&t, &q, TOKEN_B, R_A + (__u32)i, 1, 0);
	}
	ASSERT_EQ(stats(&t)->subflows_dropped, 0);
	join_design(&t, &j); /* one too many */
	ASSERT_EQ(stats(&t)->subflows_dropped, 1);
	ASSERT_EQ(count(&t, "mptcp_midstream"), 0);
	ASSERT_EQ(stats(&t)->conns_started, 1);
	tc_free(&t);
}

/*
 * Addresses are bounded too (MPX_MAX_ADDRS per side), and docs/design.md wants
 * every bound to evict and count, not to stop tracking: after 8 ids, a 9th
 * id advertised for one address and then for another must still be seen
 * as reused (otherwise 8 throw-away advertisements blind the check).
 */
TEST(addr_table_bound_keeps_tracking)
{
	struct path p = P_INIT();
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	for (__u8 id = 20; id < 28; id++) {
		struct mptcp_event ev =
		    rec(&p, 0, MPX_EV_ADD_ADDR, MPX_TCP_ACK);

		/* v0-style (RFC 6824): no HMAC, so nothing else to flag. */
		ev.opt_len = 8;
		ev.u.add_addr.version = 0;
		ev.u.add_addr.addr_id = id;
		ev.u.add_addr.family = 4;
		ev.u.add_addr.addr[0] = 198;
		ev.u.add_addr.addr[1] = 19;
		ev.u.add_addr.addr[2] = 8;
		ev.u.add_addr.addr[3] = id;
		feed(&t, &ev);
	}
	ASSERT_NO_ANOMALY(&t);
	add_addr(&t, &p, 0, 1, "198.19.1.2", 0, 0, AA_HMAC);
	add_addr(&t, &p, 0, 1, "198.19.9.9", 0, 0, AA_HMAC_9_9);
	CHECK(count_anomaly(&t, "addr_id_reuse") == 1,
	      "id 1 re-advertised for another address after 8 others: "
	      "%d addr_id_reuse",
	      count_anomaly(&t, "addr_id_reuse"));
	tc_free(&t);
}

/*
 * Connections that have ended are kept a while to absorb stragglers; when
 * room is needed they must go before a live connection does. Otherwise a
 * long-lived connection is "evicted" (its summary cut short, counted as an
 * eviction) although the table is full only of finished ones. docs/design.md:
 * eviction makes room under pressure; here there is no pressure from live
 * connections at all (at most 2 live at any time, bound 8).
 */
TEST(closed_connections_make_room_before_live_ones)
{
	struct path live = P_INIT();
	const char *id;
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 8);
	open_conn(&t, &live, 1, KEY_A, KEY_B);
	id = conn_of(first(&t, "mptcp_attempt"));
	for (int i = 0; i < 20; i++) {
		struct path q =
		    path("198.18.3.1", (__u16)(30000 + i), "198.18.3.2", 80);

		open_conn(&t, &q, 1, 0x1000 + (__u64)i, 0x2000 + (__u64)i);
		fin_both(&t, &q);
	}
	s = summary_of(&t, id);
	CHECK(s == NULL,
	      "the live connection was summarised (end %s) while "
	      "the table held only ended ones",
	      s ? s->end : "");
	ASSERT_EQ(stats(&t)->conns_evicted, 0);
	tc_free(&t);
}

/*
 * A 4-tuple that carried a join subflow of a connection, closed since,
 * is reused by a new connection (TCP allows it after TIME-WAIT). The old
 * connection lives on its other subflows (RFC 8684 section 3.3.3: a
 * connection outlives its subflows) and must not be ended, nor its later
 * traffic taken for a new midstream connection.
 */
TEST(four_tuple_reuse_keeps_other_connection)
{
	struct path p = P_INIT(), j = P_JOIN();
	const char *id;
	struct tc t;

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	id = conn_of(first(&t, "mptcp_attempt"));
	join_design(&t, &j);
	fin_both(&t, &j); /* the join subflow ends, the connection not */
	ASSERT_EQ(count(&t, "connection_closed"), 0);
	j.isn_a += 100000;
	open_conn(&t, &j, 1, 0x3333333333333333ULL, 0x4444444444444444ULL);
	ASSERT_EQ(count(&t, "mptcp_attempt"), 2);
	CHECK(summary_of(&t, id) == NULL,
	      "the first connection was ended by a new connection on its "
	      "closed join's 4-tuple (end %s)",
	      summary_of(&t, id) ? summary_of(&t, id)->end : "");
	dss(&t, &p, 1, 0); /* the first connection's initial subflow */
	ASSERT_EQ(count(&t, "mptcp_midstream"), 0);
	tc_free(&t);
}

/* ---- the writers: exact output ------------------------------------------- */

static const uint8_t known_bytes[] = {0x32, 0xbc, 0xc1, 0x75};
static const uint8_t known_ids[] = {1, 3};
static const struct mpx_tuple known_tuple = {"198.18.2.1", "198.18.2.2", 48127,
					     5201, ""};

/* One event with every field type. */
static void known_event(struct mpx_conn_event *e)
{
	memset(e, 0, sizeof(*e));
	e->name = "subflow_joined";
	e->origin.frame = 8;
	e->origin.ts_sec = 1795666764;
	e->origin.ts_usec = 31269;
	e->conn_id = "06d43e579c4c5d03";
	e->tuple = &known_tuple;
	mpx_ev_tristate(e, "verified", 1);
	mpx_ev_u64(e, "addr_id", 2);
	mpx_ev_bool(e, "backup", 0);
	mpx_ev_hex(e, "token", 0x42c3588c, 8);
	mpx_ev_str(e, "token_match", "unique");
	mpx_ev_tristate(e, "other", -1);
	mpx_ev_bytes(e, "hmac", known_bytes, 4);
	mpx_ev_u8s(e, "ids", known_ids, 2);
}

static struct mpx_conn_summary known_sum;

static void known_summary(struct mpx_conn_event *e)
{
	struct mpx_conn_summary *s = &known_sum;
	static const struct mpx_tuple t0 = {"198.18.1.1", "198.18.1.2", 43794,
					    5201, ""};
	static const struct mpx_tuple t1 = {"198.18.2.1", "198.18.2.2", 45977,
					    5201, ""};

	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "9243b459f7cab241");
	s->version = 1;
	s->has_key[0] = s->has_key[1] = 1;
	s->has_token[0] = s->has_token[1] = 1;
	s->key[0] = 0x2e313616a5bf302aULL;
	s->key[1] = 0x4c1c528caba1aa77ULL;
	s->token[0] = 0x0def596e;
	s->token[1] = 0x00e11ab3;
	s->start_sec = 1795666785;
	s->start_usec = 436322;
	s->duration = 0.201028;
	s->end = "fastclose";
	s->nsubflows = 2;
	s->sf[0].tuple = t0;
	s->sf[0].role = "initial";
	s->sf[0].verified = -1;
	s->sf[0].packets[0] = 47;
	s->sf[0].packets[1] = 25;
	s->sf[0].bytes[0] = 62656;
	s->sf[0].end = "rst";
	s->sf[1].tuple = t1;
	s->sf[1].role = "join";
	s->sf[1].verified = 1;
	s->sf[1].backup = 1;
	s->sf[1].packets[0] = 21;
	s->sf[1].packets[1] = 10;
	s->sf[1].bytes[0] = 25928;
	s->sf[1].bytes[1] = 5;
	s->sf[1].end = "rst";
	s->nanomalies = 2;
	s->anomalies[0] = "key_mismatch";
	s->anomalies[1] = "mp_fail";

	memset(e, 0, sizeof(*e));
	e->name = "connection_closed";
	e->origin.frame = 110;
	e->origin.ts_sec = 1795666785;
	e->origin.ts_usec = 637350;
	e->conn_id = s->id;
	e->summary = s;
}

/* Runs one writer over events, returns what it wrote (malloc'd). */
static char *write_with(void (*init)(struct mpx_event_writer *, FILE *),
			const struct mpx_conn_event *evs, int n, int finish)
{
	struct mpx_event_writer s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	memset(&s, 0, sizeof(s));
	init(&s, f);
	for (int i = 0; i < n; i++)
		s.event(&s, &evs[i]);
	if (finish)
		s.finish(&s);
	fclose(f);
	return buf;
}

TEST(json_writer_exact)
{
	struct mpx_conn_event e[2];
	char *out;

	known_event(&e[0]);
	known_summary(&e[1]);
	out = write_with(mpx_json_writer_init, e, 2, 1);
	ASSERT_STREQ(
	    out,
	    "{\"frame\":8,\"ts\":1795666764.031269,"
	    "\"event\":\"subflow_joined\",\"conn\":\"06d43e579c4c5d03\","
	    "\"src\":\"198.18.2.1\",\"dst\":\"198.18.2.2\","
	    "\"sport\":48127,\"dport\":5201,\"verified\":true,"
	    "\"addr_id\":2,\"backup\":false,\"token\":\"42c3588c\","
	    "\"token_match\":\"unique\",\"other\":null,"
	    "\"hmac\":\"32bcc175\",\"ids\":[1,3]}\n"
	    "{\"frame\":110,\"ts\":1795666785.637350,"
	    "\"event\":\"connection_closed\",\"conn\":\"9243b459f7cab241\","
	    "\"version\":1,\"key_a\":\"2e313616a5bf302a\","
	    "\"token_a\":\"0def596e\",\"key_b\":\"4c1c528caba1aa77\","
	    "\"token_b\":\"00e11ab3\",\"start\":1795666785.436322,"
	    "\"duration\":0.201028,\"end\":\"fastclose\","
	    "\"midstream\":false,\"fallback\":false,\"joins_dropped\":0,"
	    "\"subflows\":["
	    "{\"src\":\"198.18.1.1\",\"dst\":\"198.18.1.2\","
	    "\"sport\":43794,\"dport\":5201,\"role\":\"initial\","
	    "\"verified\":null,\"backup\":false,\"packets_fwd\":47,"
	    "\"packets_rev\":25,\"bytes_fwd\":62656,\"bytes_rev\":0,"
	    "\"end\":\"rst\"},"
	    "{\"src\":\"198.18.2.1\",\"dst\":\"198.18.2.2\","
	    "\"sport\":45977,\"dport\":5201,\"role\":\"join\","
	    "\"verified\":true,\"backup\":true,\"packets_fwd\":21,"
	    "\"packets_rev\":10,\"bytes_fwd\":25928,\"bytes_rev\":5,"
	    "\"end\":\"rst\"}],"
	    "\"anomalies\":[\"key_mismatch\",\"mp_fail\"]}\n");
	free(out);
}

/* Strings are escaped; a live event (frame 0) has no "frame". */
TEST(json_writer_escapes_and_live_frame)
{
	struct mpx_conn_event e;
	char *out;

	memset(&e, 0, sizeof(e));
	e.name = "anomaly";
	e.origin.ts_sec = 5;
	mpx_ev_str(&e, "kind", "a\"b\\c\n");
	out = write_with(mpx_json_writer_init, &e, 1, 0);
	ASSERT_STREQ(out, "{\"ts\":5.000000,\"event\":\"anomaly\","
			  "\"kind\":\"a\\\"b\\\\c\\u000a\"}\n");
	free(out);
}

TEST(text_writer_exact)
{
	struct mpx_conn_event e[2];
	char *out;

	known_event(&e[0]);
	known_summary(&e[1]);
	out = write_with(mpx_text_writer_init, e, 2, 1);
	/* time (UTC), two spaces, name padded to 19, conn to 16, endpoints
	 * to 44, then key=value; a summary adds its totals. */
	ASSERT_STREQ(out, "2026-11-26 04:19:24.031269  subflow_joined      "
			  "06d43e579c4c5d03 "
			  "198.18.2.1:48127 > 198.18.2.2:5201          "
			  " verified=yes addr_id=2 backup=no token=42c3588c "
			  "token_match=unique other=- hmac=32bcc175 ids=1,3\n"
			  "2026-11-26 04:19:45.637350  connection_closed   "
			  "9243b459f7cab241 "
			  "-                                           "
			  " v1 end=fastclose duration=0.201s subflows=2 "
			  "joins_verified=1 packets=68/35 bytes=88584/5 "
			  "anomalies=key_mismatch,mp_fail\n");
	free(out);
}

/* Splits a line on tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **out, int max)
{
	int n = 0;

	for (char *p = line; n < max;) {
		out[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

TEST(zeek_writer_header_and_rows)
{
	struct mpx_conn_event e[3];
	struct mpx_conn_summary mid;
	char *out, *lines[16], *save = NULL, *l;
	char *cols[64];
	int nl = 0, nfields = 0, ntypes = 0;

	known_event(&e[0]); /* not a summary: not written */
	known_summary(&e[1]);
	/* A midstream summary: no version, no keys, no anomalies. */
	memset(&mid, 0, sizeof(mid));
	snprintf(mid.id, sizeof(mid.id), "d2904e1c5d65a431");
	mid.version = -1;
	mid.start_sec = 1529037841;
	mid.start_usec = 333490;
	mid.end = "open";
	mid.midstream = 1;
	e[2] = e[1];
	e[2].summary = &mid;
	out = write_with(mpx_zeek_writer_init, e, 3, 1);
	CHECK(out != NULL, "no output");
	if (!out)
		return;
	for (l = strtok_r(out, "\n", &save); l && nl < 16;
	     l = strtok_r(NULL, "\n", &save))
		lines[nl++] = l;
	ASSERT_EQ(nl, 11);
	if (nl != 11) {
		free(out);
		return;
	}
	ASSERT_STREQ(lines[0], "#separator \\x09");
	ASSERT_STREQ(lines[1], "#set_separator\t,");
	ASSERT_STREQ(lines[2], "#empty_field\t(empty)");
	ASSERT_STREQ(lines[3], "#unset_field\t-");
	ASSERT_STREQ(lines[4], "#path\tmptcp");
	CHECK(strncmp(lines[5], "#open\t", 6) == 0 && strlen(lines[5]) == 25,
	      "open line '%s'", lines[5]);
	CHECK(strncmp(lines[10], "#close\t", 7) == 0 && strlen(lines[10]) == 26,
	      "close line '%s'", lines[10]);
	ASSERT_STREQ(lines[6],
		     "#fields\tts\tuid\tversion\tkey_a\tkey_b\ttoken_a\ttoken_b"
		     "\tduration\tend\tmidstream\tfallback\tn_subflows"
		     "\tjoins_verified\tsubflows\torig_pkts\tresp_pkts"
		     "\torig_bytes\tresp_bytes\tanomalies");
	ASSERT_STREQ(lines[8],
		     "1795666785.436322\t9243b459f7cab241\t1\t2e313616a5bf302a"
		     "\t4c1c528caba1aa77\t0def596e\t00e11ab3\t0.201028"
		     "\tfastclose\tF\tF\t2\t1"
		     "\t198.18.1.1:43794-198.18.1.2:5201,"
		     "198.18.2.1:45977-198.18.2.2:5201"
		     "\t68\t35\t88584\t5\tkey_mismatch,mp_fail");
	ASSERT_STREQ(lines[9], "1529037841.333490\td2904e1c5d65a431\t-\t-\t-"
			       "\t-\t-\t0.000000\topen\tT\tF\t0\t0\t(empty)"
			       "\t0\t0\t0\t0\t(empty)");
	/* Column counts: #fields, #types and each row agree. */
	nfields = split_tabs(lines[6], cols, 64) - 1;
	ntypes = split_tabs(lines[7], cols, 64) - 1;
	ASSERT_STREQ(cols[0], "#types");
	ASSERT_EQ(nfields, 19);
	ASSERT_EQ(ntypes, nfields);
	ASSERT_EQ(split_tabs(lines[8], cols, 64), nfields);
	ASSERT_EQ(split_tabs(lines[9], cols, 64), nfields);
	free(out);
}

/* No summary at all: the header and #close still (an empty log). */
TEST(zeek_writer_empty_log)
{
	struct mpx_conn_event e;
	char *out;

	known_event(&e);
	out = write_with(mpx_zeek_writer_init, &e, 1, 1);
	CHECK(out && strncmp(out, "#separator \\x09\n", 16) == 0,
	      "no header: '%s'", out ? out : "");
	CHECK(out && strstr(out, "\n#close\t") != NULL, "no #close");
	CHECK(out && strstr(out, "06d43e579c4c5d03") == NULL,
	      "a non-summary event was written");
	free(out);
}

/*
 * The writers on the correlator's own output for an unknown-version
 * connection: the tokens were never computed (no hash is defined for it,
 * RFC 8684 section 3.1), so the summary must not claim any, as
 * mptcp_established does not.
 */
TEST(summary_claims_no_token_it_never_computed)
{
	struct path p = P_INIT();
	struct mpx_event_writer s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mpx_correlator *c;
	struct mptcp_event ev;
	struct mpx_origin o = {1, T0, 0};

	if (!f)
		SKIP("open_memstream failed");
	memset(&s, 0, sizeof(s));
	mpx_json_writer_init(&s, f);
	c = mpx_corr_new(4, &s);
	ev = rec(&p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_SYN);
	ev.version = 2;
	ev.u.capable.flags = MPX_CAP_H;
	mpx_corr_record(c, &o, &ev);
	ev = rec(&p, 0, MPX_EV_MP_CAPABLE, MPX_TCP_SYN | MPX_TCP_ACK);
	ev.version = 2;
	ev.u.capable.flags = MPX_CAP_H;
	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = KEY_B;
	o.frame = 2;
	mpx_corr_record(c, &o, &ev);
	mpx_corr_finish(c);
	mpx_corr_free(c);
	fclose(f);
	CHECK(buf && strstr(buf, "\"event\":\"connection_closed\"") != NULL,
	      "no summary");
	CHECK(buf && strstr(buf, "\"key_b\":\"4d4c52a7e86df770\"") != NULL,
	      "summary lacks the key it saw");
	CHECK(buf && strstr(buf, "\"token_b\":\"00000000\"") == NULL,
	      "summary claims token_b 00000000 for a version-2 key:\n%s",
	      buf ? buf : "");
	free(buf);
}

/* ---- the tables against chosen input (docs/security.md) ------------- */

/*
 * Tokens are the sender's choice (a join SYN names any): 60,000 of them
 * sharing their low 16 bits, which an index on those bits turned into one
 * chain, spread over the keyed index like random ones.
 */
TEST(token_index_chosen_collisions_spread)
{
	struct mpx_conn_table *t = mpx_conn_table_new(65536, NULL, NULL);
	struct mpx_conn *found[2];
	int sides[2];
	size_t longest;

	if (!CHECK(t, "table"))
		return;
	for (__u32 i = 0; i < 60000; i++) {
		struct mpx_conn *c = mpx_conn_table_new_conn(t);

		if (!CHECK(c, "connection %u", i))
			break;
		c->phase = MPX_CONN_ESTABLISHED;
		c->token[1] = i << 16 | 0xbeef;
		c->has_token[1] = 1;
		mpx_conn_table_index_token(t, c, 1);
	}
	longest = mpx_conn_table_longest_chain(t);
	/* 60,000 entries in 32,768 buckets: the longest chain of a random
	 * spread is about 10; 16 would be astronomically unlucky, and the
	 * unkeyed index had one chain of 60,000. */
	CHECK(longest <= 16, "longest chain %zu", longest);
	ASSERT_EQ(
	    mpx_conn_table_find_token(t, 1234u << 16 | 0xbeef, found, sides, 2),
	    1);
	ASSERT_EQ(sides[0], 1);
	mpx_conn_table_free(t);
}

static void note_evicted(struct mpx_conn *c, void *arg)
{
	*(struct mpx_conn **)arg = c;
}

/*
 * A full table makes room with a connection that never showed it is real
 * before one that carried data, however long the latter has been quiet: a
 * flood of handshakes evicts its own kind.
 */
TEST(unassured_connections_make_room_first)
{
	struct mpx_conn *evicted = NULL, *a, *b;
	struct mpx_conn_table *t =
	    mpx_conn_table_new(2, note_evicted, &evicted);

	if (!CHECK(t, "table"))
		return;
	a = mpx_conn_table_new_conn(t);
	mpx_conn_table_assure(t, a); /* the oldest, least recently active */
	b = mpx_conn_table_new_conn(t);
	mpx_conn_table_touch(t, b);
	CHECK(mpx_conn_table_new_conn(t) != NULL, "third connection");
	CHECK(evicted == b, "evicted %p, want the unassured %p (not %p)",
	      (void *)evicted, (void *)b, (void *)a);
	mpx_conn_table_free(t);
}

/* Ring records of another size or event ABI version are refused and
 * counted, never read; the others go through. */
TEST(ring_records_of_another_abi_are_counted)
{
	struct mpx_pipeline_opts o = {.events = MPX_EVENTS_CONN,
				      .format = MPX_FORMAT_JSON,
				      .max_conns = 16};
	struct path p = P_INIT();
	struct mptcp_event ev = rec(&p, 1, MPX_EV_MP_CAPABLE, MPX_TCP_SYN);
	struct mptcp_event other = ev, got, pay;
	__u8 ring[sizeof(ev) + 8];
	const __u8 *bytes;
	struct mpx_pipeline *pipe;
	char *text = NULL;
	size_t len = 0;

	o.out = open_memstream(&text, &len);
	if (!CHECK(o.out, "memstream"))
		return;
	pipe = mpx_pipeline_new(&o);
	if (!CHECK(pipe, "pipeline"))
		return;
	ev.version = 1;
	ev.u.capable.flags = MPX_CAP_H;
	other.abi_version = MPX_ABI_VERSION + 1;
	/* In the ring the record is as long as its kind needs: what lies
	 * past that is not the record's and is never read. */
	memset(ring, 0xaa, sizeof(ring));
	memcpy(ring, &ev, MPX_RECORD_SIZE(MPX_EV_MP_CAPABLE));
	CHECK(mpx_pipeline_check_record(pipe, &other,
					MPX_RECORD_SIZE(MPX_EV_MP_CAPABLE),
					&got, &bytes) < 0,
	      "another ABI version taken");
	CHECK(mpx_pipeline_check_record(pipe, ring,
					MPX_RECORD_SIZE(MPX_EV_MP_CAPABLE) - 1,
					&got, &bytes) < 0,
	      "a short record taken");
	CHECK(mpx_pipeline_check_record(pipe, ring, sizeof(ring), &got,
					&bytes) < 0,
	      "a record longer than its kind taken");
	CHECK(mpx_pipeline_check_record(pipe, ring, MPX_RECORD_HEAD - 1, &got,
					&bytes) < 0,
	      "a record shorter than the common part taken");
	/* A payload record: its size, then exactly u.payload.len bytes. */
	pay = ev;
	pay.kind = MPX_EV_PAYLOAD;
	memset(&pay.u, 0, sizeof(pay.u));
	pay.u.payload.len = 3;
	memcpy(ring, &pay, MPX_RECORD_SIZE(MPX_EV_PAYLOAD));
	memcpy(ring + MPX_RECORD_SIZE(MPX_EV_PAYLOAD), "abc", 3);
	CHECK(mpx_pipeline_check_record(pipe, ring,
					MPX_RECORD_SIZE(MPX_EV_PAYLOAD) + 2,
					&got, &bytes) < 0,
	      "a payload record short of its bytes taken");
	ASSERT_EQ(mpx_pipeline_rejected(pipe), 5);
	CHECK(mpx_pipeline_check_record(pipe, ring,
					MPX_RECORD_SIZE(MPX_EV_PAYLOAD) + 3,
					&got, &bytes) == 0,
	      "a good payload record refused");
	ASSERT_EQ(got.u.payload.len, 3);
	CHECK(bytes == ring + MPX_RECORD_SIZE(MPX_EV_PAYLOAD),
	      "payload bytes not where the record ends");
	memset(ring, 0xaa, sizeof(ring));
	memcpy(ring, &ev, MPX_RECORD_SIZE(MPX_EV_MP_CAPABLE));
	CHECK(mpx_pipeline_check_record(pipe, ring,
					MPX_RECORD_SIZE(MPX_EV_MP_CAPABLE),
					&got, &bytes) == 0,
	      "a good record refused");
	ASSERT_EQ(mpx_pipeline_rejected(pipe), 5);
	CHECK(memcmp(&got, &ev, sizeof(ev)) == 0,
	      "the widened record is not the record, zero past its body");
	mpx_pipeline_record(&got, pipe);
	mpx_pipeline_finish(pipe);
	mpx_pipeline_free(pipe);
	fclose(o.out);
	CHECK(text && strstr(text, "\"event\":\"mptcp_attempt\""),
	      "the good record was not correlated: %s", text ? text : "");
	free(text);
}

/* ---- detection (README.md, "Detection") ---------------------------------- */

/* Detection options for a test: window in seconds, thresholds. */
static void tc_detect(struct tc *t, unsigned int window, unsigned int joins,
		      unsigned int scan, size_t entries)
{
	struct mpx_detect_opts o;

	mpx_detect_opts_default(&o);
	o.window_sec = window;
	o.join_flood_threshold = joins;
	o.scan_threshold = scan;
	if (entries)
		o.max_entries = entries;
	if (mpx_corr_set_detect(t->c, &o) < 0) {
		fprintf(stderr, "mpx_corr_set_detect failed\n");
		exit(2);
	}
}

/* Time passes to now (the frame clock, 1 ms a frame) plus ms. */
static void tick_after(struct tc *t, unsigned int ms)
{
	struct mpx_origin o;

	t->frame += ms;
	o.frame = t->frame;
	o.ts_sec = T0 + (int64_t)(t->frame / 1000);
	o.ts_usec = (int32_t)(t->frame % 1000) * 1000;
	mpx_corr_tick(t->c, &o);
}

/* n join SYNs to token from distinct initiators (198.19.k.i) to
 * 198.18.1.2:80. */
static void join_burst(struct tc *t, int k, int n, __u32 token)
{
	char ip[32];

	for (int i = 0; i < n; i++) {
		struct path p;

		snprintf(ip, sizeof(ip), "198.19.%d.%d", k, i + 1);
		p = path(ip, (__u16)(30000 + i), "198.18.1.2", 80);
		join_syn(t, &p, token, 0x1000u + (__u32)i, 1, 0);
	}
}

static const struct cap_event *alert_by(const struct tc *t, const char *kind,
					const char *by, int k)
{
	for (int i = 0; i < t->cap.n; i++)
		if (strcmp(t->cap.ev[i]->name, "anomaly") == 0 &&
		    strcmp(F(t->cap.ev[i], "kind"), kind) == 0 &&
		    strcmp(F(t->cap.ev[i], "by"), by) == 0 && k-- == 0)
			return t->cap.ev[i];
	return NULL;
}

TEST(detect_anomaly_names)
{
	ASSERT_STREQ(mpx_anomaly_name(MPX_ANOM_JOIN_FLOOD), "join_flood");
	ASSERT_STREQ(mpx_anomaly_name(MPX_ANOM_MPTCP_SCAN), "mptcp_scan");
	ASSERT_STREQ(mpx_anomaly_name(MPX_ANOM_ADD_ADDR_SUSPICIOUS),
		     "add_addr_suspicious");
}

/* Below the threshold: nothing. At it: one alert per token and per
 * destination, with the counts, then silence in the window. */
TEST(join_flood_once_per_window)
{
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 1024);
	tc_detect(&t, 1, 10, 1000, 0);
	join_burst(&t, 0, 9, 0xdeadbeefU);
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 0);
	join_burst(&t, 1, 21, 0xdeadbeefU);
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 2);
	e = alert_by(&t, "join_flood", "token", 0);
	ASSERT_STREQ(F(e, "token"), "deadbeef");
	ASSERT_STREQ(F(e, "attempts"), "10");
	ASSERT_STREQ(F(e, "sources"), "10");
	ASSERT_STREQ(F(e, "window_s"), "1");
	ASSERT_STREQ(F(e, "repeat"), "0");
	ASSERT_STREQ(F(e, "sample_sources"),
		     "198.19.0.1,198.19.0.2,198.19.0.3,198.19.0.4");
	CHECK(e && !e->conn[0] && !e->has_tuple, "tied to a connection");
	e = alert_by(&t, "join_flood", "destination", 0);
	ASSERT_STREQ(F(e, "destination"), "198.18.1.2");
	/* The next window: a repeat, saying how many were silenced (20). */
	tick_after(&t, 1000);
	join_burst(&t, 2, 10, 0xdeadbeefU);
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 4);
	e = alert_by(&t, "join_flood", "token", 1);
	ASSERT_STREQ(F(e, "repeat"), "1");
	ASSERT_STREQ(F(e, "suppressed_since_last"), "20");
	ASSERT_EQ(stats(&t)->anomalies[MPX_ANOM_JOIN_FLOOD], 4);
	tc_finish(&t);
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 4);
	tc_free(&t);
}

/* Joins to a real connection's token are not a flood until they overflow
 * it: those dropped at the bound count, and the summary says how many. */
TEST(joins_dropped_in_summary)
{
	struct path p = P_INIT();
	const struct mpx_conn_summary *s;
	struct tc t;

	tc_init(&t, 1024);
	tc_detect(&t, 60, 5, 1000, 0);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	join_burst(&t, 0, MPX_SUM_MAX_SUBFLOWS - 1, TOKEN_B);
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 0);
	join_burst(&t, 1, 9, TOKEN_B);
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 2);
	tc_finish(&t);
	s = summary_of(&t, conn_of(first(&t, "mptcp_attempt")));
	CHECK(s, "no summary");
	if (s) {
		ASSERT_EQ(s->joins_dropped, 9);
		ASSERT_EQ(s->nsubflows, MPX_SUM_MAX_SUBFLOWS);
	}
	tc_free(&t);
}

/* One source, many targets: one mptcp_scan at the window's end with the
 * targets, the MPTCP answers and the resets. */
TEST(mptcp_scan_counts_answers)
{
	const struct cap_event *e;
	struct tc t;

	tc_init(&t, 1024);
	tc_detect(&t, 1, 1000, 5, 0);
	for (int i = 0; i < 8; i++) {
		struct path p =
		    path("198.19.66.6", (__u16)(40000 + i),
			 i < 4 ? "198.18.1.2" : "198.18.1.3", (__u16)(1 + i));

		mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
		if (i < 2)
			mpc_synack(&t, &p, 1, MPX_CAP_H, KEY_B + (__u64)i);
		else if (i < 5)
			flow_rec(&t, &p, 0, MPX_EV_SUBFLOW_RST, 1, 1, 0, 0);
	}
	/* The same target again is not another one. */
	for (int i = 0; i < 20; i++) {
		struct path p =
		    path("198.19.66.6", (__u16)(41000 + i), "198.18.1.2", 1);

		mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	}
	ASSERT_EQ(count_anomaly(&t, "mptcp_scan"), 0);
	tick_after(&t, 1000);
	ASSERT_EQ(count_anomaly(&t, "mptcp_scan"), 1);
	e = anomaly_ev(&t, "mptcp_scan");
	ASSERT_STREQ(F(e, "source"), "198.19.66.6");
	ASSERT_STREQ(F(e, "targets"), "8");
	ASSERT_STREQ(F(e, "hosts"), "2");
	ASSERT_STREQ(F(e, "probes"), "28");
	ASSERT_STREQ(F(e, "answered_mptcp"), "2");
	ASSERT_STREQ(F(e, "reset"), "3");
	ASSERT_STREQ(F(e, "completed"), "0");
	tc_finish(&t);
	ASSERT_EQ(count_anomaly(&t, "mptcp_scan"), 1);
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 0);
	tc_free(&t);
}

/* Bogus joins probe too; a client of one server does not scan, nor does a
 * busy one whose handshakes complete. */
TEST(mptcp_scan_bogus_joins_and_clients)
{
	struct tc t;

	tc_init(&t, 1024);
	tc_detect(&t, 60, 1000, 5, 0);
	for (int i = 0; i < 6; i++) {
		struct path p = path("198.19.66.7", (__u16)(40000 + i),
				     "198.18.1.2", (__u16)(100 + i));

		join_syn(&t, &p, 0x100u + (__u32)i, 1, 1, 0);
	}
	for (int i = 0; i < 30; i++) {
		struct path p =
		    path("198.19.5.5", (__u16)(40000 + i), "198.18.1.2", 443);
		struct path q = path("198.19.5.6", (__u16)(40000 + i),
				     i % 2 ? "198.18.1.2" : "198.18.1.3",
				     (__u16)(1000 + i));

		open_conn(&t, &p, 1, KEY_A + (__u64)i, KEY_B + (__u64)i);
		open_conn(&t, &q, 1, KEY_A + 100 + (__u64)i,
			  KEY_B + 100 + (__u64)i);
	}
	tc_finish(&t);
	ASSERT_EQ(count_anomaly(&t, "mptcp_scan"), 1);
	ASSERT_STREQ(F(anomaly_ev(&t, "mptcp_scan"), "source"), "198.19.66.7");
	tc_free(&t);
}

/* The per-source table holds max_entries; the oldest window goes first,
 * counted, its alert said if it had one to say. */
TEST(detect_table_bounded)
{
	struct tc t;

	tc_init(&t, 1024);
	tc_detect(&t, 60, 1000, 3, 4);
	for (int s = 0; s < 10; s++)
		for (int i = 0; i < 3; i++) {
			char ip[32];
			struct path p;

			snprintf(ip, sizeof(ip), "198.19.7.%d", s + 1);
			p = path(ip, (__u16)(40000 + i), "198.18.1.2",
				 (__u16)(1 + i));
			mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
		}
	ASSERT_EQ(stats(&t)->detect_entries, 4);
	ASSERT_EQ(stats(&t)->detect_evicted, 6);
	/* The six evicted said theirs as they went. */
	ASSERT_EQ(count_anomaly(&t, "mptcp_scan"), 6);
	tc_finish(&t);
	ASSERT_EQ(count_anomaly(&t, "mptcp_scan"), 10);
	tc_free(&t);
}

/* Fresh keys cannot push the flooded one out of a full table: a flood of
 * random tokens to one destination is one alert, not one per eviction. */
TEST(detect_flooded_key_survives_eviction)
{
	char ip[32];
	struct tc t;

	tc_init(&t, 1024);
	tc_detect(&t, 60, 10, 5, 4);
	for (int i = 0; i < 200; i++) {
		struct path p;

		snprintf(ip, sizeof(ip), "198.19.%d.%d", i / 200, i % 200 + 1);
		p = path(ip, (__u16)(30000 + i), "198.18.1.2", 80);
		join_syn(&t, &p, 0x5000u + (__u32)i, 1, 1, 0);
	}
	ASSERT_EQ(count_anomaly(&t, "join_flood"), 1);
	ASSERT_STREQ(F(anomaly_ev(&t, "join_flood"), "by"), "destination");
	/* A scanner among many one-probe sources. */
	for (int i = 0; i < 30; i++) {
		struct path p = path("198.19.66.6", (__u16)(40000 + i),
				     "198.18.1.3", (__u16)(1 + i));

		mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
		snprintf(ip, sizeof(ip), "198.19.9.%d", i + 1);
		p = path(ip, 40000, "198.18.1.3", 80);
		mpc_syn(&t, &p, 1, MPX_CAP_H, 0, 0);
	}
	CHECK(stats(&t)->detect_evicted > 0, "nothing evicted");
	tc_finish(&t);
	ASSERT_EQ(count_anomaly(&t, "mptcp_scan"), 1);
	ASSERT_STREQ(F(anomaly_ev(&t, "mptcp_scan"), "source"), "198.19.66.6");
	ASSERT_STREQ(F(anomaly_ev(&t, "mptcp_scan"), "targets"), "30");
	tc_free(&t);
}

TEST(add_addr_suspicious_classes)
{
	struct path p = P_INIT();
	const struct cap_event *e;
	struct mpx_detect_opts o;
	struct tc t;
	char err[128];

	tc_init(&t, 16);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	add_addr(&t, &p, 0, 1, "127.0.0.1", 0, 0, 0);
	add_addr(&t, &p, 0, 1, "127.0.0.1", 0, 0, 0); /* again: said once */
	ASSERT_EQ(count_anomaly(&t, "add_addr_suspicious"), 1);
	e = anomaly_ev(&t, "add_addr_suspicious");
	ASSERT_STREQ(F(e, "reason"), "loopback");
	ASSERT_STREQ(F(e, "addr"), "127.0.0.1");
	ASSERT_STREQ(F(e, "by"), "b");
	CHECK(e && e->conn[0], "not tied to its connection");
	add_addr(&t, &p, 0, 2, "ff02::1", 0, 0, 0);
	add_addr(&t, &p, 0, 3, "169.254.1.1", 0, 0, 0);
	add_addr(&t, &p, 0, 4, "198.18.9.9", 0, 0, 0);	/* benchmarking */
	add_addr(&t, &p, 0, 5, "2001:db8::9", 0, 0, 0); /* documentation */
	add_addr(&t, &p, 0, 6, "10.1.1.1", 0, 0, 0);	/* no home net */
	add_addr(&t, &p, 0, 7, "::1", 0, 1, 0);		/* an echo */
	ASSERT_EQ(count_anomaly(&t, "add_addr_suspicious"), 3);
	tc_finish(&t);
	CHECK(
	    sum_has_anomaly(summary_of(&t, conn_of(e)), "add_addr_suspicious"),
	    "not in the summary");
	tc_free(&t);

	/* Home networks, documentation ranges when told. */
	tc_init(&t, 16);
	mpx_detect_opts_default(&o);
	o.doc_ranges_suspicious = 1;
	ASSERT_EQ(mpx_parse_home_nets("10.0.0.0/8,fd00::/8", &o.home, err,
				      sizeof(err)),
		  0);
	mpx_corr_set_detect(t.c, &o);
	open_conn(&t, &p, 1, KEY_A, KEY_B);
	add_addr(&t, &p, 0, 1, "10.1.1.1", 0, 0, 0); /* outside peer: inward */
	add_addr(&t, &p, 0, 2, "198.18.9.9", 0, 0, 0);
	add_addr(&t, &p, 0, 3, "8.8.8.8", 0, 0, 0);
	ASSERT_EQ(count_anomaly(&t, "add_addr_suspicious"), 2);
	ASSERT_STREQ(F(anomaly_ev(&t, "add_addr_suspicious"), "reason"),
		     "home_net_inward");
	tc_free(&t);
}

TEST(address_classes_and_home_nets)
{
	static const struct {
		const char *ip;
		int doc;
		const char *cls;
	} cases[] = {
	    {"127.1.2.3", 0, "loopback"},
	    {"0.0.0.0", 0, "unspecified"},
	    {"239.1.1.1", 0, "multicast"},
	    {"255.255.255.255", 0, "broadcast"},
	    {"169.254.0.1", 0, "link_local"},
	    {"192.0.2.1", 0, NULL},
	    {"192.0.2.1", 1, "documentation"},
	    {"198.19.255.1", 1, "documentation"},
	    {"198.20.0.1", 1, NULL},
	    {"8.8.8.8", 1, NULL},
	    {"::", 0, "unspecified"},
	    {"::1", 0, "loopback"},
	    {"ff05::2", 0, "multicast"},
	    {"febf::1", 0, "link_local"},
	    {"fec0::1", 0, NULL},
	    {"2001:db8::1", 0, NULL},
	    {"2001:db8::1", 1, "documentation"},
	    {"3fff:fff::1", 1, "documentation"},
	    {"::ffff:127.0.0.1", 0, "loopback"},
	    {"2606:4700::1", 1, NULL},
	};
	struct mpx_home_nets h;
	__u8 a[16];
	char err[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v6 = strchr(cases[i].ip, ':') != NULL;
		const char *got;

		inet_pton(v6 ? AF_INET6 : AF_INET, cases[i].ip, a);
		got = mpx_addr_suspicious_class(v6 ? 6 : 4, a, cases[i].doc);
		ASSERT_STREQ(got ? got : "(none)",
			     cases[i].cls ? cases[i].cls : "(none)");
	}
	ASSERT_EQ(mpx_parse_home_nets("192.168.0.0/16,2001:db8:1::/48,10.9.9.9",
				      &h, err, sizeof(err)),
		  0);
	ASSERT_EQ(h.n, 3);
	inet_pton(AF_INET, "192.168.77.1", a);
	ASSERT_EQ(mpx_in_home_net(&h, 4, a), 1);
	inet_pton(AF_INET, "192.169.0.1", a);
	ASSERT_EQ(mpx_in_home_net(&h, 4, a), 0);
	inet_pton(AF_INET, "10.9.9.9", a);
	ASSERT_EQ(mpx_in_home_net(&h, 4, a), 1);
	inet_pton(AF_INET6, "2001:db8:1:ffff::1", a);
	ASSERT_EQ(mpx_in_home_net(&h, 6, a), 1);
	inet_pton(AF_INET6, "2001:db8:2::1", a);
	ASSERT_EQ(mpx_in_home_net(&h, 6, a), 0);
	ASSERT_EQ(mpx_parse_home_nets("10.0.0.0/33", &h, err, sizeof(err)), -1);
	ASSERT_EQ(mpx_parse_home_nets("10.0.0.0/", &h, err, sizeof(err)), -1);
	ASSERT_EQ(mpx_parse_home_nets("::/129", &h, err, sizeof(err)), -1);
	ASSERT_EQ(mpx_parse_home_nets("host.example", &h, err, sizeof(err)),
		  -1);
	ASSERT_EQ(mpx_parse_home_nets(",", &h, err, sizeof(err)), -1);
}

TEST_MAIN("test_correlate")
