// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_options.h"
#include "mptcp_event.h"
#include "output/event_names.h"

int mpx_parse_dss_policy(const char *s, struct mpx_config *cfg, char *err,
			 size_t errlen)
{
	char *end;
	unsigned long n;

	if (strcmp(s, "all") == 0) {
		cfg->dss_policy = MPX_DSS_ALL;
		return 0;
	}
	if (strcmp(s, "edges") == 0) {
		cfg->dss_policy = MPX_DSS_EDGES;
		return 0;
	}
	if (strncmp(s, "sample:", 7) == 0) {
		errno = 0;
		n = strtoul(s + 7, &end, 10);
		if (errno == 0 && end != s + 7 && *end == '\0' && n >= 1 &&
		    n <= 0xffffffffUL) {
			cfg->dss_policy = MPX_DSS_SAMPLE;
			cfg->dss_sample_n = (__u32)n;
			return 0;
		}
	}
	snprintf(err, errlen,
		 "--dss: '%s' is not all, edges or sample:N (N >= 1)", s);
	return -1;
}

int mpx_parse_kinds(const char *s, __u32 *mask, char *err, size_t errlen)
{
	char *copy = strdup(s), *save = NULL, *tok;
	__u32 m = 0;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int found = 0;

		if (strcmp(tok, "all") == 0) {
			m |= MPX_EMIT_ALL_KINDS;
			continue;
		}
		for (__u8 k = 0; k < MPX_EV_PAYLOAD; k++) {
			if (strcmp(tok, mpx_kind_name(k)) == 0) {
				m |= MPX_KIND_BIT(k);
				found = 1;
			}
		}
		if (!found) {
			snprintf(err, errlen,
				 "--kinds: unknown record kind '%s'", tok);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (!m) {
		snprintf(err, errlen, "--kinds: empty list");
		return -1;
	}
	*mask = m;
	return 0;
}

int mpx_parse_events(const char *s, enum mpx_events_mode *m)
{
	if (strcmp(s, "conn") == 0)
		*m = MPX_EVENTS_CONN;
	else if (strcmp(s, "raw") == 0)
		*m = MPX_EVENTS_RAW;
	else if (strcmp(s, "all") == 0)
		*m = MPX_EVENTS_ALL;
	else
		return -1;
	return 0;
}

int mpx_parse_format(const char *s, enum mpx_format *f)
{
	if (strcmp(s, "json") == 0)
		*f = MPX_FORMAT_JSON;
	else if (strcmp(s, "text") == 0)
		*f = MPX_FORMAT_TEXT;
	else if (strcmp(s, "zeek") == 0)
		*f = MPX_FORMAT_ZEEK;
	else
		return -1;
	return 0;
}

int mpx_parse_count(const char *s, size_t min, size_t max, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -1;
	*out = (size_t)v;
	return 0;
}

int mpx_parse_bytes(const char *s, __u64 *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (1ull << 62) >> shift)
		return -1;
	*out = (__u64)v << shift;
	return 0;
}

int mpx_parse_detect_option(int which, const char *arg,
			    struct mpx_detect_opts *o, char *err, size_t errlen)
{
	static const char *const names[] = {
	    "--detect-window", "--join-flood-threshold", "--scan-threshold"};
	static const size_t max[] = {86400, 1000000, 1000000};
	size_t v;

	if (which == 0)
		return mpx_parse_home_nets(arg, &o->home, err, errlen);
	if (which == 4) {
		o->doc_ranges_suspicious = 1;
		return 0;
	}
	if (which < 1 || which > 3)
		return -1;
	if (mpx_parse_count(arg, 1, max[which - 1], &v) < 0) {
		snprintf(err, errlen, "%s takes a number from 1 to %zu",
			 names[which - 1], max[which - 1]);
		return -1;
	}
	if (which == 1)
		o->window_sec = (unsigned int)v;
	else if (which == 2)
		o->join_flood_threshold = (unsigned int)v;
	else
		o->scan_threshold = (unsigned int)v;
	return 0;
}
