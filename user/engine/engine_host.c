// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The host engine: bpf/inspect.h compiled into this binary. Needs no
 * privileges; must print what the BPF engine prints for the same frames.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/host_flow_table.h"
#include "mptcp_flow.h"
#include "parse_headers.h"

/* bpf/inspect.h's sink on the host: counters, the flow table and the
 * record callback, where the kernel has maps and a ring buffer. */
struct mpx_sink {
	mpx_record_fn fn;
	void *arg;
	__u64 counters[MPX_CTR_MAX];
	struct mpx_host_flows *flows;
};

struct host_engine {
	struct mpx_engine base;
	struct mpx_config cfg;
	struct mpx_sink sink;
	struct mpx_pkt pkt;
	struct mptcp_event ev;
};

/* The functions bpf/inspect.h asks of its includer. */
mpx_inline __u64 mpx_sink_count(struct mpx_sink *sink, __u32 id)
{
	return id < MPX_CTR_MAX ? ++sink->counters[id] : 0;
}

mpx_inline void mpx_sink_count_add(struct mpx_sink *sink, __u32 id, __u64 n)
{
	if (id < MPX_CTR_MAX)
		sink->counters[id] += n;
}

mpx_inline int mpx_sink_emit(struct mpx_sink *sink,
			     const struct mptcp_event *ev)
{
	sink->fn(ev, sink->arg);
	return 0;
}

mpx_inline struct mpx_flow *
mpx_sink_flow(struct mpx_sink *sink, const struct mpx_flow_key *key, int create)
{
	struct mpx_flow *f;
	int created;

	if (!create)
		return (struct mpx_flow *)mpx_host_flows_find(sink->flows, key);
	f = mpx_host_flows_get(sink->flows, key, &created);
	if (created)
		mpx_sink_count(sink, MPX_CTR_FLOW_NEW);
	if (!f)
		mpx_sink_count(sink, MPX_CTR_FLOW_TABLE_FULL);
	return f;
}

/* One table that never evicts: nothing to move. */
mpx_inline struct mpx_flow *mpx_sink_flow_assure(struct mpx_sink *sink,
						 const struct mpx_flow_key *key,
						 struct mpx_flow *f)
{
	(void)sink;
	(void)key;
	return f;
}

#include "inspect.h"

static int host_run(struct mpx_engine *e, const void *frame, size_t len,
		    char *err, size_t errlen)
{
	struct host_engine *h = (struct host_engine *)e;
	struct mpx_meta meta = {
	    .ts_ns = 0, .ifindex = 0, .hook = MPX_HOOK_HOST};

	(void)err;
	(void)errlen;
	mpx_inspect(&h->sink, &h->cfg, frame, (const __u8 *)frame + len, &meta,
		    &h->pkt, &h->ev);
	return 0;
}

static int host_counters(struct mpx_engine *e, __u64 *out)
{
	struct host_engine *h = (struct host_engine *)e;

	memcpy(out, h->sink.counters, sizeof(h->sink.counters));
	return 0;
}

static int host_flow(struct mpx_engine *e, const struct mpx_flow_key *key,
		     struct mpx_flow *out)
{
	struct host_engine *h = (struct host_engine *)e;
	const struct mpx_flow *f = mpx_host_flows_find(h->sink.flows, key);

	if (!f)
		return -1;
	*out = *f;
	return 0;
}

static void host_close(struct mpx_engine *e)
{
	struct host_engine *h = (struct host_engine *)e;

	mpx_host_flows_free(h->sink.flows);
	free(h);
}

static const struct mpx_engine_ops host_ops = {
    .run = host_run,
    .counters = host_counters,
    .flow = host_flow,
    .close = host_close,
};

struct mpx_engine *mpx_engine_host_open(const struct mpx_config *cfg,
					mpx_record_fn fn, void *arg,
					size_t flows)
{
	struct host_engine *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->sink.flows = mpx_host_flows_new(flows);
	if (!h->sink.flows) {
		free(h);
		return NULL;
	}
	h->base.ops = &host_ops;
	h->cfg = *cfg;
	h->sink.fn = fn;
	h->sink.arg = arg;
	return &h->base;
}
