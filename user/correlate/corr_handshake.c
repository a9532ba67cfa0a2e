// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* MP_CAPABLE and MP_JOIN (RFC 8684 sections 3.1, 3.2; RFC 6824 for v0):
 * keys, tokens, join matching and HMAC verification. */
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "correlate/mptcp_crypto.h"

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
	struct mpx_conn *conn = r->sf->conn;
	struct mpx_conn *others[MAX_TOKEN_MATCHES];
	int sides[MAX_TOKEN_MATCHES], n;

	if (conn->has_key[side]) {
		/* RFC 8684 section 3.1: the third ACK echoes both keys. */
		if (conn->key[side] != key)
			corr_emit_key_mismatch(c, r, side, key);
		return;
	}
	conn->has_key[side] = 1;
	conn->key[side] = key;
	conn->key_version[side] = conn->version;
	if (conn->version != 0 && conn->version != 1)
		return; /* no token for a version we do not know */
	if (mpx_key_token_idsn(mpx_alg_of_version(conn->version), key,
			       &conn->token[side], NULL) < 0)
		return;
	conn->has_token[side] = 1;
	n = mpx_conn_table_find_token(c->table, conn->token[side], others,
				      sides, MAX_TOKEN_MATCHES);
	mpx_conn_table_index_token(c->table, conn, side);
	if (n > 0)
		corr_emit_token_collision(c, r, side, others[0]);
}

/* ---- MP_CAPABLE (RFC 8684 section 3.1) -------------------------------- */

static void check_capable_flags(struct mpx_correlator *c,
				const struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	struct mpx_conn *conn = r->sf->conn;

	if (ev->version != 0 && ev->version != 1) {
		conn->unverifiable = 1;
		corr_emit_unknown_version(c, r);
	} else if (!(ev->u.capable.flags & MPX_CAP_H)) {
		/* H selects HMAC-SHA256 (v1) / HMAC-SHA1 (v0); without it
		 * no algorithm this inspector knows is in use. */
		conn->unverifiable = 1;
		corr_emit_unknown_algorithm(c, r);
	}
}

