// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The data-level reassembler (user/stream/reassembly.c): bytes by DSN in
 * any order, repeated, with holes; out in order, once, holes as gaps.
 */
#include <stdint.h>
#include <string.h>

#include "stream/reassembly.h"
#include "test_harness.h"

#define OUT_MAX 4096

struct sink {
	uint8_t out[OUT_MAX];
	uint64_t filled; /* next offset the callbacks must name */
	int order_ok;
	uint64_t gaps, gap_bytes, mismatches, mismatch_off, mismatch_len;
	int last_sf;
	uint64_t copy_bytes, copy_off; /* the copy callback's */
	int copy_sf;
};

static void on_data(void *arg, uint64_t off, const uint8_t *buf, size_t len,
		    int sf)
{
	struct sink *s = arg;

	if (off != s->filled || off + len > OUT_MAX)
		s->order_ok = 0;
	else
		memcpy(s->out + off, buf, len);
	s->filled = off + len;
	s->last_sf = sf;
}

static void on_gap(void *arg, uint64_t off, uint64_t len)
{
	struct sink *s = arg;

	if (off != s->filled)
		s->order_ok = 0;
	s->filled = off + len;
	s->gaps++;
	s->gap_bytes += len;
}

static void on_mismatch(void *arg, uint64_t off, uint64_t len, int sf)
{
	struct sink *s = arg;

	(void)sf;
	s->mismatches++;
	s->mismatch_off = off;
	s->mismatch_len = len;
}

static void on_copy(void *arg, uint64_t off, uint64_t len, int sf)
{
	struct sink *s = arg;

	s->copy_bytes += len;
	s->copy_off = off;
	s->copy_sf = sf;
}

static const struct mpx_reasm_ops ops = {
    .data = on_data,
    .gap = on_gap,
    .mismatch = on_mismatch,
    .copy = on_copy,
};

static uint8_t src[OUT_MAX];

static void fill_src(void)
{
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
}

static int start(struct mpx_reasm *r, struct sink *s, uint64_t base,
		 uint64_t depth, size_t ooo_max)
{
	struct mpx_reasm_limits lim = {.depth = depth, .ooo_max = ooo_max};

	fill_src();
	memset(s, 0, sizeof(*s));
	s->order_ok = 1;
	return ASSERT_EQ(mpx_reasm_init(r, base, &lim, &ops, s), 0);
}

TEST(reasm_in_order_and_out_of_order)
{
	struct mpx_reasm r;
	struct sink s;
	uint64_t base = 0xfffffffffffff000ull; /* the 64-bit DSN wraps */

	if (!start(&r, &s, base, 1 << 20, 1 << 20))
		return;
	/* 0..99, then 300..399, 100..299 last: three subflows' worth. */
	mpx_reasm_add(&r, base + 0, src, 100, 0);
	mpx_reasm_add(&r, base + 300, src + 300, 100, 2);
	ASSERT_EQ(s.filled, 100);
	mpx_reasm_add(&r, base + 100, src + 100, 200, 1);
	ASSERT_EQ(s.filled, 400);
	CHECK(s.order_ok, "deliveries in order");
	CHECK(memcmp(s.out, src, 400) == 0, "bytes as sent");
	ASSERT_EQ(r.st.data_bytes, 400);
	ASSERT_EQ(r.st.reinjected_bytes, 0);
	ASSERT_EQ(s.last_sf, 2);
	mpx_reasm_free(&r);
}

TEST(reasm_reinjection_counted_and_compared)
{
	struct mpx_reasm r;
	struct sink s;
	uint8_t evil[50];

	if (!start(&r, &s, 1000, 1 << 20, 1 << 20))
		return;
	mpx_reasm_add(&r, 1000, src, 200, 0);
	/* The same range again on another subflow: same bytes. */
	mpx_reasm_add(&r, 1050, src + 50, 100, 1);
	ASSERT_EQ(r.st.reinjected_bytes, 100);
	ASSERT_EQ(s.mismatches, 0);
	/* Every copy is told, with its subflow (YARA's carriers). */
	ASSERT_EQ(s.copy_bytes, 100);
	ASSERT_EQ(s.copy_off, 50);
	ASSERT_EQ(s.copy_sf, 1);
	/* Different bytes for delivered offsets 60..109. */
	memcpy(evil, src + 60, sizeof(evil));
	evil[3] ^= 0xff;
	evil[40] ^= 0x01;
	mpx_reasm_add(&r, 1060, evil, sizeof(evil), 1);
	ASSERT_EQ(s.mismatches, 1);
	ASSERT_EQ(s.mismatch_off, 63);
	ASSERT_EQ(s.mismatch_len, 38);
	/* The first copy is kept. */
	CHECK(memcmp(s.out, src, 200) == 0, "first copy kept");
	mpx_reasm_free(&r);
}

