// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central/consumer.h"
#include "central/reorder_window.h"
#include "publish/redis_link.h"

#define ACK_BATCH	512
#define HOUSEKEEPING_MS 1000

struct stream_state {
	/* Pending entries of this consumer are read again first (after a
	 * restart): from this id on; "" once they are all read. */
	char history[MPX_ENTRY_ID_MAX];
	int nacks;
	char (*acks)[MPX_ENTRY_ID_MAX];
};

struct mpx_consumer {
	struct mpx_redis_link link;
	struct mpx_redis_url url;
	const char *group, *name;
	struct stream_state s[MPX_REDIS_MAX_KEYS];
	struct mpx_consume_stats st;
	long long housekept_ms;
};

/* A command with its reply checked: the reply, or NULL after a loss (the
 * connection is then closed, to be retried). */
static redisReply *command(struct mpx_consumer *c, int argc, const char **argv)
{
	struct mpx_sigpipe_guard g;
	redisReply *r;

	if (!c->link.ctx)
		return NULL;
	mpx_sigpipe_hold(&g);
	r = redisCommandArgv(c->link.ctx, argc, argv, NULL);
	mpx_sigpipe_release(&g);
	if (!r) {
		fprintf(stderr,
			"mptcp-xdp: warning: redis at %s:%d lost (%s): "
			"retrying\n",
			c->url.host, c->url.port, c->link.ctx->errstr);
		mpx_redis_lost(&c->link);
		c->st.connected = 0;
	}
	return r;
}

/* The group on every key, made where missing; this consumer's pending
 * entries to be read again from the start. */
static int make_groups(struct mpx_consumer *c, char *err, size_t errlen)
{
	for (int i = 0; i < c->url.nkeys; i++) {
		const char *argv[] = {"XGROUP", "CREATE", c->url.keys[i],
				      c->group, "0",	  "MKSTREAM"};
		redisReply *r = command(c, 6, argv);

		if (!r) {
			snprintf(err, errlen, "redis at %s:%d lost",
				 c->url.host, c->url.port);
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR &&
		    strncmp(r->str, "BUSYGROUP", 9) != 0) {
			snprintf(err, errlen, "redis: XGROUP CREATE %s: %s",
				 c->url.keys[i], r->str);
			freeReplyObject(r);
			return -1;
		}
		freeReplyObject(r);
		snprintf(c->s[i].history, sizeof(c->s[i].history), "0");
	}
	return 0;
}

struct mpx_consumer *mpx_consumer_open(const struct mpx_redis_url *url,
				       const char *group, const char *name,
				       char *err, size_t errlen)
{
	struct mpx_consumer *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->url = *url;
	c->group = group;
	c->name = name;
	for (int i = 0; i < url->nkeys; i++) {
		c->s[i].acks = calloc(ACK_BATCH, sizeof(*c->s[i].acks));
		if (!c->s[i].acks) {
			snprintf(err, errlen, "out of memory");
			mpx_consumer_close(c);
			return NULL;
		}
	}
	c->link.host = c->url.host;
	c->link.port = c->url.port;
	if (mpx_redis_connect(&c->link, err, errlen) < 0 ||
	    make_groups(c, err, errlen) < 0) {
		mpx_consumer_close(c);
		return NULL;
	}
	c->st.connected = 1;
	return c;
}

static void reconnect(struct mpx_consumer *c)
{
	char err[256];

	if (c->link.ctx || !mpx_redis_retry(&c->link))
		return;
	if (make_groups(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "mptcp-xdp: warning: %s\n", err);
		return;
	}
	c->st.connected = 1;
	c->st.reconnects = c->link.reconnects;
	fprintf(stderr, "mptcp-xdp: notice: redis at %s:%d reconnected\n",
		c->url.host, c->url.port);
}

static const redisReply *field_r(const redisReply *fields)
{
	if (fields->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		const redisReply *k = fields->element[i];

		if (k->type == REDIS_REPLY_STRING && k->len == 1 &&
		    k->str[0] == 'r' &&
		    fields->element[i + 1]->type == REDIS_REPLY_STRING)
			return fields->element[i + 1];
	}
	return NULL;
}

static int key_index(const struct mpx_consumer *c, const redisReply *k)
{
	for (int i = 0; i < c->url.nkeys; i++)
		if (k->type == REDIS_REPLY_STRING &&
		    strlen(c->url.keys[i]) == k->len &&
		    memcmp(c->url.keys[i], k->str, k->len) == 0)
			return i;
	return -1;
}

