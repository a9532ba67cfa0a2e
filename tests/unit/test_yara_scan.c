// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * YARA over a data-level stream (user/stream/yara_scan.c): a string split
 * across data() calls and subflows is found once, with the subflows that
 * carried it; batch boundaries repeat nothing; no match spans a gap; a bad
 * rules file is one line of error. Rules files are written at run time
 * into a fresh directory under $TMPDIR (default /tmp).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/yara_scan.h"
#include "test_harness.h"

#define MARKER	   "MPTCP-SPLIT-MARKER"
#define MARKER_LEN (sizeof(MARKER) - 1)
#define HITS_MAX   64

#define MARKER_RULE                                                            \
	"rule marker\n"                                                        \
	"{\n"                                                                  \
	"\tstrings:\n"                                                         \
	"\t\t$a = \"" MARKER "\"\n"                                            \
	"\tcondition:\n"                                                       \
	"\t\t$a\n"                                                             \
	"}\n"

static const char marker_rules[] = MARKER_RULE;

struct hit {
	const char *rule;
	uint64_t off, len;
	uint32_t subflows;
	int split;
};

struct sink {
	struct hit hits[HITS_MAX];
	int n;
};

static void on_match(void *arg, const struct mpx_yara_match *m)
{
	struct sink *s = arg;

	if (s->n < HITS_MAX)
		s->hits[s->n] = (struct hit){m->rule, m->off, m->len,
					     m->subflows, m->split};
	s->n++;
}

/* The directory of the running test's rules files, removed by tmp_done. */
static char tmpdir[512];
static char pathbuf[1024];

static int tmp_start(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/mpx-yara-XXXXXX",
		 t && *t ? t : "/tmp");
	return CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp %s", tmpdir);
}

static void tmp_done(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(pathbuf, sizeof(pathbuf), "%s/%s", tmpdir, e->d_name);
		unlink(pathbuf);
	}
	closedir(d);
	rmdir(tmpdir);
}

/* The file's path, valid until the next call. */
static const char *write_rules(const char *name, const char *text)
{
	FILE *f;

	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", tmpdir, name);
	f = fopen(pathbuf, "w");
	if (!f)
		return pathbuf;
	fputs(text, f);
	fclose(f);
	return pathbuf;
}

static struct mpx_yara_rules *load(const char *name, const char *text)
{
	char err[256] = "";
	struct mpx_yara_rules *r;

	r = mpx_yara_rules_load(write_rules(name, text), err, sizeof(err));
	CHECK(r != NULL, "load %s: %s", name, err);
	return r;
}

static void data(struct mpx_yara_stream *s, uint64_t off, const char *text,
		 int sf)
{
	mpx_yara_stream_data(s, off, (const uint8_t *)text, strlen(text), sf);
}

/* 3 batches and a bit of filler that matches nothing, with markers at
 * the given offsets. */
#define BIG_LEN (3 * MPX_YARA_BATCH + 4096)

static uint8_t *big_stream(const uint64_t *at, size_t n)
{
	uint8_t *b = malloc(BIG_LEN);

	if (!b)
		return NULL;
	for (size_t i = 0; i < BIG_LEN; i++)
		b[i] = (uint8_t)('a' + i % 23);
	for (size_t i = 0; i < n; i++)
		memcpy(b + at[i], MARKER, MARKER_LEN);
	return b;
}

TEST(yara_split_across_subflows)
{
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};

	if (!tmp_start())
		return;
	r = load("m.yar", marker_rules);
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	/* "xxxxxx" + "MPTCP-SP" on subflow 0, "LIT-MARKER" + "yy" on 1. */
	data(s, 0, "xxxxxxMPTCP-SP", 0);
	data(s, 14, "LIT-MARKERyy", 1);
	ASSERT_EQ(k.n, 0); /* less than a batch: nothing scanned yet */
	mpx_yara_stream_flush(s);
	if (ASSERT_EQ(k.n, 1)) {
		ASSERT_STREQ(k.hits[0].rule, "marker");
		ASSERT_EQ(k.hits[0].off, 6);
		ASSERT_EQ(k.hits[0].len, MARKER_LEN);
		ASSERT_EQ(k.hits[0].subflows, 0x3);
		ASSERT_EQ(k.hits[0].split, 1);
	}
	/* A second flush has nothing new to scan. */
	mpx_yara_stream_flush(s);
	ASSERT_EQ(k.n, 1);
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	tmp_done();
}

/* A copy carried whole by one subflow (a reinjection) before the scan:
 * that subflow counts, and the match is not split; a copy of part of it
 * leaves it split. */
