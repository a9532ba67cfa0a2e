// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdlib.h>
#include <string.h>

#include "correlate/conn_table.h"
#include "correlate/mptcp_crypto.h"
#include "fnv_hash.h"
#include "keyed_hash.h"
#include "publish/shard_route.h"

struct route_entry {
	int used;
	unsigned int shard;
	/* 1 + the shard of token A where it differs from shard, else 0 */
	unsigned int shadow;
	struct mpx_flow_key key;
};

struct held_syn {
	int used; /* how many SYNs: the first and its retransmissions */
	struct mpx_flow_key key;
	struct mpx_origin o[MPX_ROUTE_HELD_SYNS];
	struct mptcp_event ev[MPX_ROUTE_HELD_SYNS];
};

/* A v1 handshake whose token A is not known yet: its SYN carries no key
 * (RFC 8684 section 3.1), so its SYN and SYN/ACK wait here, copies of
 * what went to the connection's shard, until the third ACK names the
 * shadow; then they go there first, with their own times. */
struct shadow_wait {
	int used; /* records held: the SYN, the SYN/ACK */
	struct mpx_flow_key key;
	struct mpx_origin o[2];
	struct mptcp_event ev[2];
};

struct mpx_shard_router {
	unsigned int shards;
	size_t nheld;
	struct route_entry routes[MPX_ROUTE_SUBFLOWS];
	struct held_syn held[MPX_ROUTE_HELD];
	struct shadow_wait wait[MPX_ROUTE_HELD];
};

unsigned int mpx_shard_of_token(__u32 token, unsigned int shards)
{
	return token % shards;
}

struct mpx_shard_router *mpx_shard_router_new(unsigned int shards)
{
	struct mpx_shard_router *r;

	/* The slot of a subflow is a keyed hash: packets choose 4-tuples. */
	if (shards == 0 || mpx_keyed_hash_init() < 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r)
		r->shards = shards;
	return r;
}

void mpx_shard_router_free(struct mpx_shard_router *r)
{
	free(r);
}

static size_t slot_of(const struct mpx_flow_key *k, size_t n)
{
	return mpx_keyed_hash(k, sizeof(*k)) & (n - 1);
}

/* Unkeyed on purpose: every sensor must pick the same shard. */
static unsigned int shard_of_tuple(const struct mpx_shard_router *r,
				   const struct mpx_flow_key *k)
{
	return (unsigned int)(mpx_fnv1a(k, sizeof(*k)) % r->shards);
}

static struct route_entry *known(struct mpx_shard_router *r,
				 const struct mpx_flow_key *k)
{
	struct route_entry *e = &r->routes[slot_of(k, MPX_ROUTE_SUBFLOWS)];

	return e->used && memcmp(&e->key, k, sizeof(*k)) == 0 ? e : NULL;
}

static void learn(struct mpx_shard_router *r, const struct mpx_flow_key *k,
		  unsigned int shard, unsigned int shadow)
{
	struct route_entry *e = &r->routes[slot_of(k, MPX_ROUTE_SUBFLOWS)];

	e->used = 1;
	e->key = *k;
	e->shard = shard;
	e->shadow = shadow;
}

static int is_synack(const struct mptcp_event *ev)
{
	return (ev->tcp_flags & (MPX_TCP_SYN | MPX_TCP_ACK)) ==
	       (MPX_TCP_SYN | MPX_TCP_ACK);
}

/* The token of side B an MP_CAPABLE names through its keys: 0 and *tok,
 * or -1 when it carries no key B. */
static int token_b(const struct mptcp_event *ev, __u32 *tok)
{
	const struct mpx_ev_capable *c = &ev->u.capable;
	__u64 key, idsn;

	if (c->has_receiver_key)
		key = c->receiver_key; /* third ACK: A sends, B receives */
	else if (c->has_sender_key && is_synack(ev))
		key = c->sender_key; /* SYN/ACK: B sends */
	else
		return -1;
	return mpx_key_token_idsn(mpx_alg_of_version(ev->version), key, tok,
				  &idsn);
}

/* The token of side A an MP_CAPABLE names through its keys (the SYN's and
 * the third ACK's sender key): 0 and *tok, or -1. */
static int token_a(const struct mptcp_event *ev, __u32 *tok)
{
	const struct mpx_ev_capable *c = &ev->u.capable;
	__u64 idsn;

	if (!c->has_sender_key || is_synack(ev))
		return -1;
	return mpx_key_token_idsn(mpx_alg_of_version(ev->version),
				  c->sender_key, tok, &idsn);
}

/* The shadow of a subflow whose connection is in shard: 1 + shard(token
 * A) where that is another shard, else 0. */
static unsigned int shadow_of(const struct mpx_shard_router *r, __u32 tok_a,
			      unsigned int shard)
{
	unsigned int s = mpx_shard_of_token(tok_a, r->shards);

	return s == shard ? 0 : s + 1;
}

/* What a shadow needs: the handshake (keys, tokens, the connection's id)
 * and the ends of the subflow (so that the shadow connection ends too). */
