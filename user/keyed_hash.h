/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The hash of every table indexed by values a packet controls (flow keys,
 * tokens, sources): SipHash-2-4, libsodium's crypto_shorthash, keyed with
 * 128 random bits drawn once per run. A sender picks its ports, addresses
 * and (through the key it sends) its token, so with an unkeyed hash it could
 * choose values that all land in one bucket and make every lookup a walk of
 * the whole table (docs/security.md). Connection ids keep the unkeyed
 * FNV-1a (fnv_hash.h): they must be the same live and in a replay.
 */
#ifndef MPX_KEYED_HASH_H
#define MPX_KEYED_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Draws the run's key on first use (thread-safe); 0 on success, -1 when
 * libsodium cannot start (no entropy source). */
int mpx_keyed_hash_init(void);
/* Keyed 64-bit hash of len bytes; mpx_keyed_hash_init() must have
 * succeeded (the table constructors call it). */
uint64_t mpx_keyed_hash(const void *data, size_t len);
/* The smallest power of two >= n (and >= 16): bucket counts. */
size_t mpx_pow2_at_least(size_t n);

#endif /* MPX_KEYED_HASH_H */
