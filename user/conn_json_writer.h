/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `--format json` (the default): one JSON object per event and line. */
#ifndef MPX_CONN_JSON_WRITER_H
#define MPX_CONN_JSON_WRITER_H

#include <stdio.h>

#include "conn_event.h"

void mpx_conn_json_sink(struct mpx_conn_sink *s, FILE *f);

#endif /* MPX_CONN_JSON_WRITER_H */
