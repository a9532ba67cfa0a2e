// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/conn_table.h"
#include "correlate/corr_stream.h"
#include "flow_key.h"
#include "keyed_hash.h"

/* Bucket counts follow --max-conns: a power of two at least half as large
 * (a full table's chains average one to two subflows, and two to four
 * tokens when both sides have keys: a flood of SYNs indexes none), within
 * these bounds: 16 buckets, and 2^22 (32 MiB of heads per index) past
 * which chains just grow longer, evenly (keyed hash). */
#define MAX_BUCKETS ((size_t)1 << 22)

struct conn_list {
	struct mpx_conn *head, *tail;
};

struct mpx_conn_table {
	size_t max_conns;
	size_t nconns;
	size_t nsubflows;
	__u64 next_serial;
	/* Most recently active first, in three lists that make room in this
	 * order: ended connections (ENDING or CLOSED: all subflows over,
	 * summary due or written), live ones that have not shown they are
	 * real, and assured ones (mpx_conn_table_assure): a flood of bare
	 * handshakes or join SYNs evicts its own kind, not a connection that
	 * carries data and merely paused (docs/security.md). */
	struct conn_list ended, live, assured;
	struct mpx_subflow **sf_buckets;
	struct mpx_tok_link **tok_buckets;
	size_t sf_mask, tok_mask; /* bucket counts - 1 */
	/* The subflow found last (records come in runs of one subflow, and
	 * the keyed hash is most of a lookup); cleared when it leaves the
	 * index. */
	struct mpx_subflow *last_sf;
	mpx_evict_fn evict;
	void *evict_arg;
};

/* Keyed (keyed_hash.h): 4-tuples and tokens are the sender's choice. */
static size_t sf_bucket(const struct mpx_conn_table *t,
			const struct mpx_flow_key *k)
{
	return (size_t)mpx_keyed_hash(k, sizeof(*k)) & t->sf_mask;
}

static size_t tok_bucket(const struct mpx_conn_table *t, __u32 tok)
{
	return (size_t)mpx_keyed_hash(&tok, sizeof(tok)) & t->tok_mask;
}

