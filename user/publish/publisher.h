/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * A sensor's publisher (load and replay --publish): the records the
 * central correlator needs (record_codec.h), each XADDed to its shard's
 * stream with MAXLEN ~, pipelined in batches. Redis unreachable at start
 * is an error; lost later, records are counted as failed (never queued:
 * the sensor keeps inspecting at its own pace) while it reconnects with
 * back-off (redis_link.h). README.md, "Many sensors".
 */
#ifndef MPX_PUBLISHER_H
#define MPX_PUBLISHER_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "mptcp_event.h"
#include "origin.h"
#include "publish/record_codec.h"
#include "publish/redis_url.h"

#define MPX_PUBLISH_MAXLEN_DEFAULT 1000000
#define MPX_MAX_SHARDS		   64

/* What the command line says (load and replay). */
struct mpx_publish_cli {
	const char *url;     /* --publish, or NULL: no publishing */
	const char *sensor;  /* --sensor, or NULL: the host name */
	unsigned int shards; /* --shards, 1 when not given */
	__u64 maxlen;	     /* --stream-maxlen */
};

struct mpx_publish_stats {
	__u64 sent;	  /* acknowledged by Redis (XADD returned an id) */
	__u64 failed;	  /* not published: Redis down, or an error reply */
	__u64 reconnects; /* connections made again after a loss */
	__u64 connected;  /* gauge: 1 or 0 */
	__u64 in_flight;  /* gauge: sent, reply not read yet */
};

struct mpx_publisher;

/* Connects; NULL with a one-line message when Redis is unreachable or
 * refuses (MPX_EXIT_REDIS), or the options are wrong (MPX_EXIT_USAGE):
 * *code says which. */
struct mpx_publisher *mpx_publisher_open(const struct mpx_publish_cli *cli,
					 char *err, size_t errlen, int *code);
/* A record from the pipeline; those the correlator does not need are
 * ignored. */
void mpx_publisher_put(struct mpx_publisher *p, const struct mpx_origin *o,
		       const struct mptcp_event *ev);
/* Time passes: batches written, held records released, a reconnection
 * attempted when due. */
void mpx_publisher_tick(struct mpx_publisher *p, const struct mpx_origin *now);
/* Everything held written and answered (the end of input). */
void mpx_publisher_flush(struct mpx_publisher *p);
/* Flushed, then closed and freed. */
void mpx_publisher_close(struct mpx_publisher *p);
const struct mpx_publish_stats *mpx_publisher_stats(struct mpx_publisher *p);
/* --stats: one JSON line {"publish":{...}}; nothing for NULL. */
void mpx_publish_stats_report(FILE *f, const struct mpx_publish_stats *s);
/* The stream key of shard i ("KEY" with one shard, else "KEY:i"). */
void mpx_publish_stream_key(const char *key, unsigned int shards,
			    unsigned int i, char *out, size_t len);

#endif /* MPX_PUBLISHER_H */
