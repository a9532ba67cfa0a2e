/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The DSS checksum (RFC 8684 section 3.3.1): the TCP-style ones' complement
 * sum (RFC 1071) of a pseudo-header (64-bit DSN, 32-bit relative subflow
 * sequence number, 16-bit data-level length, 16-bit checksum) and the
 * mapping's payload. Bytes may be added in any order, in any pieces: each
 * byte's weight in the sum depends only on its offset from the mapping's
 * first byte (even: high byte of a 16-bit word, odd: low byte).
 */
#ifndef MPX_DSS_CHECKSUM_H
#define MPX_DSS_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* A partial sum: start at 0. */
typedef uint32_t mpx_csum_t;

/* Add len bytes that sit at offset off from the mapping's first byte. */
mpx_csum_t mpx_dss_csum_add(mpx_csum_t acc, uint64_t off, const uint8_t *buf,
			    size_t len);
/* The checksum a sender puts in the option for this mapping, given the sum
 * of all its bytes (the pseudo-header's checksum field taken as 0). */
uint16_t mpx_dss_csum_value(mpx_csum_t acc, uint64_t dsn, uint32_t ssn,
			    uint16_t data_len);
/* 1 when checksum (as carried in the option) is right for the mapping. */
int mpx_dss_csum_ok(mpx_csum_t acc, uint64_t dsn, uint32_t ssn,
		    uint16_t data_len, uint16_t checksum);

#endif /* MPX_DSS_CHECKSUM_H */
