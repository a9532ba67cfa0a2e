// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Correlation rules (docs/design.md, Correlation; RFC 8684 sections 3.1-3.7):
 * - a connection starts with an MP_CAPABLE SYN (or, midstream, with the
 *   first option seen on an unknown subflow);
 * - tokens come from the keys: SHA-256 (v1) or SHA-1 (v0), most
 *   significant 32 bits; an MP_JOIN SYN names the token of its receiver;
 * - it ends when its last subflow closes; the summary says why (DATA_FIN
 *   both ways, MP_FASTCLOSE, fallback) or that it was still open.
 */
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "correlate/corr_stream.h"

/* ---- the record's subflow --------------------------------------------- */

/* The subflow's list of sensors gets the record's, once, while it fits
 * (MPX_SENSORS_TEXT bytes, made at the first). */
static void note_sensor(struct mpx_subflow *sf, const char *sensor)
{
	size_t have, n = strlen(sensor);
	const char *p;

	if (!sf->sensors && !(sf->sensors = calloc(1, MPX_SENSORS_TEXT)))
		return;
	have = strlen(sf->sensors);
	p = sf->sensors;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && memcmp(p, sensor, n) == 0)
			return;
		p += len;
		if (*p)
			p++;
	}
	if (have + (have ? 1 : 0) + n >= MPX_SENSORS_TEXT)
		return;
	if (have)
		sf->sensors[have++] = ',';
	memcpy(sf->sensors + have, sensor, n + 1);
}

void corr_rec_bind(struct corr_rec *r, struct mpx_subflow *sf)
{
	r->sf = sf;
	r->from_init = 0;
	r->side = 0;
	if (!sf)
		return;
	if (r->sensor)
		note_sensor(sf, r->sensor);
	r->from_init =
	    corr_same_endpoint(r->ev->saddr, r->ev->sport, mpx_sf_init_addr(sf),
			       mpx_sf_init_port(sf));
	r->side = r->from_init ? sf->init_side : 1 - sf->init_side;
}

/* ---- options that need no handshake state, subflow records ----------- */

static void on_dss(struct mpx_correlator *c, struct corr_rec *r)
{
	struct mpx_subflow *sf = corr_sf_or_midstream(c, r);

	if (!sf)
		return;
	/* A mapping: data flows at the data level. Floods of handshakes or
	 * join SYNs carry none, and make room before this one. */
	if (r->ev->u.dss.has_map)
		mpx_conn_table_assure(c->table, sf->conn);
	if (r->ev->u.dss.data_fin)
		sf->conn->data_fin[r->side] = 1;
}

static void on_prio(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mpx_ev_prio *p = &r->ev->u.prio;
	struct mpx_subflow *sf = corr_sf_or_midstream(c, r);

	if (!sf)
		return;
	/* RFC 8684 section 3.3.8: the subflow it is sent on (v0 may name
	 * another by address id). */
	if (!p->has_addr_id)
		sf->backup = p->backup;
	corr_emit_prio(c, r);
}

static void on_fail(struct mpx_correlator *c, struct corr_rec *r)
{
	if (corr_sf_or_midstream(c, r))
		corr_emit_mp_fail(c, r);
}

static void on_fastclose(struct mpx_correlator *c, struct corr_rec *r)
{
	struct mpx_conn *conn = r->sf ? r->sf->conn : NULL;
	int valid = -1, recv;

	c->stats.fastcloses++;
	if (conn) {
		/* RFC 8684 section 3.5: the option carries the key of the
		 * host that receives it. */
		recv = 1 - r->side;
		if (conn->has_key[recv])
			valid =
			    conn->key[recv] == r->ev->u.fastclose.receiver_key;
		conn->fastclose = 1;
	}
	corr_emit_fastclose(c, r, valid);
}

static void on_tcprst(struct mpx_correlator *c, struct corr_rec *r)
{
	__u8 reason = r->ev->u.tcprst.reason;

	c->stats
	    .tcprst[reason < MPX_TCPRST_REASONS - 1 ? reason
						    : MPX_TCPRST_REASONS - 1]++;
	corr_emit_tcprst(c, r);
}

static void on_error(struct mpx_correlator *c, struct corr_rec *r)
{
	corr_emit_option_error(c, r);
}

/* Copy a subflow record's counters: [0] is the record source's direction. */
static void take_counts(struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	struct mpx_subflow *sf = r->sf;
	int fwd = r->from_init ? 0 : 1;

	sf->packets[0] = ev->u.subflow.packets[fwd];
	sf->packets[1] = ev->u.subflow.packets[1 - fwd];
	sf->bytes[0] = ev->u.subflow.bytes[fwd];
	sf->bytes[1] = ev->u.subflow.bytes[1 - fwd];
}

