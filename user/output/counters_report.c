// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>

#include "correlate/correlate.h"
#include "output/counters_report.h"

#define NAME_ENTRY(id, name, help) [MPX_CTR_##id] = name,
#define HELP_ENTRY(id, name, help) [MPX_CTR_##id] = help,
static const char *const names[MPX_CTR_MAX] = {MPX_COUNTER_LIST(NAME_ENTRY)};
static const char *const helps[MPX_CTR_MAX] = {MPX_COUNTER_LIST(HELP_ENTRY)};
#undef NAME_ENTRY
#undef HELP_ENTRY

const char *mpx_counter_name(unsigned int id)
{
	return id < MPX_CTR_MAX ? names[id] : "unknown";
}

const char *mpx_counter_help(unsigned int id)
{
	return id < MPX_CTR_MAX ? helps[id] : "";
}

void mpx_counters_report(FILE *f, const __u64 *ctr)
{
	fputs("{\"counters\":{", f);
	for (unsigned int id = 0; id < MPX_CTR_MAX; id++)
		fprintf(f, "%s\"%s\":%" PRIu64, id ? "," : "", names[id],
			(uint64_t)ctr[id]);
	fputs("}}\n", f);
}

void mpx_corr_stats_report(FILE *f, const struct mpx_corr_stats *s)
{
	fprintf(f,
		"{\"correlator\":{\"conns_started\":%llu,"
		"\"conns_midstream\":%llu,\"conns_closed\":%llu,"
		"\"conns_evicted\":%llu,\"subflows_dropped\":%llu,"
		"\"joins_verified\":%llu,\"joins_hmac_invalid\":%llu,"
		"\"joins_unknown_token\":%llu,\"joins_unverified\":%llu,"
		"\"fallbacks\":%llu,\"fastcloses\":%llu,"
		"\"addrs_added\":%llu,\"addrs_removed\":%llu,"
		"\"addrs_evicted\":%llu,"
		"\"detect_windows\":%llu,\"detect_evicted\":%llu,"
		"\"active_conns\":%llu,\"active_subflows\":%llu,"
		"\"stream_bytes\":%llu,\"stream_gap_bytes\":%llu,"
		"\"stream_reinjected_bytes\":%llu,"
		"\"stream_depth_bytes\":%llu,"
		"\"stream_unmapped_bytes\":%llu,"
		"\"stream_ooo_overflow\":%llu,\"streams_memcap\":%llu,"
		"\"dss_checksums_ok\":%llu,\"signature_matches\":%llu",
		(unsigned long long)s->conns_started,
		(unsigned long long)s->conns_midstream,
		(unsigned long long)s->conns_closed,
		(unsigned long long)s->conns_evicted,
		(unsigned long long)s->subflows_dropped,
		(unsigned long long)s->joins_verified,
		(unsigned long long)s->joins_hmac_invalid,
		(unsigned long long)s->joins_unknown_token,
		(unsigned long long)s->joins_unverified,
		(unsigned long long)s->fallbacks,
		(unsigned long long)s->fastcloses,
		(unsigned long long)s->addrs_added,
		(unsigned long long)s->addrs_removed,
		(unsigned long long)s->addrs_evicted,
		(unsigned long long)s->detect_entries,
		(unsigned long long)s->detect_evicted,
		(unsigned long long)s->active_conns,
		(unsigned long long)s->active_subflows,
		(unsigned long long)s->stream_bytes,
		(unsigned long long)s->stream_gap_bytes,
		(unsigned long long)s->stream_reinjected_bytes,
		(unsigned long long)s->stream_depth_bytes,
		(unsigned long long)s->stream_unmapped_bytes,
		(unsigned long long)s->stream_ooo_overflow,
		(unsigned long long)s->streams_memcap,
		(unsigned long long)s->dss_checksums_ok,
		(unsigned long long)s->signature_matches);
	fputs(",\"anomalies\":{", f);
	for (int a = 0; a < MPX_ANOM_MAX; a++)
		fprintf(f, "%s\"%s\":%llu", a ? "," : "", mpx_anomaly_name(a),
			(unsigned long long)s->anomalies[a]);
	fputs("}}}\n", f);
}
