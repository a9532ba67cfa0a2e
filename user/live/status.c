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

		mpx_iface_state((int)i->if_index, i->if_name, &st);
		if (!st.xdp_prog_id && !st.tc_prog_id && !st.daemon_pid)
			continue;
		found++;
		printf("%s (ifindex %u):", i->if_name, i->if_index);
		if (st.xdp_prog_id)
			printf(" xdp id %u mode %s;", st.xdp_prog_id,
			       st.xdp_mode);
		else
			printf(" xdp none;");
		if (st.tc_prog_id)
			printf(" tc egress id %u;", st.tc_prog_id);
		else
			printf(" tc egress none;");
		if (st.daemon_pid)
			printf(" daemon pid %d %s", (int)st.daemon_pid,
			       st.daemon_alive ? "running" : "gone");
		if (!st.daemon_alive && st.tc_prog_id)
			printf(" (leftovers: run 'mptcp-xdp unload %s')",
			       i->if_name);
		printf("\n");
		if (st.xdp_prog_id)
			print_counters(st.xdp_prog_id);
	}
	if (!found)
		printf("no interface has mptcp-xdp attached\n");
	if_freenameindex(ifs);
	return MPX_EXIT_OK;
}
