// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * libFuzzer target: any bytes as a sequence of records (include/
 * mptcp_event.h) fed to the correlator (user/correlate/) and through a real
 * writer of connection events, with time passing and a table of at most
 * 1..8 connections, so that evictions, grace periods, token collisions and
 * 4-tuple reuse all happen.
 *
 * Random records would almost never meet: a join's token must be the hash
 * of a key seen earlier, its HMACs computed from both keys and nonces. So
 * the input picks among templates and among small sets of hosts, ports,
 * keys and nonces, and the templates compute tokens and HMACs with the
 * real crypto (user/correlate/mptcp_crypto.h); raw byte patches then
 * overwrite any field of the record, so nothing the correlator reads is
 * off limits. The input is:
 *
 *   byte 0   config: bits 0-2 max_conns - 1; bits 3-4 writer (1 text,
 *            2 zeek, else json); bit 5 the flow table knows the subflows;
 *            bit 6 detection at its most sensitive (window 1 s,
 *            thresholds 2, tables of max_conns windows, documentation
 *            ranges suspicious, home network 198.18.0.0/15), else its
 *            defaults; bit 7 the data level (mpx_corr_set_streams, no
 *            files)
 *   bytes 1-12  the first record's time: ts_sec (8 bytes, little-endian)
 *            and ts_usec (4 bytes), taken modulo the range of origin.h,
 *            which the capture reader guarantees (fuzz_capture checks it);
 *            with the data level, q = ts_usec / 1000000 (what the modulo
 *            leaves unused) gives its bounds: depth (q & 15) * 32 bytes
 *            (0: none), memcap from m = q >> 4: m & 3 histories of 64 KiB
 *            plus (m >> 2) * 128 bytes (m 0: none)
 *   then chunks of 4 bytes and their patches:
 *     op     bits 0-4 template (modulo TPL_MAX); bits 5-7 time step
 *     path   bits 0-1 client host, 2-3 server host, 4 sent by the server
 *            (the template's other direction), 5 IPv6, 6-7 client port
 *     keys   bits 0-1 key A, 2-3 key B, 4-5 nonces (and the advertised
 *            address), 6 MPTCP v0 (else v1), 7 wrong MACs and keys
 *     npatch bits 0-3: that many (offset, value) byte pairs follow,
 *            written over the record (offset modulo its size);
 *            with the data level, bits 4-5 the slice k: a DSS template
 *            maps bytes [100k, 100k + 100) of its sender's stream (DSN
 *            IDSN + 1 + 100k, relative SSN 1 + 100k); bit 6 that DSN in
 *            4 bytes (else 8); bit 7 payload goes with the record
 *
 * The payload is read ahead without being consumed, so that the records
 * of an input are the same whatever the data level does (the regression
 * inputs keep their meaning): from the bytes after the chunk's patches,
 *     len    bytes of payload (at most what the input still has)
 *     delta  the payload's sequence number: the record's (its ack when
 *            the other direction), plus 100k, plus delta as int8
 *     flags  bit 0 from the record's receiver (the 4-tuple reversed);
 *            bits 1-2 u.payload.offset 0, 1, 50 or -50 (mod 2^32); bit 3
 *            a DSS template carries the DSS checksum of these bytes (RFC
 *            8684 section 3.3.1); bit 4 the payload before the record
 *            (no mapping yet), else after it, as a capture gives it
 *     bytes  the next len bytes of the input
 * Payload is fed with the data level off too: it must then be ignored.
 *
 * Checked on every step: the statistics are consistent (closed <= started,
 * evicted <= closed, open connections within the table's bound, open
 * subflows within their bound, detection windows within their tables;
 * the data level's memory within its memcap, nothing of it counted when
 * it is off); mpx_corr_stream_owns() 0, 1 or 2, and 0 with the data
 * level off; every summary has "data" exactly when the data level is
 * on, and no direction longer than the depth; after the end, every
 * connection closed, no subflow open and no reassembly memory held;
 * with the json writer, every output line one JSON object
 * (json_check.h).
 *
 *   make fuzz [FUZZ_SECONDS=60]   (README.md, "Tests")
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "correlate/correlate.h"
#include "correlate/mptcp_crypto.h"
#include "mptcp_event.h"
#include "output/conn_json_writer.h"
#include "output/conn_text_writer.h"
#include "output/zeek_writer.h"
#include "stream/dss_checksum.h"
#include "stream/reassembly.h"

