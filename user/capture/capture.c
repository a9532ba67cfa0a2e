// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/capture.h"
#include "capture/link_layer.h"
#include "origin.h"
#include "cli/exit_codes.h"

/*
 * Classic pcap files in this host's byte order, version 2.4 (what
 * tcpdump, dumpcap -F pcap, tcprewrite and mergecap write), are read
 * here, a large read() at a time, not by libpcap: its two stdio fread()s
 * a frame were a sixth of a replay's instructions (callgrind). Only the
 * well-formed record is read here; at the first record that is not whole
 * and plain (cut short, caplen above the snapshot length, the end of the
 * file), libpcap's own stream is put at that record and libpcap reads it
 * and all the rest: its checks and messages stay the only ones.
 */
#define FAST_BUF    (256u << 10)
#define FAST_HDR    16u
#define FAST_MAXCAP 262144u /* libpcap's smallest maximum for any link type */

struct fast_reader {
	int fd;		    /* -1: libpcap reads */
	int nsec;	    /* nanosecond timestamps */
	unsigned char *buf; /* FAST_BUF bytes */
	size_t pos, end;    /* unread bytes: buf[pos..end) */
	off_t file_off;	    /* the file offset of buf[pos] */
	__u32 snaplen;	    /* pcap_snapshot() */
};

struct mpx_capture {
	pcap_t *pcap;
	int dlt;
	struct fast_reader fast;
};

static void frame_time(const struct timeval *tv, struct mpx_frame *f);
static void fast_open(struct mpx_capture *c, const char *path);

/* Missing and unreadable are told apart before libpcap sees the file:
 * its messages do not say which. */
static int check_file(const char *path, char *err, size_t errlen, int *code)
{
	struct stat st;
	int fd;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		*code = errno == ENOENT || errno == ENOTDIR
			    ? MPX_EXIT_NO_FILE
			    : MPX_EXIT_UNREADABLE;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a capture file",
			 path);
		*code = MPX_EXIT_UNREADABLE;
		return -1;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		*code = MPX_EXIT_UNREADABLE;
		return -1;
	}
	close(fd);
	if (st.st_size == 0) {
		snprintf(err, errlen, "%s: empty file, not a capture", path);
		*code = MPX_EXIT_NOT_CAPTURE;
		return -1;
	}
	return 0;
}

struct mpx_capture *mpx_capture_open(const char *path, char *err, size_t errlen,
				     int *code)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct mpx_capture *c;
	pcap_t *p;

	if (check_file(path, err, errlen, code) < 0)
		return NULL;
	p = pcap_open_offline_with_tstamp_precision(
	    path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		/* A file cut inside its header is as unreadable as any
		 * non-capture: there is nothing before the cut to process. */
		snprintf(err, errlen, "%s: not a pcap or pcapng capture (%s)",
			 path, perr);
		*code = MPX_EXIT_NOT_CAPTURE;
		return NULL;
	}
	if (!mpx_link_supported(pcap_datalink(p))) {
		const char *name = pcap_datalink_val_to_name(pcap_datalink(p));

		snprintf(err, errlen,
			 "%s: link type %s (%d) not supported (Ethernet, "
			 "Linux cooked SLL/SLL2, raw IP, PPP, loopback are)",
			 path, name ? name : "?", pcap_datalink(p));
		*code = MPX_EXIT_LINKTYPE;
		pcap_close(p);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		*code = MPX_EXIT_FAILURE;
		pcap_close(p);
		return NULL;
	}
	c->pcap = p;
	c->dlt = pcap_datalink(p);
	fast_open(c, path);
	return c;
}

static void fast_off(struct fast_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
}

/* A regular file whose header is a plain classic pcap's, in this host's
 * byte order: read here from just after that header. */
static void fast_open(struct mpx_capture *c, const char *path)
{
	struct fast_reader *r = &c->fast;
	struct {
		__u32 magic;
		__u16 major, minor;
		__u32 zone, sigfigs, snaplen, linktype;
	} h;
	struct stat st;
	int snap = pcap_snapshot(c->pcap);

	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return;
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    pread(r->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    (h.magic != 0xa1b2c3d4u && h.magic != 0xa1b23c4du) ||
	    h.major != 2 || h.minor != 4 || snap <= 0 ||
	    lseek(r->fd, (off_t)sizeof(h), SEEK_SET) < 0) {
		fast_off(r);
		return;
	}
	r->buf = malloc(FAST_BUF);
	if (!r->buf) {
		fast_off(r);
		return;
	}
	r->nsec = h.magic == 0xa1b23c4du;
	r->snaplen = (__u32)snap;
	r->pos = r->end = 0;
	r->file_off = (off_t)sizeof(h);
}

