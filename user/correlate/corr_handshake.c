// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* MP_CAPABLE and MP_JOIN (RFC 8684 sections 3.1, 3.2; RFC 6824 for v0):
 * keys, tokens, join matching and HMAC verification. */
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "correlate/mptcp_crypto.h"
#include "output/event_names.h"

/* ---- keys and tokens -------------------------------------------------- */

int corr_verifiable(const struct mpx_conn *conn)
{
	return !conn->unverifiable &&
	       (conn->version == 0 || conn->version == 1);
}

/* A key for one side of the record's connection, from MP_CAPABLE (or
 * checked against the one known). */
static void learn_key(struct mpx_correlator *c, const struct corr_rec *r,
		      int side, __u64 key)
{
	const struct mpx_origin *o = r->o;
	const struct mpx_subflow *sf = r->sf;
	struct mpx_conn *conn = sf->conn;
	struct mpx_conn *others[MAX_TOKEN_MATCHES];
	int sides[MAX_TOKEN_MATCHES], n;
	struct evbuf b;

	if (conn->has_key[side]) {
		if (conn->key[side] == key)
			return;
		/* RFC 8684 section 3.1: the third ACK echoes both keys. */
		corr_anomaly_begin(c, &b, o, conn, sf, MPX_ANOM_KEY_MISMATCH);
		mpx_ev_str(&b.e, "side", side ? "b" : "a");
		mpx_ev_hex(&b.e, "key_seen_before", conn->key[side], 16);
		mpx_ev_hex(&b.e, "key_now", key, 16);
		corr_emit(c, &b);
		return;
	}
	conn->has_key[side] = 1;
	conn->key[side] = key;
	if (conn->version != 0 && conn->version != 1)
		return; /* no token for a version we do not know */
	if (mpx_key_token_idsn(mpx_alg_of_version(conn->version), key,
			       &conn->token[side], &conn->idsn[side]) < 0)
		return;
	conn->has_token[side] = 1;
	n = mpx_conn_table_find_token(c->table, conn->token[side], others,
				      sides, MAX_TOKEN_MATCHES);
	mpx_conn_table_index_token(c->table, conn, side);
	if (n > 0) {
		corr_anomaly_begin(c, &b, o, conn, sf,
				   MPX_ANOM_TOKEN_COLLISION);
		mpx_ev_hex(&b.e, "token", conn->token[side], 8);
		mpx_ev_str(&b.e, "other_conn", others[0]->id);
		corr_emit(c, &b);
		corr_note_anomaly(c, others[0], MPX_ANOM_TOKEN_COLLISION);
	}
}

/* ---- MP_CAPABLE (RFC 8684 section 3.1) -------------------------------- */

static void check_capable_flags(struct mpx_correlator *c,
				const struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	const struct mpx_origin *o = r->o;
	const struct mpx_subflow *sf = r->sf;
	struct mpx_conn *conn = sf->conn;
	struct evbuf b;

	if (ev->version != 0 && ev->version != 1) {
		conn->unverifiable = 1;
		corr_anomaly_begin(c, &b, o, conn, sf,
				   MPX_ANOM_UNKNOWN_VERSION);
		mpx_ev_u64(&b.e, "version", ev->version);
		corr_emit(c, &b);
	} else if (!(ev->u.capable.flags & MPX_CAP_H)) {
		/* H selects HMAC-SHA256 (v1) / HMAC-SHA1 (v0); without it
		 * no algorithm this inspector knows is in use. */
		conn->unverifiable = 1;
		corr_anomaly_begin(c, &b, o, conn, sf,
				   MPX_ANOM_UNKNOWN_ALGORITHM);
		mpx_ev_hex(&b.e, "flags", ev->u.capable.flags, 2);
		corr_emit(c, &b);
	}
}

static void on_capable_syn(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	const struct mpx_origin *o = r->o;
	struct mpx_subflow *sf = r->sf;
	struct mpx_conn *conn;
	struct evbuf b;

	if (sf && sf->role == MPX_SF_INITIAL && r->from_init &&
	    sf->isn == ev->seq)
		return; /* a retransmitted SYN */
	if (sf) {
		/* A new connection on a 4-tuple we know: that subflow is over,
		 * not necessarily its connection (a closed join's 4-tuple may
		 * be reused while the others live on). */
		if (sf->conn->phase == MPX_CONN_CLOSED) {
			mpx_conn_table_drop(c->table, sf->conn);
		} else {
			corr_sf_enter(c, sf, MPX_SF_ENDED, o, "reused");
			mpx_conn_table_forget_subflow(c->table, sf);
		}
		corr_rec_bind(r, NULL);
	}
	conn = corr_new_conn(c, o);
	if (!conn)
		return;
	conn->version = ev->version;
	sf = corr_new_subflow(c, conn, r, 1, 0, MPX_SF_INITIAL);
	if (!sf)
		return;
	corr_make_id(conn, sf);
	check_capable_flags(c, r);
	corr_ev_begin(&b, "mptcp_attempt", o, conn, sf);
	mpx_ev_u64(&b.e, "version", ev->version);
	mpx_ev_hex(&b.e, "flags", ev->u.capable.flags, 2);
	if (ev->u.capable.has_sender_key)
		mpx_ev_hex(&b.e, "key_a", ev->u.capable.sender_key, 16);
	corr_emit(c, &b);
	if (ev->u.capable.has_sender_key) /* v0 SYN */
		learn_key(c, r, 0, ev->u.capable.sender_key);
}

