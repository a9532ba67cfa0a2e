/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The event record: the one thing the kernel side hands to userspace.
 *
 * One record per MPTCP option seen (a packet carrying DSS and ADD_ADDR gives
 * two), plus a few records about tracked subflows that are not options.
 * Naturally aligned, no pointers, every byte (padding included) written by
 * the producer, because ring buffer memory is not zeroed.
 *
 * In the ring a record is only as long as its kind needs: the common part,
 * then the kind's body (MPX_RECORD_SIZE()); a DSS record is 104 bytes, an
 * MP_JOIN one 120. Readers check the size against the kind and widen the
 * record into a zeroed struct mptcp_event, which is what the rest of
 * userspace handles.
 *
 * Included by the BPF programs (after vmlinux.h) and by userspace; it
 * defines nothing else than the record and its enums.
 */
#ifndef MPTCP_EVENT_H
#define MPTCP_EVENT_H

/* Userspace gets the __u types here; BPF programs from vmlinux.h. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Bump when the layout below changes; userspace refuses other versions. */
#define MPX_ABI_VERSION 3

#define MPX_ADDR_LEN 16
/* The TCP option space is 40 bytes: REMOVE_ADDR can list 40 - 3 ids. */
#define MPX_MAX_RM_IDS	    37
#define MPX_JOIN_HMAC_LEN   20
#define MPX_VERSION_UNKNOWN 0xff
#define MPX_SUBTYPE_UNKNOWN 0xff

/*
 * Record kinds. Values 0..15 are the MPTCP option subtypes themselves
 * (RFC 8684 section 7.2 registry), so an option record's kind is its subtype.
 */
enum mpx_kind {
	MPX_EV_MP_CAPABLE = 0,
	MPX_EV_MP_JOIN = 1,
	MPX_EV_DSS = 2,
	MPX_EV_ADD_ADDR = 3,
	MPX_EV_REMOVE_ADDR = 4,
	MPX_EV_MP_PRIO = 5,
	MPX_EV_MP_FAIL = 6,
	MPX_EV_MP_FASTCLOSE = 7,
	MPX_EV_MP_TCPRST = 8,
	MPX_EV_MP_EXPERIMENTAL = 15,
	/* An MPTCP option that is not legal: subtype and error say why. */
	MPX_EV_MP_ERROR = 16,
	/* Records about tracked subflows (flow table), not options. */
	MPX_EV_SUBFLOW_FIN = 17,
	MPX_EV_SUBFLOW_RST = 18,
	/* SYN/ACK without MP_CAPABLE answering a SYN that had it. */
	MPX_EV_FALLBACK = 19,
	/* TCP payload of a tracked subflow (--streams, --single-path, --yara):
	 * the record is followed by u.payload.len bytes, so it is the one kind
	 * whose size varies (MPX_PAYLOAD_RECORD_MAX at most). */
	MPX_EV_PAYLOAD = 20,
	MPX_EV_KIND_MAX = 21,
};

/* Where the packet was seen. */
enum mpx_hook {
	MPX_HOOK_XDP = 0,
	MPX_HOOK_TC_INGRESS = 1,
	MPX_HOOK_TC_EGRESS = 2,
	/* The host build of the parser (replay --engine host, tests). */
	MPX_HOOK_HOST = 3,
};

/*
 * Why an option (or a packet) could not be decoded. The first group makes
 * mp_error records; all of them are counted (see mptcp_counters.h).
 */
enum mpx_err {
	MPX_ERR_NONE = 0,
	/* Length not legal for the subtype (RFC 8684 section 3). */
	MPX_ERR_BAD_LENGTH = 1,
	/* Flags that contradict each other or the length. */
	MPX_ERR_BAD_FLAGS = 2,
	/* Subtype 9..14: not assigned. */
	MPX_ERR_UNKNOWN_SUBTYPE = 3,
	/* Option runs past the TCP header or past the captured bytes. */
	MPX_ERR_OPT_TRUNCATED = 4,
	/* TCP option length 0 or 1: the walk cannot go on. */
	MPX_ERR_OPT_LEN_INVALID = 5,
	MPX_ERR_RECORD_MAX = 6,
	/* Packet-level: counted only. */
	MPX_ERR_TRUNC_L2 = 6,
	MPX_ERR_TRUNC_L3 = 7,
	MPX_ERR_TRUNC_L4 = 8,
	MPX_ERR_BAD_IP_HEADER = 9,
	MPX_ERR_BAD_TCP_DOFF = 10,
	MPX_ERR_TOO_MANY_EXTHDRS = 11,
	MPX_ERR_MAX = 12,
};

