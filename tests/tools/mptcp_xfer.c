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
 *                     [--sha256-out FILE]
 *                     [--reply-bytes N --reply-pattern SEED
 *                      [--reply-sha256-out FILE]]
 *   mptcp_xfer client --connect ADDR --port P --bytes N [--chunk K]
 *                     [--delay-ms D] [--hold-ms H] [--linger0] [--no-reply]
 *                     [--until-file F]
 *                     [--tcp] [--timeout-ms T]
 *                     [--pattern SEED] [--embed STRING --embed-at N]
 *                     [--sha256-out FILE]
 *                     [--expect-reply-bytes N [--reply-sha256-out FILE]]
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
 *   --sha256-out FILE  at EOF, before replying, write the SHA-256 of every
 *                byte received to FILE (needs --once or --count 1)
 *   --reply-bytes N --reply-pattern SEED  before the count line, send N
 *                bytes of the pattern stream from SEED (below); the count
 *                line still follows, so the client must expect N bytes
 *   --reply-sha256-out FILE  the SHA-256 of those N bytes, written after
 *                they are sent and before the count line (--once or
 *                --count 1)
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
 *   --pattern SEED  send the pattern stream from SEED (below) instead of
 *                the default "abc...z" bytes (which restart at every chunk)
 *   --embed STRING --embed-at N  overwrite the stream's bytes at offsets
 *                N .. N+len-1 with STRING (a marker that a YARA rule can
 *                look for at a known place); N + len must not exceed
 *                --bytes (with --until-file it may not be reached)
 *   --sha256-out FILE  after the last write, write the SHA-256 of exactly
 *                the bytes sent (pattern or default, embed included)
 *   --expect-reply-bytes N  read N bytes (a server's --reply-bytes) before
 *                the count line; fewer before EOF is a transfer error
 *   --reply-sha256-out FILE  the SHA-256 of those N bytes
 *
 * Known content, so that a test can check a reassembled stream byte for
 * byte. A SHA-256 file holds 64 lowercase hex digits and a newline; it is
 * written as FILE.tmp and renamed, so a reader sees all of it or nothing.
 * SEED is decimal or 0x-prefixed hex, 64-bit. The pattern stream is
 * xorshift64* (Vigna), each output word as 8 little-endian bytes:
 *
 *   x = SEED, or 0x9e3779b97f4a7c15 if SEED is 0 (0 is a fixed point)
 *   per 8 bytes, all arithmetic modulo 2^64:
 *     x ^= x >> 12;  x ^= x << 25;  x ^= x >> 27
 *     emit (x * 0x2545f4914f6cdd1d) as 8 bytes, least significant first
 *   byte k of the stream is byte k % 8 of the (k / 8 + 1)-th word
 *
 * The same in Python (e.g. for the SHA-256 of 3000000 bytes from seed 7):
 *
 *   def pattern(seed, n):
 *       M = (1 << 64) - 1
 *       x, out = seed or 0x9e3779b97f4a7c15, bytearray()
 *       while len(out) < n:
 *           x ^= x >> 12; x ^= (x << 25) & M; x ^= x >> 27
 *           out += ((x * 0x2545f4914f6cdd1d) & M).to_bytes(8, "little")
 *       return bytes(out[:n])
 *   hashlib.sha256(pattern(7, 3000000)).hexdigest()
 *
 * --timeout-ms bounds every single wait for the peer (default 30000) so a
 * broken test never hangs forever.
 *
 * Exit codes:
 *   0  success
 *   1  usage error
 *   2  setup error (address, socket, bind, listen, connect; a SHA-256
 *      file that cannot be written)
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

#include <openssl/evp.h>

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
	/* Known content (see the usage comment at the top). */
	bool pattern_set; /* client */
	uint64_t pattern_seed;
	const char *embed; /* client */
	unsigned long long embed_at;
	bool embed_at_set;
	const char *sha256_out;		 /* both: bytes sent / received */
	bool reply_bytes_set;		 /* server */
	unsigned long long reply_bytes;	 /* server */
	bool reply_pattern_set;		 /* server */
	uint64_t reply_seed;		 /* server */
	bool expect_reply_set;		 /* client */
	unsigned long long expect_reply; /* client */
	const char *reply_sha256_out;	 /* both: reply bytes */
};

/* The pattern stream: xorshift64* with its output word's bytes in
 * little-endian order (definition and Python twin in the usage comment). A
 * generator simple enough to restate anywhere, so a test in any language can
 * regenerate what was sent; it is not meant to be unpredictable. */
