// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* mptcp-xdp: command-line entry. Each command parses its own flags; the
 * output flags (--events, --format, --dss, --kinds, --max-conns, --stats)
 * mean the same for `replay` and `load`. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "capture/replay.h"
#include "central/central.h"
#include "cli/cli_options.h"
#include "cli/exit_codes.h"
#include "live/load.h"
#include "live/status.h"
#include "live/unload.h"
#include "metrics/metrics_server.h"
#include "publish/record_codec.h"

#ifndef MPX_VERSION
#define MPX_VERSION "0.1.0"
#endif
/* Set by the Makefile's probes; 0 when built without them. */
#ifndef HAVE_LIBBPF_ATTACH_TCX
#define HAVE_LIBBPF_ATTACH_TCX 0
#endif
#ifndef HAVE_LIBBPF_XDP_QUERY
#define HAVE_LIBBPF_XDP_QUERY 0
#endif

static void usage(FILE *f)
{
	fputs("usage: mptcp-xdp COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  load [OPTIONS] IFACE...  attach to interfaces, stream events "
	      "until a signal\n"
	      "  replay [OPTIONS] FILE    inspect a pcap/pcapng capture\n"
	      "  unload IFACE             remove what a killed daemon left on "
	      "IFACE\n"
	      "  status                   interfaces with mptcp-xdp attached, "
	      "and counters\n"
	      "  correlate --from redis://HOST:PORT/KEY[,KEY...]  the central "
	      "correlator of\n"
	      "                           many sensors' published records\n"
	      "  help | version\n"
	      "\n"
	      "Output options (load and replay):\n"
	      "  --events conn|raw|all    connection events (default), one "
	      "JSON line per\n"
	      "                           MPTCP option, or both\n"
	      "  --format json|text|zeek  JSON lines (default), aligned text, "
	      "or a Zeek\n"
	      "                           mptcp.log of connection summaries\n"
	      "  --dss all|edges|sample:N which DSS options become records "
	      "(default: all\n"
	      "                           for replay, edges for load)\n"
	      "  --kinds LIST             only these record kinds, e.g. "
	      "mp_join,mp_error\n"
	      "  --max-conns N            connections tracked at once "
	      "(default 65536)\n"
	      "  --stats                  counters as JSON lines on stderr at "
	      "the end\n"
	      "  --metrics ADDR:PORT|off  serve Prometheus /metrics (load "
	      "default\n"
	      "                           " MPX_METRICS_DEFAULT
	      "; replay default off)\n"
	      "\n"
	      "Data-level options (load and replay; load copies payload out "
	      "of the kernel\n"
	      "only with one of the first three):\n"
	      "  --streams DIR            each connection's reassembled "
	      "byte streams as\n"
	      "                           DIR/<conn>.a2b and .b2a (holes are "
	      "zeros: data_gap)\n"
	      "  --single-path FILE       a pcap with each MPTCP connection "
	      "as one plain\n"
	      "                           TCP connection, for any IDS\n"
	      "  --yara RULES             scan the streams with these YARA "
	      "rules\n"
	      "                           (signature_match events)\n"
	      "  --stream-depth BYTES     bytes per direction reassembled "
	      "(default 1M;\n"
	      "                           0 no limit; K, M, G suffixes)\n"
	      "  --reassembly-memcap BYTES  all reassembly buffers together "
	      "(default 256M)\n"
	      "\n"
	      "Detection options (load and replay):\n"
	      "  --home-net CIDR[,CIDR...] the home networks (HOME_NET): "
	      "an outside peer\n"
	      "                           advertising an address inside is "
	      "add_addr_suspicious\n"
	      "  --detect-window SECONDS  window of join_flood and "
	      "mptcp_scan (default 60)\n"
	      "  --join-flood-threshold N join SYNs that cannot complete, "
	      "per token or\n"
	      "                           destination and window (default "
	      "50)\n"
	      "  --scan-threshold N       distinct targets probed by one "
	      "source per window\n"
	      "                           (default 20)\n"
	      "  --doc-ranges-suspicious  documentation and benchmarking "
	      "ranges in ADD_ADDR\n"
	      "                           are add_addr_suspicious too\n"
	      "\n"
	      "load options:\n"
	      "  --ingress auto|xdp-native|xdp-generic|tc  ingress hook "
	      "(default auto:\n"
	      "                           native XDP on a physical device, "
	      "TC on a virtual\n"
	      "                           one, beside another XDP program or "
	      "where the driver\n"
	      "                           refuses native XDP; TC is TCX, else "
	      "clsact)\n"
	      "  --xdp-mode auto|native|generic  older spelling of --ingress "
	      "auto|xdp-native|\n"
	      "                           xdp-generic\n"
	      "  --no-egress              no TC egress program (ingress only)\n"
	      "\n"
	      "Many sensors (load and replay):\n"
	      "  --publish redis://HOST[:PORT]/KEY  also publish what a "
	      "central correlator\n"
	      "                           needs to this Redis stream\n"
	      "  --sensor NAME            the sensor's name (default: the "
	      "host name)\n"
	      "  --shards N               N streams KEY:0..KEY:N-1, routed "
	      "by token\n"
	      "  --stream-maxlen N        XADD MAXLEN ~ N (default 1000000)\n"
	      "correlate options: --group G (default mptcp-xdp), --consumer C "
	      "(default the\n"
	      "host name), --reorder-window MS (default 1000), --events, "
	      "--format,\n"
	      "--max-conns, --stats, --metrics ADDR:PORT (default off) and the "
	      "detection\n"
	      "options.\n"
	      "\n"
	      "replay options:\n"
	      "  --engine auto|bpf|host   run frames through the BPF object "
	      "(root) or the\n"
	      "                           same parser built into this program "
	      "(default auto)\n"
	      "  --metrics-hold           keep serving /metrics after the "
	      "replay, until a signal\n"
	      "\n"
	      "Exit codes: 0 ok, 1 failure, 2 usage, 3 no such file, "
	      "4 unreadable,\n"
	      "5 not a capture, 6 truncated capture, 7 unsupported link type, "
	      "8 BPF error,\n"
	      "9 permission (the message names the capabilities), 10 kernel "
	      "too old,\n"
	      "11 no such interface, 12 interface busy, 13 metrics cannot "
	      "listen,\n"
	      "14 frames cut by the snaplen inside their headers, 15 YARA "
	      "rules do not\n"
	      "compile, 16 --streams or --single-path output cannot be "
	      "written,\n"
	      "17 Redis unreachable or refused at start (--publish, "
	      "correlate).\n"
	      "load needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN, and "
	      "keeps only\n"
	      "CAP_NET_ADMIN once attached; records the kernel could not hand "
	      "over are\n"
	      "reported as records_lost events.\n"
	      "See mptcp-xdp(8).\n",
	      f);
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "mptcp-xdp: %s (try 'mptcp-xdp help')\n", msg);
	return MPX_EXIT_USAGE;
}