#include "json_check.h"

enum tpl {
	TPL_CAP_SYN,
	TPL_CAP_SYNACK,
	TPL_CAP_ACK,
	TPL_CAP_DATA, /* v1: the first data packet repeats both keys */
	TPL_JOIN_SYN,
	TPL_JOIN_SYNACK,
	TPL_JOIN_ACK,
	TPL_DSS,
	TPL_DSS_DATA_FIN,
	TPL_ADD_ADDR,
	TPL_ADD_ADDR_ECHO,
	TPL_REMOVE_ADDR,
	TPL_PRIO,
	TPL_FAIL,
	TPL_FASTCLOSE,
	TPL_TCPRST,
	TPL_ERROR,
	TPL_SUBFLOW_FIN,
	TPL_SUBFLOW_RST,
	TPL_FALLBACK,
	TPL_EXPERIMENTAL,
	TPL_TICK, /* no record: time passes */
	TPL_MAX,
};

static const __u64 keys[4] = {
    0x61e1d0065542809bULL, /* the docs/design.md v1 connection's A and B */
    0x4d4c52a7e86df770ULL,
    0x9c9eabd1e46a33b2ULL, /* tcpdump_mptcp-v0.pcap's A and B */
    0x967d2770b6960552ULL,
};
static const __u32 nonces[4][2] = {
    {0x34acc972U, 0x764bf014U},
    {0x00000001U, 0xffffffffU},
    {0xdeadbeefU, 0x01020304U},
    {0x34acc972U, 0x34acc972U},
};
static const __u16 client_ports[4] = {40000, 40001, 40002, 443};
/* Time steps (microseconds), around the 1 s grace before a summary. */
static const __s64 steps[8] = {0,	1000,	 100000,   999999,
			       1000000, 1000001, 60000000, -1000000};

static __u32 tokens[2][4]; /* [v1][key index]: SHA-1 for v0, SHA-256 v1 */
static __u64 idsns[2][4];  /* the same keys' IDSNs (RFC 8684 section 3.1) */
static int tokens_ready;

struct world {
	size_t max_conns;
	size_t detect_entries; /* per detection table (three) */
	int query_found;
	struct mpx_origin now;
	struct mpx_stream_opts streams; /* .on 0: the data level off */
};

/* Every summary passes here on its way to the real writer: the data level
 * shows in it exactly when it is on, and never past the depth (bytes and
 * gaps together are the stream's length, which the depth bounds). */
struct sum_check {
	struct mpx_event_writer w; /* first: the correlator calls &w */
	struct mpx_event_writer *inner;
	const struct world *world;
};

static void sum_check_event(struct mpx_event_writer *s,
			    const struct mpx_conn_event *e)
{
	struct sum_check *k = (struct sum_check *)s;
	const struct mpx_conn_summary *sum = e->summary;
	const struct mpx_stream_opts *o = &k->world->streams;

	if (sum && sum->has_data != !!o->on)
		abort();
	for (int d = 0; sum && o->depth && d < 2; d++)
		if (sum->data[d].data_bytes > o->depth ||
		    sum->data[d].gap_bytes > o->depth - sum->data[d].data_bytes)
			abort(); /* a stream longer than the depth */
	k->inner->event(k->inner, e);
}

static void sum_check_finish(struct mpx_event_writer *s)
{
	struct sum_check *k = (struct sum_check *)s;

	k->inner->finish(k->inner);
}

static void host_addr(int v6, int server, int idx, __u8 out[MPX_ADDR_LEN])
{
	memset(out, 0, MPX_ADDR_LEN);
	if (v6) {
		out[0] = 0x20; /* 2001:db8:<side>:<idx>::1 */
		out[1] = 0x01;
		out[2] = 0x0d;
		out[3] = 0xb8;
		out[5] = (__u8)(server + 1);
		out[7] = (__u8)idx;
		out[15] = 1;
	} else {
		out[10] = out[11] = 0xff; /* ::ffff:198.18+server.idx.1 */
		out[12] = 198;
		out[13] = (__u8)(18 + server);
		out[14] = (__u8)idx;
		out[15] = 1;
	}
}

static int query(void *arg, const struct mpx_flow_key *key,
		 struct mpx_flow *out)
{
	const struct world *w = arg;

	if (!w->query_found)
		return -1;
	memset(out, 0, sizeof(*out));
	out->packets[0] = 3 + key->port[0] % 7;
	out->packets[1] = 4;
	out->bytes[0] = 1000;
	out->bytes[1] = key->port[1];
	return 0;
}

