// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Per-packet cost of the XDP program, as a ratio to a no-op XDP program
 * (return XDP_PASS) measured in the same run, under BPF_PROG_TEST_RUN.
 * Frames: a plain TCP ACK, an MPTCP DSS data packet (on a subflow seen both
 * ways, see mpx_bench_prime_subflow()), an MP_JOIN SYN, a UDP datagram. The
 * program is configured as `load` runs it: every record kind, DSS edges,
 * batched wake-ups.
 *
 * Each figure comes from test runs of REPEAT and of 3 x REPEAT runs, the
 * best of ROUNDS each, the ring buffer drained after every test run
 * (outside the timing), so that every record the program makes is really
 * written: a ring left full would time the cheaper path of a refused
 * reservation. The ns per run is the slope of wall time over runs between
 * the two, free of what a test run costs once; the kernel's own figure
 * (opts.duration) is whole nanoseconds, truncated, a 20% step at the
 * no-op's 4-5 ns. It is printed too. Programs that write a record per run
 * are timed with at most EMIT_REPEAT runs, so that three times as many
 * records fit the ring (4 MiB: 32,768 MP_JOIN records).
 *
 * Two more programs give the floor under the MPTCP frames, built here
 * from a few instructions and timed the same way:
 *  - emit: read the clock and write one record of the MP_JOIN record's
 *    size to a ring buffer, what any record costs;
 *  - lookup: one lookup of a 40-byte key (the flow table's) in an LRU hash
 *    of the flow table's size that holds it.
 *
 *   xdp_cost [REPEAT [ROUNDS]]   (default 100000 100) prints one line per
 *     frame or floor program: name, ns/run, no-op ns/run, their ratio,
 *     then the kernel's whole-ns figures for both; and a line
 *     "records N lost M" for the frames' runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/types.h>

#include "engine/bpf_object.h"
#include "mptcp_counters.h"
#include "mptcp_event.h"
#include "mptcp_flow.h"
#include "mptcp_xdp.skel.h"
#include "bench_frames.h"

/* The few instruction encodings the floor programs need (the kernel's
 * tools/include/linux/filter.h has them as macros; no uapi header does). */
#define I_MOV_IMM(d, v)                                                        \
	((struct bpf_insn){                                                    \
	    .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = (d), .imm = (v)})
#define I_MOV_REG(d, s)                                                        \
	((struct bpf_insn){.code = BPF_ALU64 | BPF_MOV | BPF_X,                \
			   .dst_reg = (d),                                     \
			   .src_reg = (s)})
#define I_ADD_IMM(d, v)                                                        \
	((struct bpf_insn){                                                    \
	    .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = (d), .imm = (v)})
#define I_ST_DW(o, v)                                                          \
	((struct bpf_insn){.code = BPF_ST | BPF_MEM | BPF_DW,                  \
			   .dst_reg = BPF_REG_10,                              \
			   .off = (o),                                         \
			   .imm = (v)})
#define I_STX_DW(o, s)                                                         \
	((struct bpf_insn){.code = BPF_STX | BPF_MEM | BPF_DW,                 \
			   .dst_reg = BPF_REG_10,                              \
			   .src_reg = (s),                                     \
			   .off = (o)})
#define I_CALL(f) ((struct bpf_insn){.code = BPF_JMP | BPF_CALL, .imm = (f)})
#define I_EXIT	  ((struct bpf_insn){.code = BPF_JMP | BPF_EXIT})
/* Two slots: the map's fd, resolved by the kernel to the map. */
#define I_LD_MAP(d, fd)                                                        \
	((struct bpf_insn){.code = BPF_LD | BPF_DW | BPF_IMM,                  \
			   .dst_reg = (d),                                     \
			   .src_reg = BPF_PSEUDO_MAP_FD,                       \
			   .imm = (fd)}),                                      \
	    ((struct bpf_insn){0})

#define MAX_INSNS 40

static int load_prog(const char *name, const struct bpf_insn *insns, size_t n)
{
	return bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, NULL);
}

static int noop_prog(void)
{
	const struct bpf_insn insns[] = {I_MOV_IMM(BPF_REG_0, XDP_PASS),
					 I_EXIT};

	return load_prog("noop", insns, 2);
}

/* At insns[n]: r1 = the map, r2 = the stack at off, a map helper's first
 * two arguments. The next free index. */
