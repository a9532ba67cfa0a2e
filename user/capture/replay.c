// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/capture.h"
#include "capture/link_layer.h"
#include "capture/replay.h"
#include "parse_headers.h"
#include "parse_options.h"
#include "cli/exit_codes.h"
#include "metrics/metrics_server.h"
#include "output/counters_report.h"

static struct mpx_engine *open_engine(const struct mpx_replay_opts *o,
				      struct mpx_pipeline *s, int *code)
{
	char err[512] = "";
	struct mpx_engine *e;

	if (o->engine == MPX_ENGINE_CHOICE_HOST)
		return mpx_engine_open(MPX_ENGINE_HOST, &o->run.cfg,
				       mpx_pipeline_record, s, err, sizeof(err),
				       code);
	e = mpx_engine_open(MPX_ENGINE_BPF, &o->run.cfg, mpx_pipeline_record, s,
			    err, sizeof(err), code);
	if (e)
		return e;
	if (o->engine == MPX_ENGINE_CHOICE_BPF) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return NULL;
	}
	fprintf(stderr, "mptcp-xdp: notice: %s; using the host engine\n", err);
	return mpx_engine_open(MPX_ENGINE_HOST, &o->run.cfg,
			       mpx_pipeline_record, s, err, sizeof(err), code);
}

/* Frames the snaplen cut inside their headers: the parser counted them
 * as truncated, and what options they carried was never seen. */
static __u64 truncated_headers(struct mpx_engine *eng)
{
	__u64 ctr[MPX_CTR_MAX];

	if (mpx_engine_counters(eng, ctr) != 0)
		return 0;
	return ctr[MPX_CTR_ERR_TRUNC_L2] + ctr[MPX_CTR_ERR_TRUNC_L3] +
	       ctr[MPX_CTR_ERR_TRUNC_L4] + ctr[MPX_CTR_ERR_OPT_TRUNCATED];
}

static void report_stats(struct mpx_engine *eng, struct mpx_pipeline *p)
{
	const struct mpx_corr_stats *cs = mpx_pipeline_stats(p);
	__u64 ctr[MPX_CTR_MAX];

	if (mpx_engine_counters(eng, ctr) == 0)
		mpx_counters_report(stderr, ctr);
	if (cs)
		mpx_corr_stats_report(stderr, cs);
	mpx_publish_stats_report(stderr, mpx_pipeline_publish_stats(p));
}

/* A scrape sees the replay's counters and correlator as of the last
 * publish: every PUBLISH_EVERY frames and at the end. */
#define PUBLISH_EVERY 1024

static void publish(struct mpx_metrics_server *m, struct mpx_engine *eng,
		    struct mpx_pipeline *p)
{
	const struct mpx_publish_stats *ps;
	const struct mpx_corr_stats *cs;
	struct mpx_metrics_state st;

	if (!m)
		return;
	memset(&st, 0, sizeof(st));
	mpx_engine_counters(eng, st.counters);
	ps = mpx_pipeline_publish_stats(p);
	if (ps) {
		st.publish = *ps;
		st.has_publish = 1;
	}
	cs = mpx_pipeline_stats(p);
	if (cs) {
		st.corr = *cs;
		st.has_corr = 1;
	}
	mpx_metrics_publish(m, &st);
}

static volatile sig_atomic_t hold_done;

static void on_hold_signal(int sig)
{
	(void)sig;
	hold_done = 1;
}

/* --metrics-hold: keep serving the final state until a signal. */
static void hold(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hold_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fprintf(stderr, "mptcp-xdp: replay done; serving /metrics until "
			"SIGINT or SIGTERM\n");
	while (!hold_done)
		pause();
}

/*
 * The data level needs the payload whole, which the engines never see
 * (they take the first MPX_REPLAY_MAX_FRAME bytes): the frame's TCP header
 * and payload, found by the same parser, go to the pipeline after the
 * engine's records for the frame, and the frame itself to --single-path.
 */
static void data_level(struct mpx_pipeline *p, const uint8_t *frame, size_t len)
{
	struct mptcp_event hdr;
	struct mpx_pkt pkt;
	size_t n = 0;

	if (mpx_parse_packet(frame, frame + len, &pkt) != MPX_PKT_TCP) {
		mpx_pipeline_frame(p, NULL, frame, len);
		return;
	}
	mpx_fill_common(&hdr, &pkt, 0);
	hdr.kind = MPX_EV_PAYLOAD;
	if (pkt.payload_off < len) {
		n = len - pkt.payload_off;
		if (n > pkt.payload_len)
			n = pkt.payload_len; /* an Ethernet trailer is not data
					      */
	}
	hdr.u.payload.len = (__u16)n;
	if (n)
		mpx_pipeline_payload(p, &hdr, frame + pkt.payload_off, n);
	mpx_pipeline_frame(p, &hdr, frame, len);
}

