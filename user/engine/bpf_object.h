/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Opening and loading the BPF object from its skeleton, with the
 * configuration written in between: shared by the replay engine and the
 * live sensor. Also the counter read-out of a loaded object.
 */
#ifndef MPX_BPF_OBJECT_H
#define MPX_BPF_OBJECT_H

#include <stddef.h>
#include <linux/types.h>

#include "mptcp_config.h"

/* The ring buffer's size when payload records are on (a power of 2). */
#define MPX_PAYLOAD_RING_BYTES (32u << 20)
/* The ring buffer's size live with every DSS a record (--dss all, batched
 * wake-ups): at a million records a second, 130 ms of slack for a consumer
 * that is not scheduled, where the default 4 MiB holds 32 ms. */
#define MPX_DSS_ALL_RING_BYTES (16u << 20)

struct mptcp_xdp;

/* NULL on failure, with a one-line message and an exit code (permission,
 * old kernel, verifier). */
struct mptcp_xdp *mpx_bpf_object_load(const struct mpx_config *cfg, char *err,
				      size_t errlen, int *code);
/* The same with the XDP program alone loaded (the TC programs are not:
 * their fds stay -1), for runs by BPF_PROG_TEST_RUN. */
struct mptcp_xdp *mpx_bpf_object_load_xdp(const struct mpx_config *cfg,
					  char *err, size_t errlen, int *code);
/* Send libbpf's own messages to stderr only with MPTCP_XDP_DEBUG=1. */
void mpx_bpf_quiet(void);
/* Sum of the per-CPU counters map (fd) into out[MPX_CTR_MAX] (added). */
int mpx_bpf_read_counters(int counters_fd, __u64 *out);
/* A subflow's entry, assured or new (include/mptcp_flow.h): 0 when found. */
struct mpx_flow_key;
struct mpx_flow;
int mpx_bpf_flow_lookup(struct mptcp_xdp *skel, const struct mpx_flow_key *key,
			struct mpx_flow *out);

#endif /* MPX_BPF_OBJECT_H */
