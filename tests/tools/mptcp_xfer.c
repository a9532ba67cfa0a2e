// SPDX-License-Identifier: GPL-2.0
/*
 * mptcp_xfer - tiny MPTCP (or plain TCP) transfer tool for the e2e tests.
 *
 * It exists so the tests drive the kernel's own MPTCP stack with nothing but
 * libc: the server counts what it receives and replies with the count, the
 * client checks that count. Knobs let a test shape the traffic so that the
 * options it wants to see (MP_JOIN, MP_PRIO, REMOVE_ADDR, MP_FASTCLOSE, ...)
 * actually reach the wire.
 *
 * Usage:
 *   mptcp_xfer server --listen ADDR --port P [--tcp] [--once | --count N]
 *                     [--linger0] [--no-read] [--timeout-ms T]
 *   mptcp_xfer client --connect ADDR --port P --bytes N [--chunk K]
 *                     [--delay-ms D] [--hold-ms H] [--linger0] [--no-reply]
 *                     [--until-file F]
 *                     [--tcp] [--timeout-ms T]
 *
 * ADDR is a numeric IPv4 or IPv6 address (no name resolution on purpose).
 * A server that should accept extra subflows must listen on the wildcard
 * (0.0.0.0 or ::): MP_JOINs to its other addresses arrive at the same port,
 * and the listener stays open until all served connections have finished.
 *
 * server: one forked child per accepted connection. Each child reads until
 *   EOF, writes the byte count back as "<count>\n" and closes.
 *   --once       serve one connection, then exit (same as --count 1)
 *   --count N    serve N connections (concurrently), wait for all, exit;
 *                without --once/--count it serves until killed
 *   --tcp        plain TCP listener, so MPTCP clients fall back to TCP
 *   --no-read    wait until data is queued, then close without reading it:
 *                unread data makes the kernel abort the connection
 *                (MP_FASTCLOSE for MPTCP, RST for TCP)
 *   --linger0    SO_LINGER {1, 0} before close (abortive close)
 *
 * client: connects, waits --hold-ms (default 0) so the path manager can add
 *   subflows before data flows, sends --bytes in --chunk sized writes
 *   (default 65536) sleeping --delay-ms between chunks, shuts down the write
 *   side (DATA_FIN), reads the count back and compares. On success prints
 *   one line to stdout: "ok bytes=N mptcp=yes|no|unknown extra_subflows=K"
 *   (MPTCP state sampled after the last write; K is "-" when unknown).
 *   --linger0    SO_LINGER {1, 0} before the final close. Only aborts
 *                (MP_FASTCLOSE) if the connection is still open then: after
 *                a complete exchange both DATA_FINs are done and the kernel
 *                has nothing left to abort.
 *   --until-file F  stop sending (then finish as usual) before the first
 *                chunk after file F exists: a transfer that lasts as long as
 *                the test needs; --bytes is then the most it sends, and N in
 *                the "ok" line what it did send
 *   --no-reply   close right after the last write: no DATA_FIN, no reply
 *                read; with --linger0 this is a client-side MP_FASTCLOSE
 *                (success line then reads "ok bytes=N aborted ...")
 *   --tcp        plain TCP socket instead of MPTCP
 *
 * --timeout-ms bounds every single wait for the peer (default 30000) so a
 * broken test never hangs forever.
 *
 * Exit codes:
 *   0  success
 *   1  usage error
 *   2  setup error (address, socket, bind, listen, connect)
 *   3  transfer error (send/recv failure, reset, timeout, short reply);
 *      for the server: at least one connection failed
 *   4  verification error (reply count differs from bytes sent)
 *   5  MPTCP not available (socket(..., IPPROTO_MPTCP) refused)
 *
 * Errors are printed as a single line on stderr, prefixed "mptcp_xfer:".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif
#ifndef MPTCP_INFO
#define MPTCP_INFO 1
#endif

enum {
	EX_OK = 0,
	EX_USAGE_ = 1,
	EX_SETUP = 2,
	EX_XFER = 3,
	EX_VERIFY = 4,
	EX_NOMPTCP = 5,
};

/* Leading fields of the kernel's struct mptcp_info (UAPI, stable prefix);
 * declared here so the tool does not depend on the installed linux/mptcp.h.
 * The kernel copies min(optlen, its size), so a prefix is fine. */
struct mptcp_info_prefix {
	uint8_t subflows;
	uint8_t add_addr_signal;
	uint8_t add_addr_accepted;
	uint8_t subflows_max;
	uint8_t add_addr_signal_max;
	uint8_t add_addr_accepted_max;
	uint32_t flags;
};

