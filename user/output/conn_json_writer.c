// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>

#include "output/conn_json_writer.h"
#include "output/json_line.h"

static void field(struct json_line *j, const struct mpx_field *f)
{
	switch (f->type) {
	case MPX_F_STR:
		jl_str(j, f->key, f->v.s);
		break;
	case MPX_F_U64:
		jl_u64(j, f->key, f->v.u);
		break;
	case MPX_F_BOOL:
		jl_bool(j, f->key, (int)f->v.u);
		break;
	case MPX_F_NULL:
		jl_null(j, f->key);
		break;
	case MPX_F_HEX:
		jl_hex(j, f->key, f->v.u, f->width);
		break;
	case MPX_F_BYTES:
		jl_hex_bytes(j, f->key, f->v.bytes, (size_t)f->width);
		break;
	case MPX_F_U8S:
		jl_u8_array(j, f->key, f->v.bytes, (size_t)f->width);
		break;
	case MPX_F_TIME:
		jl_time(j, f->key, (int64_t)f->v.u, f->width);
		break;
	}
}

static void tuple(struct json_line *j, const struct mpx_tuple *t)
{
	jl_str(j, "src", t->src);
	jl_str(j, "dst", t->dst);
	jl_u64(j, "sport", t->sport);
	jl_u64(j, "dport", t->dport);
	if (t->sensor[0])
		jl_str(j, "sensor", t->sensor);
}

/* The summary's nested parts: written as raw JSON inside the line. */
static void summary(struct json_line *j, const struct mpx_conn_summary *s)
{
	FILE *f = j->f;

	if (s->version < 0)
		jl_null(j, "version"); /* no MP_CAPABLE seen: midstream */
	else
		jl_u64(j, "version", (uint64_t)s->version);
	for (int side = 0; side < 2; side++) {
		if (s->has_key[side])
			jl_hex(j, side ? "key_b" : "key_a", s->key[side], 16);
		if (s->has_token[side])
			jl_hex(j, side ? "token_b" : "token_a", s->token[side],
			       8);
	}
	jl_time(j, "start", s->start_sec, s->start_usec);
	/* duration: seconds with microseconds, like ts */
	fprintf(f, ",\"duration\":%.6f", s->duration);
	jl_str(j, "end", s->end);
	jl_bool(j, "midstream", s->midstream);
	jl_bool(j, "fallback", s->fallback);
	jl_u64(j, "joins_dropped", s->joins_dropped);
	fputs(",\"subflows\":[", f);
	for (int i = 0; i < s->nsubflows; i++) {
		const struct mpx_sf_summary *sf = &s->sf[i];
		struct json_line o = {0}; /* unbuffered: f is written too */

		if (i)
			fputc(',', f);
		o.f = f;
		o.members = 0;
		fputc('{', f);
		tuple(&o, &sf->tuple);
		jl_str(&o, "role", sf->role);
		if (sf->verified < 0)
			jl_null(&o, "verified");
		else
			jl_bool(&o, "verified", sf->verified);
		jl_bool(&o, "backup", sf->backup);
		jl_u64(&o, "packets_fwd", sf->packets[0]);
		jl_u64(&o, "packets_rev", sf->packets[1]);
		jl_u64(&o, "bytes_fwd", sf->bytes[0]);
		jl_u64(&o, "bytes_rev", sf->bytes[1]);
		jl_str(&o, "end", sf->end);
		fputc('}', f);
	}
	fputs("],\"anomalies\":[", f);
	for (int i = 0; i < s->nanomalies; i++)
		fprintf(f, i ? ",\"%s\"" : "\"%s\"", s->anomalies[i]);
	fputc(']', f);
	if (s->has_data) {
		/* The data level, per direction (--streams and friends). */
		fputs(",\"data\":{", f);
		for (int dir = 0; dir < 2; dir++) {
			const struct mpx_data_summary *d = &s->data[dir];

			fprintf(f,
				"%s\"%s\":{\"data_bytes\":%llu,"
				"\"data_gap_bytes\":%llu,"
				"\"reinjected_bytes\":%llu,"
				"\"depth_bytes\":%llu}",
				dir ? "," : "", dir ? "b2a" : "a2b",
				(unsigned long long)d->data_bytes,
				(unsigned long long)d->gap_bytes,
				(unsigned long long)d->reinjected_bytes,
				(unsigned long long)d->depth_bytes);
		}
		fputc('}', f);
	}
	j->members++;
}

static void json_event(struct mpx_event_writer *s,
		       const struct mpx_conn_event *e)
{
	struct json_line j;

	jl_begin(&j, s->out);
	if (e->origin.frame)
		jl_u64(&j, "frame", e->origin.frame);
	jl_time(&j, "ts", e->origin.ts_sec, e->origin.ts_usec);
	jl_str(&j, "event", e->name);
	if (e->conn_id)
		jl_str(&j, "conn", e->conn_id);
	if (e->tuple)
		tuple(&j, e->tuple);
	for (int i = 0; i < e->nfields; i++)
		field(&j, &e->fields[i]);
	if (e->summary)
		summary(&j, e->summary);
	jl_end(&j);
}

static void json_finish(struct mpx_event_writer *s)
{
	fflush(s->out);
}

void mpx_json_writer_init(struct mpx_event_writer *s, FILE *f)
{
	s->event = json_event;
	s->finish = json_finish;
	s->out = f;
}