/* Options shared by replay and load. */
struct common_opts {
	struct mpx_run_opts run;
	__u32 kinds;   /* --kinds, before the events mode narrows it */
	int dss_given; /* --dss named */
};

enum {
	OPT_EVENTS = 256,
	OPT_FORMAT,
	OPT_DSS,
	OPT_KINDS,
	OPT_MAX_CONNS,
	OPT_STATS,
	OPT_ENGINE,
	OPT_XDP_MODE,
	OPT_INGRESS,
	OPT_NO_EGRESS,
	OPT_METRICS,
	OPT_METRICS_HOLD,
	OPT_HOME_NET,
	OPT_DETECT_WINDOW,
	OPT_JOIN_FLOOD_THRESHOLD,
	OPT_SCAN_THRESHOLD,
	OPT_DOC_RANGES,
	OPT_STREAMS,
	OPT_SINGLE_PATH,
	OPT_YARA,
	OPT_STREAM_DEPTH,
	OPT_REASSEMBLY_MEMCAP,
	OPT_PUBLISH,
	OPT_SENSOR,
	OPT_SHARDS,
	OPT_STREAM_MAXLEN,
	OPT_FROM,
	OPT_GROUP,
	OPT_CONSUMER,
	OPT_REORDER_WINDOW,
	OPT_HELP,
};

