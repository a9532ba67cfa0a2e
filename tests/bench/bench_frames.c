// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
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
	pb_tcp_nop(&s);
	pb_tcp_nop(&s);
	pb_tcp_opt(&s, o, pb_opt_ts(o, 1, 2));
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
