/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * `--format zeek`: a Zeek-style tab-separated mptcp.log with one line per
 * connection summary (connection_closed), for Zeek tooling (zeek-cut and
 * the like). Other events are not written in this format.
 */
#ifndef MPX_ZEEK_WRITER_H
#define MPX_ZEEK_WRITER_H

#include <stdio.h>

#include "output/conn_event.h"

void mpx_zeek_writer_init(struct mpx_event_writer *s, FILE *f);

#endif /* MPX_ZEEK_WRITER_H */