/* clang-format off */
#define COMMON_LONGOPTS                                                        \
	{"events", required_argument, NULL, OPT_EVENTS},                       \
	{"format", required_argument, NULL, OPT_FORMAT},                       \
	{"dss", required_argument, NULL, OPT_DSS},                             \
	{"kinds", required_argument, NULL, OPT_KINDS},                         \
	{"max-conns", required_argument, NULL, OPT_MAX_CONNS},                 \
	{"stats", no_argument, NULL, OPT_STATS},                               \
	{"metrics", required_argument, NULL, OPT_METRICS},                     \
	{"home-net", required_argument, NULL, OPT_HOME_NET},                   \
	{"detect-window", required_argument, NULL, OPT_DETECT_WINDOW},         \
	{"join-flood-threshold", required_argument, NULL,                      \
	 OPT_JOIN_FLOOD_THRESHOLD},                                            \
	{"scan-threshold", required_argument, NULL, OPT_SCAN_THRESHOLD},       \
	{"doc-ranges-suspicious", no_argument, NULL, OPT_DOC_RANGES},          \
	{"streams", required_argument, NULL, OPT_STREAMS},                     \
	{"single-path", required_argument, NULL, OPT_SINGLE_PATH},             \
	{"yara", required_argument, NULL, OPT_YARA},                           \
	{"stream-depth", required_argument, NULL, OPT_STREAM_DEPTH},           \
	{"reassembly-memcap", required_argument, NULL, OPT_REASSEMBLY_MEMCAP}, \
	{"publish", required_argument, NULL, OPT_PUBLISH},                     \
	{"sensor", required_argument, NULL, OPT_SENSOR},                       \
	{"shards", required_argument, NULL, OPT_SHARDS},                       \
	{"stream-maxlen", required_argument, NULL, OPT_STREAM_MAXLEN},         \
	{"help", no_argument, NULL, OPT_HELP}
/* clang-format on */

static void common_defaults(struct common_opts *c, enum mpx_dss_policy dss,
			    const char *metrics)
{
	char err[128];

	memset(c, 0, sizeof(*c));
	mpx_metrics_parse(metrics, &c->run.metrics, c->run.metrics_host,
			  sizeof(c->run.metrics_host), &c->run.metrics_port,
			  err, sizeof(err));
	c->run.cfg.emit_mask = MPX_EMIT_ALL_KINDS;
	c->run.cfg.dss_policy = dss;
	c->run.cfg.dss_sample_n = 1;
	c->run.out.events = MPX_EVENTS_CONN;
	c->run.out.format = MPX_FORMAT_JSON;
	c->run.out.max_conns = MPX_DEFAULT_MAX_CONNS;
	mpx_detect_opts_default(&c->run.out.detect);
	c->run.out.streams.depth = MPX_STREAM_DEPTH_DEFAULT;
	c->run.out.streams.memcap = MPX_REASSEMBLY_MEMCAP_DEFAULT;
	c->run.out.out = stdout;
	c->kinds = MPX_EMIT_ALL_KINDS;
}

