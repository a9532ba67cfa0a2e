// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The kernel side: XDP or TC on ingress, TC on egress, one parser. Parse,
 * count, emit; correlation, crypto and policy live in userspace.
 *
 * Also run by `mptcp-xdp replay` through BPF_PROG_TEST_RUN, packet by packet.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "mptcp_event.h"
#include "mptcp_counters.h"
#include "mptcp_config.h"
#include "mptcp_flow.h"
#include "parse_headers.h"
#include "parse_fast.h"

#define MPX_NOW() bpf_ktime_get_ns()

#define TC_ACT_UNSPEC (-1)
/* Enough for Ethernet, two VLAN tags, IPv6 with extension headers and a
 * TCP header with 40 bytes of options; TC pulls this much into the linear
 * part of the skb so that direct packet access reaches the options. */
#define MPX_TC_PULL_LEN 512

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader between open and load; the verifier sees the values,
 * so switched-off kinds are dead code. */
const volatile struct mpx_config mpx_cfg = {
    .emit_mask = MPX_EMIT_ALL_KINDS,
    .dss_policy = MPX_DSS_EDGES,
    .dss_sample_n = 1,
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* 4 MiB: ~35k records of slack */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mpx_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MPX_FLOW_TABLE_SIZE);
	__type(key, struct mpx_flow_key);
	__type(value, struct mpx_flow);
} flows SEC(".maps"); /* assured subflows (include/mptcp_flow.h) */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MPX_FLOW_NEW_TABLE_SIZE);
	__type(key, struct mpx_flow_key);
	__type(value, struct mpx_flow);
} flows_new SEC(".maps"); /* subflows not assured yet: what floods churn */

/* A payload record being built: the record (its kind's size), then its
 * bytes. */
struct mpx_payload_buf {
	__u8 b[MPX_PAYLOAD_RECORD_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mpx_payload_buf);
} payload_scratch SEC(".maps");

/* inspect.h's sink in the kernel: this CPU's counter block, looked up
 * once per packet and handed down; the other maps are global. A NULL sink
 * (paths off the per-packet one) looks the block up itself. */
struct mpx_sink {
	struct mpx_counters ctr;
};

static __always_inline __u64 *sink_counter(struct mpx_sink *sink, __u32 id)
{
	__u32 zero = 0;

	if (!sink)
		sink = bpf_map_lookup_elem(&counters, &zero);
	/* Check the register the access uses: else clang may test a copy of
	 * a variable id (error counters) and index with the original. */
	asm volatile("" : "+r"(id));
	if (!sink || id >= MPX_CTR_MAX)
		return NULL;
	return &sink->ctr.c[id];
}

static __always_inline __u64 mpx_sink_count(struct mpx_sink *sink, __u32 id)
{
	__u64 *v = sink_counter(sink, id);

	if (!v)
		return 0;
	return ++*v; /* per-CPU block: no other writer */
}

static __always_inline void mpx_sink_count_add(struct mpx_sink *sink, __u32 id,
					       __u64 n)
{
	__u64 *v = sink_counter(sink, id);

	if (v)
		*v += n;
}

/* Batched wake-ups (mpx_config.wakeup_bytes): no wake-up per record but
 * one when this record takes the ring past the threshold; the consumer's
 * poll timeout picks up the rest. Only the crossing wakes: past it, a
 * forced wake-up on every record would be an inter-processor interrupt
 * per record while the consumer is already awake and draining. Read
 * through the volatile object (see read_cfg()). */
static __always_inline __u64 ring_flags(__u32 size)
{
	__u32 t = mpx_cfg.wakeup_bytes;
	__u64 avail;

	if (!t)
		return 0;
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	return avail < t && avail + size >= t ? BPF_RB_FORCE_WAKEUP
					      : BPF_RB_NO_WAKEUP;
}

/* MPX_RECORD_SIZE() of each kind, read by index: one load, where the
 * macro's comparisons would be branches the verifier follows one by one.
 * Not static: libbpf 1.1 leaves a static array's offset in .rodata's BTF
 * at 0, the kernel refuses that BTF, and without it the global functions
 * are verified as static ones, in every state they are called in. */