static size_t put_map_args(struct bpf_insn *insns, size_t n, int map_fd,
			   int off)
{
	const struct bpf_insn ld[] = {I_LD_MAP(BPF_REG_1, map_fd)};

	insns[n++] = ld[0];
	insns[n++] = ld[1];
	insns[n++] = I_MOV_REG(BPF_REG_2, BPF_REG_10);
	insns[n++] = I_ADD_IMM(BPF_REG_2, off);
	return n;
}

/* The clock, then `size` bytes from the stack into the ring. */
static int emit_prog(int ring_fd, int size)
{
	struct bpf_insn insns[MAX_INSNS];
	size_t n = 0;

	for (int off = -size; off < 0; off += 8)
		insns[n++] = I_ST_DW(off, 0);
	insns[n++] = I_CALL(BPF_FUNC_ktime_get_ns);
	insns[n++] = I_STX_DW(-size, BPF_REG_0);
	n = put_map_args(insns, n, ring_fd, -size);
	insns[n++] = I_MOV_IMM(BPF_REG_3, size);
	insns[n++] = I_MOV_IMM(BPF_REG_4, BPF_RB_NO_WAKEUP);
	insns[n++] = I_CALL(BPF_FUNC_ringbuf_output);
	insns[n++] = I_MOV_IMM(BPF_REG_0, XDP_PASS);
	insns[n++] = I_EXIT;
	return load_prog("floor_emit", insns, n);
}

/* One lookup of the key (1, 0, 0, 0, 0) as 64-bit words. */
static int lookup_prog(int htab_fd)
{
	struct bpf_insn insns[MAX_INSNS];
	const int ks = (int)sizeof(struct mpx_flow_key);
	size_t n = 0;

	for (int off = -ks; off < 0; off += 8)
		insns[n++] = I_ST_DW(off, off == -ks);
	n = put_map_args(insns, n, htab_fd, -ks);
	insns[n++] = I_CALL(BPF_FUNC_map_lookup_elem);
	insns[n++] = I_MOV_IMM(BPF_REG_0, XDP_PASS);
	insns[n++] = I_EXIT;
	return load_prog("floor_lookup", insns, n);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct bench {
	int repeat, rounds;
	struct ring_buffer *rings; /* drained between test runs */
};

/* The best of b->rounds test runs of `repeat` runs: wall ns, and the
 * kernel's whole ns per run. */
static int best_run(const struct bench *b, int fd, const void *frame,
		    size_t len, int repeat, double *wall, double *kernel)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = repeat);

	*wall = *kernel = 1e18;
	for (int i = 0; i < b->rounds; i++) {
		double t0 = now_ns(), t;

		if (bpf_prog_test_run_opts(fd, &opts) < 0)
			return -1;
		t = now_ns() - t0;
		if (ring_buffer__consume(b->rings) < 0)
			return -1;
		if (t < *wall)
			*wall = t;
		if (opts.duration < *kernel)
			*kernel = opts.duration;
	}
	return 0;
}

/*
 * ns per run: the slope between test runs of `repeat` and of 3 x `repeat`
 * runs, so that what a test run costs once (its syscall, copying the
 * frame in, setting up: some 270 us here, 14 ns a run at 20,000 runs) drops
 * out. *kernel: the kernel's figure for the longer runs.
 */
static int ns_per_run(const struct bench *b, int fd, const void *frame,
		      size_t len, int repeat, double *ns, double *kernel)
{
	double w1, w3, k1;

	if (best_run(b, fd, frame, len, repeat, &w1, &k1) < 0 ||
	    best_run(b, fd, frame, len, 3 * repeat, &w3, kernel) < 0)
		return -1;
	*ns = (w3 - w1) / (2.0 * repeat);
	return 0;
}

/* emits: the program writes a record per run; then 3 x the repeat must
 * fit the ring (EMIT_REPEAT). */
#define EMIT_REPEAT 10000

