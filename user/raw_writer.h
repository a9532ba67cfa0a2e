/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * `--events raw`: one JSON line per record, the schema of README.md
 * ("Raw event JSON"). Field names are fixed: tools parse them.
 */
#ifndef MPX_RAW_WRITER_H
#define MPX_RAW_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "mptcp_event.h"

/* Where and when a record was seen: frame number (1-based, 0 for live)
 * and time. */
struct mpx_origin {
	uint64_t frame;
	int64_t ts_sec;
	int32_t ts_usec;
};

/* tagged: add "record":"option", to tell option records apart from
 * connection events when both are written (--events all). */
void mpx_write_raw(FILE *f, const struct mpx_origin *o,
		   const struct mptcp_event *ev, int tagged);

#endif /* MPX_RAW_WRITER_H */
