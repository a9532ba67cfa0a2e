// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* Engine dispatch: the one place that knows both engines. */
#include "engine/engine.h"

struct mpx_engine *mpx_engine_open(enum mpx_engine_kind kind,
				   const struct mpx_config *cfg,
				   mpx_record_fn fn, void *arg, char *err,
				   size_t errlen, int *code)
{
	if (kind == MPX_ENGINE_HOST)
		return mpx_engine_host_open(cfg, fn, arg, MPX_FLOW_TABLE_SIZE);
	return mpx_engine_bpf_open(cfg, fn, arg, err, errlen, code);
}

int mpx_engine_run(struct mpx_engine *e, const void *frame, size_t len,
		   char *err, size_t errlen)
{
	return e->ops->run(e, frame, len, err, errlen);
}

int mpx_engine_counters(struct mpx_engine *e, __u64 *out)
{
	return e->ops->counters(e, out);
}

void mpx_engine_close(struct mpx_engine *e)
{
	if (e)
		e->ops->close(e);
}

int mpx_engine_flow(struct mpx_engine *e, const struct mpx_flow_key *key,
		    struct mpx_flow *out)
{
	return e->ops->flow(e, key, out);
}