struct mpx_conn_table *mpx_conn_table_new(size_t max_conns, mpx_evict_fn fn,
					  void *arg)
{
	struct mpx_conn_table *t;
	size_t n = mpx_pow2_at_least(max_conns / 2);

	if (mpx_keyed_hash_init() < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (n > MAX_BUCKETS)
		n = MAX_BUCKETS;
	t->sf_mask = n - 1;
	t->tok_mask = n - 1;
	t->sf_buckets = calloc(t->sf_mask + 1, sizeof(*t->sf_buckets));
	t->tok_buckets = calloc(t->tok_mask + 1, sizeof(*t->tok_buckets));
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
	if (phase_ended(c->phase))
		return &t->ended;
	return c->assured ? &t->assured : &t->live;
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

/* The connection a token link is embedded in (tl[side]). */
static struct mpx_conn *conn_of_link(struct mpx_tok_link *l)
{
	return (struct mpx_conn *)((char *)(l - l->side) -
				   offsetof(struct mpx_conn, tl));
}

static void sf_unlink(struct mpx_conn_table *t, struct mpx_subflow *sf)
{
	struct mpx_subflow **pp = &t->sf_buckets[sf_bucket(t, &sf->key)];

	if (t->last_sf == sf)
		t->last_sf = NULL;
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
	pp = &t->tok_buckets[tok_bucket(t, c->tl[side].tok)];
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
	/* Written out at its summary; what is left here was cut short. */
	corr_stream_discard(c);
	tok_unlink(t, c, 0);
	tok_unlink(t, c, 1);
	for (int i = 0; i < c->nsf; i++) {
		sf_unlink(t, c->sf[i]);
		free(c->sf[i]->sensors);
		if (c->sf[i] != &c->sf0)
			free(c->sf[i]);
	}
	if (c->sf != c->sf_one)
		free(c->sf);
	free(c->addrs);
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
	while (t->assured.head)
		conn_free(t, t->assured.head);
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
		struct mpx_conn *victim = t->ended.tail	 ? t->ended.tail
					  : t->live.tail ? t->live.tail
							 : t->assured.tail;

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
	c->sf = c->sf_one;
	c->sf_cap = 1;
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
	struct conn_list *l = list_of(t, c);

	if (phase_ended(c->phase) || l->head == c)
		return;
	list_unlink(l, c);
	list_push_front(l, c);
}

void mpx_conn_table_assure(struct mpx_conn_table *t, struct mpx_conn *c)
{
	if (c->assured)
		return;
	if (phase_ended(c->phase)) {
		c->assured = 1; /* the list of ended ones does not care */
		return;
	}
	list_unlink(&t->live, c);
	c->assured = 1;
	list_push_front(&t->assured, c);
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
	if (c->nsf == c->sf_cap) { /* 1, 4, 8, 16, 32 */
		int cap = c->sf_cap < 4 ? 4 : 2 * c->sf_cap;
		struct mpx_subflow **a;

		a = c->sf == c->sf_one ? malloc(cap * sizeof(*a))
				       : realloc(c->sf, cap * sizeof(*a));
		if (!a)
			return NULL;
		if (c->sf == c->sf_one)
			a[0] = c->sf_one[0];
		c->sf = a;
		c->sf_cap = (__u8)cap;
	}
	sf = c->nsf == 0 ? &c->sf0 : calloc(1, sizeof(*sf));
	if (!sf)
		return NULL;
	sf->conn = c;
	sf->key = *key;
	sf->verified = -1;
	b = sf_bucket(t, key);
	sf->hnext = t->sf_buckets[b];
	t->sf_buckets[b] = sf;
	c->sf[c->nsf++] = sf;
	t->nsubflows++;
	return sf;
}

struct mpx_subflow *mpx_conn_table_find_subflow(struct mpx_conn_table *t,
						const struct mpx_flow_key *key)
{
	struct mpx_subflow *sf = t->last_sf;

	if (sf && memcmp(&sf->key, key, sizeof(*key)) == 0)
		return sf;
	for (sf = t->sf_buckets[sf_bucket(t, key)]; sf; sf = sf->hnext)
		if (memcmp(&sf->key, key, sizeof(*key)) == 0)
			return t->last_sf = sf;
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
	b = tok_bucket(t, l->tok);
	l->side = side;
	l->next = t->tok_buckets[b];
	t->tok_buckets[b] = l;
	l->linked = 1;
}

int mpx_conn_table_find_token(struct mpx_conn_table *t, __u32 tok,
			      struct mpx_conn **out, int *sides, int max)
{
	int n = 0;

	for (struct mpx_tok_link *l = t->tok_buckets[tok_bucket(t, tok)]; l;
	     l = l->next) {
		struct mpx_conn *c = conn_of_link(l);

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
	for (struct mpx_conn *c = t->assured.head; c && n < max;
	     c = c->lru_next)
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

size_t mpx_conn_table_longest_chain(const struct mpx_conn_table *t)
{
	size_t longest = 0;

	for (size_t b = 0; b <= t->tok_mask; b++) {
		size_t n = 0;

		for (const struct mpx_tok_link *l = t->tok_buckets[b]; l;
		     l = l->next)
			n++;
		if (n > longest)
			longest = n;
	}
	for (size_t b = 0; b <= t->sf_mask; b++) {
		size_t n = 0;

		for (const struct mpx_subflow *sf = t->sf_buckets[b]; sf;
		     sf = sf->hnext)
			n++;
		if (n > longest)
			longest = n;
	}
	return longest;
}

void mpx_conn_id_text(const struct mpx_conn *c, char buf[17])
{
	if (c->has_id)
		snprintf(buf, 17, "%016llx", (unsigned long long)c->id);
	else
		buf[0] = '\0';
}

const char *mpx_sf_end_name(__u8 end)
{
	switch (end) {
	case MPX_SF_END_FIN:
		return "fin";
	case MPX_SF_END_RST:
		return "rst";
	case MPX_SF_END_REUSED:
		return "reused";
	}
	return NULL;
}

const char *mpx_token_match_name(__u8 m)
{
	return m == MPX_TOKEN_ADD_ADDR	  ? "add_addr"
	       : m == MPX_TOKEN_AMBIGUOUS ? "ambiguous"
					  : "unique";
}
