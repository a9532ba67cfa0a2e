// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The live loop, in the manner of libbpf-bootstrap: load the object with
 * its configuration, attach, poll the ring buffer in a signal-safe loop,
 * and one cleanup path whatever ended it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/exit_codes.h"
#include "engine/bpf_object.h"
#include "live/load.h"
#include "live/privilege.h"
#include "metrics/metrics_server.h"
#include "mptcp_xdp.skel.h"
#include "output/counters_report.h"

/* How often the ring buffer's loss counter is read (a syscall per CPU
 * slot): losses are reported within this, never per record. */
#define LOSS_CHECK_NS 1000000000LL

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Handlers without SA_RESTART, so that a signal ends the poll at once. */
static void catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* A closed output pipe shows up as a write error instead. */
	signal(SIGPIPE, SIG_IGN);
}

struct live {
	struct mpx_pipeline *pipe;
	__s64 mono_to_real_ns; /* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	int counters_fd;
	__u64 lost_reported;	     /* ring-full drops already reported */
	__u64 payload_lost_reported; /* payload bytes, likewise */
	struct mpx_origin clean;     /* the last check that found no new loss */
	__s64 next_check_ns;	     /* CLOCK_MONOTONIC */
};

static __s64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct live *l = ctx;

	mpx_pipeline_ring_record(l->pipe, data, size, l->mono_to_real_ns);
	return 0;
}

static struct mpx_origin wall_now(void)
{
	return mpx_origin_of_ns(clock_ns(CLOCK_REALTIME));
}

/*
 * The kernel side never waits for us: a record it cannot reserve room for
 * is counted (MPX_CTR_RINGBUF_FULL) and dropped. Once a second (and at the
 * end) the count is compared with what was reported; new losses become one
 * records_lost event covering the time since the last clean check, and one
 * warning on stderr.
 */
static void check_losses(struct live *l, int force)
{
	__u64 ctr[MPX_CTR_MAX] = {0};
	__s64 mono = clock_ns(CLOCK_MONOTONIC);
	struct mpx_origin now;
	__u64 lost;

	if (!force && mono < l->next_check_ns)
		return;
	l->next_check_ns = mono + LOSS_CHECK_NS;
	if (mpx_bpf_read_counters(l->counters_fd, ctr) != 0)
		return;
	now = wall_now();
	lost = ctr[MPX_CTR_RINGBUF_FULL];
	if (lost > l->lost_reported) {
		mpx_pipeline_records_lost(
		    l->pipe, &now, lost - l->lost_reported, lost, &l->clean);
		fprintf(stderr,
			"mptcp-xdp: warning: %llu records lost (ring buffer "
			"full: the daemon fell behind), %llu in all\n",
			(unsigned long long)(lost - l->lost_reported),
			(unsigned long long)lost);
		l->lost_reported = lost;
	}
	if (ctr[MPX_CTR_PAYLOAD_RINGBUF_FULL] > l->payload_lost_reported) {
		/* The streams show these as data_gap events. */
		fprintf(stderr,
			"mptcp-xdp: warning: %llu payload bytes not copied "
			"(ring buffer full), %llu in all\n",
			(unsigned long long)(ctr[MPX_CTR_PAYLOAD_RINGBUF_FULL] -
					     l->payload_lost_reported),
			(unsigned long long)ctr[MPX_CTR_PAYLOAD_RINGBUF_FULL]);
		l->payload_lost_reported = ctr[MPX_CTR_PAYLOAD_RINGBUF_FULL];
	}
	l->clean = now;
}

static void tick_now(struct live *l)
{
	struct mpx_origin now = wall_now();

	mpx_pipeline_tick(l->pipe, &now);
	check_losses(l, 0);
}

static int flow_query(void *arg, const struct mpx_flow_key *key,
		      struct mpx_flow *out)
{
	struct mptcp_xdp *skel = arg;

	return mpx_bpf_flow_lookup(skel, key, out);
}