/* The record of a template, sent by the client unless `rev`. */
static void build(struct mptcp_event *ev, enum tpl t, __u8 path, __u8 k)
{
	int v6 = path >> 5 & 1, rev = path >> 4 & 1;
	int version = k & 0x40 ? 0 : 1, wrong = k >> 7;
	enum mpx_hash_alg alg = mpx_alg_of_version(version);
	__u64 ka = keys[k & 3], kb = keys[k >> 2 & 3];
	__u32 ra = nonces[k >> 4 & 3][0], rb = nonces[k >> 4 & 3][1];
	__u8 cli[MPX_ADDR_LEN], srv[MPX_ADDR_LEN];
	__u16 cport = client_ports[path >> 6], sport = 80;
	__u32 isn_c = 0x10000000U | (__u32)path << 8 | k;
	__u32 isn_s = 0x20000000U | (__u32)k << 8 | path;
	int from_client = !rev;

	host_addr(v6, 0, path & 3, cli);
	host_addr(v6, 1, path >> 2 & 3, srv);
	memset(ev, 0, sizeof(*ev));
	ev->abi_version = MPX_ABI_VERSION;
	ev->hook = MPX_HOOK_HOST;
	ev->family = v6 ? 6 : 4;
	ev->version = MPX_VERSION_UNKNOWN;
	ev->tcp_flags = MPX_TCP_ACK;
	/* Templates whose natural sender is the server. */
	if (t == TPL_CAP_SYNACK || t == TPL_JOIN_SYNACK)
		from_client = rev;
	memcpy(ev->saddr, from_client ? cli : srv, MPX_ADDR_LEN);
	memcpy(ev->daddr, from_client ? srv : cli, MPX_ADDR_LEN);
	ev->sport = from_client ? cport : sport;
	ev->dport = from_client ? sport : cport;
	ev->seq = (from_client ? isn_c : isn_s) + 1;
	ev->ack = (from_client ? isn_s : isn_c) + 1;
	ev->payload_len = 100;

	switch (t) {
	case TPL_CAP_SYN: /* RFC 8684 section 3.1; v0 (RFC 6824) keys it */
		ev->kind = MPX_EV_MP_CAPABLE;
		ev->tcp_flags = MPX_TCP_SYN;
		ev->seq--;
		ev->ack = 0;
		ev->payload_len = 0;
		ev->version = (__u8)version;
		ev->u.capable.flags = MPX_CAP_H | (version ? 0 : MPX_CAP_A);
		ev->opt_len = version ? 4 : 12;
		ev->u.capable.has_sender_key = !version;
		ev->u.capable.sender_key = ka;
		break;
	case TPL_CAP_SYNACK:
		ev->kind = MPX_EV_MP_CAPABLE;
		ev->tcp_flags = MPX_TCP_SYN | MPX_TCP_ACK;
		ev->seq--;
		ev->payload_len = 0;
		ev->version = (__u8)version;
		ev->u.capable.flags = MPX_CAP_H;
		ev->opt_len = 12;
		ev->u.capable.has_sender_key = 1;
		ev->u.capable.sender_key = kb;
		break;
	case TPL_CAP_ACK:
	case TPL_CAP_DATA:
		ev->kind = MPX_EV_MP_CAPABLE;
		ev->version = (__u8)version;
		ev->u.capable.flags = MPX_CAP_H;
		ev->opt_len = t == TPL_CAP_ACK ? 20 : 22;
		ev->payload_len = t == TPL_CAP_ACK ? 0 : 100;
		ev->u.capable.has_sender_key = 1;
		ev->u.capable.has_receiver_key = 1;
		ev->u.capable.sender_key = ka;
		ev->u.capable.receiver_key = wrong ? kb ^ 1 : kb;
		ev->u.capable.has_data_len = t == TPL_CAP_DATA;
		ev->u.capable.data_len = 100;
		break;
	case TPL_JOIN_SYN: /* RFC 8684 section 3.2: the receiver's token */
		ev->kind = MPX_EV_MP_JOIN;
		ev->tcp_flags = MPX_TCP_SYN;
		ev->seq--;
		ev->ack = 0;
		ev->payload_len = 0;
		ev->opt_len = 12;
		ev->u.join.stage = MPX_JOIN_SYN;
		ev->u.join.addr_id = (__u8)(path & 3);
		ev->u.join.backup = path >> 7;
		ev->u.join.token =
		    tokens[version][k >> 2 & 3] ^ (wrong ? 0x100 : 0);
		ev->u.join.nonce = ra;
		break;
	case TPL_JOIN_SYNACK:
		ev->kind = MPX_EV_MP_JOIN;
		ev->tcp_flags = MPX_TCP_SYN | MPX_TCP_ACK;
		ev->seq--;
		ev->payload_len = 0;
		ev->opt_len = 16;
		ev->u.join.stage = MPX_JOIN_SYNACK;
		ev->u.join.addr_id = (__u8)(path >> 2 & 3);
		ev->u.join.nonce = rb;
		mpx_join_synack_hmac(alg, ka, kb, ra, rb, &ev->u.join.hmac64);
		ev->u.join.hmac64 ^= (__u64)wrong;
		break;
	case TPL_JOIN_ACK:
		ev->kind = MPX_EV_MP_JOIN;
		ev->payload_len = 0;
		ev->opt_len = 24;
		ev->u.join.stage = MPX_JOIN_ACK;
		mpx_join_ack_hmac(alg, ka, kb, ra, rb, ev->u.join.hmac);
		ev->u.join.hmac[19] ^= (__u8)wrong;
		break;
	case TPL_DSS:
	case TPL_DSS_DATA_FIN: /* RFC 8684 section 3.3 */
		ev->kind = MPX_EV_DSS;
		ev->opt_len = 20;
		ev->u.dss.flags = MPX_DSS_A | MPX_DSS_M;
		ev->u.dss.has_ack = 1;
		ev->u.dss.has_map = 1;
		ev->u.dss.data_ack = (__u64)ra << 8;
		ev->u.dss.dsn = (__u64)rb << 8;
		ev->u.dss.ssn = 1;
		ev->u.dss.data_len = 100;
		if (t == TPL_DSS_DATA_FIN) {
			ev->u.dss.flags |= MPX_DSS_F;
			ev->u.dss.data_fin = 1;
		}
		break;
	case TPL_ADD_ADDR:
	case TPL_ADD_ADDR_ECHO: { /* RFC 8684 section 3.4.1 */
		struct mpx_ev_add_addr *a = &ev->u.add_addr;
		__u8 addr[MPX_ADDR_LEN];
		size_t alen = v6 ? 16 : 4;

		ev->kind = MPX_EV_ADD_ADDR;
		ev->version = 1;
		a->version = 1;
		a->echo = t == TPL_ADD_ADDR_ECHO;
		a->addr_id = (__u8)(k >> 4 & 3);
		a->family = v6 ? 6 : 4;
		/* One of the sender side's hosts: a join may go there. */
		host_addr(v6, from_client ? 0 : 1, k >> 4 & 3, addr);
		memcpy(a->addr, v6 ? addr : addr + 12, alen);
		a->has_port = path >> 7;
		a->port = a->has_port ? 8080 : 0;
		a->has_hmac = !a->echo;
		if (a->has_hmac)
			mpx_add_addr_hmac(
			    from_client ? ka : kb, from_client ? kb : ka,
			    a->addr_id, a->addr, alen, a->port, &a->hmac, NULL);
		a->hmac ^= (__u64)wrong;
		ev->opt_len = (__u8)((v6 ? 20 : 8) + (a->has_hmac ? 8 : 0) +
				     (a->has_port ? 2 : 0));
		break;
	}
	case TPL_REMOVE_ADDR: /* RFC 8684 section 3.4.2 */
		ev->kind = MPX_EV_REMOVE_ADDR;
		ev->u.remove_addr.count = (__u8)(1 + (k >> 4 & 3));
		for (int i = 0; i < ev->u.remove_addr.count; i++)
			ev->u.remove_addr.ids[i] = (__u8)i;
		ev->opt_len = (__u8)(3 + ev->u.remove_addr.count);
		break;
	case TPL_PRIO: /* RFC 8684 section 3.3.8 */
		ev->kind = MPX_EV_MP_PRIO;
		ev->u.prio.backup = k >> 4 & 1;
		ev->u.prio.has_addr_id = k >> 5 & 1;
		ev->u.prio.addr_id = (__u8)(path & 3);
		ev->opt_len = ev->u.prio.has_addr_id ? 4 : 3;
		break;
	case TPL_FAIL: /* RFC 8684 section 3.7 */
		ev->kind = MPX_EV_MP_FAIL;
		ev->opt_len = 12;
		ev->u.fail.dsn = (__u64)rb << 8;
		break;
	case TPL_FASTCLOSE: /* RFC 8684 section 3.5: the receiver's key */
		ev->kind = MPX_EV_MP_FASTCLOSE;
		ev->opt_len = 12;
		ev->u.fastclose.receiver_key = (from_client ? kb : ka) ^ wrong;
		break;
	case TPL_TCPRST: /* RFC 8684 section 3.6 */
		ev->kind = MPX_EV_MP_TCPRST;
		ev->tcp_flags = MPX_TCP_RST | MPX_TCP_ACK;
		ev->opt_len = 4;
		ev->u.tcprst.flags = k & 0xf;
		ev->u.tcprst.reason = k >> 4;
		break;
	case TPL_ERROR:
		ev->kind = MPX_EV_MP_ERROR;
		ev->subtype = k & 0xf;
		ev->opt_len = k >> 4;
		ev->error = (__u8)(MPX_ERR_BAD_LENGTH + (path & 3));
		break;
	case TPL_SUBFLOW_FIN:
	case TPL_SUBFLOW_RST:
	case TPL_FALLBACK:
		ev->kind = (__u8)(MPX_EV_SUBFLOW_FIN + (t - TPL_SUBFLOW_FIN));
		ev->tcp_flags = t == TPL_SUBFLOW_FIN ? MPX_TCP_FIN | MPX_TCP_ACK
				: t == TPL_SUBFLOW_RST
				    ? MPX_TCP_RST
				    : MPX_TCP_SYN | MPX_TCP_ACK;
		ev->subtype = MPX_SUBTYPE_UNKNOWN;
		ev->u.subflow.packets[0] = 10 + k;
		ev->u.subflow.packets[1] = 20 + path;
		ev->u.subflow.bytes[0] = 1000;
		ev->u.subflow.bytes[1] = 2000;
		break;
	case TPL_EXPERIMENTAL:
		ev->kind = MPX_EV_MP_EXPERIMENTAL;
		ev->opt_len = 4;
		break;
	case TPL_TICK:
	case TPL_MAX:
		break;
	}
	if (ev->kind <= MPX_EV_MP_EXPERIMENTAL)
		ev->subtype = ev->kind;
}

