/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* The frames the benchmarks run the BPF programs on (xdp_cost, ring_drive,
 * xdp_profile), and what running them needs: one definition, so that all
 * measure the same packets the same way. */
#ifndef MPX_BENCH_FRAMES_H
#define MPX_BENCH_FRAMES_H

#include <stddef.h>
#include <stdint.h>

enum bench_frame { BF_TCP_ACK, BF_DSS, BF_JOIN_SYN, BF_UDP, BF_MAX };

/* Representative frames, IPv4, with the timestamps option Linux sends:
 * a plain TCP ACK, an MPTCP DSS data packet (1400 bytes of payload), an
 * MP_JOIN SYN, a UDP datagram. The frame's length. */
size_t mpx_bench_frame(enum bench_frame which, uint8_t *out, size_t cap);

/* A DSS data packet is timed on a subflow as it is most of its life: in
 * the flow table, assured (packets both ways), each direction past its
 * first mapping. Two runs of the frame each way through the XDP program
 * prog_fd make it so; without them every run would be of a one-way
 * subflow that never gets there. 0, or -1 with errno. */
int mpx_bench_prime_subflow(int prog_fd, const uint8_t *frame, size_t len);

/* A ring buffer callback that drops the record: the benchmarks drain the
 * ring between test runs so that every record is really written. */
int mpx_bench_discard(void *ctx, void *data, size_t size);

#endif /* MPX_BENCH_FRAMES_H */
