// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Many sensors (README.md, "Many sensors"): the redis:// URL parser, the
 * versioned record codec, the reorder window's order and the shard
 * routing, without a Redis server (tests/e2e/test_publish.sh has one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central/reorder_window.h"
#include "publish/publisher.h"
#include "publish/record_codec.h"
#include "publish/redis_url.h"
#include "publish/shard_route.h"
#include "test_harness.h"

static int parse(const char *s, struct mpx_redis_url *u, char *err)
{
	return mpx_redis_url_parse(s, "--publish", u, err, 200);
}

TEST(url_host_port_key)
{
	struct mpx_redis_url u;
	char err[200];

	if (!CHECK(parse("redis://127.0.0.1:6390/mptcp", &u, err) == 0, "%s",
		   err))
		return;
	ASSERT_STREQ(u.host, "127.0.0.1");
	ASSERT_EQ(u.port, 6390);
	ASSERT_EQ(u.nkeys, 1);
	ASSERT_STREQ(u.keys[0], "mptcp");
}

TEST(url_default_port_names_ipv6_keys)
{
	struct mpx_redis_url u;
	char err[200];

	CHECK(parse("redis://central.example/k", &u, err) == 0, "%s", err);
	ASSERT_STREQ(u.host, "central.example");
	ASSERT_EQ(u.port, 6379);
	CHECK(parse("redis://[::1]:7000/a:0,a:1,b", &u, err) == 0, "%s", err);
	ASSERT_STREQ(u.host, "::1");
	ASSERT_EQ(u.port, 7000);
	ASSERT_EQ(u.nkeys, 3);
	ASSERT_STREQ(u.keys[0], "a:0");
	ASSERT_STREQ(u.keys[1], "a:1");
	ASSERT_STREQ(u.keys[2], "b");
}

TEST(url_errors_say_what)
{
	static const struct {
		const char *url, *says;
	} bad[] = {
	    {"http://h/k", "takes redis://HOST:PORT/KEY"},
	    {"redis://h", "no '/KEY'"},
	    {"redis://h:6379/", "no stream key"},
	    {"redis://:6379/k", "no host"},
	    {"redis://h:0/k", "port must be a number from 1 to 65535"},
	    {"redis://h:65536/k", "port must be"},
	    {"redis://h:12x/k", "port must be"},
	    {"redis://h:/k", "port must be"},
	    {"redis://[::1/k", "no ']'"},
	    {"redis://u:pw@h/k", "no credentials"},
	    {"redis://h\tx/k", "bad character in the host"},
	    {"redis://h/a,,b", "empty stream key"},
	    {"redis://h/a,a", "named twice"},
	    {"redis://h/a b", "printable characters only"},
	};
	struct mpx_redis_url u;
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(parse(bad[i].url, &u, err) < 0, "%s accepted",
		      bad[i].url);
		CHECK(strstr(err, bad[i].says) != NULL, "%s: '%s'", bad[i].url,
		      err);
		CHECK(strncmp(err, "--publish", 9) == 0, "%s", err);
	}
}

TEST(url_key_bounds)
{
	char s[600], err[200];
	struct mpx_redis_url u;
	int n = snprintf(s, sizeof(s), "redis://h/");

	for (int i = 0; i < MPX_REDIS_KEY_MAX + 1; i++)
		s[n++] = 'k';
	s[n] = '\0';
	CHECK(parse(s, &u, err) < 0, "a key of %d bytes accepted",
	      MPX_REDIS_KEY_MAX + 1);
	s[n - 1] = '\0';
	CHECK(parse(s, &u, err) == 0, "%s", err);
	n = snprintf(s, sizeof(s), "redis://h/k0");
	for (int i = 1; i <= MPX_REDIS_MAX_KEYS; i++)
		n += snprintf(s + n, sizeof(s) - (size_t)n, ",k%d", i);
	CHECK(parse(s, &u, err) < 0, "%d keys accepted",
	      MPX_REDIS_MAX_KEYS + 1);
}