/*
 * With the data level, a DSS template maps slice k of its sender's
 * stream: DSNs from the sender's IDSN, which the input could not name (a
 * hash), so that its bytes land in the stream rather than before or far
 * past it; in 4 bytes when dsn4. Only the data level reads these fields:
 * the rest of the correlator sees the same record.
 */
static void dss_slice(struct mptcp_event *ev, enum tpl t, __u8 path, __u8 k,
		      unsigned int slice, int dsn4)
{
	int rev = path >> 4 & 1, version = k & 0x40 ? 0 : 1;
	int sender = rev ? k >> 2 & 3 : k & 3; /* the server sends Key-B */
	__u64 dsn = idsns[version][sender] + 1 + 100 * slice;

	if (t != TPL_DSS && t != TPL_DSS_DATA_FIN)
		return;
	ev->u.dss.ssn = 1 + 100 * slice;
	ev->u.dss.dsn8 = !dsn4;
	ev->u.dss.dsn = dsn4 ? (__u32)dsn : dsn;
	ev->u.dss.flags =
	    (__u8)((ev->u.dss.flags & ~MPX_DSS_m) | (dsn4 ? 0 : MPX_DSS_m));
}

/* The DSS checksum (RFC 8684 section 3.3.1) of a mapping whose first
 * bytes are buf; right only when buf is the whole mapping. */
