/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Attaching to and detaching from interfaces, and finding what is attached.
 *
 * - XDP (ingress) goes through a BPF link: the kernel detaches it when the
 *   daemon's last file descriptor closes, whatever killed the daemon.
 * - TC (egress) goes through a clsact qdisc and a filter (bpf_tc_*, libbpf
 *   1.1). Those outlive the process: a clean exit removes the filter, and
 *   the qdisc if we created it; `mptcp-xdp unload` removes what a killed
 *   daemon left, with the help of a state file in MPX_RUN_DIR.
 */
#ifndef MPX_ATTACH_H
#define MPX_ATTACH_H

#include <net/if.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#define MPX_RUN_DIR "/run/mptcp-xdp"
/* Our TC filter's handle and priority ("MX"), to find it again. */
#define MPX_TC_HANDLE	  0x4d58
#define MPX_TC_PRIORITY	  0x4d58
#define MPX_XDP_PROG_NAME "mptcp_xdp"
#define MPX_TC_PROG_NAME  "mptcp_tc_egress"

enum mpx_xdp_mode {
	MPX_XDP_AUTO = 0, /* native, generic if the driver has no XDP */
	MPX_XDP_NATIVE,
	MPX_XDP_GENERIC,
};

struct mpx_attachment {
	char ifname[IF_NAMESIZE];
	int ifindex;
	int xdp_link_fd;      /* -1 when not attached */
	const char *xdp_mode; /* "native" or "generic" */
	int tc_attached;
	int created_clsact;
};

/* Attach the object's XDP program (and, with egress, its TC program) to
 * ifname. 0, or -1 with a one-line message and an exit code. */
int mpx_attach(int xdp_prog_fd, int tc_prog_fd, const char *ifname,
	       enum mpx_xdp_mode mode, int egress, struct mpx_attachment *a,
	       char *err, size_t errlen, int *code);
/* Undo mpx_attach. Safe to call twice. */
void mpx_detach(struct mpx_attachment *a);

/* What of ours is on an interface. */
struct mpx_iface_state {
	__u32 xdp_prog_id; /* 0 if none of ours */
	const char *xdp_mode;
	__u32 other_xdp_prog_id; /* someone else's XDP program */
	__u32 tc_prog_id;	 /* our TC egress filter, 0 if none */
	pid_t daemon_pid;	 /* from the state file, 0 if none */
	int daemon_alive;
	int created_clsact; /* from the state file */
};

int mpx_iface_state(int ifindex, const char *ifname,
		    struct mpx_iface_state *st);
/* Remove our TC filter (and the clsact qdisc if the state file says we
 * made it) and the state file. The XDP link needs no help. 0 on success. */
int mpx_unload_leftovers(int ifindex, const char *ifname,
			 const struct mpx_iface_state *st, char *err,
			 size_t errlen);
/* The name of the program with this id ("" if unknown). */
void mpx_prog_name(__u32 id, char *out, size_t outlen);

#endif /* MPX_ATTACH_H */
