// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The DSS checksum (user/stream/dss_checksum.c) against a byte-serial
 * RFC 1071 reference written here, independently of the code under test:
 * the pseudo-header laid out as bytes, then the data, summed as 16-bit
 * big-endian words. Also against values Linux put on the wire.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream/dss_checksum.h"
#include "test_harness.h"

/* RFC 8684 3.3.1: DSN (64), relative SSN (32), data-level length (16),
 * checksum (16, zero when computing), then the payload; RFC 1071: sum of
 * big-endian 16-bit words, an odd last byte padded with a zero low byte,
 * carries folded back in, the complement of the result. */
static uint16_t ref_csum(uint64_t dsn, uint32_t ssn, uint16_t data_len,
			 const uint8_t *data, size_t len)
{
	size_t n = 16 + len, i;
	uint8_t *b = calloc(1, n + 1);
	uint64_t sum = 0;

	if (!b)
		abort();
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(dsn >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(ssn >> (24 - 8 * i));
	b[12] = (uint8_t)(data_len >> 8);
	b[13] = (uint8_t)data_len;
	b[14] = b[15] = 0;
	if (len)
		memcpy(b + 16, data, len);
	/* b[n] is the calloc'ed zero pad when n is odd. */
	for (i = 0; i < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	free(b);
	return (uint16_t)~sum;
}

/* xorshift64*: reproducible "random" data and splittings. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void fill_random(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(rnd() >> 56);
}

static mpx_csum_t sum_whole(const uint8_t *buf, size_t len)
{
	return mpx_dss_csum_add(0, 0, buf, len);
}

struct piece {
	size_t off, len;
};

/* Cuts [0, len) into pieces of 1..max_piece bytes (odd and even sizes,
 * so pieces start at both parities), adds them in a shuffled order. */
static mpx_csum_t sum_shuffled(const uint8_t *buf, size_t len, size_t max_piece)
{
	struct piece *p = calloc(len + 1, sizeof(*p));
	size_t n = 0, off = 0, i;
	mpx_csum_t acc = 0;

	if (!p)
		abort();
	while (off < len) {
		size_t k = 1 + (size_t)(rnd() % max_piece);

		if (k > len - off)
			k = len - off;
		p[n++] = (struct piece){off, k};
		off += k;
	}
	for (i = n; i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		struct piece t = p[i - 1];

		p[i - 1] = p[j];
		p[j] = t;
	}
	for (i = 0; i < n; i++)
		acc = mpx_dss_csum_add(acc, p[i].off, buf + p[i].off, p[i].len);
	free(p);
	return acc;
}

TEST(dss_csum_known_vector)
{
	const char *msg = "MPTCP DSS checksum, RFC 8684 3.3.1";
	const uint8_t *d = (const uint8_t *)msg;
	size_t len = strlen(msg);
	uint64_t dsn = 0x0123456789abcdefull;
	mpx_csum_t acc = sum_whole(d, len);

	/* 0x805a: the same pseudo-header and data summed by a third,
	 * separate implementation (Python, struct.unpack of ">H" words). */
	ASSERT_EQ(ref_csum(dsn, 1, (uint16_t)len, d, len), 0x805a);
	ASSERT_EQ(mpx_dss_csum_value(acc, dsn, 1, (uint16_t)len), 0x805a);
	CHECK(mpx_dss_csum_ok(acc, dsn, 1, (uint16_t)len, 0x805a),
	      "right checksum refused");
}

TEST(dss_csum_odd_total_length)
{
	static const uint8_t three[] = {0x12, 0x34, 0x56};
	const char *msg = "MPTCP DSS checksum, RFC 8684 3.3.1!";
	const uint8_t *d = (const uint8_t *)msg;
	size_t len = strlen(msg);
	uint64_t dsn = 0xfedcba9876543210ull;
	uint32_t ssn = 0xfffffffeu;
	mpx_csum_t acc;

	/* The last byte is a high byte with a zero low byte: 0x1234 + 0x5600,
	 * whether it comes alone or with the rest. */
	ASSERT_EQ(sum_whole(three, 3), 0x1234 + 0x5600);
	ASSERT_EQ(
	    mpx_dss_csum_add(mpx_dss_csum_add(0, 0, three, 2), 2, three + 2, 1),
	    0x1234 + 0x5600);
	ASSERT_EQ(
	    mpx_dss_csum_add(mpx_dss_csum_add(0, 1, three + 1, 2), 0, three, 1),
	    0x1234 + 0x5600);
	ASSERT_EQ(mpx_dss_csum_value(sum_whole(three, 3), 7, 9, 3),
		  ref_csum(7, 9, 3, three, 3));

	acc = sum_whole(d, len);
	ASSERT_EQ(len % 2, 1);
	/* 0x9ba6 from the Python implementation, as above. */
	ASSERT_EQ(ref_csum(dsn, ssn, (uint16_t)len, d, len), 0x9ba6);
	ASSERT_EQ(mpx_dss_csum_value(acc, dsn, ssn, (uint16_t)len), 0x9ba6);
	ASSERT_EQ(mpx_dss_csum_value(sum_shuffled(d, len, 3), dsn, ssn,
				     (uint16_t)len),
		  0x9ba6);
}

TEST(dss_csum_empty)
{
	/* Nothing added leaves the sum as it was; a DATA_FIN-only mapping
	 * (data_len 1, no payload) is the pseudo-header alone. */
	ASSERT_EQ(mpx_dss_csum_add(0x1234, 5, (const uint8_t *)"", 0), 0x1234);
	ASSERT_EQ(mpx_dss_csum_value(0, 0x1122334455667788ull, 0, 1),
		  ref_csum(0x1122334455667788ull, 0, 1, NULL, 0));
}

TEST(dss_csum_carries_fold_fully)
{
	/* Sums whose first fold still carries (0x2ffff -> 0x10001 -> 0x0002):
	 * one end-around pass is not enough, and random data rarely gets
	 * here. Each DSN with 0, 1 and 2 bytes of 0xff. */
	static const uint64_t dsns[] = {
	    0xffffffffffff0002ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
	    0xffff0000ffff0001ull};
	static const uint8_t ff[2] = {0xff, 0xff};
	size_t i, n;

	for (i = 0; i < sizeof(dsns) / sizeof(dsns[0]); i++)
		for (n = 0; n <= 2; n++) {
			uint16_t want =
			    ref_csum(dsns[i], 0xffffffffu, 0xffff, ff, n);
			mpx_csum_t acc = mpx_dss_csum_add(0, 0, ff, n);

			ASSERT_EQ(mpx_dss_csum_value(acc, dsns[i], 0xffffffffu,
						     0xffff),
				  want);
			CHECK(mpx_dss_csum_ok(acc, dsns[i], 0xffffffffu, 0xffff,
					      want),
			      "dsn %zu len %zu refused", i, n);
		}
	ASSERT_EQ(mpx_dss_csum_value(0, 0xffffffffffff0002ull, 0, 0), 0xfffd);
}

TEST(dss_csum_any_split_any_order)
{
	static uint8_t buf[4099];
	int t;

	for (t = 0; t < 400; t++) {
		size_t len = (size_t)(rnd() % sizeof(buf)) + 1;
		size_t max_piece = (size_t)(1 + rnd() % (t % 4 == 0 ? 3 : 700));
		uint64_t dsn = rnd();
		uint32_t ssn = (uint32_t)rnd();
		uint16_t want;
		mpx_csum_t whole, cut;

		/* Every fourth run mostly 0xff: the most carries. */
		if (t % 4 == 1)
			memset(buf, 0xff, len);
		else
			fill_random(buf, len);
		want = ref_csum(dsn, ssn, (uint16_t)len, buf, len);
		whole = sum_whole(buf, len);
		cut = sum_shuffled(buf, len, max_piece);
		if (!ASSERT_EQ(
			mpx_dss_csum_value(whole, dsn, ssn, (uint16_t)len),
			want) ||
		    !ASSERT_EQ(mpx_dss_csum_value(cut, dsn, ssn, (uint16_t)len),
			       want) ||
		    !CHECK(mpx_dss_csum_ok(cut, dsn, ssn, (uint16_t)len, want),
			   "run %d: len %zu refused", t, len))
			return;
	}
}

TEST(dss_csum_largest_mapping)
{
	/* 65535 bytes, the most a data-level length can say, of 0xff (every
	 * word adds a carry) and then of random bytes: whole, byte by byte,
	 * and in shuffled pieces. */
	size_t len = 65535;
	uint8_t *buf = malloc(len);
	uint64_t dsn = 0xffffffffffffffffull;
	uint32_t ssn = 0xffffffffu;
	int round;

	if (!CHECK(buf != NULL, "malloc"))
		return;
	for (round = 0; round < 2; round++) {
		uint16_t want;
		mpx_csum_t one = 0;

		if (round == 0)
			memset(buf, 0xff, len);
		else
			fill_random(buf, len);
		want = ref_csum(dsn, ssn, 65535, buf, len);
		for (size_t i = 0; i < len; i++)
			one = mpx_dss_csum_add(one, i, buf + i, 1);
		ASSERT_EQ(
		    mpx_dss_csum_value(sum_whole(buf, len), dsn, ssn, 65535),
		    want);
		ASSERT_EQ(mpx_dss_csum_value(one, dsn, ssn, 65535), want);
		ASSERT_EQ(mpx_dss_csum_value(sum_shuffled(buf, len, 1501), dsn,
					     ssn, 65535),
			  want);
	}
	free(buf);
}

TEST(dss_csum_ok_detects_one_flipped_bit)
{
	uint8_t buf[1001];
	uint64_t dsn = 0x8000000100000001ull;
	uint32_t ssn = 4242;
	uint16_t len = sizeof(buf), right;
	mpx_csum_t acc;
	int bit, bad = 0;

	fill_random(buf, sizeof(buf));
	acc = sum_whole(buf, sizeof(buf));
	right = mpx_dss_csum_value(acc, dsn, ssn, len);
	ASSERT_EQ(right, ref_csum(dsn, ssn, len, buf, sizeof(buf)));
	CHECK(mpx_dss_csum_ok(acc, dsn, ssn, len, right), "right refused");
	/* Any single bit of the data: first, middle and odd last byte. */
	for (bit = 0; bit < 8; bit++) {
		static const size_t at[] = {0, 1, 500, 1000};

		for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
			buf[at[k]] ^= (uint8_t)(1u << bit);
			bad += mpx_dss_csum_ok(sum_whole(buf, sizeof(buf)), dsn,
					       ssn, len, right);
			buf[at[k]] ^= (uint8_t)(1u << bit);
		}
	}
	ASSERT_EQ(bad, 0);
	/* Any single bit of the DSN, the SSN, the length, the checksum. */
	for (bit = 0; bit < 64; bit++)
		bad +=
		    mpx_dss_csum_ok(acc, dsn ^ (1ull << bit), ssn, len, right);
	ASSERT_EQ(bad, 0);
	for (bit = 0; bit < 32; bit++)
		bad += mpx_dss_csum_ok(acc, dsn, ssn ^ (1u << bit), len, right);
	for (bit = 0; bit < 16; bit++) {
		bad += mpx_dss_csum_ok(acc, dsn, ssn, len ^ (1u << bit), right);
		bad += mpx_dss_csum_ok(acc, dsn, ssn, len,
				       right ^ (uint16_t)(1u << bit));
	}
	ASSERT_EQ(bad, 0);
}

TEST(dss_csum_both_zeros_accepted_like_linux)
{
	/* A pseudo-header and data summing to 0xffff make the right value
	 * 0x0000; 0xffff is the same number in ones' complement, and Linux
	 * accepts it (csum_fold of the whole is 0 either way). DSN 0xffff,
	 * the rest zero. */
	ASSERT_EQ(mpx_dss_csum_value(0, 0xffff, 0, 0), 0);
	CHECK(mpx_dss_csum_ok(0, 0xffff, 0, 0, 0x0000), "0x0000 refused");
	CHECK(mpx_dss_csum_ok(0, 0xffff, 0, 0, 0xffff), "0xffff refused");
	CHECK(!mpx_dss_csum_ok(0, 0xffff, 0, 0, 0x0001), "0x0001 accepted");
}

TEST(dss_csum_linux_wire_values)
{
	/* Captured on loopback, Linux 6.18, net.mptcp.checksum_enabled=1,
	 * 64-bit DSNs as sent; each DSS read from the option bytes. */
	static const char reply[] = "reply from server: 802\n";
	uint8_t bulk[769];
	size_t i;

	/* Server to client: DSN d9ebdf687afccbab, SSN 1, length 23,
	 * checksum 0x0529, the payload above. */
	ASSERT_EQ(mpx_dss_csum_value(sum_whole((const uint8_t *)reply, 23),
				     0xd9ebdf687afccbabull, 1, 23),
		  0x0529);
	CHECK(mpx_dss_csum_ok(sum_shuffled((const uint8_t *)reply, 23, 4),
			      0xd9ebdf687afccbabull, 1, 23, 0x0529),
	      "wire checksum refused");
	/* Client to server: bytes 0..255 three times and "x", DSN
	 * 711ae93636bbb012, SSN 34, length 769, checksum 0x02fe. */
	for (i = 0; i < 768; i++)
		bulk[i] = (uint8_t)i;
	bulk[768] = 'x';
	ASSERT_EQ(mpx_dss_csum_value(sum_whole(bulk, sizeof(bulk)),
				     0x711ae93636bbb012ull, 34, 769),
		  0x02fe);
	/* Its DATA_FIN alone: no payload, SSN 0, length 1 (the DATA_FIN
	 * counts), DSN 711ae93636bbb313, checksum 0xbbde. */
	ASSERT_EQ(mpx_dss_csum_value(0, 0x711ae93636bbb313ull, 0, 1), 0xbbde);
	CHECK(mpx_dss_csum_ok(0, 0x711ae93636bbb313ull, 0, 1, 0xbbde),
	      "DATA_FIN checksum refused");
}

TEST_MAIN("test_dss_checksum")
