// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Memory per tracked connection (issue "line rate", target 6): the
 * correlator's heap, as glibc counts it (mallinfo2: bytes in use, so
 * allocator headers included, the RSS of pages never touched not; plus
 * mmapped chunks, hblkhd, where large index buckets go), for N
 * connections of one subflow each, what a SYN flood leaves: MP_CAPABLE
 * SYNs from distinct 4-tuples, the table bounded at N (mpx_corr_new(N),
 * its index buckets included). Then the kernel side: the BPF maps as the
 * kernel charges them (memlock in /proc/self/fdinfo), which are
 * preallocated (LRU hashes) and so do not grow with connections.
 *
 *   conn_memory N...   prints "conns N bytes B per_conn P" per N, then
 *                      "map NAME max_entries M memlock BYTES" per map
 *                      (none when the BPF object cannot be loaded: root)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "correlate/correlate.h"
#include "engine/bpf_object.h"
#include "mptcp_event.h"
#include "mptcp_xdp.skel.h"

static void no_event(struct mpx_event_writer *s, const struct mpx_conn_event *e)
{
	(void)s;
	(void)e;
}

static void no_finish(struct mpx_event_writer *s)
{
	(void)s;
}

/* The i-th SYN: client 198.18.x.y:port -> 198.19.0.1:443, v1. */
static void syn_of(size_t i, struct mptcp_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->abi_version = MPX_ABI_VERSION;
	ev->kind = MPX_EV_MP_CAPABLE;
	ev->family = 4;
	ev->version = 1;
	ev->tcp_flags = MPX_TCP_SYN;
	ev->opt_len = 4;
	ev->u.capable.flags = 0x01; /* H: HMAC-SHA256 */
	ev->saddr[10] = ev->saddr[11] = 0xff;
	ev->saddr[12] = 198;
	ev->saddr[13] = (__u8)(18 + ((i >> 24) & 1));
	ev->saddr[14] = (__u8)(i >> 16);
	ev->saddr[15] = (__u8)(i >> 8);
	memcpy(ev->daddr, ev->saddr, 12);
	ev->daddr[12] = 198;
	ev->daddr[13] = 19;
	ev->daddr[15] = 1;
	ev->sport = (__u16)(1024 + (i & 0xff));
	ev->dport = 443;
	ev->seq = (__u32)(i * 2654435761u);
}

static int per_conn(size_t n)
{
	struct mpx_event_writer w = {.event = no_event, .finish = no_finish};
	struct mpx_correlator *c;
	struct mallinfo2 before, after;
	size_t used;
	struct mptcp_event ev;
	struct mpx_origin o = {.ts_sec = 1700000000};

	before = mallinfo2();
	c = mpx_corr_new(n, &w);
	if (!c)
		return -1;
	for (size_t i = 0; i < n; i++) {
		syn_of(i, &ev);
		o.frame = i + 1;
		mpx_corr_record(c, &o, &ev);
	}
	after = mallinfo2();
	/* In use in the heap plus mmapped chunks (the index buckets past
	 * glibc's mmap threshold are mmapped: not in uordblks). */
	used = after.uordblks + after.hblkhd - before.uordblks - before.hblkhd;
	printf("conns %zu bytes %zu per_conn %.0f\n", n, used,
	       (double)used / (double)n);
	mpx_corr_free(c);
	return 0;
}

static long long memlock_of(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void bpf_maps(void)
{
	struct mpx_config cfg = {.emit_mask = MPX_EMIT_ALL_KINDS,
				 .dss_policy = MPX_DSS_EDGES,
				 .dss_sample_n = 1};
	struct mptcp_xdp *skel;
	struct bpf_map *m;
	char err[256];
	int code;

	skel = mpx_bpf_object_load(&cfg, err, sizeof(err), &code);
	if (!skel) {
		fprintf(stderr, "conn_memory: no BPF maps: %s\n", err);
		return;
	}
	bpf_object__for_each_map(m, skel->obj)
	{
		if (bpf_map__fd(m) < 0)
			continue;
		printf("map %s max_entries %u memlock %lld\n", bpf_map__name(m),
		       bpf_map__max_entries(m), memlock_of(bpf_map__fd(m)));
	}
	mptcp_xdp__destroy(skel);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t n = strtoul(argv[i], NULL, 10);

		if (n == 0 || per_conn(n) < 0) {
			fprintf(stderr,
				"conn_memory: bad count or no memory: %s\n",
				argv[i]);
			return 1;
		}
	}
	bpf_maps();
	return 0;
}
