/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* What `replay` and `load` are both told: the kernel side's configuration,
 * what to write, and whether to report and serve metrics. */
#ifndef MPX_RUN_OPTS_H
#define MPX_RUN_OPTS_H

#include "mptcp_config.h"
#include "pipeline.h"

struct mpx_run_opts {
	struct mpx_config cfg;	      /* written into the BPF object */
	struct mpx_pipeline_opts out; /* events, format, bounds, stream */
	int stats;		      /* counters to stderr at the end */
	int metrics;		      /* serve /metrics on host:port */
	char metrics_host[64];
	unsigned short metrics_port;
};

#endif /* MPX_RUN_OPTS_H */
