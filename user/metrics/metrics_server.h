/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * `--metrics ADDR:PORT`: GET /metrics over HTTP (libmicrohttpd, its own
 * thread). A scrape reads the kernel's per-CPU counters itself (through a
 * map fd, when there is one) and the rest from a snapshot the event loop
 * publishes; it takes a mutex for a memcpy and never stalls the event path.
 */
#ifndef MPX_METRICS_SERVER_H
#define MPX_METRICS_SERVER_H

#include <stddef.h>

#include "metrics/metrics_text.h"

/* Default: loopback only (README.md, "Prometheus metrics"). */
#define MPX_METRICS_DEFAULT "127.0.0.1:9846"

struct mpx_metrics_server;

/* "off", "ADDR:PORT", "[v6]:PORT", or ":PORT" (loopback). 0, or -1 with a
 * message. off sets *enabled to 0. */
int mpx_metrics_parse(const char *spec, int *enabled, char *host,
		      size_t hostlen, unsigned short *port, char *err,
		      size_t errlen);

/* Listen now (a port in use is an error at start). counters_fd: the BPF
 * counters map to read at each scrape, or -1 to use the snapshot's. NULL
 * with a one-line message on failure. */
struct mpx_metrics_server *mpx_metrics_start(const char *host,
					     unsigned short port,
					     int counters_fd, char *err,
					     size_t errlen);
/* Publish the state a scrape shows (counters ignored with a map fd). */
void mpx_metrics_publish(struct mpx_metrics_server *m,
			 const struct mpx_metrics_state *st);
void mpx_metrics_stop(struct mpx_metrics_server *m);

#endif /* MPX_METRICS_SERVER_H */
