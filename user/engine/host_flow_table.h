/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The host engine's flow table: what the BPF LRU hash "flows" is to the
 * kernel side. Bounded; when full, lookups of new flows return NULL (the
 * parser then fails open and counts MPX_CTR_FLOW_TABLE_FULL), where the
 * kernel's LRU would evict: the two differ only past MPX_FLOW_TABLE_SIZE
 * live subflows.
 */
#ifndef MPX_HOST_FLOW_TABLE_H
#define MPX_HOST_FLOW_TABLE_H

#include <stddef.h>
#include <linux/types.h>

#include "mptcp_event.h"
#include "mptcp_flow.h"

struct mpx_host_flows;

struct mpx_host_flows *mpx_host_flows_new(size_t capacity);
void mpx_host_flows_free(struct mpx_host_flows *t);
/* The entry for key, created zeroed; *created set when it is new. NULL when
 * the table is full. */
struct mpx_flow *mpx_host_flows_get(struct mpx_host_flows *t,
				    const struct mpx_flow_key *key,
				    int *created);

/* The entry for key, or NULL; creates nothing. */
const struct mpx_flow *mpx_host_flows_find(const struct mpx_host_flows *t,
					   const struct mpx_flow_key *key);

#endif /* MPX_HOST_FLOW_TABLE_H */
