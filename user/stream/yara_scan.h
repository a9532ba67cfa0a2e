/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * YARA over a reassembled data-level stream (libyara): the rules see the
 * bytes in DSN order as the receiver does, so a string split across TCP
 * segments or MPTCP subflows still matches. libyara has no incremental
 * scan: each scan covers the last MPX_YARA_WINDOW bytes already scanned
 * plus the new ones, and only matches that end in the new part are
 * reported. A string longer than MPX_YARA_WINDOW bytes may therefore be
 * missed (docs/design.md, "The data level").
 */
#ifndef MPX_YARA_SCAN_H
#define MPX_YARA_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of scanned stream kept to be scanned again with the next ones. */
#define MPX_YARA_WINDOW (64 * 1024)
/* New bytes gathered before a scan (and at mpx_yara_stream_flush()). */
#define MPX_YARA_BATCH (64 * 1024)

struct mpx_yara_rules;
struct mpx_yara_stream;

struct mpx_yara_match {
	const char *rule;  /* the rule's identifier */
	uint64_t off;	   /* stream offset of the first matched byte */
	uint64_t len;	   /* matched bytes */
	uint32_t subflows; /* bit i: subflow i carried some of them */
	int split;	   /* no single subflow carried all of them */
};

/* Subflows are counted as carriers of the bytes they delivered first
 * (mpx_yara_stream_data()) and of every copy of them that comes before the
 * match is reported (mpx_yara_stream_copy()): a range retransmitted or
 * reinjected whole on one subflow is not split, since a matcher on that
 * subflow's packets could have seen it. A string match is reported at the
 * scan after the one that found it (MPX_YARA_BATCH more bytes), or at a
 * gap or the flush, so that such copies have time to come. */

typedef void (*mpx_yara_match_fn)(void *arg, const struct mpx_yara_match *m);

/* Compile the rules file once. NULL with a one-line message in err. */
struct mpx_yara_rules *mpx_yara_rules_load(const char *path, char *err,
					   size_t errlen);
void mpx_yara_rules_free(struct mpx_yara_rules *r);

/* One direction of one connection. NULL when out of memory. */
struct mpx_yara_stream *mpx_yara_stream_new(struct mpx_yara_rules *r,
					    mpx_yara_match_fn fn, void *arg);
/* In-order bytes at offset off carried by subflow sf (0..31). */
void mpx_yara_stream_data(struct mpx_yara_stream *s, uint64_t off,
			  const uint8_t *buf, size_t len, int sf);
/* Another copy of [off, off + len), carried by subflow sf: bytes already
 * given by mpx_yara_stream_data() whose matches are not reported yet
 * (others are not counted). */
void mpx_yara_stream_copy(struct mpx_yara_stream *s, uint64_t off, uint64_t len,
			  int sf);
/* [off, off + len) was never seen: no match spans it. */
void mpx_yara_stream_gap(struct mpx_yara_stream *s, uint64_t off, uint64_t len);
/* Scan what is gathered (end of the stream). */
void mpx_yara_stream_flush(struct mpx_yara_stream *s);
void mpx_yara_stream_free(struct mpx_yara_stream *s);

#endif /* MPX_YARA_SCAN_H */
