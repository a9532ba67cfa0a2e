// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Connections and subflows coming and going: made (from a handshake or
 * midstream), moved from phase to phase by one transition function each,
 * summarised after the grace, evicted, flushed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "fnv_hash.h"

/* ---- making state ----------------------------------------------------- */

struct mpx_conn *corr_new_conn(struct mpx_correlator *c,
			       const struct mpx_origin *o)
{
	struct mpx_conn *conn = mpx_conn_table_new_conn(c->table);

	if (!conn)
		return NULL;
	conn->start = mpx_when_of(o);
	conn->last = conn->start;
	conn->shadow = c->shadow != 0;
	c->stats.conns_started++;
	c->stats.shadow_conns += c->shadow ? 1 : 0;
	return conn;
}

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
		if (role == MPX_SF_JOIN)
			conn->joins_dropped++;
		c->dropped[c->dropped_next++ % DROPPED_RING] = r->key;
		return NULL;
	}
	sf->shadow = r->shadow != 0;
	/* The key is canonical (lower endpoint first): where is the
	 * initiator in it? */
	sf->init_slot =
	    memcmp(r->key.addr[0], src_is_initiator ? ev->saddr : ev->daddr,
		   MPX_ADDR_LEN) != 0 ||
	    r->key.port[0] != (src_is_initiator ? ev->sport : ev->dport);
	sf->init_side = init_side;
	sf->role = role;
	sf->isn = src_is_initiator ? ev->seq : ev->ack - 1;
	corr_sf_enter(c, sf, MPX_SF_OPEN, r->o, MPX_SF_END_NONE);
	corr_rec_bind(r, sf);
	return sf;
}

static int was_dropped(const struct mpx_correlator *c,
		       const struct mpx_flow_key *key)
{
	for (unsigned int i = 0; i < DROPPED_RING && i < c->dropped_next; i++)
		if (memcmp(&c->dropped[i], key, sizeof(*key)) == 0)
			return 1;
	return 0;
}

/*
 * A record on a subflow we do not know: a connection that was running
 * before we looked (or whose start we missed). Tracked from here on.
 * src_is_initiator: whether the source is taken for the subflow's
 * initiator (SYN/ACKs are sent by the responder).
 */
struct mpx_subflow *corr_midstream(struct mpx_correlator *c, struct corr_rec *r,
				   int src_is_initiator, enum mpx_sf_role role)
{
	struct mpx_conn *conn;
	struct mpx_subflow *sf;

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
	corr_emit_midstream(c, r);
	return sf;
}

struct mpx_subflow *corr_sf_or_midstream(struct mpx_correlator *c,
					 struct corr_rec *r)
{
	return r->sf ? r->sf : corr_midstream(c, r, 1, MPX_SF_INITIAL);
}

