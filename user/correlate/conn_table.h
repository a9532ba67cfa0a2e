/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The correlator's state: MPTCP connections, their subflows, and the two
 * indexes into them (subflow by 4-tuple, connection by token). Bounded: at
 * most max_conns connections, MPX_SUM_MAX_SUBFLOWS subflows each and
 * MPX_MAX_ADDRS advertised addresses per side, so that a flood of SYNs
 * with random keys cannot grow memory without bound (docs/design.md,
 * Correlation). The least recently active connection makes room.
 */
#ifndef MPX_CONN_TABLE_H
#define MPX_CONN_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "mptcp_event.h"
#include "mptcp_flow.h"
#include "origin.h"
#include "output/conn_event.h"

#define MPX_MAX_ADDRS 8

/*
 * A connection's life. The correlator moves it from phase to phase, in one
 * place (corr_conn_enter(), corr_lifecycle.c).
 */
enum mpx_conn_phase {
	MPX_CONN_ATTEMPT = 0, /* MP_CAPABLE SYN seen, handshake not complete */
	MPX_CONN_ESTABLISHED, /* both keys seen (third ACK), or midstream */
	/* Every subflow has ended: the summary waits out a grace period for
	 * the packets still in flight. A new subflow in that time takes it
	 * back to the phase it was in (resume). */
	MPX_CONN_ENDING,
	MPX_CONN_CLOSED, /* summary written; kept to absorb stragglers */
};

/* A subflow's life (corr_sf_enter(), corr_lifecycle.c). */
enum mpx_sf_phase {
	MPX_SF_OPEN = 0,
	MPX_SF_ENDED, /* FIN both ways, RST, or its 4-tuple reused: see end */
};

/* How an ENDED subflow ended (mpx_sf_end_name()). */
enum mpx_sf_end {
	MPX_SF_END_NONE = 0,
	MPX_SF_END_FIN,
	MPX_SF_END_RST,
	MPX_SF_END_REUSED, /* its 4-tuple reused */
};

/* How a join's token found its connection (mpx_token_match_name()). */
enum mpx_token_match {
	MPX_TOKEN_UNIQUE = 0,
	MPX_TOKEN_ADD_ADDR,  /* several owners; the advertised address told */
	MPX_TOKEN_AMBIGUOUS, /* several owners, nothing told */
};

enum mpx_sf_role {
	MPX_SF_INITIAL = 0,
	MPX_SF_JOIN = 1,
};

struct mpx_addr_entry {
	__u8 used;
	__u8 id;
	__u8 family;
	__u8 addr[MPX_ADDR_LEN];
	__u16 port;
};

struct mpx_conn;

/* A connection's entry in the token index, one per side. */
struct mpx_tok_link {
	struct mpx_tok_link *next;
	__u32 tok; /* the token it is indexed under (its bucket) */
	__u8 side;
	__u8 linked;
};

/*
 * Sizes matter: a SYN flood is what fills the table (issue "line rate",
 * <= 400 bytes per connection with one subflow). Flags are bytes, what
 * only some connections need (advertised addresses, the sensors' names,
 * more than one subflow) is allocated when first needed, and fields are
 * ordered to leave no holes.
 */
struct mpx_subflow {
	struct mpx_subflow *hnext; /* subflow index chain */
	struct mpx_conn *conn;
	/* The sensors whose records it came in (`correlate`), "A,B", of
	 * MPX_SENSORS_TEXT bytes; NULL when records come from this host. */
	char *sensors;
	__u64 packets[2]; /* from subflow records; [0] initiator -> responder */
	__u64 bytes[2];
	/* MP_JOIN handshake (RFC 8684 section 3.2). */
	__u64 hmac64;
	__u32 token;
	__u32 r_init, r_resp;
	__u32 isn;
	/* The data level (corr_stream.c), only with streams on: the ISNs
	 * seen in SYNs, [0] the initiator's, [1] the responder's. */
	__u32 syn_isn[2];
	struct mpx_flow_key key; /* canonical, as the BPF flow table */
	/* The initiator (SYN sender; first source seen when midstream) is
	 * key.addr[init_slot]:key.port[init_slot] (mpx_sf_init_addr()). */
	__u8 init_slot; /* (its family is key.family) */
	__u8
	    init_side; /* the connection side (0 = A, 1 = B) of the initiator */
	__u8 role;     /* enum mpx_sf_role */
	__u8 have_syn : 1, have_synack : 1, join_reported : 1;
	__u8 shadow : 1; /* made from shadow copies (correlate.h) */
	__s8 verified;	 /* 1, 0, -1 = cannot tell */
	__u8 addr_id;
	__u8 backup;
	__u8 phase;	  /* enum mpx_sf_phase */
	__u8 end;	  /* ENDED: enum mpx_sf_end */
	__u8 token_match; /* enum mpx_token_match */
	__u8 fin[2];	  /* [0] initiator's FIN, [1] responder's */
	__u8 have_syn_isn[2];
};

