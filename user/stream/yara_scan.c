// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * YARA over a data-level stream (yara_scan.h). Each stream holds one buffer
 * of MPX_YARA_WINDOW + MPX_YARA_BATCH bytes: the window already scanned,
 * then the new bytes. A scan covers both; a string match is reported only
 * when it ends in the new part, so no match is reported by two scans, and
 * one that starts in the window (bytes of an earlier batch) is still found.
 *
 * Which subflow carried which bytes is a list of runs, not a byte array:
 * consecutive bytes of one subflow are one run. The list has a fixed size;
 * when a sender alternates subflows every few bytes it is coarsened (runs
 * merged pairwise, their masks or-ed), so a match's subflow mask may then
 * name a subflow that carried bytes next to the match, never fewer than
 * carried it.
 *
 * What YARA's conditions see is the scanned buffer, not the stream:
 * filesize, "at", "in" and @a[i] are offsets within window + new bytes, and
 * a count such as #a counts only what that buffer holds. Rules whose
 * strings are all plain (a condition of "any of them" and the like) behave
 * as on the whole stream, but for strings longer than the window. A rule
 * that becomes true only when its string matches all lie in the window
 * reports nothing. A regular expression or hex jump that matches up to the
 * end of a batch can match again from the same start, longer, once more
 * bytes come: a different (off, len), reported again.
 *
 * The match callback runs inside the scan: it must not call this stream's
 * functions.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yara.h>

#include "stream/yara_scan.h"

/* Runs of subflow bytes a stream keeps (16 bytes each): enough for
 * segments of 128 bytes or more over a full buffer without coarsening. */
#define YARA_RUNS_MAX 1024

/* Match candidates kept allocated between scans; a scan that needed more
 * gives its array back, so a burst of matches does not pin memory. */
#define YARA_CAND_KEEP 1024

struct mpx_yara_rules {
	YR_RULES *yr;
};

struct yara_run {
	uint64_t off; /* stream offset of the first byte */
	uint32_t len; /* at most the buffer size */
	uint32_t mask;
};

struct yara_cand {
	uint64_t off, len;
};

/* A string match found, reported at the next scan (or the stream's end):
 * copies of its bytes that come meanwhile (a reinjection follows the
 * first copy by about a round trip) count among its carriers. */
struct yara_pend {
	const YR_RULE *rule;
	uint64_t off, len;
};

struct mpx_yara_stream {
	struct mpx_yara_rules *rules;
	mpx_yara_match_fn fn;
	void *arg;
	uint8_t *buf;  /* MPX_YARA_WINDOW + MPX_YARA_BATCH bytes */
	uint64_t base; /* stream offset of buf[0] */
	size_t win;    /* buf[0, win): scanned, kept for the next scan */
	size_t fresh;  /* buf[win, win + fresh): not scanned yet */
	uint64_t next; /* offset data() is expected at: base + win + fresh */
	struct yara_run *runs; /* cover [base, next), in order, no hole */
	size_t nruns;
	uint8_t *fired; /* bit per rule: reported with no string match */
	struct yara_cand *cand;
	size_t ncand, cand_cap;
	struct yara_pend *pend;
	size_t npend, pend_cap;
};

/* libyara's own init count is not documented as an API guarantee; ours
 * makes repeated load/free and several rule sets safe either way. */
static pthread_mutex_t yara_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int yara_users;

static int yara_get(void)
{
	int rc = ERROR_SUCCESS;

	pthread_mutex_lock(&yara_lock);
	if (yara_users == 0)
		rc = yr_initialize();
	if (rc == ERROR_SUCCESS)
		yara_users++;
	pthread_mutex_unlock(&yara_lock);
	return rc;
}

static void yara_put(void)
{
	pthread_mutex_lock(&yara_lock);
	if (yara_users && --yara_users == 0)
		yr_finalize();
	pthread_mutex_unlock(&yara_lock);
}

struct compile_err {
	char msg[512];
	int have;
};

/* Keeps the first error only: later ones are often consequences of it. */
static void on_compile(int level, const char *file, int line,
		       const YR_RULE *rule, const char *message, void *arg)
{
	struct compile_err *ce = arg;

	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR || ce->have)
		return;
	ce->have = 1;
	snprintf(ce->msg, sizeof(ce->msg), "%s%sline %d: %s", file ? file : "",
		 file ? " " : "", line, message ? message : "error");
}

