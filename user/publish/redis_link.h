/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * A hiredis connection as the publisher and the consumer both use it:
 * connect with a timeout and check the server answers PING, I/O with
 * SIGPIPE held back (hiredis writes with write(2), and a server that went
 * away must be an error to count, not a signal that ends the sensor), and
 * a back-off between reconnection attempts.
 */
#ifndef MPX_REDIS_LINK_H
#define MPX_REDIS_LINK_H

#include <signal.h>
#include <stddef.h>
#include <hiredis/hiredis.h>

#include "publish/redis_url.h"

/* Back-off between reconnection attempts: doubles from the first to the
 * last. */
#define MPX_REDIS_BACKOFF_MIN_MS 100
#define MPX_REDIS_BACKOFF_MAX_MS 5000
/* Connect and command timeouts: a stalled server costs the sensor's loop
 * at most this. */
#define MPX_REDIS_TIMEOUT_MS 1000

struct mpx_redis_link {
	redisContext *ctx; /* NULL while disconnected */
	const char *host;
	int port;
	long long backoff_ms;
	long long next_try_ms; /* CLOCK_MONOTONIC */
	unsigned long long reconnects;
};

/* Connects (ctx set) or fills err with one line naming host:port: refused,
 * unreachable, or an answer that is not PONG (e.g. NOAUTH). 0 or -1. */
int mpx_redis_connect(struct mpx_redis_link *l, char *err, size_t errlen);
/* The connection broke: closed, the next attempt after the back-off. */
void mpx_redis_lost(struct mpx_redis_link *l);
/* Disconnected and the back-off is over: one attempt. 1 when connected
 * again (counted in reconnects), else 0. */
int mpx_redis_retry(struct mpx_redis_link *l);
void mpx_redis_close(struct mpx_redis_link *l);
long long mpx_redis_now_ms(void);

/* Around hiredis I/O: SIGPIPE blocked, and one raised meanwhile taken
 * away (it was ours) unless one was already pending. */
struct mpx_sigpipe_guard {
	sigset_t old;
	int was_pending;
};
void mpx_sigpipe_hold(struct mpx_sigpipe_guard *g);
void mpx_sigpipe_release(struct mpx_sigpipe_guard *g);

#endif /* MPX_REDIS_LINK_H */
