// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Correlation rules (DESIGN.md, Correlation; RFC 8684 sections 3.1-3.7):
 * - a connection starts with an MP_CAPABLE SYN (or, midstream, with the
 *   first option seen on an unknown subflow);
 * - tokens come from the keys: SHA-256 (v1) or SHA-1 (v0), most
 *   significant 32 bits; an MP_JOIN SYN names the token of its receiver;
 * - it ends when its last subflow closes; the summary says why (DATA_FIN
 *   both ways, MP_FASTCLOSE, fallback) or that it was still open.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "conn_table.h"
#include "correlate.h"
#include "event_names.h"
#include "fnv_hash.h"
#include "mptcp_crypto.h"

#define MAX_TOKEN_MATCHES 8
/* Subflows dropped at the per-connection bound, remembered so that their
 * later packets do not come back as phantom connections. */
#define DROPPED_RING 256
/*
 * A connection whose last subflow has ended gets its summary this long
 * after (capture time in replay, wall time live). The packets still in
 * flight at an abortive close are counted by then, whichever order two
 * observation points (XDP/TC here, a capture's tap there) saw them in, so
 * live and replayed summaries agree.
 */
#define CLOSE_GRACE_US 1000000LL

struct mpx_correlator {
	struct mpx_conn_table *table;
	struct mpx_conn_sink *sink;
	mpx_flow_query_fn query;
	void *query_arg;
	struct mpx_origin last;
	__u64 open_subflows;
	struct mpx_flow_key dropped[DROPPED_RING];
	unsigned int dropped_next;
	struct mpx_conn *closing_head, *closing_tail; /* by closing time */
	struct mpx_corr_stats stats;
};

#define MPX_ANOM_NAME(id, name) [MPX_ANOM_##id] = name,
static const char *const anomaly_names[MPX_ANOM_MAX] = {
    MPX_ANOMALY_LIST(MPX_ANOM_NAME)};
#undef MPX_ANOM_NAME

const char *mpx_anomaly_name(enum mpx_anomaly a)
{
	return a < MPX_ANOM_MAX ? anomaly_names[a] : "unknown";
}

const char *mpx_tcprst_reason_name(__u8 reason)
{
	static const char *const names[MPX_TCPRST_REASONS] = {
	    "unspecified",
	    "mptcp_error",
	    "lack_of_resources",
	    "administratively_prohibited",
	    "too_much_outstanding_data",
	    "unacceptable_performance",
	    "middlebox_interference",
	    "other",
	};

	return names[reason < MPX_TCPRST_REASONS - 1 ? reason
						     : MPX_TCPRST_REASONS - 1];
}

/* ---- small helpers ---------------------------------------------------- */

static int same_endpoint(const __u8 *a, __u16 ap, const __u8 *b, __u16 bp)
{
	return ap == bp && memcmp(a, b, MPX_ADDR_LEN) == 0;
}

/* Is the record's source the subflow's initiator? */
static int from_initiator(const struct mpx_subflow *sf,
			  const struct mptcp_event *ev)
{
	return same_endpoint(ev->saddr, ev->sport, sf->init_addr,
			     sf->init_port);
}

/* The connection side (0 = A, 1 = B) of the record's source. */
static int src_side(const struct mpx_subflow *sf, const struct mptcp_event *ev)
{
	return from_initiator(sf, ev) ? sf->init_side : 1 - sf->init_side;
}

static void tuple_of(const struct mpx_subflow *sf, struct mpx_tuple *t)
{
	mpx_addr_text(sf->family, sf->init_addr, t->src, sizeof(t->src));
	mpx_addr_text(sf->family, sf->resp_addr, t->dst, sizeof(t->dst));
	t->sport = sf->init_port;
	t->dport = sf->resp_port;
}

/* A stable id from the first subflow's 4-tuple and initial sequence
 * number: the same connection gets the same id live and from a capture. */
static void make_id(struct mpx_conn *c, const struct mpx_subflow *sf)
{
	__u8 buf[2 * MPX_ADDR_LEN + 8];

	memcpy(buf, sf->init_addr, MPX_ADDR_LEN);
	memcpy(buf + MPX_ADDR_LEN, sf->resp_addr, MPX_ADDR_LEN);
	memcpy(buf + 2 * MPX_ADDR_LEN, &sf->init_port, 2);
	memcpy(buf + 2 * MPX_ADDR_LEN + 2, &sf->resp_port, 2);
	memcpy(buf + 2 * MPX_ADDR_LEN + 4, &sf->isn, 4);
	snprintf(c->id, sizeof(c->id), "%016llx",
		 (unsigned long long)mpx_fnv1a(buf, sizeof(buf)));
}

/* ---- emitting --------------------------------------------------------- */

struct evbuf {
	struct mpx_conn_event e;
	struct mpx_tuple t;
};

static void ev_begin(struct evbuf *b, const char *name,
		     const struct mpx_origin *o, const struct mpx_conn *conn,
		     const struct mpx_subflow *sf)
{
	memset(&b->e, 0, sizeof(b->e));
	b->e.name = name;
	b->e.origin = *o;
	b->e.conn_id = conn ? conn->id : NULL;
	if (sf) {
		tuple_of(sf, &b->t);
		b->e.tuple = &b->t;
	}
}

/* For events about a packet of no known subflow: its own 4-tuple. */
static void ev_tuple_of_record(struct evbuf *b, const struct mptcp_event *ev)
{
	mpx_addr_text(ev->family, ev->saddr, b->t.src, sizeof(b->t.src));
	mpx_addr_text(ev->family, ev->daddr, b->t.dst, sizeof(b->t.dst));
	b->t.sport = ev->sport;
	b->t.dport = ev->dport;
	b->e.tuple = &b->t;
}

static void emit(struct mpx_correlator *c, struct evbuf *b)
{
	c->sink->event(c->sink, &b->e);
}

