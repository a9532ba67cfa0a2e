// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The hot path of every JSON writer (a line per record with --events raw
 * or all): the FILE is locked once a line (jl_begin() to jl_end(), a
 * recursive lock, so the writers' own stdio calls in between still work)
 * and written with the unlocked stdio calls; numbers are formatted here,
 * not by printf, and a string is written in runs between the characters
 * it escapes. No allocation.
 */
#include <inttypes.h>
#include <string.h>

#include "output/json_line.h"

/* Buffered (jl_begin_buf()): into the caller's line buffer, written out
 * whole at jl_end() (or when it would overflow); else straight to the
 * FILE. */
static void put(struct json_line *j, const char *s, size_t n)
{
	if (j->buf) {
		if (j->len + n <= j->cap) {
			memcpy(j->buf + j->len, s, n);
			j->len += n;
			return;
		}
		fwrite_unlocked(j->buf, 1, j->len, j->f);
		j->len = 0;
	}
	fwrite_unlocked(s, 1, n, j->f);
}

static void putch(struct json_line *j, char c)
{
	if (j->buf && j->len < j->cap)
		j->buf[j->len++] = c;
	else
		put(j, &c, 1);
}

#define PUT_LIT(j, lit) put((j), (lit), sizeof(lit) - 1)

static void key(struct json_line *j, const char *k)
{
	if (j->members++)
		PUT_LIT(j, ",\"");
	else
		putch(j, '"');
	put(j, k, strlen(k)); /* keys are literals of this program */
	PUT_LIT(j, "\":");
}

/* Decimal digits of v at the end of buf[24]; returns the first. */
static char *u64_text(char *end, uint64_t v)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

static void put_u64(struct json_line *j, uint64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p = u64_text(end, v);

	put(j, p, (size_t)(end - p));
}

void jl_begin(struct json_line *j, FILE *f)
{
	jl_begin_buf(j, f, NULL, 0);
}

void jl_begin_buf(struct json_line *j, FILE *f, char *buf, size_t cap)
{
	j->f = f;
	j->members = 0;
	j->buf = buf;
	j->len = 0;
	j->cap = cap;
	flockfile(f);
	putch(j, '{');
}

void jl_end(struct json_line *j)
{
	PUT_LIT(j, "}\n");
	if (j->buf && j->len)
		fwrite_unlocked(j->buf, 1, j->len, j->f);
	j->len = 0;
	funlockfile(j->f);
}

void jl_raw(struct json_line *j, const char *s, size_t n)
{
	put(j, s, n);
}

void jl_str(struct json_line *j, const char *k, const char *val)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *run = (const unsigned char *)val, *p;

	key(j, k);
	putch(j, '"');
	for (p = run; *p; p++) {
		if (*p != '"' && *p != '\\' && *p >= 0x20)
			continue;
		put(j, (const char *)run, (size_t)(p - run));
		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};

			put(j, e, 2);
		} else {
			char e[6] = {'\\', 'u',		 '0',
				     '0',  hex[*p >> 4], hex[*p & 15]};

			put(j, e, 6);
		}
		run = p + 1;
	}
	put(j, (const char *)run, (size_t)(p - run));
	putch(j, '"');
}

void jl_u64(struct json_line *j, const char *k, uint64_t v)
{
	key(j, k);
	put_u64(j, v);
}

void jl_bool(struct json_line *j, const char *k, int v)
{
	key(j, k);
	if (v)
		PUT_LIT(j, "true");
	else
		PUT_LIT(j, "false");
}

void jl_null(struct json_line *j, const char *k)
{
	key(j, k);
	PUT_LIT(j, "null");
}

void jl_hex(struct json_line *j, const char *k, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char buf[24], *end = buf + sizeof(buf), *p = end;
	int n = 0;

	key(j, k);
	*--p = '"';
	/* As "%0*" PRIx64: at least `digits` digits, all of v. */
	do {
		*--p = hex[v & 15];
		v >>= 4;
		n++;
	} while ((v || n < digits) && p > buf + 1);
	*--p = '"';
	put(j, p, (size_t)(end - p));
}

void jl_hex_bytes(struct json_line *j, const char *k, const uint8_t *b,
		  size_t n)
{
	static const char hex[] = "0123456789abcdef";

	key(j, k);
	putch(j, '"');
	for (size_t i = 0; i < n; i++) {
		putch(j, hex[b[i] >> 4]);
		putch(j, hex[b[i] & 15]);
	}
	putch(j, '"');
}

void jl_u8_array(struct json_line *j, const char *k, const uint8_t *v, size_t n)
{
	key(j, k);
	putch(j, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			putch(j, ',');
		put_u64(j, v[i]);
	}
	putch(j, ']');
}

void jl_time(struct json_line *j, const char *k, int64_t sec, int32_t usec)
{
	char frac[7] = {'.'};

	key(j, k);
	/* As "%" PRId64 ".%06d"; usec is 0..999999 (a negative one, never
	 * made, is printed as printf would). */
	if (sec < 0 || usec < 0 || usec > 999999) {
		char t[48];
		int n =
		    snprintf(t, sizeof(t), "%" PRId64 ".%06d", sec, (int)usec);

		put(j, t, n > 0 ? (size_t)n : 0);
		return;
	}
	put_u64(j, (uint64_t)sec);
	for (int i = 6, u = usec; i >= 1; i--, u /= 10)
		frac[i] = (char)('0' + u % 10);
	put(j, frac, sizeof(frac));
}
