// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/exit_codes.h"
#include "publish/publisher.h"
#include "publish/redis_link.h"
#include "publish/shard_route.h"

/* XADDs sent before their replies are read: one round trip per batch. */
#define BATCH 256
/* A batch not full yet is written at least this often (ms). */
#define DRAIN_MS 50

struct mpx_publisher {
	struct mpx_redis_link link;
	struct mpx_redis_url url;
	char sensor[MPX_SENSOR_MAX + 1];
	unsigned int shards;
	char maxlen[24];
	char (*keys)[MPX_REDIS_KEY_MAX + 16]; /* one per shard */
	struct mpx_shard_router *router;      /* shards > 1 */
	unsigned int pending;		      /* appended, reply unread */
	struct mpx_publish_stats st;
	long long drained_ms; /* CLOCK_MONOTONIC of the last drain */
};

void mpx_publish_stream_key(const char *key, unsigned int shards,
			    unsigned int i, char *out, size_t len)
{
	if (shards <= 1)
		snprintf(out, len, "%s", key);
	else
		snprintf(out, len, "%s:%u", key, i);
}

static void say_lost(struct mpx_publisher *p, const char *why)
{
	fprintf(stderr,
		"mptcp-xdp: warning: redis at %s:%d lost (%s): records are "
		"counted as not published while it reconnects\n",
		p->url.host, p->url.port, why);
}

static void lose(struct mpx_publisher *p)
{
	say_lost(p, p->link.ctx->errstr[0] ? p->link.ctx->errstr : "closed");
	p->st.failed += p->pending;
	p->pending = 0;
	mpx_redis_lost(&p->link);
	p->st.connected = 0;
	p->st.in_flight = 0;
}

/* Reads the replies of the batch sent. */
static void drain(struct mpx_publisher *p)
{
	struct mpx_sigpipe_guard g;
	static int said_error;

	if (!p->link.ctx || !p->pending)
		return;
	mpx_sigpipe_hold(&g);
	while (p->pending) {
		redisReply *r = NULL;

		if (redisGetReply(p->link.ctx, (void **)&r) != REDIS_OK) {
			lose(p);
			break;
		}
		p->pending--;
		if (r->type == REDIS_REPLY_STRING) {
			p->st.sent++;
		} else {
			p->st.failed++;
			if (!said_error && r->type == REDIS_REPLY_ERROR) {
				said_error = 1;
				fprintf(stderr,
					"mptcp-xdp: warning: redis refused a "
					"record: %s\n",
					r->str);
			}
		}
		freeReplyObject(r);
	}
	mpx_sigpipe_release(&g);
	p->st.in_flight = p->pending;
	p->drained_ms = mpx_redis_now_ms();
}

static void try_reconnect(struct mpx_publisher *p)
{
	if (p->link.ctx || !mpx_redis_retry(&p->link))
		return;
	p->st.connected = 1;
	p->st.reconnects = p->link.reconnects;
	fprintf(stderr,
		"mptcp-xdp: notice: redis at %s:%d reconnected; %llu records "
		"not published in all\n",
		p->url.host, p->url.port, (unsigned long long)p->st.failed);
}

static void send_one(void *arg, const struct mpx_origin *o,
		     const struct mptcp_event *ev, unsigned int shard,
		     int shadow)
{
	struct mpx_publisher *p = arg;
	__u8 buf[MPX_CODEC_MAX];
	const char *argv[8];
	size_t lens[8];
	size_t n;

	try_reconnect(p);
	if (!p->link.ctx) {
		p->st.failed++;
		return;
	}
	n = mpx_codec_encode(p->sensor, o, ev, shadow, buf);
	argv[0] = "XADD";
	argv[1] = p->keys[shard];
	argv[2] = "MAXLEN";
	argv[3] = "~";
	argv[4] = p->maxlen;
	argv[5] = "*";
	argv[6] = "r";
	argv[7] = (const char *)buf;
	for (int i = 0; i < 7; i++)
		lens[i] = strlen(argv[i]);
	lens[7] = n;
	if (redisAppendCommandArgv(p->link.ctx, 8, argv, lens) != REDIS_OK) {
		p->st.failed++;
		return;
	}
	p->pending++;
	p->st.in_flight = p->pending;
	if (p->pending >= BATCH)
		drain(p);
}

