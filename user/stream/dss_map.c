// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Subflow bytes to data sequence numbers through the DSS mappings
 * (dss_map.h). Subflow sequence numbers are 32-bit and wrap: every
 * comparison is a distance modulo 2^32.
 */
#include <string.h>

#include "stream/dss_map.h"

void mpx_dss_map_init(struct mpx_dss_map *d)
{
	memset(d, 0, sizeof(*d));
}

void mpx_dss_map_isn(struct mpx_dss_map *d, uint32_t isn)
{
	d->isn = isn;
	d->have_isn = 1;
}

/* Where rel falls in m: its distance from the mapping's start, if inside. */
static int covers(const struct mpx_dss_mapping *m, uint32_t rel, uint32_t *at)
{
	uint32_t k = rel - m->ssn;
	/* The infinite one covers what is ahead of its start, half the
	 * sequence space, as every wrapping comparison does. */
	uint32_t span = m->len == MPX_DSS_MAP_INFINITE ? 0x80000000u : m->len;

	if (k >= span)
		return 0;
	*at = k;
	return 1;
}

int mpx_dss_map_add(struct mpx_dss_map *d, const struct mpx_dss_mapping *m)
{
	int inconsistent = 0;
	unsigned int i, slot = d->n < MPX_DSS_MAP_SLOTS ? d->n : d->next;

	for (i = 0; i < d->n; i++) {
		struct mpx_dss_mapping *o = &d->m[i];
		uint32_t at;

		if (o->ssn == m->ssn && o->dsn == m->dsn) {
			/* The same mapping again (every packet of a
			 * multi-segment mapping repeats it): the longer
			 * length wins, it is not a contradiction. */
			if (m->len > o->len)
				o->len = m->len;
			return 0;
		}
		/* Do the two give the first byte of m other DSNs? */
		if (covers(o, m->ssn, &at) && o->dsn + at != m->dsn)
			inconsistent = 1;
		if (covers(m, o->ssn, &at) && m->dsn + at != o->dsn)
			inconsistent = 1;
		if (inconsistent) {
			slot = i;
			break;
		}
	}
	d->m[slot] = *m;
	if (slot == d->n && d->n < MPX_DSS_MAP_SLOTS)
		d->n++;
	else if (!inconsistent)
		d->next = (d->next + 1) % MPX_DSS_MAP_SLOTS;
	return inconsistent;
}

/*
 * The checksum covers the mapping's payload as the subflow carries it:
 * bytes are summed in subflow order, a retransmitted piece once. A piece
 * that starts past a hole leaves the mapping unchecked (never guessed).
 */
static void csum_take(struct mpx_dss_mapping *m, uint32_t at,
		      const uint8_t *buf, size_t n,
		      struct mpx_dss_feed_result *res)
{
	uint32_t skip;

	if (!m->has_csum || m->csum_state != 0)
		return;
	if (at > m->csum_next) {
		m->csum_state = 2;
		return;
	}
	skip = m->csum_next - at;
	if (skip >= n)
		return;
	m->csum_acc =
	    mpx_dss_csum_add(m->csum_acc, m->csum_next, buf + skip, n - skip);
	m->csum_next += (uint32_t)(n - skip);
	if (m->csum_next < m->csum_bytes)
		return;
	m->csum_state = 1;
	if (!res)
		return;
	if (mpx_dss_csum_ok(m->csum_acc, m->dsn, m->ssn, m->data_len,
			    m->csum)) {
		res->csum_ok++;
	} else if (!res->csum_bad) {
		res->csum_bad = 1;
		res->bad = *m;
	}
}

size_t mpx_dss_map_feed(struct mpx_dss_map *d, struct mpx_reasm *r,
			uint32_t seq, const uint8_t *buf, size_t len, int sf,
			struct mpx_dss_feed_result *res)
{
	size_t unmapped = 0;
	uint32_t rel;

	if (res)
		memset(res, 0, sizeof(*res));
	if (!d->have_isn) {
		if (res)
			res->unmapped = len;
		return len;
	}
	rel = seq - d->isn;
	while (len) {
		size_t n = len;
		uint32_t at;
		unsigned int i;

		for (i = 0; i < d->n; i++)
			if (covers(&d->m[i], rel, &at))
				break;
		if (i < d->n) {
			struct mpx_dss_mapping *m = &d->m[i];

			if (m->len != MPX_DSS_MAP_INFINITE && m->len - at < n)
				n = m->len - at;
			csum_take(m, at, buf, n, res);
			mpx_reasm_add(r, m->dsn + at, buf, n, sf);
		} else {
			/* Unmapped up to the nearest mapping ahead. */
			for (i = 0; i < d->n; i++) {
				uint32_t ahead = d->m[i].ssn - rel;

				if (ahead > 0 && ahead < n)
					n = ahead;
			}
			unmapped += n;
		}
		rel += (uint32_t)n;
		buf += n;
		len -= n;
	}
	if (res)
		res->unmapped = unmapped;
	return unmapped;
}
