// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* The correlator's events: building them, writing them, anomalies. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "fnv_hash.h"
#include "output/event_names.h"

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

int corr_same_endpoint(const __u8 *a, __u16 ap, const __u8 *b, __u16 bp)
{
	return ap == bp && memcmp(a, b, MPX_ADDR_LEN) == 0;
}

void corr_tuple_of(const struct mpx_subflow *sf, struct mpx_tuple *t)
{
	mpx_addr_text(sf->family, sf->init_addr, t->src, sizeof(t->src));
	mpx_addr_text(sf->family, sf->resp_addr, t->dst, sizeof(t->dst));
	t->sport = sf->init_port;
	t->dport = sf->resp_port;
}

/* A stable id from the first subflow's 4-tuple and initial sequence
 * number: the same connection gets the same id live and from a capture. */
void corr_make_id(struct mpx_conn *c, const struct mpx_subflow *sf)
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

void corr_ev_begin(struct evbuf *b, const char *name,
		   const struct mpx_origin *o, const struct mpx_conn *conn,
		   const struct mpx_subflow *sf)
{
	memset(&b->e, 0, sizeof(b->e));
	b->e.name = name;
	b->e.origin = *o;
	b->e.conn_id = conn ? conn->id : NULL;
	if (sf) {
		corr_tuple_of(sf, &b->t);
		b->e.tuple = &b->t;
	}
}

/* For events about a packet of no known subflow: its own 4-tuple. */
void corr_ev_tuple_of_record(struct evbuf *b, const struct mptcp_event *ev)
{
	mpx_addr_text(ev->family, ev->saddr, b->t.src, sizeof(b->t.src));
	mpx_addr_text(ev->family, ev->daddr, b->t.dst, sizeof(b->t.dst));
	b->t.sport = ev->sport;
	b->t.dport = ev->dport;
	b->e.tuple = &b->t;
}

void corr_emit(struct mpx_correlator *c, struct evbuf *b)
{
	c->writer->event(c->writer, &b->e);
}

void corr_note_anomaly(struct mpx_correlator *c, struct mpx_conn *conn,
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
void corr_anomaly_begin(struct mpx_correlator *c, struct evbuf *b,
			const struct mpx_origin *o, struct mpx_conn *conn,
			const struct mpx_subflow *sf, enum mpx_anomaly a)
{
	corr_note_anomaly(c, conn, a);
	corr_ev_begin(b, "anomaly", o, conn, sf);
	mpx_ev_str(&b->e, "kind", anomaly_names[a]);
}

void corr_anomaly(struct mpx_correlator *c, const struct mpx_origin *o,
		  struct mpx_conn *conn, const struct mpx_subflow *sf,
		  enum mpx_anomaly a)
{
	struct evbuf b;

	corr_anomaly_begin(c, &b, o, conn, sf, a);
	corr_emit(c, &b);
}
