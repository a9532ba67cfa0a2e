// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "keyed_hash.h"

static unsigned char run_key[crypto_shorthash_KEYBYTES];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ok;

static void draw_key(void)
{
	/* sodium_init() is idempotent; randombytes_buf() reads getrandom(). */
	if (sodium_init() < 0)
		return;
	randombytes_buf(run_key, sizeof(run_key));
	key_ok = 1;
}

int mpx_keyed_hash_init(void)
{
	pthread_once(&key_once, draw_key);
	return key_ok ? 0 : -1;
}

uint64_t mpx_keyed_hash(const void *data, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, data, len, run_key);
	memcpy(&h, out, sizeof(h));
	return h;
}

size_t mpx_pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n && p < ((size_t)1 << (sizeof(size_t) * 8 - 2)))
		p <<= 1;
	return p;
}
