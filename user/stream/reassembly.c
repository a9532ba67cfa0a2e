// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Data-level reassembly of one stream direction (reassembly.h). The bytes
 * ahead of a hole wait in a sorted list of disjoint chunks; every byte is
 * taken once, from the first copy seen, and later copies are compared with
 * it (the last MPX_REASM_HISTORY delivered bytes, or the waiting chunks).
 */
#include <stdlib.h>
#include <string.h>

#include "stream/reassembly.h"

struct mpx_reasm_chunk {
	struct mpx_reasm_chunk *next;
	uint64_t off;
	size_t len;
	int sf;
	uint8_t data[];
};

uint64_t mpx_dsn_expand(uint64_t expected, uint32_t low32)
{
	/* The signed 32-bit distance from expected's low half: forward or
	 * back by less than 2^31, across a wrap of the low half too. */
	int32_t d = (int32_t)(low32 - (uint32_t)expected);

	return expected + (int64_t)d;
}

int mpx_reasm_init(struct mpx_reasm *r, uint64_t base,
		   const struct mpx_reasm_limits *lim,
		   const struct mpx_reasm_ops *ops, void *arg)
{
	memset(r, 0, sizeof(*r));
	/* Not zeroed: only bytes delivered since hist_from are ever read. */
	r->hist = malloc(MPX_REASM_HISTORY);
	if (!r->hist)
		return -1;
	r->base = base;
	r->end = UINT64_MAX;
	r->lim = *lim;
	r->ops = ops;
	r->arg = arg;
	return 0;
}

void mpx_reasm_free(struct mpx_reasm *r)
{
	struct mpx_reasm_chunk *c = r->ooo, *n;

	for (; c; c = n) {
		n = c->next;
		free(c);
	}
	r->ooo = NULL;
	r->ooo_bytes = 0;
	free(r->hist);
	r->hist = NULL;
}

/* The last MPX_REASM_HISTORY bytes of [buf, buf + len) into the ring at
 * their offsets from off: up to the ring's end, then from its start. */
static void hist_put(struct mpx_reasm *r, uint64_t off, const uint8_t *buf,
		     size_t len)
{
	if (len > MPX_REASM_HISTORY) {
		off += len - MPX_REASM_HISTORY;
		buf += len - MPX_REASM_HISTORY;
		len = MPX_REASM_HISTORY;
	}
	while (len) {
		size_t at = off % MPX_REASM_HISTORY;
		size_t n = MPX_REASM_HISTORY - at;

		if (n > len)
			n = len;
		memcpy(r->hist + at, buf, n);
		off += n;
		buf += n;
		len -= n;
	}
}

static void deliver(struct mpx_reasm *r, const uint8_t *buf, size_t len, int sf)
{
	hist_put(r, r->next, buf, len);
	if (r->ops->data)
		r->ops->data(r->arg, r->next, buf, len, sf);
	r->st.data_bytes += len;
	r->next += len;
}

static void gap(struct mpx_reasm *r, uint64_t len)
{
	if (!len)
		return;
	if (r->ops->gap)
		r->ops->gap(r->arg, r->next, len);
	r->st.gap_bytes += len;
	r->next += len;
	/* What the history held for these offsets is stale: a late copy of
	 * the hole is not compared with it (against_history). */
	r->hist_from = r->next;
}

/* Widens [*first, *last] to the differing bytes of a and b, a copy at
 * stream offset off; *first stays UINT64_MAX while none differ. */
static void diff_span(uint64_t off, const uint8_t *a, const uint8_t *b,
		      size_t len, uint64_t *first, uint64_t *last)
{
	for (size_t i = 0; i < len; i++) {
		if (a[i] != b[i]) {
			if (*first == UINT64_MAX)
				*first = off + i;
			*last = off + i;
		}
	}
}

/* One mismatch for the span from the first to the last differing byte. */
static void report(struct mpx_reasm *r, uint64_t first, uint64_t last, int sf)
{
	if (first != UINT64_MAX && r->ops->mismatch)
		r->ops->mismatch(r->arg, first, last - first + 1, sf);
}

/* A copy of [off, off + len), all before next. */
static void against_history(struct mpx_reasm *r, uint64_t off,
			    const uint8_t *buf, size_t len, int sf)
{
	uint64_t lo = off, first = UINT64_MAX, last = 0;

	r->st.reinjected_bytes += len;
	if (r->ops->copy)
		r->ops->copy(r->arg, off, len, sf);
	/* Only what the ring still holds, and not across a declared gap. */
	if (r->next - lo > MPX_REASM_HISTORY)
		lo = r->next - MPX_REASM_HISTORY;
	if (lo < r->hist_from)
		lo = r->hist_from;
	while (lo < off + len) {
		/* Up to the ring's end, then from its start. */
		size_t at = lo % MPX_REASM_HISTORY;
		size_t n = off + len - lo;

		if (n > MPX_REASM_HISTORY - at)
			n = MPX_REASM_HISTORY - at;
		diff_span(lo, r->hist + at, buf + (lo - off), n, &first, &last);
		lo += n;
	}
	report(r, first, last, sf);
}