/* The reply of XREADGROUP: [[key, [[id, [field, value...]]...]]...]. */
static int take(struct mpx_consumer *c, const redisReply *r, mpx_entry_fn fn,
		void *arg)
{
	int n = 0;

	if (r->type != REDIS_REPLY_ARRAY)
		return 0;
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *s = r->element[i], *entries;
		int k;

		if (s->type != REDIS_REPLY_ARRAY || s->elements != 2)
			continue;
		k = key_index(c, s->element[0]);
		entries = s->element[1];
		if (k < 0 || entries->type != REDIS_REPLY_ARRAY)
			continue;
		if (c->s[k].history[0] && entries->elements == 0)
			c->s[k].history[0] = '\0'; /* on to new entries */
		for (size_t e = 0; e < entries->elements; e++) {
			const redisReply *ent = entries->element[e], *v;

			if (ent->type != REDIS_REPLY_ARRAY ||
			    ent->elements != 2 ||
			    ent->element[0]->type != REDIS_REPLY_STRING ||
			    ent->element[0]->len >= MPX_ENTRY_ID_MAX)
				continue;
			if (c->s[k].history[0])
				snprintf(c->s[k].history,
					 sizeof(c->s[k].history), "%s",
					 ent->element[0]->str);
			/* A pending entry deleted meanwhile has no fields. */
			v = field_r(ent->element[1]);
			c->st.received++;
			fn(arg, k, ent->element[0]->str, v ? v->str : NULL,
			   v ? v->len : 0);
			n++;
		}
	}
	return n;
}

int mpx_consumer_read(struct mpx_consumer *c, int count, int block_ms,
		      mpx_entry_fn fn, void *arg)
{
	const char *argv[8 + 2 * MPX_REDIS_MAX_KEYS];
	char cnt[16], blk[16];
	int argc = 0, history = 0, n;
	redisReply *r;

	reconnect(c);
	if (!c->link.ctx) {
		/* Down: wait out part of the back-off instead of spinning. */
		struct timespec ts = {0, 100 * 1000000L};

		nanosleep(&ts, NULL);
		return 0;
	}
	for (int i = 0; i < c->url.nkeys; i++)
		history |= c->s[i].history[0] != '\0';
	snprintf(cnt, sizeof(cnt), "%d", count);
	snprintf(blk, sizeof(blk), "%d", block_ms);
	argv[argc++] = "XREADGROUP";
	argv[argc++] = "GROUP";
	argv[argc++] = c->group;
	argv[argc++] = c->name;
	argv[argc++] = "COUNT";
	argv[argc++] = cnt;
	if (!history) {
		/* Reading history never blocks: those entries are there. */
		argv[argc++] = "BLOCK";
		argv[argc++] = blk;
	}
	argv[argc++] = "STREAMS";
	for (int i = 0; i < c->url.nkeys; i++)
		argv[argc++] = c->url.keys[i];
	for (int i = 0; i < c->url.nkeys; i++)
		argv[argc++] = c->s[i].history[0] ? c->s[i].history : ">";
	r = command(c, argc, argv);
	if (!r)
		return 0;
	if (r->type == REDIS_REPLY_ERROR) {
		/* NOGROUP: the stream was deleted (or Redis restarted empty
		 * without our noticing): make the groups again. */
		static int said;

		if (!said++)
			fprintf(stderr, "mptcp-xdp: warning: redis: %s\n",
				r->str);
		if (strncmp(r->str, "NOGROUP", 7) == 0) {
			char err[256];

			freeReplyObject(r);
			make_groups(c, err, sizeof(err));
			return 0;
		}
		freeReplyObject(r);
		return 0;
	}
	n = take(c, r, fn, arg);
	freeReplyObject(r);
	return n;
}

void mpx_consumer_ack(struct mpx_consumer *c, int stream, const char *id)
{
	struct stream_state *s = &c->s[stream];

	if (s->nacks == ACK_BATCH)
		mpx_consumer_flush(c);
	snprintf(s->acks[s->nacks++], MPX_ENTRY_ID_MAX, "%s", id);
}

static void send_acks(struct mpx_consumer *c, int k)
{
	const char *argv[3 + ACK_BATCH];
	struct stream_state *s = &c->s[k];
	redisReply *r;

	if (!s->nacks)
		return;
	argv[0] = "XACK";
	argv[1] = c->url.keys[k];
	argv[2] = c->group;
	for (int i = 0; i < s->nacks; i++)
		argv[3 + i] = s->acks[i];
	r = command(c, 3 + s->nacks, argv);
	/* Lost: the entries stay pending, and are read again (after a
	 * restart of Redis with its data; without, they are gone). */
	if (r && r->type == REDIS_REPLY_INTEGER)
		c->st.acked += (__u64)r->integer;
	if (r)
		freeReplyObject(r);
	s->nacks = 0;
}