TEST(yara_copy_on_one_subflow_not_split)
{
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};

	if (!tmp_start())
		return;
	r = load("m.yar", marker_rules);
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	data(s, 0, "xxxxxxMPTCP-SP", 0);
	data(s, 14, "LIT-MARKERyy", 1);
	mpx_yara_stream_copy(s, 4, 20, 2); /* covers [6, 24) whole */
	mpx_yara_stream_flush(s);
	if (ASSERT_EQ(k.n, 1)) {
		ASSERT_EQ(k.hits[0].off, 6);
		ASSERT_EQ(k.hits[0].subflows, 0x7);
		ASSERT_EQ(k.hits[0].split, 0);
	}
	mpx_yara_stream_free(s);
	k.n = 0;
	s = mpx_yara_stream_new(r, on_match, &k);
	if (!CHECK(s != NULL, "stream"))
		goto out;
	data(s, 0, "xxxxxxMPTCP-SP", 0);
	data(s, 14, "LIT-MARKERyy", 1);
	mpx_yara_stream_copy(s, 8, 10, 2); /* part of it only */
	mpx_yara_stream_flush(s);
	if (ASSERT_EQ(k.n, 1)) {
		ASSERT_EQ(k.hits[0].subflows, 0x7);
		ASSERT_EQ(k.hits[0].split, 1);
	}
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	tmp_done();
}

TEST(yara_one_subflow_not_split)
{
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};

	if (!tmp_start())
		return;
	r = load("m.yar", marker_rules);
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	/* Subflows 1 and 3 carry the bytes right before and right after. */
	data(s, 0, "aaaa", 1);
	data(s, 4, MARKER, 2);
	data(s, 4 + MARKER_LEN, "bbbb", 3);
	mpx_yara_stream_flush(s);
	if (ASSERT_EQ(k.n, 1)) {
		ASSERT_EQ(k.hits[0].off, 4);
		ASSERT_EQ(k.hits[0].len, MARKER_LEN);
		ASSERT_EQ(k.hits[0].subflows, 1u << 2);
		ASSERT_EQ(k.hits[0].split, 0);
	}
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	tmp_done();
}

/*
 * Markers straddling the first and third batch boundaries, one wholly in
 * the second batch (kept in the window, scanned again by the third scan),
 * one at the very start. Each is reported once, whether the bytes come in
 * one call longer than a batch or in 1000-byte pieces.
 */
TEST(yara_batch_boundary_reported_once)
{
	static const uint64_t at[] = {0, MPX_YARA_BATCH - 9,
				      2 * MPX_YARA_BATCH - 100,
				      3 * MPX_YARA_BATCH - 1};
	const size_t n = sizeof(at) / sizeof(at[0]);
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s = NULL;
	uint8_t *b = big_stream(at, n);

	if (!CHECK(b != NULL, "malloc") || !tmp_start()) {
		free(b);
		return;
	}
	r = load("m.yar", marker_rules);
	for (int piecewise = 0; r && piecewise < 2; piecewise++) {
		struct sink k = {.n = 0};

		s = mpx_yara_stream_new(r, on_match, &k);
		if (!CHECK(s != NULL, "stream"))
			break;
		if (piecewise) {
			for (size_t o = 0; o < BIG_LEN; o += 1000) {
				size_t l =
				    BIG_LEN - o < 1000 ? BIG_LEN - o : 1000;

				mpx_yara_stream_data(s, o, b + o, l,
						     (int)(o / 1000 % 2));
			}
		} else {
			mpx_yara_stream_data(s, 0, b, BIG_LEN, 4);
		}
		/* Three batches scanned: all but the last marker out. */
		ASSERT_EQ(k.n, n - 1);
		mpx_yara_stream_flush(s);
		if (ASSERT_EQ(k.n, n)) {
			for (size_t i = 0; i < n; i++) {
				ASSERT_EQ(k.hits[i].off, at[i]);
				ASSERT_EQ(k.hits[i].len, MARKER_LEN);
			}
		}
		if (!piecewise)
			ASSERT_EQ(k.hits[1].subflows, 1u << 4);
		else /* 65527..65544: wholly in piece 65 (65000..65999) */
			ASSERT_EQ(k.hits[1].subflows, 1u << 1);
		mpx_yara_stream_free(s);
		s = NULL;
	}
	mpx_yara_rules_free(r);
	free(b);
	tmp_done();
}

