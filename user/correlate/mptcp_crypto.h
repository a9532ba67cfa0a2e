/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * MPTCP's handshake cryptography (RFC 8684 sections 3.1, 3.2, 3.4.1; v0:
 * RFC 6824 section 3.2), on OpenSSL's libcrypto. Keys are the 64-bit
 * integers of the records; on the wire (and in every hash) they are
 * big-endian.
 */
#ifndef MPX_MPTCP_CRYPTO_H
#define MPX_MPTCP_CRYPTO_H

#include <stddef.h>
#include <linux/types.h>

/* v1 hashes with SHA-256, v0 with SHA-1. */
enum mpx_hash_alg {
	MPX_ALG_SHA1 = 0,
	MPX_ALG_SHA256 = 1,
};

static inline enum mpx_hash_alg mpx_alg_of_version(int version)
{
	return version == 0 ? MPX_ALG_SHA1 : MPX_ALG_SHA256;
}

/* Token: the most significant 32 bits of H(key); IDSN: the least
 * significant 64 bits (RFC 8684 section 3.1). 0, or -1 on a libcrypto
 * failure. */
int mpx_key_token_idsn(enum mpx_hash_alg alg, __u64 key, __u32 *token,
		       __u64 *idsn);

/* HMAC(key = key1 || key2, msg). Writes the full MAC (20 or 32 bytes) into
 * out, returns its length, or -1. */
int mpx_hmac_keys(enum mpx_hash_alg alg, __u64 key1, __u64 key2,
		  const __u8 *msg, size_t msglen, __u8 out[32]);

/* Join authentication (RFC 8684 section 3.2), A = the host that sends the
 * join SYN, B = the other; R-A, R-B their nonces. */
/* SYN/ACK: the leftmost 64 bits of HMAC(Key-B || Key-A, R-B || R-A). */
int mpx_join_synack_hmac(enum mpx_hash_alg alg, __u64 key_a, __u64 key_b,
			 __u32 r_a, __u32 r_b, __u64 *out);
/* Third ACK: the leftmost 160 bits of HMAC(Key-A || Key-B, R-A || R-B). */
int mpx_join_ack_hmac(enum mpx_hash_alg alg, __u64 key_a, __u64 key_b,
		      __u32 r_a, __u32 r_b, __u8 out[20]);

/* ADD_ADDR (RFC 8684 section 3.4.1): the rightmost 64 bits of
 * HMAC-SHA256(sender's key || receiver's key, address id || address ||
 * port), port 2 bytes, 0 when absent. addr is 4 or 16 bytes (addrlen).
 * leftmost, if not NULL, gets the leftmost 64 bits, which early Linux
 * MPTCP sent (tcpdump's mptcp-aa-v1.pcap, 2020, has them). */
int mpx_add_addr_hmac(__u64 sender_key, __u64 receiver_key, __u8 addr_id,
		      const __u8 *addr, size_t addrlen, __u16 port, __u64 *out,
		      __u64 *leftmost);

#endif /* MPX_MPTCP_CRYPTO_H */
