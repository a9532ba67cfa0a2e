// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* Open addressing, linear probing, twice the capacity in slots so probes
 * stay short at the limit. No deletion: subflow ends are the correlator's
 * business, and replay runs are finite. */
#include <stdlib.h>
#include <string.h>

#include "engine/host_flow_table.h"
#include "keyed_hash.h"

struct slot {
	struct mpx_flow_key key;
	struct mpx_flow val;
	int used;
};

struct mpx_host_flows {
	struct slot *slots;
	size_t nslots; /* power of two */
	size_t used;
	size_t capacity;
	/* The slot found last: packets come in runs of one flow, and the
	 * keyed hash is most of a lookup's cost. No deletion: never stale. */
	struct slot *last;
};

/* Keyed: the 4-tuple is the sender's choice, and linear probing turns
 * chosen collisions into a scan of the table. */
static size_t hash_key(const struct mpx_flow_key *k)
{
	return (size_t)mpx_keyed_hash(k, sizeof(*k));
}

struct mpx_host_flows *mpx_host_flows_new(size_t capacity)
{
	struct mpx_host_flows *t;
	size_t n = mpx_pow2_at_least(capacity * 2);

	if (mpx_keyed_hash_init() < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slots = calloc(n, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	t->nslots = n;
	t->capacity = capacity;
	return t;
}

void mpx_host_flows_free(struct mpx_host_flows *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

/* The slot holding key, or the empty slot where it would go. */
static struct slot *probe(const struct mpx_host_flows *t,
			  const struct mpx_flow_key *key)
{
	size_t i = hash_key(key) & (t->nslots - 1);

	for (;;) {
		struct slot *s = &t->slots[i];

		if (!s->used || memcmp(&s->key, key, sizeof(*key)) == 0)
			return s;
		i = (i + 1) & (t->nslots - 1);
	}
}

const struct mpx_flow *mpx_host_flows_find(const struct mpx_host_flows *t,
					   const struct mpx_flow_key *key)
{
	const struct slot *s = probe(t, key);

	return s->used ? &s->val : NULL;
}

struct mpx_flow *mpx_host_flows_get(struct mpx_host_flows *t,
				    const struct mpx_flow_key *key,
				    int *created)
{
	struct slot *s;

	*created = 0;
	if (t->last && memcmp(&t->last->key, key, sizeof(*key)) == 0)
		return &t->last->val;
	s = probe(t, key);
	if (s->used) {
		t->last = s;
		return &s->val;
	}
	if (t->used >= t->capacity)
		return NULL;
	s->used = 1;
	s->key = *key;
	memset(&s->val, 0, sizeof(s->val));
	t->used++;
	t->last = s;
	*created = 1;
	return &s->val;
}