/* 1: handled; 0: not a common option; -1: error (message printed). */
static int common_option(struct common_opts *c, int opt, const char *arg,
			 int *rc)
{
	char err[256];

	switch (opt) {
	case OPT_EVENTS:
		if (mpx_parse_events(arg, &c->run.out.events) < 0)
			goto bad_events;
		return 1;
	case OPT_FORMAT:
		if (mpx_parse_format(arg, &c->run.out.format) < 0) {
			*rc = usage_error("--format takes json, text or zeek");
			return -1;
		}
		return 1;
	case OPT_DSS:
		if (mpx_parse_dss_policy(arg, &c->run.cfg, err, sizeof(err)) <
		    0) {
			*rc = usage_error(err);
			return -1;
		}
		c->dss_given = 1;
		return 1;
	case OPT_STREAMS:
		c->run.out.streams.dir = arg;
		return 1;
	case OPT_SINGLE_PATH:
		c->run.out.streams.single_path = arg;
		return 1;
	case OPT_YARA:
		c->run.out.streams.yara = arg;
		return 1;
	case OPT_STREAM_DEPTH:
	case OPT_REASSEMBLY_MEMCAP:
		if (mpx_parse_bytes(arg, opt == OPT_STREAM_DEPTH
					     ? &c->run.out.streams.depth
					     : &c->run.out.streams.memcap) <
		    0) {
			*rc = usage_error(
			    opt == OPT_STREAM_DEPTH
				? "--stream-depth takes bytes, with K, M or G"
				: "--reassembly-memcap takes bytes, with K, M "
				  "or G");
			return -1;
		}
		return 1;
	case OPT_KINDS:
		if (mpx_parse_kinds(arg, &c->kinds, err, sizeof(err)) < 0) {
			*rc = usage_error(err);
			return -1;
		}
		return 1;
	case OPT_MAX_CONNS:
		if (mpx_parse_count(arg, 1, 1u << 24, &c->run.out.max_conns) <
		    0) {
			*rc = usage_error(
			    "--max-conns takes a number from 1 to 16777216");
			return -1;
		}
		return 1;
	case OPT_STATS:
		c->run.stats = 1;
		return 1;
	case OPT_PUBLISH:
		c->run.out.publish.url = arg;
		return 1;
	case OPT_SENSOR:
		if (!mpx_sensor_name_valid(arg)) {
			*rc = usage_error("--sensor takes 1 to 64 of A-Z a-z "
					  "0-9 . _ -");
			return -1;
		}
		c->run.out.publish.sensor = arg;
		return 1;
	case OPT_SHARDS:
	case OPT_STREAM_MAXLEN: {
		size_t v;

		if (opt == OPT_SHARDS
			? mpx_parse_count(arg, 1, MPX_MAX_SHARDS, &v) < 0
			: mpx_parse_count(arg, 1, 1ull << 40, &v) < 0) {
			*rc = usage_error(opt == OPT_SHARDS
					      ? "--shards takes a number from "
						"1 to 64"
					      : "--stream-maxlen takes a "
						"number from 1 to 2^40");
			return -1;
		}
		if (opt == OPT_SHARDS)
			c->run.out.publish.shards = (unsigned int)v;
		else
			c->run.out.publish.maxlen = v;
		return 1;
	}
	case OPT_HOME_NET:
	case OPT_DETECT_WINDOW:
	case OPT_JOIN_FLOOD_THRESHOLD:
	case OPT_SCAN_THRESHOLD:
	case OPT_DOC_RANGES:
		if (mpx_parse_detect_option(opt - OPT_HOME_NET, arg,
					    &c->run.out.detect, err,
					    sizeof(err)) < 0) {
			*rc = usage_error(err);
			return -1;
		}
		return 1;
	case OPT_METRICS:
		if (mpx_metrics_parse(arg, &c->run.metrics, c->run.metrics_host,
				      sizeof(c->run.metrics_host),
				      &c->run.metrics_port, err,
				      sizeof(err)) < 0) {
			*rc = usage_error(err);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
bad_events:
	*rc = usage_error("--events takes conn, raw or all");
	return -1;
}

/* After parsing: checks across options, and the kernel's emit mask. */
static int common_finish(struct common_opts *c, int *rc)
{
	if (c->run.out.events != MPX_EVENTS_CONN &&
	    c->run.out.format != MPX_FORMAT_JSON) {
		*rc = usage_error("option records (--events raw|all) are "
				  "written as JSON only");
		return -1;
	}
	c->run.cfg.emit_mask =
	    c->kinds & mpx_pipeline_emit_mask(c->run.out.events);
	if (!c->run.out.publish.url &&
	    (c->run.out.publish.sensor || c->run.out.publish.shards ||
	     c->run.out.publish.maxlen)) {
		*rc = usage_error("--sensor, --shards and --stream-maxlen go "
				  "with --publish");
		return -1;
	}
	if (c->run.out.publish.url) {
		/* The central correlator needs the subflow records (ends and
		 * counts) whatever is printed here; and of the DSS options,
		 * the edges (the first mapping each way, DATA_FIN), unless
		 * --dss says otherwise. */
		c->run.cfg.emit_mask |=
		    c->kinds & (MPX_KIND_BIT(MPX_EV_SUBFLOW_FIN) |
				MPX_KIND_BIT(MPX_EV_SUBFLOW_RST) |
				MPX_KIND_BIT(MPX_EV_FALLBACK));
		if (!c->dss_given && !mpx_stream_cli_on(&c->run.out.streams))
			c->run.cfg.dss_policy = MPX_DSS_EDGES;
	}
	if (!mpx_stream_cli_on(&c->run.out.streams))
		return 0;
	if (c->run.out.events == MPX_EVENTS_RAW) {
		*rc = usage_error("--streams, --single-path and --yara need "
				  "connection events (--events conn or all)");
		return -1;
	}
	/* Reassembly needs every mapping, not a sample of them. */
	if (c->dss_given && c->run.cfg.dss_policy != MPX_DSS_ALL) {
		*rc = usage_error("--streams, --single-path and --yara need "
				  "every DSS: --dss all");
		return -1;
	}
	c->run.cfg.dss_policy = MPX_DSS_ALL;
	return 0;
}

static int unknown_option(char **argv, const char *cmd)
{
	char msg[300];

	snprintf(msg, sizeof(msg), "%s: unknown option or missing value: %s",
		 cmd, argv[optind - 1]);
	return usage_error(msg);
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONGOPTS,
	    {"engine", required_argument, NULL, OPT_ENGINE},
	    {"metrics-hold", no_argument, NULL, OPT_METRICS_HOLD},
	    {NULL, 0, NULL, 0},
	};
	struct mpx_replay_opts o = {.engine = MPX_ENGINE_CHOICE_AUTO};
	struct common_opts c;
	int opt, rc = 0;

	common_defaults(&c, MPX_DSS_ALL, "off");
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int r = common_option(&c, opt, optarg, &rc);

		if (r < 0)
			return rc;
		if (r)
			continue;
		if (opt == OPT_ENGINE) {
			if (strcmp(optarg, "auto") == 0)
				o.engine = MPX_ENGINE_CHOICE_AUTO;
			else if (strcmp(optarg, "bpf") == 0)
				o.engine = MPX_ENGINE_CHOICE_BPF;
			else if (strcmp(optarg, "host") == 0)
				o.engine = MPX_ENGINE_CHOICE_HOST;
			else
				return usage_error(
				    "--engine takes auto, bpf or host");
		} else if (opt == OPT_METRICS_HOLD) {
			o.metrics_hold = 1;
		} else if (opt == 'h' || opt == OPT_HELP) {
			usage(stdout);
			return MPX_EXIT_OK;
		} else {
			return unknown_option(argv, "replay");
		}
	}
	if (optind != argc - 1)
		return usage_error("replay takes exactly one capture file");
	if (common_finish(&c, &rc) < 0)
		return rc;
	if (o.metrics_hold && !c.run.metrics)
		return usage_error("--metrics-hold needs --metrics ADDR:PORT");
	o.path = argv[optind];
	o.run = c.run;
	return mpx_replay(&o);
}

