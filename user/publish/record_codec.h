/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * What a sensor publishes for one record (README.md, "Many sensors"): a
 * versioned binary frame, the value of the field "r" of one stream entry.
 *
 *   offset  size  field
 *   0       1     codec version, MPX_CODEC_VERSION (2)
 *   1       1     bits 0-6: n, the sensor name's length (1 to
 *                 MPX_SENSOR_MAX); bit 7: a shadow copy (--shards,
 *                 publish/shard_route.h)
 *   2       2     the record's length (sizeof(struct mptcp_event), 120)
 *   4       8     time, seconds since the epoch (capture time in replay,
 *                 the kernel's time as wall clock live)
 *   12      4     microseconds
 *   16      n     sensor name, [A-Za-z0-9._-]
 *   16+n    120   struct mptcp_event (include/mptcp_event.h), unchanged
 *
 * Integers are little-endian; the record is copied as the kernel wrote it,
 * so it is little-endian too (its abi_version then reads wrong on a
 * big-endian decoder, which rejects it). A binary copy keeps every field,
 * and the correlator takes it as it takes a record from the ring buffer.
 * Version 1 (no shadow bit) is still read.
 */
#ifndef MPX_RECORD_CODEC_H
#define MPX_RECORD_CODEC_H

#include <stddef.h>
#include <linux/types.h>

#include "mptcp_event.h"
#include "origin.h"

#define MPX_CODEC_VERSION 2
#define MPX_CODEC_SHADOW  0x80
#define MPX_SENSOR_MAX	  64
#define MPX_CODEC_HEADER  16
#define MPX_CODEC_MAX                                                          \
	(MPX_CODEC_HEADER + MPX_SENSOR_MAX + sizeof(struct mptcp_event))

struct mpx_decoded {
	struct mptcp_event ev;
	struct mpx_origin origin; /* frame 0: frames are per sensor */
	char sensor[MPX_SENSOR_MAX + 1];
	int shadow; /* a shadow copy: keys for joins, nothing written */
};

/* A sensor name: 1 to MPX_SENSOR_MAX of [A-Za-z0-9._-]. */
int mpx_sensor_name_valid(const char *s);
/* The record the central correlator needs (README.md, "Many sensors"):
 * the MPTCP options but MP_EXPERIMENTAL, and the subflow records (FIN,
 * RST, fallback, with their counts); not errors, not payload. */
int mpx_codec_wanted(const struct mptcp_event *ev);
/* Encodes into out (MPX_CODEC_MAX bytes); returns the length. sensor must
 * be valid. */
size_t mpx_codec_encode(const char *sensor, const struct mpx_origin *o,
			const struct mptcp_event *ev, int shadow, __u8 *out);
/* 0, or -1 when buf is not a frame of this version, a valid sensor name
 * and a record of this ABI. */
int mpx_codec_decode(const __u8 *buf, size_t len, struct mpx_decoded *d);

#endif /* MPX_RECORD_CODEC_H */
