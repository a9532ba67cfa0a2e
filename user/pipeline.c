// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdlib.h>
#include <string.h>

#include "mptcp_config.h"
#include "output/conn_json_writer.h"
#include "output/conn_text_writer.h"
#include "output/zeek_writer.h"
#include "cli/exit_codes.h"
#include "pipeline.h"
#include "ring_record.h"
#include "correlate/conn_table.h"
#include "stream/single_path.h"
#include "stream/syn_hold.h"

struct mpx_pipeline {
	struct mpx_pipeline_opts opts;
	struct mpx_origin origin;
	struct mpx_event_writer writer;
	struct mpx_correlator *corr;
	__u64 rejected;
	struct mpx_stream_opts streams;
	struct mpx_syn_hold syn_hold;	    /* --single-path in replay */
	int status;			    /* an exit code after finish */
	struct mpx_publisher *pub;	    /* --publish */
	struct mpx_publish_stats pub_final; /* as it was closed */
	int pub_closed;
};

__u32 mpx_pipeline_emit_mask(enum mpx_events_mode m)
{
	__u32 options =
	    MPX_EMIT_ALL_KINDS &
	    ~(MPX_KIND_BIT(MPX_EV_SUBFLOW_FIN) |
	      MPX_KIND_BIT(MPX_EV_SUBFLOW_RST) | MPX_KIND_BIT(MPX_EV_FALLBACK));

	/* Raw output is options only: no flow-table records from the kernel
	 * side, which then does no work for them. */
	return m == MPX_EVENTS_RAW ? options : MPX_EMIT_ALL_KINDS;
}

int mpx_pipeline_engine_flow(void *engine, const struct mpx_flow_key *key,
			     struct mpx_flow *out)
{
	return mpx_engine_flow(engine, key, out);
}

struct mpx_pipeline *mpx_pipeline_new(const struct mpx_pipeline_opts *o)
{
	struct mpx_pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->opts = *o;
	/* A writer even in raw mode: the pipeline's own events (records_lost)
	 * need one; raw mode is JSON only. */
	switch (o->format) {
	case MPX_FORMAT_TEXT:
		mpx_text_writer_init(&p->writer, o->out);
		break;
	case MPX_FORMAT_ZEEK:
		mpx_zeek_writer_init(&p->writer, o->out);
		break;
	default:
		mpx_json_writer_init(&p->writer, o->out);
		break;
	}
	if (o->events == MPX_EVENTS_RAW)
		return p;
	p->corr = mpx_corr_new(o->max_conns, &p->writer);
	if (!p->corr) {
		free(p);
		return NULL;
	}
	if (o->detect.window_sec && mpx_corr_set_detect(p->corr, &o->detect)) {
		mpx_corr_free(p->corr);
		free(p);
		return NULL;
	}
	return p;
}

void mpx_pipeline_set_flow_query(struct mpx_pipeline *p, mpx_flow_query_fn fn,
				 void *arg)
{
	if (p->corr)
		mpx_corr_set_flow_query(p->corr, fn, arg);
}

void mpx_pipeline_set_origin(struct mpx_pipeline *p, const struct mpx_origin *o)
{
	p->origin = *o;
}

void mpx_pipeline_tick(struct mpx_pipeline *p, const struct mpx_origin *now)
{
	if (p->pub)
		mpx_publisher_tick(p->pub, now);
	if (p->corr)
		mpx_corr_tick(p->corr, now);
}

void mpx_pipeline_record(const struct mptcp_event *ev, void *arg)
{
	struct mpx_pipeline *p = arg;

	if (ev->kind == MPX_EV_PAYLOAD) {
		/* Its bytes follow it (the engines' records, engine.h). */
		mpx_pipeline_payload(p, ev, (const __u8 *)(ev + 1),
				     ev->u.payload.len);
		return;
	}
	/* The tap: what the sensor saw goes to the central correlator as it
	 * goes to the local one. */
	if (p->pub)
		mpx_publisher_put(p->pub, &p->origin, ev);
	if (p->opts.events != MPX_EVENTS_CONN && ev->kind <= MPX_EV_MP_ERROR)
		mpx_write_raw(p->opts.out, &p->origin, ev,
			      p->opts.events == MPX_EVENTS_ALL);
	if (p->corr)
		mpx_corr_record(p->corr, &p->origin, ev);
}

int mpx_pipeline_ring_record(struct mpx_pipeline *p, const void *data,
			     size_t size, __s64 mono_to_real_ns)
{
	struct mptcp_event ev;
	const __u8 *bytes;
	struct mpx_origin o;

	if (mpx_pipeline_check_record(p, data, size, &ev, &bytes) < 0)
		return 0;
	o = mpx_origin_of_ns((__s64)ev.ts_ns + mono_to_real_ns);
	mpx_pipeline_set_origin(p, &o);
	mpx_pipeline_tick(p, &o);
	if (ev.kind == MPX_EV_PAYLOAD) /* its bytes lie in the ring */
		mpx_pipeline_payload(p, &ev, bytes, ev.u.payload.len);
	else
		mpx_pipeline_record(&ev, p);
	return 1;
}

void mpx_pipeline_records_lost(struct mpx_pipeline *p,
			       const struct mpx_origin *now, __u64 lost,
			       __u64 total, const struct mpx_origin *since)
{
	struct mpx_conn_event e;

	memset(&e, 0, sizeof(e));
	e.name = "records_lost";
	e.origin = *now;
	mpx_ev_u64(&e, "lost", lost);
	mpx_ev_u64(&e, "lost_total", total);
	mpx_ev_time(&e, "since", since);
	mpx_ev_str(&e, "cause", "ring_buffer_full");
	p->writer.event(&p->writer, &e);
}