static void v4(__u8 *a, __u8 last)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = 198;
	a[13] = 18;
	a[14] = 1;
	a[15] = last;
}

static struct mptcp_event record(__u8 kind, __u8 flags, __u16 sport)
{
	struct mptcp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.abi_version = MPX_ABI_VERSION;
	ev.kind = kind;
	ev.family = 4;
	ev.tcp_flags = flags;
	ev.version = 1;
	v4(ev.saddr, 1);
	v4(ev.daddr, 2);
	ev.sport = sport;
	ev.dport = 5201;
	return ev;
}

TEST(codec_round_trip_keeps_every_byte)
{
	struct mptcp_event ev = record(MPX_EV_MP_JOIN, MPX_TCP_SYN, 40000);
	struct mpx_origin o = {
	    .frame = 7, .ts_sec = 1700000000, .ts_usec = 123456};
	__u8 buf[MPX_CODEC_MAX];
	struct mpx_decoded d;
	size_t n;

	ev.u.join.token = 0xc56050ed;
	ev.u.join.nonce = 0x34acc972;
	n = mpx_codec_encode("sensor-A.1", &o, &ev, 0, buf);
	ASSERT_EQ(n, MPX_CODEC_HEADER + 10 + sizeof(ev));
	ASSERT_EQ(buf[0], MPX_CODEC_VERSION);
	ASSERT_EQ(buf[1], 10);
	ASSERT_EQ(buf[2] | buf[3] << 8, 120);
	if (!CHECK(mpx_codec_decode(buf, n, &d) == 0, "decode"))
		return;
	ASSERT_MEMEQ(&d.ev, &ev, sizeof(ev));
	ASSERT_STREQ(d.sensor, "sensor-A.1");
	ASSERT_EQ(d.origin.ts_sec, 1700000000);
	ASSERT_EQ(d.origin.ts_usec, 123456);
	ASSERT_EQ(d.origin.frame, 0); /* frames are per sensor */
	ASSERT_EQ(d.shadow, 0);
}

TEST(codec_shadow_bit_and_version_1)
{
	struct mptcp_event ev = record(MPX_EV_MP_CAPABLE, MPX_TCP_SYN, 40000);
	struct mpx_origin o = {.ts_sec = 5};
	__u8 buf[MPX_CODEC_MAX];
	struct mpx_decoded d;
	size_t n = mpx_codec_encode("s1", &o, &ev, 1, buf);

	ASSERT_EQ(buf[1], 0x82);
	if (!CHECK(mpx_codec_decode(buf, n, &d) == 0, "decode"))
		return;
	ASSERT_EQ(d.shadow, 1);
	ASSERT_STREQ(d.sensor, "s1");
	/* A version 1 frame (no shadow bit) from an older sensor. */
	n = mpx_codec_encode("s1", &o, &ev, 0, buf);
	buf[0] = 1;
	if (!CHECK(mpx_codec_decode(buf, n, &d) == 0, "version 1"))
		return;
	ASSERT_EQ(d.shadow, 0);
	buf[1] |= 0x80; /* in version 1, a name of 130 bytes */
	CHECK(mpx_codec_decode(buf, n, &d) < 0, "version 1, bit 7");
}

