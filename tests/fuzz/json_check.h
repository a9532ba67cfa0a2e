/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * For the fuzz targets: is every line of a buffer one JSON object (RFC 8259
 * grammar: objects, arrays, strings with their escapes, numbers, true,
 * false, null)? The daemon's JSON output is read line by line by jq and the
 * tests, so a line that does not parse is a bug however odd the input was.
 */
#ifndef MPX_FUZZ_JSON_CHECK_H
#define MPX_FUZZ_JSON_CHECK_H

#include <stddef.h>
#include <string.h>

struct jc {
	const char *p, *end;
	int depth;
};

static int jc_value(struct jc *j);

static void jc_ws(struct jc *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t'))
		j->p++;
}

static int jc_lit(struct jc *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int jc_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int jc_string(struct jc *j)
{
	if (j->p >= j->end || *j->p != '"')
		return -1;
	for (j->p++; j->p < j->end; j->p++) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return -1; /* control characters must be escaped */
		if (c != '\\')
			continue;
		if (++j->p >= j->end)
			return -1;
		if (*j->p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (j->p + i >= j->end || !jc_hex(j->p[i]))
					return -1;
			j->p += 4;
		} else if (!strchr("\"\\/bfnrt", *j->p)) {
			return -1;
		}
	}
	return -1;
}

static int jc_digits(struct jc *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s ? 0 : -1;
}

static int jc_number(struct jc *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (jc_digits(j) < 0)
		return -1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (jc_digits(j) < 0)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (jc_digits(j) < 0)
			return -1;
	}
	return 0;
}

/* '{' or '[' already at j->p; close is '}' or ']'. */
static int jc_container(struct jc *j, char close)
{
	int first = 1;

	if (++j->depth > 32)
		return -1;
	j->p++;
	for (;;) {
		jc_ws(j);
		if (j->p < j->end && *j->p == close && first) {
			j->p++;
			break;
		}
		if (close == '}') {
			if (jc_string(j) < 0)
				return -1;
			jc_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
		}
		if (jc_value(j) < 0)
			return -1;
		jc_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			break;
		}
		if (*j->p++ != ',')
			return -1;
		first = 0;
	}
	j->depth--;
	return 0;
}

static int jc_value(struct jc *j)
{
	jc_ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{':
		return jc_container(j, '}');
	case '[':
		return jc_container(j, ']');
	case '"':
		return jc_string(j);
	case 't':
		return jc_lit(j, "true");
	case 'f':
		return jc_lit(j, "false");
	case 'n':
		return jc_lit(j, "null");
	default:
		return jc_number(j);
	}
}

/* 0 when every '\n'-terminated line of buf[0..len) is one JSON object and
 * nothing follows the last newline; else the 1-based number of the first
 * bad line. */
static inline long mpx_json_lines_check(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	long line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct jc j = {.p = p, .end = nl ? nl : end, .depth = 0};

		line++;
		if (!nl || *p != '{' || jc_value(&j) < 0 || j.p != nl)
			return line;
		p = nl + 1;
	}
	return 0;
}

#endif /* MPX_FUZZ_JSON_CHECK_H */