static void note_anomaly(struct mpx_correlator *c, struct mpx_conn *conn,
			 enum mpx_anomaly a)
{
	c->stats.anomalies[a]++;
	if (!conn)
		return;
	for (int i = 0; i < conn->nanom; i++)
		if (conn->anomalies[i] == anomaly_names[a])
			return;
	if (conn->nanom < MPX_MAX_ANOMALIES)
		conn->anomalies[conn->nanom++] = anomaly_names[a];
}

/* An `anomaly` event; the caller may add detail fields before emit. */
static void anomaly_begin(struct mpx_correlator *c, struct evbuf *b,
			  const struct mpx_origin *o, struct mpx_conn *conn,
			  const struct mpx_subflow *sf, enum mpx_anomaly a)
{
	note_anomaly(c, conn, a);
	ev_begin(b, "anomaly", o, conn, sf);
	mpx_ev_str(&b->e, "kind", anomaly_names[a]);
}

static void anomaly(struct mpx_correlator *c, const struct mpx_origin *o,
		    struct mpx_conn *conn, const struct mpx_subflow *sf,
		    enum mpx_anomaly a)
{
	struct evbuf b;

	anomaly_begin(c, &b, o, conn, sf, a);
	emit(c, &b);
}

/* ---- summaries and closing -------------------------------------------- */

static void final_counts(struct mpx_correlator *c, struct mpx_subflow *sf)
{
	struct mpx_flow f;
	int init_first;

	if (!c->query || c->query(c->query_arg, &sf->key, &f) != 0)
		return;
	init_first = same_endpoint(sf->key.addr[0], sf->key.port[0],
				   sf->init_addr, sf->init_port);
	sf->packets[0] = f.packets[init_first ? 0 : 1];
	sf->packets[1] = f.packets[init_first ? 1 : 0];
	sf->bytes[0] = f.bytes[init_first ? 0 : 1];
	sf->bytes[1] = f.bytes[init_first ? 1 : 0];
}

static double seconds_between(const struct mpx_origin *a,
			      const struct mpx_origin *b)
{
	return (double)(b->ts_sec - a->ts_sec) +
	       (double)(b->ts_usec - a->ts_usec) / 1e6;
}

static const char *end_reason(const struct mpx_conn *conn)
{
	if (conn->fastclose)
		return "fastclose";
	if (conn->data_fin[0] && conn->data_fin[1])
		return "data_fin";
	if (conn->fallback)
		return "fallback";
	return NULL;
}

static void closing_unlink(struct mpx_correlator *c, struct mpx_conn *conn)
{
	if (!conn->closing)
		return;
	if (conn->close_prev)
		conn->close_prev->close_next = conn->close_next;
	else
		c->closing_head = conn->close_next;
	if (conn->close_next)
		conn->close_next->close_prev = conn->close_prev;
	else
		c->closing_tail = conn->close_prev;
	conn->close_prev = conn->close_next = NULL;
	conn->closing = 0;
}

static void closing_push(struct mpx_correlator *c, struct mpx_conn *conn,
			 const struct mpx_origin *o)
{
	mpx_ct_mark_ended(c->table, conn);
	conn->closing = 1;
	conn->closed_at = *o;
	conn->close_next = NULL;
	conn->close_prev = c->closing_tail;
	if (c->closing_tail)
		c->closing_tail->close_next = conn;
	else
		c->closing_head = conn;
	c->closing_tail = conn;
}

/* Write the summary and mark the connection closed. `why` overrides the
 * reason for a connection cut short ("evicted", "open"). */
static void close_conn(struct mpx_correlator *c, struct mpx_conn *conn,
		       const struct mpx_origin *o, const char *why)
{
	struct mpx_conn_summary *s;
	const char *reason = end_reason(conn);
	struct evbuf b;

	if (conn->state == MPX_CONN_CLOSED)
		return;
	closing_unlink(c, conn);
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	memcpy(s->id, conn->id, sizeof(s->id));
	s->version = conn->version;
	for (int side = 0; side < 2; side++) {
		s->has_key[side] = conn->has_key[side];
		s->has_token[side] = conn->has_token[side];
		s->key[side] = conn->key[side];
		s->token[side] = conn->token[side];
	}
	s->start_sec = conn->start.ts_sec;
	s->start_usec = conn->start.ts_usec;
	s->duration = seconds_between(&conn->start, &conn->last);
	if (why && !(reason && strcmp(why, "open") == 0))
		reason = why;
	s->end = reason ? reason : "subflows_closed";
	s->midstream = conn->midstream;
	s->fallback = conn->fallback;
	for (int i = 0; i < conn->nsf; i++) {
		struct mpx_subflow *sf = conn->sf[i];
		struct mpx_sf_summary *out = &s->sf[s->nsubflows++];

		/* The flow table's totals, when it still has the subflow; else
		 * the counts of the subflow's last record. */
		final_counts(c, sf);
		tuple_of(sf, &out->tuple);
		out->role = sf->role == MPX_SF_INITIAL ? "initial" : "join";
		/* Only joins carry an HMAC to verify. */
		out->verified = sf->role == MPX_SF_JOIN ? sf->verified : -1;
		if (sf->live) {
			sf->live = 0;
			c->open_subflows--;
		}
		out->backup = sf->backup;
		memcpy(out->packets, sf->packets, sizeof(out->packets));
		memcpy(out->bytes, sf->bytes, sizeof(out->bytes));
		out->end = sf->closed ? sf->end : "open";
	}
	s->nanomalies = conn->nanom;
	memcpy(s->anomalies, conn->anomalies, sizeof(s->anomalies));
	ev_begin(&b, "connection_closed", o, conn, NULL);
	b.e.summary = s;
	emit(c, &b);
	free(s);
	mpx_ct_mark_closed(c->table, conn);
	c->stats.conns_closed++;
}

