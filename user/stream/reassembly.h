/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * One direction of one MPTCP connection's data-level byte stream, put back
 * in DSN order (RFC 8684 section 3.3): bytes arrive by data sequence number
 * from whichever subflow carried them, in any order, repeated
 * (retransmission, reinjection on another subflow), and leave in order, each
 * once, through the delivery callbacks. Offsets are from the stream's base
 * (IDSN + 1, RFC 8684 section 3.1): byte i is the byte at DSN base + i.
 *
 * Nothing is guessed: a range never seen is delivered as a gap (its length
 * only) when the stream is flushed, or when buffering past it would exceed
 * the out-of-order bound. Knows nothing of subflows' TCP sequence numbers
 * (dss_map.h) nor of the correlator: this is the data structure.
 */
#ifndef MPX_REASSEMBLY_H
#define MPX_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of already delivered data kept to compare a later copy of the
 * same range with (data_overlap_mismatch); older ranges are not checked. */
#define MPX_REASM_HISTORY 65536

struct mpx_reasm_ops {
	/* In-order bytes at offset off (contiguous with the previous call or
	 * gap); sf is the subflow that carried them first. */
	void (*data)(void *arg, uint64_t off, const uint8_t *buf, size_t len,
		     int sf);
	/* A range that was never seen, [off, off + len). */
	void (*gap)(void *arg, uint64_t off, uint64_t len);
	/* A copy of [off, off + len) that differs from the bytes already
	 * taken for it (RFC 8684 section 3.3 gives no rule for which copy a
	 * receiver keeps: the ambiguity an evader uses). */
	void (*mismatch)(void *arg, uint64_t off, uint64_t len, int sf);
	/* Another copy of [off, off + len) came by subflow sf (retransmitted
	 * or reinjected; mismatch says when its bytes differ), delivered or
	 * still waiting. Optional. */
	void (*copy)(void *arg, uint64_t off, uint64_t len, int sf);
};

struct mpx_reasm_limits {
	uint64_t depth; /* bytes of stream taken; past it, counted only */
	size_t ooo_max; /* bytes buffered ahead of a hole, per direction */
};

struct mpx_reasm_stats {
	uint64_t data_bytes;	   /* delivered */
	uint64_t gap_bytes;	   /* delivered as gaps */
	uint64_t reinjected_bytes; /* copies of bytes already taken */
	uint64_t depth_bytes;	   /* stream bytes seen past the depth */
	uint64_t ooo_overflow;	   /* times the bound forced a gap */
};

struct mpx_reasm_chunk;

struct mpx_reasm {
	uint64_t base; /* DSN of offset 0 */
	uint64_t next; /* offset of the next byte to deliver */
	uint64_t end;  /* offset of the DATA_FIN, UINT64_MAX until seen */
	struct mpx_reasm_chunk *ooo; /* ahead of next, sorted, disjoint */
	size_t ooo_bytes;
	uint8_t *hist;	    /* ring: byte at offset o is hist[o % HISTORY] */
	uint64_t hist_from; /* the ring holds nothing older (the last gap) */
	struct mpx_reasm_limits lim;
	const struct mpx_reasm_ops *ops;
	void *arg;
	struct mpx_reasm_stats st;
};

/* 0, or -1 when out of memory. */
int mpx_reasm_init(struct mpx_reasm *r, uint64_t base,
		   const struct mpx_reasm_limits *lim,
		   const struct mpx_reasm_ops *ops, void *arg);
/* Bytes at data sequence number dsn (64-bit), carried by subflow sf. */
void mpx_reasm_add(struct mpx_reasm *r, uint64_t dsn, const uint8_t *buf,
		   size_t len, int sf);
/* The DATA_FIN is at dsn (it takes one DSN and no byte, RFC 8684 section
 * 3.3.3): the stream ends there. */
void mpx_reasm_fin(struct mpx_reasm *r, uint64_t dsn);
/* End of the connection: what is buffered goes out, holes as gaps, up to
 * the DATA_FIN when one was seen. */
void mpx_reasm_flush(struct mpx_reasm *r);
void mpx_reasm_free(struct mpx_reasm *r);

/*
 * A 4-byte DSN (the DSS "m" flag clear) is the low 32 bits of the 64-bit
 * one (RFC 8684 section 3.3): the full value is the one nearest to where
 * the stream is expected to be, so it wraps forward and back correctly.
 */
uint64_t mpx_dsn_expand(uint64_t expected, uint32_t low32);

#endif /* MPX_REASSEMBLY_H */