/* Join stages, from the option length (RFC 8684 section 3.2). */
enum mpx_join_stage {
	MPX_JOIN_SYN = 0,    /* length 12: token, nonce */
	MPX_JOIN_SYNACK = 1, /* length 16: truncated HMAC, nonce */
	MPX_JOIN_ACK = 2,    /* length 24: 160-bit HMAC */
};

/* TCP flags as in the header byte 13. */
#define MPX_TCP_FIN 0x01
#define MPX_TCP_SYN 0x02
#define MPX_TCP_RST 0x04
#define MPX_TCP_PSH 0x08
#define MPX_TCP_ACK 0x10
#define MPX_TCP_URG 0x20
#define MPX_TCP_ECE 0x40
#define MPX_TCP_CWR 0x80

/* MP_CAPABLE flags byte (RFC 8684 section 3.1). */
#define MPX_CAP_A 0x80 /* checksum required */
#define MPX_CAP_B 0x40 /* extensibility */
#define MPX_CAP_C 0x20 /* v1: do not join to the source address */
#define MPX_CAP_H 0x01 /* HMAC-SHA256 (v1) / HMAC-SHA1 (v0) */

/* DSS flags byte (RFC 8684 section 3.3). */
#define MPX_DSS_A 0x01 /* Data ACK present */
#define MPX_DSS_a 0x02 /* Data ACK is 8 bytes */
#define MPX_DSS_M 0x04 /* mapping present */
#define MPX_DSS_m 0x08 /* DSN is 8 bytes */
#define MPX_DSS_F 0x10 /* DATA_FIN */

/* MP_TCPRST flags nibble (RFC 8684 section 3.6). */
#define MPX_RST_U 0x8
#define MPX_RST_V 0x4
#define MPX_RST_W 0x2
#define MPX_RST_T 0x1

struct mpx_ev_capable {
	__u8 flags;
	__u8 has_sender_key;
	__u8 has_receiver_key;
	__u8 has_data_len;
	__u8 has_checksum;
	__u8 pad0[3];
	__u64 sender_key;
	__u64 receiver_key;
	__u16 data_len;
	__u16 checksum;
	__u8 pad1[4];
};

struct mpx_ev_join {
	__u8 stage; /* enum mpx_join_stage */
	__u8 backup;
	__u8 addr_id;
	__u8 pad0;
	__u32 token;
	__u32 nonce;
	__u8 pad1[4];
	__u64 hmac64;
	__u8 hmac[MPX_JOIN_HMAC_LEN];
	__u8 pad2[4];
};

struct mpx_ev_dss {
	__u8 flags;
	__u8 has_ack;
	__u8 has_map;
	__u8 has_checksum;
	__u8 data_fin;
	__u8 ack8;
	__u8 dsn8;
	__u8 pad0;
	__u64 data_ack;
	__u64 dsn;
	__u32 ssn;
	__u16 data_len;
	__u16 checksum;
};

struct mpx_ev_add_addr {
	__u8 version; /* 0 (RFC 6824) or 1 (RFC 8684), from the nibble */
	__u8 echo;
	__u8 addr_id;
	__u8 family; /* 4 or 6 */
	__u8 has_port;
	__u8 has_hmac;
	__u16 port;
	__u8 addr[MPX_ADDR_LEN]; /* IPv4 in the first 4 bytes */
	__u64 hmac;
};

struct mpx_ev_remove_addr {
	__u8 count;
	__u8 ids[MPX_MAX_RM_IDS];
	__u8 pad0[2];
};

struct mpx_ev_prio {
	__u8 backup;
	__u8 has_addr_id;
	__u8 addr_id;
	__u8 pad0[5];
};

