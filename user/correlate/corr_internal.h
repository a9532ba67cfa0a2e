/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * What the correlator's files share (correlate.c: the record dispatch and
 * the public API; corr_events.c: writing events and anomalies;
 * corr_lifecycle.c: connections and subflows coming and going, summaries;
 * corr_handshake.c: MP_CAPABLE, MP_JOIN, keys and tokens; corr_addresses.c:
 * ADD_ADDR and REMOVE_ADDR). Not for use outside them.
 */
#ifndef MPX_CORR_INTERNAL_H
#define MPX_CORR_INTERNAL_H

#include <linux/types.h>

#include "correlate/conn_table.h"
#include "correlate/correlate.h"

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
	struct mpx_event_writer *writer;
	mpx_flow_query_fn query;
	void *query_arg;
	struct mpx_origin last;
	__u64 open_subflows;
	struct mpx_flow_key dropped[DROPPED_RING];
	unsigned int dropped_next;
	struct mpx_conn *ending_head, *ending_tail; /* ENDING, by ended_at */
	struct mpx_corr_stats stats;
};

/*
 * One record on its way through the correlator. mpx_corr_record() computes
 * its key and looks its subflow up once; a handler that makes a subflow for
 * it (a SYN, a midstream start) binds that one here instead, and after the
 * handler the dispatcher marks the bound subflow's connection active.
 * Nobody looks the record up again.
 */
struct corr_rec {
	const struct mptcp_event *ev;
	const struct mpx_origin *o;
	struct mpx_flow_key key; /* canonical, as the flow table's */
	struct mpx_subflow *sf;	 /* the subflow of key, or NULL */
	int from_init;		 /* with sf: the source is its initiator */
	int side; /* with sf: the source's connection side (0 = A, 1 = B) */
};

/* An event being built: the event and the 4-tuple text it points to. */
struct evbuf {
	struct mpx_conn_event e;
	struct mpx_tuple t;
};

/* correlate.c: the record's subflow (NULL: none), and its side of it. */
void corr_rec_bind(struct corr_rec *r, struct mpx_subflow *sf);

/* corr_events.c: endpoints, ids, events, anomalies */
int corr_same_endpoint(const __u8 *a, __u16 ap, const __u8 *b, __u16 bp);
void corr_tuple_of(const struct mpx_subflow *sf, struct mpx_tuple *t);
void corr_make_id(struct mpx_conn *c, const struct mpx_subflow *sf);
void corr_ev_begin(struct evbuf *b, const char *name,
		   const struct mpx_origin *o, const struct mpx_conn *conn,
		   const struct mpx_subflow *sf);
void corr_ev_tuple_of_record(struct evbuf *b, const struct mptcp_event *ev);
void corr_emit(struct mpx_correlator *c, struct evbuf *b);
void corr_note_anomaly(struct mpx_correlator *c, struct mpx_conn *conn,
		       enum mpx_anomaly a);
void corr_anomaly_begin(struct mpx_correlator *c, struct evbuf *b,
			const struct mpx_origin *o, struct mpx_conn *conn,
			const struct mpx_subflow *sf, enum mpx_anomaly a);
void corr_anomaly(struct mpx_correlator *c, const struct mpx_origin *o,
		  struct mpx_conn *conn, const struct mpx_subflow *sf,
		  enum mpx_anomaly a);

/* corr_lifecycle.c: connections and subflows coming and going */
struct mpx_conn *corr_new_conn(struct mpx_correlator *c,
			       const struct mpx_origin *o);
/* A new subflow of conn for the record, bound to it; NULL (and the record
 * keeps the subflow it had) past the per-connection bound. */
struct mpx_subflow *corr_new_subflow(struct mpx_correlator *c,
				     struct mpx_conn *conn, struct corr_rec *r,
				     int src_is_initiator, int init_side,
				     enum mpx_sf_role role);
/* A record of no known subflow starts a connection midstream (bound to the
 * record); NULL if its subflow was dropped at a bound. */
struct mpx_subflow *corr_midstream(struct mpx_correlator *c, struct corr_rec *r,
				   int src_is_initiator, enum mpx_sf_role role);
/* The record's subflow, or a midstream one for it. */
struct mpx_subflow *corr_sf_or_midstream(struct mpx_correlator *c,
					 struct corr_rec *r);
/*
 * The one way a connection changes phase, with all that goes with it: the
 * table's lists, the queue of ENDING connections, the open-subflow gauge,
 * and the events a change implies (mptcp_established; connection_closed,
 * the summary). o is when; sf (ESTABLISHED) the subflow whose third ACK
 * completed the handshake; why (CLOSED) the summary's end reason when it
 * overrides the connection's own ("evicted", "open"). A CLOSED connection
 * stays CLOSED; an ENDING one entering its `resume` phase is live again.
 */
void corr_conn_enter(struct mpx_correlator *c, struct mpx_conn *conn,
		     enum mpx_conn_phase to, const struct mpx_origin *o,
		     const struct mpx_subflow *sf, const char *why);
/* The one way a subflow changes phase: OPEN once it is made (counted open;
 * its connection, if ENDING, resumes), ENDED how it ended (subflow_closed;
 * the last one to end makes its connection ENDING). */
void corr_sf_enter(struct mpx_correlator *c, struct mpx_subflow *sf,
		   enum mpx_sf_phase to, const struct mpx_origin *o,
		   const char *how);
/* The handshake of conn is still to complete (mptcp_established not said). */
static inline int corr_conn_handshake_pending(const struct mpx_conn *conn)
{
	return conn->phase == MPX_CONN_ATTEMPT ||
	       (conn->phase == MPX_CONN_ENDING &&
		conn->resume == MPX_CONN_ATTEMPT);
}
void corr_on_evict(struct mpx_conn *conn, void *arg);

/* corr_handshake.c: MP_CAPABLE, MP_JOIN, keys */
int corr_verifiable(const struct mpx_conn *conn);
void corr_on_capable(struct mpx_correlator *c, struct corr_rec *r);
void corr_on_join(struct mpx_correlator *c, struct corr_rec *r);

/* corr_addresses.c: ADD_ADDR, REMOVE_ADDR */
void corr_on_add_addr(struct mpx_correlator *c, struct corr_rec *r);
void corr_on_remove_addr(struct mpx_correlator *c, struct corr_rec *r);

#endif /* MPX_CORR_INTERNAL_H */
