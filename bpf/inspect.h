/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Per-packet driver: parse, count, apply the emit policy, emit. Shared by the
 * XDP and TC programs and by the host engine.
 *
 * The includer provides the sink: where counts, records and flow-table
 * lookups go. That is the only difference between the kernel build (maps
 * and the ring buffer; no state, the sink pointer is NULL), the host engine
 * (user/engine/engine_host.c) and the tests. It defines struct mpx_sink as
 * it likes and the three functions declared below.
 */
#ifndef MPX_INSPECT_H
#define MPX_INSPECT_H

#include "parse_headers.h"
#include "parse_options.h"
#include "flow_key.h"

struct mpx_sink;

/* Add one to counter id; return the new value (of this CPU). */
mpx_inline __u64 mpx_sink_count(struct mpx_sink *sink, __u32 id);
/* Add n to counter id. */
mpx_inline void mpx_sink_count_add(struct mpx_sink *sink, __u32 id, __u64 n);
/* Push a record; negative when there was no room. */
mpx_inline int mpx_sink_emit(struct mpx_sink *sink,
			     const struct mptcp_event *ev);
/* The flow table entry for k; if absent, created zeroed when create is set
 * (NULL if the table is full), else NULL. */
mpx_inline struct mpx_flow *
mpx_sink_flow(struct mpx_sink *sink, const struct mpx_flow_key *k, int create);
/* Subflow k has just become assured (include/mptcp_flow.h): move it where
 * floods cannot flush it; return where its entry is now (f if it stays). */
mpx_inline struct mpx_flow *mpx_sink_flow_assure(struct mpx_sink *sink,
						 const struct mpx_flow_key *k,
						 struct mpx_flow *f);

/* Optional: 0 when the subflow of pkt is certainly not in the flow table,
 * so that a packet that would not create an entry skips the lookup. A sink
 * without a cheaper test than the lookup leaves it out. */
#ifndef MPX_SINK_FLOW_MAYBE
mpx_inline int mpx_sink_flow_maybe(struct mpx_sink *sink,
				   const struct mpx_pkt *pkt)
{
	(void)sink;
	(void)pkt;
	return 1;
}
#endif

_Static_assert(MPX_CTR_OPT_MP_TCPRST - MPX_CTR_OPT_MP_CAPABLE ==
		   MPX_EV_MP_TCPRST,
	       "option counters follow the subtypes");
_Static_assert(MPX_CTR_ERR_TOO_MANY_EXTHDRS - MPX_CTR_ERR_FIRST + 1 ==
		   MPX_ERR_TOO_MANY_EXTHDRS,
	       "error counters follow enum mpx_err");

/* The record timestamp's clock: the kernel's reads bpf_ktime_get_ns(); the
 * host build has none (replay takes the capture's time). */
#ifndef MPX_NOW
#define MPX_NOW() 0
#endif

struct mpx_meta {
	/* 0 until the packet's first record: the clock is read then, once
	 * per packet (it costs more than parsing a packet that makes no
	 * record); every record of a packet carries the same time. */
	__u64 ts_ns;
	__u32 ifindex;
	__u8 hook; /* enum mpx_hook */
};

mpx_inline void mpx_count_err(struct mpx_sink *sink, __u8 err)
{
	if (err > MPX_ERR_NONE && err < MPX_ERR_MAX)
		mpx_sink_count(sink, MPX_CTR_ERR_FIRST + err - 1);
}

/* Returns the subtype's count so far on this CPU (for DSS sampling). */
mpx_inline __u64 mpx_count_option(struct mpx_sink *sink, __u8 sub)
{
	if (sub <= MPX_EV_MP_TCPRST)
		return mpx_sink_count(sink, MPX_CTR_OPT_MP_CAPABLE + sub);
	if (sub == MPX_EV_MP_EXPERIMENTAL)
		return mpx_sink_count(sink, MPX_CTR_OPT_MP_EXPERIMENTAL);
	return mpx_sink_count(sink, MPX_CTR_OPT_UNKNOWN_SUBTYPE);
}

/*
 * The DSS policy (mptcp_config.h). Returns 1 when the record goes out.
 * dss_seen is this CPU's DSS count including this one. flow, when not
 * NULL, is the packet's entry (mpx_inspect_flow()), dir its direction.
 */
mpx_inline int mpx_dss_wanted(struct mpx_sink *sink,
			      const struct mpx_config *cfg,
			      const struct mptcp_event *ev, __u64 dss_seen,
			      struct mpx_flow *flow, int dir)
{
	struct mpx_flow_key key;