void corr_on_capable(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	const struct mpx_ev_capable *m = &ev->u.capable;
	int syn = ev->tcp_flags & MPX_TCP_SYN,
	    ack = ev->tcp_flags & MPX_TCP_ACK;
	struct mpx_subflow *sf;
	struct mpx_conn *conn;
	int side;

	if (syn && !ack) {
		on_capable_syn(c, r);
		return;
	}
	sf = r->sf ? r->sf : corr_midstream(c, r, !syn, MPX_SF_INITIAL);
	if (!sf)
		return;
	conn = sf->conn;
	if (conn->phase == MPX_CONN_CLOSED)
		return;
	side = r->side;
	if (syn) {
		/* The SYN/ACK says the version the server chose (RFC 8684
		 * section 3.1, version negotiation). */
		if (ev->version != conn->version) {
			conn->version = ev->version;
			check_capable_flags(c, r);
		}
		if (m->has_sender_key)
			learn_key(c, r, side, m->sender_key);
		return;
	}
	if (conn->version < 0) {
		conn->version = ev->version;
		check_capable_flags(c, r);
	}
	if (m->has_sender_key)
		learn_key(c, r, side, m->sender_key);
	if (m->has_receiver_key)
		learn_key(c, r, 1 - side, m->receiver_key);
	if (corr_conn_handshake_pending(conn) && conn->has_key[0] &&
	    conn->has_key[1])
		corr_conn_enter(c, conn, MPX_CONN_ESTABLISHED, r->o, sf, NULL);
}

/* ---- MP_JOIN (RFC 8684 section 3.2) ----------------------------------- */

/* Is addr one of side's addresses: advertised by ADD_ADDR, or an endpoint
 * of one of its subflows? */
static int side_has_addr(const struct mpx_conn *conn, int side,
			 const __u8 *addr, __u8 family)
{
	for (int i = 0; i < MPX_MAX_ADDRS; i++) {
		const struct mpx_addr_entry *a = &conn->addrs[side][i];

		if (!a->used || a->family != family)
			continue;
		if (family == 4 ? memcmp(a->addr, addr + 12, 4) == 0
				: memcmp(a->addr, addr, MPX_ADDR_LEN) == 0)
			return 1;
	}
	for (int i = 0; i < conn->nsf; i++) {
		const struct mpx_subflow *sf = conn->sf[i];
		const __u8 *mine =
		    sf->init_side == side ? sf->init_addr : sf->resp_addr;

		if (memcmp(mine, addr, MPX_ADDR_LEN) == 0)
			return 1;
	}
	return 0;
}

static void on_join_syn(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	const struct mpx_origin *o = r->o;
	const struct mpx_ev_join *j = &ev->u.join;
	struct mpx_conn *cand[MAX_TOKEN_MATCHES], *conn = NULL;
	int sides[MAX_TOKEN_MATCHES], n, side = 1, hits = 0;
	const char *match = "unique";
	struct mpx_subflow *sf = r->sf;
	struct evbuf b;

	if (sf && sf->role == MPX_SF_JOIN && sf->have_syn &&
	    sf->r_init == j->nonce)
		return; /* a retransmitted SYN */
	n = mpx_conn_table_find_token(c->table, j->token, cand, sides,
				      MAX_TOKEN_MATCHES);
	if (n > MAX_TOKEN_MATCHES)
		n = MAX_TOKEN_MATCHES;
	if (n == 1) {
		conn = cand[0];
		side = sides[0];
	} else if (n > 1) {
		/* Two connections with one token: the one that has the join's
		 * destination among its addresses (the Bro work's rule). */
		for (int i = 0; i < n; i++) {
			if (side_has_addr(cand[i], sides[i], ev->daddr,
					  ev->family)) {
				if (!hits++) {
					conn = cand[i];
					side = sides[i];
				}
			}
		}
		match = hits == 1 ? "add_addr" : "ambiguous";
		if (hits != 1) {
			conn = cand[0];
			side = sides[0];
		}
	}
	if (!conn) {
		/* Nobody we know has this token: say so, and track the
		 * connection it claims to belong to from here. The new subflow
		 * takes this 4-tuple over (and the old one's connection may be
		 * the one that makes room). */
		corr_rec_bind(r, NULL);
		conn = corr_new_conn(c, o);
		if (!conn)
			return;
		conn->midstream = 1;
		corr_conn_enter(c, conn, MPX_CONN_ESTABLISHED, o, NULL, NULL);
		conn->token[1] = j->token;
		conn->has_token[1] = 1;
		mpx_conn_table_index_token(c->table, conn, 1);
		sf = corr_new_subflow(c, conn, r, 1, 0, MPX_SF_JOIN);
		if (!sf)
			return;
		corr_make_id(conn, sf);
		c->stats.joins_unknown_token++;
		c->stats.conns_midstream++;
		corr_note_anomaly(c, conn, MPX_ANOM_JOIN_UNKNOWN_TOKEN);
		corr_ev_begin(&b, "join_unknown_token", o, conn, sf);
		mpx_ev_hex(&b.e, "token", j->token, 8);
		mpx_ev_u64(&b.e, "addr_id", j->addr_id);
		mpx_ev_hex(&b.e, "nonce", j->nonce, 8);
		corr_emit(c, &b);
		corr_ev_begin(&b, "mptcp_midstream", o, conn, sf);
		mpx_ev_str(&b.e, "via", mpx_kind_name(ev->kind));
		corr_emit(c, &b);
	} else {
		sf = corr_new_subflow(c, conn, r, 1, 1 - side, MPX_SF_JOIN);
		if (!sf)
			return;
		if (n > 1 && hits != 1) {
			corr_anomaly_begin(c, &b, o, conn, sf,
					   MPX_ANOM_TOKEN_COLLISION);
			mpx_ev_hex(&b.e, "token", j->token, 8);
			mpx_ev_u64(&b.e, "candidates", (__u64)n);
			corr_emit(c, &b);
		}
	}
	sf->token = j->token;
	sf->r_init = j->nonce;
	sf->addr_id = j->addr_id;
	sf->backup = j->backup;
	sf->have_syn = 1;
	sf->token_match = match;
}