struct mpx_ev_fail {
	__u64 dsn;
};

struct mpx_ev_fastclose {
	__u64 receiver_key;
};

struct mpx_ev_tcprst {
	__u8 flags; /* MPX_RST_* */
	__u8 reason;
	__u8 pad0[6];
};

/* Subflow FIN / RST / fallback: the flow's counters so far. [0] = the
 * direction of the packet's source, [1] = the other. */
struct mpx_ev_subflow {
	__u64 packets[2];
	__u64 bytes[2];
};

/* Payload: bytes [offset, offset + len) of the packet's TCP payload follow
 * the record (at MPX_RECORD_SIZE(MPX_EV_PAYLOAD) in the ring); seq + offset
 * is the first one's sequence number. A packet with more payload than
 * MPX_PAYLOAD_CHUNK (a GSO super-packet at TC egress) gives several
 * records. */
struct mpx_ev_payload {
	__u32 offset;
	__u16 len;
	__u8 pad0[2];
};

/* Payload bytes carried by one payload record. */
#define MPX_PAYLOAD_CHUNK 2048

struct mptcp_event {
	__u64
	    ts_ns; /* bpf_ktime_get_ns(); replay overwrites with capture time */
	__u32 ifindex;
	__u16 abi_version;	  /* MPX_ABI_VERSION */
	__u8 kind;		  /* enum mpx_kind */
	__u8 hook;		  /* enum mpx_hook */
	__u8 saddr[MPX_ADDR_LEN]; /* IPv4 as ::ffff:a.b.c.d */
	__u8 daddr[MPX_ADDR_LEN];
	__u16 sport; /* host byte order */
	__u16 dport;
	__u32 seq;
	__u32 ack;
	__u16 payload_len; /* TCP payload bytes, from the IP length */
	__u8 family;	   /* 4 or 6 */
	__u8 tcp_flags;	   /* MPX_TCP_* */
	__u8 subtype;	   /* raw subtype nibble, MPX_SUBTYPE_UNKNOWN if none */
	__u8 opt_len;	   /* option length byte */
	__u8 version;	   /* MPTCP version if the option tells it */
	__u8 error;	   /* enum mpx_err, for MPX_EV_MP_ERROR */
	__u8 opt_index;	   /* position among the packet's MPTCP options */
	__u8 pad0[3];
	union {
		struct mpx_ev_capable capable;
		struct mpx_ev_join join;
		struct mpx_ev_dss dss;
		struct mpx_ev_add_addr add_addr;
		struct mpx_ev_remove_addr remove_addr;
		struct mpx_ev_prio prio;
		struct mpx_ev_fail fail;
		struct mpx_ev_fastclose fastclose;
		struct mpx_ev_tcprst tcprst;
		struct mpx_ev_subflow subflow;
		struct mpx_ev_payload payload;
		__u8 raw[48];
	} u;
};

/* The common part: what every record starts with. */
#define MPX_RECORD_HEAD __builtin_offsetof(struct mptcp_event, u)

/*
 * The body of each kind: the union member it fills. mp_error and
 * MP_EXPERIMENTAL records have none (the common part says it all); a kind
 * the enum does not name takes the whole union, as every record did before
 * sizes followed kinds.
 */
#define MPX_RECORD_BODY(kind)                                                  \
	((kind) == MPX_EV_MP_CAPABLE	 ? sizeof(struct mpx_ev_capable)       \
	 : (kind) == MPX_EV_MP_JOIN	 ? sizeof(struct mpx_ev_join)          \
	 : (kind) == MPX_EV_DSS		 ? sizeof(struct mpx_ev_dss)           \
	 : (kind) == MPX_EV_ADD_ADDR	 ? sizeof(struct mpx_ev_add_addr)      \
	 : (kind) == MPX_EV_REMOVE_ADDR	 ? sizeof(struct mpx_ev_remove_addr)   \
	 : (kind) == MPX_EV_MP_PRIO	 ? sizeof(struct mpx_ev_prio)          \
	 : (kind) == MPX_EV_MP_FAIL	 ? sizeof(struct mpx_ev_fail)          \
	 : (kind) == MPX_EV_MP_FASTCLOSE ? sizeof(struct mpx_ev_fastclose)     \
	 : (kind) == MPX_EV_MP_TCPRST	 ? sizeof(struct mpx_ev_tcprst)        \
	 : (kind) == MPX_EV_MP_EXPERIMENTAL || (kind) == MPX_EV_MP_ERROR ? 0   \
	 : (kind) == MPX_EV_SUBFLOW_FIN || (kind) == MPX_EV_SUBFLOW_RST ||     \
		 (kind) == MPX_EV_FALLBACK                                     \
	     ? sizeof(struct mpx_ev_subflow)                                   \
	 : (kind) == MPX_EV_PAYLOAD ? sizeof(struct mpx_ev_payload)            \
				    : sizeof(((struct mptcp_event *)0)->u))