static void dss_csum(struct mptcp_event *ev, enum tpl t, const __u8 *buf,
		     size_t len)
{
	struct mpx_ev_dss *d = &ev->u.dss;

	if (t != TPL_DSS && t != TPL_DSS_DATA_FIN)
		return;
	d->has_checksum = 1;
	d->checksum = mpx_dss_csum_value(mpx_dss_csum_add(0, 0, buf, len),
					 d->dsn, d->ssn, d->data_len);
	ev->opt_len = (__u8)(ev->opt_len + 2);
}

/* Payload of the record ev's 4-tuple (its receiver's side when flags bit
 * 0), at the sequence number the input says. */
static void payload_hdr(struct mptcp_event *h, const struct mptcp_event *ev,
			unsigned int slice, __u8 delta, __u8 flags, size_t len)
{
	static const __u32 offsets[4] = {0, 1, 50, (__u32)-50};
	int rev = flags & 1;

	*h = *ev;
	h->kind = MPX_EV_PAYLOAD;
	h->subtype = MPX_SUBTYPE_UNKNOWN;
	h->tcp_flags = MPX_TCP_ACK;
	if (rev) {
		memcpy(h->saddr, ev->daddr, MPX_ADDR_LEN);
		memcpy(h->daddr, ev->saddr, MPX_ADDR_LEN);
		h->sport = ev->dport;
		h->dport = ev->sport;
		h->seq = ev->ack;
		h->ack = ev->seq;
	}
	h->seq += 100 * slice + (__u32)(__s32)(__s8)delta;
	h->payload_len = (__u16)len;
	memset(&h->u, 0, sizeof(h->u));
	h->u.payload.offset = offsets[flags >> 1 & 3];
	h->u.payload.len = (__u16)len;
}

