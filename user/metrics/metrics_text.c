// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "metrics/metrics_text.h"

#ifndef MPX_VERSION
#define MPX_VERSION "0.1.0"
#endif

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP mptcp_xdp_%s %s\n# TYPE mptcp_xdp_%s %s\n", name,
		help, name, type);
}

static void sample(FILE *f, const char *name, const char *labels, __u64 v)
{
	fprintf(f, "mptcp_xdp_%s%s%s%s %" PRIu64 "\n", name, labels ? "{" : "",
		labels ? labels : "", labels ? "}" : "", (uint64_t)v);
}

/* One family, one unlabelled sample. */
static void single(FILE *f, const char *name, const char *type,
		   const char *help, __u64 v)
{
	family(f, name, type, help);
	sample(f, name, NULL, v);
}

struct labelled {
	const char *label; /* label value */
	unsigned int id;   /* counter id */
};

static void by_label(FILE *f, const char *name, const char *help,
		     const char *label, const struct labelled *l, size_t n,
		     const __u64 *ctr)
{
	char buf[96];

	family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s=\"%s\"", label, l[i].label);
		sample(f, name, buf, ctr[l[i].id]);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void kernel(FILE *f, const __u64 *c)
{
	static const struct labelled subtypes[] = {
	    {"mp_capable", MPX_CTR_OPT_MP_CAPABLE},
	    {"mp_join", MPX_CTR_OPT_MP_JOIN},
	    {"dss", MPX_CTR_OPT_DSS},
	    {"add_addr", MPX_CTR_OPT_ADD_ADDR},
	    {"remove_addr", MPX_CTR_OPT_REMOVE_ADDR},
	    {"mp_prio", MPX_CTR_OPT_MP_PRIO},
	    {"mp_fail", MPX_CTR_OPT_MP_FAIL},
	    {"mp_fastclose", MPX_CTR_OPT_MP_FASTCLOSE},
	    {"mp_tcprst", MPX_CTR_OPT_MP_TCPRST},
	    {"mp_experimental", MPX_CTR_OPT_MP_EXPERIMENTAL},
	    {"unassigned", MPX_CTR_OPT_UNKNOWN_SUBTYPE},
	};
	static const struct labelled versions[] = {
	    {"0", MPX_CTR_OPT_VERSION_0},
	    {"1", MPX_CTR_OPT_VERSION_1},
	    {"other", MPX_CTR_OPT_VERSION_OTHER},
	};
	static const struct labelled opt_errors[] = {
	    {"bad_length", MPX_CTR_ERR_BAD_LENGTH},
	    {"bad_flags", MPX_CTR_ERR_BAD_FLAGS},
	    {"unknown_subtype", MPX_CTR_ERR_UNKNOWN_SUBTYPE},
	    {"opt_truncated", MPX_CTR_ERR_OPT_TRUNCATED},
	    {"opt_len_invalid", MPX_CTR_ERR_OPT_LEN_INVALID},
	};
	static const struct labelled pkt_errors[] = {
	    {"trunc_l2", MPX_CTR_ERR_TRUNC_L2},
	    {"trunc_l3", MPX_CTR_ERR_TRUNC_L3},
	    {"trunc_l4", MPX_CTR_ERR_TRUNC_L4},
	    {"bad_ip_header", MPX_CTR_ERR_BAD_IP_HEADER},
	    {"bad_tcp_doff", MPX_CTR_ERR_BAD_TCP_DOFF},
	    {"too_many_exthdrs", MPX_CTR_ERR_TOO_MANY_EXTHDRS},
	};
	static const struct labelled kinds[] = {
	    {"ipv4", MPX_CTR_IPV4},
	    {"ipv6", MPX_CTR_IPV6},
	    {"non_ip", MPX_CTR_NON_IP},
	    {"non_tcp", MPX_CTR_NON_TCP},
	    {"ip_later_fragment", MPX_CTR_IP_LATER_FRAGMENT},
	    {"vlan", MPX_CTR_VLAN},
	};
	static const struct labelled payload[] = {
	    {"copied", MPX_CTR_PAYLOAD_BYTES},
	    {"past_depth", MPX_CTR_PAYLOAD_DEPTH},
	    {"ring_full", MPX_CTR_PAYLOAD_RINGBUF_FULL},
	};
	static const struct labelled held[] = {
	    {"kind_disabled", MPX_CTR_KIND_DISABLED},
	    {"dss_policy", MPX_CTR_DSS_SUPPRESSED},
	};

	single(f, "packets_total", "counter",
	       "Packets seen by the parser, ingress and egress, in "
	       "segments.",
	       c[MPX_CTR_PACKETS]);
	by_label(f, "packets_by_kind_total",
		 "Packets by network layer kind (a packet may count in two).",
		 "kind", kinds, N(kinds), c);
	single(f, "tcp_packets_total", "counter", "TCP packets seen.",
	       c[MPX_CTR_TCP]);
	single(f, "mptcp_packets_total", "counter",
	       "TCP packets with at least one MPTCP option.",
	       c[MPX_CTR_MPTCP_PACKETS]);
	by_label(f, "options_total", "MPTCP options by subtype.", "subtype",
		 subtypes, N(subtypes), c);
	by_label(f, "options_by_version_total",
		 "MP_CAPABLE and ADD_ADDR options by the MPTCP version they "
		 "state.",
		 "version", versions, N(versions), c);
	by_label(f, "option_errors_total",
		 "MPTCP options that are not legal, by reason (mp_error "
		 "records).",
		 "reason", opt_errors, N(opt_errors), c);
	by_label(f, "packet_errors_total",
		 "Packets whose headers could not be parsed, by reason.",
		 "reason", pkt_errors, N(pkt_errors), c);
	single(f, "records_total", "counter",
	       "Records pushed to the ring buffer.", c[MPX_CTR_RECORDS]);
	single(f, "records_lost_total", "counter",
	       "Records lost because the ring buffer was full.",
	       c[MPX_CTR_RINGBUF_FULL]);
	by_label(f, "records_held_back_total",
		 "Options counted but not sent to userspace, by why.", "why",
		 held, N(held), c);
	single(f, "flow_table_inserts_total", "counter",
	       "Subflows entered in the kernel flow table.",
	       c[MPX_CTR_FLOW_NEW]);
	single(f, "flow_table_full_total", "counter",
	       "Kernel flow table inserts that failed.",
	       c[MPX_CTR_FLOW_TABLE_FULL]);
	single(f, "flow_table_assured_total", "counter",
	       "Subflows that carried two packets each way, moved where "
	       "floods cannot flush them.",
	       c[MPX_CTR_FLOW_ASSURED]);
	single(f, "payload_records_total", "counter",
	       "Payload records pushed (load with --streams, --single-path "
	       "or --yara).",
	       c[MPX_CTR_PAYLOAD_RECORDS]);
	by_label(f, "payload_bytes_total",
		 "Payload bytes of tracked subflows, by what became of them.",
		 "result", payload, N(payload), c);
}

