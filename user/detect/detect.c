// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Windowed counters for join_flood and mptcp_scan (detect.h). Three
 * tables: join floods by token, join floods by destination (apart, so that
 * a flood of fresh tokens cannot crowd out its destination), scans by
 * source.
 * Each is a keyed hash (SipHash, keyed_hash.h: a sender cannot pick
 * colliding sources, tokens or destinations) bounded at max_entries, its
 * entries in a list ordered by window start, so that tick closes windows in
 * order; to make room, the quietest of the oldest few closes (counted).
 * Distinct sources and targets are counted exactly up to 64, then
 * estimated by linear counting over a bitmap of 8192 bits (within a
 * percent or so at a few hundred), so an entry's size is bounded whatever
 * a flood sends.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "keyed_hash.h"

#define LC_BITS	     8192
#define LC_HOST_BITS 512
#define EXACT	     64 /* distinct values counted exactly up to this */
#define EVICT_SCAN   8	/* windows looked at for the one to close early */

enum etype { ET_TOKEN = 1, ET_DEST, ET_SOURCE };

struct entry {
	struct entry *hnext;
	struct entry *prev, *next; /* by window start */
	__u8 type;
	__u8 family;
	__u8 key[16];
	struct mpx_origin start;
	__u64 attempts, answered, resets, completed;
	__u64 at_alert; /* attempts when this window's alert was said */
	int alerted;
	__u64 alerts;	 /* over the entry's life */
	__u64 carried;	 /* attempts after the last alert, earlier windows */
	__u64 set_bits;	 /* of bits */
	__u64 host_bits; /* of hbits */
	int nsample;
	__u8 sample_family[MPX_DETECT_SAMPLE];
	__u8 sample[MPX_DETECT_SAMPLE][16];
	int nexact; /* EXACT + 1: more than EXACT, bits estimate */
	__u64 exact[EXACT];
	__u64 *bits; /* LC_BITS, made past EXACT distinct values */
	__u64 hbits[LC_HOST_BITS / 64];
};

struct table {
	struct entry **buckets;
	size_t mask;
	size_t max_mask; /* what it grows to (table_grow()) */
	size_t count;
	struct entry *head, *tail;
};

struct mpx_detect {
	struct mpx_detect_opts o;
	mpx_detect_alert_fn fn;
	void *arg;
	struct table tokens, dests, scans;
	struct mpx_detect_stats stats;
};

void mpx_detect_opts_default(struct mpx_detect_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->window_sec = MPX_DETECT_DEFAULT_WINDOW;
	o->join_flood_threshold = MPX_DETECT_DEFAULT_JOIN_FLOOD;
	o->scan_threshold = MPX_DETECT_DEFAULT_SCAN;
	o->max_entries = MPX_DETECT_DEFAULT_ENTRIES;
}

static __s64 usec_of(const struct mpx_origin *o)
{
	return (__s64)o->ts_sec * 1000000LL + o->ts_usec;
}

static __s64 window_us(const struct mpx_detect *d)
{
	return (__s64)d->o.window_sec * 1000000LL;
}

/* Buckets grow with the entries (one per entry, up to a power of two at
 * least max): a correlator that sees few sources holds little. */
static int table_init(struct table *t, size_t max)
{
	size_t n = 16;

	t->buckets = calloc(n, sizeof(*t->buckets));
	t->mask = n - 1;
	t->max_mask = mpx_pow2_at_least(max) - 1;
	return t->buckets ? 0 : -1;
}

static size_t bucket_of(const struct table *t, __u8 type, __u8 family,
			const __u8 *key)
{
	__u8 buf[18];

	buf[0] = type;
	buf[1] = family;
	memcpy(buf + 2, key, 16);
	return (size_t)mpx_keyed_hash(buf, sizeof(buf)) & t->mask;
}

/* Twice the buckets (out of memory: chains grow longer instead). Keys are
 * unique in a table: the order within a chain does not matter. */
static void table_grow(struct table *t)
{
	size_t n = 2 * (t->mask + 1);
	struct entry **old = t->buckets;
	size_t old_n = t->mask + 1;
	struct entry **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return;
	t->buckets = nb;
	t->mask = n - 1;
	for (size_t i = 0; i < old_n; i++) {
		struct entry *e = old[i], *next;

		for (; e; e = next) {
			size_t b = bucket_of(t, e->type, e->family, e->key);

			next = e->hnext;
			e->hnext = nb[b];
			nb[b] = e;
		}
	}
	free(old);
}

