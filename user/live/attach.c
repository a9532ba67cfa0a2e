// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "cli/exit_codes.h"
#include "live/attach.h"

void mpx_prog_name(__u32 id, char *out, size_t outlen)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd;

	out[0] = '\0';
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		snprintf(out, outlen, "%s", info.name);
	close(fd);
}

/* Interface names are per network namespace: the namespace's inode keeps
 * two daemons in two namespaces (each with its "eth0") apart. */
static void state_path(const char *ifname, char *out, size_t outlen)
{
	struct stat st;
	unsigned long ns =
	    stat("/proc/self/ns/net", &st) == 0 ? (unsigned long)st.st_ino : 0;

	snprintf(out, outlen, "%s/%lu-%s", MPX_RUN_DIR, ns, ifname);
}

static void read_state(const char *ifname, struct mpx_iface_state *st)
{
	char path[128], line[64];
	FILE *f;

	state_path(ifname, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int v;

		if (sscanf(line, "pid=%d", &v) == 1)
			st->daemon_pid = v;
		else if (sscanf(line, "clsact_created=%d", &v) == 1)
			st->created_clsact = v;
	}
	fclose(f);
	st->daemon_alive = st->daemon_pid > 0 &&
			   (kill(st->daemon_pid, 0) == 0 || errno == EPERM);
}

static void write_state(const struct mpx_attachment *a)
{
	char path[128];
	FILE *f;

	mkdir(MPX_RUN_DIR, 0755);
	state_path(a->ifname, path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		return; /* only `unload` after a crash needs it */
	fprintf(f, "pid=%d\nclsact_created=%d\n", (int)getpid(),
		a->created_clsact);
	fclose(f);
}

static const char *xdp_mode_name(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	default:
		return "multi";
	}
}

int mpx_iface_state(int ifindex, const char *ifname, struct mpx_iface_state *st)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, xq);
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tq, .handle = MPX_TC_HANDLE,
		    .priority = MPX_TC_PRIORITY);
	char name[BPF_OBJ_NAME_LEN];

	memset(st, 0, sizeof(*st));
	if (bpf_xdp_query(ifindex, 0, &xq) == 0) {
		__u32 ids[3] = {xq.drv_prog_id, xq.skb_prog_id, xq.hw_prog_id};
		const char *modes[3] = {"native", "generic", "offload"};

		for (int i = 0; i < 3; i++) {
			if (!ids[i])
				continue;
			mpx_prog_name(ids[i], name, sizeof(name));
			if (strcmp(name, MPX_XDP_PROG_NAME) == 0) {
				st->xdp_prog_id = ids[i];
				st->xdp_mode = modes[i];
			} else {
				st->other_xdp_prog_id = ids[i];
			}
		}
		if (!st->xdp_mode && st->xdp_prog_id)
			st->xdp_mode = xdp_mode_name(xq.attach_mode);
	}
	if (bpf_tc_query(&hook, &tq) == 0) {
		mpx_prog_name(tq.prog_id, name, sizeof(name));
		if (strcmp(name, MPX_TC_PROG_NAME) == 0)
			st->tc_prog_id = tq.prog_id;
	}
	read_state(ifname, st);
	return 0;
}

static int tc_remove(int ifindex, int whole_qdisc)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MPX_TC_HANDLE,
		    .priority = MPX_TC_PRIORITY);

	if (whole_qdisc) {
		/* Both attach points: that is how libbpf names the clsact
		 * qdisc itself. */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		return bpf_tc_hook_destroy(&hook);
	}
	return bpf_tc_detach(&hook, &opts);
}

int mpx_unload_leftovers(int ifindex, const char *ifname,
			 const struct mpx_iface_state *st, char *err,
			 size_t errlen)
{
	char path[128];
	int r = 0;

	if (st->tc_prog_id) {
		r = tc_remove(ifindex, st->created_clsact);
		if (r < 0 && r != -ENOENT)
			snprintf(err, errlen,
				 "%s: cannot remove the TC egress filter: %s",
				 ifname, strerror(-r));
	}
	state_path(ifname, path, sizeof(path));
	unlink(path);
	return r < 0 && r != -ENOENT ? -1 : 0;
}

static int attach_xdp(int prog_fd, struct mpx_attachment *a, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, a->ifindex, BPF_XDP, &opts);

	if (fd < 0)
		return -errno;
	a->xdp_link_fd = fd;
	a->xdp_mode = flags == XDP_FLAGS_DRV_MODE ? "native" : "generic";
	return 0;
}

