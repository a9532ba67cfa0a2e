/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * What the crafted-capture generators (gen_hostile.c, gen_detect.c) share:
 * a seedable random source and the one-line exit on a usage or build
 * error. Header-only: each generator is one file.
 */
#ifndef MPX_GEN_COMMON_H
#define MPX_GEN_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* splitmix64: small, seedable, good enough for test traffic. */
static inline uint64_t gen_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* "PROG: message" on stderr, exit 1. */
static inline void __attribute__((noreturn, format(printf, 2, 3)))
gen_die(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

#endif /* MPX_GEN_COMMON_H */