static int cmd_load(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONGOPTS,
	    {"xdp-mode", required_argument, NULL, OPT_XDP_MODE},
	    {"ingress", required_argument, NULL, OPT_INGRESS},
	    {"no-egress", no_argument, NULL, OPT_NO_EGRESS},
	    {NULL, 0, NULL, 0},
	};
	struct mpx_load_opts o = {.ingress = MPX_INGRESS_AUTO, .egress = 1};
	struct common_opts c;
	int opt, rc = 0;

	common_defaults(&c, MPX_DSS_EDGES, MPX_METRICS_DEFAULT);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int r = common_option(&c, opt, optarg, &rc);

		if (r < 0)
			return rc;
		if (r)
			continue;
		if (opt == OPT_XDP_MODE) {
			/* The older spelling of --ingress. */
			if (strcmp(optarg, "auto") == 0)
				o.ingress = MPX_INGRESS_AUTO;
			else if (strcmp(optarg, "native") == 0)
				o.ingress = MPX_INGRESS_XDP_NATIVE;
			else if (strcmp(optarg, "generic") == 0)
				o.ingress = MPX_INGRESS_XDP_GENERIC;
			else
				return usage_error("--xdp-mode takes auto, "
						   "native or generic");
		} else if (opt == OPT_INGRESS) {
			if (strcmp(optarg, "auto") == 0)
				o.ingress = MPX_INGRESS_AUTO;
			else if (strcmp(optarg, "xdp-native") == 0)
				o.ingress = MPX_INGRESS_XDP_NATIVE;
			else if (strcmp(optarg, "xdp-generic") == 0)
				o.ingress = MPX_INGRESS_XDP_GENERIC;
			else if (strcmp(optarg, "tc") == 0)
				o.ingress = MPX_INGRESS_TC;
			else
				return usage_error(
				    "--ingress takes auto, xdp-native, "
				    "xdp-generic or tc");
		} else if (opt == OPT_NO_EGRESS) {
			o.egress = 0;
		} else if (opt == 'h' || opt == OPT_HELP) {
			usage(stdout);
			return MPX_EXIT_OK;
		} else {
			return unknown_option(argv, "load");
		}
	}
	if (optind >= argc)
		return usage_error("load needs at least one interface");
	if (argc - optind > MPX_MAX_IFACES)
		return usage_error("load takes at most 16 interfaces");
	for (int i = optind; i < argc; i++) {
		for (int k = optind; k < i; k++)
			if (strcmp(argv[i], argv[k]) == 0)
				return usage_error(
				    "an interface is named twice");
		o.ifaces[o.nifaces++] = argv[i];
	}
	if (common_finish(&c, &rc) < 0)
		return rc;
	if (mpx_stream_cli_on(&c.run.out.streams)) {
		/* Live, the payload comes from the kernel: only on tracked
		 * subflows, within the depth (include/mptcp_config.h). */
		c.run.cfg.emit_mask |= MPX_KIND_BIT(MPX_EV_PAYLOAD);
		c.run.cfg.stream_depth = c.run.out.streams.depth > UINT32_MAX
					     ? 0
					     : (__u32)c.run.out.streams.depth;
	}
	/* The consumer is woken once the ring fills past an eighth, or by
	 * its poll timeout (user/live/load.h, MPX_RING_POLL_MS). */
	c.run.cfg.wakeup_bytes = MPX_WAKEUP_BATCHED;
	o.run = c.run;
	return mpx_load(&o);
}