/* The oldest entry still pending in the group, or every entry up to the
 * group's last delivered one: what may go (XTRIM MINID ~, Redis 6.2). One
 * group per stream is assumed: another group's unread entries would be
 * trimmed too. */
static void trim(struct mpx_consumer *c, int k)
{
	const char *argv[5] = {"XPENDING", c->url.keys[k], c->group};
	char minid[MPX_ENTRY_ID_MAX] = "";
	redisReply *r = command(c, 3, argv);

	if (!r)
		return;
	if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER &&
	    r->element[0]->integer > 0 &&
	    r->element[1]->type == REDIS_REPLY_STRING)
		snprintf(minid, sizeof(minid), "%s", r->element[1]->str);
	freeReplyObject(r);
	if (!minid[0]) {
		/* Nothing pending: what the group has read may go. */
		const char *a[] = {"XINFO", "GROUPS", c->url.keys[k]};

		r = command(c, 3, a);
		if (!r)
			return;
		for (size_t i = 0;
		     r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
			const redisReply *g = r->element[i];
			const char *name = NULL, *last = NULL;

			for (size_t f = 0; g->type == REDIS_REPLY_ARRAY &&
					   f + 1 < g->elements;
			     f += 2) {
				const redisReply *key = g->element[f],
						 *val = g->element[f + 1];

				if (key->type != REDIS_REPLY_STRING ||
				    val->type != REDIS_REPLY_STRING)
					continue;
				if (strcmp(key->str, "name") == 0)
					name = val->str;
				else if (strcmp(key->str,
						"last-delivered-id") == 0)
					last = val->str;
			}
			if (name && last && strcmp(name, c->group) == 0 &&
			    strcmp(last, "0-0") != 0)
				snprintf(minid, sizeof(minid), "%s", last);
		}
		freeReplyObject(r);
		if (!minid[0])
			return;
	}
	argv[0] = "XTRIM";
	argv[2] = "MINID";
	argv[3] = "~";
	argv[4] = minid;
	r = command(c, 5, argv);
	if (r)
		freeReplyObject(r);
}

/* Entries not yet delivered to the group, added up over the streams. */
static void read_lag(struct mpx_consumer *c)
{
	__u64 lag = 0;

	for (int k = 0; k < c->url.nkeys; k++) {
		const char *a[] = {"XINFO", "GROUPS", c->url.keys[k]};
		redisReply *r = command(c, 3, a);

		if (!r)
			return;
		for (size_t i = 0;
		     r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
			const redisReply *g = r->element[i];
			int ours = 0;
			long long v = -1;

			for (size_t f = 0; g->type == REDIS_REPLY_ARRAY &&
					   f + 1 < g->elements;
			     f += 2) {
				const redisReply *key = g->element[f],
						 *val = g->element[f + 1];

				if (key->type != REDIS_REPLY_STRING)
					continue;
				if (strcmp(key->str, "name") == 0 &&
				    val->type == REDIS_REPLY_STRING)
					ours = strcmp(val->str, c->group) == 0;
				else if (strcmp(key->str, "lag") == 0 &&
					 val->type == REDIS_REPLY_INTEGER)
					v = val->integer;
			}
			if (ours && v > 0)
				lag += (__u64)v;
		}
		freeReplyObject(r);
	}
	c->st.lag = lag;
}

void mpx_consumer_flush(struct mpx_consumer *c)
{
	long long now = mpx_redis_now_ms();

	for (int k = 0; k < c->url.nkeys; k++)
		send_acks(c, k);
	if (!c->link.ctx || now - c->housekept_ms < HOUSEKEEPING_MS)
		return;
	c->housekept_ms = now;
	for (int k = 0; k < c->url.nkeys; k++)
		trim(c, k);
	read_lag(c);
}

const struct mpx_consume_stats *mpx_consumer_stats(struct mpx_consumer *c)
{
	return &c->st;
}

void mpx_consumer_close(struct mpx_consumer *c)
{
	if (!c)
		return;
	for (int k = 0; k < c->url.nkeys; k++) {
		if (c->link.ctx)
			send_acks(c, k);
		free(c->s[k].acks);
	}
	mpx_redis_close(&c->link);
	free(c);
}