	if (cfg->dss_policy == MPX_DSS_SAMPLE)
		return cfg->dss_sample_n <= 1 ||
		       (dss_seen - 1) % cfg->dss_sample_n == 0;
	if (cfg->dss_policy != MPX_DSS_EDGES)
		return 1;
	if (!ev->u.dss.has_map)
		return 0; /* a DATA_FIN always comes with a mapping */
	if (!flow) {
		dir = mpx_flow_key_make(ev->family, ev->saddr, ev->daddr,
					ev->sport, ev->dport, &key);
		flow = mpx_sink_flow(sink, &key, 1);
	}
	if (!flow)
		return 1; /* table full: better a record too many than none */
	if (flow->first_map_seen[dir & 1])
		return ev->u.dss.data_fin;
	flow->first_map_seen[dir & 1] = 1;
	return 1;
}

mpx_inline void mpx_push(struct mpx_sink *sink, struct mptcp_event *ev,
			 struct mpx_meta *meta)
{
	if (!meta->ts_ns)
		meta->ts_ns = MPX_NOW();
	ev->ts_ns = meta->ts_ns;
	ev->ifindex = meta->ifindex;
	ev->hook = meta->hook;
	if (mpx_sink_emit(sink, ev) < 0)
		mpx_sink_count(sink, MPX_CTR_RINGBUF_FULL);
	else
		mpx_sink_count(sink, MPX_CTR_RECORDS);
}

/* Count what the parse of the headers found; 1 when it is TCP. */
mpx_inline int mpx_count_parse(struct mpx_sink *sink, int r,
			       const struct mpx_pkt *pkt)
{
	if (pkt->vlan_tags)
		mpx_sink_count(sink, MPX_CTR_VLAN);
	if (pkt->family == 4)
		mpx_sink_count(sink, MPX_CTR_IPV4);
	else if (pkt->family == 6)
		mpx_sink_count(sink, MPX_CTR_IPV6);
	switch (r) {
	case MPX_PKT_TCP:
		mpx_sink_count(sink, MPX_CTR_TCP);
		return 1;
	case MPX_PKT_NON_IP:
		mpx_sink_count(sink, MPX_CTR_NON_IP);
		break;
	case MPX_PKT_NON_TCP:
		mpx_sink_count(sink, MPX_CTR_NON_TCP);
		break;
	case MPX_PKT_LATER_FRAGMENT:
		mpx_sink_count(sink, MPX_CTR_IP_LATER_FRAGMENT);
		break;
	default:
		mpx_count_err(sink, pkt->err);
		break;
	}
	return 0;
}

/* Count a frame whose headers parsed to r (mpx_parse_packet()) into pkt.
 * Returns 1 when the frame is TCP and its options are worth a walk. */
mpx_inline int mpx_count_headers(struct mpx_sink *sink, int r,
				 const struct mpx_pkt *pkt)
{
	mpx_sink_count(sink, MPX_CTR_PACKETS);
	return mpx_count_parse(sink, r, pkt);
}

/* Parse the headers of one Ethernet frame into pkt and count what they
 * are. Returns 1 when the frame is TCP and its options are worth a walk. */
mpx_inline int mpx_inspect_headers(struct mpx_sink *sink, const void *data,
				   const void *data_end, struct mpx_pkt *pkt)
{
	return mpx_count_headers(sink, mpx_parse_packet(data, data_end, pkt),
				 pkt);
}

/*
 * One step of the option walk with everything that follows from it:
 * counting, the emit policy, the push. Returns 0 when the walk is over.
 * The BPF programs call it through a global function, so that the verifier
 * checks it once rather than once per option position. flow: the packet's
 * entry from mpx_inspect_flow(), or NULL.
 */
mpx_inline int mpx_inspect_option(struct mpx_sink *sink,
				  const struct mpx_config *cfg,
				  const struct mpx_pkt *pkt, struct mpx_walk *w,
				  struct mptcp_event *ev, struct mpx_meta *meta,
				  struct mpx_flow *flow)
{
	__u64 seen = 0;
	int step;

	step = mpx_option_step(pkt, w, cfg->emit_mask, ev);
	if (step == MPX_STEP_END)
		return 0;
	if (step == MPX_STEP_BAD) {
		mpx_count_err(sink, w->err);
		return 0;
	}
	if (step == MPX_STEP_NEXT)
		return 1;

