// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The kernel side: XDP on ingress, TC (clsact) on egress, one parser. Parse,
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
	__uint(max_entries, MPX_CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
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

/* Scratch for one packet: more than the 512-byte stack comfortably holds
 * next to the compiler's own spills. */
struct mpx_scratch {
	struct mpx_pkt pkt;
	struct mptcp_event ev;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mpx_scratch);
} scratch SEC(".maps");

/* inspect.h's sink in the kernel: the maps above; no state of its own. */
struct mpx_sink;

static __always_inline __u64 mpx_sink_count(struct mpx_sink *sink, __u32 id)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &id);

	(void)sink;
	if (!v)
		return 0;
	return ++*v; /* per-CPU slot: no other writer */
}

static __always_inline int mpx_sink_emit(struct mpx_sink *sink,
					 const struct mptcp_event *ev)
{
	(void)sink;
	return bpf_ringbuf_output(&events, (void *)ev, sizeof(*ev), 0);
}

static __always_inline struct mpx_flow *
mpx_sink_flow(struct mpx_sink *sink, const struct mpx_flow_key *key, int create)
{
	static const struct mpx_flow zero;
	struct mpx_flow *f;

	f = bpf_map_lookup_elem(&flows, key);
	if (f)
		return f;
	f = bpf_map_lookup_elem(&flows_new, key);
	if (f || !create)
		return f;
	if (bpf_map_update_elem(&flows_new, key, &zero, BPF_NOEXIST) == 0)
		mpx_sink_count(sink, MPX_CTR_FLOW_NEW);
	f = bpf_map_lookup_elem(&flows_new, key);
	if (!f)
		mpx_sink_count(sink, MPX_CTR_FLOW_TABLE_FULL);
	return f;
}

/* Copy, insert, delete: a packet of the same subflow counted on another
 * CPU in between may be lost from the copy, once in a subflow's life. */
static __always_inline struct mpx_flow *
mpx_sink_flow_assure(struct mpx_sink *sink, const struct mpx_flow_key *key,
		     struct mpx_flow *f)
{
	struct mpx_flow v = *f;
	struct mpx_flow *moved;

	(void)sink;
	if (bpf_map_update_elem(&flows, key, &v, BPF_NOEXIST) != 0)
		return f;
	moved = bpf_map_lookup_elem(&flows, key);
	if (!moved)
		return f;
	bpf_map_delete_elem(&flows_new, key);
	return moved;
}

#include "inspect.h"

/* Read through the volatile object: a cast to a plain pointer would let
 * clang fold in the initial values above. */
static __always_inline struct mpx_config read_cfg(void)
{
	struct mpx_config cfg = {
	    .emit_mask = mpx_cfg.emit_mask,
	    .dss_policy = mpx_cfg.dss_policy,
	    .dss_sample_n = mpx_cfg.dss_sample_n,
	};

	return cfg;
}

/* Global (not static, not inlined): verified once on its own, whatever the
 * option position it is called for. Arguments may be NULL to the verifier. */
__attribute__((noinline)) int mpx_option(struct mpx_scratch *s,
					 struct mpx_walk *w,
					 const struct mpx_meta *meta)
{
	struct mpx_config cfg = read_cfg();

	if (!s || !w || !meta)
		return 0;
	return mpx_inspect_option(NULL, &cfg, &s->pkt, w, &s->ev, meta);
}

static __always_inline void run(void *data, void *data_end, __u32 ifindex,
				__u8 hook)
{
	struct mpx_meta meta = {
	    .ts_ns = bpf_ktime_get_ns(),
	    .ifindex = ifindex,
	    .hook = hook,
	};
	struct mpx_config cfg = read_cfg();
	struct mpx_walk w = {0};
	__u32 zero = 0;
	struct mpx_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	int i;

	if (!s)
		return;
	if (!mpx_inspect_headers(NULL, data, data_end, &s->pkt))
		return;
	for (i = 0; i < MPX_MAX_OPT_STEPS; i++)
		if (!mpx_option(s, &w, &meta))
			break;
	mpx_inspect_done(NULL, &cfg, &s->pkt, &w, &s->ev, &meta);
}

SEC("xdp")
int mptcp_xdp(struct xdp_md *ctx)
{
	run((void *)(long)ctx->data, (void *)(long)ctx->data_end,
	    ctx->ingress_ifindex, MPX_HOOK_XDP);
	return XDP_PASS;
}

/* Kept out of line: inlined, clang shares the ctx offsets of skb->data
 * between this check and the reads after the pull, as pointer arithmetic on
 * ctx, which the verifier rejects ("dereference of modified ctx ptr"). */
static __attribute__((noinline)) int mpx_tc_linearize(struct __sk_buff *skb)
{
	__u32 want = skb->len < MPX_TC_PULL_LEN ? skb->len : MPX_TC_PULL_LEN;

	/* Pull only when the headers are not all in the linear part: a pull
	 * unclones the skb, and TCP's egress skbs are clones. If it fails the
	 * parser sees a short packet and counts it as truncated. */
	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	return 0;
}

static __always_inline void run_tc(struct __sk_buff *skb, __u8 hook)
{
	mpx_tc_linearize(skb);
	run((void *)(long)skb->data, (void *)(long)skb->data_end, skb->ifindex,
	    hook);
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
