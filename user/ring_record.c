// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <string.h>

#include "ring_record.h"

/* The copy and the zeroes in constant sizes, which the compiler does
 * inline (a few vector moves) where a variable size calls memcpy and
 * memset: one record each on the daemon's hottest path. */
#define WIDEN_AS(n)                                                            \
	case n:                                                                \
		memcpy(ev, data, n);                                           \
		memset((__u8 *)ev + n, 0, sizeof(*ev) - n);                    \
		break

static void widen(struct mptcp_event *ev, const void *data, size_t need)
{
	switch (need) {
		WIDEN_AS(72);
		WIDEN_AS(80);
		WIDEN_AS(104);
		WIDEN_AS(112);
	default:
		memcpy(ev, data, need);
		memset((__u8 *)ev + need, 0, sizeof(*ev) - need);
		break;
	}
}

int mpx_ring_record_widen(const void *data, size_t size, struct mptcp_event *ev,
			  const __u8 **bytes)
{
	const struct mptcp_event *r = data;
	size_t need;
	__u16 len = 0;

	/* The common part first: it says the ABI and the kind. */
	if (size < MPX_RECORD_HEAD || r->abi_version != MPX_ABI_VERSION)
		return -1;
	need = MPX_RECORD_SIZE(r->kind);
	if (size < need)
		return -1;
	if (r->kind == MPX_EV_PAYLOAD) {
		memcpy(&len,
		       (const __u8 *)data + MPX_RECORD_HEAD +
			   offsetof(struct mpx_ev_payload, len),
		       sizeof(len));
		if (len > MPX_PAYLOAD_CHUNK)
			return -1;
	}
	if (size != need + len)
		return -1;
	widen(ev, data, need);
	if (bytes)
		*bytes = (const __u8 *)data + need;
	return 0;
}
