/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * A record as the kernel side puts it in the ring buffer: only as long as
 * its kind needs (MPX_RECORD_SIZE() in include/mptcp_event.h), a payload
 * record followed by its bytes. Every reader of the ring (the live
 * pipeline, the BPF replay engine, the tests) widens it here into the
 * zeroed struct mptcp_event the rest of userspace handles.
 */
#ifndef MPX_RING_RECORD_H
#define MPX_RING_RECORD_H

#include <stddef.h>
#include <linux/types.h>

#include "mptcp_event.h"

/*
 * The size-size bytes at data into *ev: 0 when the record is of this event
 * ABI and exactly its kind's size (a payload record: its size plus
 * u.payload.len bytes, at most MPX_PAYLOAD_CHUNK); then *ev holds the
 * record, zero past its kind's body, and *bytes (when not NULL) points
 * at a payload record's bytes in data. -1 otherwise, with *ev
 * untouched: a record is never read past size, nor guessed at.
 */
int mpx_ring_record_widen(const void *data, size_t size, struct mptcp_event *ev,
			  const __u8 **bytes);

#endif /* MPX_RING_RECORD_H */
