// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The Prometheus exposition of a known state, exactly (issue: "the
 * exposition text for a known state, exactly"), and the conventions every
 * family must follow whatever the state: mptcp_xdp_ prefix, # HELP and
 * # TYPE before the samples, counters ending in _total.
 *
 * The state: kernel counter id i holds 100 + i, so each line shows which
 * counter it reads; correlator figures are small distinct numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics_text.h"
#include "test_harness.h"

static void known_state(struct mpx_metrics_state *st)
{
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < MPX_CTR_MAX; i++)
		st->counters[i] = 100 + (__u64)i;
	st->records_rejected = 11;
	st->has_corr = 1;
	st->corr.conns_started = 7;
	st->corr.conns_midstream = 1;
	st->corr.conns_closed = 5;
	st->corr.conns_evicted = 2;
	st->corr.subflows_dropped = 3;
	st->corr.addrs_evicted = 4;
	st->corr.detect_evicted = 6;
	st->corr.joins_verified = 9;
	st->corr.joins_hmac_invalid = 1;
	st->corr.joins_unknown_token = 2;
	st->corr.joins_unverified = 3;
	st->corr.fallbacks = 1;
	st->corr.fastcloses = 2;
	for (int r = 0; r < MPX_TCPRST_REASONS; r++)
		st->corr.tcprst[r] = (__u64)r * 10;
	st->corr.addrs_added = 6;
	st->corr.addrs_removed = 5;
	for (int a = 0; a < MPX_ANOM_MAX; a++)
		st->corr.anomalies[a] = (__u64)a;
	st->corr.active_conns = 2;
	st->corr.active_subflows = 4;
	st->corr.stream_bytes = 1000;
	st->corr.stream_gap_bytes = 20;
	st->corr.stream_reinjected_bytes = 30;
	st->corr.stream_depth_bytes = 40;
	st->corr.stream_unmapped_bytes = 50;
	st->corr.stream_ooo_overflow = 3;
	st->corr.streams_memcap = 1;
	st->corr.stream_memory = 131072;
	st->corr.dss_checksums_ok = 77;
	st->corr.signature_matches = 5;
	st->nifaces = 2;
	strcpy(st->ifaces[0].name, "s1");
	strcpy(st->ifaces[0].ingress, "xdp-native");
	strcpy(st->ifaces[0].egress, "tcx");
	strcpy(st->ifaces[1].name, "s2");
	strcpy(st->ifaces[1].ingress, "tcx");
	strcpy(st->ifaces[1].egress, "none");
}

