/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * One record against the one expected, field by field (for readable
 * failures), then byte by byte: shared by the parser unit tests and the
 * BPF tests. The timestamp is left to the caller (the host engine writes
 * 0, the kernel bpf_ktime_get_ns()).
 */
#ifndef MPX_RECORD_CHECK_H
#define MPX_RECORD_CHECK_H

#include <linux/types.h>

#include "mptcp_event.h"

void check_record_fields(const struct mptcp_event *g,
			 const struct mptcp_event *w);

#endif /* MPX_RECORD_CHECK_H */
