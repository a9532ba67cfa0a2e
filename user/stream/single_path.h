/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * --single-path: a capture (libpcap, Ethernet) in which each MPTCP
 * connection is one ordinary TCP connection on its initial subflow's
 * 4-tuple: a handshake without MPTCP options, each direction's data-level
 * stream as segments with contiguous sequence numbers (a hole in the stream
 * is a hole in the sequence space, never invented bytes), ACKs, FINs. Any
 * IDS, tcpflow or `tshark -z follow,tcp` then reads the whole payload as
 * one stream. Frames that are not MPTCP are written through unchanged.
 */
#ifndef MPX_SINGLE_PATH_H
#define MPX_SINGLE_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "origin.h"

/* Payload bytes per synthesised segment. */
#define MPX_SP_MSS 1400

struct mpx_single_path;
struct mpx_sp_conn;

/* The initial subflow, initiator (a) first; addresses as in the event
 * record (IPv4 mapped ::ffff:a.b.c.d when family is 4). */
struct mpx_sp_tuple {
	uint8_t family; /* 4 or 6 */
	uint8_t a_addr[16], b_addr[16];
	uint16_t a_port, b_port; /* host byte order */
};

/* NULL with a one-line message in err. */
struct mpx_single_path *mpx_single_path_open(const char *path, char *err,
					     size_t errlen);
/* 0, or -1 when a write failed (err). */
int mpx_single_path_close(struct mpx_single_path *sp, char *err, size_t errlen);
/* An Ethernet frame written as it is. */
void mpx_single_path_frame(struct mpx_single_path *sp,
			   const struct mpx_origin *at, const uint8_t *frame,
			   size_t len);
/* A connection begins: SYN, SYN/ACK, ACK, with ISNs isn_a and isn_b (the
 * data-level stream's byte i in direction d goes at isn_d + 1 + i). */
struct mpx_sp_conn *mpx_single_path_conn_open(struct mpx_single_path *sp,
					      const struct mpx_sp_tuple *t,
					      uint32_t isn_a, uint32_t isn_b,
					      const struct mpx_origin *at);
/* In-order stream bytes at offset off of direction dir (0 = a to b). */
void mpx_single_path_data(struct mpx_single_path *sp, struct mpx_sp_conn *c,
			  int dir, uint64_t off, const uint8_t *buf, size_t len,
			  const struct mpx_origin *at);
/* The connection ends: a FIN each way after the last byte (end_a2b and
 * end_b2a: the stream lengths, holes included), the last ACK. Frees c. */
void mpx_single_path_conn_close(struct mpx_single_path *sp,
				struct mpx_sp_conn *c, uint64_t end_a2b,
				uint64_t end_b2a, const struct mpx_origin *at);

#endif /* MPX_SINGLE_PATH_H */