static void check_stats(struct mpx_correlator *c, const struct world *w)
{
	const struct mpx_corr_stats *s = mpx_corr_stats(c);

	if (s->conns_closed > s->conns_started ||
	    s->conns_evicted > s->conns_closed ||
	    s->conns_midstream > s->conns_started ||
	    s->conns_started - s->conns_closed > w->max_conns ||
	    s->detect_entries > 3 * w->detect_entries ||
	    s->active_subflows >
		(s->conns_started - s->conns_closed) * MPX_SUM_MAX_SUBFLOWS)
		abort();
	/* README.md, "Bounds": a direction starts only with room for its
	 * history, and waits behind a hole only within what is left. */
	if (w->streams.on && w->streams.memcap &&
	    s->stream_memory > w->streams.memcap)
		abort();
	if (!w->streams.on &&
	    (s->stream_bytes || s->stream_gap_bytes ||
	     s->stream_reinjected_bytes || s->stream_depth_bytes ||
	     s->stream_unmapped_bytes || s->stream_ooo_overflow ||
	     s->streams_memcap || s->stream_memory || s->dss_checksums_ok))
		abort(); /* the data level off does nothing */
}

static void payload(struct mpx_correlator *c, const struct world *w,
		    const struct mptcp_event *h, const __u8 *buf, size_t len)
{
	int owns = mpx_corr_stream_owns(c, h);

	/* correlate.h: 1 initial subflow, 2 join, 0 not (always 0 off). */
	if (owns < 0 || owns > 2 || (!w->streams.on && owns))
		abort();
	mpx_corr_payload(c, &w->now, h, buf, len);
}

/* ts + step, kept within origin.h's range (time may go backwards in a
 * capture; it cannot go before 0 nor past MPX_TS_SEC_MAX). */
