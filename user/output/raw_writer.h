/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * `--events raw`: one JSON line per record, the schema of README.md
 * ("Option records"). Field names are fixed: tools parse them.
 */
#ifndef MPX_RAW_WRITER_H
#define MPX_RAW_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "mptcp_event.h"
#include "origin.h"

/* tagged: add "record":"option", to tell option records apart from
 * connection events when both are written (--events all). */
void mpx_write_raw(FILE *f, const struct mpx_origin *o,
		   const struct mptcp_event *ev, int tagged);

#endif /* MPX_RAW_WRITER_H */
