// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The correlator's events, one function per kind: the handlers and the
 * transition functions decide what happened, these build the event's
 * fields (README.md, "Connection events", lists them) and write it.
 * Anomalies are noted on their connection as they are written.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "correlate/corr_stream.h"
#include "output/event_names.h"

#define MPX_ANOM_NAME(id, name) [MPX_ANOM_##id] = name,
_Static_assert(MPX_CONN_ANOMALIES >= MPX_ANOM_MAX &&
		   MPX_ANOM_MAX <= (1 << MPX_ANOMALY_BITS) &&
		   MPX_CONN_ANOMALIES <= MPX_SUM_MAX_ANOMALIES,
	       "a connection notes each anomaly once");
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

/* ---- building and writing --------------------------------------------- */

/* An event being built: the event and the 4-tuple text it points to. */
struct evbuf {
	struct mpx_conn_event e;
	struct mpx_tuple t;
	char conn_id[17];
	int muted; /* about shadows only (correlate.h): not written */
};

static void tuple_of(const struct mpx_subflow *sf, struct mpx_tuple *t)
{
	mpx_addr_text(sf->key.family, mpx_sf_init_addr(sf), t->src,
		      sizeof(t->src));
	mpx_addr_text(sf->key.family, mpx_sf_resp_addr(sf), t->dst,
		      sizeof(t->dst));
	t->sport = mpx_sf_init_port(sf);
	t->dport = mpx_sf_resp_port(sf);
	snprintf(t->sensor, sizeof(t->sensor), "%s",
		 sf->sensors ? sf->sensors : "");
}

static void ev_begin(struct evbuf *b, const char *name,
		     const struct mpx_origin *o, const struct mpx_conn *conn,
		     const struct mpx_subflow *sf)
{
	memset(&b->e, 0, sizeof(b->e));
	b->t.sensor[0] = '\0';
	b->e.name = name;
	b->e.origin = *o;
	if (conn) {
		mpx_conn_id_text(conn, b->conn_id);
		b->e.conn_id = b->conn_id;
	}
	b->muted = sf ? corr_sf_muted(sf) : conn && corr_conn_muted(conn);
	if (sf) {
		tuple_of(sf, &b->t);
		b->e.tuple = &b->t;
	}
}

/* An event about the record, on its subflow's 4-tuple; for a record of no
 * known subflow, on the record's own. */
static void ev_begin_rec(struct evbuf *b, const char *name,
			 const struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;

	ev_begin(b, name, r->o, r->sf ? r->sf->conn : NULL, r->sf);
	b->muted |= r->shadow;
	if (r->sf)
		return;
	mpx_addr_text(ev->family, ev->saddr, b->t.src, sizeof(b->t.src));
	mpx_addr_text(ev->family, ev->daddr, b->t.dst, sizeof(b->t.dst));
	b->t.sport = ev->sport;
	b->t.dport = ev->dport;
	snprintf(b->t.sensor, sizeof(b->t.sensor), "%s",
		 r->sensor ? r->sensor : "");
	b->e.tuple = &b->t;
}

static void emit(struct mpx_correlator *c, struct evbuf *b)
{
	if (!b->muted)
		c->writer->event(c->writer, &b->e);
}

/* Counted, and in the connection's list (once) for its summary. */
static void note_anomaly(struct mpx_correlator *c, struct mpx_conn *conn,
			 enum mpx_anomaly a)
{
	c->stats.anomalies[a]++;
	if (!conn)
		return;
	for (int i = 0; i < conn->nanom; i++)
		if (mpx_conn_anomaly(conn, i) == (unsigned int)a)
			return;
	if (conn->nanom < MPX_CONN_ANOMALIES)
		mpx_conn_add_anomaly(conn, (unsigned int)a);
}