static struct entry *find(struct table *t, __u8 type, __u8 family,
			  const __u8 *key)
{
	struct entry *e = t->buckets[bucket_of(t, type, family, key)];

	for (; e; e = e->hnext)
		if (e->type == type && e->family == family &&
		    memcmp(e->key, key, 16) == 0)
			return e;
	return NULL;
}

static void list_unlink(struct table *t, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		t->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		t->tail = e->prev;
	e->prev = e->next = NULL;
}

static void list_push(struct table *t, struct entry *e)
{
	e->next = NULL;
	e->prev = t->tail;
	if (t->tail)
		t->tail->next = e;
	else
		t->head = e;
	t->tail = e;
}

static void table_remove(struct mpx_detect *d, struct table *t, struct entry *e)
{
	struct entry **p =
	    &t->buckets[bucket_of(t, e->type, e->family, e->key)];

	while (*p && *p != e)
		p = &(*p)->hnext;
	if (*p)
		*p = e->hnext;
	list_unlink(t, e);
	t->count--;
	d->stats.entries--;
	free(e->bits);
	free(e);
}

/* Linear counting: n = -m ln(zeros / m); all set: m ln m, a floor. */
static __u64 estimate(__u64 set, unsigned int m)
{
	double zeros = (double)(m - set);

	if (set == 0)
		return 0;
	if (set >= m)
		zeros = 1;
	return (__u64)llround(-(double)m * log(zeros / (double)m));
}

static int bit_set(__u64 *bits, unsigned int m, __u64 h)
{
	unsigned int b = (unsigned int)(h % m);
	__u64 bit = 1ULL << (b % 64);

	if (bits[b / 64] & bit)
		return 0;
	bits[b / 64] |= bit;
	return 1;
}

/* One more value among the entry's distinct ones (sources or targets):
 * exact up to EXACT, then into the bitmap (made then, from the exact ones:
 * most entries never need it). */
static void distinct_add(struct entry *e, const void *v, size_t len)
{
	__u64 h = mpx_keyed_hash(v, len);

	if (e->nexact > EXACT) {
		if (e->bits)
			e->set_bits += (__u64)bit_set(e->bits, LC_BITS, h);
		return;
	}
	for (int i = 0; i < e->nexact; i++)
		if (e->exact[i] == h)
			return;
	if (e->nexact < EXACT) {
		e->exact[e->nexact++] = h;
		return;
	}
	e->nexact++;
	if (!e->bits)
		e->bits = calloc(LC_BITS / 64, sizeof(*e->bits));
	if (!e->bits)
		return; /* out of memory: counted as EXACT + 1 from here */
	e->set_bits = 0;
	for (int i = 0; i < EXACT; i++)
		e->set_bits += (__u64)bit_set(e->bits, LC_BITS, e->exact[i]);
	e->set_bits += (__u64)bit_set(e->bits, LC_BITS, h);
}

static __u64 distinct(const struct entry *e)
{
	if (e->nexact <= EXACT || !e->bits)
		return (__u64)e->nexact;
	return estimate(e->set_bits, LC_BITS);
}

/* A scan: many targets, and most probes never completed (a busy client
 * completes its handshakes). */
static int is_scan(const struct mpx_detect *d, const struct entry *e)
{
	return !e->alerted && distinct(e) >= d->o.scan_threshold &&
	       2 * e->completed < e->attempts;
}

static void fill_alert(const struct mpx_detect *d, const struct entry *e,
		       struct mpx_detect_alert *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = e->type == ET_SOURCE ? MPX_ALERT_SCAN : MPX_ALERT_JOIN_FLOOD;
	a->by = e->type == ET_TOKEN  ? "token"
		: e->type == ET_DEST ? "destination"
				     : "source";
	a->family = e->family;
	memcpy(a->addr, e->key, 16);
	memcpy(&a->token, e->key, sizeof(a->token));
	a->window_start = e->start;
	a->window_sec = d->o.window_sec;
	a->attempts = e->attempts;
	a->nsample = e->nsample;
	memcpy(a->sample_family, e->sample_family, sizeof(a->sample_family));
	memcpy(a->sample, e->sample, sizeof(a->sample));
	if (e->type == ET_SOURCE) {
		a->targets = distinct(e);
		/* Fewer hosts than the sample holds are all in it: exact
		 * (the estimate's keyed bits may collide, one run in a few
		 * hundred for three hosts); more, never fewer than it. */
		a->hosts = estimate(e->host_bits, LC_HOST_BITS);
		if (e->nsample < MPX_DETECT_SAMPLE ||
		    a->hosts < (__u64)e->nsample)
			a->hosts = (__u64)e->nsample;
	} else {
		a->sources = distinct(e);
	}
	a->answered = e->answered;
	a->resets = e->resets;
	a->completed = e->completed;
	a->repeat = e->alerts;
	a->suppressed = e->carried;
}