TEST(reasm_overlap_with_waiting_chunk)
{
	struct mpx_reasm r;
	struct sink s;
	uint8_t evil[100];

	if (!start(&r, &s, 0, 1 << 20, 1 << 20))
		return;
	mpx_reasm_add(&r, 200, src + 200, 100, 0); /* waits: hole 0..199 */
	memcpy(evil, src + 150, sizeof(evil));
	evil[80] ^= 0x55; /* offset 230, inside the waiting chunk */
	mpx_reasm_add(&r, 150, evil, sizeof(evil), 1);
	ASSERT_EQ(s.mismatches, 1);
	ASSERT_EQ(s.mismatch_off, 230);
	ASSERT_EQ(r.st.reinjected_bytes, 50);
	ASSERT_EQ(s.copy_bytes, 50); /* told while it waits too */
	ASSERT_EQ(s.copy_off, 200);
	mpx_reasm_add(&r, 0, src, 150, 0);
	ASSERT_EQ(s.filled, 300);
	CHECK(memcmp(s.out, src, 300) == 0, "waiting copy kept");
	CHECK(s.order_ok, "in order");
	mpx_reasm_free(&r);
}

TEST(reasm_holes_are_gaps_never_filled)
{
	struct mpx_reasm r;
	struct sink s;

	if (!start(&r, &s, 5, 1 << 20, 1 << 20))
		return;
	mpx_reasm_add(&r, 5, src, 100, 0);
	mpx_reasm_add(&r, 5 + 150, src + 150, 50, 0);
	/* The DATA_FIN at offset 300: 200..299 never came either. */
	mpx_reasm_fin(&r, 5 + 300);
	mpx_reasm_flush(&r);
	ASSERT_EQ(s.gaps, 2);
	ASSERT_EQ(s.gap_bytes, 150);
	ASSERT_EQ(r.st.gap_bytes, 150);
	ASSERT_EQ(r.st.data_bytes, 150);
	ASSERT_EQ(s.filled, 300);
	CHECK(s.order_ok, "gaps and data in order");
	/* A late copy of a declared hole is not compared with stale
	 * history, and is not delivered. */
	mpx_reasm_add(&r, 5 + 100, src + 100, 50, 1);
	ASSERT_EQ(s.mismatches, 0);
	ASSERT_EQ(r.st.data_bytes, 150);
	mpx_reasm_free(&r);
}

TEST(reasm_nothing_past_data_fin_or_depth)
{
	struct mpx_reasm r;
	struct sink s;

	if (!start(&r, &s, 0, 256, 1 << 20))
		return;
	mpx_reasm_add(&r, 0, src, 300, 0);
	ASSERT_EQ(r.st.data_bytes, 256);
	ASSERT_EQ(r.st.depth_bytes, 44);
	/* A copy past the depth (a retransmission, a reinjection on another
	 * subflow) is the same stream bytes: not counted twice. */
	mpx_reasm_add(&r, 260, src + 260, 40, 1);
	ASSERT_EQ(r.st.depth_bytes, 44);
	mpx_reasm_add(&r, 280, src + 20, 40, 1);
	ASSERT_EQ(r.st.depth_bytes, 64);
	mpx_reasm_free(&r);
	if (!start(&r, &s, 0, 1 << 20, 1 << 20))
		return;
	mpx_reasm_fin(&r, 100);
	mpx_reasm_add(&r, 0, src, 300, 0);
	ASSERT_EQ(r.st.data_bytes, 100);
	mpx_reasm_flush(&r);
	ASSERT_EQ(s.gaps, 0);
	mpx_reasm_free(&r);
}

TEST(reasm_ooo_bound_forces_gap)
{
	struct mpx_reasm r;
	struct sink s;

	if (!start(&r, &s, 0, 1 << 20, 100))
		return;
	mpx_reasm_add(&r, 10, src + 10, 80, 0);	  /* waits, 80 of 100 */
	mpx_reasm_add(&r, 200, src + 200, 50, 0); /* would be 130 */
	ASSERT_EQ(r.st.ooo_overflow, 1);
	/* 0..9 and 90..199 were given up as gaps; 10..89 and 200..249 out. */
	ASSERT_EQ(s.gap_bytes, 120);
	ASSERT_EQ(s.filled, 250);
	ASSERT_EQ(r.ooo_bytes, 0);
	CHECK(memcmp(s.out + 10, src + 10, 80) == 0, "kept bytes");
	CHECK(s.order_ok, "in order");
	mpx_reasm_free(&r);
}

TEST(dsn_expand_wraps_both_ways)
{
	ASSERT_EQ(mpx_dsn_expand(0x1fffffff0ull, 0x00000010u), 0x200000010ull);
	ASSERT_EQ(mpx_dsn_expand(0x200000010ull, 0xfffffff0u), 0x1fffffff0ull);
	ASSERT_EQ(mpx_dsn_expand(0x123456789ull, 0x23456789u), 0x123456789ull);
}

TEST_MAIN("test_reassembly")
