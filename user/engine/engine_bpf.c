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

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/exit_codes.h"
#include "engine/bpf_object.h"
#include "engine/engine.h"
#include "ring_record.h"
#include "mptcp_xdp.skel.h"

/* XDP's test run refuses frames shorter than an Ethernet header. */
#define MPX_ETH_HLEN 14

/* A ring record widened (ring_record.h), a payload record's bytes after
 * it as mpx_record_fn wants them. */
struct wide_record {
	struct mptcp_event ev;
	__u8 bytes[MPX_PAYLOAD_CHUNK];
};

struct bpf_engine {
	struct mpx_engine base;
	struct mptcp_xdp *skel;
	struct ring_buffer *rb;
	int prog_fd;
	mpx_record_fn fn;
	void *arg;
	/* What userspace counted for frames the kernel would not take. */
	__u64 extra[MPX_CTR_MAX];
	struct wide_record wide;
	size_t bad_size; /* of a record that did not fit its kind */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_engine *b = ctx;
	const __u8 *bytes;

	if (mpx_ring_record_widen(data, size, &b->wide.ev, &bytes) < 0) {
		/* Not this build's record: stop the read, say so. */
		b->bad_size = size;
		return -EPROTO;
	}
	if (b->wide.ev.kind == MPX_EV_PAYLOAD)
		memcpy(b->wide.bytes, bytes, b->wide.ev.u.payload.len);
	b->fn(&b->wide.ev, b->arg);
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
	if (r == -EPROTO && b->bad_size) {
		snprintf(err, errlen,
			 "a ring buffer record of %zu bytes is not one of "
			 "event ABI %d (the BPF object of another build?)",
			 b->bad_size, MPX_ABI_VERSION);
		return -1;
	}
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

	for (int id = 0; id < MPX_CTR_MAX; id++)
		out[id] = b->extra[id];
	return mpx_bpf_read_counters(bpf_map__fd(b->skel->maps.counters), out);
}

static int bpf_flow(struct mpx_engine *e, const struct mpx_flow_key *key,
		    struct mpx_flow *out)
{
	struct bpf_engine *b = (struct bpf_engine *)e;

	return mpx_bpf_flow_lookup(b->skel, key, out);
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

struct mpx_engine *mpx_engine_bpf_open(const struct mpx_config *cfg,
				       mpx_record_fn fn, void *arg, char *err,
				       size_t errlen, int *code)
{
	struct mpx_config run_cfg;
	struct bpf_engine *b;

	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		*code = MPX_EXIT_FAILURE;
		return NULL;
	}
	b->base.ops = &bpf_ops;
	b->fn = fn;
	b->arg = arg;
	/* The ring is read after every run (bpf_run()): no record needs to
	 * wake a consumer, and each wake-up would cost an inter-processor
	 * interrupt (include/mptcp_config.h). */
	run_cfg = *cfg;
	run_cfg.wakeup_bytes = MPX_WAKEUP_NONE;
	b->skel = mpx_bpf_object_load_xdp(&run_cfg, err, errlen, code);
	if (!b->skel)
		goto fail;
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
