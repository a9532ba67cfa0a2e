// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The BPF engine: the built object, loaded from its skeleton, with every
 * frame run through the XDP program by BPF_PROG_TEST_RUN and the records
 * read back from the ring buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine.h"
#include "exit_codes.h"
#include "mptcp_xdp.skel.h"

/* XDP's test run refuses frames shorter than an Ethernet header. */
#define MPX_ETH_HLEN 14

struct bpf_engine {
	struct mpx_engine base;
	struct mptcp_xdp *skel;
	struct ring_buffer *rb;
	int prog_fd;
	mpx_record_fn fn;
	void *arg;
	/* What userspace counted for frames the kernel would not take. */
	__u64 extra[MPX_CTR_MAX];
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_engine *b = ctx;

	if (size < sizeof(struct mptcp_event))
		return 0;
	b->fn(data, b->arg);
	return 0;
}

static int bpf_run(struct mpx_engine *e, const void *frame, size_t len,
		   char *err, size_t errlen)
{
	struct bpf_engine *b = (struct bpf_engine *)e;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = 1);
	int r;

	if (len < MPX_ETH_HLEN) {
		/* What the parser does with such a frame, without it. */
		b->extra[MPX_CTR_PACKETS]++;
		b->extra[MPX_CTR_ERR_TRUNC_L2]++;
		return 0;
	}
	r = bpf_prog_test_run_opts(b->prog_fd, &opts);
	if (r < 0) {
		snprintf(err, errlen, "BPF test run failed: %s",
			 strerror(errno));
		return -1;
	}
	r = ring_buffer__consume(b->rb);
	if (r < 0) {
		snprintf(err, errlen, "ring buffer read failed: %s",
			 strerror(-r));
		return -1;
	}
	return 0;
}

static int bpf_counters(struct mpx_engine *e, __u64 *out)
{
	struct bpf_engine *b = (struct bpf_engine *)e;
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(b->skel->maps.counters);
	__u64 *vals;

	if (ncpu <= 0)
		return -1;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	for (__u32 id = 0; id < MPX_CTR_MAX; id++) {
		out[id] = b->extra[id];
		if (bpf_map_lookup_elem(fd, &id, vals) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			out[id] += vals[c];
	}
	free(vals);
	return 0;
}

static int bpf_flow(struct mpx_engine *e, const struct mpx_flow_key *key,
		    struct mpx_flow *out)
{
	struct bpf_engine *b = (struct bpf_engine *)e;

	return bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.flows), key, out);
}

static void bpf_close(struct mpx_engine *e)
{
	struct bpf_engine *b = (struct bpf_engine *)e;

	ring_buffer__free(b->rb);
	mptcp_xdp__destroy(b->skel);
	free(b);
}

static const struct mpx_engine_ops bpf_ops = {
	.run = bpf_run,
	.counters = bpf_counters,
	.flow = bpf_flow,
	.close = bpf_close,
};

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
			 "Linux 5.8 or later (use --engine host for replay)",
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

struct mpx_engine *mpx_engine_bpf_open(const struct mpx_config *cfg,
				       mpx_record_fn fn, void *arg, char *err,
				       size_t errlen, int *code)
{
	struct bpf_engine *b;
	int r;

	if (kernel_too_old(err, errlen)) {
		*code = MPX_EXIT_OLD_KERNEL;
		return NULL;
	}
	libbpf_set_print(silent_print);
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		*code = MPX_EXIT_FAILURE;
		return NULL;
	}
	b->base.ops = &bpf_ops;
	b->fn = fn;
	b->arg = arg;
	b->skel = mptcp_xdp__open();
	if (!b->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s",
			 strerror(errno));
		*code = MPX_EXIT_BPF;
		goto fail;
	}
	b->skel->rodata->mpx_cfg = *cfg;
	r = mptcp_xdp__load(b->skel);
	if (r) {
		int e = -r;

		if (e == EPERM || e == EACCES) {
			snprintf(err, errlen,
				 "cannot load the BPF object: %s (needs root "
				 "or CAP_BPF+CAP_NET_ADMIN; --engine host "
				 "needs none)",
				 strerror(e));
			*code = MPX_EXIT_PERMISSION;
		} else {
			snprintf(err, errlen,
				 "cannot load the BPF object: %s (run with "
				 "MPTCP_XDP_DEBUG=1 for the verifier log)",
				 strerror(e));
			*code = MPX_EXIT_BPF;
		}
		goto fail;
	}
	b->prog_fd = bpf_program__fd(b->skel->progs.mptcp_xdp);
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_record,
				 b, NULL);
	if (!b->rb) {
		snprintf(err, errlen, "cannot open the ring buffer: %s",
			 strerror(errno));
		*code = MPX_EXIT_BPF;
		goto fail;
	}
	return &b->base;
fail:
	mptcp_xdp__destroy(b->skel);
	free(b);
	return NULL;
}
