// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Connections and subflows coming and going: creation (from a handshake or
 * midstream), the end of subflows, the grace before a summary, summaries,
 * eviction, the final flush.
 */
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "output/event_names.h"

/* ---- the events of a phase change ------------------------------------- */

static void final_counts(struct mpx_correlator *c, struct mpx_subflow *sf)
{
	struct mpx_flow f;
	int init_first;

	if (!c->query || c->query(c->query_arg, &sf->key, &f) != 0)
		return;
	init_first = corr_same_endpoint(sf->key.addr[0], sf->key.port[0],
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

/* Write the summary. `why` overrides the reason for a connection cut short
 * ("evicted", "open"). */
static void write_summary(struct mpx_correlator *c, struct mpx_conn *conn,
			  const struct mpx_origin *o, const char *why)
{
	struct mpx_conn_summary *s;
	const char *reason = end_reason(conn);
	struct evbuf b;

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
		corr_tuple_of(sf, &out->tuple);
		out->role = sf->role == MPX_SF_INITIAL ? "initial" : "join";
		/* Only joins carry an HMAC to verify. */
		out->verified = sf->role == MPX_SF_JOIN ? sf->verified : -1;
		out->backup = sf->backup;
		memcpy(out->packets, sf->packets, sizeof(out->packets));
		memcpy(out->bytes, sf->bytes, sizeof(out->bytes));
		out->end = sf->phase == MPX_SF_ENDED ? sf->end : "open";
	}
	s->nanomalies = conn->nanom;
	memcpy(s->anomalies, conn->anomalies, sizeof(s->anomalies));
	corr_ev_begin(&b, "connection_closed", o, conn, NULL);
	b.e.summary = s;
	corr_emit(c, &b);
	free(s);
}

static void write_established(struct mpx_correlator *c,
			      const struct mpx_conn *conn,
			      const struct mpx_subflow *sf,
			      const struct mpx_origin *o)
{
	struct evbuf b;

	corr_ev_begin(&b, "mptcp_established", o, conn, sf);
	mpx_ev_u64(&b.e, "version", conn->version);
	mpx_ev_hex(&b.e, "key_a", conn->key[0], 16);
	mpx_ev_hex(&b.e, "key_b", conn->key[1], 16);
	if (corr_verifiable(conn)) {
		mpx_ev_hex(&b.e, "token_a", conn->token[0], 8);
		mpx_ev_hex(&b.e, "token_b", conn->token[1], 8);
	}
	corr_emit(c, &b);
}

/* ---- connection and subflow phases ------------------------------------ */

/* The correlator's queue of ENDING connections, by the time they ended. */
static void ending_unlink(struct mpx_correlator *c, struct mpx_conn *conn)
{
	if (conn->ending_prev)
		conn->ending_prev->ending_next = conn->ending_next;
	else
		c->ending_head = conn->ending_next;
	if (conn->ending_next)
		conn->ending_next->ending_prev = conn->ending_prev;
	else
		c->ending_tail = conn->ending_prev;
	conn->ending_prev = conn->ending_next = NULL;
}

static void ending_push(struct mpx_correlator *c, struct mpx_conn *conn)
{
	conn->ending_next = NULL;
	conn->ending_prev = c->ending_tail;
	if (c->ending_tail)
		c->ending_tail->ending_next = conn;
	else
		c->ending_head = conn;
	c->ending_tail = conn;
}

void corr_conn_enter(struct mpx_correlator *c, struct mpx_conn *conn,
		     enum mpx_conn_phase to, const struct mpx_origin *o,
		     const struct mpx_subflow *sf, const char *why)
{
	enum mpx_conn_phase from = conn->phase;
	struct mpx_origin at = *o;

	if (from == MPX_CONN_CLOSED)
		return; /* for good */
	if (from == MPX_CONN_ENDING && to == conn->resume) {
		/* A new subflow: not ending after all. */
		ending_unlink(c, conn);
		mpx_conn_table_set_phase(c->table, conn, to);
		return;
	}
	switch (to) {
	case MPX_CONN_ESTABLISHED:
		/* The third ACK had both keys (sf is its subflow), or the
		 * connection was picked up midstream and so is past it. A
		 * connection whose subflows ended before that stays ENDING,
		 * to come back established. */
		if (from == MPX_CONN_ENDING)
			conn->resume = to;
		else
			mpx_conn_table_set_phase(c->table, conn, to);
		if (!conn->midstream)
			write_established(c, conn, sf, &at);
		break;
	case MPX_CONN_ENDING:
		/* Its last subflow ended: the summary waits CLOSE_GRACE_US. */
		conn->resume = from;
		conn->ended_at = at;
		mpx_conn_table_set_phase(c->table, conn, to);
		ending_push(c, conn);
		break;
	case MPX_CONN_CLOSED:
		if (from == MPX_CONN_ENDING)
			ending_unlink(c, conn);
		write_summary(c, conn, &at, why);
		/* Its subflows still open are not open any more. */
		for (int i = 0; i < conn->nsf; i++)
			if (conn->sf[i]->phase == MPX_SF_OPEN)
				c->open_subflows--;
		mpx_conn_table_set_phase(c->table, conn, to);
		c->stats.conns_closed++;
		break;
	default: /* ATTEMPT: where connections start, nothing enters it */
		break;
	}
}

void corr_sf_enter(struct mpx_correlator *c, struct mpx_subflow *sf,
		   enum mpx_sf_phase to, const struct mpx_origin *o,
		   const char *how)
{
	struct mpx_conn *conn = sf->conn;
	struct evbuf b;
	int open = 0;

	if (to == MPX_SF_OPEN) { /* a new subflow (subflows start OPEN) */
		c->open_subflows++;
		if (conn->phase == MPX_CONN_ENDING)
			corr_conn_enter(c, conn, conn->resume, o, NULL, NULL);
		return;
	}
	if (sf->phase == MPX_SF_ENDED)
		return;
	sf->phase = MPX_SF_ENDED;
	sf->end = how;
	if (conn->phase != MPX_CONN_CLOSED) /* else not counted any more */
		c->open_subflows--;
	corr_ev_begin(&b, "subflow_closed", o, conn, sf);
	mpx_ev_str(&b.e, "how", how);
	mpx_ev_str(&b.e, "role",
		   sf->role == MPX_SF_INITIAL ? "initial" : "join");
	mpx_ev_u64(&b.e, "packets_fwd", sf->packets[0]);
	mpx_ev_u64(&b.e, "packets_rev", sf->packets[1]);
	mpx_ev_u64(&b.e, "bytes_fwd", sf->bytes[0]);
	mpx_ev_u64(&b.e, "bytes_rev", sf->bytes[1]);
	corr_emit(c, &b);
	for (int i = 0; i < conn->nsf; i++)
		open += conn->sf[i]->phase == MPX_SF_OPEN;
	if (!open && (conn->phase == MPX_CONN_ATTEMPT ||
		      conn->phase == MPX_CONN_ESTABLISHED))
		corr_conn_enter(c, conn, MPX_CONN_ENDING, o, NULL, NULL);
}

/* ---- time, room, the end ---------------------------------------------- */

static __s64 usec_of(const struct mpx_origin *o)
{
	return (__s64)o->ts_sec * 1000000LL + o->ts_usec;
}

void mpx_corr_tick(struct mpx_correlator *c, const struct mpx_origin *now)
{
	while (c->ending_head &&
	       usec_of(&c->ending_head->ended_at) + CLOSE_GRACE_US <=
		   usec_of(now))
		corr_conn_enter(c, c->ending_head, MPX_CONN_CLOSED,
				&c->ending_head->ended_at, NULL, NULL);
}

void corr_on_evict(struct mpx_conn *conn, void *arg)
{
	struct mpx_correlator *c = arg;

	if (conn->phase == MPX_CONN_ENDING) { /* over anyway: no eviction */
		corr_conn_enter(c, conn, MPX_CONN_CLOSED, &conn->ended_at, NULL,
				NULL);
		return;
	}
	c->stats.conns_evicted++;
	corr_conn_enter(c, conn, MPX_CONN_CLOSED, &c->last, NULL, "evicted");
}

/* ---- creating state --------------------------------------------------- */

struct mpx_subflow *corr_new_subflow(struct mpx_correlator *c,
				     struct mpx_conn *conn, struct corr_rec *r,
				     int src_is_initiator, int init_side,
				     enum mpx_sf_role role)
{
	const struct mptcp_event *ev = r->ev;
	struct mpx_subflow *sf;

	sf = mpx_conn_table_add_subflow(c->table, conn, &r->key);
	if (!sf) {
		c->stats.subflows_dropped++;
		c->dropped[c->dropped_next++ % DROPPED_RING] = r->key;
		return NULL;
	}
	sf->family = ev->family;
	memcpy(sf->init_addr, src_is_initiator ? ev->saddr : ev->daddr,
	       MPX_ADDR_LEN);
	memcpy(sf->resp_addr, src_is_initiator ? ev->daddr : ev->saddr,
	       MPX_ADDR_LEN);
	sf->init_port = src_is_initiator ? ev->sport : ev->dport;
	sf->resp_port = src_is_initiator ? ev->dport : ev->sport;
	sf->init_side = init_side;
	sf->role = role;
	sf->isn = src_is_initiator ? ev->seq : ev->ack - 1;
	corr_sf_enter(c, sf, MPX_SF_OPEN, r->o, NULL);
	corr_rec_bind(r, sf);
	return sf;
}

struct mpx_conn *corr_new_conn(struct mpx_correlator *c,
			       const struct mpx_origin *o)
{
	struct mpx_conn *conn = mpx_conn_table_new_conn(c->table);

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
		       const struct mpx_flow_key *key)
{
	for (unsigned int i = 0; i < DROPPED_RING && i < c->dropped_next; i++)
		if (memcmp(&c->dropped[i], key, sizeof(*key)) == 0)
			return 1;
	return 0;
}

struct mpx_subflow *corr_midstream(struct mpx_correlator *c, struct corr_rec *r,
				   int src_is_initiator, enum mpx_sf_role role)
{
	struct mpx_conn *conn;
	struct mpx_subflow *sf;
	struct evbuf b;

	if (was_dropped(c, &r->key))
		return NULL; /* past a bound, not a new connection */
	conn = corr_new_conn(c, r->o);
	if (!conn)
		return NULL;
	conn->midstream = 1;
	corr_conn_enter(c, conn, MPX_CONN_ESTABLISHED, r->o, NULL, NULL);
	sf = corr_new_subflow(c, conn, r, src_is_initiator, 0, role);
	if (!sf)
		return NULL;
	corr_make_id(conn, sf);
	c->stats.conns_midstream++;
	corr_ev_begin(&b, "mptcp_midstream", r->o, conn, sf);
	mpx_ev_str(&b.e, "via", mpx_kind_name(r->ev->kind));
	corr_emit(c, &b);
	return sf;
}

struct mpx_subflow *corr_sf_or_midstream(struct mpx_correlator *c,
					 struct corr_rec *r)
{
	return r->sf ? r->sf : corr_midstream(c, r, 1, MPX_SF_INITIAL);
}

void mpx_corr_finish(struct mpx_correlator *c)
{
	size_t n = mpx_conn_table_count(c->table);
	struct mpx_conn **all = calloc(n ? n : 1, sizeof(*all));

	if (!all)
		return;
	/* Those whose subflows have all ended first, as they ended; then the
	 * ones still open, in the order they started. */
	while (c->ending_head)
		corr_conn_enter(c, c->ending_head, MPX_CONN_CLOSED,
				&c->ending_head->ended_at, NULL, NULL);
	n = mpx_conn_table_snapshot(c->table, all, n);
	for (size_t i = 0; i < n; i++)
		corr_conn_enter(c, all[i], MPX_CONN_CLOSED, &all[i]->last, NULL,
				"open");
	free(all);
}