#define RS(k)  MPX_RECORD_SIZE(k)
#define RS4(k) RS(k), RS(k + 1), RS(k + 2), RS(k + 3)
const __u8 mpx_record_size[32] = {
    RS4(0), RS4(4), RS4(8), RS4(12), RS4(16), RS4(20), RS4(24), RS4(28),
};
#undef RS4
#undef RS

/* Only the bytes the record's kind fills go in the ring. */
static __always_inline int mpx_sink_emit(struct mpx_sink *sink,
					 const struct mptcp_event *ev)
{
	__u32 size = mpx_record_size[ev->kind & 31];

	(void)sink;
	/* The bound is for a verifier that does not read the table's
	 * values; clang, which does, would drop it without the barrier. */
	asm volatile("" : "+r"(size));
	if (size > sizeof(*ev))
		size = sizeof(*ev);
	return bpf_ringbuf_output(&events, (void *)ev, size,
				  ring_flags(size + 8));
}

/*
 * A filter in front of the flow table: one bit per hash of a subflow's key,
 * set before the subflow is first inserted and never cleared. A clear bit
 * proves the subflow is in neither table, so a TCP packet of a subflow the
 * table does not hold (all TCP without MPTCP) costs one array read, not two
 * hash lookups of a 40-byte key. A second bit, set before a subflow
 * moves to the assured table, spares the lookup there for subflows that
 * never made it. Bits of evicted subflows stay set: they cost those lookups
 * again, nothing else. 1 Mi bits each, 256 KiB: under a tenth set with both
 * tables full.
 */
#define MPX_FLOW_FILTER_WORDS (1 << 14)

struct mpx_flow_filter {
	__u64 any;     /* in either table */
	__u64 assured; /* in flows */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MPX_FLOW_FILTER_WORDS);
	__type(key, __u32);
	__type(value, struct mpx_flow_filter);
} flow_filter SEC(".maps");

/* Of one endpoint, from the last four bytes of its address (all of an
 * IPv4 one, which struct mpx_pkt maps into IPv6); the two are added, so
 * both directions hash alike. */
static __always_inline __u32 flow_filter_end(__u32 last4, __u16 port)
{
	return (last4 ^ (__u32)port << 16 ^ port) * 0x9e3779b1u;
}

static __always_inline __u32 flow_filter_mix(__u32 h)
{
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 13;
	return h;
}

/* The hash of a subflow's two endpoints, in either order. */
static __always_inline __u32 flow_filter_ends(__u32 s4, __u16 sport, __u32 d4,
					      __u16 dport)
{
	return flow_filter_mix(flow_filter_end(s4, sport) +
			       flow_filter_end(d4, dport));
}

/* Of a flow key, whose addresses are 16 bytes (IPv4 mapped). */
static __always_inline __u32 flow_filter_key(const struct mpx_flow_key *key)
{
	return flow_filter_ends(mpx_load_word(key->addr[0] + 12), key->port[0],
				mpx_load_word(key->addr[1] + 12), key->port[1]);
}

static __always_inline struct mpx_flow_filter *flow_filter_word(__u32 h)
{
	__u32 i = (h >> 6) & (MPX_FLOW_FILTER_WORDS - 1);

	return bpf_map_lookup_elem(&flow_filter, &i);
}

static __always_inline struct mpx_flow *
mpx_sink_flow(struct mpx_sink *sink, const struct mpx_flow_key *key, int create)
{
	static const struct mpx_flow zero;
	__u32 h = flow_filter_key(key);
	struct mpx_flow_filter *word = flow_filter_word(h);
	__u64 bit = 1ull << (h & 63);
	struct mpx_flow *f;

	if (!word)
		return NULL; /* never: the index is in range */
	if (word->any & bit) {
		if (word->assured & bit) {
			f = bpf_map_lookup_elem(&flows, key);
			if (f)
				return f;
		}
		f = bpf_map_lookup_elem(&flows_new, key);
		if (f)
			return f;
	}
	if (!create)
		return NULL;
	if (!(word->any & bit)) /* before the entry exists */
		__sync_fetch_and_or(&word->any, bit);
	if (bpf_map_update_elem(&flows_new, key, &zero, BPF_NOEXIST) == 0)
		mpx_sink_count(sink, MPX_CTR_FLOW_NEW);
	f = bpf_map_lookup_elem(&flows_new, key);
	if (!f)
		mpx_sink_count(sink, MPX_CTR_FLOW_TABLE_FULL);
	return f;
}