/* A consumer group or consumer name: what Redis takes, printable. */
static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 127)
			return 0;
	return 1;
}

static int cmd_correlate(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"from", required_argument, NULL, OPT_FROM},
	    {"group", required_argument, NULL, OPT_GROUP},
	    {"consumer", required_argument, NULL, OPT_CONSUMER},
	    {"reorder-window", required_argument, NULL, OPT_REORDER_WINDOW},
	    {"events", required_argument, NULL, OPT_EVENTS},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
	    {"stats", no_argument, NULL, OPT_STATS},
	    {"home-net", required_argument, NULL, OPT_HOME_NET},
	    {"detect-window", required_argument, NULL, OPT_DETECT_WINDOW},
	    {"join-flood-threshold", required_argument, NULL,
	     OPT_JOIN_FLOOD_THRESHOLD},
	    {"scan-threshold", required_argument, NULL, OPT_SCAN_THRESHOLD},
	    {"doc-ranges-suspicious", no_argument, NULL, OPT_DOC_RANGES},
	    {"metrics", required_argument, NULL, OPT_METRICS},
	    {"help", no_argument, NULL, OPT_HELP},
	    {NULL, 0, NULL, 0},
	};
	struct mpx_central_opts o = {.group = MPX_GROUP_DEFAULT,
				     .reorder_ms = MPX_REORDER_MS_DEFAULT,
				     .reorder_max = MPX_REORDER_MAX_DEFAULT};
	const char *from = NULL;
	struct common_opts c;
	char err[300];
	int opt, rc = 0;
	size_t v;

	common_defaults(&c, MPX_DSS_ALL, "off");
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int r = common_option(&c, opt, optarg, &rc);

		if (r < 0)
			return rc;
		if (r)
			continue;
		switch (opt) {
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_GROUP:
		case OPT_CONSUMER:
			if (!name_ok(optarg))
				return usage_error(
				    opt == OPT_GROUP
					? "--group takes 1 to 64 printable "
					  "characters, no spaces"
					: "--consumer takes 1 to 64 printable "
					  "characters, no spaces");
			if (opt == OPT_GROUP)
				o.group = optarg;
			else
				o.consumer = optarg;
			break;
		case OPT_REORDER_WINDOW:
			if (mpx_parse_count(optarg, 0, 60000, &v) < 0)
				return usage_error("--reorder-window takes "
						   "milliseconds, 0 to 60000");
			o.reorder_ms = (long)v;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return MPX_EXIT_OK;
		default:
			return unknown_option(argv, "correlate");
		}
	}
	if (optind != argc)
		return usage_error("correlate takes no arguments but options");
	if (!from)
		return usage_error("correlate needs --from "
				   "redis://HOST:PORT/KEY[,KEY...]");
	if (mpx_redis_url_parse(from, "--from", &o.from, err, sizeof(err)) < 0)
		return usage_error(err);
	if (common_finish(&c, &rc) < 0)
		return rc;
	o.out = c.run.out;
	o.stats = c.run.stats;
	o.metrics = c.run.metrics;
	memcpy(o.metrics_host, c.run.metrics_host, sizeof(o.metrics_host));
	o.metrics_port = c.run.metrics_port;
	return mpx_central_run(&o);
}