static void advance(struct mpx_origin *o, __s64 step)
{
	mpx_origin_set_time(o, o->ts_sec, (__s64)o->ts_usec + step);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpx_event_writer writer;
	struct sum_check check;
	struct mpx_correlator *c;
	struct world w;
	char *out = NULL;
	size_t outlen = 0, i;
	uint64_t sec;
	uint32_t usec;
	FILE *f;
	int kind;

	if (!tokens_ready) {
		for (int v = 0; v < 2; v++)
			for (int k = 0; k < 4; k++)
				mpx_key_token_idsn(mpx_alg_of_version(v),
						   keys[k], &tokens[v][k],
						   &idsns[v][k]);
		tokens_ready = 1;
	}
	if (size < 13)
		return 0;
	memset(&w, 0, sizeof(w));
	w.max_conns = (size_t)(data[0] & 7) + 1;
	w.query_found = data[0] >> 5 & 1;
	kind = data[0] >> 3 & 3;
	memcpy(&sec, data + 1, 8);
	memcpy(&usec, data + 9, 4);
	w.now.ts_sec = (int64_t)(sec % (uint64_t)(MPX_TS_SEC_MAX + 1));
	w.now.ts_usec = (int32_t)(usec % 1000000);
	if (data[0] >> 7) {
		/* Small bounds, so that depth, memcap refusals and holes given
		 * up to the memcap all happen. */
		uint32_t q = usec / 1000000, m = q >> 4;

		w.streams.on = 1;
		w.streams.depth = (q & 15) * 32;
		w.streams.memcap =
		    m ? (m & 3) * (__u64)MPX_REASM_HISTORY + (m >> 2) * 128 : 0;
	}

	f = open_memstream(&out, &outlen);
	if (!f)
		return 0;
	if (kind == 1)
		mpx_text_writer_init(&writer, f);
	else if (kind == 2)
		mpx_zeek_writer_init(&writer, f);
	else
		mpx_json_writer_init(&writer, f);
	memset(&check, 0, sizeof(check));
	check.w.event = sum_check_event;
	check.w.finish = sum_check_finish;
	check.inner = &writer;
	check.world = &w;
	c = mpx_corr_new(w.max_conns, &check.w);
	if (!c) {
		fclose(f);
		free(out);
		return 0;
	}
	mpx_corr_set_flow_query(c, query, &w);
	if (w.streams.on) {
		/* A depth or memcap of 0 is the correlator's own "no
		 * limit". */
		mpx_corr_set_streams(c, &w.streams);
	}
	if (data[0] >> 6 & 1) {
		struct mpx_detect_opts d;
		char err[64];

		mpx_detect_opts_default(&d);
		d.window_sec = 1;
		d.join_flood_threshold = 2;
		d.scan_threshold = 2;
		d.max_entries = w.max_conns;
		d.doc_ranges_suspicious = 1;
		if (mpx_parse_home_nets("198.18.0.0/15", &d.home, err,
					sizeof(err)) < 0 ||
		    mpx_corr_set_detect(c, &d) < 0)
			abort();
		w.detect_entries = w.max_conns;
	} else {
		w.detect_entries = MPX_DETECT_DEFAULT_ENTRIES;
	}

	for (i = 13; i + 4 <= size;) {
		__u8 op = data[i], path = data[i + 1], k = data[i + 2];
		size_t npatch = data[i + 3] & 15, pe, plen = 0;
		unsigned int slice = data[i + 3] >> 4 & 3;
		int dsn4 = data[i + 3] >> 6 & 1, pay = data[i + 3] >> 7;
		enum tpl t = (enum tpl)((op & 31) % TPL_MAX);
		const __u8 *pbuf = NULL, *ph = NULL;
		struct mptcp_event ev, h;

		i += 4;
		/* The payload, read ahead (not consumed): after the
		 * patches this chunk really has. */
		pe =
		    i + 2 * (npatch < (size - i) / 2 ? npatch : (size - i) / 2);
		if (pay && pe + 3 <= size) {
			ph = data + pe;
			pbuf = ph + 3;
			plen =
			    ph[0] < size - (pe + 3) ? ph[0] : size - (pe + 3);
		}
		if (!w.streams.on)
			slice = 0; /* the templates as they always were */
		build(&ev, t, path, k);
		if (w.streams.on)
			dss_slice(&ev, t, path, k, slice, dsn4);
		if (w.streams.on && ph && ph[2] >> 3 & 1)
			dss_csum(&ev, t, pbuf, plen);
		for (size_t p = 0; p < npatch && i + 2 <= size; p++, i += 2)
			((__u8 *)&ev)[data[i] % sizeof(ev)] = data[i + 1];
		if (ph)
			payload_hdr(&h, &ev, slice, ph[1], ph[2], plen);
		w.now.frame++;
		advance(&w.now, steps[op >> 5]);
		/* As replay does: time first, then the frame's records, then
		 * its payload (unless the input says before). */
		mpx_corr_tick(c, &w.now);
		if (ph && ph[2] >> 4 & 1)
			payload(c, &w, &h, pbuf, plen);
		if (t != TPL_TICK)
			mpx_corr_record(c, &w.now, &ev);
		if (ph && !(ph[2] >> 4 & 1))
			payload(c, &w, &h, pbuf, plen);
		check_stats(c, &w);
	}
	mpx_corr_finish(c);
	check.w.finish(&check.w);
	{
		const struct mpx_corr_stats *s = mpx_corr_stats(c);

		if (s->conns_closed != s->conns_started ||
		    s->active_subflows != 0 || s->stream_memory != 0)
			abort(); /* the end closes everything */
	}
	mpx_corr_free(c);
	fclose(f);
	if (getenv("MPX_FUZZ_DUMP")) /* to see what an input does */
		fwrite(out, 1, outlen, stderr);
	if (kind != 1 && kind != 2 && mpx_json_lines_check(out, outlen))
		abort(); /* a line that is not one JSON object */
	free(out);
	return 0;
}
