// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "publish/redis_link.h"

long long mpx_redis_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mpx_sigpipe_hold(struct mpx_sigpipe_guard *g)
{
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE);
}

void mpx_sigpipe_release(struct mpx_sigpipe_guard *g)
{
	static const struct timespec zero = {0, 0};
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pending);
	if (!g->was_pending && sigismember(&pending, SIGPIPE))
		sigtimedwait(&set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static struct timeval tv_of_ms(long long ms)
{
	struct timeval tv = {.tv_sec = ms / 1000,
			     .tv_usec = (ms % 1000) * 1000};

	return tv;
}

int mpx_redis_connect(struct mpx_redis_link *l, char *err, size_t errlen)
{
	struct mpx_sigpipe_guard g;
	redisContext *c;
	redisReply *r;
	int ok;

	c = redisConnectWithTimeout(l->host, l->port,
				    tv_of_ms(MPX_REDIS_TIMEOUT_MS));
	if (!c || c->err) {
		snprintf(err, errlen, "redis at %s:%d: %s", l->host, l->port,
			 c ? c->errstr : "out of memory");
		redisFree(c);
		return -1;
	}
	redisSetTimeout(c, tv_of_ms(MPX_REDIS_TIMEOUT_MS));
	mpx_sigpipe_hold(&g);
	r = redisCommand(c, "PING");
	mpx_sigpipe_release(&g);
	ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
	if (!ok) {
		snprintf(err, errlen, "redis at %s:%d does not answer PING: %s",
			 l->host, l->port,
			 !r				? c->errstr
			 : r->type == REDIS_REPLY_ERROR ? r->str
							: "unexpected reply");
		if (r)
			freeReplyObject(r);
		redisFree(c);
		return -1;
	}
	freeReplyObject(r);
	l->ctx = c;
	l->backoff_ms = MPX_REDIS_BACKOFF_MIN_MS;
	return 0;
}

void mpx_redis_lost(struct mpx_redis_link *l)
{
	redisFree(l->ctx);
	l->ctx = NULL;
	if (l->backoff_ms < MPX_REDIS_BACKOFF_MIN_MS)
		l->backoff_ms = MPX_REDIS_BACKOFF_MIN_MS;
	l->next_try_ms = mpx_redis_now_ms() + l->backoff_ms;
}

int mpx_redis_retry(struct mpx_redis_link *l)
{
	char err[256];
	long long next;

	if (l->ctx)
		return 0;
	if (mpx_redis_now_ms() < l->next_try_ms)
		return 0;
	next = l->backoff_ms * 2;
	if (mpx_redis_connect(l, err, sizeof(err)) == 0) {
		l->reconnects++;
		return 1;
	}
	l->backoff_ms =
	    next > MPX_REDIS_BACKOFF_MAX_MS ? MPX_REDIS_BACKOFF_MAX_MS : next;
	l->next_try_ms = mpx_redis_now_ms() + l->backoff_ms;
	return 0;
}

void mpx_redis_close(struct mpx_redis_link *l)
{
	redisFree(l->ctx);
	l->ctx = NULL;
}