/* The caller prints err on one line: a message quoting a token of the
 * rules file could hold a newline or other control characters. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	one_line(err);
}

static YR_RULES *compile(const char *path, FILE *f, char *err, size_t errlen)
{
	struct compile_err ce = {.have = 0};
	YR_COMPILER *c = NULL;
	YR_RULES *yr = NULL;
	int n;

	if (yr_compiler_create(&c) != ERROR_SUCCESS) {
		set_err(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	yr_compiler_set_callback(c, on_compile, &ce);
	n = yr_compiler_add_file(c, f, NULL, path);
	if (n > 0) {
		/* The callback names the file the error is in: path, or a
		 * file it includes. */
		if (ce.have)
			set_err(err, errlen, "%s: %s", path, ce.msg);
		else
			set_err(err, errlen, "%s: %d compiler error(s)", path,
				n);
	} else if (yr_compiler_get_rules(c, &yr) != ERROR_SUCCESS) {
		set_err(err, errlen, "%s: cannot build the rules", path);
		yr = NULL;
	}
	yr_compiler_destroy(c);
	return yr;
}

struct mpx_yara_rules *mpx_yara_rules_load(const char *path, char *err,
					   size_t errlen)
{
	struct mpx_yara_rules *r;
	struct stat st;
	YR_RULES *yr;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (!f) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* fopen() opens a directory; the lexer would then report a
	 * misleading syntax error. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s: is a directory, not a rules file",
			path);
		fclose(f);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		set_err(err, errlen, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	rc = yara_get();
	if (rc != ERROR_SUCCESS) {
		set_err(err, errlen, "%s: libyara initialisation failed (%d)",
			path, rc);
		free(r);
		fclose(f);
		return NULL;
	}
	yr = compile(path, f, err, errlen);
	fclose(f);
	if (!yr) {
		yara_put();
		free(r);
		return NULL;
	}
	r->yr = yr;
	return r;
}

void mpx_yara_rules_free(struct mpx_yara_rules *r)
{
	if (!r)
		return;
	yr_rules_destroy(r->yr);
	free(r);
	yara_put();
}

struct mpx_yara_stream *mpx_yara_stream_new(struct mpx_yara_rules *r,
					    mpx_yara_match_fn fn, void *arg)
{
	struct mpx_yara_stream *s;

	if (!r)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->rules = r;
	s->fn = fn;
	s->arg = arg;
	/* malloc, not calloc: the pages of a short stream's unused tail are
	 * never touched. */
	s->buf = malloc(MPX_YARA_WINDOW + MPX_YARA_BATCH);
	s->runs = malloc(YARA_RUNS_MAX * sizeof(*s->runs));
	s->fired = calloc(1, r->yr->num_rules / 8 + 1);
	if (!s->buf || !s->runs || !s->fired) {
		mpx_yara_stream_free(s);
		return NULL;
	}
	return s;
}

void mpx_yara_stream_free(struct mpx_yara_stream *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s->runs);
	free(s->fired);
	free(s->cand);
	free(s->pend);
	free(s);
}

/* Halves the list: pairs of neighbours become one run, then neighbours
 * left with the same mask are joined. Or-ed masks only ever widen, so a
 * match is never told fewer subflows than carried it. */
static void runs_coarsen(struct mpx_yara_stream *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nruns; i += 2) {
		struct yara_run r = s->runs[i];

		if (i + 1 < s->nruns) {
			r.len += s->runs[i + 1].len;
			r.mask |= s->runs[i + 1].mask;
		}
		if (n && s->runs[n - 1].mask == r.mask)
			s->runs[n - 1].len += r.len;
		else
			s->runs[n++] = r;
	}
	s->nruns = n;
}

static void runs_add(struct mpx_yara_stream *s, uint64_t off, size_t len,
		     uint32_t mask)
{
	struct yara_run *last;

	if (s->nruns) {
		last = &s->runs[s->nruns - 1];
		if (last->mask == mask && last->off + last->len == off) {
			last->len += (uint32_t)len;
			return;
		}
	}
	if (s->nruns == YARA_RUNS_MAX) {
		runs_coarsen(s);
		last = &s->runs[s->nruns - 1];
		if (last->mask == mask) {
			last->len += (uint32_t)len;
			return;
		}
	}
	s->runs[s->nruns++] =
	    (struct yara_run){.off = off, .len = (uint32_t)len, .mask = mask};
}

/* Forgets the runs of bytes before off (they left the window). */
static void runs_drop_before(struct mpx_yara_stream *s, uint64_t off)
{
	size_t i = 0;

	while (i < s->nruns && s->runs[i].off + s->runs[i].len <= off)
		i++;
	if (i)
		memmove(s->runs, s->runs + i,
			(s->nruns - i) * sizeof(*s->runs));
	s->nruns -= i;
	if (s->nruns && s->runs[0].off < off) {
		s->runs[0].len -= (uint32_t)(off - s->runs[0].off);
		s->runs[0].off = off;
	}
}