/* What a scrape shows besides the kernel counters it reads itself. */
static void publish(struct mpx_metrics_server *m, struct live *l,
		    const struct mpx_attachment *a, int n)
{
	const struct mpx_publish_stats *ps;
	const struct mpx_corr_stats *cs;
	struct mpx_metrics_state st;

	if (!m)
		return;
	memset(&st, 0, sizeof(st));
	st.records_rejected = mpx_pipeline_rejected(l->pipe);
	ps = mpx_pipeline_publish_stats(l->pipe);
	if (ps) {
		st.publish = *ps;
		st.has_publish = 1;
	}
	cs = mpx_pipeline_stats(l->pipe);
	if (cs) {
		st.corr = *cs;
		st.has_corr = 1;
	}
	for (int i = 0; i < n && i < MPX_METRICS_MAX_IFACES; i++) {
		_Static_assert(sizeof(st.ifaces[i].name) == IF_NAMESIZE,
			       "interface names fit");
		memcpy(st.ifaces[i].name, a[i].ifname, IF_NAMESIZE);
		snprintf(st.ifaces[i].ingress, sizeof(st.ifaces[i].ingress),
			 "%s", mpx_hook_kind_name(a[i].kind[MPX_DIR_IN]));
		snprintf(st.ifaces[i].egress, sizeof(st.ifaces[i].egress), "%s",
			 mpx_hook_kind_name(a[i].kind[MPX_DIR_OUT]));
		st.nifaces++;
	}
	mpx_metrics_publish(m, &st);
}

static void say_attached(const struct mpx_attachment *a, int n,
			 const char *caps)
{
	fprintf(stderr, "mptcp-xdp: attached to");
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s %s (ingress %s: %s, egress %s)",
			i ? "," : "", a[i].ifname,
			mpx_hook_kind_name(a[i].kind[MPX_DIR_IN]), a[i].why,
			mpx_hook_kind_name(a[i].kind[MPX_DIR_OUT]));
	fprintf(stderr, "; capabilities kept: %s; stop with Ctrl-C\n", caps);
}

/* Once attached, only what detaching needs: CAP_NET_ADMIN while a clsact
 * filter (or our clsact qdisc) is to be removed; XDP and TCX links go when
 * their fds close, which needs nothing. */
static int drop_privileges(const struct mpx_attachment *a, int n,
			   const char **kept, char *err, size_t errlen)
{
	int tc = 0;

	for (int i = 0; i < n; i++)
		tc |= a[i].kind[MPX_DIR_IN] == MPX_AT_CLSACT ||
		      a[i].kind[MPX_DIR_OUT] == MPX_AT_CLSACT ||
		      a[i].created_clsact;
	return mpx_priv_drop(tc, kept, err, errlen);
}

