// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * libFuzzer target: any bytes as an Ethernet frame through the shared
 * parser (bpf/inspect.h), every record kind and DSS policy on. In the
 * kernel the verifier proves memory safety; here ASan and UBSan check the
 * same code, and the invariants below check its logic.
 *
 *   make fuzz [FUZZ_SECONDS=60]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "engine/host_flow_table.h"
#include "mptcp_config.h"
#include "mptcp_counters.h"
#include "mptcp_event.h"
#include "mptcp_flow.h"
#include "parse_headers.h"

struct mpx_sink {
	__u64 counters[MPX_CTR_MAX];
	struct mpx_host_flows *flows;
	unsigned records;
};

mpx_inline __u64 mpx_sink_count(struct mpx_sink *sink, __u32 id)
{
	struct mpx_sink *s = sink;

	if (id >= MPX_CTR_MAX)
		abort(); /* a counter id out of the enum */
	return ++s->counters[id];
}

mpx_inline void mpx_sink_count_add(struct mpx_sink *sink, __u32 id, __u64 n)
{
	if (id >= MPX_CTR_MAX)
		abort(); /* a counter id out of the enum */
	sink->counters[id] += n;
}

mpx_inline int mpx_sink_emit(struct mpx_sink *sink,
			     const struct mptcp_event *ev)
{
	struct mpx_sink *s = sink;

	/* Invariants of every record the parser emits. */
	if (ev->abi_version != MPX_ABI_VERSION || ev->kind >= MPX_EV_KIND_MAX ||
	    (ev->family != 4 && ev->family != 6))
		abort();
	if (ev->kind == MPX_EV_MP_ERROR &&
	    (ev->error == MPX_ERR_NONE || ev->error >= MPX_ERR_RECORD_MAX))
		abort();
	if (ev->kind == MPX_EV_REMOVE_ADDR &&
	    ev->u.remove_addr.count > MPX_MAX_RM_IDS)
		abort();
	if (ev->kind <= MPX_EV_MP_EXPERIMENTAL && ev->opt_len > 40)
		abort();
	s->records++;
	return 0;
}

mpx_inline struct mpx_flow *
mpx_sink_flow(struct mpx_sink *sink, const struct mpx_flow_key *key, int create)
{
	struct mpx_sink *s = sink;
	int created;

	if (!create)
		return (struct mpx_flow *)mpx_host_flows_find(s->flows, key);
	return mpx_host_flows_get(s->flows, key, &created);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mpx_sink sink;
	static const struct mpx_config cfgs[] = {
	    {.emit_mask = MPX_EMIT_ALL_KINDS, .dss_policy = MPX_DSS_ALL},
	    {.emit_mask = MPX_EMIT_ALL_KINDS, .dss_policy = MPX_DSS_EDGES},
	    {.emit_mask = MPX_KIND_BIT(MPX_EV_MP_JOIN),
	     .dss_policy = MPX_DSS_SAMPLE,
	     .dss_sample_n = 3},
	};
	struct mpx_meta meta = {.hook = MPX_HOOK_HOST};
	struct mpx_pkt pkt;
	struct mptcp_event ev;
	uint8_t *copy;

	if (!sink.flows)
		sink.flows = mpx_host_flows_new(1024);
	if (!sink.flows)
		return 0;
	/* An exact-size copy, so that ASan sees any read past the frame. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		mpx_inspect(&sink, &cfgs[i], copy, copy + size, &meta, &pkt,
			    &ev);
	free(copy);
	return 0;
}
