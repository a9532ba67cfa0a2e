// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

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

/* printf-formatted text into the line (the few members printf formats). */
static void raw_printf(struct json_line *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void raw_printf(struct json_line *j, const char *fmt, ...)
{
	char t[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (n > 0)
		jl_raw(j, t, (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1);
}

/* The summary's nested parts: written as raw JSON inside the line. */
static void summary(struct json_line *j, const struct mpx_conn_summary *s)
{
	int members;

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
	raw_printf(j, ",\"duration\":%.6f", s->duration);
	jl_str(j, "end", s->end);
	jl_bool(j, "midstream", s->midstream);
	jl_bool(j, "fallback", s->fallback);
	jl_u64(j, "joins_dropped", s->joins_dropped);
	JL_RAW_LIT(j, ",\"subflows\":[");
	/* Each subflow an object of its own: its members counted apart. */
	members = j->members;
	for (int i = 0; i < s->nsubflows; i++) {
		const struct mpx_sf_summary *sf = &s->sf[i];

		if (i)
			JL_RAW_LIT(j, ",");
		JL_RAW_LIT(j, "{");
		j->members = 0;
		tuple(j, &sf->tuple);
		jl_str(j, "role", sf->role);
		if (sf->verified < 0)
			jl_null(j, "verified");
		else
			jl_bool(j, "verified", sf->verified);
		jl_bool(j, "backup", sf->backup);
		jl_u64(j, "packets_fwd", sf->packets[0]);
		jl_u64(j, "packets_rev", sf->packets[1]);
		jl_u64(j, "bytes_fwd", sf->bytes[0]);
		jl_u64(j, "bytes_rev", sf->bytes[1]);
		jl_str(j, "end", sf->end);
		JL_RAW_LIT(j, "}");
	}
	j->members = members;
	JL_RAW_LIT(j, "],\"anomalies\":[");
	for (int i = 0; i < s->nanomalies; i++) {
		/* Names of this program's: nothing to escape. */
		if (i)
			JL_RAW_LIT(j, ",");
		JL_RAW_LIT(j, "\"");
		jl_raw(j, s->anomalies[i], strlen(s->anomalies[i]));
		JL_RAW_LIT(j, "\"");
	}
	JL_RAW_LIT(j, "]");
	if (s->has_data) {
		/* The data level, per direction (--streams and friends). */
		JL_RAW_LIT(j, ",\"data\":{");
		for (int dir = 0; dir < 2; dir++) {
			const struct mpx_data_summary *d = &s->data[dir];

			raw_printf(j,
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
		JL_RAW_LIT(j, "}");
	}
	j->members++;
}

/* The line is built in a buffer and written with one call: a stdio call
 * per member was a sixth of a replay's instructions (callgrind). */
static void json_event(struct mpx_event_writer *s,
		       const struct mpx_conn_event *e)
{
	char line[4096];
	struct json_line j;

	jl_begin_buf(&j, s->out, line, sizeof(line));
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
