/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * One JSON object on one line, written member by member: the only JSON this
 * program writes is flat objects of strings, integers, booleans and arrays
 * of integers, so this is all the JSON support it needs.
 */
#ifndef MPX_JSON_LINE_H
#define MPX_JSON_LINE_H

#include <stdint.h>
#include <stdio.h>

struct json_line {
	FILE *f;
	int members;
	char *buf; /* jl_begin_buf(): the line is built here */
	size_t len, cap;
};

void jl_begin(struct json_line *j, FILE *f);
/* The same, the line built in buf (cap bytes) and written with one call at
 * jl_end(): for a writer that writes nothing to f itself in between (a
 * longer line is written in parts, still in order). */
void jl_begin_buf(struct json_line *j, FILE *f, char *buf, size_t cap);
void jl_end(struct json_line *j); /* "}\n" */
/* Text written as it is, in the line's order: the nested parts a writer
 * builds itself (already JSON). */
void jl_raw(struct json_line *j, const char *s, size_t n);
#define JL_RAW_LIT(j, lit) jl_raw((j), (lit), sizeof(lit) - 1)
void jl_str(struct json_line *j, const char *key, const char *val);
void jl_u64(struct json_line *j, const char *key, uint64_t v);
void jl_bool(struct json_line *j, const char *key, int v);
void jl_null(struct json_line *j, const char *key);
/* Lowercase hex, fixed width (digits), no 0x: keys, tokens, HMACs. */
void jl_hex(struct json_line *j, const char *key, uint64_t v, int digits);
void jl_hex_bytes(struct json_line *j, const char *key, const uint8_t *b,
		  size_t n);
void jl_u8_array(struct json_line *j, const char *key, const uint8_t *v,
		 size_t n);
/* ts as seconds with 6 decimals. */
void jl_time(struct json_line *j, const char *key, int64_t sec, int32_t usec);

#endif /* MPX_JSON_LINE_H */
