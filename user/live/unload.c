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
	int clsact;

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
	if (mpx_state_has_link(&st)) {
		int dir =
		    st.kind[MPX_DIR_IN] && st.kind[MPX_DIR_IN] != MPX_AT_CLSACT
			? MPX_DIR_IN
			: MPX_DIR_OUT;

		/* Only a live link keeps an XDP or TCX program: its owner is
		 * a process we do not know of. */
		fprintf(stderr,
			"mptcp-xdp: %s: %s program %u is held by a live link "
			"of another process; stop that process\n",
			ifname, mpx_hook_kind_name(st.kind[dir]),
			st.prog_id[dir]);
		return MPX_EXIT_BUSY;
	}
	clsact = st.kind[MPX_DIR_IN] == MPX_AT_CLSACT ||
		 st.kind[MPX_DIR_OUT] == MPX_AT_CLSACT;
	if (!clsact && !st.daemon_pid) {
		printf("%s: nothing of mptcp-xdp attached\n", ifname);
		return MPX_EXIT_OK;
	}
	if (mpx_unload_leftovers(ifindex, ifname, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "mptcp-xdp: %s\n", err);
		return errno == EPERM ? MPX_EXIT_PERMISSION : MPX_EXIT_BPF;
	}
	if (!clsact)
		printf("%s: removed a stale state file\n", ifname);
	else
		printf("%s: removed the clsact filters (%s%s%s)%s\n", ifname,
		       st.kind[MPX_DIR_IN] == MPX_AT_CLSACT ? "ingress" : "",
		       st.kind[MPX_DIR_IN] == MPX_AT_CLSACT &&
			       st.kind[MPX_DIR_OUT] == MPX_AT_CLSACT
			   ? ", "
			   : "",
		       st.kind[MPX_DIR_OUT] == MPX_AT_CLSACT ? "egress" : "",
		       st.created_clsact ? " and the clsact qdisc, if empty"
					 : "");
	return MPX_EXIT_OK;
}