static void on_subflow_record(struct mpx_correlator *c, struct corr_rec *r)
{
	struct mpx_subflow *sf = r->sf;
	__u8 kind = r->ev->kind;

	/* A reset to a source that probes (mptcp_scan counts the answers). */
	if (kind == MPX_EV_SUBFLOW_RST && !r->shadow)
		mpx_detect_reset(c->detect, r->o, r->ev->family, r->ev->daddr);
	if (!sf)
		return; /* a flow the kernel tracks and we no longer do */
	take_counts(r);
	if (kind == MPX_EV_SUBFLOW_RST) {
		corr_sf_enter(c, sf, MPX_SF_ENDED, r->o, MPX_SF_END_RST);
	} else if (kind == MPX_EV_SUBFLOW_FIN) {
		sf->fin[r->from_init ? 0 : 1] = 1;
		if (sf->fin[0] && sf->fin[1])
			corr_sf_enter(c, sf, MPX_SF_ENDED, r->o,
				      MPX_SF_END_FIN);
	} else if (kind == MPX_EV_FALLBACK && !sf->conn->fallback) {
		/* RFC 8684 section 3.1: a SYN/ACK without MP_CAPABLE means
		 * plain TCP from here. */
		sf->conn->fallback = 1;
		c->stats.fallbacks++;
		corr_emit_fallback(c, r);
	}
}

typedef void (*corr_handler_fn)(struct mpx_correlator *c, struct corr_rec *r);

static corr_handler_fn handler_of(__u8 kind)
{
	switch (kind) {
	case MPX_EV_MP_CAPABLE:
		return corr_on_capable;
	case MPX_EV_MP_JOIN:
		return corr_on_join;
	case MPX_EV_DSS:
		return on_dss;
	case MPX_EV_ADD_ADDR:
		return corr_on_add_addr;
	case MPX_EV_REMOVE_ADDR:
		return corr_on_remove_addr;
	case MPX_EV_MP_PRIO:
		return on_prio;
	case MPX_EV_MP_FAIL:
		return on_fail;
	case MPX_EV_MP_FASTCLOSE:
		return on_fastclose;
	case MPX_EV_MP_TCPRST:
		return on_tcprst;
	case MPX_EV_MP_ERROR:
		return on_error;
	case MPX_EV_SUBFLOW_FIN:
	case MPX_EV_SUBFLOW_RST:
	case MPX_EV_FALLBACK:
		return on_subflow_record;
	default: /* MP_EXPERIMENTAL: nothing to correlate */
		return NULL;
	}
}

/*
 * One record, top down: its key and subflow (looked up here, once), the
 * handler of its kind (which may make the subflow, or replace it when a SYN
 * reuses a 4-tuple), then its connection is the most recently active.
 */
void mpx_corr_record(struct mpx_correlator *c, const struct mpx_origin *o,
		     const struct mptcp_event *ev)
{
	struct corr_rec r = {
	    .ev = ev, .o = o, .sensor = c->sensor, .shadow = c->shadow};
	corr_handler_fn handle = handler_of(ev->kind);

	c->last = *o;
	mpx_conn_table_key_of(ev, &r.key);
	corr_rec_bind(&r, mpx_conn_table_find_subflow(c->table, &r.key));
	if (r.shadow && r.sf && !r.sf->shadow) {
		/* The real one is here already (one correlator reading
		 * several shards): the copy adds nothing. */
		c->stats.shadows_ignored++;
		return;
	}
	if (handle)
		handle(c, &r);
	corr_stream_record(c, &r);
	if (r.sf) {
		r.sf->conn->last = mpx_when_of(o);
		mpx_conn_table_touch(c->table, r.sf->conn);
	}
}

void mpx_corr_set_shadow(struct mpx_correlator *c, int shadow)
{
	c->shadow = shadow;
}

void mpx_corr_set_sensor(struct mpx_correlator *c, const char *sensor)
{
	c->sensor = sensor;
}

const struct mpx_corr_stats *mpx_corr_stats(struct mpx_correlator *c)
{
	const struct mpx_detect_stats *d = mpx_detect_stats(c->detect);

	c->stats.active_conns = c->stats.conns_started - c->stats.conns_closed;
	c->stats.active_subflows = c->open_subflows;
	c->stats.detect_entries = d->entries;
	c->stats.detect_evicted = d->evicted;
	return &c->stats;
}

static void on_alert(void *arg, const struct mpx_origin *at,
		     const struct mpx_detect_alert *a)
{
	corr_emit_detect_alert(arg, at, a);
}

int mpx_corr_set_detect(struct mpx_correlator *c,
			const struct mpx_detect_opts *o)
{
	struct mpx_detect *d = mpx_detect_new(o, on_alert, c);

	if (!d)
		return -1;
	mpx_detect_free(c->detect);
	c->detect = d;
	c->detect_opts = *o;
	return 0;
}

struct mpx_correlator *mpx_corr_new(size_t max_conns,
				    struct mpx_event_writer *writer)
{
	struct mpx_correlator *c = calloc(1, sizeof(*c));
	struct mpx_detect_opts d;

	if (!c)
		return NULL;
	c->writer = writer;
	c->table = mpx_conn_table_new(max_conns, corr_on_evict, c);
	mpx_detect_opts_default(&d);
	if (!c->table || mpx_corr_set_detect(c, &d) < 0) {
		mpx_conn_table_free(c->table);
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
	mpx_conn_table_free(c->table);
	mpx_detect_free(c->detect);
	free(c);
}
