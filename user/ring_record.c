// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <string.h>

#include "ring_record.h"

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
	memcpy(ev, data, need);
	memset((__u8 *)ev + need, 0, sizeof(*ev) - need);
	if (bytes)
		*bytes = (const __u8 *)data + need;
	return 0;
}
