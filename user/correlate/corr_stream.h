/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The correlator's data level (docs/design.md, "The data level"): for each
 * connection and direction, the data-level byte stream put back in DSN
 * order from every subflow's payload through the DSS mappings (RFC 8684
 * section 3.3), handed to the stream files, the single-path capture and
 * YARA, with its gaps, copies that differ and checksum failures reported.
 * Not for use outside user/correlate/.
 */
#ifndef MPX_CORR_STREAM_H
#define MPX_CORR_STREAM_H

#include "correlate/conn_table.h"

struct mpx_correlator;
struct corr_rec;

/* A record of a known subflow, after its handler (SYN: ISNs; DSS and a
 * data-carrying MP_CAPABLE: mappings, DATA_FIN). */
void corr_stream_record(struct mpx_correlator *c, struct corr_rec *r);
/* The connection's summary is due: what is buffered goes out (holes as
 * data_gap), the consumers close, and s gets the per-direction counts. */
void corr_stream_close(struct mpx_correlator *c, struct mpx_conn *conn,
		       const struct mpx_origin *o, struct mpx_conn_summary *s);
/* The connection goes without a summary: free what it holds. */
void corr_stream_discard(struct mpx_conn *conn);

#endif /* MPX_CORR_STREAM_H */