/* Summary of a connection whose subflows have all ended. */
static void close_ended(struct mpx_correlator *c, struct mpx_conn *conn)
{
	struct mpx_origin at = conn->closed_at;

	closing_unlink(c, conn);
	close_conn(c, conn, &at, NULL);
}

static __s64 usec_of(const struct mpx_origin *o)
{
	return (__s64)o->ts_sec * 1000000LL + o->ts_usec;
}

void mpx_corr_tick(struct mpx_correlator *c, const struct mpx_origin *now)
{
	while (c->closing_head &&
	       usec_of(&c->closing_head->closed_at) + CLOSE_GRACE_US <=
		   usec_of(now))
		close_ended(c, c->closing_head);
}

static void on_evict(struct mpx_conn *conn, void *arg)
{
	struct mpx_correlator *c = arg;

	if (conn->closing) {
		close_ended(c, conn); /* over anyway: no eviction */
		return;
	}
	c->stats.conns_evicted++;
	close_conn(c, conn, &c->last, "evicted");
}

static void close_subflow(struct mpx_correlator *c, struct mpx_subflow *sf,
			  const struct mpx_origin *o, const char *how)
{
	struct mpx_conn *conn = sf->conn;
	struct evbuf b;
	int open = 0;

	if (sf->closed)
		return;
	sf->closed = 1;
	sf->end = how;
	if (sf->live) {
		sf->live = 0;
		c->open_subflows--;
	}
	ev_begin(&b, "subflow_closed", o, conn, sf);
	mpx_ev_str(&b.e, "how", how);
	mpx_ev_str(&b.e, "role",
		   sf->role == MPX_SF_INITIAL ? "initial" : "join");
	mpx_ev_u64(&b.e, "packets_fwd", sf->packets[0]);
	mpx_ev_u64(&b.e, "packets_rev", sf->packets[1]);
	mpx_ev_u64(&b.e, "bytes_fwd", sf->bytes[0]);
	mpx_ev_u64(&b.e, "bytes_rev", sf->bytes[1]);
	emit(c, &b);
	for (int i = 0; i < conn->nsf; i++)
		open += !conn->sf[i]->closed;
	if (!open && !conn->closing && conn->state != MPX_CONN_CLOSED)
		closing_push(c, conn, o);
}

/* ---- keys and tokens -------------------------------------------------- */

static int verifiable(const struct mpx_conn *conn)
{
	return !conn->unverifiable &&
	       (conn->version == 0 || conn->version == 1);
}

/* A key for one side, from MP_CAPABLE (or checked against the one known). */
static void learn_key(struct mpx_correlator *c, struct mpx_conn *conn,
		      const struct mpx_subflow *sf, int side, __u64 key,
		      const struct mpx_origin *o)
{
	struct mpx_conn *others[MAX_TOKEN_MATCHES];
	int sides[MAX_TOKEN_MATCHES], n;
	struct evbuf b;

	if (conn->has_key[side]) {
		if (conn->key[side] == key)
			return;
		/* RFC 8684 section 3.1: the third ACK echoes both keys. */
		anomaly_begin(c, &b, o, conn, sf, MPX_ANOM_KEY_MISMATCH);
		mpx_ev_str(&b.e, "side", side ? "b" : "a");
		mpx_ev_hex(&b.e, "key_seen_before", conn->key[side], 16);
		mpx_ev_hex(&b.e, "key_now", key, 16);
		emit(c, &b);
		return;
	}
	conn->has_key[side] = 1;
	conn->key[side] = key;
	if (conn->version != 0 && conn->version != 1)
		return; /* no token for a version we do not know */
	if (mpx_key_token_idsn(mpx_alg_of_version(conn->version), key,
			       &conn->token[side], &conn->idsn[side]) < 0)
		return;
	conn->has_token[side] = 1;
	n = mpx_ct_find_token(c->table, conn->token[side], others, sides,
			      MAX_TOKEN_MATCHES);
	mpx_ct_index_token(c->table, conn, side);
	if (n > 0) {
		anomaly_begin(c, &b, o, conn, sf, MPX_ANOM_TOKEN_COLLISION);
		mpx_ev_hex(&b.e, "token", conn->token[side], 8);
		mpx_ev_str(&b.e, "other_conn", others[0]->id);
		emit(c, &b);
		note_anomaly(c, others[0], MPX_ANOM_TOKEN_COLLISION);
	}
}

/* ---- creating state --------------------------------------------------- */

static struct mpx_subflow *new_subflow(struct mpx_correlator *c,
				       struct mpx_conn *conn,
				       const struct mptcp_event *ev,
				       int src_is_initiator, int init_side,
				       enum mpx_sf_role role)
{
	struct mpx_flow_key key;
	struct mpx_subflow *sf;

	mpx_ct_key_of(ev, &key);
	sf = mpx_ct_add_subflow(c->table, conn, &key);
	if (!sf) {
		c->stats.subflows_dropped++;
		c->dropped[c->dropped_next++ % DROPPED_RING] = key;
		return NULL;
	}
	sf->family = ev->family;
	memcpy(sf->init_addr, src_is_initiator ? ev->saddr : ev->daddr,
	       MPX_ADDR_LEN);
	memcpy(sf->resp_addr, src_is_initiator ? ev->daddr : ev->saddr,
	       MPX_ADDR_LEN);
	sf->init_port = src_is_initiator ? ev->sport : ev->dport;
	sf->resp_port = src_is_initiator ? ev->dport : ev->sport;
	if (conn->closing) { /* a new subflow: not ending after all */
		closing_unlink(c, conn);
		mpx_ct_mark_live(c->table, conn);
	}
	sf->init_side = init_side;
	sf->role = role;
	sf->live = 1;
	c->open_subflows++;
	sf->isn = src_is_initiator ? ev->seq : ev->ack - 1;
	return sf;
}

static struct mpx_conn *new_conn(struct mpx_correlator *c,
				 const struct mpx_origin *o)
{
	struct mpx_conn *conn = mpx_ct_new_conn(c->table);

	if (!conn)
		return NULL;
	conn->start = *o;
	conn->last = *o;
	c->stats.conns_started++;
	return conn;
}

