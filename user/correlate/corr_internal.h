/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * What the correlator's files share. Not for use outside them. A record
 * goes top down: correlate.c looks it up and dispatches it to the handler
 * of its kind (there, corr_handshake.c: MP_CAPABLE, MP_JOIN, keys and
 * tokens; corr_addresses.c: ADD_ADDR, REMOVE_ADDR), which decides what
 * happened; corr_lifecycle.c makes connections and subflows and moves them
 * from phase to phase; corr_events.c builds and writes every event.
 */
#ifndef MPX_CORR_INTERNAL_H
#define MPX_CORR_INTERNAL_H

#include <string.h>
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
	__u64 open_subflows; /* OPEN ones of connections not CLOSED */
	struct mpx_flow_key dropped[DROPPED_RING];
	unsigned int dropped_next;
	struct mpx_conn *ending_head, *ending_tail; /* ENDING, by ended_at */
	struct mpx_corr_stats stats;
	struct mpx_detect *detect; /* join_flood, mptcp_scan */
	struct mpx_detect_opts detect_opts;
	struct mpx_stream_opts streams; /* the data level (corr_stream.c) */
	__u64 stream_files_open;	/* --streams descriptors held */
	int stream_write_failed;	/* said once on stderr */
	const char *sensor; /* of the records that follow (correlate) */
	int shadow;	    /* they are shadow copies (correlate) */
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
	const char *sensor; /* the sensor that saw it (correlate), or NULL */
	int shadow;	    /* a shadow copy: nothing is written about it */
};

/* Nothing is written about sf: it was made from shadow copies. */
static inline int corr_sf_muted(const struct mpx_subflow *sf)
{
	return sf->shadow;
}

/* Nothing is written about conn: all its subflows are shadows. */
static inline int corr_conn_muted(const struct mpx_conn *conn)
{
	if (!conn->shadow)
		return 0;
	for (int i = 0; i < conn->nsf; i++)
		if (!conn->sf[i]->shadow)
			return 0;
	return 1;
}

static inline int corr_same_endpoint(const __u8 *a, __u16 ap, const __u8 *b,
				     __u16 bp)
{
	return ap == bp && memcmp(a, b, MPX_ADDR_LEN) == 0;
}

/* ---- correlate.c: the dispatch ---------------------------------------- */

/* The record's subflow is sf (NULL: none); its direction and side follow. */
void corr_rec_bind(struct corr_rec *r, struct mpx_subflow *sf);

/* ---- the handlers ----------------------------------------------------- */

/* corr_handshake.c */
void corr_on_capable(struct mpx_correlator *c, struct corr_rec *r);
void corr_on_join(struct mpx_correlator *c, struct corr_rec *r);
/* A version and an algorithm this inspector knows: HMACs can be checked. */
int corr_verifiable(const struct mpx_conn *conn);

/* corr_addresses.c */
void corr_on_add_addr(struct mpx_correlator *c, struct corr_rec *r);
void corr_on_remove_addr(struct mpx_correlator *c, struct corr_rec *r);

/* ---- corr_lifecycle.c: connections and subflows ----------------------- */

/* A new connection (ATTEMPT), started at o. NULL only when out of memory. */
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
/* A stable id from the first subflow's 4-tuple and initial sequence
 * number: the same connection gets the same id live and from a capture. */
void corr_make_id(struct mpx_conn *conn, const struct mpx_subflow *sf);

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
		   enum mpx_sf_end how);
/* The handshake of conn is still to complete (mptcp_established not said). */
static inline int corr_conn_handshake_pending(const struct mpx_conn *conn)
{
	return conn->phase == MPX_CONN_ATTEMPT ||
	       (conn->phase == MPX_CONN_ENDING &&
		conn->resume == MPX_CONN_ATTEMPT);
}
/* The table's eviction callback (arg: the correlator). */
void corr_on_evict(struct mpx_conn *conn, void *arg);

/* ---- corr_events.c: one function per event kind ----------------------- */

/*
 * Each builds one event (and the anomaly that goes with it, if any, noted
 * on its connection) and writes it. Those taking the record are about it:
 * its origin, its subflow (or its own 4-tuple when it has none), its
 * option's fields.
 */
void corr_emit_attempt(struct mpx_correlator *c, const struct corr_rec *r);
void corr_emit_established(struct mpx_correlator *c, const struct mpx_origin *o,
			   const struct mpx_conn *conn,
			   const struct mpx_subflow *sf);
