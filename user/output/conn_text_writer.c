// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>
#include <time.h>

#include "output/conn_text_writer.h"

void mpx_format_time(int64_t sec, int32_t usec, char *out, size_t outlen)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm)) {
		snprintf(out, outlen, "%" PRId64 ".%06d", sec, (int)usec);
		return;
	}
	snprintf(out, outlen, "%s.%06d", buf, (int)usec);
}

static void field(FILE *f, const struct mpx_field *fl)
{
	fprintf(f, " %s=", fl->key);
	switch (fl->type) {
	case MPX_F_STR:
		fputs(fl->v.s, f);
		break;
	case MPX_F_U64:
		fprintf(f, "%" PRIu64, fl->v.u);
		break;
	case MPX_F_BOOL:
		fputs(fl->v.u ? "yes" : "no", f);
		break;
	case MPX_F_NULL:
		fputc('-', f);
		break;
	case MPX_F_HEX:
		fprintf(f, "%0*" PRIx64, fl->width, fl->v.u);
		break;
	case MPX_F_BYTES:
		for (int i = 0; i < fl->width; i++)
			fprintf(f, "%02x", fl->v.bytes[i]);
		break;
	case MPX_F_U8S:
		for (int i = 0; i < fl->width; i++)
			fprintf(f, i ? ",%u" : "%u", fl->v.bytes[i]);
		break;
	case MPX_F_TIME: {
		char when[40];

		mpx_format_time((int64_t)fl->v.u, fl->width, when,
				sizeof(when));
		fputs(when, f);
		break;
	}
	}
}

static void summary(FILE *f, const struct mpx_conn_summary *s)
{
	struct mpx_sum_totals t;

	mpx_summary_totals(s, &t);
	if (s->version < 0)
		fputs(" v?", f);
	else
		fprintf(f, " v%d", s->version);
	fprintf(f,
		" end=%s duration=%.3fs subflows=%d joins_verified=%d "
		"packets=%" PRIu64 "/%" PRIu64 " bytes=%" PRIu64 "/%" PRIu64,
		s->end, s->duration, s->nsubflows, t.joins_verified,
		t.packets[0], t.packets[1], t.bytes[0], t.bytes[1]);
	if (s->joins_dropped)
		fprintf(f, " joins_dropped=%" PRIu64, s->joins_dropped);
	fputs(" anomalies=", f);
	if (!s->nanomalies)
		fputc('-', f);
	for (int i = 0; i < s->nanomalies; i++)
		fprintf(f, i ? ",%s" : "%s", s->anomalies[i]);
}

static void text_event(struct mpx_event_writer *s,
		       const struct mpx_conn_event *e)
{
	FILE *f = s->out;
	char when[40], ep[240] = "-";

	mpx_format_time(e->origin.ts_sec, e->origin.ts_usec, when,
			sizeof(when));
	if (e->tuple)
		snprintf(ep, sizeof(ep), "%s:%u > %s:%u%s%s", e->tuple->src,
			 e->tuple->sport, e->tuple->dst, e->tuple->dport,
			 e->tuple->sensor[0] ? " sensor=" : "",
			 e->tuple->sensor);
	fprintf(f, "%s  %-19s %-16s %-44s", when, e->name,
		e->conn_id ? e->conn_id : "-", ep);
	for (int i = 0; i < e->nfields; i++)
		field(f, &e->fields[i]);
	if (e->summary)
		summary(f, e->summary);
	fputc('\n', f);
}

static void text_finish(struct mpx_event_writer *s)
{
	fflush(s->out);
}

void mpx_text_writer_init(struct mpx_event_writer *s, FILE *f)
{
	s->event = text_event;
	s->finish = text_finish;
	s->out = f;
}