/*
 * A record on a subflow we do not know: a connection that was running
 * before we looked (or whose start we missed). Tracked from here on.
 * src_is_initiator: whether the source is taken for the subflow's
 * initiator (SYN/ACKs are sent by the responder).
 */
static int was_dropped(const struct mpx_correlator *c,
		       const struct mptcp_event *ev)
{
	struct mpx_flow_key key;

	mpx_ct_key_of(ev, &key);
	for (unsigned int i = 0; i < DROPPED_RING && i < c->dropped_next; i++)
		if (memcmp(&c->dropped[i], &key, sizeof(key)) == 0)
			return 1;
	return 0;
}

static struct mpx_subflow *midstream(struct mpx_correlator *c,
				     const struct mptcp_event *ev,
				     const struct mpx_origin *o,
				     int src_is_initiator,
				     enum mpx_sf_role role)
{
	struct mpx_conn *conn;
	struct mpx_subflow *sf;
	struct evbuf b;

	if (was_dropped(c, ev))
		return NULL; /* past a bound, not a new connection */
	conn = new_conn(c, o);
	if (!conn)
		return NULL;
	conn->midstream = 1;
	conn->state = MPX_CONN_ESTABLISHED;
	sf = new_subflow(c, conn, ev, src_is_initiator, 0, role);
	if (!sf)
		return NULL;
	make_id(conn, sf);
	c->stats.conns_midstream++;
	ev_begin(&b, "mptcp_midstream", o, conn, sf);
	mpx_ev_str(&b.e, "via", mpx_kind_name(ev->kind));
	emit(c, &b);
	return sf;
}

static struct mpx_subflow *find_sf(struct mpx_correlator *c,
				   const struct mptcp_event *ev)
{
	struct mpx_flow_key key;

	mpx_ct_key_of(ev, &key);
	return mpx_ct_find_subflow(c->table, &key);
}

/* The subflow of a record, or a midstream one for it. */
static struct mpx_subflow *sf_or_midstream(struct mpx_correlator *c,
					   const struct mptcp_event *ev,
					   const struct mpx_origin *o)
{
	struct mpx_subflow *sf = find_sf(c, ev);

	return sf ? sf : midstream(c, ev, o, 1, MPX_SF_INITIAL);
}

/* ---- MP_CAPABLE (RFC 8684 section 3.1) -------------------------------- */

static void check_capable_flags(struct mpx_correlator *c, struct mpx_conn *conn,
				const struct mpx_subflow *sf,
				const struct mptcp_event *ev,
				const struct mpx_origin *o)
{
	struct evbuf b;

	if (ev->version != 0 && ev->version != 1) {
		conn->unverifiable = 1;
		anomaly_begin(c, &b, o, conn, sf, MPX_ANOM_UNKNOWN_VERSION);
		mpx_ev_u64(&b.e, "version", ev->version);
		emit(c, &b);
	} else if (!(ev->u.capable.flags & MPX_CAP_H)) {
		/* H selects HMAC-SHA256 (v1) / HMAC-SHA1 (v0); without it
		 * no algorithm this inspector knows is in use. */
		conn->unverifiable = 1;
		anomaly_begin(c, &b, o, conn, sf, MPX_ANOM_UNKNOWN_ALGORITHM);
		mpx_ev_hex(&b.e, "flags", ev->u.capable.flags, 2);
		emit(c, &b);
	}
}

static void on_capable_syn(struct mpx_correlator *c,
			   const struct mptcp_event *ev,
			   const struct mpx_origin *o)
{
	struct mpx_subflow *sf = find_sf(c, ev);
	struct mpx_conn *conn;
	struct evbuf b;

	if (sf && sf->role == MPX_SF_INITIAL && from_initiator(sf, ev) &&
	    sf->isn == ev->seq)
		return; /* a retransmitted SYN */
	if (sf) {
		/* A new connection on a 4-tuple we know: that subflow is over,
		 * not necessarily its connection (a closed join's 4-tuple may
		 * be reused while the others live on). */
		if (sf->conn->state == MPX_CONN_CLOSED) {
			mpx_ct_drop(c->table, sf->conn);
		} else {
			close_subflow(c, sf, o, "reused");
			mpx_ct_forget_subflow(c->table, sf);
		}
	}
	conn = new_conn(c, o);
	if (!conn)
		return;
	conn->version = ev->version;
	sf = new_subflow(c, conn, ev, 1, 0, MPX_SF_INITIAL);
	if (!sf)
		return;
	make_id(conn, sf);
	check_capable_flags(c, conn, sf, ev, o);
	ev_begin(&b, "mptcp_attempt", o, conn, sf);
	mpx_ev_u64(&b.e, "version", ev->version);
	mpx_ev_hex(&b.e, "flags", ev->u.capable.flags, 2);
	if (ev->u.capable.has_sender_key)
		mpx_ev_hex(&b.e, "key_a", ev->u.capable.sender_key, 16);
	emit(c, &b);
	if (ev->u.capable.has_sender_key) /* v0 SYN */
		learn_key(c, conn, sf, 0, ev->u.capable.sender_key, o);
}

