// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * DSS mappings (user/stream/dss_map.c): subflow bytes to DSNs, into the
 * reassembler; repeated, overlapping and contradicting mappings.
 */
#include <stdint.h>
#include <string.h>

#include "stream/dss_map.h"
#include "test_harness.h"

static uint8_t got[1024];
static uint64_t got_len;

static void on_data(void *arg, uint64_t off, const uint8_t *buf, size_t len,
		    int sf)
{
	(void)arg;
	(void)sf;
	if (off + len <= sizeof(got))
		memcpy(got + off, buf, len);
	got_len = off + len;
}

static const struct mpx_reasm_ops ops = {.data = on_data};

TEST(dss_map_two_subflows_into_one_stream)
{
	struct mpx_reasm_limits lim = {.depth = 1 << 20, .ooo_max = 1 << 20};
	struct mpx_dss_map a, b;
	struct mpx_reasm r;
	const char *msg = "GET /evil HTTP/1.1";
	uint64_t base = 0x10000fff0ull;
	uint32_t isn_a = 0xfffffff0u, isn_b = 1000;

	memset(got, 0, sizeof(got));
	got_len = 0;
	if (!ASSERT_EQ(mpx_reasm_init(&r, base, &lim, &ops, NULL), 0))
		return;
	mpx_dss_map_init(&a);
	mpx_dss_map_init(&b);
	/* Before the ISN, nothing maps. */
	ASSERT_EQ(mpx_dss_map_feed(&a, &r, 5, (const uint8_t *)msg, 4, 0, NULL),
		  4);
	mpx_dss_map_isn(&a, isn_a);
	mpx_dss_map_isn(&b, isn_b);
	/* "GET /" on subflow a at SSN 1 (its sequence numbers wrap), the
	 * rest on subflow b at SSN 1: DSN base and base + 5. */
	ASSERT_EQ(
	    mpx_dss_map_add(
		&a, &(struct mpx_dss_mapping){.dsn = base, .ssn = 1, .len = 5}),
	    0);
	ASSERT_EQ(mpx_dss_map_add(&b, &(struct mpx_dss_mapping){.dsn = base + 5,
								.ssn = 1,
								.len = 13}),
		  0);
	ASSERT_EQ(mpx_dss_map_feed(&b, &r, isn_b + 1, (const uint8_t *)msg + 5,
				   13, 1, NULL),
		  0);
	ASSERT_EQ(got_len, 0);
	ASSERT_EQ(mpx_dss_map_feed(&a, &r, isn_a + 1, (const uint8_t *)msg, 5,
				   0, NULL),
		  0);
	ASSERT_EQ(got_len, 18);
	CHECK(memcmp(got, msg, 18) == 0, "stream is \"%.*s\"", 18, got);
	/* Bytes past every mapping are not guessed at. */
	ASSERT_EQ(mpx_dss_map_feed(&a, &r, isn_a + 6, (const uint8_t *)"xy", 2,
				   0, NULL),
		  2);
	mpx_reasm_free(&r);
}

TEST(dss_map_repeat_is_not_inconsistent)
{
	struct mpx_dss_map d;

	mpx_dss_map_init(&d);
	ASSERT_EQ(mpx_dss_map_add(&d, &(struct mpx_dss_mapping){.dsn = 100,
								.ssn = 1,
								.len = 1000}),
		  0);
	ASSERT_EQ(mpx_dss_map_add(&d, &(struct mpx_dss_mapping){.dsn = 100,
								.ssn = 1,
								.len = 1000}),
		  0);
	/* The next mapping, contiguous: fine. */
	ASSERT_EQ(mpx_dss_map_add(&d, &(struct mpx_dss_mapping){.dsn = 1100,
								.ssn = 1001,
								.len = 500}),
		  0);
	ASSERT_EQ(d.n, 2);
	/* SSN 1001..1500 again, to other DSNs. */
	ASSERT_EQ(mpx_dss_map_add(&d, &(struct mpx_dss_mapping){.dsn = 9000,
								.ssn = 1001,
								.len = 500}),
		  1);
	/* Overlapping the first one's middle, consistent with it. */
	ASSERT_EQ(mpx_dss_map_add(&d, &(struct mpx_dss_mapping){.dsn = 150,
								.ssn = 51,
								.len = 10}),
		  0);
}

