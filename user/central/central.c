// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "central/central.h"
#include "central/consumer.h"
#include "central/reorder_window.h"
#include "cli/exit_codes.h"
#include "metrics/metrics_server.h"
#include "output/counters_report.h"
#include "publish/redis_link.h"

#define READ_COUNT    512
#define READ_BLOCK_MS 100

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct central {
	const struct mpx_central_opts *o;
	struct mpx_pipeline *pipe;
	struct mpx_consumer *cons;
	struct mpx_reorder_window *win;
	__s64 newest_usec;    /* the latest record time read */
	__s64 fed_usec;	      /* the latest record time fed */
	long long arrived_ms; /* CLOCK_MONOTONIC of the last entry read */
	__u64 fed, late, forced;
};

/* One record to the correlator, then acknowledged: it is its state now. */
static void feed(struct central *c, const struct mpx_held_record *r)
{
	__s64 t = mpx_reorder_usec(r);

	if (t < c->fed_usec)
		c->late++; /* later than the window allowed: fed anyway */
	else
		c->fed_usec = t;
	mpx_pipeline_set_origin(c->pipe, &r->d.origin);
	mpx_pipeline_set_sensor(c->pipe, r->d.sensor);
	mpx_pipeline_set_shadow(c->pipe, r->d.shadow);
	mpx_pipeline_tick(c->pipe, &r->d.origin);
	mpx_pipeline_record(&r->d.ev, c->pipe);
	mpx_consumer_ack(c->cons, r->stream, r->id);
	c->fed++;
}

static void release_top(struct central *c)
{
	struct mpx_held_record r;

	mpx_reorder_pop(c->win, &r);
	feed(c, &r);
}

static void on_entry(void *arg, int stream, const char *id, const void *data,
		     size_t len)
{
	struct central *c = arg;
	/* Zeroed for cppcheck (ctuuninitvar), which cannot see that the
	 * decode below writes r.d before mpx_reorder_push() reads it. */
	struct mpx_held_record r;
	__s64 t;

	memset(&r, 0, sizeof(r));
	if (!data || mpx_codec_decode(data, len, &r.d) < 0) {
		/* Not a record of this version: never fed, not read again. */
		mpx_consumer_ack(c->cons, stream, id);
		return;
	}
	r.stream = stream;
	snprintf(r.id, sizeof(r.id), "%s", id);
	if (mpx_reorder_full(c->win)) {
		c->forced++; /* the bound: the earliest goes now */
		release_top(c);
	}
	mpx_reorder_push(c->win, &r);
	t = mpx_reorder_usec(&r);
	if (t > c->newest_usec)
		c->newest_usec = t;
}

/* What is older than the newest record by the window goes to the
 * correlator; everything, when nothing arrived for a window's time (the
 * sensors are idle: nothing older can still come) or at the end. */
static void release(struct central *c, int all)
{
	const struct mpx_held_record *top;
	__s64 horizon = c->newest_usec - c->o->reorder_ms * 1000LL;

	if (!all && mpx_redis_now_ms() - c->arrived_ms >= c->o->reorder_ms)
		all = 1;
	while ((top = mpx_reorder_top(c->win)) &&
	       (all || mpx_reorder_usec(top) <= horizon))
		release_top(c);
}

static void report(struct central *c)
{
	const struct mpx_consume_stats *s = mpx_consumer_stats(c->cons);
	const struct mpx_corr_stats *cs = mpx_pipeline_stats(c->pipe);

	if (cs)
		mpx_corr_stats_report(stderr, cs);
	fprintf(stderr,
		"{\"consume\":{\"received\":%llu,\"fed\":%llu,\"acked\":%llu,"
		"\"rejected\":%llu,\"late\":%llu,\"reorder_forced\":%llu,"
		"\"reconnects\":%llu,\"lag\":%llu,\"shadow_conns\":%llu,"
		"\"shadows_ignored\":%llu}}\n",
		(unsigned long long)s->received, (unsigned long long)c->fed,
		(unsigned long long)s->acked,
		(unsigned long long)(s->received - c->fed -
				     mpx_reorder_count(c->win)),
		(unsigned long long)c->late, (unsigned long long)c->forced,
		(unsigned long long)s->reconnects, (unsigned long long)s->lag,
		(unsigned long long)(cs ? cs->shadow_conns : 0),
		(unsigned long long)(cs ? cs->shadows_ignored : 0));
}

/* What a scrape shows: the correlator and the consumer (no kernel side:
 * the sensors serve their own). */
static void publish_metrics(struct mpx_metrics_server *m, struct central *c)
{
	const struct mpx_corr_stats *cs;
	struct mpx_metrics_state st;

	if (!m)
		return;
	memset(&st, 0, sizeof(st));
	st.no_kernel = 1;
	cs = mpx_pipeline_stats(c->pipe);
	if (cs) {
		st.corr = *cs;
		st.has_corr = 1;
	}
	st.consume = *mpx_consumer_stats(c->cons);
	st.has_consume = 1;
	mpx_metrics_publish(m, &st);
}

int mpx_central_run(const struct mpx_central_opts *o)
{
	struct mpx_metrics_server *metrics = NULL;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	char host[HOST_NAME_MAX + 1] = "", err[512];
	struct central c = {.o = o};
	struct sigaction sa;
	int code = MPX_EXIT_OK;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	setvbuf(o->out.out, NULL, _IOLBF, 0);
	if (!o->consumer && (gethostname(host, sizeof(host)) < 0 || !host[0]))
		snprintf(host, sizeof(host), "mptcp-xdp");
	host[HOST_NAME_MAX] = '\0';
	c.pipe = mpx_pipeline_new(&o->out);
	c.win = mpx_reorder_new(o->reorder_max);
	if (!c.pipe || !c.win) {
		fprintf(stderr, "mptcp-xdp: out of memory\n");
		code = MPX_EXIT_FAILURE;
		goto out;
	}
	c.cons = mpx_consumer_open(&o->from, o->group,
				   o->consumer ? o->consumer : host, err,
				   sizeof(err));
	if (!c.cons) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		code = MPX_EXIT_REDIS;
		goto out;
	}
	if (o->metrics) {
		metrics = mpx_metrics_start(o->metrics_host, o->metrics_port,
					    -1, err, sizeof(err));
		if (!metrics) {
			fprintf(stderr, "mptcp-xdp: %s\n", err);
			code = MPX_EXIT_METRICS;
			goto out;
		}
	}
	fprintf(stderr,
		"mptcp-xdp: reading %d stream(s) from %s:%d as %s/%s; stop "
		"with Ctrl-C\n",
		o->from.nkeys, o->from.host, o->from.port, o->group,
		o->consumer ? o->consumer : host);
	c.arrived_ms = mpx_redis_now_ms();
	while (!stop_signal) {
		if (mpx_consumer_read(c.cons, READ_COUNT, READ_BLOCK_MS,
				      on_entry, &c) > 0)
			c.arrived_ms = mpx_redis_now_ms();
		release(&c, 0);
		mpx_consumer_flush(c.cons);
		publish_metrics(metrics, &c);
		if (ferror(o->out.out))
			break;
	}
	/* The end: what is held is fed and acknowledged, then summaries. */
	release(&c, 1);
	mpx_consumer_flush(c.cons);
	mpx_pipeline_finish(c.pipe);
	code = mpx_pipeline_status(c.pipe);
	if (o->stats)
		report(&c);
	publish_metrics(metrics, &c);
out:
	mpx_metrics_stop(metrics);
	mpx_consumer_close(c.cons);
	mpx_reorder_free(c.win);
	mpx_pipeline_free(c.pipe);
	return code;
}