struct corr_conn_stream;

/* A side's advertised addresses (ADD_ADDR), made at the first. */
struct mpx_conn_addrs {
	struct mpx_addr_entry e[2][MPX_MAX_ADDRS];
	__u8 next[2]; /* the slot to reuse when a side's table is full */
};

/*
 * A connection's times, in 16 bytes instead of struct mpx_origin's 24: the
 * frame and the time in microseconds since the epoch (times are normalised
 * where they enter, origin.h: the conversion is exact both ways).
 */
struct mpx_when {
	__u64 frame;
	__s64 usec;
};

static inline struct mpx_when mpx_when_of(const struct mpx_origin *o)
{
	struct mpx_when w = {o->frame,
			     (__s64)o->ts_sec * 1000000LL + o->ts_usec};

	return w;
}

static inline struct mpx_origin mpx_origin_of_when(const struct mpx_when *w)
{
	struct mpx_origin o = {0};

	o.frame = w->frame;
	o.ts_sec = w->usec / 1000000LL;
	o.ts_usec = (int32_t)(w->usec % 1000000LL);
	return o;
}

/* At most one of each kind (note_anomaly(), corr_events.c), 5 bits each
 * (mpx_conn_anomaly()). */
#define MPX_CONN_ANOMALIES 18
#define MPX_ANOMALY_BITS   5

struct mpx_conn {
	struct mpx_conn *lru_prev, *lru_next; /* most recently active first */
	struct mpx_tok_link tl[2];	      /* token index, per side */
	__u64 key[2];
	__u32 token[2];
	__u32 serial; /* creation order (wraps after 2^32: only the end-of-input
			 order suffers) */
	__u32 joins_dropped; /* join subflows past the per-connection bound */
	/* Its id (corr_make_id()), printed as 16 hex digits
	 * (mpx_conn_id_text()) once has_id. */
	__u64 id;
	struct mpx_when start, last;
	/* Its subflows: sf_one until a second comes, then an array of sf_cap
	 * (at most MPX_SUM_MAX_SUBFLOWS). */
	struct mpx_subflow **sf;
	struct mpx_subflow *sf_one[1];
	struct mpx_conn_addrs *addrs; /* NULL until an ADD_ADDR */
	/* ENDING: since when, and the correlator's queue of ENDING
	 * connections in that order. */
	struct mpx_when ended_at;
	struct mpx_conn *ending_prev, *ending_next;
	/* Data-level reassembly (corr_stream.c); NULL without streams, or
	 * until the first mapping. */
	struct corr_conn_stream *stream;
	__u8 phase;  /* enum mpx_conn_phase */
	__u8 resume; /* enum mpx_conn_phase; ENDING: where a new subflow takes
			it */
	__u8 assured : 1;      /* showed it is real: evicted after all others */
	__u8 unverifiable : 1; /* unknown version or algorithm: no crypto
				  checks */
	__u8 midstream : 1, fallback : 1, fastclose : 1;
	__u8 shadow : 1; /* made from shadow copies (correlate.h) */
	__u8 has_id : 1;
	__s8 version; /* -1 until an MP_CAPABLE says */
	/* The version when a side's key was learnt: its IDSN (RFC 8684
	 * section 3.1) is computed from the key when needed (corr_stream.c),
	 * with that version's algorithm. */
	__s8 key_version[2];
	__u8 has_key[2];
	__u8 has_token[2]; /* from the key, or named by a join SYN */
	__u8 data_fin[2];
	__u8 nsf, sf_cap;
	__u8 nanom;
	/* The anomalies noted (enum mpx_anomaly), in order, each once:
	 * MPX_ANOMALY_BITS each (mpx_conn_anomaly()). */
	__u8 anomalies[(MPX_CONN_ANOMALIES * MPX_ANOMALY_BITS + 7) / 8];
	/* The first subflow lives here: one allocation for a connection of
	 * one subflow. */
	struct mpx_subflow sf0;
};

/* The i-th anomaly noted (i < nanom), and noting the next. */
static inline unsigned int mpx_conn_anomaly(const struct mpx_conn *c, int i)
{
	unsigned int v = 0;

	for (int b = 0; b < MPX_ANOMALY_BITS; b++) {
		int bit = i * MPX_ANOMALY_BITS + b;

		v |= (unsigned int)((c->anomalies[bit / 8] >> (bit % 8)) & 1)
		     << b;
	}
	return v;
}