#define PATTERN_ZERO_SEED 0x9e3779b97f4a7c15ull

struct pattern {
	uint64_t x;
	uint8_t word[8];
	unsigned int used; /* bytes of word already handed out */
};

static void pattern_init(struct pattern *p, uint64_t seed)
{
	p->x = seed ? seed : PATTERN_ZERO_SEED;
	p->used = 8;
}

static void pattern_fill(struct pattern *p, char *dst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p->used == 8) {
			uint64_t w;

			p->x ^= p->x >> 12;
			p->x ^= p->x << 25;
			p->x ^= p->x >> 27;
			w = p->x * 0x2545f4914f6cdd1dull;
			for (int b = 0; b < 8; b++)
				p->word[b] = (uint8_t)(w >> (8 * b));
			p->used = 0;
		}
		dst[i] = (char)p->word[p->used++];
	}
}

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
	fprintf(stderr,
		"usage: mptcp_xfer server --listen ADDR --port P "
		"[--tcp] [--once|--count N]\n"
		"                         [--linger0] [--no-read] "
		"[--timeout-ms T]\n"
		"                         [--sha256-out FILE] "
		"[--reply-bytes N --reply-pattern SEED\n"
		"                          [--reply-sha256-out FILE]]\n"
		"       mptcp_xfer client --connect ADDR --port P "
		"--bytes N [--chunk K]\n"
		"                         [--delay-ms D] [--hold-ms H] "
		"[--linger0] [--no-reply]\n"
		"                         [--tcp] [--timeout-ms T] "
		"[--until-file F]\n"
		"                         [--pattern SEED] "
		"[--embed STRING --embed-at N]\n"
		"                         [--sha256-out FILE] "
		"[--expect-reply-bytes N\n"
		"                          [--reply-sha256-out FILE]]\n");
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A SHA-256 in progress, or NULL when no file asked for it (then every
 * call is a no-op, so the transfer paths need no conditions). */
static int hash_start(const char *path, EVP_MD_CTX **ctx)
{
	*ctx = NULL;
	if (!path)
		return 0;
	*ctx = EVP_MD_CTX_new();
	if (!*ctx || !EVP_DigestInit_ex(*ctx, EVP_sha256(), NULL)) {
		errx_line("SHA-256 init failed");
		EVP_MD_CTX_free(*ctx);
		*ctx = NULL;
		return EX_SETUP;
	}
	return 0;
}

static int hash_add(EVP_MD_CTX *ctx, const void *buf, size_t len)
{
	if (ctx && len && !EVP_DigestUpdate(ctx, buf, len)) {
		errx_line("SHA-256 update failed");
		return EX_SETUP;
	}
	return 0;
}

/* Finishes the hash and writes it to path as hex and a newline: first to
 * path.tmp, then renamed, so that a test polling for the file never reads
 * half of it. Frees ctx. */
static int hash_save(EVP_MD_CTX **ctx, const char *path)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 2], tmp[PATH_MAX];
	FILE *f;
	int ok;

	if (!*ctx)
		return 0;
	ok = EVP_DigestFinal_ex(*ctx, md, &mdlen);
	EVP_MD_CTX_free(*ctx);
	*ctx = NULL;
	if (!ok) {
		errx_line("SHA-256 final failed");
		return EX_SETUP;
	}
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * mdlen] = '\n';
	hex[2 * mdlen + 1] = '\0';
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errx_line("path too long: %s", path);
		return EX_SETUP;
	}
	f = fopen(tmp, "w");
	if (!f) {
		errx_line("%s: %s", tmp, strerror(errno));
		return EX_SETUP;
	}
	ok = fputs(hex, f) >= 0;
	if (fclose(f) || !ok || rename(tmp, path)) {
		errx_line("writing %s: %s", path, strerror(errno));
		unlink(tmp);
		return EX_SETUP;
	}
	return 0;
}

static void hash_drop(EVP_MD_CTX **ctx)
{
	EVP_MD_CTX_free(*ctx);
	*ctx = NULL;
}

/* SEED: decimal, or hex with 0x (not strtoull's base 0, which would read a
 * leading 0 as octal). The whole 64-bit range. Only digits after the
 * prefix: strtoull alone would also take signs, spaces and a second 0x. */
