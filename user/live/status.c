// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* `mptcp-xdp status`: every interface with something of ours attached,
 * the daemon that owns it, and that daemon's counters. */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/exit_codes.h"
#include "engine/bpf_object.h"
#include "live/attach.h"
#include "live/status.h"
#include "output/counters_report.h"

/* The counters map of a loaded program: found through the program's map
 * ids, by name. -1 if none. */
static int counters_fd_of_prog(__u32 prog_id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), ids[16];
	int pfd = bpf_prog_get_fd_by_id(prog_id), cfd = -1;

	if (pfd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(pfd, &info, &len) == 0) {
		for (__u32 i = 0; i < info.nr_map_ids && i < 16 && cfd < 0;
		     i++) {
			struct bpf_map_info mi;
			__u32 mlen = sizeof(mi);
			int mfd = bpf_map_get_fd_by_id(ids[i]);

			if (mfd < 0)
				continue;
			memset(&mi, 0, sizeof(mi));
			if (bpf_obj_get_info_by_fd(mfd, &mi, &mlen) == 0 &&
			    strcmp(mi.name, "counters") == 0)
				cfd = mfd;
			else
				close(mfd);
		}
	}
	close(pfd);
	return cfd;
}

static void print_counters(__u32 prog_id)
{
	__u64 ctr[MPX_CTR_MAX] = {0};
	int fd = counters_fd_of_prog(prog_id);

	if (fd < 0)
		return;
	if (mpx_bpf_read_counters(fd, ctr) == 0) {
		int shown = 0;

		printf("  counters (the daemon's, all its interfaces):");
		for (unsigned int id = 0; id < MPX_CTR_MAX; id++) {
			if (!ctr[id])
				continue;
			printf(" %s=%" PRIu64, mpx_counter_name(id),
			       (uint64_t)ctr[id]);
			shown++;
		}
		printf(shown ? "\n" : " all zero\n");
	}
	close(fd);
}

int mpx_status(void)
{
	static const char *const dirs[2] = {"ingress", "egress"};
	struct if_nameindex *ifs = if_nameindex(), *i;
	int found = 0;

	if (!ifs) {
		fprintf(stderr, "mptcp-xdp: cannot list interfaces: %s\n",
			strerror(errno));
		return MPX_EXIT_FAILURE;
	}
	mpx_bpf_quiet();
	for (i = ifs; i->if_index; i++) {
		struct mpx_iface_state st;
		int clsact;

		mpx_iface_state((int)i->if_index, i->if_name, &st);
		if (!st.kind[MPX_DIR_IN] && !st.kind[MPX_DIR_OUT] &&
		    !st.daemon_pid)
			continue;
		found++;
		/* s1: ingress tcx id 123; egress tcx id 124; daemon pid 456
		 * running */
		printf("%s:", i->if_name);
		for (int dir = MPX_DIR_IN; dir <= MPX_DIR_OUT; dir++) {
			if (st.kind[dir])
				printf(" %s %s id %u;", dirs[dir],
				       mpx_hook_kind_name(st.kind[dir]),
				       st.prog_id[dir]);
			else
				printf(" %s none;", dirs[dir]);
		}
		if (st.daemon_pid)
			printf(" daemon pid %d %s", (int)st.daemon_pid,
			       st.daemon_alive ? "running" : "gone");
		else
			printf(" daemon none");
		clsact = st.kind[MPX_DIR_IN] == MPX_AT_CLSACT ||
			 st.kind[MPX_DIR_OUT] == MPX_AT_CLSACT;
		if (!st.daemon_alive && (clsact || st.daemon_pid))
			printf(" (leftovers: run 'mptcp-xdp unload %s')",
			       i->if_name);
		if (st.other_xdp_prog_id)
			printf("; another XDP program (id %u) beside it",
			       st.other_xdp_prog_id);
		printf("\n");
		if (st.prog_id[MPX_DIR_IN] || st.prog_id[MPX_DIR_OUT])
			print_counters(st.prog_id[MPX_DIR_IN]
					   ? st.prog_id[MPX_DIR_IN]
					   : st.prog_id[MPX_DIR_OUT]);
	}
	if (!found)
		printf("no interface has mptcp-xdp attached\n");
	if_freenameindex(ifs);
	return MPX_EXIT_OK;
}
