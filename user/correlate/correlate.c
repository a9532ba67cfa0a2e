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
#include "output/event_names.h"

/* ---- options that need no handshake state, subflow records ----------- */

static void on_prio(struct mpx_correlator *c, const struct mptcp_event *ev,
		    const struct mpx_origin *o)
{
	struct mpx_subflow *sf = corr_sf_or_midstream(c, ev, o);
	struct evbuf b;

	if (!sf)
		return;
	/* RFC 8684 section 3.3.8: the subflow it is sent on (v0 may name
	 * another by address id). */
	if (!ev->u.prio.has_addr_id)
		sf->backup = ev->u.prio.backup;
	corr_ev_begin(&b, "prio_change", o, sf->conn, sf);
	mpx_ev_bool(&b.e, "backup", ev->u.prio.backup);
	if (ev->u.prio.has_addr_id)
		mpx_ev_u64(&b.e, "addr_id", ev->u.prio.addr_id);
	corr_emit(c, &b);
}

static void on_fail(struct mpx_correlator *c, const struct mptcp_event *ev,
		    const struct mpx_origin *o)
{
	struct mpx_subflow *sf = corr_sf_or_midstream(c, ev, o);
	struct evbuf b;

	if (!sf)
		return;
	corr_ev_begin(&b, "mp_fail", o, sf->conn, sf);
	mpx_ev_u64(&b.e, "dsn", ev->u.fail.dsn);
	corr_emit(c, &b);
	/* RFC 8684 section 3.7: a checksum failed, something on the path
	 * changed the stream. */
	corr_anomaly_begin(c, &b, o, sf->conn, sf, MPX_ANOM_MP_FAIL);
	mpx_ev_u64(&b.e, "dsn", ev->u.fail.dsn);
	corr_emit(c, &b);
}

static void on_fastclose(struct mpx_correlator *c, const struct mptcp_event *ev,
			 const struct mpx_origin *o)
{
	struct mpx_subflow *sf = corr_find_sf(c, ev);
	struct mpx_conn *conn = sf ? sf->conn : NULL;
	struct evbuf b;
	int valid = -1, recv;

	c->stats.fastcloses++;
	if (conn) {
		/* RFC 8684 section 3.5: the option carries the key of the
		 * host that receives it. */
		recv = 1 - corr_src_side(sf, ev);
		if (conn->has_key[recv])
			valid = conn->key[recv] == ev->u.fastclose.receiver_key;
		conn->fastclose = 1;
	}
	corr_ev_begin(&b, "fastclose", o, conn, sf);
	if (!sf)
		corr_ev_tuple_of_record(&b, ev);
	mpx_ev_hex(&b.e, "receiver_key", ev->u.fastclose.receiver_key, 16);
	mpx_ev_tristate(&b.e, "key_valid", valid);
	corr_emit(c, &b);
	if (valid == 0)
		corr_anomaly(c, o, conn, sf, MPX_ANOM_FASTCLOSE_KEY_INVALID);
}

static void on_tcprst(struct mpx_correlator *c, const struct mptcp_event *ev,
		      const struct mpx_origin *o)
{
	struct mpx_subflow *sf = corr_find_sf(c, ev);
	char flags[5];
	struct evbuf b;
	__u8 reason = ev->u.tcprst.reason;

	c->stats
	    .tcprst[reason < MPX_TCPRST_REASONS - 1 ? reason
						    : MPX_TCPRST_REASONS - 1]++;
	mpx_rst_flags_text(ev->u.tcprst.flags, flags);
	corr_ev_begin(&b, "tcprst", o, sf ? sf->conn : NULL, sf);
	if (!sf)
		corr_ev_tuple_of_record(&b, ev);
	mpx_ev_u64(&b.e, "reason", reason);
	mpx_ev_str(&b.e, "reason_name", mpx_tcprst_reason_name(reason));
	mpx_ev_str(&b.e, "flags", flags);
	corr_emit(c, &b);
}

static void on_error(struct mpx_correlator *c, const struct mptcp_event *ev,
		     const struct mpx_origin *o)
{
	struct mpx_subflow *sf = corr_find_sf(c, ev);
	struct evbuf b;

	/* Garbage creates no state: only a known subflow gets it noted. */
	corr_anomaly_begin(c, &b, o, sf ? sf->conn : NULL, sf,
			   MPX_ANOM_OPTION_ERROR);
	if (!sf)
		corr_ev_tuple_of_record(&b, ev);
	mpx_ev_str(&b.e, "reason", mpx_err_name(ev->error));
	if (ev->subtype != MPX_SUBTYPE_UNKNOWN)
		mpx_ev_u64(&b.e, "subtype", ev->subtype);
	mpx_ev_u64(&b.e, "opt_len", ev->opt_len);
	corr_emit(c, &b);
}

