// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "counters_report.h"
#include "exit_codes.h"
#include "link_layer.h"
#include "raw_writer.h"
#include "replay.h"

struct replay_state {
	struct mpx_origin origin;
	FILE *out;
};

static void on_record(const struct mptcp_event *ev, void *arg)
{
	struct replay_state *s = arg;

	mpx_write_raw(s->out, &s->origin, ev);
}

static struct mpx_engine *open_engine(const struct mpx_replay_opts *o,
				      struct replay_state *s, int *code)
{
	char err[512] = "";
	struct mpx_engine *e;

	if (o->engine == MPX_ENGINE_CHOICE_HOST)
		return mpx_engine_open(MPX_ENGINE_HOST, &o->cfg, on_record, s,
				       err, sizeof(err), code);
	e = mpx_engine_open(MPX_ENGINE_BPF, &o->cfg, on_record, s, err,
			    sizeof(err), code);
	if (e)
		return e;
	if (o->engine == MPX_ENGINE_CHOICE_BPF) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return NULL;
	}
	fprintf(stderr, "mptcp-xdp: notice: %s; using the host engine\n", err);
	return mpx_engine_open(MPX_ENGINE_HOST, &o->cfg, on_record, s, err,
			       sizeof(err), code);
}

int mpx_replay(const struct mpx_replay_opts *o)
{
	static uint8_t frame[MPX_REPLAY_MAX_FRAME];
	struct replay_state s = {.out = stdout};
	struct mpx_capture *cap;
	struct mpx_engine *eng;
	struct mpx_frame f;
	char err[512] = "";
	int code = MPX_EXIT_OK, r, dlt;

	cap = mpx_capture_open(o->path, err, sizeof(err), &code);
	if (!cap) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return code;
	}
	eng = open_engine(o, &s, &code);
	if (!eng) {
		mpx_capture_close(cap);
		return code ? code : MPX_EXIT_FAILURE;
	}
	dlt = mpx_capture_linktype(cap);
	while ((r = mpx_capture_next(cap, &f, err, sizeof(err), &code)) == 1) {
		size_t len = mpx_link_to_ethernet(dlt, f.data, f.caplen, frame,
						  sizeof(frame));

		s.origin.frame++;
		s.origin.ts_sec = f.ts_sec;
		s.origin.ts_usec = f.ts_usec;
		if (mpx_engine_run(eng, frame, len, err, sizeof(err)) < 0) {
			code = MPX_EXIT_BPF;
			r = -1;
			break;
		}
	}
	if (fflush(stdout) == EOF && errno != EPIPE)
		fprintf(stderr, "mptcp-xdp: writing output: %s\n",
			strerror(errno));
	if (r < 0)
		fprintf(stderr, "mptcp-xdp: %s (after %llu frames)\n", err,
			(unsigned long long)s.origin.frame);
	if (o->stats) {
		__u64 ctr[MPX_CTR_MAX];

		if (mpx_engine_counters(eng, ctr) == 0)
			mpx_counters_report(stderr, ctr);
	}
	mpx_engine_close(eng);
	mpx_capture_close(cap);
	return r < 0 ? code : MPX_EXIT_OK;
}