TEST(codec_rejects)
{
	struct mptcp_event ev = record(MPX_EV_DSS, MPX_TCP_ACK, 40000);
	struct mpx_origin o = {.ts_sec = 1, .ts_usec = 2};
	__u8 buf[MPX_CODEC_MAX], bad[MPX_CODEC_MAX];
	struct mpx_decoded d;
	size_t n = mpx_codec_encode("A", &o, &ev, 0, buf);

	CHECK(mpx_codec_decode(buf, n, &d) == 0, "the good one");
	CHECK(mpx_codec_decode(buf, n - 1, &d) < 0, "short");
	CHECK(mpx_codec_decode(buf, MPX_CODEC_HEADER - 1, &d) < 0, "header");
	memcpy(bad, buf, n);
	bad[0] = 3;
	CHECK(mpx_codec_decode(bad, n, &d) < 0, "another codec version");
	bad[0] = 0;
	CHECK(mpx_codec_decode(bad, n, &d) < 0, "codec version 0");
	memcpy(bad, buf, n);
	bad[1] = 0;
	CHECK(mpx_codec_decode(bad, n, &d) < 0, "no sensor");
	memcpy(bad, buf, n);
	bad[MPX_CODEC_HEADER] = ' ';
	CHECK(mpx_codec_decode(bad, n, &d) < 0, "bad sensor name");
	memcpy(bad, buf, n);
	bad[12] = 0x40;
	bad[13] = 0x42;
	bad[14] = 0x0f; /* usec 1000000 */
	CHECK(mpx_codec_decode(bad, n, &d) < 0, "usec out of range");
	ev.abi_version = MPX_ABI_VERSION + 1;
	n = mpx_codec_encode("A", &o, &ev, 0, buf);
	CHECK(mpx_codec_decode(buf, n, &d) < 0, "another record ABI");
	ev = record(MPX_EV_PAYLOAD, MPX_TCP_ACK, 1);
	n = mpx_codec_encode("A", &o, &ev, 0, buf);
	CHECK(mpx_codec_decode(buf, n, &d) < 0, "payload is never sent");
}

TEST(codec_wanted_kinds)
{
	static const __u8 want[] = {
	    MPX_EV_MP_CAPABLE,	MPX_EV_MP_JOIN,	     MPX_EV_DSS,
	    MPX_EV_ADD_ADDR,	MPX_EV_REMOVE_ADDR,  MPX_EV_MP_PRIO,
	    MPX_EV_MP_FAIL,	MPX_EV_MP_FASTCLOSE, MPX_EV_MP_TCPRST,
	    MPX_EV_SUBFLOW_FIN, MPX_EV_SUBFLOW_RST,  MPX_EV_FALLBACK};
	int n = 0;

	for (int k = 0; k < MPX_EV_KIND_MAX; k++) {
		struct mptcp_event ev = record((__u8)k, 0, 1);
		int w = 0;

		for (size_t i = 0; i < sizeof(want); i++)
			w |= want[i] == k;
		ASSERT_EQ(mpx_codec_wanted(&ev), w);
		n += w;
	}
	ASSERT_EQ(n, 12);
}

TEST(sensor_names)
{
	char s[80];

	CHECK(mpx_sensor_name_valid("edge-1.dc_2"), "plain");
	CHECK(!mpx_sensor_name_valid(""), "empty");
	CHECK(!mpx_sensor_name_valid("a b"), "space");
	CHECK(!mpx_sensor_name_valid("a,b"), "comma");
	CHECK(!mpx_sensor_name_valid("a\"b"), "quote");
	memset(s, 'x', 64);
	s[64] = '\0';
	CHECK(mpx_sensor_name_valid(s), "64");
	s[64] = 'x';
	s[65] = '\0';
	CHECK(!mpx_sensor_name_valid(s), "65");
}

TEST(stream_keys_per_shard)
{
	char k[64];

	mpx_publish_stream_key("mptcp", 1, 0, k, sizeof(k));
	ASSERT_STREQ(k, "mptcp");
	mpx_publish_stream_key("mptcp", 4, 3, k, sizeof(k));
	ASSERT_STREQ(k, "mptcp:3");
}

static struct mpx_held_record held(__s64 sec, __s32 usec, int tag)
{
	struct mpx_held_record r;

	memset(&r, 0, sizeof(r));
	r.d.origin.ts_sec = sec;
	r.d.origin.ts_usec = usec;
	r.stream = tag;
	return r;
}