struct opts {
	bool server;
	const char *addr;
	const char *port;
	bool tcp;
	long count; /* server: 0 = forever */
	bool linger0;
	bool no_read;
	bool no_reply;
	unsigned long long bytes;
	bool bytes_set;
	size_t chunk;
	long delay_ms;
	long hold_ms;
	int timeout_ms;
	const char *until_file;
};

static void errx_line(const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mptcp_xfer: %s\n", buf);
}

static void usage(void)
{
	fprintf(stderr, "usage: mptcp_xfer server --listen ADDR --port P "
			"[--tcp] [--once|--count N]\n"
			"                         [--linger0] [--no-read] "
			"[--timeout-ms T]\n"
			"       mptcp_xfer client --connect ADDR --port P "
			"--bytes N [--chunk K]\n"
			"                         [--delay-ms D] [--hold-ms H] "
			"[--linger0] [--no-reply]\n"
			"                         [--tcp] [--timeout-ms T] "
			"[--until-file F]\n");
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool parse_ull(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* Returns 0 or EX_USAGE_ after printing the reason. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	unsigned long long v;
	int i;

	memset(o, 0, sizeof(*o));
	o->chunk = 65536;
	o->timeout_ms = 30000;
	if (argc < 2)
		goto bad;
	if (!strcmp(argv[1], "server"))
		o->server = true;
	else if (strcmp(argv[1], "client"))
		goto bad;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

#define NEEDVAL()                                                              \
	do {                                                                   \
		if (!val) {                                                    \
			errx_line("%s needs a value", a);                      \
			goto bad;                                              \
		}                                                              \
		i++;                                                           \
	} while (0)
#define NUMVAL(max)                                                            \
	do {                                                                   \
		NEEDVAL();                                                     \
		if (!parse_ull(val, (max), &v)) {                              \
			errx_line("bad value for %s: %s", a, val);             \
			goto bad;                                              \
		}                                                              \
	} while (0)

		if (o->server && !strcmp(a, "--listen")) {
			NEEDVAL();
			o->addr = val;
		} else if (!o->server && !strcmp(a, "--connect")) {
			NEEDVAL();
			o->addr = val;
		} else if (!strcmp(a, "--port")) {
			NUMVAL(65535);
			if (v == 0) {
				errx_line("port 0");
				goto bad;
			}
			o->port = val;
		} else if (!strcmp(a, "--tcp")) {
			o->tcp = true;
		} else if (!strcmp(a, "--linger0")) {
			o->linger0 = true;
		} else if (!strcmp(a, "--timeout-ms")) {
			NUMVAL(3600000);
			o->timeout_ms = v ? (int)v : -1;
		} else if (o->server && !strcmp(a, "--once")) {
			o->count = 1;
		} else if (o->server && !strcmp(a, "--count")) {
			NUMVAL(100000);
			if (!v) {
				errx_line("--count must be > 0");
				goto bad;
			}
			o->count = (long)v;
		} else if (o->server && !strcmp(a, "--no-read")) {
			o->no_read = true;
		} else if (!o->server && !strcmp(a, "--bytes")) {
			NUMVAL(ULLONG_MAX);
			o->bytes = v;
			o->bytes_set = true;
		} else if (!o->server && !strcmp(a, "--chunk")) {
			NUMVAL(16u << 20);
			if (!v) {
				errx_line("--chunk must be > 0");
				goto bad;
			}
			o->chunk = (size_t)v;
		} else if (!o->server && !strcmp(a, "--delay-ms")) {
			NUMVAL(3600000);
			o->delay_ms = (long)v;
		} else if (!o->server && !strcmp(a, "--no-reply")) {
			o->no_reply = true;
		} else if (!o->server && !strcmp(a, "--hold-ms")) {
			NUMVAL(3600000);
			o->hold_ms = (long)v;
		} else if (!o->server && !strcmp(a, "--until-file")) {
			NEEDVAL();
			o->until_file = val;
		} else {
			errx_line("unknown or misplaced argument: %s", a);
			goto bad;
		}
#undef NUMVAL
#undef NEEDVAL
	}
	if (!o->addr || !o->port) {
		errx_line("%s and --port are required",
			  o->server ? "--listen" : "--connect");
		goto bad;
	}
	if (!o->server && !o->bytes_set) {
		errx_line("--bytes is required");
		goto bad;
	}
	return 0;
bad:
	usage();
	return EX_USAGE_;
}

/* Opens the socket for *ai; MPTCP unless --tcp. Returns fd or -exit code. */
static int open_socket(const struct opts *o, const struct addrinfo *ai)
{
	int proto = o->tcp ? IPPROTO_TCP : IPPROTO_MPTCP;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, proto);

	if (fd >= 0)
		return fd;
	if (!o->tcp && (errno == EPROTONOSUPPORT || errno == EINVAL ||
			errno == ENOPROTOOPT)) {
		errx_line("MPTCP socket refused (%s): is net.mptcp.enabled=1?",
			  strerror(errno));
		return -EX_NOMPTCP;
	}
	errx_line("socket: %s", strerror(errno));
	return -EX_SETUP;
}

