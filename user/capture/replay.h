/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `mptcp-xdp replay FILE`: a capture through the parser, frame by frame. */
#ifndef MPX_REPLAY_H
#define MPX_REPLAY_H

#include <linux/types.h>

#include "cli/run_opts.h"
#include "engine/engine.h"
#include "mptcp_config.h"
#include "pipeline.h"

enum mpx_engine_choice {
	MPX_ENGINE_CHOICE_AUTO = 0, /* BPF; host with a notice if BPF fails */
	MPX_ENGINE_CHOICE_BPF,
	MPX_ENGINE_CHOICE_HOST,
};

struct mpx_replay_opts {
	const char *path;
	enum mpx_engine_choice engine;
	struct mpx_run_opts run;
	int metrics_hold; /* ... and after, until a signal */
};

/* Returns an exit code (exit_codes.h). */
int mpx_replay(const struct mpx_replay_opts *o);

/* Frames longer than this are cut before the parser sees them: BPF's test
 * run takes at most a page, and the parser reads headers only. */
#define MPX_REPLAY_MAX_FRAME 2048
/* What replay reads of a frame (the data level takes all of its payload). */
#define MPX_REPLAY_MAX_CAPTURED 262144

#endif /* MPX_REPLAY_H */
