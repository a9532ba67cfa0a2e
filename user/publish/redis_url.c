// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdio.h>
#include <string.h>

#include "publish/redis_url.h"

#define SCHEME "redis://"

static int key_char_ok(char ch)
{
	return ch > ' ' && ch < 127 && ch != ',';
}

/* The keys after the slash, comma-separated. */
static int parse_keys(const char *s, const char *opt, struct mpx_redis_url *u,
		      char *err, size_t errlen)
{
	const char *p = s;

	if (!*p) {
		snprintf(err, errlen, "%s: no stream key after the '/'", opt);
		return -1;
	}
	for (;;) {
		size_t n = 0;

		while (p[n] && p[n] != ',') {
			if (!key_char_ok(p[n])) {
				snprintf(err, errlen,
					 "%s: a stream key holds printable "
					 "characters only, without spaces",
					 opt);
				return -1;
			}
			n++;
		}
		if (n == 0) {
			snprintf(err, errlen, "%s: empty stream key", opt);
			return -1;
		}
		if (n > MPX_REDIS_KEY_MAX) {
			snprintf(err, errlen,
				 "%s: a stream key is at most %d bytes", opt,
				 MPX_REDIS_KEY_MAX);
			return -1;
		}
		if (u->nkeys == MPX_REDIS_MAX_KEYS) {
			snprintf(err, errlen, "%s: at most %d stream keys", opt,
				 MPX_REDIS_MAX_KEYS);
			return -1;
		}
		memcpy(u->keys[u->nkeys], p, n);
		u->keys[u->nkeys][n] = '\0';
		for (int i = 0; i < u->nkeys; i++)
			if (strcmp(u->keys[i], u->keys[u->nkeys]) == 0) {
				snprintf(err, errlen,
					 "%s: stream key '%s' named twice", opt,
					 u->keys[i]);
				return -1;
			}
		u->nkeys++;
		p += n;
		if (!*p)
			return 0;
		p++; /* the comma */
	}
}

static int parse_port(const char *s, size_t n, const char *opt, int *port,
		      char *err, size_t errlen)
{
	long v = 0;

	if (n == 0 || n > 5)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		goto bad;
	*port = (int)v;
	return 0;
bad:
	snprintf(err, errlen, "%s: the port must be a number from 1 to 65535",
		 opt);
	return -1;
}

int mpx_redis_url_parse(const char *s, const char *opt, struct mpx_redis_url *u,
			char *err, size_t errlen)
{
	const char *host, *host_end, *after, *slash;

	memset(u, 0, sizeof(*u));
	u->port = MPX_REDIS_DEFAULT_PORT;
	if (strncmp(s, SCHEME, strlen(SCHEME)) != 0) {
		snprintf(err, errlen,
			 "%s takes redis://HOST:PORT/KEY, not '%s'", opt, s);
		return -1;
	}
	host = s + strlen(SCHEME);
	slash = strchr(host, '/');
	if (!slash) {
		snprintf(err, errlen, "%s: no '/KEY' after the host in '%s'",
			 opt, s);
		return -1;
	}
	if (memchr(host, '@', (size_t)(slash - host))) {
		/* No user:password@: credentials do not belong on a command
		 * line anyone can read in ps. */
		snprintf(err, errlen,
			 "%s: no credentials in the URL (user@host is not "
			 "taken)",
			 opt);
		return -1;
	}
	if (*host == '[') {
		/* An IPv6 literal: [addr]:port */
		host_end = memchr(host, ']', (size_t)(slash - host));
		if (!host_end) {
			snprintf(err, errlen, "%s: no ']' after an IPv6 host",
				 opt);
			return -1;
		}
		host++;
		after = host_end + 1;
	} else {
		host_end = memchr(host, ':', (size_t)(slash - host));
		if (!host_end)
			host_end = slash;
		after = host_end;
	}
	if (host_end == host) {
		snprintf(err, errlen, "%s: no host in '%s'", opt, s);
		return -1;
	}
	if ((size_t)(host_end - host) > MPX_REDIS_HOST_MAX) {
		snprintf(err, errlen, "%s: host name too long", opt);
		return -1;
	}
	for (const char *p = host; p < host_end; p++)
		if (*p <= ' ' || *p >= 127) {
			snprintf(err, errlen, "%s: bad character in the host",
				 opt);
			return -1;
		}
	memcpy(u->host, host, (size_t)(host_end - host));
	if (after < slash) {
		if (*after != ':') {
			snprintf(err, errlen,
				 "%s: expected ':PORT' or '/KEY' "
				 "after the host",
				 opt);
			return -1;
		}
		if (parse_port(after + 1, (size_t)(slash - after - 1), opt,
			       &u->port, err, errlen) < 0)
			return -1;
	}
	return parse_keys(slash + 1, opt, u, err, errlen);
}