static int resolve(const struct opts *o, struct addrinfo **res)
{
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM,
	    .ai_flags =
		AI_NUMERICHOST | AI_NUMERICSERV | (o->server ? AI_PASSIVE : 0),
	};
	int rc = getaddrinfo(o->addr, o->port, &hints, res);

	if (rc) {
		errx_line("bad address %s port %s: %s", o->addr, o->port,
			  gai_strerror(rc));
		return EX_SETUP;
	}
	return 0;
}

static void set_linger0(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
		errx_line("setsockopt(SO_LINGER): %s", strerror(errno));
}

/* Waits for ev on fd; 1 ready, 0 timeout, -1 error (errno set). */
static int wait_fd(int fd, short ev, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = ev};
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	return rc;
}

static int write_all(int fd, const char *buf, size_t len, int timeout_ms)
{
	while (len) {
		ssize_t n;
		int w = wait_fd(fd, POLLOUT, timeout_ms);

		if (w == 0) {
			errx_line("send: timed out");
			return EX_XFER;
		}
		if (w < 0) {
			errx_line("poll: %s", strerror(errno));
			return EX_XFER;
		}
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			errx_line("send: %s", strerror(errno));
			return EX_XFER;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One read with a timeout: >0 bytes, 0 EOF, -exit code on error. */
static ssize_t read_some(int fd, char *buf, size_t len, int timeout_ms,
			 const char *who)
{
	for (;;) {
		ssize_t n;
		int w = wait_fd(fd, POLLIN, timeout_ms);

		if (w == 0) {
			errx_line("%s: recv timed out", who);
			return -EX_XFER;
		}
		if (w < 0) {
			errx_line("%s: poll: %s", who, strerror(errno));
			return -EX_XFER;
		}
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			continue;
		errx_line("%s: recv: %s", who, strerror(errno));
		return -EX_XFER;
	}
}

static int serve_one(const struct opts *o, int fd)
{
	static char buf[65536];
	unsigned long long total = 0;
	char reply[32];
	int rc = 0;

	if (o->no_read) {
		/* Close only once data sits unread in the receive queue: that,
		 * not the close itself, is what makes the kernel abort. */
		int w = wait_fd(fd, POLLIN, o->timeout_ms);

		if (w <= 0) {
			errx_line("server: no data before --no-read close");
			rc = EX_XFER;
		}
		if (o->linger0)
			set_linger0(fd);
		close(fd);
		return rc;
	}

	for (;;) {
		ssize_t n =
		    read_some(fd, buf, sizeof(buf), o->timeout_ms, "server");

		if (n < 0) {
			close(fd);
			return (int)-n;
		}
		if (n == 0)
			break;
		total += (unsigned long long)n;
	}
	snprintf(reply, sizeof(reply), "%llu\n", total);
	rc = write_all(fd, reply, strlen(reply), o->timeout_ms);
	if (o->linger0)
		set_linger0(fd);
	close(fd);
	return rc;
}

static int run_server(const struct opts *o)
{
	struct addrinfo *ai;
	long served = 0, live = 0, failed = 0;
	int one = 1, lfd, rc;

	rc = resolve(o, &ai);
	if (rc)
		return rc;
	lfd = open_socket(o, ai);
	if (lfd < 0) {
		freeaddrinfo(ai);
		return -lfd;
	}
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		errx_line("setsockopt(SO_REUSEADDR): %s", strerror(errno));
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				 sizeof(one));
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 128)) {
		errx_line("bind/listen %s port %s: %s", o->addr, o->port,
			  strerror(errno));
		freeaddrinfo(ai);
		close(lfd);
		return EX_SETUP;
	}
	freeaddrinfo(ai);

	const pid_t parent = getpid();

	while (!o->count || served < o->count) {
		int st, cfd;
		pid_t pid;

		/* Reap finished children so a long-running server keeps no
		 * zombies. */
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			live--;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				failed++;
		}
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			errx_line("accept: %s", strerror(errno));
			failed++;
			break;
		}
		pid = fork();
		if (pid < 0) {
			errx_line("fork: %s", strerror(errno));
			close(cfd);
			failed++;
			break;
		}
		if (pid == 0) {
			/* Die with the server: a test that kills the server by
			 * PID must not leave connection children behind. */
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) ||
			    getppid() != parent)
				_exit(EX_XFER);
			close(lfd);
			_exit(serve_one(o, cfd));
		}
		close(cfd);
		served++;
		live++;
	}
	/* Keep listening until every child is done: MP_JOIN SYNs for the
	 * accepted connections are handled by this listener (token lookup), so
	 * closing it early makes the kernel answer later joins with RST. */
	while (live > 0) {
		int st;
		pid_t pid = waitpid(-1, &st, 0);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		live--;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	close(lfd);
	if (failed) {
		errx_line("server: %ld of %ld connections failed", failed,
			  served);
		return EX_XFER;
	}
	return EX_OK;
}

