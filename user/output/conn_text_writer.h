/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `--format text`: one aligned line per event, for a person at a terminal. */
#ifndef MPX_CONN_TEXT_WRITER_H
#define MPX_CONN_TEXT_WRITER_H

#include <stdio.h>

#include "output/conn_event.h"

void mpx_text_writer_init(struct mpx_event_writer *s, FILE *f);
/* UTC time with microseconds: "2026-11-26 04:13:08.123456". */
void mpx_format_time(int64_t sec, int32_t usec, char *out, size_t outlen);

#endif /* MPX_CONN_TEXT_WRITER_H */