static int default_sensor(char *out, size_t len, char *err, size_t errlen)
{
	char host[HOST_NAME_MAX + 1] = "";

	if (gethostname(host, sizeof(host)) < 0 || !host[0]) {
		snprintf(err, errlen,
			 "--sensor: the host name cannot be read; "
			 "name the sensor");
		return -1;
	}
	host[HOST_NAME_MAX] = '\0';
	snprintf(out, len, "%s", host);
	return 0;
}

struct mpx_publisher *mpx_publisher_open(const struct mpx_publish_cli *cli,
					 char *err, size_t errlen, int *code)
{
	struct mpx_publisher *p = calloc(1, sizeof(*p));

	*code = MPX_EXIT_USAGE;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		*code = MPX_EXIT_FAILURE;
		return NULL;
	}
	if (mpx_redis_url_parse(cli->url, "--publish", &p->url, err, errlen) <
	    0)
		goto fail;
	if (p->url.nkeys != 1) {
		snprintf(err, errlen, "--publish takes one stream key");
		goto fail;
	}
	if (cli->sensor)
		snprintf(p->sensor, sizeof(p->sensor), "%s", cli->sensor);
	else if (default_sensor(p->sensor, sizeof(p->sensor), err, errlen) < 0)
		goto fail;
	if (!mpx_sensor_name_valid(cli->sensor ? cli->sensor : p->sensor)) {
		snprintf(err, errlen,
			 "--sensor: '%s' is not 1 to %d of A-Z a-z 0-9 . _ -",
			 cli->sensor ? cli->sensor : p->sensor, MPX_SENSOR_MAX);
		goto fail;
	}
	p->shards = cli->shards ? cli->shards : 1;
	snprintf(p->maxlen, sizeof(p->maxlen), "%llu",
		 (unsigned long long)(cli->maxlen
					  ? cli->maxlen
					  : MPX_PUBLISH_MAXLEN_DEFAULT));
	p->keys = calloc(p->shards, sizeof(*p->keys));
	if (!p->keys)
		goto oom;
	for (unsigned int i = 0; i < p->shards; i++)
		mpx_publish_stream_key(p->url.keys[0], p->shards, i, p->keys[i],
				       sizeof(p->keys[i]));
	if (p->shards > 1) {
		p->router = mpx_shard_router_new(p->shards);
		if (!p->router)
			goto oom;
	}
	p->link.host = p->url.host;
	p->link.port = p->url.port;
	if (mpx_redis_connect(&p->link, err, errlen) < 0) {
		*code = MPX_EXIT_REDIS;
		goto fail;
	}
	p->st.connected = 1;
	return p;
oom:
	snprintf(err, errlen, "out of memory");
	*code = MPX_EXIT_FAILURE;
fail:
	mpx_shard_router_free(p->router);
	free(p->keys);
	free(p);
	return NULL;
}

void mpx_publisher_put(struct mpx_publisher *p, const struct mpx_origin *o,
		       const struct mptcp_event *ev)
{
	if (!mpx_codec_wanted(ev))
		return;
	if (p->router)
		mpx_shard_route(p->router, o, ev, send_one, p);
	else
		send_one(p, o, ev, 0, 0);
}

void mpx_publisher_tick(struct mpx_publisher *p, const struct mpx_origin *now)
{
	if (p->router)
		mpx_shard_router_tick(p->router, now, send_one, p);
	/* Ticks come with every frame in replay and every record live: a
	 * round trip each would be the bottleneck. */
	if (p->pending && mpx_redis_now_ms() - p->drained_ms >= DRAIN_MS)
		drain(p);
	try_reconnect(p);
}

void mpx_publisher_flush(struct mpx_publisher *p)
{
	if (p->router)
		mpx_shard_router_tick(p->router, NULL, send_one, p);
	drain(p);
}

void mpx_publisher_close(struct mpx_publisher *p)
{
	if (!p)
		return;
	mpx_publisher_flush(p);
	mpx_redis_close(&p->link);
	mpx_shard_router_free(p->router);
	free(p->keys);
	free(p);
}

void mpx_publish_stats_report(FILE *f, const struct mpx_publish_stats *s)
{
	if (!s)
		return;
	fprintf(f,
		"{\"publish\":{\"sent\":%llu,\"failed\":%llu,"
		"\"reconnects\":%llu,\"connected\":%llu}}\n",
		(unsigned long long)s->sent, (unsigned long long)s->failed,
		(unsigned long long)s->reconnects,
		(unsigned long long)s->connected);
}

const struct mpx_publish_stats *mpx_publisher_stats(struct mpx_publisher *p)
{
	return &p->st;
}