static void alert(struct mpx_detect *d, struct entry *e,
		  const struct mpx_origin *at)
{
	struct mpx_detect_alert a;

	fill_alert(d, e, &a);
	e->alerted = 1;
	e->at_alert = e->attempts;
	e->alerts++;
	e->carried = 0;
	d->fn(d->arg, at, &a);
}

/* The end of e's window (at: when it is closed): a scan says its alert;
 * then the entry starts its next window, or goes if this one was empty.
 * 1: the entry was freed. */
static int close_window(struct mpx_detect *d, struct table *t, struct entry *e,
			const struct mpx_origin *at)
{
	__s64 w = window_us(d), start = usec_of(&e->start), now = usec_of(at);

	if (e->type == ET_SOURCE && is_scan(d, e))
		alert(d, e, at);
	if (e->attempts == 0) {
		table_remove(d, t, e);
		return 1;
	}
	e->carried += e->attempts - (e->alerted ? e->at_alert : 0);
	e->attempts = e->answered = e->resets = e->completed = 0;
	e->alerted = 0;
	e->at_alert = 0;
	e->set_bits = e->host_bits = 0;
	e->nexact = 0;
	e->nsample = 0;
	free(e->bits);
	e->bits = NULL;
	memset(e->hbits, 0, sizeof(e->hbits));
	/* Fixed windows: the next one that holds now (or follows). */
	if (now >= start + w)
		start += ((now - start) / w) * w;
	else
		start += w;
	e->start.ts_sec = (__s64)(start / 1000000LL);
	e->start.ts_usec = (__s32)(start % 1000000LL);
	list_unlink(t, e);
	list_push(t, e);
	return 0;
}

