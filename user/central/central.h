/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * `mptcp-xdp correlate --from redis://HOST:PORT/KEY[,KEY...]`: the central
 * correlator. Records of many sensors, read through a consumer group
 * (consumer.c), put back in time order (reorder_window.c) and given to
 * the same pipeline, correlator and writers as replay and load; every
 * subflow says which sensors saw it. README.md, "Many sensors".
 */
#ifndef MPX_CENTRAL_H
#define MPX_CENTRAL_H

#include "pipeline.h"
#include "publish/redis_url.h"

#define MPX_REORDER_MS_DEFAULT	1000
#define MPX_REORDER_MAX_DEFAULT 65536
#define MPX_GROUP_DEFAULT	"mptcp-xdp"

struct mpx_central_opts {
	struct mpx_redis_url from;
	const char *group;    /* --group */
	const char *consumer; /* --consumer, or NULL: the host name */
	long reorder_ms;      /* --reorder-window */
	size_t reorder_max;   /* records held at most */
	struct mpx_pipeline_opts out;
	int stats;
	int metrics; /* --metrics: serve /metrics on host:port */
	char metrics_host[64];
	unsigned short metrics_port;
};

/* Until SIGINT, SIGTERM or SIGHUP. Returns an exit code. */
int mpx_central_run(const struct mpx_central_opts *o);

#endif /* MPX_CENTRAL_H */