TEST(dss_map_infinite_mapping)
{
	struct mpx_reasm_limits lim = {.depth = 1 << 20, .ooo_max = 1 << 20};
	struct mpx_dss_map d;
	struct mpx_reasm r;

	got_len = 0;
	if (!ASSERT_EQ(mpx_reasm_init(&r, 50, &lim, &ops, NULL), 0))
		return;
	mpx_dss_map_init(&d);
	mpx_dss_map_isn(&d, 7);
	mpx_dss_map_add(&d,
			&(struct mpx_dss_mapping){
			    .dsn = 50, .ssn = 1, .len = MPX_DSS_MAP_INFINITE});
	ASSERT_EQ(
	    mpx_dss_map_feed(&d, &r, 8, (const uint8_t *)"abcdef", 6, 0, NULL),
	    0);
	ASSERT_EQ(
	    mpx_dss_map_feed(&d, &r, 14, (const uint8_t *)"gh", 2, 0, NULL), 0);
	ASSERT_EQ(got_len, 8);
	CHECK(memcmp(got, "abcdefgh", 8) == 0, "in order");
	mpx_reasm_free(&r);
}

/* The DSS checksum (RFC 8684 section 3.3.1) of a mapping is checked when
 * its last byte arrives, over pieces in subflow order with a retransmitted
 * one in between; a changed byte fails it; a piece past a hole leaves the
 * mapping unchecked. */
TEST(dss_map_checksum)
{
	struct mpx_reasm_limits lim = {.depth = 1 << 20, .ooo_max = 1 << 20};
	const uint8_t *msg = (const uint8_t *)"0123456789abcdefghij";
	struct mpx_dss_mapping m = {.dsn = 1000, .ssn = 1, .len = 20};
	struct mpx_dss_feed_result res;
	struct mpx_dss_map d;
	struct mpx_reasm r;
	uint8_t bad[20];

	m.has_csum = 1;
	m.data_len = 20;
	m.csum_bytes = 20;
	m.csum =
	    mpx_dss_csum_value(mpx_dss_csum_add(0, 0, msg, 20), 1000, 1, 20);
	for (int pass = 0; pass < 3; pass++) {
		if (!ASSERT_EQ(mpx_reasm_init(&r, 1000, &lim, &ops, NULL), 0))
			return;
		mpx_dss_map_init(&d);
		mpx_dss_map_isn(&d, 99);
		mpx_dss_map_add(&d, &m);
		memcpy(bad, msg, 20);
		if (pass == 1)
			bad[13] ^= 0x20;
		if (pass == 2) {
			/* Bytes 7.. before 0..6: a hole first. */
			mpx_dss_map_feed(&d, &r, 107, bad + 7, 13, 0, &res);
			ASSERT_EQ(res.csum_bad + res.csum_ok, 0);
			mpx_dss_map_feed(&d, &r, 100, bad, 7, 0, &res);
			ASSERT_EQ(res.csum_bad + res.csum_ok, 0);
			mpx_reasm_free(&r);
			continue;
		}
		mpx_dss_map_feed(&d, &r, 100, bad, 7, 0, &res);
		ASSERT_EQ(res.csum_bad + res.csum_ok, 0);
		mpx_dss_map_feed(&d, &r, 100, bad, 7, 0, &res); /* again */
		mpx_dss_map_feed(&d, &r, 107, bad + 7, 13, 0, &res);
		ASSERT_EQ(res.csum_ok, pass == 0);
		ASSERT_EQ(res.csum_bad, pass == 1);
		if (pass == 1)
			ASSERT_EQ(res.bad.dsn, 1000);
		mpx_reasm_free(&r);
	}
}

TEST_MAIN("test_dss_map")
