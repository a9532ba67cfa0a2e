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

	if (!c)
		return;
	if (!s->started) {
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