static void on_capable_syn(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	const struct mpx_origin *o = r->o;
	struct mpx_subflow *sf = r->sf;
	struct mpx_conn *conn;

	if (sf && sf->role == MPX_SF_INITIAL && r->from_init &&
	    sf->isn == ev->seq)
		return; /* a retransmitted SYN */
	/* Detection counts each SYN once: in the shard that owns it. */
	if (!r->shadow)
		mpx_detect_probe(c->detect, o, ev->family, ev->saddr, ev->daddr,
				 ev->dport);
	if (sf) {
		/* A new connection on a 4-tuple we know: that subflow is over,
		 * not necessarily its connection (a closed join's 4-tuple may
		 * be reused while the others live on). */
		if (sf->conn->phase == MPX_CONN_CLOSED) {
			mpx_conn_table_drop(c->table, sf->conn);
		} else {
			corr_sf_enter(c, sf, MPX_SF_ENDED, o,
				      MPX_SF_END_REUSED);
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
	corr_emit_attempt(c, r);
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
		if (!r->shadow)
			mpx_detect_answer(c->detect, r->o, ev->family,
					  ev->daddr);
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
	    conn->has_key[1]) {
		if (!r->shadow)
			mpx_detect_completed(c->detect, r->o, sf->key.family,
					     mpx_sf_init_addr(sf));
		corr_conn_enter(c, conn, MPX_CONN_ESTABLISHED, r->o, sf, NULL);
	}
}

/* ---- MP_JOIN (RFC 8684 section 3.2) ----------------------------------- */

/* Is addr one of side's addresses: advertised by ADD_ADDR, or an endpoint
 * of one of its subflows? */
static int side_has_addr(const struct mpx_conn *conn, int side,
			 const __u8 *addr, __u8 family)
{
	for (int i = 0; i < MPX_MAX_ADDRS && conn->addrs; i++) {
		const struct mpx_addr_entry *a = &conn->addrs->e[side][i];

		if (!a->used || a->family != family)
			continue;
		if (family == 4 ? memcmp(a->addr, addr + 12, 4) == 0
				: memcmp(a->addr, addr, MPX_ADDR_LEN) == 0)
			return 1;
	}
	for (int i = 0; i < conn->nsf; i++) {
		const struct mpx_subflow *sf = conn->sf[i];
		const __u8 *mine = sf->init_side == side ? mpx_sf_init_addr(sf)
							 : mpx_sf_resp_addr(sf);

		if (memcmp(mine, addr, MPX_ADDR_LEN) == 0)
			return 1;
	}
	return 0;
}

/* The connection a join SYN's token names, and its side that has the
 * token: NULL if none. Two connections with one token: the one that has
 * the join's destination among its addresses (the Bro work's rule), else
 * the first, ambiguously. */
static struct mpx_conn *token_owner(struct mpx_correlator *c,
				    const struct mptcp_event *ev, int *side,
				    int *ncand, enum mpx_token_match *match)
{
	struct mpx_conn *cand[MAX_TOKEN_MATCHES], *conn = NULL;
	int sides[MAX_TOKEN_MATCHES], n, hits = 0;

	*side = 1;
	*match = MPX_TOKEN_UNIQUE;
	n = mpx_conn_table_find_token(c->table, ev->u.join.token, cand, sides,
				      MAX_TOKEN_MATCHES);
	if (n > MAX_TOKEN_MATCHES)
		n = MAX_TOKEN_MATCHES;
	*ncand = n;
	if (n == 0)
		return NULL;
	if (n == 1) {
		*side = sides[0];
		return cand[0];
	}
	for (int i = 0; i < n; i++) {
		if (side_has_addr(cand[i], sides[i], ev->daddr, ev->family) &&
		    !hits++) {
			conn = cand[i];
			*side = sides[i];
		}
	}
	*match = hits == 1 ? MPX_TOKEN_ADD_ADDR : MPX_TOKEN_AMBIGUOUS;
	if (hits != 1) {
		conn = cand[0];
		*side = sides[0];
	}
	return conn;
}

/* A join SYN to a token nobody we know has: said, and the connection it
 * claims to belong to tracked from here (its receiver is side B). */
static struct mpx_subflow *join_unknown_token(struct mpx_correlator *c,
					      struct corr_rec *r)
{
	const struct mpx_ev_join *j = &r->ev->u.join;
	struct mpx_subflow *sf;
	struct mpx_conn *conn;

	/* The new subflow takes this 4-tuple over (and the old one's
	 * connection may be the one that makes room). */
	corr_rec_bind(r, NULL);
	conn = corr_new_conn(c, r->o);
	if (!conn)
		return NULL;
	conn->midstream = 1;
	corr_conn_enter(c, conn, MPX_CONN_ESTABLISHED, r->o, NULL, NULL);
	conn->token[1] = j->token;
	conn->has_token[1] = 1;
	mpx_conn_table_index_token(c->table, conn, 1);
	sf = corr_new_subflow(c, conn, r, 1, 0, MPX_SF_JOIN);
	if (!sf)
		return NULL;
	corr_make_id(conn, sf);
	c->stats.joins_unknown_token++;
	c->stats.conns_midstream++;
	corr_emit_join_unknown_token(c, r);
	corr_emit_midstream(c, r);
	return sf;
}

static void on_join_syn(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mpx_ev_join *j = &r->ev->u.join;
	struct mpx_subflow *sf = r->sf;
	struct mpx_conn *conn;
	enum mpx_token_match match;
	int side, n, bogus;

	if (sf && sf->role == MPX_SF_JOIN && sf->have_syn &&
	    sf->r_init == j->nonce)
		return; /* a retransmitted SYN */
	conn = token_owner(c, r->ev, &side, &n, &match);
	/* A join to a token no handshake gave (unknown, or known only from
	 * earlier such joins) will not complete. */
	bogus = !conn || !conn->has_key[side];
	if (!conn) {
		sf = join_unknown_token(c, r);
	} else {
		/* The joining host is the other side. */
		sf = corr_new_subflow(c, conn, r, 1, 1 - side, MPX_SF_JOIN);
		if (sf && match == MPX_TOKEN_AMBIGUOUS)
			corr_emit_join_token_ambiguous(c, r, n);
	}
	if (bogus || !sf) /* or dropped at the bound: join_flood counts */
		mpx_detect_join(c->detect, r->o, r->ev->family, r->ev->saddr,
				r->ev->daddr, j->token);
	if (bogus)
		mpx_detect_probe(c->detect, r->o, r->ev->family, r->ev->saddr,
				 r->ev->daddr, r->ev->dport);
	if (!sf)
		return;
	sf->token = j->token;
	sf->r_init = j->nonce;
	sf->addr_id = j->addr_id;
	sf->backup = j->backup;
	sf->have_syn = 1;
	sf->token_match = (__u8)match;
}

/* The join's two HMACs (RFC 8684 section 3.2), into sf->verified: 1, 0, or
 * -1 when they cannot be checked (a handshake message or a key unseen). */
static void verify_join(struct mpx_subflow *sf, const struct mpx_ev_join *j,
			int *ok64, int *ok160)
{
	const struct mpx_conn *conn = sf->conn;
	enum mpx_hash_alg alg;
	__u64 ka, kb, want64 = 0;
	__u8 want160[20];

	*ok64 = *ok160 = 1;
	sf->verified = -1;
	if (!sf->have_syn || !sf->have_synack || !conn->has_key[0] ||
	    !conn->has_key[1] || !corr_verifiable(conn))
		return;
	alg = mpx_alg_of_version(conn->version);
	ka = conn->key[sf->init_side];
	kb = conn->key[1 - sf->init_side];
	*ok64 = mpx_join_synack_hmac(alg, ka, kb, sf->r_init, sf->r_resp,
				     &want64) == 0 &&
		want64 == sf->hmac64;
	*ok160 = mpx_join_ack_hmac(alg, ka, kb, sf->r_init, sf->r_resp,
				   want160) == 0 &&
		 memcmp(want160, j->hmac, sizeof(want160)) == 0;
	sf->verified = *ok64 && *ok160;
}

void corr_on_join(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mpx_ev_join *j = &r->ev->u.join;
	struct mpx_subflow *sf;
	int ok64, ok160;

	if (j->stage == MPX_JOIN_SYN) {
		on_join_syn(c, r);
		return;
	}
	sf = r->sf
		 ? r->sf
		 : corr_midstream(c, r, j->stage == MPX_JOIN_ACK, MPX_SF_JOIN);
	if (!sf)
		return;
	if (j->stage == MPX_JOIN_SYNACK) {
		mpx_detect_answer(c->detect, r->o, r->ev->family, r->ev->daddr);
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
	mpx_detect_completed(c->detect, r->o, sf->key.family,
			     mpx_sf_init_addr(sf));
	verify_join(sf, j, &ok64, &ok160);
	if (sf->verified == 1) {
		c->stats.joins_verified++;
		/* Both keys and both nonces fit: a real join, kept. */
		mpx_conn_table_assure(c->table, sf->conn);
	} else if (sf->verified == 0) {
		c->stats.joins_hmac_invalid++;
	} else {
		c->stats.joins_unverified++;
	}
	corr_emit_subflow_joined(c, r, ok64, ok160);
}
