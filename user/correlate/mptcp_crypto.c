// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "correlate/mptcp_crypto.h"

/*
 * OpenSSL 3 looks an algorithm up in its providers on every one-shot call
 * (HMAC(), EVP_Digest() with EVP_sha256()): that lookup cost more than the
 * hashing of our 8- and 16-byte keys (callgrind: HMAC() was a tenth of a
 * replay's instructions). So each algorithm is fetched once, and one
 * context per algorithm is kept and re-keyed per call. The correlator is
 * single-threaded; these are its alone.
 */
struct alg_state {
	EVP_MD *md;
	EVP_MD_CTX *md_ctx;
	EVP_MAC_CTX *mac_ctx;
};

static struct alg_state algs[2]; /* [0] SHA-1, [1] SHA-256 */
static int algs_state;		 /* 0 not tried, 1 ready, -1 failed */

static void algs_init(void)
{
	static const char *const names[2] = {"SHA1", "SHA256"};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

	algs_state = -1;
	if (!mac)
		return;
	for (int i = 0; i < 2; i++) {
		OSSL_PARAM p[] = {
		    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)names[i], 0),
		    OSSL_PARAM_construct_end()};

		algs[i].md = EVP_MD_fetch(NULL, names[i], NULL);
		algs[i].md_ctx = EVP_MD_CTX_new();
		algs[i].mac_ctx = EVP_MAC_CTX_new(mac);
		if (!algs[i].md || !algs[i].md_ctx || !algs[i].mac_ctx ||
		    !EVP_MAC_CTX_set_params(algs[i].mac_ctx, p)) {
			EVP_MAC_free(mac);
			return;
		}
	}
	EVP_MAC_free(mac); /* the contexts hold their own reference */
	algs_state = 1;
}

static struct alg_state *alg_of(enum mpx_hash_alg alg)
{
	if (!algs_state)
		algs_init();
	return algs_state > 0 ? &algs[alg == MPX_ALG_SHA1 ? 0 : 1] : NULL;
}

static void put_be64(__u8 *p, __u64 v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (__u8)v;
}

static void put_be32(__u8 *p, __u32 v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (__u8)v;
}

static __u64 get_be64(const __u8 *p)
{
	__u64 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int mpx_key_token_idsn(enum mpx_hash_alg alg, __u64 key, __u32 *token,
		       __u64 *idsn)
{
	struct alg_state *a = alg_of(alg);
	__u8 k[8], h[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	put_be64(k, key);
	if (!a || !EVP_DigestInit_ex(a->md_ctx, a->md, NULL) ||
	    !EVP_DigestUpdate(a->md_ctx, k, sizeof(k)) ||
	    !EVP_DigestFinal_ex(a->md_ctx, h, &n) || n < 12)
		return -1;
	if (token)
		*token = (__u32)h[0] << 24 | (__u32)h[1] << 16 |
			 (__u32)h[2] << 8 | h[3];
	if (idsn)
		*idsn = get_be64(h + n - 8);
	return 0;
}

int mpx_hmac_keys(enum mpx_hash_alg alg, __u64 key1, __u64 key2,
		  const __u8 *msg, size_t msglen, __u8 out[32])
{
	struct alg_state *a = alg_of(alg);
	__u8 k[16];
	size_t n = 0;

	put_be64(k, key1);
	put_be64(k + 8, key2);
	if (!a || !EVP_MAC_init(a->mac_ctx, k, sizeof(k), NULL) ||
	    !EVP_MAC_update(a->mac_ctx, msg, msglen) ||
	    !EVP_MAC_final(a->mac_ctx, out, &n, 32))
		return -1;
	return (int)n;
}

int mpx_join_synack_hmac(enum mpx_hash_alg alg, __u64 key_a, __u64 key_b,
			 __u32 r_a, __u32 r_b, __u64 *out)
{
	__u8 msg[8], mac[32];

	put_be32(msg, r_b);
	put_be32(msg + 4, r_a);
	if (mpx_hmac_keys(alg, key_b, key_a, msg, sizeof(msg), mac) < 8)
		return -1;
	*out = get_be64(mac);
	return 0;
}

int mpx_join_ack_hmac(enum mpx_hash_alg alg, __u64 key_a, __u64 key_b,
		      __u32 r_a, __u32 r_b, __u8 out[20])
{
	__u8 msg[8], mac[32];

	put_be32(msg, r_a);
	put_be32(msg + 4, r_b);
	if (mpx_hmac_keys(alg, key_a, key_b, msg, sizeof(msg), mac) < 20)
		return -1;
	memcpy(out, mac, 20);
	return 0;
}

int mpx_add_addr_hmac(__u64 sender_key, __u64 receiver_key, __u8 addr_id,
		      const __u8 *addr, size_t addrlen, __u16 port, __u64 *out,
		      __u64 *leftmost)
{
	__u8 msg[1 + 16 + 2], mac[32];
	size_t n = 0;
	int len;

	if (addrlen != 4 && addrlen != 16)
		return -1;
	msg[n++] = addr_id;
	memcpy(msg + n, addr, addrlen);
	n += addrlen;
	msg[n++] = (__u8)(port >> 8);
	msg[n++] = (__u8)port;
	len = mpx_hmac_keys(MPX_ALG_SHA256, sender_key, receiver_key, msg, n,
			    mac);
	if (len < 8)
		return -1;
	*out = get_be64(mac + len - 8);
	if (leftmost)
		*leftmost = get_be64(mac);
	return 0;
}