/* An `anomaly` event about the record, noted; detail fields follow. */
static void anomaly_begin(struct mpx_correlator *c, struct evbuf *b,
			  const struct corr_rec *r, enum mpx_anomaly a)
{
	ev_begin_rec(b, "anomaly", r);
	if (!b->muted) /* the owning shard counts it */
		note_anomaly(c, r->sf ? r->sf->conn : NULL, a);
	mpx_ev_str(&b->e, "kind", anomaly_names[a]);
}

static const char *role_name(const struct mpx_subflow *sf)
{
	return sf->role == MPX_SF_INITIAL ? "initial" : "join";
}

/* ---- connections ------------------------------------------------------ */

void corr_emit_attempt(struct mpx_correlator *c, const struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	struct evbuf b;

	ev_begin_rec(&b, "mptcp_attempt", r);
	mpx_ev_u64(&b.e, "version", ev->version);
	mpx_ev_hex(&b.e, "flags", ev->u.capable.flags, 2);
	if (ev->u.capable.has_sender_key)
		mpx_ev_hex(&b.e, "key_a", ev->u.capable.sender_key, 16);
	emit(c, &b);
}

void corr_emit_established(struct mpx_correlator *c, const struct mpx_origin *o,
			   const struct mpx_conn *conn,
			   const struct mpx_subflow *sf)
{
	struct evbuf b;

	ev_begin(&b, "mptcp_established", o, conn, sf);
	mpx_ev_u64(&b.e, "version", conn->version);
	mpx_ev_hex(&b.e, "key_a", conn->key[0], 16);
	mpx_ev_hex(&b.e, "key_b", conn->key[1], 16);
	if (corr_verifiable(conn)) {
		mpx_ev_hex(&b.e, "token_a", conn->token[0], 8);
		mpx_ev_hex(&b.e, "token_b", conn->token[1], 8);
	}
	emit(c, &b);
}

void corr_emit_midstream(struct mpx_correlator *c, const struct corr_rec *r)
{
	struct evbuf b;

	ev_begin_rec(&b, "mptcp_midstream", r);
	mpx_ev_str(&b.e, "via", mpx_kind_name(r->ev->kind));
	emit(c, &b);
}

void corr_emit_fallback(struct mpx_correlator *c, const struct corr_rec *r)
{
	struct evbuf b;

	ev_begin_rec(&b, "mptcp_fallback", r);
	mpx_ev_str(&b.e, "reason", "synack_without_mp_capable");
	emit(c, &b);
}

