/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `--format json` (the default): one JSON object per event and line. */
#ifndef MPX_CONN_JSON_WRITER_H
#define MPX_CONN_JSON_WRITER_H

#include <stdio.h>

#include "output/conn_event.h"

void mpx_json_writer_init(struct mpx_event_writer *s, FILE *f);

#endif /* MPX_CONN_JSON_WRITER_H */