TEST(yara_no_match_across_gap)
{
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};
	const char *before = "..MPTCP-SPLIT-MARKER..MPTCP-SP"; /* 30 bytes */
	const char *after = "LIT-MARKER.." MARKER;

	if (!tmp_start())
		return;
	r = load("m.yar", marker_rules);
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	data(s, 0, before, 0);
	mpx_yara_stream_gap(s, 30, 5);
	/* The gap scans what came before it. */
	if (ASSERT_EQ(k.n, 1))
		ASSERT_EQ(k.hits[0].off, 2);
	data(s, 35, after, 1);
	mpx_yara_stream_flush(s);
	if (ASSERT_EQ(k.n, 2)) {
		ASSERT_EQ(k.hits[1].off, 35 + 12);
		ASSERT_EQ(k.hits[1].len, MARKER_LEN);
		ASSERT_EQ(k.hits[1].subflows, 1u << 1);
	}
	/* A hole not declared (data past the next offset) is a gap too. */
	data(s, 100, "MPTCP-SP", 0);
	data(s, 120, "LIT-MARKER", 0);
	mpx_yara_stream_flush(s);
	ASSERT_EQ(k.n, 2);
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	tmp_done();
}

TEST(yara_same_bytes_two_strings_reported_once)
{
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};

	if (!tmp_start())
		return;
	r = load("twin.yar", "rule twin {\n"
			     "  strings:\n"
			     "    $x = \"TWIN-BYTES\"\n"
			     "    $y = \"TWIN-BYTES\"\n"
			     "    $z = \"TWIN\"\n"
			     "  condition:\n"
			     "    any of them\n"
			     "}\n");
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	data(s, 0, "..TWIN-BYTES..", 0);
	mpx_yara_stream_flush(s);
	/* (2, 4) for $z, (2, 10) once for $x and $y, in offset order. */
	if (ASSERT_EQ(k.n, 2)) {
		ASSERT_EQ(k.hits[0].off, 2);
		ASSERT_EQ(k.hits[0].len, 4);
		ASSERT_EQ(k.hits[1].off, 2);
		ASSERT_EQ(k.hits[1].len, 10);
	}
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	tmp_done();
}

TEST(yara_condition_only_once_per_stream)
{
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s = NULL;
	struct sink k = {.n = 0};
	uint8_t *b = big_stream(NULL, 0);
	int always = 0, marker = 0;

	if (!CHECK(b != NULL, "malloc") || !tmp_start()) {
		free(b);
		return;
	}
	r = load("c.yar", "rule always { condition: true }\n" MARKER_RULE);
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	/* Four scans, a gap, a fifth scan. */
	mpx_yara_stream_data(s, 0, b, BIG_LEN, 0);
	mpx_yara_stream_flush(s);
	mpx_yara_stream_gap(s, BIG_LEN, 10);
	data(s, BIG_LEN + 10, "more", 1);
	mpx_yara_stream_flush(s);
	for (int i = 0; i < k.n && i < HITS_MAX; i++) {
		always += strcmp(k.hits[i].rule, "always") == 0;
		marker += strcmp(k.hits[i].rule, "marker") == 0;
	}
	ASSERT_EQ(always, 1);
	ASSERT_EQ(marker, 0);
	if (ASSERT_EQ(k.n, 1)) {
		ASSERT_EQ(k.hits[0].len, 0);
		ASSERT_EQ(k.hits[0].subflows, 0);
	}
	/* Another stream of the same rules reports it again. */
	mpx_yara_stream_free(s);
	k.n = 0;
	s = mpx_yara_stream_new(r, on_match, &k);
	if (!CHECK(s != NULL, "stream"))
		goto out;
	data(s, 0, "x", 0);
	mpx_yara_stream_flush(s);
	ASSERT_EQ(k.n, 1);
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	free(b);
	tmp_done();
}

/* A sender switching subflow every byte: the run list is coarsened, the
 * memory stays bounded, and a match's mask still holds its subflow. */
TEST(yara_byte_by_byte_subflows_bounded)
{
	static const uint64_t at[] = {1000, 2 * MPX_YARA_BATCH + 7};
	const size_t n = sizeof(at) / sizeof(at[0]);
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};
	uint8_t *b = big_stream(at, n);

	if (!CHECK(b != NULL, "malloc") || !tmp_start()) {
		free(b);
		return;
	}
	r = load("m.yar", marker_rules);
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	for (size_t o = 0; o < BIG_LEN; o++) {
		int sf = (int)(o % 2);

		for (size_t i = 0; i < n; i++)
			if (o >= at[i] && o < at[i] + MARKER_LEN)
				sf = 7;
		mpx_yara_stream_data(s, o, b + o, 1, sf);
	}
	mpx_yara_stream_flush(s);
	if (ASSERT_EQ(k.n, n)) {
		for (size_t i = 0; i < n; i++) {
			ASSERT_EQ(k.hits[i].off, at[i]);
			CHECK(k.hits[i].subflows & (1u << 7), "mask 0x%x",
			      k.hits[i].subflows);
			CHECK(!(k.hits[i].subflows & ~0x83u), "mask 0x%x",
			      k.hits[i].subflows);
		}
	}
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	free(b);
	tmp_done();
}