static inline void mpx_conn_add_anomaly(struct mpx_conn *c, unsigned int a)
{
	for (int b = 0; b < MPX_ANOMALY_BITS; b++) {
		int bit = c->nanom * MPX_ANOMALY_BITS + b;

		if ((a >> b) & 1)
			c->anomalies[bit / 8] |= (__u8)(1u << (bit % 8));
	}
	c->nanom++;
}

/* Its id as text: 16 hex digits, "" before it has one. */
void mpx_conn_id_text(const struct mpx_conn *c, char buf[17]);
const char *mpx_sf_end_name(__u8 end);
const char *mpx_token_match_name(__u8 m);

/* A subflow's initiator and responder, from its key. */
static inline const __u8 *mpx_sf_init_addr(const struct mpx_subflow *sf)
{
	return sf->key.addr[sf->init_slot];
}

static inline const __u8 *mpx_sf_resp_addr(const struct mpx_subflow *sf)
{
	return sf->key.addr[1 - sf->init_slot];
}

static inline __u16 mpx_sf_init_port(const struct mpx_subflow *sf)
{
	return sf->key.port[sf->init_slot];
}

static inline __u16 mpx_sf_resp_port(const struct mpx_subflow *sf)
{
	return sf->key.port[1 - sf->init_slot];
}

struct mpx_conn_table;

/* Called for a connection that must go to make room (and is not CLOSED
 * yet), before it is freed. */
typedef void (*mpx_evict_fn)(struct mpx_conn *c, void *arg);

struct mpx_conn_table *mpx_conn_table_new(size_t max_conns, mpx_evict_fn fn,
					  void *arg);
void mpx_conn_table_free(struct mpx_conn_table *t);

/* A new connection (ATTEMPT), most recently active; evicts the least
 * recently active one if the table is full. NULL only when out of memory. */
struct mpx_conn *mpx_conn_table_new_conn(struct mpx_conn_table *t);
/* c enters phase p (for the correlator's transition function only). ENDING
 * and CLOSED connections are the ended ones: they make room before the
 * others, the least recently ended first. */
void mpx_conn_table_set_phase(struct mpx_conn_table *t, struct mpx_conn *c,
			      enum mpx_conn_phase p);
/* Take a subflow out of the 4-tuple index (its 4-tuple is reused); it
 * stays in its connection's summary. */
void mpx_conn_table_forget_subflow(struct mpx_conn_table *t,
				   struct mpx_subflow *sf);
/* Remove a connection and its subflows now, with no callback. */
void mpx_conn_table_drop(struct mpx_conn_table *t, struct mpx_conn *c);
/* Mark active (LRU order; ended connections keep their place). */
void mpx_conn_table_touch(struct mpx_conn_table *t, struct mpx_conn *c);
/* c carried data (a DSS mapping) or a verified join: it makes room only
 * when no unassured live connection is left to evict. */
void mpx_conn_table_assure(struct mpx_conn_table *t, struct mpx_conn *c);
/* The longest chain in either index (tests, benchmarks). */
size_t mpx_conn_table_longest_chain(const struct mpx_conn_table *t);

/* A new subflow of c with the given canonical key; NULL if c has
 * MPX_SUM_MAX_SUBFLOWS already (counted by the caller). */
struct mpx_subflow *mpx_conn_table_add_subflow(struct mpx_conn_table *t,
					       struct mpx_conn *c,
					       const struct mpx_flow_key *key);
struct mpx_subflow *mpx_conn_table_find_subflow(struct mpx_conn_table *t,
						const struct mpx_flow_key *key);

/* Index c under its side's token (once the key is known). */
void mpx_conn_table_index_token(struct mpx_conn_table *t, struct mpx_conn *c,
				int side);
/* Connections (not closed) with a side whose token is tok: up to max into
 * out, with that side in sides[]. Returns how many there are. */
int mpx_conn_table_find_token(struct mpx_conn_table *t, __u32 tok,
			      struct mpx_conn **out, int *sides, int max);

/* Iterate in creation order (for the final flush). */
size_t mpx_conn_table_snapshot(struct mpx_conn_table *t, struct mpx_conn **out,
			       size_t max);
size_t mpx_conn_table_count(const struct mpx_conn_table *t);
size_t mpx_conn_table_subflows(const struct mpx_conn_table *t);
size_t mpx_conn_table_capacity(const struct mpx_conn_table *t);

/* Canonical key of a record's 4-tuple, and the record's direction in it
 * (bpf/inspect.h's rule: 0 when the source is the key's first endpoint). */
int mpx_conn_table_key_of(const struct mptcp_event *ev, struct mpx_flow_key *k);

#endif /* MPX_CONN_TABLE_H */
