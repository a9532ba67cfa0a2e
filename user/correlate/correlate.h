/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The correlator: option records in, connection-level events out. Links
 * subflows into MPTCP connections by token, verifies the handshake
 * cryptography, flags anomalies and writes one summary per connection
 * (README.md, "Connection events", lists every event and field).
 */
#ifndef MPX_CORRELATE_H
#define MPX_CORRELATE_H

#include <stddef.h>
#include <linux/types.h>

#include "detect/detect.h"
#include "mptcp_event.h"
#include "mptcp_flow.h"
#include "origin.h"
#include "output/conn_event.h"

/* Anomaly kinds: stable names, in the `anomaly` event and the summaries. */
#define MPX_ANOMALY_LIST(X)                                                    \
	X(KEY_MISMATCH, "key_mismatch")                                        \
	X(ADDR_ID_REUSE, "addr_id_reuse")                                      \
	X(TOKEN_COLLISION, "token_collision")                                  \
	X(ADD_ADDR_HMAC_INVALID, "add_addr_hmac_invalid")                      \
	X(FASTCLOSE_KEY_INVALID, "fastclose_key_invalid")                      \
	X(MP_FAIL, "mp_fail")                                                  \
	X(OPTION_ERROR, "option_error")                                        \
	X(UNKNOWN_VERSION, "unknown_version")                                  \
	X(UNKNOWN_ALGORITHM, "unknown_algorithm")                              \
	X(JOIN_HMAC_INVALID, "join_hmac_invalid")                              \
	X(JOIN_UNKNOWN_TOKEN, "join_unknown_token")                            \
	X(JOIN_FLOOD, "join_flood")                                            \
	X(MPTCP_SCAN, "mptcp_scan")                                            \
	X(ADD_ADDR_SUSPICIOUS, "add_addr_suspicious")                          \
	X(DATA_OVERLAP_MISMATCH, "data_overlap_mismatch")                      \
	X(DSS_CHECKSUM_INVALID, "dss_checksum_invalid")                        \
	X(MAPPING_INCONSISTENT, "mapping_inconsistent")                        \
	X(INFINITE_MAPPING, "infinite_mapping")

#define MPX_ANOM_ENUM(id, name) MPX_ANOM_##id,
enum mpx_anomaly { MPX_ANOMALY_LIST(MPX_ANOM_ENUM) MPX_ANOM_MAX };
#undef MPX_ANOM_ENUM

const char *mpx_anomaly_name(enum mpx_anomaly a);

/* MP_TCPRST reasons (RFC 8684 section 3.6); 7 = any other value. */
#define MPX_TCPRST_REASONS 8
const char *mpx_tcprst_reason_name(__u8 reason);

struct mpx_corr_stats {
	__u64 conns_started; /* MP_CAPABLE SYNs and midstream discoveries */
	__u64 conns_midstream;
	__u64 conns_closed;	/* summaries written, evictions included */
	__u64 conns_evicted;	/* closed early to make room */
	__u64 subflows_dropped; /* past the per-connection bound */
	__u64 joins_verified;
	__u64 joins_hmac_invalid;
	__u64 joins_unknown_token;
	__u64 joins_unverified; /* keys or handshake not seen */
	__u64 fallbacks;
	__u64 fastcloses;
	__u64 tcprst[MPX_TCPRST_REASONS];
	__u64 addrs_added;
	__u64 addrs_removed;
	__u64 addrs_evicted; /* past the per-side address bound */
	__u64 anomalies[MPX_ANOM_MAX];
	__u64 detect_entries; /* gauge: join flood and scan windows */
	__u64 detect_evicted; /* windows closed early to make room */
	__u64 active_conns;   /* gauges, as of the last record */
	__u64 active_subflows;
	/* The data level (--streams, --single-path, --yara). */
	__u64 stream_bytes;	       /* delivered in order */
	__u64 stream_gap_bytes;	       /* never seen: holes */
	__u64 stream_reinjected_bytes; /* copies of bytes already taken */
	__u64 stream_depth_bytes;      /* past --stream-depth */
	__u64 stream_unmapped_bytes;   /* payload no mapping covered */
	__u64 stream_ooo_overflow;     /* holes given up to bound buffering */
	__u64 streams_memcap;	       /* directions refused: memcap */
	__u64 stream_memory;	       /* gauge: reassembly bytes held */
	__u64 dss_checksums_ok;
	__u64 signature_matches;
	/* `correlate` of one shard (publish/shard_route.h): connections made
	 * from shadow copies (of conns_started), and copies of subflows
	 * known for real here. */
	__u64 shadow_conns;
	__u64 shadows_ignored;
};