static void on_capable(struct mpx_correlator *c, const struct mptcp_event *ev,
		       const struct mpx_origin *o)
{
	const struct mpx_ev_capable *m = &ev->u.capable;
	int syn = ev->tcp_flags & MPX_TCP_SYN,
	    ack = ev->tcp_flags & MPX_TCP_ACK;
	struct mpx_subflow *sf;
	struct mpx_conn *conn;
	struct evbuf b;
	int side;

	if (syn && !ack) {
		on_capable_syn(c, ev, o);
		return;
	}
	sf = find_sf(c, ev);
	if (!sf)
		sf = midstream(c, ev, o, !syn, MPX_SF_INITIAL);
	if (!sf)
		return;
	conn = sf->conn;
	if (conn->state == MPX_CONN_CLOSED)
		return;
	side = src_side(sf, ev);
	if (syn) {
		/* The SYN/ACK says the version the server chose (RFC 8684
		 * section 3.1, version negotiation). */
		if (ev->version != conn->version) {
			conn->version = ev->version;
			check_capable_flags(c, conn, sf, ev, o);
		}
		if (m->has_sender_key)
			learn_key(c, conn, sf, side, m->sender_key, o);
		return;
	}
	if (conn->version < 0) {
		conn->version = ev->version;
		check_capable_flags(c, conn, sf, ev, o);
	}
	if (m->has_sender_key)
		learn_key(c, conn, sf, side, m->sender_key, o);
	if (m->has_receiver_key)
		learn_key(c, conn, sf, 1 - side, m->receiver_key, o);
	if (conn->state == MPX_CONN_ATTEMPT && conn->has_key[0] &&
	    conn->has_key[1]) {
		conn->state = MPX_CONN_ESTABLISHED;
		ev_begin(&b, "mptcp_established", o, conn, sf);
		mpx_ev_u64(&b.e, "version", conn->version);
		mpx_ev_hex(&b.e, "key_a", conn->key[0], 16);
		mpx_ev_hex(&b.e, "key_b", conn->key[1], 16);
		if (verifiable(conn)) {
			mpx_ev_hex(&b.e, "token_a", conn->token[0], 8);
			mpx_ev_hex(&b.e, "token_b", conn->token[1], 8);
		}
		emit(c, &b);
	}
}

/* ---- MP_JOIN (RFC 8684 section 3.2) ----------------------------------- */

/* Is addr one of side's addresses: advertised by ADD_ADDR, or an endpoint
 * of one of its subflows? */
static int side_has_addr(const struct mpx_conn *conn, int side,
			 const __u8 *addr, __u8 family)
{
	for (int i = 0; i < MPX_MAX_ADDRS; i++) {
		const struct mpx_addr_entry *a = &conn->addrs[side][i];

		if (!a->used || a->family != family)
			continue;
		if (family == 4 ? memcmp(a->addr, addr + 12, 4) == 0
				: memcmp(a->addr, addr, MPX_ADDR_LEN) == 0)
			return 1;
	}
	for (int i = 0; i < conn->nsf; i++) {
		const struct mpx_subflow *sf = conn->sf[i];
		const __u8 *mine =
		    sf->init_side == side ? sf->init_addr : sf->resp_addr;

		if (memcmp(mine, addr, MPX_ADDR_LEN) == 0)
			return 1;
	}
	return 0;
}

static void on_join_syn(struct mpx_correlator *c, const struct mptcp_event *ev,
			const struct mpx_origin *o)
{
	const struct mpx_ev_join *j = &ev->u.join;
	struct mpx_conn *cand[MAX_TOKEN_MATCHES], *conn = NULL;
	int sides[MAX_TOKEN_MATCHES], n, side = 1, hits = 0;
	const char *match = "unique";
	struct mpx_subflow *sf = find_sf(c, ev);
	struct evbuf b;

	if (sf && sf->role == MPX_SF_JOIN && sf->have_syn &&
	    sf->r_init == j->nonce)
		return; /* a retransmitted SYN */
	n = mpx_ct_find_token(c->table, j->token, cand, sides,
			      MAX_TOKEN_MATCHES);
	if (n > MAX_TOKEN_MATCHES)
		n = MAX_TOKEN_MATCHES;
	if (n == 1) {
		conn = cand[0];
		side = sides[0];
	} else if (n > 1) {
		/* Two connections with one token: the one that has the join's
		 * destination among its addresses (the Bro work's rule). */
		for (int i = 0; i < n; i++) {
			if (side_has_addr(cand[i], sides[i], ev->daddr,
					  ev->family)) {
				if (!hits++) {
					conn = cand[i];
					side = sides[i];
				}
			}
		}
		match = hits == 1 ? "add_addr" : "ambiguous";
		if (hits != 1) {
			conn = cand[0];
			side = sides[0];
		}
	}
	if (!conn) {
		/* Nobody we know has this token: say so, and track the
		 * connection it claims to belong to from here. */
		conn = new_conn(c, o);
		if (!conn)
			return;
		conn->midstream = 1;
		conn->state = MPX_CONN_ESTABLISHED;
		conn->token[1] = j->token;
		conn->has_token[1] = 1;
		mpx_ct_index_token(c->table, conn, 1);
		sf = new_subflow(c, conn, ev, 1, 0, MPX_SF_JOIN);
		if (!sf)
			return;
		make_id(conn, sf);
		c->stats.joins_unknown_token++;
		c->stats.conns_midstream++;
		note_anomaly(c, conn, MPX_ANOM_JOIN_UNKNOWN_TOKEN);
		ev_begin(&b, "join_unknown_token", o, conn, sf);
		mpx_ev_hex(&b.e, "token", j->token, 8);
		mpx_ev_u64(&b.e, "addr_id", j->addr_id);
		mpx_ev_hex(&b.e, "nonce", j->nonce, 8);
		emit(c, &b);
		ev_begin(&b, "mptcp_midstream", o, conn, sf);
		mpx_ev_str(&b.e, "via", mpx_kind_name(ev->kind));
		emit(c, &b);
	} else {
		sf = new_subflow(c, conn, ev, 1, 1 - side, MPX_SF_JOIN);
		if (!sf)
			return;
		if (n > 1 && hits != 1) {
			anomaly_begin(c, &b, o, conn, sf,
				      MPX_ANOM_TOKEN_COLLISION);
			mpx_ev_hex(&b.e, "token", j->token, 8);
			mpx_ev_u64(&b.e, "candidates", (__u64)n);
			emit(c, &b);
		}
	}
	sf->token = j->token;
	sf->r_init = j->nonce;
	sf->addr_id = j->addr_id;
	sf->backup = j->backup;
	sf->have_syn = 1;
	sf->token_match = match;
}