/* The first run that ends after off. */
static size_t runs_find(const struct mpx_yara_stream *s, uint64_t off)
{
	size_t lo = 0, hi = s->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->runs[mid].off + s->runs[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The subflows that carried some of [off, off + len) (*any) and those
 * that carried all of it (*all). */
static void runs_mask(const struct mpx_yara_stream *s, uint64_t off,
		      uint64_t len, uint32_t *any, uint32_t *all)
{
	size_t i = runs_find(s, off);

	*any = 0;
	*all = i < s->nruns && s->runs[i].off < off + len ? UINT32_MAX : 0;
	for (; i < s->nruns && s->runs[i].off < off + len; i++) {
		*any |= s->runs[i].mask;
		*all &= s->runs[i].mask;
	}
}

/* Run i becomes two, the second starting at off (inside it). 0, or -1
 * when the list is full. */
static int runs_split(struct mpx_yara_stream *s, size_t i, uint64_t off)
{
	struct yara_run *r = &s->runs[i];
	uint32_t head = (uint32_t)(off - r->off);

	if (s->nruns == YARA_RUNS_MAX)
		return -1;
	memmove(s->runs + i + 1, s->runs + i,
		(s->nruns - i) * sizeof(*s->runs));
	s->nruns++;
	s->runs[i].len = head;
	s->runs[i + 1].off = off;
	s->runs[i + 1].len -= head;
	return 0;
}

void mpx_yara_stream_copy(struct mpx_yara_stream *s, uint64_t off, uint64_t len,
			  int sf)
{
	uint32_t bit = sf >= 0 && sf < 32 ? 1u << sf : 0;
	uint64_t end = off + len;
	size_t i;

	if (!bit || !len)
		return;
	i = runs_find(s, off);
	if (i < s->nruns && s->runs[i].off < off &&
	    s->runs[i].off + s->runs[i].len > off && runs_split(s, i, off) == 0)
		i++;
	for (; i < s->nruns && s->runs[i].off < end; i++) {
		struct yara_run *r = &s->runs[i];

		/* A run that reaches past the copy is cut at its end; when
		 * the list is full the whole run takes the bit (wider, never
		 * narrower). */
		if (r->off + r->len > end)
			runs_split(s, i, end);
		s->runs[i].mask |= bit;
	}
}

static int cand_cmp(const void *a, const void *b)
{
	const struct yara_cand *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return 0;
}

static void cand_add(struct mpx_yara_stream *s, uint64_t off, uint64_t len)
{
	if (s->ncand == s->cand_cap) {
		size_t cap = s->cand_cap ? s->cand_cap * 2 : 64;
		struct yara_cand *c = realloc(s->cand, cap * sizeof(*c));

		/* Out of memory: this match is lost, the others still go
		 * out. */
		if (!c)
			return;
		s->cand = c;
		s->cand_cap = cap;
	}
	s->cand[s->ncand++] = (struct yara_cand){off, len};
}

static void pend_add(struct mpx_yara_stream *s, const YR_RULE *rule,
		     uint64_t off, uint64_t len)
{
	if (s->npend == s->pend_cap) {
		size_t cap = s->pend_cap ? s->pend_cap * 2 : 16;
		struct yara_pend *p = realloc(s->pend, cap * sizeof(*p));

		if (!p)
			return; /* out of memory: this match is lost */
		s->pend = p;
		s->pend_cap = cap;
	}
	s->pend[s->npend++] = (struct yara_pend){rule, off, len};
}

static void report(struct mpx_yara_stream *s, const YR_RULE *rule, uint64_t off,
		   uint64_t len, uint32_t any, uint32_t all)
{
	/* Split: no one subflow carried every byte (copies included). */
	struct mpx_yara_match m = {
	    .rule = rule->identifier,
	    .off = off,
	    .len = len,
	    .subflows = any,
	    .split = any != 0 && all == 0,
	};

	if (s->fn)
		s->fn(s->arg, &m);
}

/*
 * One matching rule: each distinct (offset, length) of its strings'
 * matches that ends in the new bytes, in stream order. Two strings of a
 * rule matching the same bytes give one report.
 *
 * A rule that matched with no string match in the buffer (a condition
 * with no strings, "not $a", or private strings only) has nothing to
 * anchor "ends in the new part" on: it would fire again at every scan, so
 * it is reported once per stream, gaps included, with the offset of the
 * first new byte of that scan, a length of 0 and no subflow.
 */
static void on_rule(struct mpx_yara_stream *s, YR_SCAN_CONTEXT *ctx,
		    const YR_RULE *rule)
{
	const YR_STRING *str;
	int any = 0;
	size_t i, n;

	s->ncand = 0;
	yr_rule_strings_foreach(rule, str)
	{
		/* Not yr_string_matches_foreach(): libyara 4.2 hands out
		 * matches from its notebook unaligned (UBSan: misaligned
		 * YR_MATCH), so each is copied before its fields are read.
		 * Private strings are skipped, as that macro does. */
		const void *p = ctx->matches[str->idx].head;

		while (p) {
			YR_MATCH m;
			uint64_t at, len;

			memcpy(&m, p, sizeof(m));
			p = m.next;
			if (m.is_private)
				continue;
			at = (uint64_t)(m.base + m.offset);
			len = (uint64_t)m.match_length;
			any = 1;
			if (at + len > s->win || (len == 0 && at >= s->win))
				cand_add(s, s->base + at, len);
		}
	}
	if (!any) {
		size_t idx = (size_t)(rule - s->rules->yr->rules_table);

		if (s->fired[idx / 8] & (1u << (idx % 8)))
			return;
		s->fired[idx / 8] |= (uint8_t)(1u << (idx % 8));
		report(s, rule, s->base + s->win, 0, 0, 0);
		return;
	}
	qsort(s->cand, s->ncand, sizeof(*s->cand), cand_cmp);
	for (i = 0, n = s->ncand; i < n; i++) {
		const struct yara_cand *c = &s->cand[i];

		if (i && cand_cmp(c, &s->cand[i - 1]) == 0)
			continue;
		pend_add(s, rule, c->off, c->len);
	}
}

/* The matches of the last scan, with their carriers as they are now. */
static void pend_report(struct mpx_yara_stream *s)
{
	for (size_t i = 0; i < s->npend; i++) {
		const struct yara_pend *p = &s->pend[i];
		uint32_t any, all;

		runs_mask(s, p->off, p->len, &any, &all);
		report(s, p->rule, p->off, p->len, any, all);
	}
	s->npend = 0;
}

static int on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data, void *arg)
{
	if (message == CALLBACK_MSG_RULE_MATCHING)
		on_rule(arg, ctx, data);
	return CALLBACK_CONTINUE;
}

static void scan(struct mpx_yara_stream *s)
{
	size_t total = s->win + s->fresh, keep;
	uint64_t drop;

	if (!s->fresh)
		return;
	pend_report(s);
	/* NO_TRYCATCH: the buffer is ours, in memory, and cannot be
	 * truncated under the scan as a mapped file can; without it libyara
	 * installs process-wide SIGSEGV/SIGBUS handlers for every scan.
	 * A scan error (timeout, out of memory) loses only what the scan had
	 * not yet reported: the callback has already sent the rest. */
	yr_rules_scan_mem(s->rules->yr, s->buf, total,
			  SCAN_FLAGS_REPORT_RULES_MATCHING |
			      SCAN_FLAGS_NO_TRYCATCH,
			  on_scan, s, 0);
	if (s->cand_cap > YARA_CAND_KEEP) {
		free(s->cand);
		s->cand = NULL;
		s->cand_cap = 0;
	}
	s->ncand = 0;
	keep = total < MPX_YARA_WINDOW ? total : MPX_YARA_WINDOW;
	memmove(s->buf, s->buf + (total - keep), keep);
	s->base += total - keep;
	s->win = keep;
	s->fresh = 0;
	/* The carriers of a match not reported yet are kept, even where it
	 * starts before the window. */
	drop = s->base;
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].off < drop)
			drop = s->pend[i].off;
	runs_drop_before(s, drop);
}