static int report(const struct bench *b, const char *name, int fd, int noop,
		  const void *frame, size_t len, int emits)
{
	int repeat = emits && b->repeat > EMIT_REPEAT ? EMIT_REPEAT : b->repeat;
	double ours, base, ours_k, base_k;

	/* The no-op writes nothing: always the long runs, its figure is the
	 * denominator of every ratio. */
	if (ns_per_run(b, fd, frame, len, repeat, &ours, &ours_k) < 0 ||
	    ns_per_run(b, noop, frame, len, b->repeat, &base, &base_k) < 0 ||
	    base <= 0) {
		fprintf(stderr, "xdp_cost: test run of %s: %s\n", name,
			strerror(errno));
		return -1;
	}
	printf("%s %.1f %.1f %.2f %.0f %.0f\n", name, ours, base, ours / base,
	       ours_k, base_k);
	return 0;
}

int main(int argc, char **argv)
{
	struct mpx_config cfg = {.emit_mask = MPX_EMIT_ALL_KINDS,
				 .dss_policy = MPX_DSS_EDGES,
				 .dss_sample_n = 1,
				 .wakeup_bytes = MPX_WAKEUP_BATCHED};
	struct bench b = {.repeat = argc > 1 ? atoi(argv[1]) : 100000,
			  .rounds = argc > 2 ? atoi(argv[2]) : 100};
	static const char *const names[BF_MAX] = {
	    "tcp_ack_no_mptcp", "mptcp_dss_data", "mptcp_join_syn", "udp"};
	struct mpx_flow_key key = {.family = 0};
	struct mpx_flow val = {0};
	struct mptcp_xdp *skel;
	__u64 ctr[MPX_CTR_MAX] = {0};
	int code, noop, fd, ring, htab, emit, lookup;
	char err[256];
	uint8_t buf[2048];

	if (b.repeat <= 0 || b.rounds <= 0) {
		fprintf(stderr, "usage: xdp_cost [REPEAT [ROUNDS]]\n");
		return 2;
	}
	skel = mpx_bpf_object_load(&cfg, err, sizeof(err), &code);
	noop = noop_prog();
	if (!skel || noop < 0) {
		fprintf(stderr, "xdp_cost: %s\n", skel ? "no-op load" : err);
		return 1;
	}
	ring = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "floor_ring", 0, 0,
			      bpf_map__max_entries(skel->maps.events), NULL);
	htab = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "floor_htab", sizeof(key),
			      sizeof(val),
			      bpf_map__max_entries(skel->maps.flows_new), NULL);
	memcpy(&key, &(__u64){1}, sizeof(__u64));
	if (ring < 0 || htab < 0 ||
	    bpf_map_update_elem(htab, &key, &val, BPF_ANY) < 0) {
		fprintf(stderr, "xdp_cost: floor maps: %s\n", strerror(errno));
		return 1;
	}
	emit = emit_prog(ring, MPX_RECORD_SIZE(MPX_EV_MP_JOIN));
	lookup = lookup_prog(htab);
	b.rings = ring_buffer__new(bpf_map__fd(skel->maps.events),
				   mpx_bench_discard, NULL, NULL);
	if (emit < 0 || lookup < 0 || !b.rings ||
	    ring_buffer__add(b.rings, ring, mpx_bench_discard, NULL) < 0) {
		fprintf(stderr, "xdp_cost: floor programs: %s\n",
			strerror(errno));
		return 1;
	}
	fd = bpf_program__fd(skel->progs.mptcp_xdp);
	for (int i = 0; i < BF_MAX; i++) {
		size_t len = mpx_bench_frame(i, buf, sizeof(buf));

		if (i == BF_DSS && mpx_bench_prime_subflow(fd, buf, len) < 0) {
			fprintf(stderr, "xdp_cost: priming: %s\n",
				strerror(errno));
			return 1;
		}
		if (report(&b, names[i], fd, noop, buf, len, i == BF_JOIN_SYN) <
		    0)
			return 1;
	}
	if (mpx_bpf_read_counters(bpf_map__fd(skel->maps.counters), ctr) < 0) {
		fprintf(stderr, "xdp_cost: counters: %s\n", strerror(errno));
		return 1;
	}
	printf("records %llu lost %llu\n",
	       (unsigned long long)ctr[MPX_CTR_RECORDS],
	       (unsigned long long)ctr[MPX_CTR_RINGBUF_FULL]);
	if (report(&b, "floor_emit", emit, noop, buf, 64, 1) < 0 ||
	    report(&b, "floor_lookup", lookup, noop, buf, 64, 0) < 0)
		return 1;
	ring_buffer__free(b.rings);
	mptcp_xdp__destroy(skel);
	return 0;
}