static void on_join(struct mpx_correlator *c, const struct mptcp_event *ev,
		    const struct mpx_origin *o)
{
	const struct mpx_ev_join *j = &ev->u.join;
	struct mpx_subflow *sf;
	struct mpx_conn *conn;
	struct evbuf b;
	int ok64 = 1, ok160 = 1;

	if (j->stage == MPX_JOIN_SYN) {
		on_join_syn(c, ev, o);
		return;
	}
	sf = find_sf(c, ev);
	if (!sf)
		sf = midstream(c, ev, o, j->stage == MPX_JOIN_ACK, MPX_SF_JOIN);
	if (!sf)
		return;
	conn = sf->conn;
	if (j->stage == MPX_JOIN_SYNACK) {
		sf->r_resp = j->nonce;
		sf->hmac64 = j->hmac64;
		sf->have_synack = 1;
		if (!sf->have_syn) {
			sf->addr_id = j->addr_id;
			sf->backup = j->backup;
		}
		return;
	}
	if (sf->join_reported)
		return; /* the third ACK again */
	sf->join_reported = 1;
	sf->verified = -1;
	if (sf->have_syn && sf->have_synack && conn->has_key[0] &&
	    conn->has_key[1] && verifiable(conn)) {
		enum mpx_hash_alg alg = mpx_alg_of_version(conn->version);
		__u64 ka = conn->key[sf->init_side];
		__u64 kb = conn->key[1 - sf->init_side];
		__u64 want64 = 0;
		__u8 want160[20];

		ok64 = mpx_join_synack_hmac(alg, ka, kb, sf->r_init, sf->r_resp,
					    &want64) == 0 &&
		       want64 == sf->hmac64;
		ok160 = mpx_join_ack_hmac(alg, ka, kb, sf->r_init, sf->r_resp,
					  want160) == 0 &&
			memcmp(want160, j->hmac, sizeof(want160)) == 0;
		sf->verified = ok64 && ok160;
	}
	if (sf->verified == 1)
		c->stats.joins_verified++;
	else if (sf->verified == 0)
		c->stats.joins_hmac_invalid++;
	else
		c->stats.joins_unverified++;
	ev_begin(&b, "subflow_joined", o, conn, sf);
	mpx_ev_tristate(&b.e, "verified", sf->verified);
	mpx_ev_u64(&b.e, "addr_id", sf->addr_id);
	mpx_ev_bool(&b.e, "backup", sf->backup);
	if (sf->have_syn) {
		mpx_ev_hex(&b.e, "token", sf->token, 8);
		mpx_ev_str(&b.e, "token_match",
			   sf->token_match ? sf->token_match : "unique");
	}
	mpx_ev_u64(&b.e, "subflows", (__u64)conn->nsf);
	emit(c, &b);
	if (sf->verified == 0) {
		note_anomaly(c, conn, MPX_ANOM_JOIN_HMAC_INVALID);
		ev_begin(&b, "join_hmac_invalid", o, conn, sf);
		mpx_ev_str(&b.e, "failed",
			   !ok64 && !ok160 ? "synack,ack"
			   : !ok64	   ? "synack"
					   : "ack");
		emit(c, &b);
	}
}

/* ---- addresses (RFC 8684 sections 3.4.1, 3.4.2) ------------------------ */

static void on_add_addr(struct mpx_correlator *c, const struct mptcp_event *ev,
			const struct mpx_origin *o)
{
	const struct mpx_ev_add_addr *a = &ev->u.add_addr;
	size_t alen = a->family == 4 ? 4 : 16;
	struct mpx_subflow *sf = sf_or_midstream(c, ev, o);
	struct mpx_addr_entry *slot = NULL;
	char text[INET6_ADDRSTRLEN];
	struct mpx_conn *conn;
	struct evbuf b;
	int side, valid = -1, legacy = 0;
	__u64 left = 0;

	if (!sf)
		return;
	conn = sf->conn;
	side = src_side(sf, ev);
	mpx_add_addr_text(a, text, sizeof(text));
	if (a->has_hmac && conn->has_key[0] && conn->has_key[1] &&
	    verifiable(conn)) {
		__u64 want = 0;

		valid = mpx_add_addr_hmac(conn->key[side], conn->key[1 - side],
					  a->addr_id, a->addr, alen,
					  a->has_port ? a->port : 0, &want,
					  &left) == 0 &&
			want == a->hmac;
		/* Early Linux MPTCP sent the leftmost 64 bits: say so, it
		 * tells an old peer from a forger. */
		legacy = !valid && left == a->hmac;
	}
	ev_begin(&b, "add_addr", o, conn, sf);
	mpx_ev_u64(&b.e, "version", a->version);
	mpx_ev_bool(&b.e, "echo", a->echo);
	mpx_ev_u64(&b.e, "addr_id", a->addr_id);
	mpx_ev_str(&b.e, "addr", text);
	if (a->has_port)
		mpx_ev_u64(&b.e, "port", a->port);
	mpx_ev_str(&b.e, "by", side ? "b" : "a");
	mpx_ev_tristate(&b.e, "hmac_valid", valid);
	emit(c, &b);
	if (valid == 0) {
		anomaly_begin(c, &b, o, conn, sf,
			      MPX_ANOM_ADD_ADDR_HMAC_INVALID);
		mpx_ev_u64(&b.e, "addr_id", a->addr_id);
		mpx_ev_str(&b.e, "addr", text);
		if (legacy)
			mpx_ev_str(&b.e, "note", "leftmost_64_bits");
		emit(c, &b);
	}
	if (a->echo)
		return; /* an echo repeats the peer's address: not ours */
	c->stats.addrs_added++;
	for (int i = 0; i < MPX_MAX_ADDRS; i++) {
		struct mpx_addr_entry *e = &conn->addrs[side][i];

		if (e->used && e->id == a->addr_id) {
			slot = e;
			break;
		}
		if (!e->used && !slot)
			slot = e;
	}
	if (!slot) {
		/* Table full: the bound holds by reusing the slots in turn,
		 * counted, so that later advertisements are still checked. */
		slot =
		    &conn->addrs[side][conn->addr_next[side]++ % MPX_MAX_ADDRS];
		slot->used = 0;
		c->stats.addrs_evicted++;
	}
	if (slot->used && (slot->family != a->family ||
			   memcmp(slot->addr, a->addr, MPX_ADDR_LEN) != 0 ||
			   slot->port != (a->has_port ? a->port : 0))) {
		/* RFC 8684 section 3.4.1: an id names one address until it
		 * is removed. */
		anomaly_begin(c, &b, o, conn, sf, MPX_ANOM_ADDR_ID_REUSE);
		mpx_ev_u64(&b.e, "addr_id", a->addr_id);
		mpx_ev_str(&b.e, "addr", text);
		emit(c, &b);
	}
	slot->used = 1;
	slot->id = a->addr_id;
	slot->family = a->family;
	memcpy(slot->addr, a->addr, MPX_ADDR_LEN);
	slot->port = a->has_port ? a->port : 0;
}