void mpx_yara_stream_gap(struct mpx_yara_stream *s, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;

	/* A gap wholly behind the bytes taken changes nothing. */
	if (end <= s->next)
		return;
	scan(s);
	pend_report(s);
	s->base = s->next = end;
	s->win = s->fresh = 0;
	s->nruns = 0;
}

void mpx_yara_stream_data(struct mpx_yara_stream *s, uint64_t off,
			  const uint8_t *buf, size_t len, int sf)
{
	uint32_t mask = sf >= 0 && sf < 32 ? 1u << sf : 0;

	/* Bytes after a hole the caller did not declare: the same as a gap,
	 * or a match would join bytes that were never adjacent. */
	if (off > s->next)
		mpx_yara_stream_gap(s, s->next, off - s->next);
	/* Bytes already taken (the reassembler gives each byte once, so only
	 * a caller's overlap): the first copy is kept. */
	if (off < s->next) {
		if (s->next - off >= len)
			return;
		buf += s->next - off;
		len -= s->next - off;
	}
	while (len) {
		size_t n = MPX_YARA_BATCH - s->fresh;

		if (n > len)
			n = len;
		memcpy(s->buf + s->win + s->fresh, buf, n);
		runs_add(s, s->next, n, mask);
		s->fresh += n;
		s->next += n;
		buf += n;
		len -= n;
		if (s->fresh == MPX_YARA_BATCH)
			scan(s);
	}
}

void mpx_yara_stream_flush(struct mpx_yara_stream *s)
{
	scan(s);
	pend_report(s);
}