	/* An MPTCP option, decoded or not. */
	mpx_sink_count(sink, MPX_CTR_MPTCP_OPTIONS);
	if (w->subtype != MPX_SUBTYPE_UNKNOWN)
		seen = mpx_count_option(sink, w->subtype);
	mpx_count_err(sink, w->err);
	if (step == MPX_STEP_DISABLED) {
		mpx_sink_count(sink, MPX_CTR_KIND_DISABLED);
		return 1;
	}
	/* Only MP_CAPABLE and ADD_ADDR say their version. */
	if (ev->kind == MPX_EV_MP_CAPABLE || ev->kind == MPX_EV_ADD_ADDR)
		mpx_sink_count(sink, ev->version == 0 ? MPX_CTR_OPT_VERSION_0
				     : ev->version == 1
					 ? MPX_CTR_OPT_VERSION_1
					 : MPX_CTR_OPT_VERSION_OTHER);
	if (ev->kind == MPX_EV_DSS &&
	    !mpx_dss_wanted(sink, cfg, ev, seen, flow, w->dir)) {
		mpx_sink_count(sink, MPX_CTR_DSS_SUPPRESSED);
		return 1;
	}
	mpx_push(sink, ev, meta);
	return 1;
}

#define MPX_SUBFLOW_KINDS                                                      \
	(MPX_KIND_BIT(MPX_EV_SUBFLOW_FIN) | MPX_KIND_BIT(MPX_EV_SUBFLOW_RST) | \
	 MPX_KIND_BIT(MPX_EV_FALLBACK))

/* A record about the subflow itself, with its counters so far: [0] the
 * direction of this packet's source. */
mpx_inline void mpx_push_subflow(struct mpx_sink *sink,
				 const struct mpx_config *cfg,
				 const struct mpx_pkt *pkt,
				 const struct mpx_flow *flow, int dir,
				 __u8 kind, struct mptcp_event *ev,
				 struct mpx_meta *meta)
{
	if (!(cfg->emit_mask & MPX_KIND_BIT(kind))) {
		mpx_sink_count(sink, MPX_CTR_KIND_DISABLED);
		return;
	}
	mpx_fill_common(ev, pkt, 0);
	ev->kind = kind;
	ev->u.subflow.packets[0] = flow->packets[dir & 1];
	ev->u.subflow.packets[1] = flow->packets[!(dir & 1)];
	ev->u.subflow.bytes[0] = flow->bytes[dir & 1];
	ev->u.subflow.bytes[1] = flow->bytes[!(dir & 1)];
	mpx_push(sink, ev, meta);
}

/*
 * After the option walk: the flow table. A packet with an MPTCP option puts
 * its subflow in the table; every TCP packet of a subflow in the table is
 * counted; FIN and RST end it, and a SYN/ACK without MP_CAPABLE answering a
 * SYN with it is a fallback to TCP (RFC 8684 section 3.1). Nothing of this
 * runs unless one of those records is wanted.
 */
/*
 * Payload of a tracked subflow (--streams and friends): how many of this
 * packet's payload bytes to copy out, within the subflow direction's first
 * stream_depth bytes (flow->bytes already counts this packet). The kernel
 * knows subflows, not connections: the connection's depth is applied in
 * userspace; this one bounds what a subflow can make the kernel copy.
 */
mpx_inline __u32 mpx_payload_wanted(struct mpx_sink *sink,
				    const struct mpx_config *cfg,
				    const struct mpx_pkt *pkt,
				    const struct mpx_flow *flow, int dir)
{
	__u64 before = flow->bytes[dir & 1] - pkt->payload_len;
	__u32 n = pkt->payload_len;

	/* A subflow that fell back to TCP is no MPTCP connection's. */
	if (!n || !(cfg->emit_mask & MPX_KIND_BIT(MPX_EV_PAYLOAD)) ||
	    flow->fallback_reported)
		return 0;
	if (cfg->stream_depth) {
		if (before >= cfg->stream_depth)
			n = 0;
		else if (before + n > cfg->stream_depth)
			n = (__u32)(cfg->stream_depth - before);
		if (n < pkt->payload_len)
			mpx_sink_count_add(sink, MPX_CTR_PAYLOAD_DEPTH,
					   pkt->payload_len - n);
	}
	return n;
}

/*
 * Before the walk: the packet's flow table entry, when mpx_inspect_done()
 * will want it (a record kind of the table's is on, and the packet's
 * subflow is in the table or the packet carries an MPTCP option, which puts
 * it there), else NULL. mptcp: mpx_opt_is_mptcp(). One lookup then serves
 * the walk's DSS policy and the end of the packet; w->dir is the packet's
 * direction in key.
 */