static void on_remove_addr(struct mpx_correlator *c,
			   const struct mptcp_event *ev,
			   const struct mpx_origin *o)
{
	const struct mpx_ev_remove_addr *r = &ev->u.remove_addr;
	struct mpx_subflow *sf = sf_or_midstream(c, ev, o);
	struct evbuf b;
	int side;

	if (!sf)
		return;
	side = src_side(sf, ev);
	for (int i = 0; i < r->count && i < MPX_MAX_RM_IDS; i++)
		for (int k = 0; k < MPX_MAX_ADDRS; k++)
			if (sf->conn->addrs[side][k].used &&
			    sf->conn->addrs[side][k].id == r->ids[i])
				sf->conn->addrs[side][k].used = 0;
	c->stats.addrs_removed += r->count;
	ev_begin(&b, "remove_addr", o, sf->conn, sf);
	mpx_ev_u8s(&b.e, "addr_ids", r->ids, r->count);
	mpx_ev_str(&b.e, "by", side ? "b" : "a");
	emit(c, &b);
}

/* ---- the rest --------------------------------------------------------- */

static void on_prio(struct mpx_correlator *c, const struct mptcp_event *ev,
		    const struct mpx_origin *o)
{
	struct mpx_subflow *sf = sf_or_midstream(c, ev, o);
	struct evbuf b;

	if (!sf)
		return;
	/* RFC 8684 section 3.3.8: the subflow it is sent on (v0 may name
	 * another by address id). */
	if (!ev->u.prio.has_addr_id)
		sf->backup = ev->u.prio.backup;
	ev_begin(&b, "prio_change", o, sf->conn, sf);
	mpx_ev_bool(&b.e, "backup", ev->u.prio.backup);
	if (ev->u.prio.has_addr_id)
		mpx_ev_u64(&b.e, "addr_id", ev->u.prio.addr_id);
	emit(c, &b);
}

static void on_fail(struct mpx_correlator *c, const struct mptcp_event *ev,
		    const struct mpx_origin *o)
{
	struct mpx_subflow *sf = sf_or_midstream(c, ev, o);
	struct evbuf b;

	if (!sf)
		return;
	ev_begin(&b, "mp_fail", o, sf->conn, sf);
	mpx_ev_u64(&b.e, "dsn", ev->u.fail.dsn);
	emit(c, &b);
	/* RFC 8684 section 3.7: a checksum failed, something on the path
	 * changed the stream. */
	anomaly_begin(c, &b, o, sf->conn, sf, MPX_ANOM_MP_FAIL);
	mpx_ev_u64(&b.e, "dsn", ev->u.fail.dsn);
	emit(c, &b);
}

static void on_fastclose(struct mpx_correlator *c, const struct mptcp_event *ev,
			 const struct mpx_origin *o)
{
	struct mpx_subflow *sf = find_sf(c, ev);
	struct mpx_conn *conn = sf ? sf->conn : NULL;
	struct evbuf b;
	int valid = -1, recv;

	c->stats.fastcloses++;
	if (conn) {
		/* RFC 8684 section 3.5: the option carries the key of the
		 * host that receives it. */
		recv = 1 - src_side(sf, ev);
		if (conn->has_key[recv])
			valid = conn->key[recv] == ev->u.fastclose.receiver_key;
		conn->fastclose = 1;
	}
	ev_begin(&b, "fastclose", o, conn, sf);
	if (!sf)
		ev_tuple_of_record(&b, ev);
	mpx_ev_hex(&b.e, "receiver_key", ev->u.fastclose.receiver_key, 16);
	mpx_ev_tristate(&b.e, "key_valid", valid);
	emit(c, &b);
	if (valid == 0)
		anomaly(c, o, conn, sf, MPX_ANOM_FASTCLOSE_KEY_INVALID);
}

static void on_tcprst(struct mpx_correlator *c, const struct mptcp_event *ev,
		      const struct mpx_origin *o)
{
	struct mpx_subflow *sf = find_sf(c, ev);
	char flags[5];
	struct evbuf b;
	__u8 reason = ev->u.tcprst.reason;

	c->stats
	    .tcprst[reason < MPX_TCPRST_REASONS - 1 ? reason
						    : MPX_TCPRST_REASONS - 1]++;
	mpx_rst_flags_text(ev->u.tcprst.flags, flags);
	ev_begin(&b, "tcprst", o, sf ? sf->conn : NULL, sf);
	if (!sf)
		ev_tuple_of_record(&b, ev);
	mpx_ev_u64(&b.e, "reason", reason);
	mpx_ev_str(&b.e, "reason_name", mpx_tcprst_reason_name(reason));
	mpx_ev_str(&b.e, "flags", flags);
	emit(c, &b);
}

