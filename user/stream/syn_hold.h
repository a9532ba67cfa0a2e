/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * --single-path in replay: a SYN carrying MP_CAPABLE opens what may be an
 * MPTCP connection (whose frames are replaced by its stream) or a plain TCP
 * one, if the SYN/ACK comes back without MP_CAPABLE (fallback, RFC 8684
 * section 3.1; its frames are written through). The SYN is held until the
 * SYN/ACK says which: written before it on a fallback, dropped otherwise.
 * Bounded: the oldest held SYN is written through to make room (a
 * connection that may be MPTCP keeps a SYN too many, never loses one).
 */
#ifndef MPX_SYN_HOLD_H
#define MPX_SYN_HOLD_H

#include <stddef.h>
#include <stdint.h>

#include "mptcp_flow.h"
#include "origin.h"

#define MPX_SYN_HOLD_SLOTS 64
#define MPX_SYN_HOLD_MAX   256 /* bytes of a SYN frame kept */

/* Where a held frame goes when it is let out. */
typedef void (*mpx_syn_out_fn)(void *arg, const struct mpx_origin *at,
			       const uint8_t *frame, size_t len);

struct mpx_syn_hold {
	struct {
		int used;
		struct mpx_flow_key key;
		struct mpx_origin at;
		size_t len;
		uint8_t frame[MPX_SYN_HOLD_MAX];
	} slot[MPX_SYN_HOLD_SLOTS];
	unsigned int next; /* the oldest, when all are used */
};

/* Hold the SYN of key (a retransmission replaces the held one). A frame
 * too long to keep is written through at once. */
void mpx_syn_hold_put(struct mpx_syn_hold *h, const struct mpx_flow_key *key,
		      const struct mpx_origin *at, const uint8_t *frame,
		      size_t len, mpx_syn_out_fn out, void *arg);
/* The SYN/ACK of key came: the held SYN is written (release set: the
 * connection fell back) or dropped. */
void mpx_syn_hold_answer(struct mpx_syn_hold *h, const struct mpx_flow_key *key,
			 int release, mpx_syn_out_fn out, void *arg);
/* End of input: what is still held was never answered, so never shown to
 * be MPTCP: written through. */
void mpx_syn_hold_flush(struct mpx_syn_hold *h, mpx_syn_out_fn out, void *arg);

#endif /* MPX_SYN_HOLD_H */