/* clang-format off */
static const char golden[] =
	"# HELP mptcp_xdp_build_info Always 1: the version and event ABI of this mptcp-xdp.\n"
	"# TYPE mptcp_xdp_build_info gauge\n"
	"mptcp_xdp_build_info{version=\"0.1.0\",abi=\"3\"} 1\n"
	"# HELP mptcp_xdp_interface_info Always 1 per interface the daemon is attached to, with its hook kinds.\n"
	"# TYPE mptcp_xdp_interface_info gauge\n"
	"mptcp_xdp_interface_info{interface=\"s1\",ingress=\"xdp-native\",egress=\"tcx\"} 1\n"
	"mptcp_xdp_interface_info{interface=\"s2\",ingress=\"tcx\",egress=\"none\"} 1\n"
	"# HELP mptcp_xdp_packets_total Packets seen by the parser, ingress and egress, in segments.\n"
	"# TYPE mptcp_xdp_packets_total counter\n"
	"mptcp_xdp_packets_total 100\n"
	"# HELP mptcp_xdp_packets_by_kind_total Packets by network layer kind (a packet may count in two).\n"
	"# TYPE mptcp_xdp_packets_by_kind_total counter\n"
	"mptcp_xdp_packets_by_kind_total{kind=\"ipv4\"} 101\n"
	"mptcp_xdp_packets_by_kind_total{kind=\"ipv6\"} 102\n"
	"mptcp_xdp_packets_by_kind_total{kind=\"non_ip\"} 104\n"
	"mptcp_xdp_packets_by_kind_total{kind=\"non_tcp\"} 105\n"
	"mptcp_xdp_packets_by_kind_total{kind=\"ip_later_fragment\"} 106\n"
	"mptcp_xdp_packets_by_kind_total{kind=\"vlan\"} 103\n"
	"# HELP mptcp_xdp_tcp_packets_total TCP packets seen.\n"
	"# TYPE mptcp_xdp_tcp_packets_total counter\n"
	"mptcp_xdp_tcp_packets_total 107\n"
	"# HELP mptcp_xdp_mptcp_packets_total TCP packets with at least one MPTCP option.\n"
	"# TYPE mptcp_xdp_mptcp_packets_total counter\n"
	"mptcp_xdp_mptcp_packets_total 108\n"
	"# HELP mptcp_xdp_options_total MPTCP options by subtype.\n"
	"# TYPE mptcp_xdp_options_total counter\n"
	"mptcp_xdp_options_total{subtype=\"mp_capable\"} 110\n"
	"mptcp_xdp_options_total{subtype=\"mp_join\"} 111\n"
	"mptcp_xdp_options_total{subtype=\"dss\"} 112\n"
	"mptcp_xdp_options_total{subtype=\"add_addr\"} 113\n"
	"mptcp_xdp_options_total{subtype=\"remove_addr\"} 114\n"
	"mptcp_xdp_options_total{subtype=\"mp_prio\"} 115\n"
	"mptcp_xdp_options_total{subtype=\"mp_fail\"} 116\n"
	"mptcp_xdp_options_total{subtype=\"mp_fastclose\"} 117\n"
	"mptcp_xdp_options_total{subtype=\"mp_tcprst\"} 118\n"
	"mptcp_xdp_options_total{subtype=\"mp_experimental\"} 119\n"
	"mptcp_xdp_options_total{subtype=\"unassigned\"} 120\n"
	"# HELP mptcp_xdp_options_by_version_total MP_CAPABLE and ADD_ADDR options by the MPTCP version they state.\n"
	"# TYPE mptcp_xdp_options_by_version_total counter\n"
	"mptcp_xdp_options_by_version_total{version=\"0\"} 121\n"
	"mptcp_xdp_options_by_version_total{version=\"1\"} 122\n"
	"mptcp_xdp_options_by_version_total{version=\"other\"} 123\n"
	"# HELP mptcp_xdp_option_errors_total MPTCP options that are not legal, by reason (mp_error records).\n"
	"# TYPE mptcp_xdp_option_errors_total counter\n"
	"mptcp_xdp_option_errors_total{reason=\"bad_length\"} 124\n"
	"mptcp_xdp_option_errors_total{reason=\"bad_flags\"} 125\n"
	"mptcp_xdp_option_errors_total{reason=\"unknown_subtype\"} 126\n"
	"mptcp_xdp_option_errors_total{reason=\"opt_truncated\"} 127\n"
	"mptcp_xdp_option_errors_total{reason=\"opt_len_invalid\"} 128\n"
	"# HELP mptcp_xdp_packet_errors_total Packets whose headers could not be parsed, by reason.\n"
	"# TYPE mptcp_xdp_packet_errors_total counter\n"
	"mptcp_xdp_packet_errors_total{reason=\"trunc_l2\"} 129\n"
	"mptcp_xdp_packet_errors_total{reason=\"trunc_l3\"} 130\n"
	"mptcp_xdp_packet_errors_total{reason=\"trunc_l4\"} 131\n"
	"mptcp_xdp_packet_errors_total{reason=\"bad_ip_header\"} 132\n"
	"mptcp_xdp_packet_errors_total{reason=\"bad_tcp_doff\"} 133\n"
	"mptcp_xdp_packet_errors_total{reason=\"too_many_exthdrs\"} 134\n"
	"# HELP mptcp_xdp_records_total Records pushed to the ring buffer.\n"
	"# TYPE mptcp_xdp_records_total counter\n"
	"mptcp_xdp_records_total 135\n"
	"# HELP mptcp_xdp_records_lost_total Records lost because the ring buffer was full.\n"
	"# TYPE mptcp_xdp_records_lost_total counter\n"
	"mptcp_xdp_records_lost_total 136\n"
	"# HELP mptcp_xdp_records_held_back_total Options counted but not sent to userspace, by why.\n"
	"# TYPE mptcp_xdp_records_held_back_total counter\n"
	"mptcp_xdp_records_held_back_total{why=\"kind_disabled\"} 137\n"
	"mptcp_xdp_records_held_back_total{why=\"dss_policy\"} 138\n"
	"# HELP mptcp_xdp_flow_table_inserts_total Subflows entered in the kernel flow table.\n"
	"# TYPE mptcp_xdp_flow_table_inserts_total counter\n"
	"mptcp_xdp_flow_table_inserts_total 139\n"
	"# HELP mptcp_xdp_flow_table_full_total Kernel flow table inserts that failed.\n"
	"# TYPE mptcp_xdp_flow_table_full_total counter\n"
	"mptcp_xdp_flow_table_full_total 140\n"
	"# HELP mptcp_xdp_flow_table_assured_total Subflows that carried two packets each way, moved where floods cannot flush them.\n"
	"# TYPE mptcp_xdp_flow_table_assured_total counter\n"
	"mptcp_xdp_flow_table_assured_total 141\n"
	"# HELP mptcp_xdp_payload_records_total Payload records pushed (load with --streams, --single-path or --yara).\n"
	"# TYPE mptcp_xdp_payload_records_total counter\n"
	"mptcp_xdp_payload_records_total 142\n"
	"# HELP mptcp_xdp_payload_bytes_total Payload bytes of tracked subflows, by what became of them.\n"
	"# TYPE mptcp_xdp_payload_bytes_total counter\n"
	"mptcp_xdp_payload_bytes_total{result=\"copied\"} 143\n"
	"mptcp_xdp_payload_bytes_total{result=\"past_depth\"} 144\n"
	"mptcp_xdp_payload_bytes_total{result=\"ring_full\"} 145\n"
	"# HELP mptcp_xdp_records_rejected_total Ring buffer records the daemon refused (another event ABI version or size).\n"
	"# TYPE mptcp_xdp_records_rejected_total counter\n"
	"mptcp_xdp_records_rejected_total 11\n"
	"# HELP mptcp_xdp_active_connections MPTCP connections being tracked now.\n"
	"# TYPE mptcp_xdp_active_connections gauge\n"
	"mptcp_xdp_active_connections 2\n"
	"# HELP mptcp_xdp_active_subflows Subflows of tracked connections that are open now.\n"
	"# TYPE mptcp_xdp_active_subflows gauge\n"
	"mptcp_xdp_active_subflows 4\n"
	"# HELP mptcp_xdp_connections_started_total MPTCP connections seen starting (MP_CAPABLE SYN) or midstream.\n"
	"# TYPE mptcp_xdp_connections_started_total counter\n"
	"mptcp_xdp_connections_started_total 7\n"
	"# HELP mptcp_xdp_connections_midstream_total Connections first seen after their handshake.\n"
	"# TYPE mptcp_xdp_connections_midstream_total counter\n"
	"mptcp_xdp_connections_midstream_total 1\n"
	"# HELP mptcp_xdp_connections_closed_total Connection summaries written (evicted ones included).\n"
	"# TYPE mptcp_xdp_connections_closed_total counter\n"
	"mptcp_xdp_connections_closed_total 5\n"
	"# HELP mptcp_xdp_correlator_evictions_total State dropped at a bound, by table.\n"
	"# TYPE mptcp_xdp_correlator_evictions_total counter\n"
	"mptcp_xdp_correlator_evictions_total{table=\"connections\"} 2\n"
	"mptcp_xdp_correlator_evictions_total{table=\"subflows\"} 3\n"
	"mptcp_xdp_correlator_evictions_total{table=\"addresses\"} 4\n"
	"mptcp_xdp_correlator_evictions_total{table=\"detection\"} 6\n"
	"# HELP mptcp_xdp_joins_total MP_JOIN handshakes by result.\n"
	"# TYPE mptcp_xdp_joins_total counter\n"
	"mptcp_xdp_joins_total{result=\"verified\"} 9\n"
	"mptcp_xdp_joins_total{result=\"hmac_invalid\"} 1\n"
	"mptcp_xdp_joins_total{result=\"unknown_token\"} 2\n"
	"mptcp_xdp_joins_total{result=\"unverified\"} 3\n"
	"# HELP mptcp_xdp_fallbacks_total Connections that fell back to plain TCP.\n"
	"# TYPE mptcp_xdp_fallbacks_total counter\n"
	"mptcp_xdp_fallbacks_total 1\n"
	"# HELP mptcp_xdp_fastcloses_total MP_FASTCLOSE options seen.\n"
	"# TYPE mptcp_xdp_fastcloses_total counter\n"
	"mptcp_xdp_fastcloses_total 2\n"
	"# HELP mptcp_xdp_tcp_resets_total TCP resets carrying MP_TCPRST, by reason (RFC 8684 3.6).\n"
	"# TYPE mptcp_xdp_tcp_resets_total counter\n"
	"mptcp_xdp_tcp_resets_total{reason=\"unspecified\"} 0\n"
	"mptcp_xdp_tcp_resets_total{reason=\"mptcp_error\"} 10\n"
	"mptcp_xdp_tcp_resets_total{reason=\"lack_of_resources\"} 20\n"
	"mptcp_xdp_tcp_resets_total{reason=\"administratively_prohibited\"} 30\n"
	"mptcp_xdp_tcp_resets_total{reason=\"too_much_outstanding_data\"} 40\n"
	"mptcp_xdp_tcp_resets_total{reason=\"unacceptable_performance\"} 50\n"
	"mptcp_xdp_tcp_resets_total{reason=\"middlebox_interference\"} 60\n"
	"mptcp_xdp_tcp_resets_total{reason=\"other\"} 70\n"
	"# HELP mptcp_xdp_addresses_added_total Addresses advertised with ADD_ADDR (echoes excluded).\n"
	"# TYPE mptcp_xdp_addresses_added_total counter\n"
	"mptcp_xdp_addresses_added_total 6\n"
	"# HELP mptcp_xdp_addresses_removed_total Address ids withdrawn with REMOVE_ADDR.\n"
	"# TYPE mptcp_xdp_addresses_removed_total counter\n"
	"mptcp_xdp_addresses_removed_total 5\n"
	"# HELP mptcp_xdp_stream_bytes_total Data-level stream bytes (the data level), by what became of them.\n"
	"# TYPE mptcp_xdp_stream_bytes_total counter\n"
	"mptcp_xdp_stream_bytes_total{result=\"delivered\"} 1000\n"
	"mptcp_xdp_stream_bytes_total{result=\"gap\"} 20\n"
	"mptcp_xdp_stream_bytes_total{result=\"reinjected\"} 30\n"
	"mptcp_xdp_stream_bytes_total{result=\"past_depth\"} 40\n"
	"mptcp_xdp_stream_bytes_total{result=\"unmapped\"} 50\n"
	"# HELP mptcp_xdp_stream_ooo_overflows_total Holes given up as gaps to bound out-of-order buffering.\n"
	"# TYPE mptcp_xdp_stream_ooo_overflows_total counter\n"
	"mptcp_xdp_stream_ooo_overflows_total 3\n"
	"# HELP mptcp_xdp_streams_memcap_total Stream directions not reassembled: --reassembly-memcap reached.\n"
	"# TYPE mptcp_xdp_streams_memcap_total counter\n"
	"mptcp_xdp_streams_memcap_total 1\n"
	"# HELP mptcp_xdp_stream_memory_bytes Bytes the reassembly holds now (history and out-of-order).\n"
	"# TYPE mptcp_xdp_stream_memory_bytes gauge\n"
	"mptcp_xdp_stream_memory_bytes 131072\n"
	"# HELP mptcp_xdp_dss_checksums_ok_total DSS checksums checked and right (RFC 8684 3.3.1).\n"
	"# TYPE mptcp_xdp_dss_checksums_ok_total counter\n"
	"mptcp_xdp_dss_checksums_ok_total 77\n"
	"# HELP mptcp_xdp_signature_matches_total YARA matches on reassembled streams.\n"
	"# TYPE mptcp_xdp_signature_matches_total counter\n"
	"mptcp_xdp_signature_matches_total 5\n"
	"# HELP mptcp_xdp_anomalies_total Anomalies flagged, by kind.\n"
	"# TYPE mptcp_xdp_anomalies_total counter\n"
	"mptcp_xdp_anomalies_total{kind=\"key_mismatch\"} 0\n"
	"mptcp_xdp_anomalies_total{kind=\"addr_id_reuse\"} 1\n"
	"mptcp_xdp_anomalies_total{kind=\"token_collision\"} 2\n"
	"mptcp_xdp_anomalies_total{kind=\"add_addr_hmac_invalid\"} 3\n"
	"mptcp_xdp_anomalies_total{kind=\"fastclose_key_invalid\"} 4\n"
	"mptcp_xdp_anomalies_total{kind=\"mp_fail\"} 5\n"
	"mptcp_xdp_anomalies_total{kind=\"option_error\"} 6\n"
	"mptcp_xdp_anomalies_total{kind=\"unknown_version\"} 7\n"
	"mptcp_xdp_anomalies_total{kind=\"unknown_algorithm\"} 8\n"
	"mptcp_xdp_anomalies_total{kind=\"join_hmac_invalid\"} 9\n"
	"mptcp_xdp_anomalies_total{kind=\"join_unknown_token\"} 10\n"
	"mptcp_xdp_anomalies_total{kind=\"join_flood\"} 11\n"
	"mptcp_xdp_anomalies_total{kind=\"mptcp_scan\"} 12\n"
	"mptcp_xdp_anomalies_total{kind=\"add_addr_suspicious\"} 13\n"
	"mptcp_xdp_anomalies_total{kind=\"data_overlap_mismatch\"} 14\n"
	"mptcp_xdp_anomalies_total{kind=\"dss_checksum_invalid\"} 15\n"
	"mptcp_xdp_anomalies_total{kind=\"mapping_inconsistent\"} 16\n"
	"mptcp_xdp_anomalies_total{kind=\"infinite_mapping\"} 17\n";
