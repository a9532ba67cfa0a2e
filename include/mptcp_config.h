/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Configuration the loader writes into the BPF object before load (a
 * `const volatile` global, so the verifier prunes what is switched off) and
 * hands to the host engine unchanged.
 */
#ifndef MPTCP_CONFIG_H
#define MPTCP_CONFIG_H

/* Userspace gets the __u types here; BPF programs from vmlinux.h. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * DSS is on almost every MPTCP packet: sending them all to userspace at line
 * rate is a choice, not the default.
 */
enum mpx_dss_policy {
	MPX_DSS_ALL = 0,    /* every DSS (replay's default) */
	MPX_DSS_SAMPLE = 1, /* one in dss_sample_n, per CPU */
	/* DATA_FIN and the first mapping of each subflow direction (live's
	 * default); needs the flow table. */
	MPX_DSS_EDGES = 2,
};

#define MPX_KIND_BIT(kind) (1u << (kind))
/* Every kind but payload, which only the data-level options turn on: no
 * payload leaves the kernel unless asked for. */
#define MPX_EMIT_ALL_KINDS                                                     \
	(((1u << MPX_EV_KIND_MAX) - 1) & ~MPX_KIND_BIT(MPX_EV_PAYLOAD))

struct mpx_config {
	__u32 emit_mask;    /* MPX_KIND_BIT() of every record kind to emit */
	__u32 dss_policy;   /* enum mpx_dss_policy */
	__u32 dss_sample_n; /* for MPX_DSS_SAMPLE; 0 and 1 mean every DSS */
	/* Payload records (MPX_EV_PAYLOAD, when in emit_mask): bytes of each
	 * subflow direction copied out, the first stream_depth of them
	 * (0: no limit). */
	__u32 stream_depth;
	/* Ring buffer wake-ups (the event path, docs/design.md): 0, every
	 * record may wake the consumer (the kernel's default notification,
	 * flags 0: a wake-up whenever the consumer had caught up); else a
	 * record is submitted with BPF_RB_NO_WAKEUP unless this many bytes
	 * already wait in the ring, then with BPF_RB_FORCE_WAKEUP, and the
	 * consumer polls with a timeout (MPX_RING_POLL_MS). The loader turns
	 * MPX_WAKEUP_BATCHED into MPX_WAKEUP_FRACTION of the ring, and
	 * MPX_WAKEUP_NONE into the ring's size: no record wakes anyone, for
	 * a consumer that reads the ring after every run of the program
	 * (the replay's BPF engine), where a wake-up would be an
	 * inter-processor interrupt per record for nobody. */
	__u32 wakeup_bytes;
};

#define MPX_WAKEUP_BATCHED  0xffffffffu
#define MPX_WAKEUP_NONE	    0xfffffffeu
#define MPX_WAKEUP_FRACTION 8 /* the ring's size over the threshold */

#endif /* MPTCP_CONFIG_H */
