/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Counter ids: indexes into the per-CPU array map "counters" (and the host
 * engine's plain array). Userspace sums the per-CPU values.
 *
 * One list, expanded twice: into the enum and into the name table, so an id
 * and its name cannot drift apart.
 */
#ifndef MPTCP_COUNTERS_H
#define MPTCP_COUNTERS_H

/* Userspace gets the __u types here; BPF programs from vmlinux.h. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* X(id, name, help) */
#define MPX_COUNTER_LIST(X)                                                    \
	X(PACKETS, "packets", "packets seen by the parser")                    \
	X(IPV4, "ipv4", "IPv4 packets")                                        \
	X(IPV6, "ipv6", "IPv6 packets")                                        \
	X(VLAN, "vlan", "packets with one or more VLAN tags")                  \
	X(NON_IP, "non_ip", "packets that are not IPv4 or IPv6")               \
	X(NON_TCP, "non_tcp", "IP packets that are not TCP")                   \
	X(IP_LATER_FRAGMENT, "ip_later_fragment",                              \
	  "IP fragments after the first: no TCP header to read")               \
	X(TCP, "tcp", "TCP packets")                                           \
	X(MPTCP_PACKETS, "mptcp_packets", "TCP packets with an MPTCP option")  \
	X(MPTCP_OPTIONS, "mptcp_options", "MPTCP options")                     \
	X(OPT_MP_CAPABLE, "opt_mp_capable", "MP_CAPABLE options")              \
	X(OPT_MP_JOIN, "opt_mp_join", "MP_JOIN options")                       \
	X(OPT_DSS, "opt_dss", "DSS options")                                   \
	X(OPT_ADD_ADDR, "opt_add_addr", "ADD_ADDR options")                    \
	X(OPT_REMOVE_ADDR, "opt_remove_addr", "REMOVE_ADDR options")           \
	X(OPT_MP_PRIO, "opt_mp_prio", "MP_PRIO options")                       \
	X(OPT_MP_FAIL, "opt_mp_fail", "MP_FAIL options")                       \
	X(OPT_MP_FASTCLOSE, "opt_mp_fastclose", "MP_FASTCLOSE options")        \
	X(OPT_MP_TCPRST, "opt_mp_tcprst", "MP_TCPRST options")                 \
	X(OPT_MP_EXPERIMENTAL, "opt_mp_experimental",                          \
	  "MP_EXPERIMENTAL options")                                           \
	X(OPT_UNKNOWN_SUBTYPE, "opt_unknown_subtype",                          \
	  "MPTCP options with an unassigned subtype")                          \
	X(OPT_VERSION_0, "opt_version_0", "options that say MPTCP v0")         \
	X(OPT_VERSION_1, "opt_version_1", "options that say MPTCP v1")         \
	X(OPT_VERSION_OTHER, "opt_version_other",                              \
	  "MP_CAPABLE with a version other than 0 or 1")                       \
	X(ERR_BAD_LENGTH, "err_bad_length", "option length illegal")           \
	X(ERR_BAD_FLAGS, "err_bad_flags", "option flags illegal")              \
	X(ERR_UNKNOWN_SUBTYPE, "err_unknown_subtype", "subtype 9-14")          \
	X(ERR_OPT_TRUNCATED, "err_opt_truncated",                              \
	  "option runs past the header or the captured bytes")                 \
	X(ERR_OPT_LEN_INVALID, "err_opt_len_invalid",                          \
	  "TCP option length 0 or 1")                                          \
	X(ERR_TRUNC_L2, "err_trunc_l2", "packet ends inside the L2 header")    \
	X(ERR_TRUNC_L3, "err_trunc_l3", "packet ends inside the IP header")    \
	X(ERR_TRUNC_L4, "err_trunc_l4", "packet ends inside the TCP header")   \
	X(ERR_BAD_IP_HEADER, "err_bad_ip_header", "IP header length illegal")  \
	X(ERR_BAD_TCP_DOFF, "err_bad_tcp_doff", "TCP data offset below 5")     \
	X(ERR_TOO_MANY_EXTHDRS, "err_too_many_exthdrs",                        \
	  "IPv6 extension header chain longer than the parser follows")        \
	X(RECORDS, "records", "records pushed to the ring buffer")             \
	X(RINGBUF_FULL, "ringbuf_full", "records lost: ring buffer full")      \
	X(KIND_DISABLED, "kind_disabled",                                      \
	  "records not emitted because their kind is not enabled")             \
	X(DSS_SUPPRESSED, "dss_suppressed", "DSS records held back by policy") \
	X(FLOW_NEW, "flow_new", "subflows entered in the flow table")          \
	X(FLOW_TABLE_FULL, "flow_table_full",                                  \
	  "flow table inserts that failed")                                    \
	X(FLOW_ASSURED, "flow_assured",                                        \
	  "subflows that carried two packets each way (assured)")              \
	X(PAYLOAD_RECORDS, "payload_records",                                  \
	  "payload records pushed (--streams, --single-path, --yara)")         \
	X(PAYLOAD_BYTES, "payload_bytes", "payload bytes copied out")          \
	X(PAYLOAD_DEPTH, "payload_depth",                                      \
	  "payload bytes not copied: past the stream depth")                   \
	X(PAYLOAD_RINGBUF_FULL, "payload_ringbuf_full",                        \
	  "payload bytes not copied: ring buffer full")

#define MPX_CTR_ENUM_ENTRY(id, name, help) MPX_CTR_##id,
enum mpx_counter { MPX_COUNTER_LIST(MPX_CTR_ENUM_ENTRY) MPX_CTR_MAX };
#undef MPX_CTR_ENUM_ENTRY

/* The kernel's counters: one per-CPU block (the counters map's single
 * value), so that a packet finds all of them through one lookup. */
struct mpx_counters {
	__u64 c[MPX_CTR_MAX];
};

/* Errors map onto their counters in the order of enum mpx_err. */
#define MPX_CTR_ERR_FIRST MPX_CTR_ERR_BAD_LENGTH

#endif /* MPTCP_COUNTERS_H */
