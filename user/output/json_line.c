// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>

#include "output/json_line.h"

static void key(struct json_line *j, const char *k)
{
	fputs(j->members++ ? ",\"" : "\"", j->f);
	fputs(k, j->f); /* keys are literals of this program */
	fputs("\":", j->f);
}

void jl_begin(struct json_line *j, FILE *f)
{
	j->f = f;
	j->members = 0;
	fputc('{', f);
}

void jl_end(struct json_line *j)
{
	fputs("}\n", j->f);
}

void jl_str(struct json_line *j, const char *k, const char *val)
{
	key(j, k);
	fputc('"', j->f);
	for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(j->f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(j->f, "\\u%04x", *p);
		else
			fputc(*p, j->f);
	}
	fputc('"', j->f);
}

void jl_u64(struct json_line *j, const char *k, uint64_t v)
{
	key(j, k);
	fprintf(j->f, "%" PRIu64, v);
}

void jl_bool(struct json_line *j, const char *k, int v)
{
	key(j, k);
	fputs(v ? "true" : "false", j->f);
}

void jl_null(struct json_line *j, const char *k)
{
	key(j, k);
	fputs("null", j->f);
}

void jl_hex(struct json_line *j, const char *k, uint64_t v, int digits)
{
	key(j, k);
	fprintf(j->f, "\"%0*" PRIx64 "\"", digits, v);
}

void jl_hex_bytes(struct json_line *j, const char *k, const uint8_t *b,
		  size_t n)
{
	key(j, k);
	fputc('"', j->f);
	for (size_t i = 0; i < n; i++)
		fprintf(j->f, "%02x", b[i]);
	fputc('"', j->f);
}

void jl_u8_array(struct json_line *j, const char *k, const uint8_t *v, size_t n)
{
	key(j, k);
	fputc('[', j->f);
	for (size_t i = 0; i < n; i++)
		fprintf(j->f, i ? ",%u" : "%u", v[i]);
	fputc(']', j->f);
}

void jl_time(struct json_line *j, const char *k, int64_t sec, int32_t usec)
{
	key(j, k);
	fprintf(j->f, "%" PRId64 ".%06d", sec, (int)usec);
}
