// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Unit tests of user/correlate/mptcp_crypto.c: token, IDSN and the three HMACs
 * of MPTCP, on vectors taken from real connections.
 *
 *   token = most significant 32 bits of H(key)      RFC 8684 section 3.1
 *   IDSN  = least significant 64 bits of H(key)     (v0: RFC 6824 3.1)
 *   join  SYN/ACK: leftmost 64 bits of HMAC(Key-B||Key-A, R-B||R-A)
 *         third ACK: leftmost 160 bits of HMAC(Key-A||Key-B, R-A||R-B)
 *                                                   RFC 8684 section 3.2
 *   ADD_ADDR: rightmost 64 bits of HMAC-SHA256(sender key||receiver key,
 *         address id || address || port(2 bytes, 0 if absent))
 *                                                   RFC 8684 section 3.4.1
 * H is SHA-256 for v1 (RFC 8684), SHA-1 for v0 (RFC 6824). Keys are 64-bit
 * integers, hashed big-endian as they are on the wire.
 *
 * Every expected value is either a capture's own value (the peer computed
 * it) or an independent computation with Python's hashlib / hmac, with the
 * command next to it; none comes from the code under test.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "correlate/mptcp_crypto.h"
#include "test_harness.h"

/* ---- the v1 vector set of docs/design.md (one Linux connection) -----------
 */

#define V1_KEY_A       0x61e1d0065542809bULL /* client (A) */
#define V1_KEY_B       0x4d4c52a7e86df770ULL /* server (B) */
#define V1_TOKEN_B     0xc56050edU
#define V1_R_A	       0x34acc972U /* join from A: A's nonce (join SYN) */
#define V1_R_B	       0x764bf014U /* B's nonce (join SYN/ACK) */
#define V1_SYNACK_HMAC 0x465b9f41d38e312dULL
static const __u8 v1_ack_hmac[20] = {
    0x32, 0xbc, 0xc1, 0x75, 0x87, 0x20, 0x55, 0x08, 0xc2, 0xb0,
    0x1b, 0xd8, 0xb8, 0x39, 0x57, 0x11, 0xe7, 0xae, 0x50, 0xde,
};
#define V1_ADD_ADDR_HMAC 0x33e01feed95bf044ULL /* from B: 198.19.1.2 id 1 */

/* ---- v0 (RFC 6824, SHA-1): testdata/pcaps/tcpdump_mptcp-v0.pcap ------
 * Inputs read with `build/mptcp-xdp replay --events raw` and cross-checked
 * with tshark (tcp.options.mptcp.sendkey / recvtok / sendrand /
 * sendtrunchmac / sendhmac):
 *   frame 1  MP_CAPABLE SYN      10.2.1.2:35961 > 10.1.1.2:22
 *            sender key 9c9eabd1e46a33b2                      -> Key-A
 *   frame 2  MP_CAPABLE SYN/ACK  sender key 967d2770b6960552  -> Key-B
 *   frame 8  MP_JOIN SYN         10.2.1.2:41221 > 10.1.2.2:22
 *            token e47f0142, nonce 1b665a18                   -> R-A
 *   frame 9  MP_JOIN SYN/ACK     HMAC 5ab680c7884af03d, nonce 33abe9d5 -> R-B
 *   frame 10 MP_JOIN ACK         HMAC cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a
 * The join goes from A (the client of the initial subflow) to B.
 */
#define V0_KEY_A       0x9c9eabd1e46a33b2ULL
#define V0_KEY_B       0x967d2770b6960552ULL
#define V0_TOKEN_B     0xe47f0142U /* frame 8's token */
#define V0_R_A	       0x1b665a18U
#define V0_R_B	       0x33abe9d5U
#define V0_SYNACK_HMAC 0x5ab680c7884af03dULL /* frame 9 */
static const __u8 v0_ack_hmac[20] = {
    /* frame 10 */
    0xcb, 0x7b, 0x87, 0xf5, 0xe5, 0xf0, 0x50, 0x2f, 0x43, 0xb5,
    0x35, 0xfb, 0x70, 0xef, 0x66, 0x07, 0xdf, 0x2e, 0x6c, 0x7a,
};