TEST(reorder_by_time_then_arrival)
{
	struct mpx_reorder_window *w = mpx_reorder_new(8);
	struct mpx_held_record r, a;
	static const int want[] = {3, 1, 4, 2, 0};

	if (!CHECK(w != NULL, "new"))
		return;
	r = held(10, 5, 0);
	mpx_reorder_push(w, &r);
	r = held(10, 1, 1); /* same time as 4: came first */
	mpx_reorder_push(w, &r);
	r = held(10, 2, 2);
	mpx_reorder_push(w, &r);
	r = held(9, 999999, 3);
	mpx_reorder_push(w, &r);
	r = held(10, 1, 4);
	mpx_reorder_push(w, &r);
	ASSERT_EQ(mpx_reorder_count(w), 5);
	ASSERT_EQ(mpx_reorder_usec(mpx_reorder_top(w)), 9999999);
	for (int i = 0; i < 5; i++) {
		mpx_reorder_pop(w, &a);
		ASSERT_EQ(a.stream, want[i]);
	}
	CHECK(mpx_reorder_top(w) == NULL, "empty");
	mpx_reorder_free(w);
}

TEST(reorder_bounded)
{
	struct mpx_reorder_window *w = mpx_reorder_new(3);
	struct mpx_held_record r;

	for (int i = 0; i < 3; i++) {
		r = held(100 - i, 0, i);
		mpx_reorder_push(w, &r);
	}
	CHECK(mpx_reorder_full(w), "full at its capacity");
	mpx_reorder_pop(w, &r);
	ASSERT_EQ(r.d.origin.ts_sec, 98);
	CHECK(!mpx_reorder_full(w), "room again");
	mpx_reorder_free(w);
}

struct routed {
	int n;
	__u8 kind[8];
	__u8 flags[8];
	unsigned int shard[8];
	int shadow[8];
};

static void route_out(void *arg, const struct mpx_origin *o,
		      const struct mptcp_event *ev, unsigned int shard,
		      int shadow)
{
	struct routed *r = arg;

	(void)o;
	if (r->n < 8) {
		r->kind[r->n] = ev->kind;
		r->flags[r->n] = ev->tcp_flags;
		r->shard[r->n] = shard;
		r->shadow[r->n] = shadow;
	}
	r->n++;
}

/* docs/design.md's vector: Key-B 0x4d4c52a7e86df770, token 0xc56050ed
 * (v1): shard 0xc56050ed mod 4 = 1. Key-A 0x0102030405060708: token
 * 0x66840dda, shard 2 of 4. */
#define KEY_A 0x0102030405060708ULL
#define KEY_B 0x4d4c52a7e86df770ULL

/* The SYN/ACK of the subflow 198.18.1.1:40000 -> .2:5201 (it goes the
 * other way), carrying key B. */
static struct mptcp_event capable_synack(void)
{
	struct mptcp_event ev =
	    record(MPX_EV_MP_CAPABLE, MPX_TCP_SYN | MPX_TCP_ACK, 5201);

	v4(ev.saddr, 2);
	v4(ev.daddr, 1);
	ev.dport = 40000;
	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = KEY_B;
	return ev;
}

/* Its third ACK: both keys (RFC 8684 section 3.1). */
static struct mptcp_event capable_ack(void)
{
	struct mptcp_event ev = record(MPX_EV_MP_CAPABLE, MPX_TCP_ACK, 40000);

	ev.u.capable.has_sender_key = 1;
	ev.u.capable.sender_key = KEY_A;
	ev.u.capable.has_receiver_key = 1;
	ev.u.capable.receiver_key = KEY_B;
	return ev;
}

TEST(shard_route_capable_by_token_b)
{
	struct mpx_shard_router *rt = mpx_shard_router_new(4);
	struct mptcp_event syn = record(MPX_EV_MP_CAPABLE, MPX_TCP_SYN, 40000);
	struct mptcp_event synack = capable_synack();
	struct mptcp_event dss = record(MPX_EV_DSS, MPX_TCP_ACK, 40000);
	struct mpx_origin o = {.ts_sec = 100};
	struct routed r = {0};

	if (!CHECK(rt != NULL, "new"))
		return;
	mpx_shard_route(rt, &o, &syn, route_out, &r);
	mpx_shard_route(rt, &o, &syn, route_out, &r); /* retransmitted */
	ASSERT_EQ(r.n, 0);			      /* held: no key B yet */
	mpx_shard_route(rt, &o, &synack, route_out, &r);
	ASSERT_EQ(r.n, 3);
	ASSERT_EQ(r.flags[0], MPX_TCP_SYN); /* the SYNs first */
	ASSERT_EQ(r.flags[1], MPX_TCP_SYN);
	ASSERT_EQ(r.shard[0], 1);
	ASSERT_EQ(r.shard[1], 1);
	ASSERT_EQ(r.shard[2], 1);
	mpx_shard_route(rt, &o, &dss, route_out, &r);
	ASSERT_EQ(r.n, 4);
	ASSERT_EQ(r.shard[3], 1); /* learnt for the subflow */
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(r.shadow[i], 0); /* key A unknown: no shadow */
	mpx_shard_router_free(rt);
}

