// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdlib.h>
#include <string.h>

#include "fnv_hash.h"

#include "correlate/conn_table.h"
#include "flow_key.h"

#define SF_BUCKETS  (1u << 16)
#define TOK_BUCKETS (1u << 16)

struct conn_list {
	struct mpx_conn *head, *tail;
};

struct mpx_conn_table {
	size_t max_conns;
	size_t nconns;
	size_t nsubflows;
	__u64 next_serial;
	/* Most recently active first. Ended connections (ENDING or CLOSED:
	 * all subflows over, summary due or written) wait in a list of their
	 * own, most recently ended first, and are the first to make room. */
	struct conn_list live, ended;
	struct mpx_subflow **sf_buckets;
	struct mpx_tok_link **tok_buckets;
	mpx_evict_fn evict;
	void *evict_arg;
};

static size_t key_hash(const struct mpx_flow_key *k)
{
	return (size_t)mpx_fnv1a(k, sizeof(*k));
}

struct mpx_conn_table *mpx_conn_table_new(size_t max_conns, mpx_evict_fn fn,
					  void *arg)
{
	struct mpx_conn_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->sf_buckets = calloc(SF_BUCKETS, sizeof(*t->sf_buckets));
	t->tok_buckets = calloc(TOK_BUCKETS, sizeof(*t->tok_buckets));
	if (!t->sf_buckets || !t->tok_buckets) {
		mpx_conn_table_free(t);
		return NULL;
	}
	t->max_conns = max_conns ? max_conns : 1;
	t->evict = fn;
	t->evict_arg = arg;
	return t;
}

static int phase_ended(enum mpx_conn_phase p)
{
	return p == MPX_CONN_ENDING || p == MPX_CONN_CLOSED;
}

static struct conn_list *list_of(struct mpx_conn_table *t,
				 const struct mpx_conn *c)
{
	return phase_ended(c->phase) ? &t->ended : &t->live;
}

static void list_unlink(struct conn_list *l, struct mpx_conn *c)
{
	if (c->lru_prev)
		c->lru_prev->lru_next = c->lru_next;
	else
		l->head = c->lru_next;
	if (c->lru_next)
		c->lru_next->lru_prev = c->lru_prev;
	else
		l->tail = c->lru_prev;
	c->lru_prev = c->lru_next = NULL;
}

static void list_push_front(struct conn_list *l, struct mpx_conn *c)
{
	c->lru_prev = NULL;
	c->lru_next = l->head;
	if (l->head)
		l->head->lru_prev = c;
	l->head = c;
	if (!l->tail)
		l->tail = c;
}

static void sf_unlink(struct mpx_conn_table *t, struct mpx_subflow *sf)
{
	struct mpx_subflow **pp =
	    &t->sf_buckets[key_hash(&sf->key) & (SF_BUCKETS - 1)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == sf) {
			*pp = sf->hnext;
			t->nsubflows--;
			return;
		}
	}
}

static void tok_unlink(struct mpx_conn_table *t, struct mpx_conn *c, int side)
{
	struct mpx_tok_link **pp;

	if (!c->tl[side].linked)
		return;
	pp = &t->tok_buckets[c->tl[side].tok & (TOK_BUCKETS - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == &c->tl[side]) {
			*pp = c->tl[side].next;
			c->tl[side].linked = 0;
			return;
		}
	}
}

static void conn_free(struct mpx_conn_table *t, struct mpx_conn *c)
{
	tok_unlink(t, c, 0);
	tok_unlink(t, c, 1);
	for (int i = 0; i < c->nsf; i++) {
		sf_unlink(t, c->sf[i]);
		free(c->sf[i]);
	}
	list_unlink(list_of(t, c), c);
	t->nconns--;
	free(c);
}

void mpx_conn_table_free(struct mpx_conn_table *t)
{
	if (!t)
		return;
	while (t->live.head)
		conn_free(t, t->live.head);
	while (t->ended.head)
		conn_free(t, t->ended.head);
	free(t->sf_buckets);
	free(t->tok_buckets);
	free(t);
}

struct mpx_conn *mpx_conn_table_new_conn(struct mpx_conn_table *t)
{
	struct mpx_conn *c;