static void hexdump(const char *what, const __u8 *b, size_t n)
{
	fprintf(stderr, "  %s: ", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", b[i]);
	fputc('\n', stderr);
}

/* ---- tokens ------------------------------------------------------------ */

struct token_vec {
	const char *what;
	enum mpx_hash_alg alg;
	__u64 key;
	__u32 token;
	__u64 idsn;
};

/*
 * Tokens are the peers' own (the value a join SYN or Linux carried); IDSNs
 * come from
 *   python3 -c "import hashlib; h=hashlib.sha256((KEY).to_bytes(8,'big'))
 *               .hexdigest(); print(h[:8], h[-16:])"
 * (hashlib.sha1 for v0), and the last three rows are checked against the
 * DSNs of real captures as well (test idsn_matches_capture_dsn).
 */
static const struct token_vec token_vecs[] = {
    /* docs/design.md: taken from Linux. */
    {"v1 linux", MPX_ALG_SHA256, 0x359d87cb7ab1243dULL, 0x9e6af320U,
     0x0f84c5bbc4ac7476ULL},
    {"v1 Key-B", MPX_ALG_SHA256, V1_KEY_B, V1_TOKEN_B, 0xf0cd6530e916069eULL},
    {"v1 Key-A", MPX_ALG_SHA256, V1_KEY_A, 0x1fe931e8U, 0x61d5e268ececb8a1ULL},
    /* testdata/pcaps/tcpdump_mptcp-v1.pcap frames 1-3 (Linux, 2020): its
     * MP_CAPABLE keys; tokens by python, IDSNs also by the capture. */
    {"v1 tcpdump A", MPX_ALG_SHA256, 0x1fdb5df328bc3defULL, 0x239fbdb0U,
     0xc8072fb90edab04dULL},
    {"v1 tcpdump B", MPX_ALG_SHA256, 0x29a6c86981ad933cULL, 0xa35d6d82U,
     0xa28e87fddd1d30f1ULL},
    /* v0: the join SYN of frame 8 carries e47f0142 = token(Key-B). */
    {"v0 Key-B", MPX_ALG_SHA1, V0_KEY_B, V0_TOKEN_B, 0xe47ef57dd1b9748fULL},
    {"v0 Key-A", MPX_ALG_SHA1, V0_KEY_A, 0xaf9706ebU, 0x9851b565d52abec9ULL},
};

TEST(token_and_idsn_vectors)
{
	for (size_t i = 0; i < sizeof(token_vecs) / sizeof(token_vecs[0]);
	     i++) {
		const struct token_vec *v = &token_vecs[i];
		__u32 tok = 0;
		__u64 idsn = 0;

		ASSERT_EQ(mpx_key_token_idsn(v->alg, v->key, &tok, &idsn), 0);
		CHECK(tok == v->token, "%s: token %08x, want %08x", v->what,
		      tok, v->token);
		CHECK(idsn == v->idsn,
		      "%s: idsn %016" PRIx64 ", want %016" PRIx64, v->what,
		      (uint64_t)idsn, (uint64_t)v->idsn);
	}
}

/* Either output may be omitted (the correlator asks for both; others may
 * want only one). */
TEST(token_idsn_null_outputs)
{
	__u32 tok = 0;
	__u64 idsn = 0;

	ASSERT_EQ(mpx_key_token_idsn(MPX_ALG_SHA256, 0x359d87cb7ab1243dULL,
				     &tok, NULL),
		  0);
	ASSERT_EQ(tok, 0x9e6af320U);
	ASSERT_EQ(mpx_key_token_idsn(MPX_ALG_SHA256, 0x359d87cb7ab1243dULL,
				     NULL, &idsn),
		  0);
	ASSERT_EQ(idsn, 0x0f84c5bbc4ac7476ULL);
}

/*
 * The IDSN against the captures themselves: the SYN occupies the first
 * octet of data sequence space (RFC 8684 section 3.1), so the first data
 * octet of each direction has DSN = IDSN + 1.
 * - tcpdump_mptcp-v1.pcap frame 7 (server 10.0.2.1, Key-B 29a6c86981ad933c)
 *   maps DSN 11713449205243392242 = 0xa28e87fddd1d30f2; frame 5's Data ACK
 *   of the client's data is 14413541604287230030 = 0xc8072fb90edab04e
 *   (client Key-A 1fdb5df328bc3def).
 * - tcpdump_mptcp-v0.pcap (4-byte DSNs: the low 32 bits) frame 4 (server,
 *   Key-B) maps DSN 3518592144 = 0xd1b97490 and carries Data ACK
 *   3576348362 = 0xd52abeca for the client's (Key-A) first octet.
 */
TEST(idsn_matches_capture_dsn)
{
	__u64 idsn;

	ASSERT_EQ(mpx_key_token_idsn(MPX_ALG_SHA256, 0x29a6c86981ad933cULL,
				     NULL, &idsn),
		  0);
	ASSERT_EQ(idsn + 1, 11713449205243392242ULL);
	ASSERT_EQ(mpx_key_token_idsn(MPX_ALG_SHA256, 0x1fdb5df328bc3defULL,
				     NULL, &idsn),
		  0);
	ASSERT_EQ(idsn + 1, 14413541604287230030ULL);
	ASSERT_EQ(mpx_key_token_idsn(MPX_ALG_SHA1, V0_KEY_B, NULL, &idsn), 0);
	ASSERT_EQ((__u32)(idsn + 1), 3518592144U);
	ASSERT_EQ(mpx_key_token_idsn(MPX_ALG_SHA1, V0_KEY_A, NULL, &idsn), 0);
	ASSERT_EQ((__u32)(idsn + 1), 3576348362U);
}

/* The version picks the hash (RFC 8684 section 3.1 vs RFC 6824). */
TEST(alg_of_version)
{
	ASSERT_EQ(mpx_alg_of_version(0), MPX_ALG_SHA1);
	ASSERT_EQ(mpx_alg_of_version(1), MPX_ALG_SHA256);
}

/* ---- join HMACs --------------------------------------------------------- */

struct join_vec {
	const char *what;
	enum mpx_hash_alg alg;
	__u64 key_a, key_b;
	__u32 r_a, r_b;
	__u64 synack;
	const __u8 *ack;
};

/*
 * The reverse join (B opens a subflow towards A, so the roles swap:
 * "A" = the join initiator = the connection's server): computed with
 *   python3 -c "import hmac,hashlib; b=lambda x,n:x.to_bytes(n,'big');
 *   KI=0x4d4c52a7e86df770; KR=0x61e1d0065542809b; RI=0x34acc972;
 *   RR=0x764bf014;
 *   print(hmac.new(b(KR,8)+b(KI,8),b(RR,4)+b(RI,4),hashlib.sha256)
 *         .hexdigest()[:16]);
 *   print(hmac.new(b(KI,8)+b(KR,8),b(RI,4)+b(RR,4),hashlib.sha256)
 *         .hexdigest()[:40])"
 */
static const __u8 rev_ack_hmac[20] = {
    0x88, 0x9b, 0x0a, 0x42, 0x60, 0xd4, 0xb8, 0xc1, 0xad, 0x27,
    0xeb, 0x06, 0xfb, 0xdc, 0x32, 0x5a, 0x2f, 0xba, 0x05, 0x07,
};

static const struct join_vec join_vecs[] = {
    {"v1 docs/design.md", MPX_ALG_SHA256, V1_KEY_A, V1_KEY_B, V1_R_A, V1_R_B,
     V1_SYNACK_HMAC, v1_ack_hmac},
    {"v0 tcpdump_mptcp-v0.pcap frames 8-10", MPX_ALG_SHA1, V0_KEY_A, V0_KEY_B,
     V0_R_A, V0_R_B, V0_SYNACK_HMAC, v0_ack_hmac},
    {"v1 reverse join (python)", MPX_ALG_SHA256, V1_KEY_B, V1_KEY_A, V1_R_A,
     V1_R_B, 0x9ae9c0f41b674ac5ULL, rev_ack_hmac},
};

TEST(join_hmac_vectors)
{
	for (size_t i = 0; i < sizeof(join_vecs) / sizeof(join_vecs[0]); i++) {
		const struct join_vec *v = &join_vecs[i];
		__u64 h64 = 0;
		__u8 h160[20];

		memset(h160, 0, sizeof(h160));
		ASSERT_EQ(mpx_join_synack_hmac(v->alg, v->key_a, v->key_b,
					       v->r_a, v->r_b, &h64),
			  0);
		CHECK(h64 == v->synack,
		      "%s: SYN/ACK HMAC %016" PRIx64 ", want %016" PRIx64,
		      v->what, (uint64_t)h64, (uint64_t)v->synack);
		ASSERT_EQ(mpx_join_ack_hmac(v->alg, v->key_a, v->key_b, v->r_a,
					    v->r_b, h160),
			  0);
		if (memcmp(h160, v->ack, 20) != 0) {
			CHECK(0, "%s: third-ACK HMAC differs", v->what);
			hexdump("got ", h160, 20);
			hexdump("want", v->ack, 20);
		}
	}
}

/* Swapping the roles (or the nonces) must change both MACs: the order of
 * keys and nonces is what tells the two directions apart. */
TEST(join_hmac_order_matters)
{
	__u64 h64 = 0;
	__u8 h160[20];

	ASSERT_EQ(mpx_join_synack_hmac(MPX_ALG_SHA256, V1_KEY_B, V1_KEY_A,
				       V1_R_A, V1_R_B, &h64),
		  0);
	CHECK(h64 != V1_SYNACK_HMAC, "keys swapped, same MAC");
	ASSERT_EQ(mpx_join_synack_hmac(MPX_ALG_SHA256, V1_KEY_A, V1_KEY_B,
				       V1_R_B, V1_R_A, &h64),
		  0);
	CHECK(h64 != V1_SYNACK_HMAC, "nonces swapped, same MAC");
	ASSERT_EQ(mpx_join_ack_hmac(MPX_ALG_SHA1, V1_KEY_A, V1_KEY_B, V1_R_A,
				    V1_R_B, h160),
		  0);
	CHECK(memcmp(h160, v1_ack_hmac, 20) != 0, "SHA-1 gave the SHA-256 MAC");
}

/* The generic HMAC: full length per algorithm, and its first 8 / 20 bytes
 * are what the join helpers return. */
TEST(hmac_keys_lengths)
{
	__u8 msg[8] = {0x76, 0x4b, 0xf0, 0x14, 0x34, 0xac, 0xc9, 0x72};
	__u8 mac[32];

	/* SYN/ACK: key = Key-B || Key-A, msg = R-B || R-A. */
	ASSERT_EQ(mpx_hmac_keys(MPX_ALG_SHA256, V1_KEY_B, V1_KEY_A, msg,
				sizeof(msg), mac),
		  32);
	ASSERT_EQ((uint64_t)mac[0] << 56 | (uint64_t)mac[1] << 48 |
		      (uint64_t)mac[2] << 40 | (uint64_t)mac[3] << 32 |
		      (uint64_t)mac[4] << 24 | (uint64_t)mac[5] << 16 |
		      (uint64_t)mac[6] << 8 | mac[7],
		  V1_SYNACK_HMAC);
	ASSERT_EQ(mpx_hmac_keys(MPX_ALG_SHA1, V1_KEY_B, V1_KEY_A, msg,
				sizeof(msg), mac),
		  20);
}

/* ---- ADD_ADDR ----------------------------------------------------------- */

struct add_addr_vec {
	const char *what;
	__u64 sender, receiver;
	__u8 id;
	__u8 addr[16];
	size_t addrlen;
	__u16 port;
	__u64 right, left;
};

/*
 * Row 1 is docs/design.md's (Linux); the others and every `left` were computed
 *   python3 -c "import hmac,hashlib; b=lambda x,n:x.to_bytes(n,'big');
 *   m=hmac.new(b(SENDER,8)+b(RECEIVER,8), bytes([ID])+ADDR+b(PORT,2),
 *   hashlib.sha256).hexdigest(); print(m[:16], m[-16:])"
 * left = 0 means "not checked".
 */
static const struct add_addr_vec aa_vecs[] = {
    {"docs/design.md from B 198.19.1.2 id 1",
     V1_KEY_B,
     V1_KEY_A,
     1,
     {198, 19, 1, 2},
     4,
     0,
     V1_ADD_ADDR_HMAC,
     0x302c07de99951c6eULL},
    {"from B 198.19.9.9 id 1",
     V1_KEY_B,
     V1_KEY_A,
     1,
     {198, 19, 9, 9},
     4,
     0,
     0x98f7ac1d12d64ebfULL,
     0},
    {"from B 198.19.1.2:8080 id 1",
     V1_KEY_B,
     V1_KEY_A,
     1,
     {198, 19, 1, 2},
     4,
     8080,
     0x55dd889f4362c64bULL,
     0},
    {"from A 198.18.7.1 id 5",
     V1_KEY_A,
     V1_KEY_B,
     5,
     {198, 18, 7, 1},
     4,
     0,
     0xf976eaef0b6511ceULL,
     0},
    {"from B 2001:db8:9::2 id 3",
     V1_KEY_B,
     V1_KEY_A,
     3,
     {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
     16,
     0,
     0x84ccc2fcd145d17fULL,
     0},
};

TEST(add_addr_hmac_vectors)
{
	for (size_t i = 0; i < sizeof(aa_vecs) / sizeof(aa_vecs[0]); i++) {
		const struct add_addr_vec *v = &aa_vecs[i];
		__u64 right = 0, left = 0;

		ASSERT_EQ(mpx_add_addr_hmac(v->sender, v->receiver, v->id,
					    v->addr, v->addrlen, v->port,
					    &right, &left),
			  0);
		CHECK(right == v->right,
		      "%s: HMAC %016" PRIx64 ", want %016" PRIx64, v->what,
		      (uint64_t)right, (uint64_t)v->right);
		CHECK(!v->left || left == v->left,
		      "%s: leftmost %016" PRIx64 ", want %016" PRIx64, v->what,
		      (uint64_t)left, (uint64_t)v->left);
	}
}

/* leftmost may be NULL; an address length other than 4 or 16 fails. */
TEST(add_addr_hmac_edges)
{
	const __u8 a[16] = {198, 19, 1, 2};
	__u64 right = 0;

	ASSERT_EQ(
	    mpx_add_addr_hmac(V1_KEY_B, V1_KEY_A, 1, a, 4, 0, &right, NULL), 0);
	ASSERT_EQ(right, V1_ADD_ADDR_HMAC);
	ASSERT_EQ(
	    mpx_add_addr_hmac(V1_KEY_B, V1_KEY_A, 1, a, 5, 0, &right, NULL),
	    (uint64_t)-1);
	ASSERT_EQ(
	    mpx_add_addr_hmac(V1_KEY_B, V1_KEY_A, 1, a, 0, 0, &right, NULL),
	    (uint64_t)-1);
}

TEST_MAIN("test_crypto")
