/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * An engine runs frames through the parser and hands back the records:
 * "bpf" through the loaded BPF object and BPF_PROG_TEST_RUN, "host" through
 * the same parser compiled into this binary. Both must give the same
 * records and counters for the same frames.
 */
#ifndef MPX_ENGINE_H
#define MPX_ENGINE_H

#include <stddef.h>
#include <linux/types.h>

#include "mptcp_config.h"
#include "mptcp_counters.h"
#include "mptcp_event.h"
#include "mptcp_flow.h"

enum mpx_engine_kind {
	MPX_ENGINE_BPF = 0,
	MPX_ENGINE_HOST = 1,
};

/* Called once per record, before mpx_engine_run() returns; a payload
 * record's u.payload.len bytes follow *ev. */
typedef void (*mpx_record_fn)(const struct mptcp_event *ev, void *arg);

struct mpx_engine;

/* Returns NULL with a one-line message in err and an exit code in *code. */
struct mpx_engine *mpx_engine_open(enum mpx_engine_kind kind,
				   const struct mpx_config *cfg,
				   mpx_record_fn fn, void *arg, char *err,
				   size_t errlen, int *code);
/* Inspect one Ethernet frame. 0, or -1 with a message in err. */
int mpx_engine_run(struct mpx_engine *e, const void *frame, size_t len,
		   char *err, size_t errlen);
/* The flow table's entry for key (final per-subflow counts). 0 if found. */
int mpx_engine_flow(struct mpx_engine *e, const struct mpx_flow_key *key,
		    struct mpx_flow *out);
/* Counter totals (summed over CPUs) into out[MPX_CTR_MAX]. */
int mpx_engine_counters(struct mpx_engine *e, __u64 *out);
void mpx_engine_close(struct mpx_engine *e);

/* Per kind, for engine.c's dispatch. */
struct mpx_engine *mpx_engine_bpf_open(const struct mpx_config *cfg,
				       mpx_record_fn fn, void *arg, char *err,
				       size_t errlen, int *code);
/* flows: the flow table's capacity (MPX_FLOW_TABLE_SIZE for replay; a
 * fuzz target takes a small one, cheap to make for every input). */
struct mpx_engine *mpx_engine_host_open(const struct mpx_config *cfg,
					mpx_record_fn fn, void *arg,
					size_t flows);

struct mpx_engine_ops {
	int (*run)(struct mpx_engine *e, const void *frame, size_t len,
		   char *err, size_t errlen);
	int (*counters)(struct mpx_engine *e, __u64 *out);
	int (*flow)(struct mpx_engine *e, const struct mpx_flow_key *key,
		    struct mpx_flow *out);
	void (*close)(struct mpx_engine *e);
};

/* Every engine starts with this. */
struct mpx_engine {
	const struct mpx_engine_ops *ops;
};

#endif /* MPX_ENGINE_H */