static int shadowed_kind(__u8 kind)
{
	return kind == MPX_EV_MP_CAPABLE || kind == MPX_EV_SUBFLOW_FIN ||
	       kind == MPX_EV_SUBFLOW_RST || kind == MPX_EV_MP_FASTCLOSE ||
	       kind == MPX_EV_MP_TCPRST;
}

static void out_both(const struct mpx_origin *o, const struct mptcp_event *ev,
		     unsigned int shard, unsigned int shadow,
		     mpx_route_out_fn out, void *arg)
{
	out(arg, o, ev, shard, 0);
	if (shadow && shadowed_kind(ev->kind))
		out(arg, o, ev, shadow - 1, 1);
}

/* The held SYNs of h go to shard, and to the shadow of token A (their
 * key) when answered (answered: the SYN/ACK named shard by token B). */
static void release(struct mpx_shard_router *r, struct held_syn *h,
		    unsigned int shard, int answered, mpx_route_out_fn out,
		    void *arg)
{
	struct held_syn copy = *h;
	unsigned int shadow = 0;
	__u32 tok;

	h->used = 0;
	r->nheld--;
	if (answered && token_a(&copy.ev[0], &tok) == 0) {
		shadow = shadow_of(r, tok, shard);
	} else if (answered) { /* v1: token A comes with the third ACK */
		struct shadow_wait *w =
		    &r->wait[slot_of(&copy.key, MPX_ROUTE_HELD)];

		w->used = 1;
		w->key = copy.key;
		w->o[0] = copy.o[0];
		w->ev[0] = copy.ev[0];
	}
	learn(r, &copy.key, shard, shadow);
	for (int i = 0; i < copy.used; i++)
		out_both(&copy.o[i], &copy.ev[i], shard, shadow, out, arg);
}

void mpx_shard_route(struct mpx_shard_router *r, const struct mpx_origin *o,
		     const struct mptcp_event *ev, mpx_route_out_fn out,
		     void *arg)
{
	struct mpx_flow_key k;
	struct route_entry *e;
	struct shadow_wait *w;
	struct held_syn *h;
	unsigned int shard, shadow;
	__u32 tok;

	mpx_conn_table_key_of(ev, &k);
	h = &r->held[slot_of(&k, MPX_ROUTE_HELD)];
	if (ev->kind == MPX_EV_MP_CAPABLE &&
	    (ev->tcp_flags & (MPX_TCP_SYN | MPX_TCP_ACK)) == MPX_TCP_SYN) {
		if (h->used && (memcmp(&h->key, &k, sizeof(k)) != 0 ||
				h->used == MPX_ROUTE_HELD_SYNS))
			release(r, h, shard_of_tuple(r, &h->key), 0, out, arg);
		if (!h->used) {
			h->key = k;
			r->nheld++;
		}
		h->o[h->used] = *o;
		h->ev[h->used] = *ev;
		h->used++;
		return;
	}
	e = known(r, &k);
	shadow = e ? e->shadow : 0;
	if (ev->kind == MPX_EV_MP_CAPABLE && token_b(ev, &tok) == 0) {
		shard = mpx_shard_of_token(tok, r->shards);
		if (token_a(ev, &tok) == 0)
			shadow = shadow_of(r, tok, shard);
	} else if (ev->kind == MPX_EV_MP_JOIN &&
		   ev->u.join.stage == MPX_JOIN_SYN) {
		shard = mpx_shard_of_token(ev->u.join.token, r->shards);
		shadow = 0;
	} else {
		shard = e ? e->shard : shard_of_tuple(r, &k);
	}
	if (h->used && memcmp(&h->key, &k, sizeof(k)) == 0) {
		release(r, h, shard, ev->kind == MPX_EV_MP_CAPABLE, out, arg);
		e = known(r, &k); /* the SYN's key A named the shadow */
		if (!shadow && e)
			shadow = e->shadow;
	}
	w = &r->wait[slot_of(&k, MPX_ROUTE_HELD)];
	if (w->used && memcmp(&w->key, &k, sizeof(k)) == 0) {
		if (shadow) {
			for (int i = 0; i < w->used; i++)
				out(arg, &w->o[i], &w->ev[i], shadow - 1, 1);
			w->used = 0;
		} else if (ev->kind == MPX_EV_MP_CAPABLE && w->used == 1 &&
			   is_synack(ev)) {
			w->o[1] = *o;
			w->ev[1] = *ev;
			w->used = 2;
		}
	}
	learn(r, &k, shard, shadow);
	out_both(o, ev, shard, shadow, out, arg);
}

static __s64 usec_of(const struct mpx_origin *o)
{
	return o->ts_sec * 1000000LL + o->ts_usec;
}

void mpx_shard_router_tick(struct mpx_shard_router *r,
			   const struct mpx_origin *now, mpx_route_out_fn out,
			   void *arg)
{
	if (!r->nheld)
		return;
	for (size_t i = 0; i < MPX_ROUTE_HELD && r->nheld; i++) {
		struct held_syn *h = &r->held[i];

		if (h->used && (!now || usec_of(now) - usec_of(&h->o[0]) >
					    MPX_ROUTE_HOLD_US))
			release(r, h, shard_of_tuple(r, &h->key), 0, out, arg);
	}
}