static int one_line(const char *s)
{
	return strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
}

TEST(yara_bad_rules_one_line_error)
{
	char err[256] = "";
	char path[1024];
	struct mpx_yara_rules *r;

	if (!tmp_start())
		return;
	snprintf(path, sizeof(path), "%s",
		 write_rules("bad.yar", "rule ok { condition: true }\n"
					"rule bad {\n"
					"  strings:\n"
					"    $a = \"x\"\n"
					"  condition:\n"
					"    $a and\n"
					"}\n"));
	r = mpx_yara_rules_load(path, err, sizeof(err));
	CHECK(r == NULL, "bad rules loaded");
	mpx_yara_rules_free(r);
	CHECK(strstr(err, path) != NULL, "err '%s' names no file", err);
	CHECK(strstr(err, "line 7") != NULL, "err '%s': no line 7", err);
	CHECK(strstr(err, "syntax error") != NULL, "err '%s'", err);
	CHECK(one_line(err), "err '%s' is not one line", err);
	tmp_done();
}

TEST(yara_missing_rules_file)
{
	char err[256] = "";
	char path[1024];
	struct mpx_yara_rules *r;

	if (!tmp_start())
		return;
	snprintf(path, sizeof(path), "%s/none.yar", tmpdir);
	r = mpx_yara_rules_load(path, err, sizeof(err));
	CHECK(r == NULL, "missing rules loaded");
	mpx_yara_rules_free(r);
	CHECK(strstr(err, path) != NULL, "err '%s' names no file", err);
	CHECK(strstr(err, "No such file") != NULL, "err '%s'", err);
	CHECK(one_line(err), "err '%s' is not one line", err);
	/* A directory is not a rules file either. */
	err[0] = '\0';
	r = mpx_yara_rules_load(tmpdir, err, sizeof(err));
	CHECK(r == NULL, "directory loaded");
	mpx_yara_rules_free(r);
	CHECK(strstr(err, tmpdir) != NULL, "err '%s' names no file", err);
	CHECK(one_line(err), "err '%s' is not one line", err);
	tmp_done();
}

/* A one-byte string compiles with a "may slow down scanning" warning. */
TEST(yara_warnings_are_not_errors)
{
	struct mpx_yara_rules *r;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};

	if (!tmp_start())
		return;
	r = load("w.yar", "rule w { strings: $a = \"Q\" condition: $a }\n");
	s = r ? mpx_yara_stream_new(r, on_match, &k) : NULL;
	if (!CHECK(s != NULL, "stream"))
		goto out;
	data(s, 0, "..Q..Q", 3);
	mpx_yara_stream_flush(s);
	ASSERT_EQ(k.n, 2);
out:
	mpx_yara_stream_free(s);
	mpx_yara_rules_free(r);
	tmp_done();
}

/* libyara is initialised once for all rule sets, finalised with the
 * last: two sets at once, then a load after everything was freed. */
TEST(yara_rule_sets_load_free_repeatedly)
{
	struct mpx_yara_rules *a, *b;
	struct mpx_yara_stream *s;
	struct sink k = {.n = 0};

	if (!tmp_start())
		return;
	a = load("m.yar", marker_rules);
	b = load("c.yar", "rule always { condition: true }\n");
	mpx_yara_rules_free(a);
	s = b ? mpx_yara_stream_new(b, on_match, &k) : NULL;
	if (CHECK(s != NULL, "stream")) {
		data(s, 0, "x", 0);
		mpx_yara_stream_flush(s);
		ASSERT_EQ(k.n, 1);
		mpx_yara_stream_free(s);
	}
	mpx_yara_rules_free(b);
	for (int i = 0; i < 3; i++) {
		k.n = 0;
		a = load("m.yar", marker_rules);
		s = a ? mpx_yara_stream_new(a, on_match, &k) : NULL;
		if (CHECK(s != NULL, "stream")) {
			data(s, 0, MARKER, 0);
			mpx_yara_stream_flush(s);
			ASSERT_EQ(k.n, 1);
			mpx_yara_stream_free(s);
		}
		mpx_yara_rules_free(a);
	}
	tmp_done();
}

TEST_MAIN("test_yara_scan")