static bool parse_seed(const char *s, uint64_t *out)
{
	const char *digits = "0123456789";
	char *end;
	unsigned long long v;
	int base = 10;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		digits = "0123456789abcdefABCDEF";
	}
	if (!*s || s[strspn(s, digits)])
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
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
		} else if (!strcmp(a, "--sha256-out")) {
			NEEDVAL();
			o->sha256_out = val;
		} else if (!strcmp(a, "--reply-sha256-out")) {
			NEEDVAL();
			o->reply_sha256_out = val;
		} else if (!o->server && !strcmp(a, "--pattern")) {
			NEEDVAL();
			if (!parse_seed(val, &o->pattern_seed)) {
				errx_line("bad value for %s: %s", a, val);
				goto bad;
			}
			o->pattern_set = true;
		} else if (!o->server && !strcmp(a, "--embed")) {
			NEEDVAL();
			o->embed = val;
		} else if (!o->server && !strcmp(a, "--embed-at")) {
			NUMVAL(ULLONG_MAX);
			o->embed_at = v;
			o->embed_at_set = true;
		} else if (!o->server && !strcmp(a, "--expect-reply-bytes")) {
			NUMVAL(ULLONG_MAX);
			o->expect_reply = v;
			o->expect_reply_set = true;
		} else if (o->server && !strcmp(a, "--reply-bytes")) {
			NUMVAL(ULLONG_MAX);
			o->reply_bytes = v;
			o->reply_bytes_set = true;
		} else if (o->server && !strcmp(a, "--reply-pattern")) {
			NEEDVAL();
			if (!parse_seed(val, &o->reply_seed)) {
				errx_line("bad value for %s: %s", a, val);
				goto bad;
			}
			o->reply_pattern_set = true;
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
	/* The known-content options only make sense together as below; a
	 * test that gets one wrong should fail here, not check nothing. */
	if (o->server) {
		if ((o->sha256_out || o->reply_sha256_out) && o->count != 1) {
			errx_line("--sha256-out and --reply-sha256-out need "
				  "--once (one connection, one file)");
			goto bad;
		}
		if (o->reply_bytes_set != o->reply_pattern_set) {
			errx_line("--reply-bytes and --reply-pattern go "
				  "together");
			goto bad;
		}
		if (o->reply_sha256_out && !o->reply_bytes_set) {
			errx_line("--reply-sha256-out needs --reply-bytes");
			goto bad;
		}
		if (o->no_read && (o->sha256_out || o->reply_bytes_set)) {
			errx_line("--no-read reads and replies nothing");
			goto bad;
		}
	} else {
		if (!!o->embed != o->embed_at_set) {
			errx_line("--embed and --embed-at go together");
			goto bad;
		}
		if (o->embed && !*o->embed) {
			errx_line("--embed needs a non-empty string");
			goto bad;
		}
		if (o->embed && (o->embed_at > o->bytes ||
				 strlen(o->embed) > o->bytes - o->embed_at)) {
			errx_line("--embed-at %llu + %zu bytes is past --bytes "
				  "%llu",
				  o->embed_at, strlen(o->embed), o->bytes);
			goto bad;
		}
		if (o->reply_sha256_out && !o->expect_reply_set) {
			errx_line("--reply-sha256-out needs "
				  "--expect-reply-bytes");
			goto bad;
		}
		if (o->no_reply && o->expect_reply_set) {
			errx_line("--no-reply reads no reply");
			goto bad;
		}
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

/* --reply-bytes: n pattern bytes from seed, hashed as sent. */
static int send_pattern(const struct opts *o, int fd, char *buf, size_t size)
{
	unsigned long long left = o->reply_bytes;
	struct pattern pat;
	EVP_MD_CTX *h;
	int rc = hash_start(o->reply_sha256_out, &h);

	if (rc)
		return rc;
	pattern_init(&pat, o->reply_seed);
	while (left) {
		size_t n = left < size ? (size_t)left : size;

		pattern_fill(&pat, buf, n);
		rc = hash_add(h, buf, n);
		if (!rc)
			rc = write_all(fd, buf, n, o->timeout_ms);
		if (rc) {
			hash_drop(&h);
			return rc;
		}
		left -= n;
	}
	/* Saved before the count line goes out: a client that has its reply
	 * can read the file at once. */
	return hash_save(&h, o->reply_sha256_out);
}

static int serve_one(const struct opts *o, int fd)
{
	static char buf[65536];
	unsigned long long total = 0;
	char reply[32];
	EVP_MD_CTX *h;
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

	rc = hash_start(o->sha256_out, &h);
	if (rc) {
		close(fd);
		return rc;
	}
	for (;;) {
		ssize_t n =
		    read_some(fd, buf, sizeof(buf), o->timeout_ms, "server");

		if (n < 0) {
			hash_drop(&h);
			close(fd);
			return (int)-n;
		}
		if (n == 0)
			break;
		rc = hash_add(h, buf, (size_t)n);
		if (rc) {
			hash_drop(&h);
			close(fd);
			return rc;
		}
		total += (unsigned long long)n;
	}
	/* Before any reply, so that the file is there once the client has
	 * its answer. */
	rc = hash_save(&h, o->sha256_out);
	if (!rc && o->reply_bytes_set)
		rc = send_pattern(o, fd, buf, sizeof(buf));
	if (rc) {
		close(fd);
		return rc;
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

/* The default payload: the same 26 letters from every chunk's start. */
static void fill_default(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + i % 26);
}

/* Copies the part of --embed that falls in the chunk at stream offset pos;
 * true if it wrote anything. */
static bool overlay_embed(const struct opts *o, char *buf,
			  unsigned long long pos, size_t n)
{
	unsigned long long lo, hi, e_end;

	if (!o->embed)
		return false;
	e_end = o->embed_at + strlen(o->embed);
	lo = o->embed_at > pos ? o->embed_at : pos;
	hi = e_end < pos + n ? e_end : pos + n;
	if (lo >= hi)
		return false;
	memcpy(buf + (lo - pos), o->embed + (lo - o->embed_at),
	       (size_t)(hi - lo));
	return true;
}

/* Reads the --expect-reply-bytes data, hashing it; whatever of the count
 * line came in the same reads goes to line (*have bytes, at most cap).
 * 0 or an exit code. */
static int read_reply_data(const struct opts *o, int fd, char *line, size_t cap,
			   size_t *have)
{
	static char buf[65536];
	unsigned long long left = o->expect_reply;
	EVP_MD_CTX *h;
	int rc = hash_start(o->reply_sha256_out, &h);

	if (rc)
		return rc;
	while (left) {
		ssize_t n =
		    read_some(fd, buf, sizeof(buf), o->timeout_ms, "client");
		size_t take, rest;

		if (n < 0) {
			hash_drop(&h);
			return (int)-n;
		}
		if (n == 0) {
			errx_line("client: reply data ended %llu bytes short "
				  "of %llu",
				  left, o->expect_reply);
			hash_drop(&h);
			return EX_XFER;
		}
		take = (unsigned long long)n < left ? (size_t)n : (size_t)left;
		rest = (size_t)n - take;
		rc = hash_add(h, buf, take);
		if (rc) {
			hash_drop(&h);
			return rc;
		}
		left -= take;
		if (rest >= cap) {
			errx_line("client: reply too long");
			hash_drop(&h);
			return EX_XFER;
		}
		memcpy(line, buf + take, rest);
		*have = rest;
	}
	return hash_save(&h, o->reply_sha256_out);
}

static int run_client(const struct opts *o)
{
	struct addrinfo *ai;
	unsigned long long left = o->bytes, got, sent, pos = 0;
	char reply[64], state[64], *end;
	size_t have = 0;
	struct pattern pat;
	bool dirty = false;
	EVP_MD_CTX *h = NULL;
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
	/* Without --pattern: a recognisable, non-constant payload, whose
	 * content is checked only through --sha256-out. */
	if (o->pattern_set)
		pattern_init(&pat, o->pattern_seed);
	else
		fill_default(buf, o->chunk);
	rc = hash_start(o->sha256_out, &h);
	if (rc)
		goto out;

	sleep_ms(o->hold_ms);
	while (left) {
		size_t n = left < o->chunk ? (size_t)left : o->chunk;

		if (o->until_file && access(o->until_file, F_OK) == 0)
			break;
		/* The default buffer is reused; an embed written into it
		 * must not repeat in the next chunk. */
		if (o->pattern_set) {
			pattern_fill(&pat, buf, n);
		} else if (dirty) {
			fill_default(buf, o->chunk);
			dirty = false;
		}
		if (overlay_embed(o, buf, pos, n))
			dirty = true;
		rc = hash_add(h, buf, n);
		if (rc)
			goto out;
		rc = write_all(fd, buf, n, o->timeout_ms);
		if (rc)
			goto out;
		pos += n;
		left -= n;
		if (left)
			sleep_ms(o->delay_ms);
	}
	sent = o->bytes - left;
	rc = hash_save(&h, o->sha256_out);
	if (rc)
		goto out;
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
	if (o->expect_reply_set) {
		rc = read_reply_data(o, fd, reply, sizeof(reply) - 1, &have);
		if (rc)
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
	hash_drop(&h);
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