static void drain(struct mpx_reasm *r)
{
	struct mpx_reasm_chunk *c;

	while ((c = r->ooo) && c->off <= r->next) {
		/* Chunks never overlap what was delivered: insert() trims
		 * them, and deliveries only ever reach a chunk's start. */
		r->ooo = c->next;
		r->ooo_bytes -= c->len;
		deliver(r, c->data, c->len, c->sf);
		free(c);
	}
}

/* Everything buffered goes out, holes as gaps, up to offset upto (or all
 * of it when upto is UINT64_MAX). */
static void force(struct mpx_reasm *r, uint64_t upto)
{
	struct mpx_reasm_chunk *c;

	while ((c = r->ooo) && (upto == UINT64_MAX || c->off < upto)) {
		gap(r, c->off - r->next);
		drain(r);
	}
	if (upto != UINT64_MAX && upto > r->next)
		gap(r, upto - r->next);
}

static int new_chunk(struct mpx_reasm *r, struct mpx_reasm_chunk **at,
		     uint64_t off, const uint8_t *buf, size_t len, int sf)
{
	struct mpx_reasm_chunk *c = malloc(sizeof(*c) + len);

	if (!c)
		return -1;
	c->off = off;
	c->len = len;
	c->sf = sf;
	memcpy(c->data, buf, len);
	c->next = *at;
	*at = c;
	r->ooo_bytes += len;
	return 0;
}

/* [off, off + len) with off > next: into the list, around what is already
 * there (compared, counted as reinjected), keeping it sorted and disjoint. */
static void insert(struct mpx_reasm *r, uint64_t off, const uint8_t *buf,
		   size_t len, int sf)
{
	struct mpx_reasm_chunk **at = &r->ooo;

	while (len) {
		struct mpx_reasm_chunk *c = *at;
		size_t n;

		if (!c || off + len <= c->off) {
			new_chunk(r, at, off, buf, len, sf);
			return;
		}
		if (off >= c->off + c->len) {
			at = &c->next;
			continue;
		}
		if (off < c->off) {
			/* The piece before c is new. */
			n = c->off - off;
			if (new_chunk(r, at, off, buf, n, sf) != 0)
				return;
			at = &(*at)->next;
		} else {
			/* The piece inside c is a copy. */
			n = c->off + c->len - off;
			if (n > len)
				n = len;
			uint64_t first = UINT64_MAX, last = 0;

			r->st.reinjected_bytes += n;
			if (r->ops->copy)
				r->ops->copy(r->arg, off, n, sf);
			diff_span(off, c->data + (off - c->off), buf, n, &first,
				  &last);
			report(r, first, last, sf);
			at = &c->next;
		}
		off += n;
		buf += n;
		len -= n;
	}
}

/* The part of [*off, *off + *len) before next is a copy of delivered
 * bytes (retransmitted or reinjected): compared, counted, cut off. 1 when
 * nothing is left. */
static int copy_of_delivered(struct mpx_reasm *r, uint64_t *off,
			     const uint8_t **buf, size_t *len, int sf)
{
	uint64_t cut;

	if (*off >= r->next)
		return 0;
	cut = r->next - *off;
	if (cut > *len)
		cut = *len;
	against_history(r, *off, *buf, cut, sf);
	*buf += cut;
	*len -= cut;
	*off += cut;
	return *len == 0;
}

void mpx_reasm_add(struct mpx_reasm *r, uint64_t dsn, const uint8_t *buf,
		   size_t len, int sf)
{
	uint64_t off = dsn - r->base, cut;

	if ((int64_t)off < 0) {
		/* Starts before the stream does (DSN below IDSN + 1). */
		cut = -off;
		if (cut >= len)
			return;
		buf += cut;
		len -= cut;
		off = 0;
	}
	if (r->end != UINT64_MAX && off + len > r->end) {
		/* Nothing is at or past the DATA_FIN (RFC 8684 3.3.3). */
		len = off >= r->end ? 0 : r->end - off;
	}
	if (off + len > r->lim.depth) {
		/* Counted as a high-water mark, not a sum: a retransmission or
		 * a reinjection past the depth is the same stream bytes. */
		cut = off + len - r->lim.depth;
		if (cut > r->st.depth_bytes)
			r->st.depth_bytes = cut;
		len = off >= r->lim.depth ? 0 : r->lim.depth - off;
	}
	if (!len)
		return;
	if (copy_of_delivered(r, &off, &buf, &len, sf))
		return;
	if (off > r->next && r->ooo_bytes + len > r->lim.ooo_max) {
		/* The hole is not going to fill within the bound: what waits
		 * goes out now, the hole as a gap. A chunk that waited may
		 * reach past off: that much of these bytes is then a copy. */
		r->st.ooo_overflow++;
		force(r, off);
		if (copy_of_delivered(r, &off, &buf, &len, sf))
			return;
	}
	insert(r, off, buf, len, sf);
	drain(r);
}

void mpx_reasm_fin(struct mpx_reasm *r, uint64_t dsn)
{
	uint64_t off = dsn - r->base;

	if ((int64_t)off < 0 || off < r->next || r->end != UINT64_MAX)
		return;
	r->end = off;
}

void mpx_reasm_flush(struct mpx_reasm *r)
{
	uint64_t upto = r->end;

	if (upto != UINT64_MAX && upto > r->lim.depth)
		upto = r->lim.depth;
	force(r, UINT64_MAX);
	if (upto != UINT64_MAX && upto > r->next)
		gap(r, upto - r->next);
}