static void on_error(struct mpx_correlator *c, const struct mptcp_event *ev,
		     const struct mpx_origin *o)
{
	struct mpx_subflow *sf = find_sf(c, ev);
	struct evbuf b;

	/* Garbage creates no state: only a known subflow gets it noted. */
	anomaly_begin(c, &b, o, sf ? sf->conn : NULL, sf,
		      MPX_ANOM_OPTION_ERROR);
	if (!sf)
		ev_tuple_of_record(&b, ev);
	mpx_ev_str(&b.e, "reason", mpx_err_name(ev->error));
	if (ev->subtype != MPX_SUBTYPE_UNKNOWN)
		mpx_ev_u64(&b.e, "subtype", ev->subtype);
	mpx_ev_u64(&b.e, "opt_len", ev->opt_len);
	emit(c, &b);
}

/* Copy a subflow record's counters: [0] is the record source's direction. */
static void take_counts(struct mpx_subflow *sf, const struct mptcp_event *ev)
{
	int fwd = from_initiator(sf, ev) ? 0 : 1;

	sf->packets[0] = ev->u.subflow.packets[fwd];
	sf->packets[1] = ev->u.subflow.packets[1 - fwd];
	sf->bytes[0] = ev->u.subflow.bytes[fwd];
	sf->bytes[1] = ev->u.subflow.bytes[1 - fwd];
}

static void on_subflow_record(struct mpx_correlator *c,
			      const struct mptcp_event *ev,
			      const struct mpx_origin *o)
{
	struct mpx_subflow *sf = find_sf(c, ev);
	struct evbuf b;

	if (!sf)
		return; /* a flow the kernel tracks and we no longer do */
	take_counts(sf, ev);
	if (ev->kind == MPX_EV_SUBFLOW_RST) {
		close_subflow(c, sf, o, "rst");
	} else if (ev->kind == MPX_EV_SUBFLOW_FIN) {
		sf->fin[from_initiator(sf, ev) ? 0 : 1] = 1;
		if (sf->fin[0] && sf->fin[1])
			close_subflow(c, sf, o, "fin");
	} else if (ev->kind == MPX_EV_FALLBACK && !sf->conn->fallback) {
		/* RFC 8684 section 3.1: a SYN/ACK without MP_CAPABLE means
		 * plain TCP from here. */
		sf->conn->fallback = 1;
		c->stats.fallbacks++;
		ev_begin(&b, "mptcp_fallback", o, sf->conn, sf);
		mpx_ev_str(&b.e, "reason", "synack_without_mp_capable");
		emit(c, &b);
	}
}

void mpx_corr_record(struct mpx_correlator *c, const struct mpx_origin *o,
		     const struct mptcp_event *ev)
{
	struct mpx_subflow *sf;

	c->last = *o;
	switch (ev->kind) {
	case MPX_EV_MP_CAPABLE:
		on_capable(c, ev, o);
		break;
	case MPX_EV_MP_JOIN:
		on_join(c, ev, o);
		break;
	case MPX_EV_DSS:
		sf = sf_or_midstream(c, ev, o);
		if (sf && ev->u.dss.data_fin)
			sf->conn->data_fin[src_side(sf, ev)] = 1;
		break;
	case MPX_EV_ADD_ADDR:
		on_add_addr(c, ev, o);
		break;
	case MPX_EV_REMOVE_ADDR:
		on_remove_addr(c, ev, o);
		break;
	case MPX_EV_MP_PRIO:
		on_prio(c, ev, o);
		break;
	case MPX_EV_MP_FAIL:
		on_fail(c, ev, o);
		break;
	case MPX_EV_MP_FASTCLOSE:
		on_fastclose(c, ev, o);
		break;
	case MPX_EV_MP_TCPRST:
		on_tcprst(c, ev, o);
		break;
	case MPX_EV_MP_ERROR:
		on_error(c, ev, o);
		break;
	case MPX_EV_SUBFLOW_FIN:
	case MPX_EV_SUBFLOW_RST:
	case MPX_EV_FALLBACK:
		on_subflow_record(c, ev, o);
		break;
	default: /* MP_EXPERIMENTAL: nothing to correlate */
		break;
	}
	sf = find_sf(c, ev);
	if (sf) {
		sf->conn->last = *o;
		mpx_ct_touch(c->table, sf->conn);
	}
}

void mpx_corr_finish(struct mpx_correlator *c)
{
	size_t n = mpx_ct_count(c->table);
	struct mpx_conn **all = calloc(n ? n : 1, sizeof(*all));

	if (!all)
		return;
	/* Those whose subflows have all ended first, as they ended; then the
	 * ones still open, in the order they started. */
	while (c->closing_head)
		close_ended(c, c->closing_head);
	n = mpx_ct_snapshot(c->table, all, n);
	for (size_t i = 0; i < n; i++)
		close_conn(c, all[i], &all[i]->last, "open");
	free(all);
}

const struct mpx_corr_stats *mpx_corr_stats(struct mpx_correlator *c)
{
	c->stats.active_conns = c->stats.conns_started - c->stats.conns_closed;
	c->stats.active_subflows = c->open_subflows;
	return &c->stats;
}

struct mpx_correlator *mpx_corr_new(size_t max_conns,
				    struct mpx_conn_sink *sink)
{
	struct mpx_correlator *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->sink = sink;
	c->table = mpx_ct_new(max_conns, on_evict, c);
	if (!c->table) {
		free(c);
		return NULL;
	}
	return c;
}

void mpx_corr_set_flow_query(struct mpx_correlator *c, mpx_flow_query_fn fn,
			     void *arg)
{
	c->query = fn;
	c->query_arg = arg;
}

void mpx_corr_free(struct mpx_correlator *c)
{
	if (!c)
		return;
	mpx_ct_free(c->table);
	free(c);
}