/* 0 when the subflow of these endpoints (flow_filter_end()) is certainly
 * in neither table. */
static __always_inline int flow_filter_maybe(__u32 s4, __u16 sport, __u32 d4,
					     __u16 dport)
{
	__u32 h = flow_filter_ends(s4, sport, d4, dport);
	struct mpx_flow_filter *word = flow_filter_word(h);

	return !word || (word->any & (1ull << (h & 63)));
}

/* 0 when pkt's subflow is certainly in neither table (inspect.h). */
static __always_inline int mpx_sink_flow_maybe(struct mpx_sink *sink,
					       const struct mpx_pkt *pkt)
{
	(void)sink;
	return flow_filter_maybe(mpx_load_word(pkt->saddr + 12), pkt->sport,
				 mpx_load_word(pkt->daddr + 12), pkt->dport);
}
#define MPX_SINK_FLOW_MAYBE 1

/* Copy, insert, delete: a packet of the same subflow counted on another
 * CPU in between may be lost from the copy, once in a subflow's life. */
static __always_inline struct mpx_flow *
mpx_sink_flow_assure(struct mpx_sink *sink, const struct mpx_flow_key *key,
		     struct mpx_flow *f)
{
	__u32 h = flow_filter_key(key);
	struct mpx_flow_filter *word = flow_filter_word(h);
	struct mpx_flow v = *f;
	struct mpx_flow *moved;

	(void)sink;
	if (!word)
		return f; /* never: the index is in range */
	if (!(word->assured & (1ull << (h & 63)))) /* before the move */
		__sync_fetch_and_or(&word->assured, 1ull << (h & 63));
	if (bpf_map_update_elem(&flows, key, &v, BPF_NOEXIST) != 0)
		return f;
	moved = bpf_map_lookup_elem(&flows, key);
	if (!moved)
		return f;
	bpf_map_delete_elem(&flows_new, key);
	return moved;
}

#include "inspect.h"

/* Scratch for one packet: more than the 512-byte stack comfortably holds
 * next to the compiler's own spills. The meta is here so that the payload
 * records, built after run() returns, carry the packet's time and hook. */
struct mpx_scratch {
	struct mpx_pkt pkt;
	struct mptcp_event ev;
	struct mpx_meta meta;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mpx_scratch);
} scratch SEC(".maps");

/* Read through the volatile object: a cast to a plain pointer would let
 * clang fold in the initial values above. */
static __always_inline struct mpx_config read_cfg(void)
{
	struct mpx_config cfg = {
	    .emit_mask = mpx_cfg.emit_mask,
	    .dss_policy = mpx_cfg.dss_policy,
	    .dss_sample_n = mpx_cfg.dss_sample_n,
	    .stream_depth = mpx_cfg.stream_depth,
	};

	return cfg;
}

/* Global (not static, not inlined): verified once on its own, whatever the
 * option position it is called for. Arguments may be NULL to the verifier. */
__attribute__((noinline)) int
mpx_option(struct mpx_sink *sink, struct mpx_scratch *s, struct mpx_walk *w,
	   struct mpx_meta *meta, struct mpx_flow *flow)
{
	struct mpx_config cfg = read_cfg();

	if (!sink || !s || !w || !meta)
		return 0;
	return mpx_inspect_option(sink, &cfg, &s->pkt, w, &s->ev, meta, flow);
}

/* The whole walk from w->off, one call per step; global too: the loop is
 * verified once here, not in every state the hooks reach it in. */
__attribute__((noinline)) int mpx_walk_options(struct mpx_sink *sink,
					       struct mpx_scratch *s,
					       struct mpx_walk *w,
					       struct mpx_meta *meta,
					       struct mpx_flow *flow)
{
	int i;