/* Bytes of a record of this kind in the ring (a payload record's bytes
 * follow, u.payload.len of them). */
#define MPX_RECORD_SIZE(kind) (MPX_RECORD_HEAD + MPX_RECORD_BODY(kind))

_Static_assert(sizeof(struct mpx_ev_capable) == 32, "capable layout");
_Static_assert(sizeof(struct mpx_ev_join) == 48, "join layout");
_Static_assert(sizeof(struct mpx_ev_dss) == 32, "dss layout");
_Static_assert(sizeof(struct mpx_ev_add_addr) == 32, "add_addr layout");
_Static_assert(sizeof(struct mpx_ev_remove_addr) == 40, "remove_addr layout");
_Static_assert(sizeof(struct mpx_ev_subflow) == 32, "subflow layout");
_Static_assert(sizeof(struct mpx_ev_payload) == 8, "payload layout");
_Static_assert(sizeof(struct mptcp_event) == 120, "event record layout");
_Static_assert(MPX_RECORD_HEAD == 72, "union offset");

/* The sizes, kind by kind: each a multiple of 8 (the ring's alignment, so
 * a record's fields stay aligned where it lies), none past the struct. A
 * new kind needs a line here and a case above. */
#define MPX_RECORD_SIZE_IS(kind, n)                                            \
	_Static_assert(MPX_RECORD_SIZE(kind) == (n) && (n) % 8 == 0 &&         \
			   (n) <= sizeof(struct mptcp_event),                  \
		       "record size of " #kind)
MPX_RECORD_SIZE_IS(MPX_EV_MP_CAPABLE, 104);
MPX_RECORD_SIZE_IS(MPX_EV_MP_JOIN, 120);
MPX_RECORD_SIZE_IS(MPX_EV_DSS, 104);
MPX_RECORD_SIZE_IS(MPX_EV_ADD_ADDR, 104);
MPX_RECORD_SIZE_IS(MPX_EV_REMOVE_ADDR, 112);
MPX_RECORD_SIZE_IS(MPX_EV_MP_PRIO, 80);
MPX_RECORD_SIZE_IS(MPX_EV_MP_FAIL, 80);
MPX_RECORD_SIZE_IS(MPX_EV_MP_FASTCLOSE, 80);
MPX_RECORD_SIZE_IS(MPX_EV_MP_TCPRST, 80);
MPX_RECORD_SIZE_IS(MPX_EV_MP_EXPERIMENTAL, 72);
MPX_RECORD_SIZE_IS(MPX_EV_MP_ERROR, 72);
MPX_RECORD_SIZE_IS(MPX_EV_SUBFLOW_FIN, 104);
MPX_RECORD_SIZE_IS(MPX_EV_SUBFLOW_RST, 104);
MPX_RECORD_SIZE_IS(MPX_EV_FALLBACK, 104);
MPX_RECORD_SIZE_IS(MPX_EV_PAYLOAD, 80);
MPX_RECORD_SIZE_IS(MPX_EV_KIND_MAX, 120);
_Static_assert(MPX_EV_KIND_MAX == 21, "a new kind needs its record size");

/* A payload record at its largest: the record, then a chunk of bytes. */
#define MPX_PAYLOAD_RECORD_MAX                                                 \
	(MPX_RECORD_SIZE(MPX_EV_PAYLOAD) + MPX_PAYLOAD_CHUNK)

#endif /* MPTCP_EVENT_H */
