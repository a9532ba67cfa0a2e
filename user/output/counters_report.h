/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* Counter names (from include/mptcp_counters.h) and their JSON report. */
#ifndef MPX_COUNTERS_REPORT_H
#define MPX_COUNTERS_REPORT_H

#include <stdio.h>
#include <linux/types.h>

#include "mptcp_counters.h"

const char *mpx_counter_name(unsigned int id);
const char *mpx_counter_help(unsigned int id);
/* One line: {"counters":{"packets":N,...}} */
void mpx_counters_report(FILE *f, const __u64 *ctr);

struct mpx_corr_stats;
/* One line: {"correlator":{"conns_started":N,...}} */
void mpx_corr_stats_report(FILE *f, const struct mpx_corr_stats *s);

#endif /* MPX_COUNTERS_REPORT_H */
