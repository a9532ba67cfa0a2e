/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Reading a capture file (pcap or pcapng, through libpcap) with every way
 * it can fail told apart, for distinct exit codes.
 */
#ifndef MPX_CAPTURE_H
#define MPX_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct mpx_capture;

struct mpx_frame {
	const uint8_t *data;
	size_t caplen;
	size_t wirelen;
	int64_t ts_sec;	 /* [0, MPX_TS_SEC_MAX] (origin.h) */
	int32_t ts_usec; /* [0, 999999] */
};

/* NULL on failure, with a one-line message and an exit code. */
struct mpx_capture *mpx_capture_open(const char *path, char *err, size_t errlen,
				     int *code);
int mpx_capture_linktype(const struct mpx_capture *c);
/* The capture's snapshot length: no frame holds more bytes. */
int mpx_capture_snaplen(const struct mpx_capture *c);
/* 1: a frame; 0: end of file; -1: error (message, exit code set). */
int mpx_capture_next(struct mpx_capture *c, struct mpx_frame *f, char *err,
		     size_t errlen, int *code);
void mpx_capture_close(struct mpx_capture *c);

#endif /* MPX_CAPTURE_H */