mpx_inline struct mpx_flow *mpx_inspect_flow(struct mpx_sink *sink,
					     const struct mpx_config *cfg,
					     const struct mpx_pkt *pkt,
					     int mptcp, struct mpx_walk *w,
					     struct mpx_flow_key *key)
{
	if (!(cfg->emit_mask &
	      (MPX_SUBFLOW_KINDS | MPX_KIND_BIT(MPX_EV_PAYLOAD))))
		return NULL;
	if (!mptcp && !mpx_sink_flow_maybe(sink, pkt))
		return NULL;
	w->dir = (__u8)mpx_flow_key_make(pkt->family, pkt->saddr, pkt->daddr,
					 pkt->sport, pkt->dport, key);
	return mpx_sink_flow(sink, key, mptcp);
}

/* Returns the payload bytes to copy out (mpx_payload_wanted()), 0 mostly.
 * flow and key: from mpx_inspect_flow() before the walk. */
mpx_inline __u32 mpx_inspect_done(struct mpx_sink *sink,
				  const struct mpx_config *cfg,
				  const struct mpx_pkt *pkt,
				  const struct mpx_walk *w,
				  struct mptcp_event *ev, struct mpx_meta *meta,
				  struct mpx_flow *flow,
				  const struct mpx_flow_key *key)
{
	const __u8 syn = pkt->tcp_flags & MPX_TCP_SYN;
	const __u8 ack = pkt->tcp_flags & MPX_TCP_ACK;
	const __u16 mpc = 1u << MPX_EV_MP_CAPABLE;
	int dir = w->dir;

	if (w->mptcp_index)
		mpx_sink_count(sink, MPX_CTR_MPTCP_PACKETS);
	if (!flow)
		return 0;
	/* Plain adds, not atomic ones (a locked add cost 12 ns of a DSS
	 * packet's 87 in xdp_cost), as pping counts its flows: one
	 * direction of one subflow is handled in one context at a time (a
	 * flow's packets reach one receive queue, and a socket sends under
	 * its lock), and each direction has its own slot. Were two CPUs to
	 * race on one, a count would come out one low, never corrupt. */
	flow->packets[dir & 1] += 1;
	flow->bytes[dir & 1] += pkt->payload_len;
	if (!flow->assured && flow->packets[0] >= MPX_FLOW_ASSURED_PACKETS &&
	    flow->packets[1] >= MPX_FLOW_ASSURED_PACKETS) {
		flow->assured = 1;
		mpx_sink_count(sink, MPX_CTR_FLOW_ASSURED);
		flow = mpx_sink_flow_assure(sink, key, flow);
	}
	if (syn && !ack && (w->seen & mpc))
		flow->syn_mpc = (__u8)(1 + dir);
	if (syn && ack && !(w->seen & mpc) && flow->syn_mpc == 2 - dir &&
	    !flow->fallback_reported) {
		flow->fallback_reported = 1;
		mpx_push_subflow(sink, cfg, pkt, flow, dir, MPX_EV_FALLBACK, ev,
				 meta);
	}
	if ((pkt->tcp_flags & MPX_TCP_FIN) && !flow->fin_seen[dir & 1]) {
		flow->fin_seen[dir & 1] = 1;
		mpx_push_subflow(sink, cfg, pkt, flow, dir, MPX_EV_SUBFLOW_FIN,
				 ev, meta);
	}
	if ((pkt->tcp_flags & MPX_TCP_RST) && !flow->rst_seen) {
		flow->rst_seen = 1;
		mpx_push_subflow(sink, cfg, pkt, flow, dir, MPX_EV_SUBFLOW_RST,
				 ev, meta);
	}
	return mpx_payload_wanted(sink, cfg, pkt, flow, dir);
}

/* The whole of it, for callers that need no verifier-friendly split. */
mpx_inline void mpx_inspect(struct mpx_sink *sink, const struct mpx_config *cfg,
			    const void *data, const void *data_end,
			    struct mpx_meta *meta, struct mpx_pkt *pkt,
			    struct mptcp_event *ev)
{
	struct mpx_walk w = {0};
	struct mpx_flow_key key;
	struct mpx_flow *flow;
	__u32 start;
	int i;

	if (!mpx_inspect_headers(sink, data, data_end, pkt))
		return;
	start = mpx_opt_find_mptcp(pkt);
	flow = mpx_inspect_flow(sink, cfg, pkt, mpx_opt_is_mptcp(pkt, start),
				&w, &key);
	w.off = (__u8)start;
	for (i = 0; i < MPX_MAX_OPT_STEPS && start != MPX_OPT_NONE; i++)
		if (!mpx_inspect_option(sink, cfg, pkt, &w, ev, meta, flow))
			break;
	(void)mpx_inspect_done(sink, cfg, pkt, &w, ev, meta, flow, &key);
}

#endif /* MPX_INSPECT_H */
