/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The Prometheus text exposition (format 0.0.4) of a state: kernel counters,
 * correlator statistics, attached interfaces. Pure: the same state gives
 * the same text, which the unit tests check byte for byte.
 *
 * Conventions of the exporters people already run: names prefixed
 * mptcp_xdp_, counters end in _total, units in the name, labels only for
 * small sets, # HELP and # TYPE for every family.
 */
#ifndef MPX_METRICS_TEXT_H
#define MPX_METRICS_TEXT_H

#include <stddef.h>
#include <linux/types.h>

#include "central/consumer.h"
#include "correlate/correlate.h"
#include "mptcp_counters.h"
#include "publish/publisher.h"

#define MPX_METRICS_MAX_IFACES 16

struct mpx_metrics_iface {
	char name[16];
	char ingress[16]; /* hook kind: xdp-native, xdp-generic, tcx, clsact */
	char egress[16];  /* tcx, clsact or none */
};

struct mpx_metrics_state {
	__u64 counters[MPX_CTR_MAX];
	struct mpx_corr_stats corr;
	int has_corr;		/* raw mode runs no correlator */
	__u64 records_rejected; /* ring records of another ABI version */
	int nifaces;
	struct mpx_metrics_iface ifaces[MPX_METRICS_MAX_IFACES];
	int no_kernel;	 /* the central correlator: no kernel side of its own */
	int has_publish; /* --publish: records sent to Redis */
	struct mpx_publish_stats publish;
	int has_consume; /* correlate: records read from Redis */
	struct mpx_consume_stats consume;
};

/* Render into a growing buffer: returns the text (malloc'd, caller frees)
 * and its length in *len, or NULL when out of memory. */
char *mpx_metrics_render(const struct mpx_metrics_state *st, size_t *len);

#endif /* MPX_METRICS_TEXT_H */