int mpx_pipeline_check_record(struct mpx_pipeline *p, const void *data,
			      size_t size, struct mptcp_event *ev,
			      const __u8 **bytes)
{
	if (mpx_ring_record_widen(data, size, ev, bytes) < 0) {
		p->rejected++;
		return -1;
	}
	return 0;
}

__u64 mpx_pipeline_rejected(const struct mpx_pipeline *p)
{
	return p->rejected;
}

int mpx_pipeline_open_streams(struct mpx_pipeline *p, char *err, size_t errlen)
{
	int code;

	if (!mpx_stream_cli_on(&p->opts.streams))
		return MPX_EXIT_OK;
	if (!p->corr) {
		snprintf(err, errlen,
			 "--streams, --single-path and --yara need connection "
			 "events (--events conn or all)");
		return MPX_EXIT_USAGE;
	}
	code =
	    mpx_stream_setup_open(&p->opts.streams, &p->streams, err, errlen);
	if (code == MPX_EXIT_OK)
		mpx_corr_set_streams(p->corr, &p->streams);
	return code;
}

int mpx_pipeline_open_publish(struct mpx_pipeline *p, char *err, size_t errlen)
{
	int code;

	if (!p->opts.publish.url)
		return MPX_EXIT_OK;
	p->pub = mpx_publisher_open(&p->opts.publish, err, errlen, &code);
	return p->pub ? MPX_EXIT_OK : code;
}

const struct mpx_publish_stats *
mpx_pipeline_publish_stats(struct mpx_pipeline *p)
{
	if (p->pub)
		return mpx_publisher_stats(p->pub);
	return p->pub_closed ? &p->pub_final : NULL;
}

void mpx_pipeline_set_sensor(struct mpx_pipeline *p, const char *sensor)
{
	if (p->corr)
		mpx_corr_set_sensor(p->corr, sensor);
}

void mpx_pipeline_set_shadow(struct mpx_pipeline *p, int shadow)
{
	if (p->corr)
		mpx_corr_set_shadow(p->corr, shadow);
}

void mpx_pipeline_payload(struct mpx_pipeline *p, const struct mptcp_event *hdr,
			  const __u8 *buf, size_t len)
{
	if (p->corr && p->streams.on)
		mpx_corr_payload(p->corr, &p->origin, hdr, buf, len);
}

static void frame_out(void *arg, const struct mpx_origin *at,
		      const uint8_t *frame, size_t len)
{
	struct mpx_pipeline *p = arg;

	mpx_single_path_frame(p->streams.sp, at, frame, len);
}

void mpx_pipeline_frame(struct mpx_pipeline *p, const struct mptcp_event *hdr,
			const __u8 *frame, size_t len)
{
	const __u8 syn_ack = MPX_TCP_SYN | MPX_TCP_ACK;
	struct mpx_flow_key key;
	int owned;

	if (!p->streams.sp)
		return;
	if (!hdr) {
		frame_out(p, &p->origin, frame, len);
		return;
	}
	owned = mpx_corr_stream_owns(p->corr, hdr);
	if ((hdr->tcp_flags & syn_ack) == MPX_TCP_SYN && owned == 1) {
		/* MPTCP, unless the SYN/ACK says it fell back (a join cannot
		 * fall back: it is reset, RFC 8684 section 3.2). */
		mpx_conn_table_key_of(hdr, &key);
		mpx_syn_hold_put(&p->syn_hold, &key, &p->origin, frame, len,
				 frame_out, p);
		return;
	}
	if ((hdr->tcp_flags & syn_ack) == syn_ack) {
		mpx_conn_table_key_of(hdr, &key);
		mpx_syn_hold_answer(&p->syn_hold, &key, !owned, frame_out, p);
	}
	if (!owned)
		frame_out(p, &p->origin, frame, len);
}

void mpx_pipeline_finish(struct mpx_pipeline *p)
{
	char err[600];

	if (p->pub) {
		/* What is held is sent and answered before the summaries. */
		mpx_publisher_flush(p->pub);
		p->pub_final = *mpx_publisher_stats(p->pub);
		p->pub_closed = 1;
		mpx_publisher_close(p->pub);
		p->pub = NULL;
	}
	if (p->corr)
		mpx_corr_finish(p->corr);
	p->writer.finish(&p->writer);
	fflush(p->opts.out);
	if (p->streams.sp)
		mpx_syn_hold_flush(&p->syn_hold, frame_out, p);
	if (mpx_stream_setup_close(&p->streams, err, sizeof(err)) < 0) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		p->status = MPX_EXIT_OUTPUT;
	}
}

int mpx_pipeline_status(const struct mpx_pipeline *p)
{
	return p->status;
}

const struct mpx_corr_stats *mpx_pipeline_stats(struct mpx_pipeline *p)
{
	return p->corr ? mpx_corr_stats(p->corr) : NULL;
}

void mpx_pipeline_free(struct mpx_pipeline *p)
{
	char err[600];

	if (!p)
		return;
	mpx_corr_free(p->corr);
	mpx_publisher_close(p->pub);
	mpx_stream_setup_close(&p->streams, err, sizeof(err));
	free(p);
}
