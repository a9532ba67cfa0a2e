/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Aggregated detection (README.md, "Detection"): floods of MP_JOIN SYNs to
 * one token or one destination (join_flood) and sources probing many
 * targets with MP_CAPABLE or bogus MP_JOIN SYNs (mptcp_scan), counted in
 * fixed windows of capture time (replay) or wall time (live). One alert per
 * key and window; the tables are bounded (the oldest window goes first,
 * counted) and keyed with the run's SipHash key (keyed_hash.h).
 */
#ifndef MPX_DETECT_H
#define MPX_DETECT_H

#include <stddef.h>
#include <linux/types.h>

#include "detect/address_class.h"
#include "origin.h"

#define MPX_DETECT_DEFAULT_WINDOW     60
#define MPX_DETECT_DEFAULT_JOIN_FLOOD 50
#define MPX_DETECT_DEFAULT_SCAN	      20
#define MPX_DETECT_DEFAULT_ENTRIES    16384
#define MPX_DETECT_SAMPLE	      4

struct mpx_detect_opts {
	unsigned int window_sec;	   /* --detect-window */
	unsigned int join_flood_threshold; /* --join-flood-threshold */
	unsigned int scan_threshold;	   /* --scan-threshold */
	size_t max_entries;		   /* per table */
	int doc_ranges_suspicious;	   /* --doc-ranges-suspicious */
	struct mpx_home_nets home;	   /* --home-net (n 0: none) */
};

void mpx_detect_opts_default(struct mpx_detect_opts *o);

enum mpx_alert_kind { MPX_ALERT_JOIN_FLOOD, MPX_ALERT_SCAN };

struct mpx_detect_alert {
	enum mpx_alert_kind kind;
	const char *by; /* "token", "destination" or "source" */
	__u8 family;	/* of addr (by destination or source) */
	__u8 addr[16];	/* as in records: IPv4 in bytes 12..15 */
	__u32 token;	/* by token */
	struct mpx_origin window_start;
	unsigned int window_sec;
	__u64 attempts; /* join SYNs (join_flood), probes (mptcp_scan) */
	__u64 sources;	/* distinct sources, estimated (join_flood) */
	int nsample;
	__u8 sample_family[MPX_DETECT_SAMPLE];
	__u8 sample[MPX_DETECT_SAMPLE][16];
	__u64 targets;	  /* distinct (host, port), estimated (mptcp_scan) */
	__u64 hosts;	  /* distinct hosts, estimated */
	__u64 answered;	  /* SYN/ACKs with MPTCP back to the source */
	__u64 resets;	  /* RSTs back to the source */
	__u64 completed;  /* handshakes the source completed */
	__u64 repeat;	  /* alerts for this key before this one */
	__u64 suppressed; /* attempts after the previous alert, silenced */
};

typedef void (*mpx_detect_alert_fn)(void *arg, const struct mpx_origin *at,
				    const struct mpx_detect_alert *a);

struct mpx_detect_stats {
	__u64 entries; /* gauge, the three tables */
	__u64 evicted; /* windows closed early to make room */
};

struct mpx_detect;

/* NULL when out of memory or the keyed hash cannot start. */
struct mpx_detect *mpx_detect_new(const struct mpx_detect_opts *o,
				  mpx_detect_alert_fn fn, void *arg);
const struct mpx_detect_opts *mpx_detect_opts_of(const struct mpx_detect *d);
/* A join SYN that will not complete: its token is nobody's handshake's, or
 * it was dropped at the per-connection bound. Addresses as in records. */
void mpx_detect_join(struct mpx_detect *d, const struct mpx_origin *o,
		     __u8 family, const __u8 *saddr, const __u8 *daddr,
		     __u32 token);
/* An MP_CAPABLE SYN, or a bogus join SYN, from saddr to daddr:dport. */
void mpx_detect_probe(struct mpx_detect *d, const struct mpx_origin *o,
		      __u8 family, const __u8 *saddr, const __u8 *daddr,
		      __u16 dport);
/* A target's answer to a probing source: an MPTCP SYN/ACK, or a reset. */
void mpx_detect_answer(struct mpx_detect *d, const struct mpx_origin *o,
		       __u8 family, const __u8 *to);
void mpx_detect_reset(struct mpx_detect *d, const struct mpx_origin *o,
		      __u8 family, const __u8 *to);
/* A handshake the source initiated completed (its third ACK): a client,
 * not a scanner, if most of its probes do. */
void mpx_detect_completed(struct mpx_detect *d, const struct mpx_origin *o,
			  __u8 family, const __u8 *src);
/* Time passes: windows that ended are closed (a scan's alert is said at
 * its window's end, with the answers). */
void mpx_detect_tick(struct mpx_detect *d, const struct mpx_origin *now);
/* End of input: every window closes. */
void mpx_detect_finish(struct mpx_detect *d, const struct mpx_origin *now);
const struct mpx_detect_stats *mpx_detect_stats(const struct mpx_detect *d);
void mpx_detect_free(struct mpx_detect *d);

#endif /* MPX_DETECT_H */