int mpx_replay(const struct mpx_replay_opts *o)
{
	struct mpx_metrics_server *metrics = NULL;
	/* A GRO super-packet of a capture is up to 64 KiB of IP, and pcap
	 * records up to 256 KiB; the engines see the first bytes only. */
	static uint8_t frame[MPX_REPLAY_MAX_CAPTURED];
	int streams = mpx_stream_cli_on(&o->run.out.streams);
	struct mpx_origin origin = {0};
	struct mpx_capture *cap;
	struct mpx_pipeline *pipe;
	struct mpx_engine *eng;
	struct mpx_frame f;
	char err[512] = "";
	int code = MPX_EXIT_OK, r, dlt;
	__u64 cut = 0, cut_headers = 0;
	size_t shortest = SIZE_MAX; /* of the frames cut short */

	cap = mpx_capture_open(o->path, err, sizeof(err), &code);
	if (!cap) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return code;
	}
	pipe = mpx_pipeline_new(&o->run.out);
	if (!pipe) {
		fprintf(stderr, "mptcp-xdp: out of memory\n");
		mpx_capture_close(cap);
		return MPX_EXIT_FAILURE;
	}
	code = mpx_pipeline_open_streams(pipe, err, sizeof(err));
	if (code == MPX_EXIT_OK)
		code = mpx_pipeline_open_publish(pipe, err, sizeof(err));
	if (code != MPX_EXIT_OK) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		mpx_pipeline_free(pipe);
		mpx_capture_close(cap);
		return code;
	}
	eng = open_engine(o, pipe, &code);
	if (!eng) {
		mpx_pipeline_free(pipe);
		mpx_capture_close(cap);
		return code ? code : MPX_EXIT_FAILURE;
	}
	mpx_pipeline_set_flow_query(pipe, mpx_pipeline_engine_flow, eng);
	if (o->run.metrics) {
		metrics =
		    mpx_metrics_start(o->run.metrics_host, o->run.metrics_port,
				      -1, err, sizeof(err));
		if (!metrics) {
			fprintf(stderr, "mptcp-xdp: %s\n", err);
			mpx_engine_close(eng);
			mpx_pipeline_free(pipe);
			mpx_capture_close(cap);
			return MPX_EXIT_METRICS;
		}
	}
	dlt = mpx_capture_linktype(cap);
	while ((r = mpx_capture_next(cap, &f, err, sizeof(err), &code)) == 1) {
		size_t len = mpx_link_to_ethernet(dlt, f.data, f.caplen, frame,
						  sizeof(frame));

		origin.frame++;
		if (f.caplen < f.wirelen) {
			cut++;
			if (f.caplen < shortest)
				shortest = f.caplen;
		}
		origin.ts_sec = f.ts_sec;
		origin.ts_usec = f.ts_usec;
		mpx_pipeline_set_origin(pipe, &origin);
		mpx_pipeline_tick(pipe, &origin);
		if (mpx_engine_run(
			eng, frame,
			len < MPX_REPLAY_MAX_FRAME ? len : MPX_REPLAY_MAX_FRAME,
			err, sizeof(err)) < 0) {
			code = MPX_EXIT_BPF;
			r = -1;
			break;
		}
		if (streams)
			data_level(pipe, frame, len);
		if (origin.frame % PUBLISH_EVERY == 0)
			publish(metrics, eng, pipe);
	}
	/* What is still open is written as such, even after a truncation:
	 * everything before the cut counts. */
	mpx_pipeline_finish(pipe);
	if (ferror(stdout) && errno != EPIPE)
		fprintf(stderr, "mptcp-xdp: writing output: %s\n",
			strerror(errno));
	if (r < 0)
		fprintf(stderr, "mptcp-xdp: %s (after %llu frames)\n", err,
			(unsigned long long)origin.frame);
	if (cut)
		cut_headers = truncated_headers(eng);
	if (r >= 0 && cut_headers) {
		/* Not an error in the file, but the output is incomplete: say
		 * so in one line and with an exit code of its own. */
		fprintf(stderr,
			"mptcp-xdp: %s: %llu frames were captured short of "
			"their headers (as few as %zu bytes kept, snaplen "
			"%d): their TCP options were not fully inspected "
			"(capture with -s 0)\n",
			o->path, (unsigned long long)cut_headers, shortest,
			mpx_capture_snaplen(cap));
		code = MPX_EXIT_SNAPLEN;
	}
	if (r >= 0 && !cut_headers && mpx_pipeline_status(pipe)) {
		code = mpx_pipeline_status(pipe);
		r = -1;
	}
	if (o->run.stats)
		report_stats(eng, pipe);
	publish(metrics, eng, pipe);
	if (metrics && o->metrics_hold)
		hold();
	mpx_metrics_stop(metrics);
	mpx_engine_close(eng);
	mpx_pipeline_free(pipe);
	mpx_capture_close(cap);
	return r < 0 || cut_headers ? code : MPX_EXIT_OK;
}