/* The data level: what to do with each connection's reassembled streams
 * (docs/design.md, "The data level"). */
struct mpx_single_path;
struct mpx_yara_rules;
struct mpx_stream_opts {
	int on;			     /* reassemble (what follows needs it) */
	const char *dir;	     /* --streams DIR, or NULL */
	struct mpx_single_path *sp;  /* --single-path, or NULL */
	struct mpx_yara_rules *yara; /* --yara, or NULL */
	__u64 depth;		     /* bytes per direction; 0: no limit */
	__u64 memcap;		     /* all directions' buffers together */
};

/* Final per-subflow counts live in the flow table (kernel or host); the
 * correlator asks for them when it writes a summary. 0 when found. */
typedef int (*mpx_flow_query_fn)(void *arg, const struct mpx_flow_key *key,
				 struct mpx_flow *out);

struct mpx_correlator;

struct mpx_correlator *mpx_corr_new(size_t max_conns,
				    struct mpx_event_writer *writer);
/* Detection thresholds, windows, home networks (detect.h); mpx_corr_new()
 * starts with the defaults. 0, or -1 when out of memory (the old ones
 * stay). */
int mpx_corr_set_detect(struct mpx_correlator *c,
			const struct mpx_detect_opts *o);
void mpx_corr_set_flow_query(struct mpx_correlator *c, mpx_flow_query_fn fn,
			     void *arg);
/* Turn the data level on (before the first record). */
void mpx_corr_set_streams(struct mpx_correlator *c,
			  const struct mpx_stream_opts *o);
/*
 * TCP payload: len bytes starting at sequence number hdr->seq +
 * hdr->u.payload.offset of the subflow hdr's 4-tuple names (a payload
 * record, or a header made from a captured frame). Given after the
 * packet's option records, so that the mapping covering it is known.
 */
void mpx_corr_payload(struct mpx_correlator *c, const struct mpx_origin *o,
		      const struct mptcp_event *hdr, const __u8 *buf,
		      size_t len);
/* The 4-tuple of hdr is a subflow of an MPTCP connection whose stream is
 * being rebuilt (--single-path writes it, not its frames): 1 for its
 * initial subflow (whose SYN/ACK may still say it fell back), 2 for a
 * join, 0 when not. */
int mpx_corr_stream_owns(struct mpx_correlator *c,
			 const struct mptcp_event *hdr);
void mpx_corr_record(struct mpx_correlator *c, const struct mpx_origin *o,
		     const struct mptcp_event *ev);
/* The sensor of the records that follow (`correlate`: records from many
 * sensors), kept by pointer until changed; NULL (the default): this host,
 * and no sensor is written. Each subflow lists the sensors it was seen
 * by, in events and summaries. */
void mpx_corr_set_sensor(struct mpx_correlator *c, const char *sensor);
/* Whether the records that follow are shadow copies (`correlate` of one
 * shard of many, publish/shard_route.h): they build connections whose
 * keys link joins naming token A, and write nothing themselves, nor feed
 * detection. A connection's summary, once a join of its own linked it,
 * lists that correlator's subflows only. */
void mpx_corr_set_shadow(struct mpx_correlator *c, int shadow);
/* Time passes (a frame's capture time, or the wall clock live): writes the
 * summaries of connections whose subflows ended more than a second ago. */
void mpx_corr_tick(struct mpx_correlator *c, const struct mpx_origin *now);
/* End of input: every connection still open gets its summary. */
void mpx_corr_finish(struct mpx_correlator *c);
const struct mpx_corr_stats *mpx_corr_stats(struct mpx_correlator *c);
void mpx_corr_free(struct mpx_correlator *c);

#endif /* MPX_CORRELATE_H */
