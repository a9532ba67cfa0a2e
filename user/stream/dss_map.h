/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * One subflow direction's DSS mappings (RFC 8684 section 3.3.1): which data
 * sequence numbers its bytes carry. A mapping ties a range of relative
 * subflow sequence numbers (from the subflow's ISN: the first data byte is
 * 1) to a range of DSNs; payload on the subflow is turned into DSN-addressed
 * bytes for the reassembler (reassembly.h) through them.
 */
#ifndef MPX_DSS_MAP_H
#define MPX_DSS_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "stream/reassembly.h"

/* Mappings kept per subflow direction: a sender may announce the next
 * mappings before the bytes of the older ones arrive. */
#define MPX_DSS_MAP_SLOTS 8
/* RFC 8684 section 3.3.1: a data-level length of 0 is the infinite
 * mapping (fallback): every later subflow byte, in order. */
#define MPX_DSS_MAP_INFINITE UINT32_MAX

struct mpx_dss_mapping {
	uint64_t dsn; /* 64-bit, of the first byte */
	uint32_t ssn; /* relative subflow sequence number of the first byte */
	uint32_t len; /* bytes; MPX_DSS_MAP_INFINITE for the infinite one */
};

struct mpx_dss_map {
	uint32_t isn;
	int have_isn;
	unsigned int n, next; /* used slots, slot to replace next */
	struct mpx_dss_mapping m[MPX_DSS_MAP_SLOTS];
};

void mpx_dss_map_init(struct mpx_dss_map *d);
/* The subflow's initial sequence number in this direction (SYN or SYN-ACK). */
void mpx_dss_map_isn(struct mpx_dss_map *d, uint32_t isn);
/*
 * A mapping seen on the subflow. Returns 1 when it maps a subflow range
 * that an earlier mapping maps to other DSNs (mapping_inconsistent), else
 * 0; the new one replaces the old either way, as a receiver would.
 */
int mpx_dss_map_add(struct mpx_dss_map *d, const struct mpx_dss_mapping *m);
/*
 * Payload [seq, seq + len) of the subflow (absolute TCP sequence number)
 * into r through the mappings that cover it. Returns the bytes no mapping
 * covers (or all of them before the ISN is known).
 */
size_t mpx_dss_map_feed(const struct mpx_dss_map *d, struct mpx_reasm *r,
			uint32_t seq, const uint8_t *buf, size_t len, int sf);

#endif /* MPX_DSS_MAP_H */
