// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* Open addressing, linear probing, twice the capacity in slots so probes
 * stay short at the limit. No deletion: subflow ends are the correlator's
 * business, and replay runs are finite. */
#include <stdlib.h>
#include <string.h>

#include "host_flow_table.h"

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
};

static size_t hash_key(const struct mpx_flow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	size_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

struct mpx_host_flows *mpx_host_flows_new(size_t capacity)
{
	struct mpx_host_flows *t = calloc(1, sizeof(*t));
	size_t n = 16;

	if (!t)
		return NULL;
	while (n < capacity * 2)
		n <<= 1;
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

struct mpx_flow *mpx_host_flows_get(struct mpx_host_flows *t,
				    const struct mpx_flow_key *key,
				    int *created)
{
	size_t i = hash_key(key) & (t->nslots - 1);

	*created = 0;
	for (;;) {
		struct slot *s = &t->slots[i];

		if (!s->used)
			break;
		if (memcmp(&s->key, key, sizeof(*key)) == 0)
			return &s->val;
		i = (i + 1) & (t->nslots - 1);
	}
	if (t->used >= t->capacity)
		return NULL;
	t->slots[i].used = 1;
	t->slots[i].key = *key;
	memset(&t->slots[i].val, 0, sizeof(t->slots[i].val));
	t->used++;
	*created = 1;
	return &t->slots[i].val;
}