void corr_emit_fastclose(struct mpx_correlator *c, const struct corr_rec *r,
			 int key_valid)
{
	struct evbuf b;

	ev_begin_rec(&b, "fastclose", r);
	mpx_ev_hex(&b.e, "receiver_key", r->ev->u.fastclose.receiver_key, 16);
	mpx_ev_tristate(&b.e, "key_valid", key_valid);
	emit(c, &b);
	if (key_valid == 0) {
		anomaly_begin(c, &b, r, MPX_ANOM_FASTCLOSE_KEY_INVALID);
		emit(c, &b);
	}
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

/* The flow table's totals, when it still has the subflow; else the counts
 * of the subflow's last record stay. */
static void final_counts(struct mpx_correlator *c, struct mpx_subflow *sf)
{
	struct mpx_flow f;
	int init_first;

	if (!c->query || c->query(c->query_arg, &sf->key, &f) != 0)
		return;
	init_first =
	    corr_same_endpoint(sf->key.addr[0], sf->key.port[0],
			       mpx_sf_init_addr(sf), mpx_sf_init_port(sf));
	sf->packets[0] = f.packets[init_first ? 0 : 1];
	sf->packets[1] = f.packets[init_first ? 1 : 0];
	sf->bytes[0] = f.bytes[init_first ? 0 : 1];
	sf->bytes[1] = f.bytes[init_first ? 1 : 0];
}

void corr_emit_connection_closed(struct mpx_correlator *c,
				 const struct mpx_origin *o,
				 struct mpx_conn *conn, const char *why)
{
	struct mpx_conn_summary sum, *s = &sum;
	const char *reason = end_reason(conn);
	struct mpx_origin start, last;
	struct evbuf b;

	memset(s, 0, sizeof(*s));
	/* Its stream's last gaps and matches come before the summary. */
	corr_stream_close(c, conn, o, s);
	mpx_conn_id_text(conn, s->id);
	s->version = conn->version;
	for (int side = 0; side < 2; side++) {
		s->has_key[side] = conn->has_key[side];
		s->has_token[side] = conn->has_token[side];
		s->key[side] = conn->key[side];
		s->token[side] = conn->token[side];
	}
	start = mpx_origin_of_when(&conn->start);
	last = mpx_origin_of_when(&conn->last);
	s->start_sec = start.ts_sec;
	s->start_usec = start.ts_usec;
	s->duration = seconds_between(&start, &last);
	if (why && !(reason && strcmp(why, "open") == 0))
		reason = why;
	s->end = reason ? reason : "subflows_closed";
	s->midstream = conn->midstream;
	s->fallback = conn->fallback;
	s->joins_dropped = conn->joins_dropped;
	for (int i = 0; i < conn->nsf; i++) {
		struct mpx_subflow *sf = conn->sf[i];
		struct mpx_sf_summary *out;

		/* A shadow's subflows are in their own shard's summary. */
		if (sf->shadow)
			continue;
		out = &s->sf[s->nsubflows++];

		final_counts(c, sf);
		tuple_of(sf, &out->tuple);
		out->role = role_name(sf);
		/* Only joins carry an HMAC to verify. */
		out->verified = sf->role == MPX_SF_JOIN ? sf->verified : -1;
		out->backup = sf->backup;
		memcpy(out->packets, sf->packets, sizeof(out->packets));
		memcpy(out->bytes, sf->bytes, sizeof(out->bytes));
		out->end = sf->phase == MPX_SF_ENDED ? mpx_sf_end_name(sf->end)
						     : "open";
	}
	s->nanomalies = conn->nanom;
	for (int i = 0; i < conn->nanom; i++)
		s->anomalies[i] = anomaly_names[mpx_conn_anomaly(conn, i)];
	ev_begin(&b, "connection_closed", o, conn, NULL);
	b.e.summary = s;
	emit(c, &b);
}

/* ---- subflows --------------------------------------------------------- */

void corr_emit_subflow_joined(struct mpx_correlator *c,
			      const struct corr_rec *r, int ok64, int ok160)
{
	const struct mpx_subflow *sf = r->sf;
	struct evbuf b;

	ev_begin_rec(&b, "subflow_joined", r);
	mpx_ev_tristate(&b.e, "verified", sf->verified);
	mpx_ev_u64(&b.e, "addr_id", sf->addr_id);
	mpx_ev_bool(&b.e, "backup", sf->backup);
	if (sf->have_syn) {
		mpx_ev_hex(&b.e, "token", sf->token, 8);
		mpx_ev_str(&b.e, "token_match",
			   mpx_token_match_name(sf->token_match));
	}
	mpx_ev_u64(&b.e, "subflows", (__u64)sf->conn->nsf);
	emit(c, &b);
	if (sf->verified != 0)
		return;
	note_anomaly(c, sf->conn, MPX_ANOM_JOIN_HMAC_INVALID);
	ev_begin_rec(&b, "join_hmac_invalid", r);
	mpx_ev_str(&b.e, "failed",
		   !ok64 && !ok160 ? "synack,ack"
		   : !ok64	   ? "synack"
				   : "ack");
	emit(c, &b);
}

void corr_emit_join_unknown_token(struct mpx_correlator *c,
				  const struct corr_rec *r)
{
	const struct mpx_ev_join *j = &r->ev->u.join;
	struct evbuf b;

	note_anomaly(c, r->sf->conn, MPX_ANOM_JOIN_UNKNOWN_TOKEN);
	ev_begin_rec(&b, "join_unknown_token", r);
	mpx_ev_hex(&b.e, "token", j->token, 8);
	mpx_ev_u64(&b.e, "addr_id", j->addr_id);
	mpx_ev_hex(&b.e, "nonce", j->nonce, 8);
	emit(c, &b);
}

void corr_emit_subflow_closed(struct mpx_correlator *c,
			      const struct mpx_origin *o,
			      const struct mpx_subflow *sf)
{
	struct evbuf b;

	ev_begin(&b, "subflow_closed", o, sf->conn, sf);
	mpx_ev_str(&b.e, "how", mpx_sf_end_name(sf->end));
	mpx_ev_str(&b.e, "role", role_name(sf));
	mpx_ev_u64(&b.e, "packets_fwd", sf->packets[0]);
	mpx_ev_u64(&b.e, "packets_rev", sf->packets[1]);
	mpx_ev_u64(&b.e, "bytes_fwd", sf->bytes[0]);
	mpx_ev_u64(&b.e, "bytes_rev", sf->bytes[1]);
	emit(c, &b);
}

void corr_emit_prio(struct mpx_correlator *c, const struct corr_rec *r)
{
	const struct mpx_ev_prio *p = &r->ev->u.prio;
	struct evbuf b;

	ev_begin_rec(&b, "prio_change", r);
	mpx_ev_bool(&b.e, "backup", p->backup);
	if (p->has_addr_id)
		mpx_ev_u64(&b.e, "addr_id", p->addr_id);
	emit(c, &b);
}

void corr_emit_tcprst(struct mpx_correlator *c, const struct corr_rec *r)
{
	const struct mpx_ev_tcprst *t = &r->ev->u.tcprst;
	char flags[5];
	struct evbuf b;

	mpx_rst_flags_text(t->flags, flags);
	ev_begin_rec(&b, "tcprst", r);
	mpx_ev_u64(&b.e, "reason", t->reason);
	mpx_ev_str(&b.e, "reason_name", mpx_tcprst_reason_name(t->reason));
	mpx_ev_str(&b.e, "flags", flags);
	emit(c, &b);
}

/* RFC 8684 section 3.7: a checksum failed, something on the path changed
 * the stream; the event and the anomaly it is. */
void corr_emit_mp_fail(struct mpx_correlator *c, const struct corr_rec *r)
{
	struct evbuf b;

	ev_begin_rec(&b, "mp_fail", r);
	mpx_ev_u64(&b.e, "dsn", r->ev->u.fail.dsn);
	emit(c, &b);
	anomaly_begin(c, &b, r, MPX_ANOM_MP_FAIL);
	mpx_ev_u64(&b.e, "dsn", r->ev->u.fail.dsn);
	emit(c, &b);
}

/* ---- addresses -------------------------------------------------------- */

/* An anomaly about an ADD_ADDR: its id and address first; text (the
 * address as text) must outlive the event. */
static void add_addr_anomaly_begin(struct mpx_correlator *c, struct evbuf *b,
				   const struct corr_rec *r, enum mpx_anomaly k,
				   char *text, size_t len)
{
	const struct mpx_ev_add_addr *a = &r->ev->u.add_addr;

	mpx_add_addr_text(a, text, len);
	anomaly_begin(c, b, r, k);
	mpx_ev_u64(&b->e, "addr_id", a->addr_id);
	mpx_ev_str(&b->e, "addr", text);
}

void corr_emit_add_addr(struct mpx_correlator *c, const struct corr_rec *r,
			int hmac_valid, int legacy)
{
	const struct mpx_ev_add_addr *a = &r->ev->u.add_addr;
	char text[INET6_ADDRSTRLEN];
	struct evbuf b;

	mpx_add_addr_text(a, text, sizeof(text));
	ev_begin_rec(&b, "add_addr", r);
	mpx_ev_u64(&b.e, "version", a->version);
	mpx_ev_bool(&b.e, "echo", a->echo);
	mpx_ev_u64(&b.e, "addr_id", a->addr_id);
	mpx_ev_str(&b.e, "addr", text);
	if (a->has_port)
		mpx_ev_u64(&b.e, "port", a->port);
	mpx_ev_str(&b.e, "by", r->side ? "b" : "a");
	mpx_ev_tristate(&b.e, "hmac_valid", hmac_valid);
	emit(c, &b);
	if (hmac_valid != 0)
		return;
	add_addr_anomaly_begin(c, &b, r, MPX_ANOM_ADD_ADDR_HMAC_INVALID, text,
			       sizeof(text));
	/* Early Linux MPTCP sent the leftmost 64 bits: say so, it tells an
	 * old peer from a forger. */
	if (legacy)
		mpx_ev_str(&b.e, "note", "leftmost_64_bits");
	emit(c, &b);
}

/* RFC 8684 section 3.4.1: an id names one address until it is removed. */
void corr_emit_addr_id_reuse(struct mpx_correlator *c, const struct corr_rec *r)
{
	char text[INET6_ADDRSTRLEN];
	struct evbuf b;

	add_addr_anomaly_begin(c, &b, r, MPX_ANOM_ADDR_ID_REUSE, text,
			       sizeof(text));
	emit(c, &b);
}

void corr_emit_remove_addr(struct mpx_correlator *c, const struct corr_rec *r,
			   int count)
{
	const struct mpx_ev_remove_addr *rm = &r->ev->u.remove_addr;
	struct evbuf b;

	ev_begin_rec(&b, "remove_addr", r);
	mpx_ev_u8s(&b.e, "addr_ids", rm->ids, count);
	mpx_ev_str(&b.e, "by", r->side ? "b" : "a");
	emit(c, &b);
}

/* ---- anomalies of the handshake, garbage ------------------------------ */

void corr_emit_unknown_version(struct mpx_correlator *c,
			       const struct corr_rec *r)
{
	struct evbuf b;

	anomaly_begin(c, &b, r, MPX_ANOM_UNKNOWN_VERSION);
	mpx_ev_u64(&b.e, "version", r->ev->version);
	emit(c, &b);
}

void corr_emit_unknown_algorithm(struct mpx_correlator *c,
				 const struct corr_rec *r)
{
	struct evbuf b;

	anomaly_begin(c, &b, r, MPX_ANOM_UNKNOWN_ALGORITHM);
	mpx_ev_hex(&b.e, "flags", r->ev->u.capable.flags, 2);
	emit(c, &b);
}

void corr_emit_key_mismatch(struct mpx_correlator *c, const struct corr_rec *r,
			    int side, __u64 key_now)
{
	struct evbuf b;

	anomaly_begin(c, &b, r, MPX_ANOM_KEY_MISMATCH);
	mpx_ev_str(&b.e, "side", side ? "b" : "a");
	mpx_ev_hex(&b.e, "key_seen_before", r->sf->conn->key[side], 16);
	mpx_ev_hex(&b.e, "key_now", key_now, 16);
	emit(c, &b);
}

/* Noted on both connections; the event is about the record's. */
void corr_emit_token_collision(struct mpx_correlator *c,
			       const struct corr_rec *r, int side,
			       struct mpx_conn *other)
{
	char other_id[17];
	struct evbuf b;

	anomaly_begin(c, &b, r, MPX_ANOM_TOKEN_COLLISION);
	mpx_ev_hex(&b.e, "token", r->sf->conn->token[side], 8);
	mpx_conn_id_text(other, other_id);
	mpx_ev_str(&b.e, "other_conn", other_id);
	emit(c, &b);
	if (!b.muted)
		note_anomaly(c, other, MPX_ANOM_TOKEN_COLLISION);
}

void corr_emit_join_token_ambiguous(struct mpx_correlator *c,
				    const struct corr_rec *r, int candidates)
{
	struct evbuf b;

	anomaly_begin(c, &b, r, MPX_ANOM_TOKEN_COLLISION);
	mpx_ev_hex(&b.e, "token", r->ev->u.join.token, 8);
	mpx_ev_u64(&b.e, "candidates", (__u64)candidates);
	emit(c, &b);
}

/* Garbage creates no state: only a known subflow gets it noted. */
void corr_emit_option_error(struct mpx_correlator *c, const struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	struct evbuf b;

	anomaly_begin(c, &b, r, MPX_ANOM_OPTION_ERROR);
	mpx_ev_str(&b.e, "reason", mpx_err_name(ev->error));
	if (ev->subtype != MPX_SUBTYPE_UNKNOWN)
		mpx_ev_u64(&b.e, "subtype", ev->subtype);
	mpx_ev_u64(&b.e, "opt_len", ev->opt_len);
	emit(c, &b);
}

/* ---- detection -------------------------------------------------------- */

/* Addresses of a detection table: as in records (IPv4 in bytes 12..15). */
static void rec_addr_text(__u8 family, const __u8 *addr, char *out, size_t len)
{
	mpx_addr_text(family, addr, out, len);
}

/* join_flood, mptcp_scan: aggregated, about no one connection (no conn,
 * no 4-tuple), counted. */
void corr_emit_detect_alert(struct mpx_correlator *c,
			    const struct mpx_origin *at,
			    const struct mpx_detect_alert *a)
{
	enum mpx_anomaly kind = a->kind == MPX_ALERT_SCAN ? MPX_ANOM_MPTCP_SCAN
							  : MPX_ANOM_JOIN_FLOOD;
	char who[INET6_ADDRSTRLEN];
	char sample[MPX_DETECT_SAMPLE * (INET6_ADDRSTRLEN + 1)] = "";
	struct evbuf b;

	note_anomaly(c, NULL, kind);
	for (int i = 0; i < a->nsample; i++) {
		char one[INET6_ADDRSTRLEN];

		rec_addr_text(a->sample_family[i], a->sample[i], one,
			      sizeof(one));
		if (i)
			strcat(sample, ",");
		strcat(sample, one);
	}
	ev_begin(&b, "anomaly", at, NULL, NULL);
	mpx_ev_str(&b.e, "kind", anomaly_names[kind]);
	mpx_ev_str(&b.e, "by", a->by);
	if (strcmp(a->by, "token") == 0) {
		mpx_ev_hex(&b.e, "token", a->token, 8);
	} else {
		rec_addr_text(a->family, a->addr, who, sizeof(who));
		mpx_ev_str(&b.e,
			   a->kind == MPX_ALERT_SCAN ? "source" : "destination",
			   who);
	}
	mpx_ev_time(&b.e, "window_start", &a->window_start);
	mpx_ev_u64(&b.e, "window_s", a->window_sec);
	if (a->kind == MPX_ALERT_SCAN) {
		mpx_ev_u64(&b.e, "probes", a->attempts);
		mpx_ev_u64(&b.e, "targets", a->targets);
		mpx_ev_u64(&b.e, "hosts", a->hosts);
		mpx_ev_u64(&b.e, "answered_mptcp", a->answered);
		mpx_ev_u64(&b.e, "reset", a->resets);
		mpx_ev_u64(&b.e, "completed", a->completed);
		mpx_ev_str(&b.e, "sample_targets", sample);
	} else {
		mpx_ev_u64(&b.e, "attempts", a->attempts);
		mpx_ev_u64(&b.e, "sources", a->sources);
		mpx_ev_str(&b.e, "sample_sources", sample);
	}
	mpx_ev_u64(&b.e, "repeat", a->repeat);
	if (a->repeat)
		mpx_ev_u64(&b.e, "suppressed_since_last", a->suppressed);
	emit(c, &b);
}

void corr_emit_add_addr_suspicious(struct mpx_correlator *c,
				   const struct corr_rec *r, const char *why)
{
	char text[INET6_ADDRSTRLEN];
	struct evbuf b;

	add_addr_anomaly_begin(c, &b, r, MPX_ANOM_ADD_ADDR_SUSPICIOUS, text,
			       sizeof(text));
	mpx_ev_str(&b.e, "reason", why);
	mpx_ev_str(&b.e, "by", r->side ? "b" : "a");
	emit(c, &b);
}

/* ---- the data level --------------------------------------------------- */

static const char *dir_name(int dir)
{
	return dir ? "b2a" : "a2b";
}

void corr_emit_data_gap(struct mpx_correlator *c, const struct mpx_origin *o,
			struct mpx_conn *conn, int dir, __u64 off, __u64 len)
{
	struct evbuf b;

	ev_begin(&b, "data_gap", o, conn, NULL);
	mpx_ev_str(&b.e, "dir", dir_name(dir));
	mpx_ev_u64(&b.e, "offset", off);
	mpx_ev_u64(&b.e, "len", len);
	emit(c, &b);
}

void corr_emit_signature_match(struct mpx_correlator *c,
			       const struct mpx_origin *o,
			       struct mpx_conn *conn, int dir, const char *rule,
			       __u64 off, __u64 len, __u32 subflows, int split)
{
	__u8 idx[MPX_SUM_MAX_SUBFLOWS];
	struct evbuf b;
	int n = 0;

	for (int i = 0; i < MPX_SUM_MAX_SUBFLOWS; i++)
		if (subflows & (1u << i))
			idx[n++] = (__u8)i;
	c->stats.signature_matches++;
	ev_begin(&b, "signature_match", o, conn, NULL);
	mpx_ev_str(&b.e, "dir", dir_name(dir));
	mpx_ev_str(&b.e, "rule", rule);
	mpx_ev_u64(&b.e, "offset", off);
	mpx_ev_u64(&b.e, "len", len);
	mpx_ev_u8s(&b.e, "subflows", idx, n);
	mpx_ev_bool(&b.e, "split", split);
	emit(c, &b);
}

/* An anomaly about a connection's stream, on the subflow it came by. */
static void stream_anomaly_begin(struct mpx_correlator *c, struct evbuf *b,
				 const struct mpx_origin *o,
				 struct mpx_conn *conn, enum mpx_anomaly a,
				 int dir, int sf)
{
	note_anomaly(c, conn, a);
	ev_begin(b, "anomaly", o, conn,
		 sf >= 0 && sf < conn->nsf ? conn->sf[sf] : NULL);
	mpx_ev_str(&b->e, "kind", anomaly_names[a]);
	mpx_ev_str(&b->e, "dir", dir_name(dir));
	if (sf >= 0)
		mpx_ev_u64(&b->e, "subflow", (__u64)sf);
}

void corr_emit_overlap_mismatch(struct mpx_correlator *c,
				const struct mpx_origin *o,
				struct mpx_conn *conn, int dir, __u64 off,
				__u64 len, int sf)
{
	struct evbuf b;

	stream_anomaly_begin(c, &b, o, conn, MPX_ANOM_DATA_OVERLAP_MISMATCH,
			     dir, sf);
	mpx_ev_u64(&b.e, "offset", off);
	mpx_ev_u64(&b.e, "len", len);
	emit(c, &b);
}

void corr_emit_mapping_anomaly(struct mpx_correlator *c,
			       const struct mpx_origin *o,
			       struct mpx_conn *conn, enum mpx_anomaly a,
			       int dir, int sf, __u64 dsn, __u32 ssn, __u32 len)
{
	struct evbuf b;

	stream_anomaly_begin(c, &b, o, conn, a, dir, sf);
	mpx_ev_hex(&b.e, "dsn", dsn, 16);
	mpx_ev_u64(&b.e, "ssn", ssn);
	mpx_ev_u64(&b.e, "data_len", len);
	emit(c, &b);
}