int mpx_load(const struct mpx_load_opts *o)
{
	struct mpx_attachment att[MPX_MAX_IFACES];
	struct mpx_metrics_server *metrics = NULL;
	struct live l = {0};
	struct mptcp_xdp *skel;
	struct ring_buffer *rb = NULL;
	const char *kept = "all";
	char err[512] = "";
	int code = MPX_EXIT_OK, n = 0, r;

	catch_signals();
	setvbuf(o->run.out.out, NULL, _IOLBF, 0);
	if (mpx_priv_require(MPX_PRIV_LOAD, err, sizeof(err)) < 0) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return MPX_EXIT_PERMISSION;
	}
	skel = mpx_bpf_object_load(&o->run.cfg, err, sizeof(err), &code);
	if (!skel) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return code;
	}
	l.pipe = mpx_pipeline_new(&o->run.out);
	if (!l.pipe) {
		fprintf(stderr, "mptcp-xdp: out of memory\n");
		mptcp_xdp__destroy(skel);
		return MPX_EXIT_FAILURE;
	}
	mpx_pipeline_set_flow_query(l.pipe, flow_query, skel);
	code = mpx_pipeline_open_streams(l.pipe, err, sizeof(err));
	/* Redis is reached before anything is attached: a sensor that cannot
	 * publish says so at once. */
	if (code == MPX_EXIT_OK)
		code = mpx_pipeline_open_publish(l.pipe, err, sizeof(err));
	if (code != MPX_EXIT_OK) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		mpx_pipeline_free(l.pipe);
		mptcp_xdp__destroy(skel);
		return code;
	}
	l.mono_to_real_ns =
	    clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	l.counters_fd = bpf_map__fd(skel->maps.counters);
	l.clean = wall_now();
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, &l,
			      NULL);
	if (!rb) {
		snprintf(err, sizeof(err), "cannot open the ring buffer: %s",
			 strerror(errno));
		code = MPX_EXIT_BPF;
		goto out;
	}
	for (; n < o->nifaces && !stop_signal; n++) {
		if (mpx_attach(bpf_program__fd(skel->progs.mptcp_xdp),
			       bpf_program__fd(skel->progs.mptcp_tc_ingress),
			       bpf_program__fd(skel->progs.mptcp_tc_egress),
			       o->ifaces[n], o->ingress, o->egress, &att[n],
			       err, sizeof(err), &code) < 0)
			goto out;
	}
	if (o->run.metrics && !stop_signal) {
		metrics = mpx_metrics_start(
		    o->run.metrics_host, o->run.metrics_port,
		    bpf_map__fd(skel->maps.counters), err, sizeof(err));
		if (!metrics) {
			code = MPX_EXIT_METRICS;
			goto out;
		}
	}
	if (!stop_signal &&
	    drop_privileges(att, n, &kept, err, sizeof(err)) < 0) {
		code = MPX_EXIT_FAILURE;
		goto out;
	}
	if (!stop_signal)
		say_attached(att, n, kept);
	while (!stop_signal) {
		publish(metrics, &l, att, n);
		/* Batched wake-ups (mpx_config.wakeup_bytes): epoll fires only
		 * past the ring's threshold, so whatever waits below it is
		 * read at the timeout, MPX_RING_POLL_MS, the bound on a
		 * record's wait; consume() reads the ring whether or not
		 * the poll was woken. */
		r = ring_buffer__poll(rb, MPX_RING_POLL_MS);
		if (r >= 0 || r == -EINTR)
			r = ring_buffer__consume(rb);
		if (r < 0 && r != -EINTR) {
			snprintf(err, sizeof(err), "ring buffer: %s",
				 strerror(-r));
			code = MPX_EXIT_BPF;
			break;
		}
		if (ferror(o->run.out.out))
			break; /* the reader went away (| head): just stop */
		tick_now(&l);
	}
	ring_buffer__consume(rb);
	if (!ferror(o->run.out.out))
		check_losses(&l, 1);
out:
	/* One way out: detach everything first, then report. */
	mpx_metrics_stop(metrics);
	while (n-- > 0)
		mpx_detach(&att[n]);
	if (code != MPX_EXIT_OK)
		fprintf(stderr, "mptcp-xdp: %s\n", err);
	if (!ferror(o->run.out.out)) {
		mpx_pipeline_finish(l.pipe);
		if (code == MPX_EXIT_OK)
			code = mpx_pipeline_status(l.pipe);
	}
	if (o->run.stats) {
		__u64 ctr[MPX_CTR_MAX] = {0};
		const struct mpx_corr_stats *cs = mpx_pipeline_stats(l.pipe);

		if (mpx_bpf_read_counters(bpf_map__fd(skel->maps.counters),
					  ctr) == 0)
			mpx_counters_report(stderr, ctr);
		if (cs)
			mpx_corr_stats_report(stderr, cs);
		fprintf(stderr, "{\"daemon\":{\"records_rejected\":%llu}}\n",
			(unsigned long long)mpx_pipeline_rejected(l.pipe));
		mpx_publish_stats_report(stderr,
					 mpx_pipeline_publish_stats(l.pipe));
	}
	ring_buffer__free(rb);
	mpx_pipeline_free(l.pipe);
	mptcp_xdp__destroy(skel);
	return code;
}