/* Key A's token is in shard 2, key B's in 1: the connection lives in 1,
 * its shadow in 2. */
TEST(shard_route_shadow_in_token_a_shard)
{
	struct mpx_shard_router *rt = mpx_shard_router_new(4);
	struct mptcp_event syn = record(MPX_EV_MP_CAPABLE, MPX_TCP_SYN, 40000);
	struct mptcp_event synack = capable_synack();
	struct mptcp_event ack = capable_ack();
	struct mptcp_event dss = record(MPX_EV_DSS, MPX_TCP_ACK, 40000);
	struct mptcp_event fin = record(MPX_EV_SUBFLOW_FIN, MPX_TCP_FIN, 40000);
	struct mptcp_event join = record(MPX_EV_MP_JOIN, MPX_TCP_SYN, 41000);
	struct mpx_origin o = {.ts_sec = 100};
	struct routed r = {0};

	if (!CHECK(rt != NULL, "new"))
		return;
	syn.u.capable.has_sender_key = 1; /* as in v0 */
	syn.u.capable.sender_key = KEY_A;
	mpx_shard_route(rt, &o, &syn, route_out, &r);
	ASSERT_EQ(r.n, 0);
	mpx_shard_route(rt, &o, &synack, route_out, &r);
	ASSERT_EQ(r.n, 4); /* SYN and SYN/ACK, each to 1 and to 2 */
	ASSERT_EQ(r.flags[0], MPX_TCP_SYN);
	ASSERT_EQ(r.shard[0], 1);
	ASSERT_EQ(r.shadow[0], 0);
	ASSERT_EQ(r.flags[1], MPX_TCP_SYN);
	ASSERT_EQ(r.shard[1], 2);
	ASSERT_EQ(r.shadow[1], 1);
	ASSERT_EQ(r.shard[2], 1);
	ASSERT_EQ(r.shadow[2], 0);
	ASSERT_EQ(r.shard[3], 2);
	ASSERT_EQ(r.shadow[3], 1);
	/* The third ACK carries both keys: both shards again. */
	r.n = 0;
	mpx_shard_route(rt, &o, &ack, route_out, &r);
	ASSERT_EQ(r.n, 2);
	ASSERT_EQ(r.shard[0], 1);
	ASSERT_EQ(r.shard[1], 2);
	ASSERT_EQ(r.shadow[1], 1);
	/* Data stays with the connection; the subflow's end goes to both. */
	r.n = 0;
	mpx_shard_route(rt, &o, &dss, route_out, &r);
	ASSERT_EQ(r.n, 1);
	ASSERT_EQ(r.shard[0], 1);
	mpx_shard_route(rt, &o, &fin, route_out, &r);
	ASSERT_EQ(r.n, 3);
	ASSERT_EQ(r.shard[1], 1);
	ASSERT_EQ(r.shadow[1], 0);
	ASSERT_EQ(r.shard[2], 2);
	ASSERT_EQ(r.shadow[2], 1);
	/* A join naming token A (sent by the listener): to its shard. */
	join.u.join.token = 0x66840dda;
	r.n = 0;
	mpx_shard_route(rt, &o, &join, route_out, &r);
	ASSERT_EQ(r.n, 1);
	ASSERT_EQ(r.shard[0], 2);
	ASSERT_EQ(r.shadow[0], 0);
	mpx_shard_router_free(rt);
}

