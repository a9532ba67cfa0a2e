// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Where the XDP program's time goes, for tests/bench/xdp_profile.sh: loads
 * the object as xdp_cost does, writes the JIT's line table (one line per
 * source line the JIT emitted code for: kernel address, file:line, the
 * source text, from the program's BTF line info), then runs one bench
 * frame through BPF_PROG_TEST_RUN for SECONDS while perf samples it. The
 * script maps each sample's address to the line table.
 *
 *   xdp_profile FRAME SECONDS LINES_OUT   (FRAME: 0 tcp_ack, 1 dss,
 *                                          2 join_syn, 3 udp)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "engine/bpf_object.h"
#include "mptcp_event.h"
#include "mptcp_xdp.skel.h"
#include "bench_frames.h"

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

/* The JIT's address for each line info record of the program. */
static int write_lines(int fd, const char *path)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info), nj, nl, btf_id;
	struct bpf_line_info *li = NULL;
	struct btf *btf = NULL;
	__u64 *jl = NULL;
	FILE *out = NULL;
	int r = -1;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	nj = info.nr_jited_line_info;
	nl = info.nr_line_info;
	btf_id = info.btf_id;
	jl = calloc(nj ? nj : 1, sizeof(*jl));
	li = calloc(nl ? nl : 1, sizeof(*li));
	if (!jl || !li)
		goto out;
	memset(&info, 0, sizeof(info));
	info.nr_jited_line_info = nj;
	info.jited_line_info = (__u64)(unsigned long)jl;
	info.jited_line_info_rec_size = sizeof(*jl);
	info.nr_line_info = nl;
	info.line_info = (__u64)(unsigned long)li;
	info.line_info_rec_size = sizeof(*li);
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	btf = btf__load_from_kernel_by_id(btf_id);
	out = fopen(path, "w");
	if (!btf || !out)
		goto out;
	for (__u32 i = 0; i < nj && i < nl; i++) {
		const char *src = btf__name_by_offset(btf, li[i].line_off);

		fprintf(
		    out, "%llx %s:%u %s\n", (unsigned long long)jl[i],
		    base_name(btf__name_by_offset(btf, li[i].file_name_off)),
		    BPF_LINE_INFO_LINE_NUM(li[i].line_col), src ? src : "");
	}
	r = 0;
out:
	if (out && fclose(out))
		r = -1;
	btf__free(btf);
	free(li);
	free(jl);
	return r;
}

int main(int argc, char **argv)
{
	struct mpx_config cfg = {.emit_mask = MPX_EMIT_ALL_KINDS,
				 .dss_policy = MPX_DSS_EDGES,
				 .dss_sample_n = 1,
				 .wakeup_bytes = MPX_WAKEUP_BATCHED};
	struct ring_buffer *rb;
	struct mptcp_xdp *skel;
	struct timespec t0, t;
	uint8_t buf[2048];
	char err[256];
	int code, fd, frame, secs;
	size_t len;

	if (argc != 4) {
		fprintf(stderr, "usage: xdp_profile FRAME SECONDS LINES_OUT\n");
		return 2;
	}
	frame = atoi(argv[1]);
	secs = atoi(argv[2]);
	if (frame < 0 || frame >= BF_MAX || secs <= 0) {
		fprintf(stderr, "xdp_profile: FRAME 0..%d, SECONDS > 0\n",
			BF_MAX - 1);
		return 2;
	}
	skel = mpx_bpf_object_load(&cfg, err, sizeof(err), &code);
	if (!skel) {
		fprintf(stderr, "xdp_profile: %s\n", err);
		return 1;
	}
	fd = bpf_program__fd(skel->progs.mptcp_xdp);
	if (write_lines(fd, argv[3])) {
		fprintf(stderr,
			"xdp_profile: cannot write the line table: %s\n",
			strerror(errno));
		mptcp_xdp__destroy(skel);
		return 1;
	}
	len = mpx_bench_frame((enum bench_frame)frame, buf, sizeof(buf));
	/* As xdp_cost times them: the DSS frame on a subflow seen both ways,
	 * the ring drained between test runs so that every record is
	 * written (10,000 MP_JOIN records fit it; the other frames make
	 * none, and longer test runs keep a test run's own set-up out of the
	 * samples). */
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), mpx_bench_discard,
			      NULL, NULL);
	if (!rb ||
	    (frame == BF_DSS && mpx_bench_prime_subflow(fd, buf, len) < 0)) {
		fprintf(stderr, "xdp_profile: set-up: %s\n", strerror(errno));
		ring_buffer__free(rb);
		mptcp_xdp__destroy(skel);
		return 1;
	}
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf,
		    .data_size_in = (__u32)len,
		    .repeat = frame == BF_JOIN_SYN ? 10000 : 1000000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (bpf_prog_test_run_opts(fd, &opts) < 0 ||
		    ring_buffer__consume(rb) < 0) {
			fprintf(stderr, "xdp_profile: test run: %s\n",
				strerror(errno));
			ring_buffer__free(rb);
			mptcp_xdp__destroy(skel);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < secs);
	ring_buffer__free(rb);
	mptcp_xdp__destroy(skel);
	return 0;
}
