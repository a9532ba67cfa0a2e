/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Reading the sensors' streams through a Redis consumer group (`correlate
 * --from`): the group is made where missing (XGROUP CREATE ... 0
 * MKSTREAM: what was published before the correlator started is read
 * too); this consumer's pending entries (read before a restart, never
 * acknowledged) are read again first, then new ones (XREADGROUP ... >).
 * An entry is acknowledged (XACK) only once the correlator has taken its
 * record, and the entries every consumer of the group acknowledged are
 * trimmed (XTRIM MINID ~). A lost connection is retried with back-off
 * (redis_link.h), the group made again if Redis came back empty.
 */
#ifndef MPX_CONSUMER_H
#define MPX_CONSUMER_H

#include <stddef.h>
#include <linux/types.h>

#include "publish/redis_url.h"

struct mpx_consume_stats {
	__u64 received;	  /* entries read */
	__u64 acked;	  /* entries acknowledged */
	__u64 rejected;	  /* entries that were not a record (acknowledged) */
	__u64 reconnects; /* connections made again after a loss */
	__u64 lag;	  /* gauge: entries in the streams not yet read by
			     the group (XINFO GROUPS, Redis 7) */
	__u64 connected;  /* gauge */
};

/* One entry: which stream (index into the URL's keys), its id, and the
 * value of its field "r" (data NULL when it has none). */
typedef void (*mpx_entry_fn)(void *arg, int stream, const char *id,
			     const void *data, size_t len);

struct mpx_consumer;

/* Connects and makes the group on every key; NULL with a one-line message
 * (Redis unreachable or refusing: MPX_EXIT_REDIS). */
struct mpx_consumer *mpx_consumer_open(const struct mpx_redis_url *url,
				       const char *group, const char *name,
				       char *err, size_t errlen);
/* Up to count entries, waiting at most block_ms for the first; returns
 * how many were given to fn. Connection loss: 0, retried later. */
int mpx_consumer_read(struct mpx_consumer *c, int count, int block_ms,
		      mpx_entry_fn fn, void *arg);
/* Acknowledges an entry (batched: sent by mpx_consumer_flush()). */
void mpx_consumer_ack(struct mpx_consumer *c, int stream, const char *id);
/* Sends the acknowledgements; once a second also trims and reads the lag. */
void mpx_consumer_flush(struct mpx_consumer *c);
const struct mpx_consume_stats *mpx_consumer_stats(struct mpx_consumer *c);
void mpx_consumer_close(struct mpx_consumer *c);

#endif /* MPX_CONSUMER_H */
