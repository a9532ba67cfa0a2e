// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The event path, from the ring buffer to the daemon's writers: the BPF
 * object loaded as `load --events all --dss all` configures it, a producer
 * thread on one CPU running the program on an MPTCP DSS data frame
 * (BPF_PROG_TEST_RUN, one record a run) at an offered rate, the consumer
 * on another CPU doing what `load` does with the ring: poll, the same
 * record handler, the pipeline (raw and connection events, JSON) writing
 * to /dev/null.
 *
 *   ring_drive [RECORDS [RATE [MODE]]]
 *
 * RECORDS to offer (default 2,000,000), RATE records/s offered (default
 * 1,000,000; 0: as fast as the producer goes), MODE `each` (the kernel's
 * default notification: flags 0 on every record, the consumer woken
 * whenever it caught up, the 4 MiB ring), `batched` (what `load` does:
 * bpf/, user/live/load.c, and the 16 MiB ring of --dss all) or `both`
 * (default). One line per mode:
 *
 *   MODE offered_per_s consumed_per_s lost consumer_cpu_pct produced
 *        consumed_per_consumer_cpu_s consumer_runqueue_wait_ms
 *        ring_bytes_per_record
 *
 * consumed_per_consumer_cpu_s is what one core of consumer would keep up
 * with: the machine may be shared, and a consumer that was not scheduled
 * loses records that its speed alone would not; the last figure is how
 * long the consumer was runnable but waited for its CPU (schedstat), then
 * the ring buffer bytes a record took (the kernel's 8-byte header and the
 * record, as long as its kind needs, rounded up to 8). The
 * producer runs the TC egress program: the same parser and emit as XDP's (see
 * below why not XDP).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "engine/bpf_object.h"
#include "live/load.h"
#include "mptcp_counters.h"
#include "mptcp_event.h"
#include "mptcp_xdp.skel.h"
#include "bench_frames.h"
#include "pipeline.h"
#include "stream/stream_setup.h"

/* Runs per BPF_PROG_TEST_RUN call: small enough to pace the offer. */
#define CHUNK 256

struct producer {
	int prog_fd;
	int cpu;
	__u64 records;
	__u64 rate; /* per second; 0: unpaced */
	const __u8 *frame;
	size_t len;
	__u64 produced;
	double seconds;
	volatile int done;
};

static __s64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		fprintf(stderr, "ring_drive: cannot pin to CPU %d: %s\n", cpu,
			strerror(errno));
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	__s64 start;

	pin(p->cpu);
	start = now_ns();
	while (p->produced < p->records) {
		__u64 n = p->records - p->produced;
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->frame,
			    .data_size_in = (__u32)p->len);

		if (n > CHUNK)
			n = CHUNK;
		opts.repeat = (int)n;
		if (bpf_prog_test_run_opts(p->prog_fd, &opts) < 0) {
			fprintf(stderr, "ring_drive: test run: %s\n",
				strerror(errno));
			break;
		}
		p->produced += n;
		if (p->rate) {
			/* Where the offer should be by now: wait for it. */
			__s64 due = start + (__s64)(p->produced *
						    1000000000ull / p->rate);

			while (now_ns() < due)
				;
		}
	}
	p->seconds = (double)(now_ns() - start) / 1e9;
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The consumer: what user/live/load.c does with the ring (each record
 * through the same mpx_pipeline_ring_record(), and its loop: poll,
 * consume, tick; the loss check reads the counters once a second).
 */
struct consumer {
	struct mpx_pipeline *pipe;
	__s64 mono_to_real_ns;
	__u64 records;
	__u64 ring_bytes; /* what the records took in the ring */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct consumer *c = ctx;

	/* The kernel's 8-byte record header, the record rounded up to 8. */
	c->ring_bytes += 8 + ((size + 7) & ~(size_t)7);
	c->records += (__u64)mpx_pipeline_ring_record(c->pipe, data, size,
						      c->mono_to_real_ns);
	return 0;
}

static __s64 real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One turn of load.c's loop. */
static int consume_step(struct consumer *c, struct ring_buffer *rb,
			int counters_fd, __s64 *next_check)
{
	struct mpx_origin now;
	int r = ring_buffer__poll(rb, MPX_RING_POLL_MS);

	if (r < 0 && r != -EINTR)
		return -1;
	if (ring_buffer__consume(rb) < 0)
		return -1;
	now = mpx_origin_of_ns(real_ns());
	mpx_pipeline_tick(c->pipe, &now);
	if (now_ns() >= *next_check) {
		__u64 ctr[MPX_CTR_MAX] = {0};

		*next_check = now_ns() + 1000000000LL;
		mpx_bpf_read_counters(counters_fd, ctr);
	}
	return 0;
}

/* How long this thread waited on its CPU's run queue (ns), from
 * /proc/thread-self/schedstat: runnable, not running, another task on
 * the CPU. 0 when not available. */
