/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `mptcp-xdp load IFACE...`: the live sensor. */
#ifndef MPX_LOAD_H
#define MPX_LOAD_H

#include "cli/run_opts.h"
#include "live/attach.h"
#include "mptcp_config.h"
#include "pipeline.h"

#define MPX_MAX_IFACES 16
/* The ring buffer's poll timeout: with batched wake-ups (mpx_config's
 * wakeup_bytes) the bound on how long a record waits in the ring when
 * traffic is too light to fill it past the threshold. */
#define MPX_RING_POLL_MS 10

struct mpx_load_opts {
	const char *ifaces[MPX_MAX_IFACES];
	int nifaces;
	enum mpx_ingress_mode ingress;
	int egress;
	struct mpx_run_opts run;
};

/* Attach, stream events until SIGINT/SIGTERM/SIGHUP/SIGQUIT or a closed
 * output, detach. Returns an exit code. */
int mpx_load(const struct mpx_load_opts *o);

#endif /* MPX_LOAD_H */