	for (i = 0; i < MPX_MAX_OPT_STEPS; i++)
		if (!mpx_option(sink, s, w, meta, flow))
			break;
	return 0;
}

/* The packet counters (packets, ipv4, ipv6, tcp, non_tcp, mptcp_packets)
 * count segments at every hook: a GSO or GRO super-packet at TC adds the
 * segments it stands for beyond the one the parser counted
 * (skb->gso_segs), as XDP or the wire sees them one by one. Option
 * counters, records and the flow table's per-subflow packet counts follow
 * what the hook saw. Global, so the verifier checks it once, apart from
 * the walk. */
__attribute__((noinline)) int mpx_count_segs(struct mpx_sink *sink,
					     const struct mpx_scratch *s,
					     __u32 segs, int tcp, int mptcp)
{
	__u64 more;

	if (!sink || !s || segs <= 1)
		return 0;
	more = segs - 1;
	mpx_sink_count_add(sink, MPX_CTR_PACKETS, more);
	if (s->pkt.family == 4)
		mpx_sink_count_add(sink, MPX_CTR_IPV4, more);
	else if (s->pkt.family == 6)
		mpx_sink_count_add(sink, MPX_CTR_IPV6, more);
	if (tcp)
		mpx_sink_count_add(sink, MPX_CTR_TCP, more);
	else if (s->pkt.family)
		mpx_sink_count_add(sink, MPX_CTR_NON_TCP, more);
	if (mptcp)
		mpx_sink_count_add(sink, MPX_CTR_MPTCP_PACKETS, more);
	return 0;
}

/* mpx_opt_find_mptcp() on its own: its loop is verified once here, and
 * the caller goes on in one state whatever offset it returns. */
__attribute__((noinline)) int mpx_find_mptcp(const struct mpx_pkt *pkt)
{
	if (!pkt)
		return MPX_OPT_NONE;
	return (int)mpx_opt_find_mptcp(pkt);
}

/*
 * A TCP packet once its headers are parsed into s->pkt: the flow table
 * entry, the walk, the end. Global: the entry's pointer lives in here, and
 * the verifier checks this once, not once for every state the header
 * parse leaves (the IPv6 extension header loop makes many). Returns the
 * payload bytes wanted out (mpx_inspect_done()), 0 mostly.
 */
__attribute__((noinline)) int mpx_tcp_packet(struct mpx_sink *sink,
					     struct mpx_scratch *s,
					     struct mpx_meta *meta, __u32 segs)
{
	struct mpx_config cfg = read_cfg();
	struct mpx_walk w = {0};
	struct mpx_flow_key key;
	struct mpx_flow *flow;
	__u32 start;

	if (!sink || !s || !meta)
		return 0;
	start = (__u32)mpx_find_mptcp(&s->pkt);
	flow = mpx_inspect_flow(sink, &cfg, &s->pkt,
				mpx_opt_is_mptcp(&s->pkt, start), &w, &key);
	w.off = (__u8)start;
	if (start != MPX_OPT_NONE)
		mpx_walk_options(sink, s, &w, meta, flow);
	if (segs > 1) /* else nothing to add: spare the call */
		mpx_count_segs(sink, s, segs, 1, w.mptcp_index != 0);
	return (int)mpx_inspect_done(sink, &cfg, &s->pkt, &w, &s->ev, meta,
				     flow, &key);
}

/* Does the packet's subflow matter to the flow table's records? Then a
 * TCP packet of a subflow the table may hold takes the full path. */
#define MPX_TABLE_KINDS (MPX_SUBFLOW_KINDS | MPX_KIND_BIT(MPX_EV_PAYLOAD))

/* After fast_path(): the full path reads the packet's pointers from the
 * context again (the clobber keeps clang from reusing the ones loaded
 * before), so that the verifier reaches it in one state, knowing nothing of
 * the packet's length, from every exit of fast_path(); with the same
 * registers it would carry each exit's bounds in, as states it cannot
 * merge, and run out of its instruction budget. */
#define MPX_FORGET_PACKET() asm volatile("" ::: "memory")

