// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The DSS checksum (dss_checksum.h): RFC 8684 section 3.3.1, the RFC 1071
 * ones' complement sum over a 16-byte pseudo-header and the mapping.
 *
 * Hand-written on purpose: no Debian userspace library offers a plain
 * RFC 1071 sum worth depending on for these few lines (the kernel's
 * csum_partial is not exported to userspace; libpcap, libbpf and libcrypto
 * have none).
 *
 * Why the pieces can come in any order: a ones' complement sum, folded with
 * end-around carry, is the total integer sum modulo 0xffff (a non-zero
 * multiple of 0xffff reads 0xffff, only an all-zero input reads 0), so it
 * does not depend on how the words were grouped. What a byte contributes
 * depends only on the parity of its offset: even is a word's high byte
 * (weight 256), odd its low byte. The pseudo-header is 16 bytes, so it
 * does not shift the payload's parity, and a missing low byte at the end
 * of an odd-length mapping is RFC 1071's zero pad, which adds nothing.
 */
#include "stream/dss_checksum.h"

/* End-around carry until the value fits 16 bits. */
static uint32_t fold64(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

mpx_csum_t mpx_dss_csum_add(mpx_csum_t acc, uint64_t off, const uint8_t *buf,
			    size_t len)
{
	/* A 64-bit local sum, at most 0xffff per byte pair, cannot overflow
	 * before 2^49 bytes; folding once at the end keeps the returned
	 * accumulator within 16 bits, so callers may add pieces forever. */
	uint64_t s = acc;
	size_t i = 0;

	if (!len)
		return acc;
	if (off & 1) {
		s += buf[0];
		i = 1;
	}
	for (; i + 1 < len; i += 2)
		s += (uint32_t)buf[i] << 8 | buf[i + 1];
	if (i < len)
		s += (uint32_t)buf[i] << 8;
	return fold64(s);
}

/* acc plus the pseudo-header, with csum in its checksum field; folded. */
static uint32_t with_header(mpx_csum_t acc, uint64_t dsn, uint32_t ssn,
			    uint16_t data_len, uint16_t csum)
{
	uint64_t s = acc;

	s += (dsn >> 48) + (dsn >> 32 & 0xffff) + (dsn >> 16 & 0xffff) +
	     (dsn & 0xffff);
	s += (ssn >> 16) + (ssn & 0xffff);
	s += data_len;
	s += csum;
	return fold64(s);
}

uint16_t mpx_dss_csum_value(mpx_csum_t acc, uint64_t dsn, uint32_t ssn,
			    uint16_t data_len)
{
	return (uint16_t)~with_header(acc, dsn, ssn, data_len, 0);
}

int mpx_dss_csum_ok(mpx_csum_t acc, uint64_t dsn, uint32_t ssn,
		    uint16_t data_len, uint16_t checksum)
{
	/* The receiver's check in RFC 1071 terms, and the one Linux makes
	 * (validate_data_csum() in net/mptcp/subflow.c: csum_fold of
	 * the whole is 0): the
	 * sum including the carried checksum is all ones. So where the right
	 * value is 0x0000, 0xffff (the other ones' complement zero) passes
	 * too, as it does in the kernel. */
	return with_header(acc, dsn, ssn, data_len, checksum) == 0xffff;
}