void corr_emit_midstream(struct mpx_correlator *c, const struct corr_rec *r);
void corr_emit_fallback(struct mpx_correlator *c, const struct corr_rec *r);
/* key_valid 0: and a fastclose_key_invalid anomaly. */
void corr_emit_fastclose(struct mpx_correlator *c, const struct corr_rec *r,
			 int key_valid);
/* The summary; why as for corr_conn_enter(). Final counts come from the
 * flow query, when it has the subflow. */
void corr_emit_connection_closed(struct mpx_correlator *c,
				 const struct mpx_origin *o,
				 struct mpx_conn *conn, const char *why);
/* verified 0 (the record's subflow): and join_hmac_invalid, saying which
 * HMAC failed. */
void corr_emit_subflow_joined(struct mpx_correlator *c,
			      const struct corr_rec *r, int ok64, int ok160);
void corr_emit_join_unknown_token(struct mpx_correlator *c,
				  const struct corr_rec *r);
void corr_emit_subflow_closed(struct mpx_correlator *c,
			      const struct mpx_origin *o,
			      const struct mpx_subflow *sf);
void corr_emit_prio(struct mpx_correlator *c, const struct corr_rec *r);
void corr_emit_tcprst(struct mpx_correlator *c, const struct corr_rec *r);
/* mp_fail, and the mp_fail anomaly. */
void corr_emit_mp_fail(struct mpx_correlator *c, const struct corr_rec *r);
/* hmac_valid 0: and add_addr_hmac_invalid (legacy: the leftmost 64 bits
 * matched). */
void corr_emit_add_addr(struct mpx_correlator *c, const struct corr_rec *r,
			int hmac_valid, int legacy);
void corr_emit_addr_id_reuse(struct mpx_correlator *c,
			     const struct corr_rec *r);
void corr_emit_remove_addr(struct mpx_correlator *c, const struct corr_rec *r,
			   int count);
void corr_emit_unknown_version(struct mpx_correlator *c,
			       const struct corr_rec *r);
void corr_emit_unknown_algorithm(struct mpx_correlator *c,
				 const struct corr_rec *r);
void corr_emit_key_mismatch(struct mpx_correlator *c, const struct corr_rec *r,
			    int side, __u64 key_now);
/* The record's connection's side has the token of other (noted on both). */
void corr_emit_token_collision(struct mpx_correlator *c,
			       const struct corr_rec *r, int side,
			       struct mpx_conn *other);
/* A join SYN's token names several connections, its destination none. */
void corr_emit_join_token_ambiguous(struct mpx_correlator *c,
				    const struct corr_rec *r, int candidates);
void corr_emit_option_error(struct mpx_correlator *c, const struct corr_rec *r);
/* join_flood or mptcp_scan: about no one connection. */
void corr_emit_detect_alert(struct mpx_correlator *c,
			    const struct mpx_origin *at,
			    const struct mpx_detect_alert *a);
/* An ADD_ADDR no host should act on: why is the address's class, or
 * "home_net_inward". */
void corr_emit_add_addr_suspicious(struct mpx_correlator *c,
				   const struct corr_rec *r, const char *why);

/* The data level (corr_stream.c). dir: 0 = a to b, 1 = b to a. */
void corr_emit_data_gap(struct mpx_correlator *c, const struct mpx_origin *o,
			struct mpx_conn *conn, int dir, __u64 off, __u64 len);
/* A YARA match; subflows: bit i = the summary's subflow i. */
void corr_emit_signature_match(struct mpx_correlator *c,
			       const struct mpx_origin *o,
			       struct mpx_conn *conn, int dir, const char *rule,
			       __u64 off, __u64 len, __u32 subflows, int split);
/* data_overlap_mismatch: [off, off + len) came again with other bytes. */
void corr_emit_overlap_mismatch(struct mpx_correlator *c,
				const struct mpx_origin *o,
				struct mpx_conn *conn, int dir, __u64 off,
				__u64 len, int sf);
/* dss_checksum_invalid, mapping_inconsistent, infinite_mapping: about one
 * mapping (dsn, relative ssn, data-level length) on subflow sf. */
void corr_emit_mapping_anomaly(struct mpx_correlator *c,
			       const struct mpx_origin *o,
			       struct mpx_conn *conn, enum mpx_anomaly a,
			       int dir, int sf, __u64 dsn, __u32 ssn,
			       __u32 len);

#endif /* MPX_CORR_INTERNAL_H */
