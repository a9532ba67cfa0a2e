// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/exit_codes.h"
#include "engine/bpf_object.h"
#include "mptcp_counters.h"
#include "mptcp_flow.h"
#include "mptcp_xdp.skel.h"

/* The ring buffer map needs Linux 5.8. Say so rather than let the load
 * fail with EINVAL. */
static int kernel_too_old(char *err, size_t errlen)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	    (major < 5 || (major == 5 && minor < 8))) {
		snprintf(err, errlen,
			 "kernel %s is too old: the BPF ring buffer needs "
			 "Linux 5.8 or later",
			 u.release);
		return 1;
	}
	return 0;
}

static int silent_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* libbpf's warnings go to stderr only when asked for
	 * (MPTCP_XDP_DEBUG=1): a verifier log is not a one-line error. */
	(void)level;
	if (getenv("MPTCP_XDP_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void mpx_bpf_quiet(void)
{
	libbpf_set_print(silent_print);
}

static struct mptcp_xdp *object_load(const struct mpx_config *cfg, int xdp_only,
				     char *err, size_t errlen, int *code)
{
	struct mptcp_xdp *skel;
	int r;

	if (kernel_too_old(err, errlen)) {
		*code = MPX_EXIT_OLD_KERNEL;
		return NULL;
	}
	mpx_bpf_quiet();
	skel = mptcp_xdp__open();
	if (!skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s",
			 strerror(errno));
		*code = MPX_EXIT_BPF;
		return NULL;
	}
	skel->rodata->mpx_cfg = *cfg;
	/* Payload records (the data level) are bytes, not 80-120 byte records:
	 * a ring that holds a quarter second of a 1 Gb/s link. */
	if (cfg->emit_mask & MPX_KIND_BIT(MPX_EV_PAYLOAD))
		bpf_map__set_max_entries(skel->maps.events,
					 MPX_PAYLOAD_RING_BYTES);
	else if (cfg->wakeup_bytes && cfg->wakeup_bytes != MPX_WAKEUP_NONE &&
		 cfg->dss_policy == MPX_DSS_ALL &&
		 (cfg->emit_mask & MPX_KIND_BIT(MPX_EV_DSS)))
		bpf_map__set_max_entries(skel->maps.events,
					 MPX_DSS_ALL_RING_BYTES);
	if (cfg->wakeup_bytes == MPX_WAKEUP_BATCHED)
		skel->rodata->mpx_cfg.wakeup_bytes =
		    bpf_map__max_entries(skel->maps.events) /
		    MPX_WAKEUP_FRACTION;
	else if (cfg->wakeup_bytes == MPX_WAKEUP_NONE)
		skel->rodata->mpx_cfg.wakeup_bytes =
		    bpf_map__max_entries(skel->maps.events);
	if (xdp_only) {
		/* The TC programs would be verified for nothing: their
		 * verification is most of a load's time. */
		bpf_program__set_autoload(skel->progs.mptcp_tc_egress, false);
		bpf_program__set_autoload(skel->progs.mptcp_tc_ingress, false);
	}
	/* MPTCP_XDP_DEBUG=stats: the verifier's statistics of each program
	 * (processed instructions against its 1M budget), printed by libbpf
	 * after a successful load too. */
	if (getenv("MPTCP_XDP_DEBUG") &&
	    strcmp(getenv("MPTCP_XDP_DEBUG"), "stats") == 0) {
		struct bpf_program *prog;

		for (prog = bpf_object__next_program(skel->obj, NULL); prog;
		     prog = bpf_object__next_program(skel->obj, prog))
			bpf_program__set_log_level(prog, 4);
	}
	r = mptcp_xdp__load(skel);
	if (r) {
		int e = -r;

		if (e == EPERM || e == EACCES) {
			snprintf(err, errlen,
				 "cannot load the BPF object: %s (needs root "
				 "or CAP_BPF+CAP_NET_ADMIN)",
				 strerror(e));
			*code = MPX_EXIT_PERMISSION;
		} else {
			snprintf(err, errlen,
				 "cannot load the BPF object: %s (run with "
				 "MPTCP_XDP_DEBUG=1 for the verifier log)",
				 strerror(e));
			*code = MPX_EXIT_BPF;
		}
		mptcp_xdp__destroy(skel);
		return NULL;
	}
	return skel;
}

struct mptcp_xdp *mpx_bpf_object_load(const struct mpx_config *cfg, char *err,
				      size_t errlen, int *code)
{
	return object_load(cfg, 0, err, errlen, code);
}

struct mptcp_xdp *mpx_bpf_object_load_xdp(const struct mpx_config *cfg,
					  char *err, size_t errlen, int *code)
{
	return object_load(cfg, 1, err, errlen, code);
}

int mpx_bpf_read_counters(int fd, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info), zero = 0;
	struct mpx_counters *vals;
	int r = -1;

	/* A counters map of another layout (another build's daemon, seen by
	 * `status`) is not read as this one's. */
	if (ncpu <= 0 || bpf_obj_get_info_by_fd(fd, &info, &len) != 0 ||
	    info.value_size != sizeof(struct mpx_counters))
		return -1;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	if (bpf_map_lookup_elem(fd, &zero, vals) == 0) {
		for (int c = 0; c < ncpu; c++)
			for (int id = 0; id < MPX_CTR_MAX; id++)
				out[id] += vals[c].c[id];
		r = 0;
	}
	free(vals);
	return r;
}

int mpx_bpf_flow_lookup(struct mptcp_xdp *skel, const struct mpx_flow_key *key,
			struct mpx_flow *out)
{
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), key, out) == 0)
		return 0;
	return bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows_new), key, out);
}
