// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bench_frames.h"
#include "packet_builder.h"

size_t mpx_bench_frame(enum bench_frame which, uint8_t *out, size_t cap)
{
	struct pb_dss dss = {.flags = PB_DSS_A | PB_DSS_M,
			     .data_ack = 1000,
			     .dsn = 5000,
			     .ssn = 1,
			     .data_len = 1400};
	struct pb_spec s;
	uint8_t o[40];

	pb_init_v4(&s, "198.18.1.1", 40000, "198.18.1.2", 5201);
	pb_tcp_linux_ts(&s, 1, 2);
	switch (which) {
	case BF_DSS:
		pb_tcp_opt(&s, o, pb_mp_dss(o, &dss));
		s.payload_len = 1400;
		break;
	case BF_JOIN_SYN:
		s.tcp_flags = PB_TCP_SYN;
		pb_tcp_opt(&s, o, pb_mp_join_syn(o, 0, 2, 0xdeadbeef, 7));
		break;
	case BF_UDP:
		s.l4_proto = 17;
		break;
	default:
		break;
	}
	return pb_build(&s, out, cap, NULL);
}

/* The same IPv4 frame the other way: addresses and ports swapped (the
 * header checksum is a sum, and stays right). */
static void reverse_frame(uint8_t *f)
{
	uint8_t t[4];

	memcpy(t, f + 26, 4);
	memcpy(f + 26, f + 30, 4);
	memcpy(f + 30, t, 4);
	memcpy(t, f + 34, 2);
	memcpy(f + 34, f + 36, 2);
	memcpy(f + 36, t, 2);
}

int mpx_bench_prime_subflow(int prog_fd, const uint8_t *frame, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);
	uint8_t rev[2048];

	if (len > sizeof(rev)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(rev, frame, len);
	reverse_frame(rev);
	opts.data_size_in = (__u32)len;
	for (int i = 0; i < 4; i++) {
		opts.data_in = (i & 1) ? rev : frame;
		if (bpf_prog_test_run_opts(prog_fd, &opts) < 0)
			return -1;
	}
	return 0;
}

int mpx_bench_discard(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}