static unsigned long long run_delay_ns(void)
{
	unsigned long long run = 0, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

static double thread_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int drive(const char *mode, __u32 wakeup, __u64 records, __u64 rate)
{
	struct mpx_config cfg = {.emit_mask = MPX_EMIT_ALL_KINDS,
				 .dss_policy = MPX_DSS_ALL,
				 .dss_sample_n = 1,
				 .wakeup_bytes = wakeup};
	struct mpx_pipeline_opts po;
	struct consumer c = {0};
	struct ring_buffer *rb;
	__s64 next_check = 0;
	struct producer p = {.cpu = 0, .records = records, .rate = rate};
	__u64 ctr[MPX_CTR_MAX] = {0};
	struct mptcp_xdp *skel;
	pthread_t th;
	__u8 frame[2048];
	char err[256];
	double cpu0, cpu, wall;
	unsigned long long wait0;
	__s64 t0;
	int code;
	FILE *null;

	memset(&po, 0, sizeof(po));
	po.events = MPX_EVENTS_ALL;
	po.format = MPX_FORMAT_JSON;
	po.max_conns = 65536;
	mpx_detect_opts_default(&po.detect);
	po.streams.depth = MPX_STREAM_DEPTH_DEFAULT;
	po.streams.memcap = MPX_REASSEMBLY_MEMCAP_DEFAULT;
	null = fopen("/dev/null", "w");
	if (!null)
		return 1;
	po.out = null;
	skel = mpx_bpf_object_load(&cfg, err, sizeof(err), &code);
	if (!skel) {
		fprintf(stderr, "ring_drive: %s\n", err);
		fclose(null);
		return 1;
	}
	c.pipe = mpx_pipeline_new(&po);
	c.mono_to_real_ns = real_ns() - now_ns();
	rb = c.pipe ? ring_buffer__new(bpf_map__fd(skel->maps.events),
				       on_record, &c, NULL)
		    : NULL;
	if (!rb) {
		fprintf(stderr, "ring_drive: cannot open the ring buffer\n");
		mpx_pipeline_free(c.pipe);
		mptcp_xdp__destroy(skel);
		fclose(null);
		return 1;
	}
	/* The TC program: the same parser and emit, but a test run of an XDP
	 * program re-points the kernel's XDP dispatcher (text patching and
	 * IPIs) twice a call, which made pacing in small chunks impossible. */
	p.prog_fd = bpf_program__fd(skel->progs.mptcp_tc_egress);
	p.len = mpx_bench_frame(BF_DSS, frame, sizeof(frame));
	p.frame = frame;
	pin(1);
	cpu0 = thread_cpu_s();
	wait0 = run_delay_ns();
	t0 = now_ns();
	if (pthread_create(&th, NULL, produce, &p) != 0) {
		fprintf(stderr, "ring_drive: cannot start the producer\n");
		return 1;
	}
	while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE))
		if (consume_step(&c, rb, bpf_map__fd(skel->maps.counters),
				 &next_check) < 0)
			break;
	pthread_join(th, NULL);
	ring_buffer__consume(rb);
	wall = (double)(now_ns() - t0) / 1e9;
	cpu = thread_cpu_s() - cpu0;
	mpx_bpf_read_counters(bpf_map__fd(skel->maps.counters), ctr);
	printf("%s %.0f %.0f %llu %.0f %llu %.0f %.0f %.0f\n", mode,
	       (double)p.produced / p.seconds, (double)c.records / wall,
	       (unsigned long long)ctr[MPX_CTR_RINGBUF_FULL],
	       100.0 * cpu / wall, (unsigned long long)p.produced,
	       cpu > 0 ? (double)c.records / cpu : 0.0,
	       (double)(run_delay_ns() - wait0) / 1e6,
	       c.records ? (double)c.ring_bytes / (double)c.records : 0.0);
	fflush(stdout);
	if (c.records + ctr[MPX_CTR_RINGBUF_FULL] != p.produced)
		fprintf(stderr,
			"ring_drive: %s: %llu consumed + %llu lost != %llu "
			"produced\n",
			mode, (unsigned long long)c.records,
			(unsigned long long)ctr[MPX_CTR_RINGBUF_FULL],
			(unsigned long long)p.produced);
	mpx_pipeline_finish(c.pipe);
	ring_buffer__free(rb);
	mpx_pipeline_free(c.pipe);
	mptcp_xdp__destroy(skel);
	fclose(null);
	return 0;
}

int main(int argc, char **argv)
{
	__u64 records = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000000;
	__u64 rate = argc > 2 ? strtoull(argv[2], NULL, 0) : 1000000;
	const char *mode = argc > 3 ? argv[3] : "both";

	int r = 0;

	if (!strcmp(mode, "each") || !strcmp(mode, "both"))
		r |= drive("each", 0, records, rate);
	if (!strcmp(mode, "batched") || !strcmp(mode, "both"))
		r |= drive("batched", MPX_WAKEUP_BATCHED, records, rate);
	return r;
}
