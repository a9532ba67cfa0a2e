/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Which shard's stream a record goes to (--shards N), so that every
 * record of one MPTCP connection meets in one correlator (README.md,
 * "Many sensors", Routing). A connection lives in the shard of the token
 * of its side B, the listener's token: the one the joins name (Linux
 * clients open the joins), and the one any sensor can compute, alone,
 * from a join SYN or from the key an MP_CAPABLE SYN/ACK or third ACK
 * carries.
 *
 *   MP_CAPABLE with key B (SYN/ACK, third ACK)  shard(token B)
 *   MP_CAPABLE SYN (no key B yet)  held until its SYN/ACK, then with it
 *                                  (its retransmissions too, up to
 *                                  MPX_ROUTE_HELD_SYNS); after
 *                                  MPX_ROUTE_HOLD_US unanswered, as an
 *                                  unknown subflow
 *   MP_JOIN SYN                    shard(its token)
 *   any other record               the shard its subflow was routed to
 *                                  before; unknown: shard(FNV-1a of the
 *                                  canonical 4-tuple), the same on every
 *                                  sensor
 *
 * A connection whose token A is in another shard also has a shadow there
 * (the "an MP_CAPABLE's record to the shards of both its tokens"):
 * its MP_CAPABLE records (the held SYN too, once answered) and the ends of
 * its subflows (FIN, RST, MP_FASTCLOSE, MP_TCPRST) go to shard(token A) as
 * well, marked shadow. In v1 key A first shows in the third ACK: the SYN
 * and SYN/ACK wait for it (MPX_ROUTE_HELD slots, a collision forgets the
 * older) and go to the shadow then. That correlator keeps the keys without
 * writing about them, so that a join naming token A (opened by the listener),
 * which goes to shard(token A), is linked and its HMACs verified there.
 *
 * shard(token) = token mod N. Both tables are direct-mapped and bounded:
 * a collision forgets the older subflow (whose later records then go by
 * 4-tuple, without a shadow) or sends the older held SYN on by 4-tuple.
 */
#ifndef MPX_SHARD_ROUTE_H
#define MPX_SHARD_ROUTE_H

#include <linux/types.h>

#include "mptcp_event.h"
#include "origin.h"

#define MPX_ROUTE_SUBFLOWS  65536
#define MPX_ROUTE_HELD	    1024
#define MPX_ROUTE_HELD_SYNS 4
/* Linux retransmits a SYN after 1 s, then 2 s more: an answer to the
 * second still finds the first held. */
#define MPX_ROUTE_HOLD_US 3000000LL

/* A record routed: to shard, as a shadow copy or not. */
typedef void (*mpx_route_out_fn)(void *arg, const struct mpx_origin *o,
				 const struct mptcp_event *ev,
				 unsigned int shard, int shadow);

struct mpx_shard_router;

struct mpx_shard_router *mpx_shard_router_new(unsigned int shards);
void mpx_shard_router_free(struct mpx_shard_router *r);
/* Routes ev (possibly holding it, possibly releasing a held SYN first). */
void mpx_shard_route(struct mpx_shard_router *r, const struct mpx_origin *o,
		     const struct mptcp_event *ev, mpx_route_out_fn out,
		     void *arg);
/* Held SYNs older than MPX_ROUTE_HOLD_US at now go on by 4-tuple; all of
 * them when now is NULL (the end). */
void mpx_shard_router_tick(struct mpx_shard_router *r,
			   const struct mpx_origin *now, mpx_route_out_fn out,
			   void *arg);
/* The shard of a token. */
unsigned int mpx_shard_of_token(__u32 token, unsigned int shards);

#endif /* MPX_SHARD_ROUTE_H */