/* fast_dss() does what the full path would only under the default DSS
 * policy, with the flow table's records on, DSS records on and no payload
 * records; else a DSS segment takes the full path. Constant: the loader
 * sets the configuration. */
#define MPX_FAST_DSS_APPLIES                                                   \
	(mpx_cfg.dss_policy == MPX_DSS_EDGES &&                                \
	 (mpx_cfg.emit_mask & MPX_KIND_BIT(MPX_EV_DSS)) &&                     \
	 (mpx_cfg.emit_mask & MPX_SUBFLOW_KINDS) &&                            \
	 !(mpx_cfg.emit_mask & MPX_KIND_BIT(MPX_EV_PAYLOAD)))

/*
 * parse_fast.h's shapes, counted here as the full path would count them
 * (mpx_count_headers(), and mpx_count_segs() for the segments of a GSO or
 * GRO packet beyond the first). 1 when that was all the packet needed; 2
 * for a DSS segment, which fast_dss() may finish.
 */
static __always_inline int fast_path(const void *data, const void *data_end,
				     __u32 segs)
{
	struct mpx_fast_ends e;
	struct mpx_counters *c;
	__u32 zero = 0;
	__u64 n = segs > 1 ? segs : 1;
	int cls = mpx_fast_classify(data, data_end, &e, NULL);

	if (cls == MPX_FAST_SLOW)
		return 0;
	if (cls == MPX_FAST_DSS4 || cls == MPX_FAST_DSS6)
		return MPX_FAST_DSS_APPLIES ? 2 : 0;
	if ((cls == MPX_FAST_TCP4 || cls == MPX_FAST_TCP6) &&
	    (mpx_cfg.emit_mask & MPX_TABLE_KINDS) &&
	    flow_filter_maybe(e.saddr4, e.sport, e.daddr4, e.dport))
		return 0;
	c = bpf_map_lookup_elem(&counters, &zero);
	if (!c)
		return 1;
	c->c[MPX_CTR_PACKETS] += n;
	switch (cls) {
	case MPX_FAST_NON_IP:
		c->c[MPX_CTR_NON_IP] += 1; /* as mpx_count_segs(): once */
		break;
	case MPX_FAST_NON_TCP4:
		c->c[MPX_CTR_IPV4] += n;
		c->c[MPX_CTR_NON_TCP] += n;
		break;
	case MPX_FAST_NON_TCP6:
		c->c[MPX_CTR_IPV6] += n;
		c->c[MPX_CTR_NON_TCP] += n;
		break;
	case MPX_FAST_TCP4:
		c->c[MPX_CTR_IPV4] += n;
		c->c[MPX_CTR_TCP] += n;
		break;
	default:
		c->c[MPX_CTR_IPV6] += n;
		c->c[MPX_CTR_TCP] += n;
		break;
	}
	return 1;
}

/*
 * A DSS segment (parse_fast.h, MPX_FAST_DSS4/6) on a subflow that the flow
 * table holds as assured, without a mapping or in a direction that has had
 * its first one: under the edges policy its DSS makes no record, and the
 * full path would count the packet, the option and its suppression, and
 * the subflow's packet and bytes (inspect.h: mpx_inspect_option(),
 * mpx_inspect_done()), which this does, from the packet. 1 when done; 0
 * sends the packet to the full path, having changed nothing. A subflow not
 * yet assured may be moved by its next packet, and a first mapping makes
 * a record: those take the full path. Called through a global function per
 * context type (below): its frame is not on the full path's chain of
 * calls, whose frames share 512 bytes.
 */
