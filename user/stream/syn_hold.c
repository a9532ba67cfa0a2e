// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <string.h>

#include "stream/syn_hold.h"

static int find(const struct mpx_syn_hold *h, const struct mpx_flow_key *key)
{
	for (int i = 0; i < MPX_SYN_HOLD_SLOTS; i++)
		if (h->slot[i].used &&
		    memcmp(&h->slot[i].key, key, sizeof(*key)) == 0)
			return i;
	return -1;
}

static void let_out(struct mpx_syn_hold *h, int i, mpx_syn_out_fn out,
		    void *arg)
{
	out(arg, &h->slot[i].at, h->slot[i].frame, h->slot[i].len);
	h->slot[i].used = 0;
}

void mpx_syn_hold_put(struct mpx_syn_hold *h, const struct mpx_flow_key *key,
		      const struct mpx_origin *at, const uint8_t *frame,
		      size_t len, mpx_syn_out_fn out, void *arg)
{
	int i = find(h, key);

	if (len > MPX_SYN_HOLD_MAX) {
		out(arg, at, frame, len);
		return;
	}
	if (i < 0) {
		for (i = 0; i < MPX_SYN_HOLD_SLOTS && h->slot[i].used; i++)
			;
		if (i == MPX_SYN_HOLD_SLOTS) {
			i = (int)(h->next++ % MPX_SYN_HOLD_SLOTS);
			let_out(h, i, out, arg);
		}
	}
	h->slot[i].used = 1;
	h->slot[i].key = *key;
	h->slot[i].at = *at;
	h->slot[i].len = len;
	memcpy(h->slot[i].frame, frame, len);
}

void mpx_syn_hold_answer(struct mpx_syn_hold *h, const struct mpx_flow_key *key,
			 int release, mpx_syn_out_fn out, void *arg)
{
	int i = find(h, key);

	if (i < 0)
		return;
	if (release)
		let_out(h, i, out, arg);
	else
		h->slot[i].used = 0;
}

void mpx_syn_hold_flush(struct mpx_syn_hold *h, mpx_syn_out_fn out, void *arg)
{
	for (int i = 0; i < MPX_SYN_HOLD_SLOTS; i++)
		if (h->slot[i].used)
			let_out(h, i, out, arg);
}