/* Copy a subflow record's counters: [0] is the record source's direction. */
static void take_counts(struct mpx_subflow *sf, const struct mptcp_event *ev)
{
	int fwd = corr_from_initiator(sf, ev) ? 0 : 1;

	sf->packets[0] = ev->u.subflow.packets[fwd];
	sf->packets[1] = ev->u.subflow.packets[1 - fwd];
	sf->bytes[0] = ev->u.subflow.bytes[fwd];
	sf->bytes[1] = ev->u.subflow.bytes[1 - fwd];
}

static void on_subflow_record(struct mpx_correlator *c,
			      const struct mptcp_event *ev,
			      const struct mpx_origin *o)
{
	struct mpx_subflow *sf = corr_find_sf(c, ev);
	struct evbuf b;

	if (!sf)
		return; /* a flow the kernel tracks and we no longer do */
	take_counts(sf, ev);
	if (ev->kind == MPX_EV_SUBFLOW_RST) {
		corr_close_subflow(c, sf, o, "rst");
	} else if (ev->kind == MPX_EV_SUBFLOW_FIN) {
		sf->fin[corr_from_initiator(sf, ev) ? 0 : 1] = 1;
		if (sf->fin[0] && sf->fin[1])
			corr_close_subflow(c, sf, o, "fin");
	} else if (ev->kind == MPX_EV_FALLBACK && !sf->conn->fallback) {
		/* RFC 8684 section 3.1: a SYN/ACK without MP_CAPABLE means
		 * plain TCP from here. */
		sf->conn->fallback = 1;
		c->stats.fallbacks++;
		corr_ev_begin(&b, "mptcp_fallback", o, sf->conn, sf);
		mpx_ev_str(&b.e, "reason", "synack_without_mp_capable");
		corr_emit(c, &b);
	}
}

void mpx_corr_record(struct mpx_correlator *c, const struct mpx_origin *o,
		     const struct mptcp_event *ev)
{
	struct mpx_subflow *sf;

	c->last = *o;
	switch (ev->kind) {
	case MPX_EV_MP_CAPABLE:
		corr_on_capable(c, ev, o);
		break;
	case MPX_EV_MP_JOIN:
		corr_on_join(c, ev, o);
		break;
	case MPX_EV_DSS:
		sf = corr_sf_or_midstream(c, ev, o);
		if (sf && ev->u.dss.data_fin)
			sf->conn->data_fin[corr_src_side(sf, ev)] = 1;
		break;
	case MPX_EV_ADD_ADDR:
		corr_on_add_addr(c, ev, o);
		break;
	case MPX_EV_REMOVE_ADDR:
		corr_on_remove_addr(c, ev, o);
		break;
	case MPX_EV_MP_PRIO:
		on_prio(c, ev, o);
		break;
	case MPX_EV_MP_FAIL:
		on_fail(c, ev, o);
		break;
	case MPX_EV_MP_FASTCLOSE:
		on_fastclose(c, ev, o);
		break;
	case MPX_EV_MP_TCPRST:
		on_tcprst(c, ev, o);
		break;
	case MPX_EV_MP_ERROR:
		on_error(c, ev, o);
		break;
	case MPX_EV_SUBFLOW_FIN:
	case MPX_EV_SUBFLOW_RST:
	case MPX_EV_FALLBACK:
		on_subflow_record(c, ev, o);
		break;
	default: /* MP_EXPERIMENTAL: nothing to correlate */
		break;
	}
	sf = corr_find_sf(c, ev);
	if (sf) {
		sf->conn->last = *o;
		mpx_conn_table_touch(c->table, sf->conn);
	}
}

const struct mpx_corr_stats *mpx_corr_stats(struct mpx_correlator *c)
{
	c->stats.active_conns = c->stats.conns_started - c->stats.conns_closed;
	c->stats.active_subflows = c->open_subflows;
	return &c->stats;
}

struct mpx_correlator *mpx_corr_new(size_t max_conns,
				    struct mpx_event_writer *writer)
{
	struct mpx_correlator *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->writer = writer;
	c->table = mpx_conn_table_new(max_conns, corr_on_evict, c);
	if (!c->table) {
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
	free(c);
}