static __always_inline int fast_dss(const void *data, const void *data_end,
				    __u32 segs)
{
	struct mpx_fast_dss_info dss;
	struct mpx_fast_ends e;
	__u8 saddr[MPX_ADDR_LEN], daddr[MPX_ADDR_LEN];
	struct mpx_flow_filter *word;
	struct mpx_flow_key key;
	struct mpx_counters *c;
	struct mpx_flow *f;
	__u64 n = segs > 1 ? segs : 1;
	__u32 zero = 0, h;
	int cls, dir;

	cls = mpx_fast_classify(data, data_end, &e, &dss);
	if (cls == MPX_FAST_DSS4) {
		mpx_map_ipv4(saddr, (const __u8 *)&e.saddr4);
		mpx_map_ipv4(daddr, (const __u8 *)&e.daddr4);
	} else if (cls == MPX_FAST_DSS6) {
		__builtin_memcpy(saddr, dss.saddr, MPX_ADDR_LEN);
		__builtin_memcpy(daddr, dss.daddr, MPX_ADDR_LEN);
	} else {
		return 0;
	}
	/* An assured subflow is in `flows`; its filter bit there is set
	 * only after its `any` bit, so mpx_sink_flow() would look in `flows`
	 * first too. */
	h = flow_filter_ends(e.saddr4, e.sport, e.daddr4, e.dport);
	word = flow_filter_word(h);
	if (!word || !(word->assured & (1ull << (h & 63))))
		return 0;
	dir = mpx_flow_key_make(cls == MPX_FAST_DSS4 ? 4 : 6, saddr, daddr,
				e.sport, e.dport, &key);
	f = bpf_map_lookup_elem(&flows, &key);
	if (!f || !f->assured || (dss.has_map && !f->first_map_seen[dir & 1]))
		return 0;
	c = bpf_map_lookup_elem(&counters, &zero);
	if (!c)
		return 0;
	f->packets[dir & 1] += 1; /* plain adds: see mpx_inspect_done() */
	f->bytes[dir & 1] += dss.payload_len;
	c->c[MPX_CTR_PACKETS] += n;
	c->c[cls == MPX_FAST_DSS4 ? MPX_CTR_IPV4 : MPX_CTR_IPV6] += n;
	c->c[MPX_CTR_TCP] += n;
	c->c[MPX_CTR_MPTCP_PACKETS] += n;
	c->c[MPX_CTR_MPTCP_OPTIONS] += 1;
	c->c[MPX_CTR_OPT_DSS] += 1;
	c->c[MPX_CTR_DSS_SUPPRESSED] += 1;
	return 1;
}

__attribute__((noinline)) int mpx_fast_dss_xdp(struct xdp_md *ctx)
{
	if (!ctx)
		return 0;
	return fast_dss((void *)(long)ctx->data, (void *)(long)ctx->data_end,
			1);
}

__attribute__((noinline)) int mpx_fast_dss_skb(struct __sk_buff *skb)
{
	if (!skb)
		return 0;
	return fast_dss((void *)(long)skb->data, (void *)(long)skb->data_end,
			skb->gso_segs);
}

/* Returns the payload bytes wanted out (mpx_inspect_done()), 0 mostly. */
static __always_inline __u32 run(void *data, void *data_end, __u32 ifindex,
				 __u8 hook, __u32 segs,
				 struct mpx_scratch **out)
{
	__u32 zero = 0;
	struct mpx_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct mpx_sink *sink;
	int r;

	if (!s)
		return 0;
	s->meta.ts_ns = 0; /* read at the first record (inspect.h) */
	s->meta.ifindex = ifindex;
	s->meta.hook = hook;
	*out = s;
	/* mpx_inspect_headers() with the counter block looked up after the
	 * parse: held in a register through the IPv6 extension header loop,
	 * it multiplied the verifier's states past its limit. */
	r = mpx_parse_packet(data, data_end, &s->pkt);
	sink = bpf_map_lookup_elem(&counters, &zero);
	if (!sink)
		return 0;
	if (!mpx_count_headers(sink, r, &s->pkt)) {
		if (segs > 1) /* else nothing to add: spare the call */
			mpx_count_segs(sink, s, segs, 0, 0);
		return 0;
	}
	return (__u32)mpx_tcp_packet(sink, s, &s->meta, segs);
}

/* The payload record's header: the packet's common part, from the packet
 * itself, which need not have made a record of its own (a segment that a
 * mapping on an earlier one covers carries no DSS, RFC 8684 section
 * 3.3.1), under kind MPX_EV_PAYLOAD. */