/* v1: no key on the SYN (RFC 8684 section 3.1). The SYN and SYN/ACK go to
 * the connection's shard at once, and to the shadow with the third ACK. */
TEST(shard_route_shadow_v1_waits_for_the_third_ack)
{
	struct mpx_shard_router *rt = mpx_shard_router_new(4);
	struct mptcp_event syn = record(MPX_EV_MP_CAPABLE, MPX_TCP_SYN, 40000);
	struct mptcp_event synack = capable_synack();
	struct mptcp_event ack = capable_ack();
	struct mpx_origin o = {.ts_sec = 100};
	struct routed r = {0};

	if (!CHECK(rt != NULL, "new"))
		return;
	mpx_shard_route(rt, &o, &syn, route_out, &r);
	mpx_shard_route(rt, &o, &synack, route_out, &r);
	ASSERT_EQ(r.n, 2);
	ASSERT_EQ(r.shard[0], 1);
	ASSERT_EQ(r.shard[1], 1);
	ASSERT_EQ(r.shadow[0] | r.shadow[1], 0);
	r.n = 0;
	mpx_shard_route(rt, &o, &ack, route_out, &r);
	ASSERT_EQ(r.n, 4);
	ASSERT_EQ(r.flags[0], MPX_TCP_SYN);
	ASSERT_EQ(r.shard[0], 2);
	ASSERT_EQ(r.shadow[0], 1);
	ASSERT_EQ(r.flags[1], MPX_TCP_SYN | MPX_TCP_ACK);
	ASSERT_EQ(r.shard[1], 2);
	ASSERT_EQ(r.shadow[1], 1);
	ASSERT_EQ(r.flags[2], MPX_TCP_ACK);
	ASSERT_EQ(r.shard[2], 1);
	ASSERT_EQ(r.shadow[2], 0);
	ASSERT_EQ(r.shard[3], 2);
	ASSERT_EQ(r.shadow[3], 1);
	mpx_shard_router_free(rt);
}

TEST(shard_route_join_unknown_and_unanswered)
{
	struct mpx_shard_router *rt = mpx_shard_router_new(4);
	struct mptcp_event join = record(MPX_EV_MP_JOIN, MPX_TCP_SYN, 41000);
	struct mptcp_event ack = record(MPX_EV_MP_JOIN, MPX_TCP_ACK, 41000);
	struct mptcp_event lone = record(MPX_EV_DSS, MPX_TCP_ACK, 42000);
	struct mptcp_event syn = record(MPX_EV_MP_CAPABLE, MPX_TCP_SYN, 43000);
	struct mpx_origin o = {.ts_sec = 100}, later = {.ts_sec = 104};
	struct routed r = {0};
	unsigned int first;

	join.u.join.token = 0x12345677; /* mod 4 = 3 */
	mpx_shard_route(rt, &o, &join, route_out, &r);
	ack.u.join.stage = MPX_JOIN_ACK;
	mpx_shard_route(rt, &o, &ack, route_out, &r);
	ASSERT_EQ(r.shard[0], 3);
	ASSERT_EQ(r.shard[1], 3);
	/* Unknown: by 4-tuple, the same each time and on every sensor. */
	mpx_shard_route(rt, &o, &lone, route_out, &r);
	first = r.shard[2];
	mpx_shard_route(rt, &o, &lone, route_out, &r);
	ASSERT_EQ(r.shard[3], first);
	CHECK(first < 4, "a shard");
	/* A SYN nobody answers goes on after the hold, by 4-tuple. */
	mpx_shard_route(rt, &o, &syn, route_out, &r);
	ASSERT_EQ(r.n, 4);
	mpx_shard_router_tick(rt, &o, route_out, &r);
	ASSERT_EQ(r.n, 4);
	mpx_shard_router_tick(rt, &later, route_out, &r);
	ASSERT_EQ(r.n, 5);
	ASSERT_EQ(r.kind[4], MPX_EV_MP_CAPABLE);
	mpx_shard_router_free(rt);
}

TEST_MAIN("publish")
