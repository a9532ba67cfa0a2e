/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Connection-level events: what the correlator says, independent of how it
 * is written (json, text, zeek). An event is a name, where and when, the
 * connection and subflow it is about, and a short list of typed fields;
 * connection_closed also carries the connection's summary.
 */
#ifndef MPX_CONN_EVENT_H
#define MPX_CONN_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "origin.h"

#define MPX_EV_MAX_FIELDS     16
#define MPX_SUM_MAX_SUBFLOWS  32
#define MPX_SUM_MAX_ANOMALIES 32

enum mpx_field_type {
	MPX_F_STR,
	MPX_F_U64,
	MPX_F_BOOL,
	MPX_F_NULL,
	MPX_F_HEX,   /* u64 as fixed-width lowercase hex */
	MPX_F_BYTES, /* bytes as lowercase hex */
	MPX_F_U8S,   /* array of small integers */
	MPX_F_TIME,  /* a time: u = seconds, width = microseconds */
};

struct mpx_field {
	const char *key;
	enum mpx_field_type type;
	int width; /* hex digits (MPX_F_HEX), count (MPX_F_BYTES/U8S) */
	union {
		const char *s;
		uint64_t u;
		const uint8_t *bytes;
	} v;
};

/* The sensors that saw a subflow ("A" or "A,B"), when records come from
 * several (`correlate`); empty otherwise, and then not written. */
#define MPX_SENSORS_TEXT 100

/* A subflow's endpoints, as text, initiator first. */
struct mpx_tuple {
	char src[46];
	char dst[46];
	uint16_t sport;
	uint16_t dport;
	char sensor[MPX_SENSORS_TEXT];
};

struct mpx_sf_summary {
	struct mpx_tuple tuple;
	const char *role; /* "initial" or "join" */
	int verified;	  /* 1, 0, or -1 = not verifiable (keys unseen) */
	int backup;
	uint64_t packets[2]; /* [0] initiator -> responder, [1] back */
	uint64_t bytes[2];   /* TCP payload bytes */
	const char *end;     /* "fin", "rst", "open" */
};

struct mpx_conn_summary {
	char id[17];
	int version; /* -1 when no MP_CAPABLE was seen */
	int has_key[2];
	int has_token[2];
	uint64_t key[2]; /* [0] = A (the initiator), [1] = B */
	uint32_t token[2];
	int64_t start_sec;
	int32_t start_usec;
	double duration; /* seconds */
	const char *end; /* "data_fin", "fastclose", "subflows_closed",
			    "fallback", "evicted", "open" */
	int midstream;
	int fallback;
	uint64_t joins_dropped; /* join subflows past MPX_SUM_MAX_SUBFLOWS */
	int nsubflows;
	struct mpx_sf_summary sf[MPX_SUM_MAX_SUBFLOWS];
	int nanomalies;
	const char *anomalies[MPX_SUM_MAX_ANOMALIES];
	/* The data level, when streams are on: [0] a to b, [1] b to a. */
	int has_data;
	struct mpx_data_summary {
		uint64_t data_bytes;
		uint64_t gap_bytes;
		uint64_t reinjected_bytes;
		uint64_t depth_bytes;
	} data[2];
};

/* A summary's subflows added up: what the one-line formats show. */
struct mpx_sum_totals {
	uint64_t packets[2];
	uint64_t bytes[2];
	int joins_verified;
};

void mpx_summary_totals(const struct mpx_conn_summary *s,
			struct mpx_sum_totals *t);

struct mpx_conn_event {
	const char *name;
	struct mpx_origin origin;
	const char *conn_id; /* NULL when not tied to a connection */
	const struct mpx_tuple
	    *tuple; /* the subflow, initiator first; or NULL */
	int nfields;
	struct mpx_field fields[MPX_EV_MAX_FIELDS];
	const struct mpx_conn_summary *summary; /* connection_closed only */
};

/* Building fields. Fields past MPX_EV_MAX_FIELDS are dropped: no event
 * has that many, and the writer tests would show it. */
void mpx_ev_str(struct mpx_conn_event *e, const char *key, const char *s);
void mpx_ev_u64(struct mpx_conn_event *e, const char *key, uint64_t v);
void mpx_ev_bool(struct mpx_conn_event *e, const char *key, int v);
/* true / false / null for v = 1 / 0 / -1 */
void mpx_ev_tristate(struct mpx_conn_event *e, const char *key, int v);
void mpx_ev_hex(struct mpx_conn_event *e, const char *key, uint64_t v,
		int digits);
void mpx_ev_bytes(struct mpx_conn_event *e, const char *key, const uint8_t *b,
		  int n);
void mpx_ev_u8s(struct mpx_conn_event *e, const char *key, const uint8_t *v,
		int n);
/* A time, written like the event's own "ts". */
void mpx_ev_time(struct mpx_conn_event *e, const char *key,
		 const struct mpx_origin *t);

/* A writer of connection events: json, text or zeek (each writer.c fills
 * one in with its init function). */
struct mpx_event_writer {
	void (*event)(struct mpx_event_writer *s,
		      const struct mpx_conn_event *e);
	void (*finish)(struct mpx_event_writer *s);
	void *out;   /* FILE * */
	int started; /* the writer's own: e.g. header written */
};

#endif /* MPX_CONN_EVENT_H */