	if (t->nconns >= t->max_conns) {
		/* An ended connection first: it only waits for stragglers. */
		struct mpx_conn *victim =
		    t->ended.tail ? t->ended.tail : t->live.tail;

		/* The callback writes what must be written (a live one's
		 * summary as evicted, an ended one's as it ended). */
		if (victim && victim->phase != MPX_CONN_CLOSED && t->evict)
			t->evict(victim, t->evict_arg);
		if (victim)
			conn_free(t, victim);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->phase = MPX_CONN_ATTEMPT;
	c->version = -1;
	c->serial = t->next_serial++;
	list_push_front(&t->live, c);
	t->nconns++;
	return c;
}

void mpx_conn_table_drop(struct mpx_conn_table *t, struct mpx_conn *c)
{
	conn_free(t, c);
}

void mpx_conn_table_touch(struct mpx_conn_table *t, struct mpx_conn *c)
{
	if (phase_ended(c->phase) || t->live.head == c)
		return;
	list_unlink(&t->live, c);
	list_push_front(&t->live, c);
}

void mpx_conn_table_set_phase(struct mpx_conn_table *t, struct mpx_conn *c,
			      enum mpx_conn_phase p)
{
	if (phase_ended(c->phase) == phase_ended(p)) {
		c->phase = p; /* same list, same place */
		return;
	}
	list_unlink(list_of(t, c), c);
	c->phase = p;
	list_push_front(list_of(t, c), c);
}

void mpx_conn_table_forget_subflow(struct mpx_conn_table *t,
				   struct mpx_subflow *sf)
{
	sf_unlink(t, sf);
}

struct mpx_subflow *mpx_conn_table_add_subflow(struct mpx_conn_table *t,
					       struct mpx_conn *c,
					       const struct mpx_flow_key *key)
{
	struct mpx_subflow *sf;
	size_t b;

	if (c->nsf >= MPX_SUM_MAX_SUBFLOWS)
		return NULL;
	sf = calloc(1, sizeof(*sf));
	if (!sf)
		return NULL;
	sf->conn = c;
	sf->key = *key;
	sf->verified = -1;
	b = key_hash(key) & (SF_BUCKETS - 1);
	sf->hnext = t->sf_buckets[b];
	t->sf_buckets[b] = sf;
	c->sf[c->nsf++] = sf;
	t->nsubflows++;
	return sf;
}

struct mpx_subflow *mpx_conn_table_find_subflow(struct mpx_conn_table *t,
						const struct mpx_flow_key *key)
{
	struct mpx_subflow *sf =
	    t->sf_buckets[key_hash(key) & (SF_BUCKETS - 1)];

	for (; sf; sf = sf->hnext)
		if (memcmp(&sf->key, key, sizeof(*key)) == 0)
			return sf;
	return NULL;
}

void mpx_conn_table_index_token(struct mpx_conn_table *t, struct mpx_conn *c,
				int side)
{
	struct mpx_tok_link *l = &c->tl[side];
	size_t b;

	if (l->linked && l->tok == c->token[side])
		return;
	/* The token changed since it was indexed (a join SYN named one, the
	 * key learnt later gives another): move the link, else it stayed in
	 * the old bucket, unfound when the connection was freed (fuzzing:
	 * heap-use-after-free in the next walk of that bucket). */
	tok_unlink(t, c, side);
	l->tok = c->token[side];
	b = l->tok & (TOK_BUCKETS - 1);
	l->conn = c;
	l->side = side;
	l->next = t->tok_buckets[b];
	t->tok_buckets[b] = l;
	l->linked = 1;
}

int mpx_conn_table_find_token(struct mpx_conn_table *t, __u32 tok,
			      struct mpx_conn **out, int *sides, int max)
{
	int n = 0;

	for (struct mpx_tok_link *l = t->tok_buckets[tok & (TOK_BUCKETS - 1)];
	     l; l = l->next) {
		struct mpx_conn *c = l->conn;

		if (c->token[l->side] != tok || c->phase == MPX_CONN_CLOSED)
			continue;
		if (n < max) {
			out[n] = c;
			sides[n] = l->side;
		}
		n++;
	}
	return n;
}

static int by_serial(const void *a, const void *b)
{
	const struct mpx_conn *x = *(const struct mpx_conn *const *)a;
	const struct mpx_conn *y = *(const struct mpx_conn *const *)b;

	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

size_t mpx_conn_table_snapshot(struct mpx_conn_table *t, struct mpx_conn **out,
			       size_t max)
{
	size_t n = 0;

	for (struct mpx_conn *c = t->live.head; c && n < max; c = c->lru_next)
		out[n++] = c;
	for (struct mpx_conn *c = t->ended.head; c && n < max; c = c->lru_next)
		out[n++] = c;
	qsort(out, n, sizeof(*out), by_serial); /* creation order */
	return n;
}

size_t mpx_conn_table_count(const struct mpx_conn_table *t)
{
	return t->nconns;
}

size_t mpx_conn_table_subflows(const struct mpx_conn_table *t)
{
	return t->nsubflows;
}

size_t mpx_conn_table_capacity(const struct mpx_conn_table *t)
{
	return t->max_conns;
}

int mpx_conn_table_key_of(const struct mptcp_event *ev, struct mpx_flow_key *k)
{
	return mpx_flow_key_make(ev->family, ev->saddr, ev->daddr, ev->sport,
				 ev->dport, k);
}