void corr_make_id(struct mpx_conn *conn, const struct mpx_subflow *sf)
{
	__u8 buf[2 * MPX_ADDR_LEN + 8];
	__u16 ip = mpx_sf_init_port(sf), rp = mpx_sf_resp_port(sf);

	memcpy(buf, mpx_sf_init_addr(sf), MPX_ADDR_LEN);
	memcpy(buf + MPX_ADDR_LEN, mpx_sf_resp_addr(sf), MPX_ADDR_LEN);
	memcpy(buf + 2 * MPX_ADDR_LEN, &ip, 2);
	memcpy(buf + 2 * MPX_ADDR_LEN + 2, &rp, 2);
	memcpy(buf + 2 * MPX_ADDR_LEN + 4, &sf->isn, 4);
	conn->id = mpx_fnv1a(buf, sizeof(buf));
	conn->has_id = 1;
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

/*
 * A connection's phases, and what takes it from one to the next:
 *
 *   ATTEMPT -> ESTABLISHED    the third ACK has both keys: mptcp_established
 *   new -> ESTABLISHED        picked up midstream (mptcp_midstream, by the
 *                             caller, says so)
 *   ATTEMPT, ESTABLISHED      its last subflow ended; resume remembers
 *     -> ENDING               which of the two it was
 *   ENDING -> resume          a new subflow during the grace period
 *   ENDING -> ENDING          the third ACK completes the handshake during
 *                             the grace (resume ATTEMPT): mptcp_established,
 *                             resume ESTABLISHED
 *   any -> CLOSED             the grace is over, or it makes room, or the
 *                             input ends: connection_closed (the summary)
 */
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
		if (from == MPX_CONN_ENDING)
			conn->resume = to;
		else
			mpx_conn_table_set_phase(c->table, conn, to);
		if (!conn->midstream)
			corr_emit_established(c, &at, conn, sf);
		break;
	case MPX_CONN_ENDING:
		/* The summary waits CLOSE_GRACE_US (mpx_corr_tick()). */
		conn->resume = from;
		conn->ended_at = mpx_when_of(&at);
		mpx_conn_table_set_phase(c->table, conn, to);
		ending_push(c, conn);
		break;
	case MPX_CONN_CLOSED:
		if (from == MPX_CONN_ENDING)
			ending_unlink(c, conn);
		corr_emit_connection_closed(c, &at, conn, why);
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
		   enum mpx_sf_end how)
{
	struct mpx_conn *conn = sf->conn;
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
	sf->end = (__u8)how;
	if (conn->phase != MPX_CONN_CLOSED) /* else not counted any more */
		c->open_subflows--;
	corr_emit_subflow_closed(c, o, sf);
	for (int i = 0; i < conn->nsf; i++)
		open += conn->sf[i]->phase == MPX_SF_OPEN;
	if (!open && (conn->phase == MPX_CONN_ATTEMPT ||
		      conn->phase == MPX_CONN_ESTABLISHED))
		corr_conn_enter(c, conn, MPX_CONN_ENDING, o, NULL, NULL);
}

/* ---- time, room, the end ---------------------------------------------- */

/* An ENDING connection's summary, as of when it ended. */
static void close_ended(struct mpx_correlator *c, struct mpx_conn *conn)
{
	struct mpx_origin at = mpx_origin_of_when(&conn->ended_at);

	corr_conn_enter(c, conn, MPX_CONN_CLOSED, &at, NULL, NULL);
}

static __s64 usec_of(const struct mpx_origin *o)
{
	return (__s64)o->ts_sec * 1000000LL + o->ts_usec;
}

void mpx_corr_tick(struct mpx_correlator *c, const struct mpx_origin *now)
{
	mpx_detect_tick(c->detect, now);
	while (c->ending_head &&
	       c->ending_head->ended_at.usec + CLOSE_GRACE_US <= usec_of(now))
		close_ended(c, c->ending_head);
}

void corr_on_evict(struct mpx_conn *conn, void *arg)
{
	struct mpx_correlator *c = arg;

	if (conn->phase == MPX_CONN_ENDING) { /* over anyway: no eviction */
		close_ended(c, conn);
		return;
	}
	c->stats.conns_evicted++;
	corr_conn_enter(c, conn, MPX_CONN_CLOSED, &c->last, NULL, "evicted");
}

void mpx_corr_finish(struct mpx_correlator *c)
{
	size_t n = mpx_conn_table_count(c->table);
	struct mpx_conn **all = calloc(n ? n : 1, sizeof(*all));

	mpx_detect_finish(c->detect, &c->last);
	if (!all)
		return;
	/* Those whose subflows have all ended first, as they ended; then the
	 * ones still open, in the order they started. */
	while (c->ending_head)
		close_ended(c, c->ending_head);
	n = mpx_conn_table_snapshot(c->table, all, n);
	for (size_t i = 0; i < n; i++) {
		struct mpx_origin last = mpx_origin_of_when(&all[i]->last);

		corr_conn_enter(c, all[i], MPX_CONN_CLOSED, &last, NULL,
				"open");
	}
	free(all);
}