/* clang-format on */

TEST(exposition_of_known_state_exactly)
{
	struct mpx_metrics_state st;
	size_t len = 0;
	char *text;

	known_state(&st);
	text = mpx_metrics_render(&st, &len);
	CHECK(text != NULL, "render failed");
	if (!text)
		return;
	ASSERT_EQ(len, strlen(golden));
	if (strcmp(text, golden) != 0) {
		/* Name the first line that differs. */
		const char *a = text, *b = golden;

		while (*a && *a == *b)
			a++, b++;
		while (a > text && a[-1] != '\n')
			a--, b--;
		CHECK(0, "first difference at: %.*s", (int)strcspn(a, "\n"), a);
	}
	free(text);
}

/* Every sample's family was announced with HELP and TYPE, counters end in
 * _total, names carry the prefix; raw mode (no correlator) too. */
static void check_conventions(const struct mpx_metrics_state *st)
{
	char *text, *line, *save = NULL, family[128] = "", type[16] = "";
	size_t len = 0;
	int samples = 0;

	text = mpx_metrics_render(st, &len);
	CHECK(text != NULL, "render failed");
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(line, "# TYPE %127s %15s", family, type) == 2) {
			CHECK(strncmp(family, "mptcp_xdp_", 10) == 0,
			      "%s: no prefix", family);
			CHECK(strcmp(type, "counter") != 0 ||
				  strstr(family, "_total") ==
				      family + strlen(family) - 6,
			      "counter %s does not end in _total", family);
			continue;
		}
		if (line[0] == '#')
			continue;
		CHECK(sscanf(line, "%127[^{ ]", name) == 1, "bad line %s",
		      line);
		CHECK(strcmp(name, family) == 0,
		      "sample %s under the TYPE of %s", name, family);
		samples++;
	}
	CHECK(samples > 40, "only %d samples", samples);
	free(text);
}