/* Fills "mptcp=... extra_subflows=..." for the success line. */
static void mptcp_state(const struct opts *o, int fd, char *out, size_t outlen)
{
	struct mptcp_info_prefix mi;
	socklen_t len = 0;

	if (o->tcp) {
		snprintf(out, outlen, "mptcp=no extra_subflows=-");
		return;
	}
	/* optlen 0 is the fallback probe: on a fallen-back socket the request
	 * reaches the plain TCP subflow, which rejects the unknown level with
	 * EOPNOTSUPP (IPv4, ip_getsockopt) or ENOPROTOOPT (IPv6,
	 * ipv6_getsockopt). Anything else: unknown (e.g. kernel < 5.16). */
	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &mi, &len)) {
		snprintf(out, outlen, "mptcp=%s extra_subflows=-",
			 errno == EOPNOTSUPP || errno == ENOPROTOOPT
			     ? "no"
			     : "unknown");
		return;
	}
	memset(&mi, 0, sizeof(mi));
	len = sizeof(mi);
	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &mi, &len) || len < 1)
		snprintf(out, outlen, "mptcp=yes extra_subflows=-");
	else
		snprintf(out, outlen, "mptcp=yes extra_subflows=%u",
			 mi.subflows);
}

static int run_client(const struct opts *o)
{
	struct addrinfo *ai;
	unsigned long long left = o->bytes, got, sent;
	char reply[64], state[64], *end;
	size_t have = 0;
	char *buf;
	int fd, rc;

	rc = resolve(o, &ai);
	if (rc)
		return rc;
	fd = open_socket(o, ai);
	if (fd < 0) {
		freeaddrinfo(ai);
		return -fd;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		errx_line("connect %s port %s: %s", o->addr, o->port,
			  strerror(errno));
		freeaddrinfo(ai);
		close(fd);
		return EX_SETUP;
	}
	freeaddrinfo(ai);

	buf = malloc(o->chunk);
	if (!buf) {
		errx_line("out of memory");
		close(fd);
		return EX_SETUP;
	}
	/* A recognisable, non-constant payload; the content is never checked.
	 */
	for (size_t i = 0; i < o->chunk; i++)
		buf[i] = (char)('a' + i % 26);

	sleep_ms(o->hold_ms);
	while (left) {
		size_t n = left < o->chunk ? (size_t)left : o->chunk;

		if (o->until_file && access(o->until_file, F_OK) == 0)
			break;
		rc = write_all(fd, buf, n, o->timeout_ms);
		if (rc)
			goto out;
		left -= n;
		if (left)
			sleep_ms(o->delay_ms);
	}
	sent = o->bytes - left;
	mptcp_state(o, fd, state, sizeof(state));
	if (o->no_reply) {
		printf("ok bytes=%llu aborted %s\n", sent, state);
		fflush(stdout);
		rc = EX_OK;
		goto out;
	}
	if (shutdown(fd, SHUT_WR)) {
		errx_line("shutdown: %s", strerror(errno));
		rc = EX_XFER;
		goto out;
	}
	for (;;) {
		ssize_t n =
		    read_some(fd, reply + have, sizeof(reply) - 1 - have,
			      o->timeout_ms, "client");

		if (n < 0) {
			rc = (int)-n;
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have == sizeof(reply) - 1) {
			errx_line("client: reply too long");
			rc = EX_XFER;
			goto out;
		}
	}
	reply[have] = '\0';
	errno = 0;
	got = strtoull(reply, &end, 10);
	if (!have || errno || end == reply || *end != '\n') {
		errx_line("client: malformed or missing reply (%zu bytes)",
			  have);
		rc = EX_XFER;
		goto out;
	}
	if (got != sent) {
		errx_line("client: server counted %llu bytes, sent %llu", got,
			  sent);
		rc = EX_VERIFY;
		goto out;
	}
	printf("ok bytes=%llu %s\n", sent, state);
	fflush(stdout);
	rc = EX_OK;
out:
	if (o->linger0)
		set_linger0(fd);
	close(fd);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_args(argc, argv, &o);

	if (rc)
		return rc;
	/* Writes use MSG_NOSIGNAL; this also covers the reply path in children.
	 */
	signal(SIGPIPE, SIG_IGN);
	return o.server ? run_server(&o) : run_client(&o);
}
