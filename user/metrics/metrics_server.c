// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "engine/bpf_object.h"
#include "metrics/metrics_server.h"

struct mpx_metrics_server {
	struct MHD_Daemon *mhd;
	int listen_fd;
	int counters_fd;
	pthread_mutex_t lock;
	struct mpx_metrics_state snap;
};

int mpx_metrics_parse(const char *spec, int *enabled, char *host,
		      size_t hostlen, unsigned short *port, char *err,
		      size_t errlen)
{
	const char *colon;
	char *end;
	unsigned long p;
	size_t hl;

	*enabled = 1;
	if (strcmp(spec, "off") == 0) {
		*enabled = 0;
		return 0;
	}
	colon = strrchr(spec, ':');
	if (!colon)
		goto bad;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++; /* [v6]:port */
		hl -= 2;
	}
	if (hl >= hostlen)
		goto bad;
	if (hl == 0)
		snprintf(host, hostlen, "127.0.0.1");
	else
		snprintf(host, hostlen, "%.*s", (int)hl, spec);
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p == 0 || p > 65535)
		goto bad;
	*port = (unsigned short)p;
	return 0;
bad:
	snprintf(err, errlen,
		 "--metrics: '%s' is not off, ADDR:PORT or [ADDR]:PORT", spec);
	return -1;
}

static int make_listener(const char *host, unsigned short port, char *err,
			 size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) ==
	    1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host,
			     &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		snprintf(err, errlen, "--metrics: '%s' is not an IP address",
			 host);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "metrics: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Bound here, not by libmicrohttpd, so that a port in use is a
	 * clear error at start. */
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
		snprintf(err, errlen,
			 "metrics: cannot listen on %s port %u: %s", host, port,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     const char *ctype, const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", ctype);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **ctx)
{
	static const char not_found[] = "not found: try /metrics\n";
	struct mpx_metrics_server *m = cls;
	struct mpx_metrics_state st;
	enum MHD_Result ret;
	size_t len = 0;
	char *text;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)ctx;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     "GET only\n", 9);
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			     sizeof(not_found) - 1);
	pthread_mutex_lock(&m->lock);
	st = m->snap;
	pthread_mutex_unlock(&m->lock);
	if (m->counters_fd >= 0) {
		memset(st.counters, 0, sizeof(st.counters));
		mpx_bpf_read_counters(m->counters_fd, st.counters);
	}
	text = mpx_metrics_render(&st, &len);
	if (!text)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     "out of memory\n", 14);
	ret = reply(conn, MHD_HTTP_OK,
		    "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
	return ret;
}

struct mpx_metrics_server *mpx_metrics_start(const char *host,
					     unsigned short port,
					     int counters_fd, char *err,
					     size_t errlen)
{
	struct mpx_metrics_server *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->counters_fd = counters_fd;
	m->listen_fd = make_listener(host, port, err, errlen);
	if (m->listen_fd < 0) {
		free(m);
		return NULL;
	}
	m->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
				  NULL, handle, m, MHD_OPTION_LISTEN_SOCKET,
				  m->listen_fd, MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)10, MHD_OPTION_END);
	if (!m->mhd) {
		snprintf(err, errlen, "metrics: cannot start the HTTP server");
		close(m->listen_fd);
		free(m);
		return NULL;
	}
	return m;
}

void mpx_metrics_publish(struct mpx_metrics_server *m,
			 const struct mpx_metrics_state *st)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->snap = *st;
	pthread_mutex_unlock(&m->lock);
}

void mpx_metrics_stop(struct mpx_metrics_server *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->mhd);
	close(m->listen_fd);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
