// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <string.h>

#include "output/conn_event.h"

static struct mpx_field *add(struct mpx_conn_event *e, const char *key,
			     enum mpx_field_type type)
{
	struct mpx_field *f;

	if (e->nfields >= MPX_EV_MAX_FIELDS)
		return NULL;
	f = &e->fields[e->nfields++];
	f->key = key;
	f->type = type;
	f->width = 0;
	return f;
}

void mpx_ev_str(struct mpx_conn_event *e, const char *key, const char *s)
{
	struct mpx_field *f = add(e, key, MPX_F_STR);

	if (f)
		f->v.s = s;
}

void mpx_ev_u64(struct mpx_conn_event *e, const char *key, uint64_t v)
{
	struct mpx_field *f = add(e, key, MPX_F_U64);

	if (f)
		f->v.u = v;
}

void mpx_ev_bool(struct mpx_conn_event *e, const char *key, int v)
{
	struct mpx_field *f = add(e, key, MPX_F_BOOL);

	if (f)
		f->v.u = !!v;
}

void mpx_ev_tristate(struct mpx_conn_event *e, const char *key, int v)
{
	if (v < 0)
		add(e, key, MPX_F_NULL);
	else
		mpx_ev_bool(e, key, v);
}

void mpx_ev_hex(struct mpx_conn_event *e, const char *key, uint64_t v,
		int digits)
{
	struct mpx_field *f = add(e, key, MPX_F_HEX);

	if (f) {
		f->v.u = v;
		f->width = digits;
	}
}

void mpx_ev_time(struct mpx_conn_event *e, const char *key,
		 const struct mpx_origin *t)
{
	struct mpx_field *f = add(e, key, MPX_F_TIME);

	if (f) {
		f->v.u = (uint64_t)t->ts_sec;
		f->width = t->ts_usec;
	}
}

void mpx_ev_bytes(struct mpx_conn_event *e, const char *key, const uint8_t *b,
		  int n)
{
	struct mpx_field *f = add(e, key, MPX_F_BYTES);

	if (f) {
		f->v.bytes = b;
		f->width = n;
	}
}

void mpx_ev_u8s(struct mpx_conn_event *e, const char *key, const uint8_t *v,
		int n)
{
	struct mpx_field *f = add(e, key, MPX_F_U8S);

	if (f) {
		f->v.bytes = v;
		f->width = n;
	}
}

void mpx_summary_totals(const struct mpx_conn_summary *s,
			struct mpx_sum_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < s->nsubflows; i++) {
		for (int d = 0; d < 2; d++) {
			t->packets[d] += s->sf[i].packets[d];
			t->bytes[d] += s->sf[i].bytes[d];
		}
		t->joins_verified += s->sf[i].verified == 1;
	}
}