static __always_inline void payload_header(struct mptcp_event *ev,
					   struct mpx_scratch *s)
{
	mpx_fill_common(ev, &s->pkt, 0);
	ev->kind = MPX_EV_PAYLOAD;
	if (!s->meta.ts_ns)
		s->meta.ts_ns = MPX_NOW();
	ev->ts_ns = s->meta.ts_ns;
	ev->ifindex = s->meta.ifindex;
	ev->hook = s->meta.hook;
}

/* One payload record for bytes [off, off + n) (n <= MPX_PAYLOAD_CHUNK),
 * already loaded behind the header in pb. 0, or -1 with the rest counted
 * as lost when the ring is full. */
static __always_inline int push_payload(struct mpx_payload_buf *pb, __u32 off,
					__u32 n, __u32 want)
{
	struct mptcp_event *ev = (struct mptcp_event *)pb->b;

	ev->u.payload.offset = off;
	ev->u.payload.len = (__u16)n;
	if (bpf_ringbuf_output(
		&events, pb->b, MPX_RECORD_SIZE(MPX_EV_PAYLOAD) + n,
		ring_flags(MPX_RECORD_SIZE(MPX_EV_PAYLOAD) + n + 8)) < 0) {
		mpx_sink_count_add(NULL, MPX_CTR_PAYLOAD_RINGBUF_FULL,
				   want - off);
		return -1;
	}
	mpx_sink_count(NULL, MPX_CTR_PAYLOAD_RECORDS);
	mpx_sink_count_add(NULL, MPX_CTR_PAYLOAD_BYTES, n);
	return 0;
}

/*
 * The first `want` payload bytes of the packet as payload records, in
 * chunks of MPX_PAYLOAD_CHUNK (a GSO super-packet at TC egress holds up to
 * 64 KiB). The load helper follows the hook and reads paged data (XDP
 * frags, skb frags) too. The records go out after the packet's option
 * records, from the same CPU, so the mapping that covers the bytes is
 * ahead of them in the ring. What cannot be pushed is counted, never
 * waited for. Global functions, one per context type: verified once on
 * their own, apart from the option walk's states.
 */
#define MPX_PAYLOAD_MAX_CHUNKS (65536 / MPX_PAYLOAD_CHUNK)
#define MPX_PAYLOAD_FN(NAME, CTX, LOAD)                                        \
	__attribute__((noinline)) int NAME(CTX *ctx, struct mpx_scratch *s,    \
					   __u32 want)                         \
	{                                                                      \
		__u32 zero = 0, off = 0, n;                                    \
		struct mpx_payload_buf *pb;                                    \
		int i;                                                         \
                                                                               \
		if (!ctx || !s)                                                \
			return 0;                                              \
		pb = bpf_map_lookup_elem(&payload_scratch, &zero);             \
		if (!pb)                                                       \
			return 0;                                              \
		payload_header((struct mptcp_event *)pb->b, s);                \
		for (i = 0; i < MPX_PAYLOAD_MAX_CHUNKS; i++) {                 \
			off = (__u32)i * MPX_PAYLOAD_CHUNK;                    \
			if (off >= want)                                       \
				break;                                         \
			n = want - off;                                        \
			if (n > MPX_PAYLOAD_CHUNK)                             \
				n = MPX_PAYLOAD_CHUNK;                         \
			if (n == 0) /* for the verifier: it is not */          \
				break;                                         \
			if (LOAD(ctx, s->pkt.payload_off + off,                \
				 pb->b + MPX_RECORD_SIZE(MPX_EV_PAYLOAD),      \
				 n) < 0)                                       \
				break; /* shorter than its IP length says */   \
			if (push_payload(pb, off, n, want) < 0)                \
				break;                                         \
		}                                                              \
		return 0;                                                      \
	}

MPX_PAYLOAD_FN(mpx_payload_xdp, struct xdp_md, bpf_xdp_load_bytes)
MPX_PAYLOAD_FN(mpx_payload_skb, struct __sk_buff, bpf_skb_load_bytes)

