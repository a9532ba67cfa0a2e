/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* Parsing of the option values shared by the commands (--dss, --kinds). */
#ifndef MPX_CLI_OPTIONS_H
#define MPX_CLI_OPTIONS_H

#include <stddef.h>
#include <linux/types.h>

#include "detect/detect.h"
#include "mptcp_config.h"
#include "pipeline.h"

#define MPX_DEFAULT_MAX_CONNS 65536

/* "all", "edges" or "sample:N" (N >= 1). 0, or -1 with a message. */
int mpx_parse_dss_policy(const char *s, struct mpx_config *cfg, char *err,
			 size_t errlen);
/* Comma-separated raw event names ("mp_join,mp_dss") or "all". */
int mpx_parse_kinds(const char *s, __u32 *mask, char *err, size_t errlen);

/* conn | raw | all */
int mpx_parse_events(const char *s, enum mpx_events_mode *m);
/* json | text | zeek */
int mpx_parse_format(const char *s, enum mpx_format *f);
/* The detection options, by index: 0 --home-net, 1 --detect-window,
 * 2 --join-flood-threshold, 3 --scan-threshold, 4 --doc-ranges-suspicious
 * (no value). 0, or -1 with a message. */
int mpx_parse_detect_option(int which, const char *arg,
			    struct mpx_detect_opts *o, char *err,
			    size_t errlen);
/* A decimal count within [min, max]. */
int mpx_parse_count(const char *s, size_t min, size_t max, size_t *out);
/* A size in bytes: a number with an optional K, M or G (powers of 1024).
 * 0, or -1 when it is not one or is over 2^62. */
int mpx_parse_bytes(const char *s, __u64 *out);

#endif /* MPX_CLI_OPTIONS_H */