static int fail(char *err, size_t errlen, int *code, int c, const char *fmt,
		const char *ifname, int e)
{
	snprintf(err, errlen, fmt, ifname, strerror(e));
	*code = e == EPERM || e == EACCES ? MPX_EXIT_PERMISSION : c;
	return -1;
}

int mpx_attach(int xdp_prog_fd, int tc_prog_fd, const char *ifname,
	       enum mpx_xdp_mode mode, int egress, struct mpx_attachment *a,
	       char *err, size_t errlen, int *code)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MPX_TC_HANDLE,
		    .priority = MPX_TC_PRIORITY, .prog_fd = tc_prog_fd);
	struct mpx_iface_state st;
	char other[BPF_OBJ_NAME_LEN];
	int r;

	memset(a, 0, sizeof(*a));
	a->xdp_link_fd = -1;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->ifindex = (int)if_nametoindex(ifname);
	if (!a->ifindex) {
		snprintf(err, errlen, "%s: no such network interface", ifname);
		*code = MPX_EXIT_NO_IFACE;
		return -1;
	}
	mpx_iface_state(a->ifindex, ifname, &st);
	if (st.xdp_prog_id || st.daemon_alive) {
		snprintf(err, errlen,
			 "%s: mptcp-xdp is already attached (XDP program %u, "
			 "daemon pid %d); stop it, or run 'mptcp-xdp unload "
			 "%s' if it was killed",
			 ifname, st.xdp_prog_id, (int)st.daemon_pid, ifname);
		*code = MPX_EXIT_BUSY;
		return -1;
	}
	if (st.other_xdp_prog_id) {
		mpx_prog_name(st.other_xdp_prog_id, other, sizeof(other));
		snprintf(err, errlen,
			 "%s: another XDP program is attached (id %u, '%s'); "
			 "not replacing it",
			 ifname, st.other_xdp_prog_id, other);
		*code = MPX_EXIT_BUSY;
		return -1;
	}
	if (st.tc_prog_id) {
		/* A killed daemon's filter: ours to clean before reuse. */
		fprintf(stderr,
			"mptcp-xdp: notice: %s: removing a TC filter left by "
			"a daemon that did not exit cleanly\n",
			ifname);
		mpx_unload_leftovers(a->ifindex, ifname, &st, err, errlen);
	}

	if (mode == MPX_XDP_GENERIC) {
		r = attach_xdp(xdp_prog_fd, a, XDP_FLAGS_SKB_MODE);
	} else {
		r = attach_xdp(xdp_prog_fd, a, XDP_FLAGS_DRV_MODE);
		if (r < 0 && mode == MPX_XDP_AUTO && r != -EPERM &&
		    r != -EBUSY) {
			fprintf(stderr,
				"mptcp-xdp: notice: %s: native XDP not "
				"available (%s), using generic XDP\n",
				ifname, strerror(-r));
			r = attach_xdp(xdp_prog_fd, a, XDP_FLAGS_SKB_MODE);
		}
	}
	if (r < 0)
		return fail(err, errlen, code,
			    r == -EBUSY ? MPX_EXIT_BUSY : MPX_EXIT_BPF,
			    "%s: cannot attach XDP: %s", ifname, -r);

	if (egress) {
		hook.ifindex = a->ifindex;
		r = bpf_tc_hook_create(&hook);
		if (r == 0)
			a->created_clsact = 1;
		else if (r != -EEXIST) {
			mpx_detach(a);
			return fail(err, errlen, code, MPX_EXIT_BPF,
				    "%s: cannot add a clsact qdisc: %s", ifname,
				    -r);
		}
		r = bpf_tc_attach(&hook, &opts);
		if (r < 0) {
			mpx_detach(a);
			return fail(err, errlen, code, MPX_EXIT_BPF,
				    "%s: cannot attach TC egress: %s", ifname,
				    -r);
		}
		a->tc_attached = 1;
	}
	write_state(a);
	return 0;
}

void mpx_detach(struct mpx_attachment *a)
{
	char path[128];

	if (a->xdp_link_fd >= 0) {
		bpf_link_detach(a->xdp_link_fd);
		close(a->xdp_link_fd);
		a->xdp_link_fd = -1;
	}
	if (a->tc_attached || a->created_clsact) {
		tc_remove(a->ifindex, a->created_clsact);
		a->tc_attached = 0;
		a->created_clsact = 0;
	}
	if (a->ifname[0]) {
		state_path(a->ifname, path, sizeof(path));
		unlink(path);
	}
}
