// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* The header lines follow Zeek's ASCII writer: #separator, #set_separator,
 * #empty_field, #unset_field, #path, #open, #fields, #types, and #close at
 * the end. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output/zeek_writer.h"

struct zcol {
	const char *name;
	const char *type;
};

static const struct zcol cols[] = {
    {"ts", "time"},
    {"uid", "string"},
    {"version", "count"},
    {"key_a", "string"},
    {"key_b", "string"},
    {"token_a", "string"},
    {"token_b", "string"},
    {"duration", "interval"},
    {"end", "string"},
    {"midstream", "bool"},
    {"fallback", "bool"},
    {"n_subflows", "count"},
    {"joins_verified", "count"},
    {"subflows", "vector[string]"},
    {"orig_pkts", "count"},
    {"resp_pkts", "count"},
    {"orig_bytes", "count"},
    {"resp_bytes", "count"},
    {"anomalies", "set[string]"},
};

static void stamp(FILE *f, const char *what)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d-%H-%M-%S", &tm);
	fprintf(f, "#%s\t%s\n", what, buf);
}

static void header(FILE *f)
{
	fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
	      "#unset_field\t-\n#path\tmptcp\n",
	      f);
	stamp(f, "open");
	fputs("#fields", f);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		fprintf(f, "\t%s", cols[i].name);
	fputs("\n#types", f);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		fprintf(f, "\t%s", cols[i].type);
	fputc('\n', f);
}

/*
 * The detection alerts about no one connection (join_flood, mptcp_scan)
 * have no row in mptcp.log: they are written as a log of their own,
 * mptcp_detect (ts, kind, details as key=value words), its header written
 * whenever the stream switches from one log to the other, as zeek-cut
 * reads it. started: 1 = mptcp's header is current, 2 = mptcp_detect's.
 */
static void detect_header(FILE *f)
{
	fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
	      "#unset_field\t-\n#path\tmptcp_detect\n",
	      f);
	stamp(f, "open");
	fputs("#fields\tts\tkind\tdetails\n#types\ttime\tstring\tstring\n", f);
}

static void detail(FILE *f, const struct mpx_field *fl, int first)
{
	if (!first)
		fputc(' ', f);
	fprintf(f, "%s=", fl->key);
	switch (fl->type) {
	case MPX_F_STR:
		fputs(fl->v.s ? fl->v.s : "-", f);
		break;
	case MPX_F_U64:
		fprintf(f, "%" PRIu64, fl->v.u);
		break;
	case MPX_F_BOOL:
		fputs(fl->v.u ? "T" : "F", f);
		break;
	case MPX_F_HEX:
		fprintf(f, "%0*" PRIx64, fl->width, fl->v.u);
		break;
	case MPX_F_TIME:
		fprintf(f, "%" PRIu64 ".%06d", fl->v.u, fl->width);
		break;
	default:
		fputc('-', f);
		break;
	}
}

static void detect_row(struct mpx_event_writer *s,
		       const struct mpx_conn_event *e)
{
	FILE *f = s->out;
	const char *kind = "-";
	int n = 0;

	if (s->started != 2) {
		detect_header(f);
		s->started = 2;
	}
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].key, "kind") == 0 &&
		    e->fields[i].type == MPX_F_STR)
			kind = e->fields[i].v.s;
	fprintf(f, "%" PRId64 ".%06d\t%s\t", e->origin.ts_sec,
		(int)e->origin.ts_usec, kind);
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].key, "kind") != 0)
			detail(f, &e->fields[i], n++ == 0);
	if (!n)
		fputs("(empty)", f);
	fputc('\n', f);
}

static void key_or_unset(FILE *f, int has, uint64_t v, int digits)
{
	if (has)
		fprintf(f, "\t%0*" PRIx64, digits, v);
	else
		fputs("\t-", f);
}

static void zeek_event(struct mpx_event_writer *s,
		       const struct mpx_conn_event *e)
{
	const struct mpx_conn_summary *c = e->summary;
	struct mpx_sum_totals t;
	FILE *f = s->out;

	if (!c) {
		if (strcmp(e->name, "anomaly") == 0 && !e->conn_id)
			detect_row(s, e);
		return;
	}
	if (s->started != 1) {
		header(f);
		s->started = 1;
	}
	mpx_summary_totals(c, &t);
	fprintf(f, "%" PRId64 ".%06d\t%s\t", c->start_sec, (int)c->start_usec,
		c->id);
	if (c->version < 0)
		fputc('-', f);
	else
		fprintf(f, "%d", c->version);
	key_or_unset(f, c->has_key[0], c->key[0], 16);
	key_or_unset(f, c->has_key[1], c->key[1], 16);
	key_or_unset(f, c->has_token[0], c->token[0], 8);
	key_or_unset(f, c->has_token[1], c->token[1], 8);
	fprintf(f, "\t%.6f\t%s\t%s\t%s\t%d\t%d\t", c->duration, c->end,
		c->midstream ? "T" : "F", c->fallback ? "T" : "F", c->nsubflows,
		t.joins_verified);
	if (!c->nsubflows)
		fputs("(empty)", f);
	for (int i = 0; i < c->nsubflows; i++) {
		const struct mpx_tuple *t = &c->sf[i].tuple;

		fprintf(f, "%s%s:%u-%s:%u", i ? "," : "", t->src, t->sport,
			t->dst, t->dport);
	}
	fprintf(f, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t",
		t.packets[0], t.packets[1], t.bytes[0], t.bytes[1]);
	if (!c->nanomalies)
		fputs("(empty)", f);
	for (int i = 0; i < c->nanomalies; i++)
		fprintf(f, "%s%s", i ? "," : "", c->anomalies[i]);
	fputc('\n', f);
}

static void zeek_finish(struct mpx_event_writer *s)
{
	if (!s->started) {
		header(s->out);
		s->started = 1;
	}
	stamp(s->out, "close");
	fflush(s->out);
}

void mpx_zeek_writer_init(struct mpx_event_writer *s, FILE *f)
{
	s->started = 0;
	s->event = zeek_event;
	s->finish = zeek_finish;
	s->out = f;
}
