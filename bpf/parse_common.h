/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * What the parsing headers need from their surroundings, so that the same
 * code compiles into the BPF object and into host binaries (tests, fuzzer,
 * replay --engine host). No BPF helpers and no libc calls below this line.
 *
 * The includer provides the __u8/__u16/... types first: vmlinux.h in BPF,
 * <linux/types.h> on the host.
 */
#ifndef MPX_PARSE_COMMON_H
#define MPX_PARSE_COMMON_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define mpx_inline static __always_inline

/* Small fixed loops are unrolled for the BPF target (straight-line code is
 * the cheapest thing to verify); the host compiler decides for itself. */
#ifdef __bpf__
#define MPX_UNROLL _Pragma("unroll")
#else
#define MPX_UNROLL
#endif

/* The TCP option space is at most 40 bytes (data offset 15). It is copied
 * into a buffer of a power-of-two size so that every read of it can be
 * masked into bounds, which the verifier accepts without tracking lengths. */
#define MPX_TCP_OPT_SPACE 40
#define MPX_OPT_BUF	  64
#define MPX_OPT_MASK	  (MPX_OPT_BUF - 1)

/* Big-endian reads from a byte pointer the caller has bounds-checked. */
mpx_inline __u16 mpx_get_be16(const __u8 *p)
{
	return (__u16)((__u16)p[0] << 8 | p[1]);
}

mpx_inline __u32 mpx_get_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 |
	       (__u32)p[3];
}

#endif /* MPX_PARSE_COMMON_H */
