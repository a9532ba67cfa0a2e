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
	struct mpx_conn *closing_head, *closing_tail; /* by closing time */
	struct mpx_corr_stats stats;
};

/* An event being built: the event and the 4-tuple text it points to. */
struct evbuf {
	struct mpx_conn_event e;
	struct mpx_tuple t;
};

/* corr_events.c: endpoints, ids, events, anomalies */
int corr_same_endpoint(const __u8 *a, __u16 ap, const __u8 *b, __u16 bp);
int corr_from_initiator(const struct mpx_subflow *sf,
			const struct mptcp_event *ev);
int corr_src_side(const struct mpx_subflow *sf, const struct mptcp_event *ev);
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
struct mpx_subflow *corr_new_subflow(struct mpx_correlator *c,
				     struct mpx_conn *conn,
				     const struct mptcp_event *ev,
				     int src_is_initiator, int init_side,
				     enum mpx_sf_role role);
struct mpx_subflow *corr_midstream(struct mpx_correlator *c,
				   const struct mptcp_event *ev,
				   const struct mpx_origin *o,
				   int src_is_initiator, enum mpx_sf_role role);
struct mpx_subflow *corr_find_sf(struct mpx_correlator *c,
				 const struct mptcp_event *ev);
struct mpx_subflow *corr_sf_or_midstream(struct mpx_correlator *c,
					 const struct mptcp_event *ev,
					 const struct mpx_origin *o);
void corr_close_subflow(struct mpx_correlator *c, struct mpx_subflow *sf,
			const struct mpx_origin *o, const char *how);
void corr_close_conn(struct mpx_correlator *c, struct mpx_conn *conn,
		     const struct mpx_origin *o, const char *why);
void corr_close_ended(struct mpx_correlator *c, struct mpx_conn *conn);
void corr_on_evict(struct mpx_conn *conn, void *arg);

/* corr_handshake.c: MP_CAPABLE, MP_JOIN, keys */
int corr_verifiable(const struct mpx_conn *conn);
void corr_learn_key(struct mpx_correlator *c, struct mpx_conn *conn,
		    const struct mpx_subflow *sf, int side, __u64 key,
		    const struct mpx_origin *o);
void corr_on_capable(struct mpx_correlator *c, const struct mptcp_event *ev,
		     const struct mpx_origin *o);
void corr_on_join(struct mpx_correlator *c, const struct mptcp_event *ev,
		  const struct mpx_origin *o);

/* corr_addresses.c: ADD_ADDR, REMOVE_ADDR */
void corr_on_add_addr(struct mpx_correlator *c, const struct mptcp_event *ev,
		      const struct mpx_origin *o);
void corr_on_remove_addr(struct mpx_correlator *c, const struct mptcp_event *ev,
			 const struct mpx_origin *o);

#endif /* MPX_CORR_INTERNAL_H */
