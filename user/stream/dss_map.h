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

#include "stream/dss_checksum.h"
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
	/* The DSS checksum (RFC 8684 section 3.3.1), when negotiated: over
	 * the payload the mapping covers, data_len of it less one for a
	 * DATA_FIN (which takes a DSN and no byte). */
	int has_csum;
	uint16_t csum;
	uint16_t data_len; /* the option's field, as summed */
	uint32_t csum_bytes;
	/* Kept by the map: the sum of the payload taken so far, in subflow
	 * order; csum_next the next byte expected (from the mapping's start);
	 * csum_state 0 summing, 1 checked, 2 a hole came first: unchecked. */
	mpx_csum_t csum_acc;
	uint32_t csum_next;
	int csum_state;
};

/* What one mpx_dss_map_feed() found. */
struct mpx_dss_feed_result {
	size_t unmapped;	    /* bytes no mapping covers */
	int csum_bad;		    /* a mapping whose checksum failed */
	struct mpx_dss_mapping bad; /* that mapping */
	int csum_ok;		    /* mappings checked and right */
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
 * covers (or all of them before the ISN is known); res, if not NULL, also
 * says what the checksums of the mappings it completed gave.
 */
size_t mpx_dss_map_feed(struct mpx_dss_map *d, struct mpx_reasm *r,
			uint32_t seq, const uint8_t *buf, size_t len, int sf,
			struct mpx_dss_feed_result *res);

#endif /* MPX_DSS_MAP_H */
