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
	struct mpx_flow_key key;
};

struct held_syn {
	int used; /* how many SYNs: the first and its retransmissions */
	struct mpx_flow_key key;
	struct mpx_origin o[MPX_ROUTE_HELD_SYNS];
	struct mptcp_event ev[MPX_ROUTE_HELD_SYNS];
};

struct mpx_shard_router {
	unsigned int shards;
	size_t nheld;
	struct route_entry routes[MPX_ROUTE_SUBFLOWS];
	struct held_syn held[MPX_ROUTE_HELD];
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

static void learn(struct mpx_shard_router *r, const struct mpx_flow_key *k,
		  unsigned int shard)
{
	struct route_entry *e = &r->routes[slot_of(k, MPX_ROUTE_SUBFLOWS)];

	e->used = 1;
	e->key = *k;
	e->shard = shard;
}

static unsigned int known_or_tuple(const struct mpx_shard_router *r,
				   const struct mpx_flow_key *k)
{
	const struct route_entry *e =
	    &r->routes[slot_of(k, MPX_ROUTE_SUBFLOWS)];

	if (e->used && memcmp(&e->key, k, sizeof(*k)) == 0)
		return e->shard;
	return shard_of_tuple(r, k);
}

/* The token of side B an MP_CAPABLE names through its keys: 0 and *tok,
 * or -1 when it carries no key B. */
static int token_b(const struct mptcp_event *ev, __u32 *tok)
{
	const struct mpx_ev_capable *c = &ev->u.capable;
	__u8 synack = MPX_TCP_SYN | MPX_TCP_ACK;
	__u64 key, idsn;

	if (c->has_receiver_key)
		key = c->receiver_key; /* third ACK: A sends, B receives */
	else if (c->has_sender_key && (ev->tcp_flags & synack) == synack)
		key = c->sender_key; /* SYN/ACK: B sends */
	else
		return -1;
	return mpx_key_token_idsn(mpx_alg_of_version(ev->version), key, tok,
				  &idsn);
}

static void release(struct mpx_shard_router *r, struct held_syn *h,
		    unsigned int shard, mpx_route_out_fn out, void *arg)
{
	struct held_syn copy = *h;

	h->used = 0;
	r->nheld--;
	learn(r, &copy.key, shard);
	for (int i = 0; i < copy.used; i++)
		out(arg, &copy.o[i], &copy.ev[i], shard);
}

void mpx_shard_route(struct mpx_shard_router *r, const struct mpx_origin *o,
		     const struct mptcp_event *ev, mpx_route_out_fn out,
		     void *arg)
{
	struct mpx_flow_key k;
	struct held_syn *h;
	unsigned int shard;
	__u32 tok;

	mpx_conn_table_key_of(ev, &k);
	h = &r->held[slot_of(&k, MPX_ROUTE_HELD)];
	if (ev->kind == MPX_EV_MP_CAPABLE &&
	    (ev->tcp_flags & (MPX_TCP_SYN | MPX_TCP_ACK)) == MPX_TCP_SYN) {
		if (h->used && (memcmp(&h->key, &k, sizeof(k)) != 0 ||
				h->used == MPX_ROUTE_HELD_SYNS))
			release(r, h, shard_of_tuple(r, &h->key), out, arg);
		if (!h->used) {
			h->key = k;
			r->nheld++;
		}
		h->o[h->used] = *o;
		h->ev[h->used] = *ev;
		h->used++;
		return;
	}
	if (ev->kind == MPX_EV_MP_CAPABLE && token_b(ev, &tok) == 0)
		shard = mpx_shard_of_token(tok, r->shards);
	else if (ev->kind == MPX_EV_MP_JOIN && ev->u.join.stage == MPX_JOIN_SYN)
		shard = mpx_shard_of_token(ev->u.join.token, r->shards);
	else
		shard = known_or_tuple(r, &k);
	if (h->used && memcmp(&h->key, &k, sizeof(k)) == 0)
		release(r, h, shard, out, arg);
	learn(r, &k, shard);
	out(arg, o, ev, shard);
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
			release(r, h, shard_of_tuple(r, &h->key), out, arg);
	}
}
