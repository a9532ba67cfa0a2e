/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Attaching to and detaching from interfaces, and finding what is attached.
 *
 * Ingress is native or generic XDP, or TC; egress is TC. Which hook kind
 * each interface got is recorded in struct mpx_attachment:
 *
 * - XDP goes through a BPF link, and so does TC where the kernel has TCX
 *   (Linux 6.6): the kernel detaches a link when the daemon's last file
 *   descriptor closes, whatever killed the daemon. Nothing is pinned.
 * - Without TCX (or with MPTCP_XDP_NO_TCX=1), TC goes through a clsact
 *   qdisc and filters (bpf_tc_*, libbpf 1.1). Those outlive the process: a
 *   clean exit removes our filters, and the qdisc if we created it and no
 *   one else's filter is on it; `mptcp-xdp unload` removes what a killed
 *   daemon left, with the help of a state file in MPX_RUN_DIR.
 */
#ifndef MPX_ATTACH_H
#define MPX_ATTACH_H

#include <net/if.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#define MPX_RUN_DIR "/run/mptcp-xdp"
/* Our clsact filters' handle and priority ("MX"), to find them again. */
#define MPX_TC_HANDLE	  0x4d58
#define MPX_TC_PRIORITY	  0x4d58
#define MPX_XDP_PROG_NAME "mptcp_xdp"
/* The kernel keeps 15 characters of a program's name: "mptcp_tc_ingres". */
#define MPX_TC_IN_PROG_NAME "mptcp_tc_ingress"
#define MPX_TC_PROG_NAME    "mptcp_tc_egress"
/* Set to 1: TC through clsact even where the kernel has TCX (tests). */
#define MPX_NO_TCX_ENV "MPTCP_XDP_NO_TCX"

/* What `load --ingress` asks for. */
enum mpx_ingress_mode {
	/* Native XDP on a physical device; TC on a virtual one (veth,
	 * bridge: native XDP there costs more than it saves), where another
	 * XDP program is attached, or where the driver refuses native XDP. */
	MPX_INGRESS_AUTO = 0,
	MPX_INGRESS_XDP_NATIVE,
	MPX_INGRESS_XDP_GENERIC,
	MPX_INGRESS_TC, /* TCX, else clsact */
};

/* The kind of hook a program sits on. */
enum mpx_hook_kind {
	MPX_AT_NONE = 0,
	MPX_AT_XDP_NATIVE,
	MPX_AT_XDP_GENERIC,
	MPX_AT_XDP_OFFLOAD, /* only ever seen, never made */
	MPX_AT_TCX,
	MPX_AT_CLSACT,
};

/* "none", "xdp-native", "xdp-generic", "xdp-offload", "tcx", "clsact". */
const char *mpx_hook_kind_name(enum mpx_hook_kind k);

/* Directions, as indexes. */
enum { MPX_DIR_IN = 0, MPX_DIR_OUT = 1 };

struct mpx_attachment {
	char ifname[IF_NAMESIZE];
	int ifindex;
	enum mpx_hook_kind kind[2]; /* per direction; MPX_AT_NONE if none */
	__u32 prog_id[2];	    /* our program there */
	int link_fd[2];		    /* XDP or TCX link; -1 if none */
	int created_clsact;
	char why[128]; /* why the ingress kind, for the log */
};

/* Attach the object's ingress program (XDP or TC per mode) and, with
 * egress, its TC egress program to ifname. 0, or -1 with a one-line message
 * and an exit code. */
int mpx_attach(int xdp_prog_fd, int tc_in_prog_fd, int tc_eg_prog_fd,
	       const char *ifname, enum mpx_ingress_mode mode, int egress,
	       struct mpx_attachment *a, char *err, size_t errlen, int *code);
/* Undo mpx_attach. Safe to call twice. */
void mpx_detach(struct mpx_attachment *a);

/* What of ours is on an interface. */
struct mpx_iface_state {
	enum mpx_hook_kind kind[2]; /* per direction, MPX_AT_NONE if none */
	__u32 prog_id[2];
	__u32 other_xdp_prog_id; /* someone else's XDP program */
	pid_t daemon_pid;	 /* from the state file, 0 if none */
	int daemon_alive;
	int created_clsact; /* from the state file */
};

int mpx_iface_state(int ifindex, const char *ifname,
		    struct mpx_iface_state *st);
/* A program of ours held by a link: only a live process keeps it. */
int mpx_state_has_link(const struct mpx_iface_state *st);
/* Remove our clsact filters (and the clsact qdisc if the state file says
 * we made it and no other filter is on it) and the state file. Links need
 * no help. 0 on success. */
int mpx_unload_leftovers(int ifindex, const char *ifname,
			 const struct mpx_iface_state *st, char *err,
			 size_t errlen);
/* The name of the program with this id ("" if unknown). */
void mpx_prog_name(__u32 id, char *out, size_t outlen);

#endif /* MPX_ATTACH_H */