TEST(conventions_with_correlator)
{
	struct mpx_metrics_state st;

	known_state(&st);
	check_conventions(&st);
}

TEST(conventions_raw_mode)
{
	struct mpx_metrics_state st;

	known_state(&st);
	st.has_corr = 0;
	st.nifaces = 0;
	check_conventions(&st);
}

/* Many sensors: a publishing sensor's families, and the central
 * correlator's (consume, and no kernel families: it has no kernel side). */
TEST(exposition_publish_and_consume)
{
	struct mpx_metrics_state st;
	size_t len = 0;
	char *text;

	memset(&st, 0, sizeof(st));
	st.has_publish = 1;
	st.publish.sent = 41;
	st.publish.failed = 2;
	st.publish.reconnects = 1;
	st.publish.connected = 1;
	text = mpx_metrics_render(&st, &len);
	if (!CHECK(text != NULL, "render failed"))
		return;
	CHECK(
	    strstr(text,
		   "\nmptcp_xdp_publish_records_total{result=\"sent\"} 41\n") !=
		NULL,
	    "sent");
	CHECK(strstr(
		  text,
		  "\nmptcp_xdp_publish_records_total{result=\"failed\"} 2\n") !=
		  NULL,
	      "failed");
	CHECK(strstr(text, "\nmptcp_xdp_publish_reconnects_total 1\n") != NULL,
	      "reconnects");
	CHECK(strstr(text, "\nmptcp_xdp_packets_total 0\n") != NULL,
	      "a sensor has its kernel families");
	free(text);
	memset(&st, 0, sizeof(st));
	st.no_kernel = 1;
	st.has_consume = 1;
	st.consume.received = 50;
	st.consume.acked = 49;
	st.consume.lag = 7;
	text = mpx_metrics_render(&st, &len);
	if (!CHECK(text != NULL, "render failed"))
		return;
	CHECK(strstr(
		  text,
		  "\nmptcp_xdp_consume_records_total{result=\"acked\"} 49\n") !=
		  NULL,
	      "acked");
	CHECK(strstr(text, "\nmptcp_xdp_consume_lag_records 7\n") != NULL,
	      "lag");
	CHECK(strstr(text, "packets_total") == NULL,
	      "no kernel families centrally");
	free(text);
}

TEST_MAIN("test_metrics")
