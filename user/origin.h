/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Where and when a record was seen: the frame number of a capture (1-based;
 * 0 live) and the time (the capture's, or the wall clock live). Every record
 * and every connection event carries one.
 */
#ifndef MPX_ORIGIN_H
#define MPX_ORIGIN_H

#include <stdint.h>

/*
 * Times are normalised where they enter (user/capture/capture.c; the wall
 * clock live): ts_usec in [0, 999999], ts_sec in [0, MPX_TS_SEC_MAX], so
 * that the writers print a valid number and the correlator's microsecond
 * arithmetic cannot overflow.
 */
#define MPX_TS_SEC_MAX 253402300799LL /* 9999-12-31T23:59:59Z */

struct mpx_origin {
	uint64_t frame;
	int64_t ts_sec;
	int32_t ts_usec;
};

/* sec + usec (any sign, |usec| < 2^62) normalised and clamped as above,
 * into o's time. */
static inline void mpx_origin_set_time(struct mpx_origin *o, int64_t sec,
				       int64_t usec)
{
	sec += usec / 1000000;
	usec %= 1000000;
	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	if (sec < 0) {
		sec = 0;
		usec = 0;
	} else if (sec > MPX_TS_SEC_MAX) {
		sec = MPX_TS_SEC_MAX;
		usec = 999999;
	}
	o->ts_sec = sec;
	o->ts_usec = (int32_t)usec;
}

/* A CLOCK_REALTIME time in nanoseconds as a record's time (frame 0). */
static inline struct mpx_origin mpx_origin_of_ns(int64_t real)
{
	struct mpx_origin o = {0};

	mpx_origin_set_time(&o, real / 1000000000LL,
			    (real % 1000000000LL) / 1000);
	return o;
}

#endif /* MPX_ORIGIN_H */