static int cmd_unload(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return usage_error("unload takes exactly one interface");
	return mpx_unload(argv[1]);
}

int main(int argc, char **argv)
{
	/* replay: output may go to a pipe that closes (| head): end quietly.
	 * load installs its own handling. */
	signal(SIGPIPE, SIG_DFL);
	if (argc < 2)
		return usage_error("missing command");
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "load") == 0)
		return cmd_load(argc - 1, argv + 1);
	if (strcmp(argv[1], "unload") == 0)
		return cmd_unload(argc - 1, argv + 1);
	if (strcmp(argv[1], "correlate") == 0)
		return cmd_correlate(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0) {
		if (argc != 2)
			return usage_error("status takes no arguments");
		return mpx_status();
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return MPX_EXIT_OK;
	}
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("mptcp-xdp %s (event ABI %d)\n", MPX_VERSION,
		       MPX_ABI_VERSION);
		/* What the Makefile's libbpf probes found at build time. */
		printf(
		    "libbpf %u.%u; tcx attach %s; bpf_xdp_query %s\n",
		    libbpf_major_version(), libbpf_minor_version(),
		    HAVE_LIBBPF_ATTACH_TCX ? "available" : "not in this libbpf",
		    HAVE_LIBBPF_XDP_QUERY ? "available" : "not in this libbpf");
		return MPX_EXIT_OK;
	}
	fprintf(stderr,
		"mptcp-xdp: unknown command '%s' (try 'mptcp-xdp help')\n",
		argv[1]);
	return MPX_EXIT_USAGE;
}