SEC("xdp")
int mptcp_xdp(struct xdp_md *ctx)
{
	struct mpx_scratch *s = NULL;
	__u32 want;
	int fast;

	fast =
	    fast_path((void *)(long)ctx->data, (void *)(long)ctx->data_end, 1);
	if (fast == 1 || (fast == 2 && mpx_fast_dss_xdp(ctx)))
		return XDP_PASS;
	MPX_FORGET_PACKET();
	want = run((void *)(long)ctx->data, (void *)(long)ctx->data_end,
		   ctx->ingress_ifindex, MPX_HOOK_XDP, 1, &s);
	if (want)
		mpx_payload_xdp(ctx, s, want);
	return XDP_PASS;
}

/*
 * Do the linear bytes [data, end) hold every header byte the parser reads
 * (parse_headers.h: Ethernet and VLAN tags, the IP header, the TCP header
 * with its options)? Then it sees what it would after a pull. 0 when they
 * do not, or when it cannot tell cheaply (IPv6 extension headers): pull.
 */
static __always_inline int mpx_headers_linear(const __u8 *p, const __u8 *end)
{
	__u16 type;
	__u32 len;
	__u8 proto;
	int i;

	if (p + MPX_ETH_HLEN > end)
		return 0;
	type = mpx_get_be16(p + 12);
	p += MPX_ETH_HLEN;
	for (i = 0; i < MPX_MAX_VLAN_TAGS; i++) {
		if (type != MPX_ETH_P_8021Q && type != MPX_ETH_P_8021AD)
			break;
		if (p + 4 > end)
			return 0;
		type = mpx_get_be16(p + 2);
		p += 4;
	}
	if (type == MPX_ETH_P_IP) {
		if (p + 20 > end)
			return 0;
		len = (__u32)(p[0] & 0x0f) * 4;
		proto = p[9];
		if (len < 20)
			return 1; /* malformed: the parser reads no further */
	} else if (type == MPX_ETH_P_IPV6) {
		if (p + 40 > end)
			return 0;
		len = 40;
		proto = p[6];
		if (proto == 0 || proto == 43 || proto == 60 || proto == 44 ||
		    proto == 51)
			return 0;
	} else {
		return 1; /* not IP: the parser stops at the Ethernet type */
	}
	if (len > 60 || p + len > end)
		return 0;
	p += len;
	if (proto != MPX_IPPROTO_TCP)
		return 1;
	if (p + 20 > end)
		return 0;
	len = (__u32)(p[12] >> 4) * 4; /* TCP header with its options */
	return p + len <= end;
}

/* Kept out of line: inlined, clang shares the ctx offsets of skb->data
 * between this check and the reads after the pull, as pointer arithmetic on
 * ctx, which the verifier rejects ("dereference of modified ctx ptr"). */
static __attribute__((noinline)) int mpx_tc_linearize(struct __sk_buff *skb)
{
	__u32 want = skb->len < MPX_TC_PULL_LEN ? skb->len : MPX_TC_PULL_LEN;

	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	/* Pull only when the headers are not all in the linear part: a pull
	 * unclones the skb, and TCP's egress skbs are clones whose payload is
	 * in pages behind linear headers. If the pull fails the parser sees a
	 * short packet and counts it as truncated. */
	if (end - data >= want || mpx_headers_linear(data, end))
		return 0;
	bpf_skb_pull_data(skb, want);
	return 0;
}

static __always_inline void run_tc(struct __sk_buff *skb, __u8 hook)
{
	struct mpx_scratch *s = NULL;
	__u32 want;
	int fast;

	mpx_tc_linearize(skb);
	fast = fast_path((void *)(long)skb->data, (void *)(long)skb->data_end,
			 skb->gso_segs);
	if (fast == 1 || (fast == 2 && mpx_fast_dss_skb(skb)))
		return;
	MPX_FORGET_PACKET();
	want = run((void *)(long)skb->data, (void *)(long)skb->data_end,
		   skb->ifindex, hook, skb->gso_segs, &s);
	if (want)
		mpx_payload_skb(skb, s, want);
}

SEC("tc")
int mptcp_tc_egress(struct __sk_buff *skb)
{
	run_tc(skb, MPX_HOOK_TC_EGRESS);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int mptcp_tc_ingress(struct __sk_buff *skb)
{
	run_tc(skb, MPX_HOOK_TC_INGRESS);
	return TC_ACT_UNSPEC;
}
