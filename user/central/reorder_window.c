// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdlib.h>

#include "central/reorder_window.h"

struct mpx_reorder_window {
	size_t n, cap;
	__u64 next_seq;
	struct mpx_held_record *h; /* a binary min-heap */
};

__s64 mpx_reorder_usec(const struct mpx_held_record *r)
{
	return r->d.origin.ts_sec * 1000000LL + r->d.origin.ts_usec;
}

static int before(const struct mpx_held_record *a,
		  const struct mpx_held_record *b)
{
	__s64 ta = mpx_reorder_usec(a), tb = mpx_reorder_usec(b);

	return ta < tb || (ta == tb && a->seq < b->seq);
}

static void swap(struct mpx_held_record *a, struct mpx_held_record *b)
{
	struct mpx_held_record t = *a;

	*a = *b;
	*b = t;
}

struct mpx_reorder_window *mpx_reorder_new(size_t capacity)
{
	struct mpx_reorder_window *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->h = calloc(capacity ? capacity : 1, sizeof(*w->h));
	if (!w->h) {
		free(w);
		return NULL;
	}
	w->cap = capacity ? capacity : 1;
	return w;
}

void mpx_reorder_free(struct mpx_reorder_window *w)
{
	if (!w)
		return;
	free(w->h);
	free(w);
}

size_t mpx_reorder_count(const struct mpx_reorder_window *w)
{
	return w->n;
}

int mpx_reorder_full(const struct mpx_reorder_window *w)
{
	return w->n == w->cap;
}

void mpx_reorder_push(struct mpx_reorder_window *w,
		      const struct mpx_held_record *r)
{
	size_t i = w->n++;

	w->h[i] = *r;
	w->h[i].seq = w->next_seq++;
	while (i && before(&w->h[i], &w->h[(i - 1) / 2])) {
		swap(&w->h[i], &w->h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

const struct mpx_held_record *
mpx_reorder_top(const struct mpx_reorder_window *w)
{
	return w->n ? &w->h[0] : NULL;
}

void mpx_reorder_pop(struct mpx_reorder_window *w, struct mpx_held_record *out)
{
	size_t i = 0;

	*out = w->h[0];
	w->h[0] = w->h[--w->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < w->n && before(&w->h[l], &w->h[m]))
			m = l;
		if (r < w->n && before(&w->h[r], &w->h[m]))
			m = r;
		if (m == i)
			break;
		swap(&w->h[i], &w->h[m]);
		i = m;
	}
}