/* At least n bytes unread, if the file has them; 0 if not (or on an
 * error, which libpcap then meets and reports). */
static int fast_fill(struct fast_reader *r, size_t n)
{
	if (r->end - r->pos >= n)
		return 1;
	memmove(r->buf, r->buf + r->pos, r->end - r->pos);
	r->end -= r->pos;
	r->pos = 0;
	while (r->end < n) {
		ssize_t k = read(r->fd, r->buf + r->end, FAST_BUF - r->end);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0;
		r->end += (size_t)k;
	}
	return 1;
}

/* 1: a frame; 0: not one to read here (libpcap takes over). */
static int fast_next(struct mpx_capture *c, struct mpx_frame *f)
{
	struct fast_reader *r = &c->fast;
	struct {
		__s32 sec, frac;
		__u32 caplen, len;
	} h;
	struct timeval tv;

	if (!fast_fill(r, FAST_HDR))
		return 0;
	memcpy(&h, r->buf + r->pos, sizeof(h));
	if (h.caplen > r->snaplen || h.caplen > FAST_MAXCAP ||
	    h.caplen > FAST_BUF - FAST_HDR ||
	    !fast_fill(r, FAST_HDR + h.caplen))
		return 0;
	/* As libpcap: 32-bit signed fields, nanoseconds scaled down. */
	tv.tv_sec = (time_t)h.sec;
	tv.tv_usec = (suseconds_t)h.frac;
	if (r->nsec)
		tv.tv_usec /= 1000;
	f->data = r->buf + r->pos + FAST_HDR;
	f->caplen = h.caplen;
	f->wirelen = h.len;
	frame_time(&tv, f);
	r->pos += FAST_HDR + h.caplen;
	r->file_off += (off_t)(FAST_HDR + h.caplen);
	return 1;
}

/* libpcap reads from the first record not read here. */
static int fast_hand_over(struct mpx_capture *c)
{
	off_t at = c->fast.file_off;

	fast_off(&c->fast);
	return fseeko(pcap_file(c->pcap), at, SEEK_SET);
}

int mpx_capture_snaplen(const struct mpx_capture *c)
{
	return pcap_snapshot(c->pcap);
}

int mpx_capture_linktype(const struct mpx_capture *c)
{
	return c->dlt;
}

/*
 * A frame's time as the rest of the program takes it (origin.h). libpcap
 * passes a classic pcap's microseconds through unchecked (any 32-bit
 * value; negative once cast to int32_t, which printed "ts":1.-5 and broke
 * the JSON) and divides a pcapng's 64-bit timestamp by the interface's
 * resolution (seconds up to 2^64 at 1 s units, whose microseconds overflow
 * 64 bits in the correlator). Whole seconds in the microseconds carry
 * over; the result is clamped to [0, MPX_TS_SEC_MAX].
 */
static void frame_time(const struct timeval *tv, struct mpx_frame *f)
{
	int64_t sec = (int64_t)tv->tv_sec;
	struct mpx_origin o;

	/* Clamped first, so that adding the microseconds cannot overflow. */
	if (sec < 0)
		sec = 0;
	else if (sec > MPX_TS_SEC_MAX)
		sec = MPX_TS_SEC_MAX;
	mpx_origin_set_time(&o, sec, (int64_t)tv->tv_usec);
	f->ts_sec = o.ts_sec;
	f->ts_usec = o.ts_usec;
}

int mpx_capture_next(struct mpx_capture *c, struct mpx_frame *f, char *err,
		     size_t errlen, int *code)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int r;

	if (c->fast.fd >= 0) {
		if (fast_next(c, f))
			return 1;
		if (fast_hand_over(c) < 0) {
			snprintf(err, errlen, "capture unreadable: %s",
				 strerror(errno));
			*code = MPX_EXIT_UNREADABLE;
			return -1;
		}
	}
	r = pcap_next_ex(c->pcap, &h, &data);
	if (r == 1) {
		f->data = data;
		f->caplen = h->caplen;
		f->wirelen = h->len;
		frame_time(&h->ts, f);
		return 1;
	}
	if (r == PCAP_ERROR_BREAK)
		return 0;
	/* libpcap reports a short last record (or block) as an error. */
	snprintf(err, errlen, "capture truncated: %s", pcap_geterr(c->pcap));
	*code = MPX_EXIT_TRUNCATED;
	return -1;
}

void mpx_capture_close(struct mpx_capture *c)
{
	if (!c)
		return;
	fast_off(&c->fast);
	pcap_close(c->pcap);
	free(c);
}
