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
#include "origin.h"

struct mpx_capture {
	pcap_t *pcap;
	int dlt;
};

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
	return c;
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
	int r = pcap_next_ex(c->pcap, &h, &data);

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
	pcap_close(c->pcap);
	free(c);
}
