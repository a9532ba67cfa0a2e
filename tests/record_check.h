/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Expectations shared by the parser unit tests and the BPF tests: one
 * record against the one expected, field by field (for readable failures)
 * then byte by byte; and the whole counter vector. The record's timestamp
 * is left to the caller (the host engine writes 0, the kernel
 * bpf_ktime_get_ns()).
 */
#ifndef MPX_RECORD_CHECK_H
#define MPX_RECORD_CHECK_H

#include <linux/types.h>

#include <stddef.h>

#include "mptcp_counters.h"
#include "mptcp_event.h"

struct pb_spec;

/* The record expected for the frame built from s: its common part filled
 * from the spec (IPv4 addresses mapped as ::ffff:a.b.c.d), the union zero,
 * ts_ns zero. */
void want_from_spec(struct mptcp_event *w, const struct pb_spec *s, __u8 kind,
		    __u8 hook, __u32 ifindex, __u8 sub, __u8 opt_len,
		    __u8 version, __u8 index);

void check_record_fields(const struct mptcp_event *g,
			 const struct mptcp_event *w);

struct ctr_want {
	int id;
	__u64 n;
};

/* Every counter: the listed ones at their value, all others zero. */
void check_counters(const __u64 *got, const struct ctr_want *w, size_t nw);

/* check_counters(got, CTRS({MPX_CTR_PACKETS, 1}, ...)) */
#define CTRS(...)                                                              \
	(const struct ctr_want[]){__VA_ARGS__},                                \
	    sizeof((const struct ctr_want[]){__VA_ARGS__}) /                   \
		sizeof(struct ctr_want)

#endif /* MPX_RECORD_CHECK_H */
