// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* `mptcp-xdp unload IFACE`: removes what a daemon that could not detach
 * (SIGKILL, a crash) left on an interface. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>

#include "cli/exit_codes.h"
#include "engine/bpf_object.h"
#include "live/attach.h"
#include "live/privilege.h"
#include "live/unload.h"

int mpx_unload(const char *ifname)
{
	int ifindex = (int)if_nametoindex(ifname);
	struct mpx_iface_state st;
	char err[256] = "";

	if (!ifindex) {
		fprintf(stderr, "mptcp-xdp: %s: no such network interface\n",
			ifname);
		return MPX_EXIT_NO_IFACE;
	}
	/* Without privilege the programs cannot even be seen: refuse rather
	 * than report that nothing is there. */
	if (mpx_priv_require(MPX_PRIV_UNLOAD, err, sizeof(err)) < 0) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return MPX_EXIT_PERMISSION;
	}
	mpx_bpf_quiet();
	mpx_iface_state(ifindex, ifname, &st);
	if (st.daemon_alive) {
		fprintf(stderr,
			"mptcp-xdp: %s: a running daemon (pid %d) owns it; "
			"stop that one (kill %d), it detaches by itself\n",
			ifname, (int)st.daemon_pid, (int)st.daemon_pid);
		return MPX_EXIT_BUSY;
	}
	if (st.xdp_prog_id) {
		/* Only a live link keeps our XDP program: its owner is a
		 * process we do not know of. */
		fprintf(stderr,
			"mptcp-xdp: %s: XDP program %u is held by a live link "
			"of another process; stop that process\n",
			ifname, st.xdp_prog_id);
		return MPX_EXIT_BUSY;
	}
	if (!st.tc_prog_id && !st.daemon_pid) {
		printf("%s: nothing of mptcp-xdp attached\n", ifname);
		return MPX_EXIT_OK;
	}
	if (mpx_unload_leftovers(ifindex, ifname, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return errno == EPERM ? MPX_EXIT_PERMISSION : MPX_EXIT_BPF;
	}
	printf("%s: removed%s%s\n", ifname,
	       st.tc_prog_id ? " the TC egress filter" : " a stale state file",
	       st.tc_prog_id && st.created_clsact ? " and its clsact qdisc"
						  : "");
	return MPX_EXIT_OK;
}
