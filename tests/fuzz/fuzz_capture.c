// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * libFuzzer target: any bytes as a capture file, read the way `mptcp-xdp
 * replay --engine host --events all` reads one (user/capture/replay.c):
 * opened through the capture reader (libpcap: pcap or pcapng, any byte
 * order, any link type), every frame rewritten as Ethernet
 * (user/capture/link_layer.c), through the shared parser as the host
 * engine runs it (user/engine/engine_host.c), the raw records and the
 * correlator's events written as JSON (user/pipeline.c) with a table of 4
 * connections, to the end of the file or the first error.
 *
 * Checked: nothing the sanitizers see; every frame's time within the
 * range the reader promises (capture.h, origin.h); every output line one
 * JSON object (json_check.h), whatever the file held.
 *
 * The bytes go to a memory file (memfd); the reader opens it by its
 * /proc/self/fd path, as it would any path.
 *
 *   make fuzz [FUZZ_SECONDS=60]   (README.md, "Tests")
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/link_layer.h"
#include "capture/replay.h"
#include "engine/engine.h"
#include "mptcp_config.h"
#include "mptcp_counters.h"
#include "mptcp_event.h"
#include "mptcp_flow.h"
#include "pipeline.h"

#include "json_check.h"

/*
 * The host engine with a small flow table: the engine's own is
 * MPX_FLOW_TABLE_SIZE entries, 11 MB to allocate and clear for every
 * input, which made this target 10 times slower; and a small one fills up,
 * so its full-table path runs too.
 */
#define FLOWS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[MPX_REPLAY_MAX_FRAME];
	static char path[64];
	static int fd = -1;
	struct mpx_config cfg = {.emit_mask = MPX_EMIT_ALL_KINDS,
				 .dss_policy =
				     MPX_DSS_ALL}; /* replay's default */
	struct mpx_pipeline_opts po = {.events = MPX_EVENTS_ALL,
				       .format = MPX_FORMAT_JSON,
				       .max_conns = 4};
	struct mpx_origin origin = {0};
	struct mpx_pipeline *pipe;
	struct mpx_engine *eng;
	struct mpx_capture *cap;
	struct mpx_frame f;
	char err[512], *out = NULL;
	size_t outlen = 0;
	int code = 0, dlt;

	if (fd < 0) {
		fd = memfd_create("fuzz_capture", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	cap = mpx_capture_open(path, err, sizeof(err), &code);
	if (!cap) {
		if (!code || !err[0])
			abort(); /* every failure has a message and a code */
		return 0;
	}
	po.out = open_memstream(&out, &outlen);
	if (!po.out)
		abort();
	pipe = mpx_pipeline_new(&po);
	if (!pipe)
		abort();
	eng = mpx_engine_host_open(&cfg, mpx_pipeline_record, pipe, FLOWS);
	if (!eng)
		abort();
	mpx_pipeline_set_flow_query(pipe, mpx_pipeline_engine_flow, eng);
	dlt = mpx_capture_linktype(cap);
	if (!mpx_link_supported(dlt))
		abort(); /* open refuses those */
	while (mpx_capture_next(cap, &f, err, sizeof(err), &code) == 1) {
		size_t len = mpx_link_to_ethernet(dlt, f.data, f.caplen, frame,
						  sizeof(frame));
		uint8_t *copy;

		if (len > sizeof(frame) || f.ts_sec < 0 ||
		    f.ts_sec > MPX_TS_SEC_MAX || f.ts_usec < 0 ||
		    f.ts_usec > 999999)
			abort(); /* the reader's promises (capture.h) */
		origin.frame++;
		origin.ts_sec = f.ts_sec;
		origin.ts_usec = f.ts_usec;
		mpx_pipeline_set_origin(pipe, &origin);
		mpx_pipeline_tick(pipe, &origin);
		/* An exact-size copy, so that ASan sees any read past it. */
		copy = malloc(len ? len : 1);
		if (!copy)
			abort();
		memcpy(copy, frame, len);
		if (mpx_engine_run(eng, copy, len, err, sizeof(err)) < 0)
			abort(); /* the host engine never fails */
		free(copy);
	}
	mpx_pipeline_finish(pipe);
	mpx_engine_close(eng);
	mpx_pipeline_free(pipe);
	mpx_capture_close(cap);
	fclose(po.out);
	if (getenv("MPX_FUZZ_DUMP")) /* to see what an input does */
		fwrite(out, 1, outlen, stderr);
	if (mpx_json_lines_check(out, outlen))
		abort(); /* a line that is not one JSON object */
	free(out);
	return 0;
}
