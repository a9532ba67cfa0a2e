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

/* ---- summaries and closing -------------------------------------------- */

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
	mpx_conn_table_mark_ended(c->table, conn);
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
void corr_close_conn(struct mpx_correlator *c, struct mpx_conn *conn,
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
		corr_tuple_of(sf, &out->tuple);
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
	corr_ev_begin(&b, "connection_closed", o, conn, NULL);
	b.e.summary = s;
	corr_emit(c, &b);
	free(s);
	mpx_conn_table_mark_closed(c->table, conn);
	c->stats.conns_closed++;
}

/* Summary of a connection whose subflows have all ended. */
void corr_close_ended(struct mpx_correlator *c, struct mpx_conn *conn)
{
	struct mpx_origin at = conn->closed_at;

	closing_unlink(c, conn);
	corr_close_conn(c, conn, &at, NULL);
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
		corr_close_ended(c, c->closing_head);
}

void corr_on_evict(struct mpx_conn *conn, void *arg)
{
	struct mpx_correlator *c = arg;

	if (conn->closing) {
		corr_close_ended(c, conn); /* over anyway: no eviction */
		return;
	}
	c->stats.conns_evicted++;
	corr_close_conn(c, conn, &c->last, "evicted");
}

void corr_close_subflow(struct mpx_correlator *c, struct mpx_subflow *sf,
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
		open += !conn->sf[i]->closed;
	if (!open && !conn->closing && conn->state != MPX_CONN_CLOSED)
		closing_push(c, conn, o);
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
	if (conn->closing) { /* a new subflow: not ending after all */
		closing_unlink(c, conn);
		mpx_conn_table_mark_live(c->table, conn);
	}
	sf->init_side = init_side;
	sf->role = role;
	sf->live = 1;
	c->open_subflows++;
	sf->isn = src_is_initiator ? ev->seq : ev->ack - 1;
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
	conn->state = MPX_CONN_ESTABLISHED;
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
	while (c->closing_head)
		corr_close_ended(c, c->closing_head);
	n = mpx_conn_table_snapshot(c->table, all, n);
	for (size_t i = 0; i < n; i++)
		corr_close_conn(c, all[i], &all[i]->last, "open");
	free(all);
}
