/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* FNV-1a, 64-bit: the hash of the flow and connection tables and of the
 * connection ids. Not for anything an attacker must not predict: the
 * tables are bounded whatever the collisions. */
#ifndef MPX_FNV_HASH_H
#define MPX_FNV_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t mpx_fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

#endif /* MPX_FNV_HASH_H */