static struct entry *get(struct mpx_detect *d, struct table *t, __u8 type,
			 __u8 family, const __u8 *key,
			 const struct mpx_origin *o)
{
	struct entry *e = find(t, type, family, key);
	size_t b;

	if (e && usec_of(o) >= usec_of(&e->start) + window_us(d))
		if (close_window(d, t, e, o))
			e = NULL;
	if (e)
		return e;
	if (t->count >= d->o.max_entries && t->head) {
		/* Room: of the EVICT_SCAN oldest windows, the one with the
		 * fewest attempts closes early (said if it must), so that a
		 * flood of fresh keys cannot push out the key it floods. */
		struct entry *old = t->head, *x = t->head;

		for (int i = 0; x && i < EVICT_SCAN; i++, x = x->next)
			if (x->attempts < old->attempts)
				old = x;
		d->stats.evicted++;
		if (!close_window(d, t, old, o))
			table_remove(d, t, old);
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->type = type;
	e->family = family;
	memcpy(e->key, key, 16);
	e->start = *o;
	if (t->count > t->mask && t->mask < t->max_mask)
		table_grow(t);
	b = bucket_of(t, type, family, key);
	e->hnext = t->buckets[b];
	t->buckets[b] = e;
	list_push(t, e);
	t->count++;
	d->stats.entries++;
	return e;
}

static void add_sample(struct entry *e, __u8 family, const __u8 *addr)
{
	for (int i = 0; i < e->nsample; i++)
		if (e->sample_family[i] == family &&
		    memcmp(e->sample[i], addr, 16) == 0)
			return;
	if (e->nsample >= MPX_DETECT_SAMPLE)
		return;
	e->sample_family[e->nsample] = family;
	memcpy(e->sample[e->nsample++], addr, 16);
}

static void join_attempt(struct mpx_detect *d, struct entry *e,
			 const struct mpx_origin *o, __u8 family,
			 const __u8 *saddr)
{
	__u8 buf[17];

	if (!e)
		return;
	e->attempts++;
	buf[0] = family;
	memcpy(buf + 1, saddr, 16);
	distinct_add(e, buf, sizeof(buf));
	add_sample(e, family, saddr);
	if (!e->alerted && e->attempts >= d->o.join_flood_threshold)
		alert(d, e, o);
}

void mpx_detect_join(struct mpx_detect *d, const struct mpx_origin *o,
		     __u8 family, const __u8 *saddr, const __u8 *daddr,
		     __u32 token)
{
	__u8 key[16] = {0};

	if (!d)
		return;
	memcpy(key, &token, sizeof(token));
	join_attempt(d, get(d, &d->tokens, ET_TOKEN, 0, key, o), o, family,
		     saddr);
	join_attempt(d, get(d, &d->dests, ET_DEST, family, daddr, o), o, family,
		     saddr);
}

void mpx_detect_probe(struct mpx_detect *d, const struct mpx_origin *o,
		      __u8 family, const __u8 *saddr, const __u8 *daddr,
		      __u16 dport)
{
	struct entry *e;
	__u8 buf[19];

	if (!d)
		return;
	e = get(d, &d->scans, ET_SOURCE, family, saddr, o);
	if (!e)
		return;
	e->attempts++;
	buf[0] = family;
	memcpy(buf + 1, daddr, 16);
	memcpy(buf + 17, &dport, 2);
	distinct_add(e, buf, sizeof(buf));
	e->host_bits +=
	    (__u64)bit_set(e->hbits, LC_HOST_BITS, mpx_keyed_hash(buf, 17));
	add_sample(e, family, daddr);
}

void mpx_detect_answer(struct mpx_detect *d, const struct mpx_origin *o,
		       __u8 family, const __u8 *to)
{
	struct entry *e = d ? find(&d->scans, ET_SOURCE, family, to) : NULL;

	(void)o;
	if (e)
		e->answered++;
}

void mpx_detect_reset(struct mpx_detect *d, const struct mpx_origin *o,
		      __u8 family, const __u8 *to)
{
	struct entry *e = d ? find(&d->scans, ET_SOURCE, family, to) : NULL;

	(void)o;
	if (e)
		e->resets++;
}

void mpx_detect_completed(struct mpx_detect *d, const struct mpx_origin *o,
			  __u8 family, const __u8 *src)
{
	struct entry *e = d ? find(&d->scans, ET_SOURCE, family, src) : NULL;

	(void)o;
	if (e)
		e->completed++;
}

static void tick_table(struct mpx_detect *d, struct table *t,
		       const struct mpx_origin *now)
{
	__s64 w = window_us(d);

	while (t->head && usec_of(&t->head->start) + w <= usec_of(now)) {
		struct entry *e = t->head;

		if (!close_window(d, t, e, now) && t->head == e)
			break; /* restarted in place: nothing older left */
	}
}

void mpx_detect_tick(struct mpx_detect *d, const struct mpx_origin *now)
{
	if (!d)
		return;
	tick_table(d, &d->tokens, now);
	tick_table(d, &d->dests, now);
	tick_table(d, &d->scans, now);
}

void mpx_detect_finish(struct mpx_detect *d, const struct mpx_origin *now)
{
	if (!d)
		return;
	/* Scans still in their window are said now (a join flood's alert was
	 * said as it crossed the threshold). */
	for (struct entry *e = d->scans.head; e; e = e->next)
		if (is_scan(d, e))
			alert(d, e, now);
}

const struct mpx_detect_opts *mpx_detect_opts_of(const struct mpx_detect *d)
{
	return &d->o;
}

const struct mpx_detect_stats *mpx_detect_stats(const struct mpx_detect *d)
{
	return &d->stats;
}

struct mpx_detect *mpx_detect_new(const struct mpx_detect_opts *o,
				  mpx_detect_alert_fn fn, void *arg)
{
	struct mpx_detect *d;

	if (mpx_keyed_hash_init() < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->o = *o;
	if (!d->o.max_entries)
		d->o.max_entries = 1;
	if (!d->o.window_sec)
		d->o.window_sec = 1;
	d->fn = fn;
	d->arg = arg;
	if (table_init(&d->tokens, d->o.max_entries) < 0 ||
	    table_init(&d->dests, d->o.max_entries) < 0 ||
	    table_init(&d->scans, d->o.max_entries) < 0) {
		mpx_detect_free(d);
		return NULL;
	}
	return d;
}

static void table_free(struct table *t)
{
	struct entry *e = t->head, *next;

	for (; e; e = next) {
		next = e->next;
		free(e->bits);
		free(e);
	}
	free(t->buckets);
}

void mpx_detect_free(struct mpx_detect *d)
{
	if (!d)
		return;
	table_free(&d->tokens);
	table_free(&d->dests);
	table_free(&d->scans);
	free(d);
}