void corr_on_join(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mpx_ev_join *j = &r->ev->u.join;
	const struct mpx_origin *o = r->o;
	struct mpx_subflow *sf;
	struct mpx_conn *conn;
	struct evbuf b;
	int ok64 = 1, ok160 = 1;

	if (j->stage == MPX_JOIN_SYN) {
		on_join_syn(c, r);
		return;
	}
	sf = r->sf
		 ? r->sf
		 : corr_midstream(c, r, j->stage == MPX_JOIN_ACK, MPX_SF_JOIN);
	if (!sf)
		return;
	conn = sf->conn;
	if (j->stage == MPX_JOIN_SYNACK) {
		sf->r_resp = j->nonce;
		sf->hmac64 = j->hmac64;
		sf->have_synack = 1;
		if (!sf->have_syn) {
			sf->addr_id = j->addr_id;
			sf->backup = j->backup;
		}
		return;
	}
	if (sf->join_reported)
		return; /* the third ACK again */
	sf->join_reported = 1;
	sf->verified = -1;
	if (sf->have_syn && sf->have_synack && conn->has_key[0] &&
	    conn->has_key[1] && corr_verifiable(conn)) {
		enum mpx_hash_alg alg = mpx_alg_of_version(conn->version);
		__u64 ka = conn->key[sf->init_side];
		__u64 kb = conn->key[1 - sf->init_side];
		__u64 want64 = 0;
		__u8 want160[20];

		ok64 = mpx_join_synack_hmac(alg, ka, kb, sf->r_init, sf->r_resp,
					    &want64) == 0 &&
		       want64 == sf->hmac64;
		ok160 = mpx_join_ack_hmac(alg, ka, kb, sf->r_init, sf->r_resp,
					  want160) == 0 &&
			memcmp(want160, j->hmac, sizeof(want160)) == 0;
		sf->verified = ok64 && ok160;
	}
	if (sf->verified == 1)
		c->stats.joins_verified++;
	else if (sf->verified == 0)
		c->stats.joins_hmac_invalid++;
	else
		c->stats.joins_unverified++;
	corr_ev_begin(&b, "subflow_joined", o, conn, sf);
	mpx_ev_tristate(&b.e, "verified", sf->verified);
	mpx_ev_u64(&b.e, "addr_id", sf->addr_id);
	mpx_ev_bool(&b.e, "backup", sf->backup);
	if (sf->have_syn) {
		mpx_ev_hex(&b.e, "token", sf->token, 8);
		mpx_ev_str(&b.e, "token_match",
			   sf->token_match ? sf->token_match : "unique");
	}
	mpx_ev_u64(&b.e, "subflows", (__u64)conn->nsf);
	corr_emit(c, &b);
	if (sf->verified == 0) {
		corr_note_anomaly(c, conn, MPX_ANOM_JOIN_HMAC_INVALID);
		corr_ev_begin(&b, "join_hmac_invalid", o, conn, sf);
		mpx_ev_str(&b.e, "failed",
			   !ok64 && !ok160 ? "synack,ack"
			   : !ok64	   ? "synack"
					   : "ack");
		corr_emit(c, &b);
	}
}