static void correlator(FILE *f, const struct mpx_corr_stats *s)
{
	char buf[96];

	single(f, "active_connections", "gauge",
	       "MPTCP connections being tracked now.", s->active_conns);
	single(f, "active_subflows", "gauge",
	       "Subflows of tracked connections that are open now.",
	       s->active_subflows);
	single(f, "connections_started_total", "counter",
	       "MPTCP connections seen starting (MP_CAPABLE SYN) or midstream.",
	       s->conns_started);
	single(f, "connections_midstream_total", "counter",
	       "Connections first seen after their handshake.",
	       s->conns_midstream);
	single(f, "connections_closed_total", "counter",
	       "Connection summaries written (evicted ones included).",
	       s->conns_closed);
	family(f, "correlator_evictions_total", "counter",
	       "State dropped at a bound, by table.");
	sample(f, "correlator_evictions_total", "table=\"connections\"",
	       s->conns_evicted);
	sample(f, "correlator_evictions_total", "table=\"subflows\"",
	       s->subflows_dropped);
	sample(f, "correlator_evictions_total", "table=\"addresses\"",
	       s->addrs_evicted);
	sample(f, "correlator_evictions_total", "table=\"detection\"",
	       s->detect_evicted);
	family(f, "joins_total", "counter", "MP_JOIN handshakes by result.");
	sample(f, "joins_total", "result=\"verified\"", s->joins_verified);
	sample(f, "joins_total", "result=\"hmac_invalid\"",
	       s->joins_hmac_invalid);
	sample(f, "joins_total", "result=\"unknown_token\"",
	       s->joins_unknown_token);
	sample(f, "joins_total", "result=\"unverified\"", s->joins_unverified);
	single(f, "fallbacks_total", "counter",
	       "Connections that fell back to plain TCP.", s->fallbacks);
	single(f, "fastcloses_total", "counter", "MP_FASTCLOSE options seen.",
	       s->fastcloses);
	family(f, "tcp_resets_total", "counter",
	       "TCP resets carrying MP_TCPRST, by reason (RFC 8684 3.6).");
	for (__u8 r = 0; r < MPX_TCPRST_REASONS; r++) {
		snprintf(buf, sizeof(buf), "reason=\"%s\"",
			 mpx_tcprst_reason_name(r));
		sample(f, "tcp_resets_total", buf, s->tcprst[r]);
	}
	single(f, "addresses_added_total", "counter",
	       "Addresses advertised with ADD_ADDR (echoes excluded).",
	       s->addrs_added);
	single(f, "addresses_removed_total", "counter",
	       "Address ids withdrawn with REMOVE_ADDR.", s->addrs_removed);
	family(f, "stream_bytes_total", "counter",
	       "Data-level stream bytes (the data level), by what became of "
	       "them.");
	sample(f, "stream_bytes_total", "result=\"delivered\"",
	       s->stream_bytes);
	sample(f, "stream_bytes_total", "result=\"gap\"", s->stream_gap_bytes);
	sample(f, "stream_bytes_total", "result=\"reinjected\"",
	       s->stream_reinjected_bytes);
	sample(f, "stream_bytes_total", "result=\"past_depth\"",
	       s->stream_depth_bytes);
	sample(f, "stream_bytes_total", "result=\"unmapped\"",
	       s->stream_unmapped_bytes);
	single(f, "stream_ooo_overflows_total", "counter",
	       "Holes given up as gaps to bound out-of-order buffering.",
	       s->stream_ooo_overflow);
	single(f, "streams_memcap_total", "counter",
	       "Stream directions not reassembled: --reassembly-memcap "
	       "reached.",
	       s->streams_memcap);
	single(f, "stream_memory_bytes", "gauge",
	       "Bytes the reassembly holds now (history and out-of-order).",
	       s->stream_memory);
	single(f, "dss_checksums_ok_total", "counter",
	       "DSS checksums checked and right (RFC 8684 3.3.1).",
	       s->dss_checksums_ok);
	single(f, "signature_matches_total", "counter",
	       "YARA matches on reassembled streams.", s->signature_matches);
	family(f, "anomalies_total", "counter", "Anomalies flagged, by kind.");
	for (int a = 0; a < MPX_ANOM_MAX; a++) {
		snprintf(buf, sizeof(buf), "kind=\"%s\"",
			 mpx_anomaly_name((enum mpx_anomaly)a));
		sample(f, "anomalies_total", buf, s->anomalies[a]);
	}
}

