/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * What happens to records once an engine (replay) or the sensor (live) has
 * them: raw JSON lines, the correlator and its writer, or both. Shared by
 * `replay` and `load`, so that both print the same thing.
 */
#ifndef MPX_PIPELINE_H
#define MPX_PIPELINE_H

#include <stdio.h>

#include "correlate/correlate.h"
#include "engine/engine.h"
#include "output/raw_writer.h"
#include "publish/publisher.h"
#include "stream/stream_setup.h"

enum mpx_events_mode {
	MPX_EVENTS_CONN = 0, /* connection-level events (default) */
	MPX_EVENTS_RAW,	     /* one JSON line per MPTCP option */
	MPX_EVENTS_ALL,	     /* both, interleaved */
};

enum mpx_format {
	MPX_FORMAT_JSON = 0,
	MPX_FORMAT_TEXT,
	MPX_FORMAT_ZEEK,
};

struct mpx_pipeline_opts {
	enum mpx_events_mode events;
	enum mpx_format format;
	size_t max_conns;
	/* Detection (detect.h); window_sec 0: the defaults. */
	struct mpx_detect_opts detect;
	/* The data level (--streams, --single-path, --yara). */
	struct mpx_stream_cli streams;
	/* --publish: the records also go to Redis Streams (publisher.h). */
	struct mpx_publish_cli publish;
	FILE *out;
};

struct mpx_pipeline;

struct mpx_pipeline *mpx_pipeline_new(const struct mpx_pipeline_opts *o);
/* Where final per-subflow counts come from. */
void mpx_pipeline_set_flow_query(struct mpx_pipeline *p, mpx_flow_query_fn fn,
				 void *arg);
/* The frame and time of the records that follow. */
void mpx_pipeline_set_origin(struct mpx_pipeline *p,
			     const struct mpx_origin *o);
/* Time passes: summaries whose grace period is over (correlate.h). */
void mpx_pipeline_tick(struct mpx_pipeline *p, const struct mpx_origin *now);
/* An mpx_record_fn: arg is the pipeline. */
void mpx_pipeline_record(const struct mptcp_event *ev, void *arg);
/* A record as read from a ring buffer, widened into *ev (ring_record.h),
 * *bytes at a payload record's bytes: 0. One of another size than its
 * kind's or of another event ABI version (another build's object, or a
 * bug) is never guessed at but counted (mpx_pipeline_rejected): -1. */
int mpx_pipeline_check_record(struct mpx_pipeline *p, const void *data,
			      size_t size, struct mptcp_event *ev,
			      const __u8 **bytes);
__u64 mpx_pipeline_rejected(const struct mpx_pipeline *p);
/* A record from the live ring buffer, all the way: checked, timed
 * (bpf_ktime_get_ns() counts CLOCK_MONOTONIC: + mono_to_real_ns gives
 * the wall clock), time passes to it, then in. 1 when taken, 0 when
 * rejected. `load` and tests/bench/ring_drive both consume this way. */
int mpx_pipeline_ring_record(struct mpx_pipeline *p, const void *data,
			     size_t size, __s64 mono_to_real_ns);
/*
 * Records the kernel side could not push (the ring buffer was full: the
 * consumer fell behind or was stopped) between since and now: a
 * `records_lost` event with how many (lost, and lost_total since the
 * start). The kernel never waits for the consumer; this is how a gap in
 * what was inspected is made visible (docs/security.md, "Back-pressure").
 */
void mpx_pipeline_records_lost(struct mpx_pipeline *p,
			       const struct mpx_origin *now, __u64 lost,
			       __u64 total, const struct mpx_origin *since);
/* Open the data-level outputs the options name. 0, or an exit code with a
 * one-line message in err. */
int mpx_pipeline_open_streams(struct mpx_pipeline *p, char *err, size_t errlen);
/* --publish: connect to Redis (before attaching or reading). 0, or an exit
 * code (MPX_EXIT_REDIS: unreachable or refused) with a one-line message
 * in err. Every record given to the pipeline is then published too (the
 * tap: mpx_pipeline_record()). */
int mpx_pipeline_open_publish(struct mpx_pipeline *p, char *err, size_t errlen);
/* NULL when not publishing. */
const struct mpx_publish_stats *
mpx_pipeline_publish_stats(struct mpx_pipeline *p);
/* The sensor of the records that follow (correlate.h,
 * mpx_corr_set_sensor()). */
void mpx_pipeline_set_sensor(struct mpx_pipeline *p, const char *sensor);
/* Whether the records that follow are shadow copies (correlate.h,
 * mpx_corr_set_shadow()). */
void mpx_pipeline_set_shadow(struct mpx_pipeline *p, int shadow);
/* TCP payload for the data level (correlate.h, mpx_corr_payload()). */
void mpx_pipeline_payload(struct mpx_pipeline *p, const struct mptcp_event *hdr,
			  const __u8 *buf, size_t len);
/* A captured frame for --single-path: written through unless it belongs
 * to an MPTCP connection (hdr: its TCP header, NULL when it is not TCP),
 * whose stream is written instead. */
void mpx_pipeline_frame(struct mpx_pipeline *p, const struct mptcp_event *hdr,
			const __u8 *frame, size_t len);
/* End of input: summaries of what is still open, writer trailers, the
 * data-level outputs closed. */
void mpx_pipeline_finish(struct mpx_pipeline *p);
/* After finish: 0, or an exit code (the data-level output could not be
 * written whole; the message was printed). */
int mpx_pipeline_status(const struct mpx_pipeline *p);
/* NULL in raw mode. */
const struct mpx_corr_stats *mpx_pipeline_stats(struct mpx_pipeline *p);
void mpx_pipeline_free(struct mpx_pipeline *p);

/* The record kinds an events mode needs from the kernel side. */
__u32 mpx_pipeline_emit_mask(enum mpx_events_mode m);
/* An mpx_flow_query_fn over an engine (arg is the engine). */
int mpx_pipeline_engine_flow(void *engine, const struct mpx_flow_key *key,
			     struct mpx_flow *out);

#endif /* MPX_PIPELINE_H */
