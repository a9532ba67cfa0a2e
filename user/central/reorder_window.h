/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The correlator's reorder window (`correlate`): records of several
 * sensors arrive out of time order (each sensor publishes in batches, and
 * the streams are read in turn), but the correlator needs a connection's
 * records in the order they happened: an MP_CAPABLE third ACK seen by
 * sensor A before the join SYN seen by sensor B. A min-heap by record
 * time (then arrival order, so one sensor's order is kept), bounded.
 * README.md, "Many sensors", Reorder window.
 */
#ifndef MPX_REORDER_WINDOW_H
#define MPX_REORDER_WINDOW_H

#include <stddef.h>
#include <linux/types.h>

#include "publish/record_codec.h"

/* A Redis stream entry id: "<ms>-<seq>", at most 20 + 1 + 20 digits. */
#define MPX_ENTRY_ID_MAX 48

struct mpx_held_record {
	struct mpx_decoded d;
	__u64 seq;  /* arrival order */
	int stream; /* which of the --from keys */
	char id[MPX_ENTRY_ID_MAX];
};

struct mpx_reorder_window;

struct mpx_reorder_window *mpx_reorder_new(size_t capacity);
void mpx_reorder_free(struct mpx_reorder_window *w);
size_t mpx_reorder_count(const struct mpx_reorder_window *w);
int mpx_reorder_full(const struct mpx_reorder_window *w);
/* Adds a record (the window must not be full); its seq is set here. */
void mpx_reorder_push(struct mpx_reorder_window *w,
		      const struct mpx_held_record *r);
/* The earliest record, or NULL when empty. */
const struct mpx_held_record *
mpx_reorder_top(const struct mpx_reorder_window *w);
/* Takes the earliest record out into out (the window must not be empty). */
void mpx_reorder_pop(struct mpx_reorder_window *w, struct mpx_held_record *out);
/* A record's time in microseconds. */
__s64 mpx_reorder_usec(const struct mpx_held_record *r);

#endif /* MPX_REORDER_WINDOW_H */