/* A sensor's records to Redis (--publish; README.md, "Many sensors"). */
static void publishing(FILE *f, const struct mpx_publish_stats *p)
{
	family(f, "publish_records_total", "counter",
	       "Records published to Redis (sent: acknowledged by an XADD "
	       "id; failed: Redis down or an error reply).");
	sample(f, "publish_records_total", "result=\"sent\"", p->sent);
	sample(f, "publish_records_total", "result=\"failed\"", p->failed);
	single(f, "publish_reconnects_total", "counter",
	       "Connections to Redis made again after a loss.", p->reconnects);
	single(f, "publish_connected", "gauge",
	       "1 while the connection to Redis is up.", p->connected);
}

/* The central correlator's records from Redis (correlate). */
static void consuming(FILE *f, const struct mpx_consume_stats *c)
{
	family(f, "consume_records_total", "counter",
	       "Stream entries read through the consumer group, by what "
	       "became of them.");
	sample(f, "consume_records_total", "result=\"received\"", c->received);
	sample(f, "consume_records_total", "result=\"acked\"", c->acked);
	sample(f, "consume_records_total", "result=\"rejected\"", c->rejected);
	single(f, "consume_reconnects_total", "counter",
	       "Connections to Redis made again after a loss.", c->reconnects);
	single(f, "consume_lag_records", "gauge",
	       "Entries in the streams the group has not read yet.", c->lag);
	single(f, "consume_connected", "gauge",
	       "1 while the connection to Redis is up.", c->connected);
}

char *mpx_metrics_render(const struct mpx_metrics_state *st, size_t *len)
{
	char *buf = NULL, labels[128];
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	family(f, "build_info", "gauge",
	       "Always 1: the version and event ABI of this mptcp-xdp.");
	snprintf(labels, sizeof(labels), "version=\"%s\",abi=\"%d\"",
		 MPX_VERSION, MPX_ABI_VERSION);
	sample(f, "build_info", labels, 1);
	if (st->nifaces) {
		family(f, "interface_info", "gauge",
		       "Always 1 per interface the daemon is attached to, with "
		       "its hook kinds.");
		for (int i = 0; i < st->nifaces; i++) {
			snprintf(
			    labels, sizeof(labels),
			    "interface=\"%s\",ingress=\"%s\",egress=\"%s\"",
			    st->ifaces[i].name, st->ifaces[i].ingress,
			    st->ifaces[i].egress);
			sample(f, "interface_info", labels, 1);
		}
	}
	if (!st->no_kernel) {
		kernel(f, st->counters);
		single(f, "records_rejected_total", "counter",
		       "Ring buffer records the daemon refused (another event "
		       "ABI version or size).",
		       st->records_rejected);
	}
	if (st->has_publish)
		publishing(f, &st->publish);
	if (st->has_consume)
		consuming(f, &st->consume);
	if (st->has_corr)
		correlator(f, &st->corr);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
