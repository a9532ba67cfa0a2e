/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * redis://HOST[:PORT]/KEY[,KEY...]: where records are published (one key)
 * or read from (one or more). HOST is a name, an IPv4 address or an IPv6
 * address in brackets; PORT defaults to 6379. A key is 1 to
 * MPX_REDIS_KEY_MAX bytes of printable ASCII without spaces or commas (a
 * comma separates keys).
 */
#ifndef MPX_REDIS_URL_H
#define MPX_REDIS_URL_H

#include <stddef.h>

#define MPX_REDIS_DEFAULT_PORT 6379
#define MPX_REDIS_HOST_MAX     255
#define MPX_REDIS_KEY_MAX      200
#define MPX_REDIS_MAX_KEYS     16

struct mpx_redis_url {
	char host[MPX_REDIS_HOST_MAX + 1];
	int port;
	int nkeys;
	char keys[MPX_REDIS_MAX_KEYS][MPX_REDIS_KEY_MAX + 1];
};

/* 0, or -1 with a one-line message (naming the option opt) in err. */
int mpx_redis_url_parse(const char *s, const char *opt, struct mpx_redis_url *u,
			char *err, size_t errlen);

#endif /* MPX_REDIS_URL_H */
