// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* mptcp-xdp: command-line entry. Each command parses its own flags. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli_options.h"
#include "exit_codes.h"
#include "replay.h"

#ifndef MPX_VERSION
#define MPX_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
	fputs("usage: mptcp-xdp COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  replay [OPTIONS] FILE   inspect a pcap/pcapng capture\n"
	      "  help                    this text\n"
	      "  version                 the version\n"
	      "\n"
	      "replay options:\n"
	      "  --engine auto|bpf|host  run frames through the BPF object "
	      "(needs root)\n"
	      "                          or the same parser built for "
	      "userspace (default\n"
	      "                          auto: BPF, host if BPF cannot load)\n"
	      "  --events conn|raw|all   connection events (default), one "
	      "JSON line per\n"
	      "                          MPTCP option, or both\n"
	      "  --format json|text|zeek connection events as JSON lines "
	      "(default), aligned\n"
	      "                          text, or a Zeek mptcp.log of "
	      "summaries\n"
	      "  --max-conns N           connections tracked at once "
	      "(default 65536)\n"
	      "  --dss all|edges|sample:N  which DSS options become records "
	      "(default all)\n"
	      "  --kinds LIST            only these record kinds, e.g. "
	      "mp_join,mp_error\n"
	      "  --stats                 counters as one JSON line on stderr "
	      "at the end\n"
	      "\n"
	      "Exit codes: 0 ok, 1 failure, 2 usage, 3 no such file, "
	      "4 unreadable,\n"
	      "5 not a capture, 6 truncated capture, 7 unsupported link type, "
	      "8 BPF error,\n"
	      "9 permission, 10 kernel too old. See mptcp-xdp(8).\n",
	      f);
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "mptcp-xdp: %s (try 'mptcp-xdp help')\n", msg);
	return MPX_EXIT_USAGE;
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"engine", required_argument, NULL, 'e'},
		{"events", required_argument, NULL, 'v'},
		{"dss", required_argument, NULL, 'd'},
		{"kinds", required_argument, NULL, 'k'},
		{"stats", no_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"max-conns", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct mpx_replay_opts o = {
		.engine = MPX_ENGINE_CHOICE_AUTO,
		.cfg = {.emit_mask = MPX_EMIT_ALL_KINDS,
			.dss_policy = MPX_DSS_ALL,
			.dss_sample_n = 1},
		.out = {.events = MPX_EVENTS_CONN,
			.format = MPX_FORMAT_JSON,
			.max_conns = MPX_DEFAULT_MAX_CONNS,
			.out = stdout},
	};
	__u32 kinds = MPX_EMIT_ALL_KINDS;
	char err[256], msg[300];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (strcmp(optarg, "auto") == 0)
				o.engine = MPX_ENGINE_CHOICE_AUTO;
			else if (strcmp(optarg, "bpf") == 0)
				o.engine = MPX_ENGINE_CHOICE_BPF;
			else if (strcmp(optarg, "host") == 0)
				o.engine = MPX_ENGINE_CHOICE_HOST;
			else
				return usage_error(
					"--engine takes auto, bpf or host");
			break;
		case 'v':
			if (mpx_parse_events(optarg, &o.out.events) < 0)
				return usage_error(
					"--events takes conn, raw or all");
			break;
		case 'f':
			if (mpx_parse_format(optarg, &o.out.format) < 0)
				return usage_error(
					"--format takes json, text or zeek");
			break;
		case 'm':
			if (mpx_parse_count(optarg, 1, 1u << 24,
					    &o.out.max_conns) < 0)
				return usage_error("--max-conns takes a number "
						   "from 1 to 16777216");
			break;
		case 'd':
			if (mpx_parse_dss_policy(optarg, &o.cfg, err,
						 sizeof(err)) < 0)
				return usage_error(err);
			break;
		case 'k':
			if (mpx_parse_kinds(optarg, &kinds, err,
					    sizeof(err)) < 0)
				return usage_error(err);
			break;
		case 's':
			o.stats = 1;
			break;
		case 'h':
			usage(stdout);
			return MPX_EXIT_OK;
		default:
			snprintf(msg, sizeof(msg),
				 "replay: unknown option or missing value: %s",
				 argv[optind - 1]);
			return usage_error(msg);
		}
	}
	if (optind != argc - 1)
		return usage_error("replay takes exactly one capture file");
	if (o.out.events != MPX_EVENTS_CONN && o.out.format != MPX_FORMAT_JSON)
		return usage_error("option records (--events raw|all) are "
				   "written as JSON only");
	o.cfg.emit_mask = kinds & mpx_pipeline_emit_mask(o.out.events);
	o.path = argv[optind];
	return mpx_replay(&o);
}

int main(int argc, char **argv)
{
	/* Output may go to a pipe that closes (| head): end quietly. */
	signal(SIGPIPE, SIG_DFL);
	if (argc < 2)
		return usage_error("missing command");
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return MPX_EXIT_OK;
	}
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("mptcp-xdp %s (event ABI %d)\n", MPX_VERSION,
		       MPX_ABI_VERSION);
		return MPX_EXIT_OK;
	}
	fprintf(stderr, "mptcp-xdp: unknown command '%s' (try 'mptcp-xdp help')\n",
		argv[1]);
	return MPX_EXIT_USAGE;
}
