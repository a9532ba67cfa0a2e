// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "cli/exit_codes.h"
#include "live/attach.h"

/* libbpf 1.1 and Debian 12's uapi headers (Linux 6.1) predate TCX (Linux
 * 6.6, enum bpf_attach_type): the values of later headers. */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#endif
#ifndef BPF_TCX_EGRESS
#define BPF_TCX_EGRESS 47
#endif
/* The kernel's "not supported" (include/linux/errno.h), not in libc's. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static const char *const dir_name[2] = {"ingress", "egress"};

const char *mpx_hook_kind_name(enum mpx_hook_kind k)
{
	switch (k) {
	case MPX_AT_XDP_NATIVE:
		return "xdp-native";
	case MPX_AT_XDP_GENERIC:
		return "xdp-generic";
	case MPX_AT_XDP_OFFLOAD:
		return "xdp-offload";
	case MPX_AT_TCX:
		return "tcx";
	case MPX_AT_CLSACT:
		return "clsact";
	default:
		return "none";
	}
}

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

/* Program id's name is want, as far as the kernel keeps it. */
static int prog_is(__u32 id, const char *want)
{
	char name[BPF_OBJ_NAME_LEN];

	if (!id)
		return 0;
	mpx_prog_name(id, name, sizeof(name));
	return name[0] && strncmp(name, want, BPF_OBJ_NAME_LEN - 1) == 0;
}

static __u32 prog_id_of_fd(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
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
	fprintf(f, "pid=%d\nclsact_created=%d\ningress=%s\negress=%s\n",
		(int)getpid(), a->created_clsact,
		mpx_hook_kind_name(a->kind[MPX_DIR_IN]),
		mpx_hook_kind_name(a->kind[MPX_DIR_OUT]));
	fclose(f);
}

/* Our program on a TCX hook: its id, or 0. */
static __u32 tcx_find(int ifindex, int dir, const char *name)
{
	__u32 ids[64], cnt = 64, flags = 0;

	if (bpf_prog_query(ifindex,
			   dir == MPX_DIR_IN ? BPF_TCX_INGRESS : BPF_TCX_EGRESS,
			   0, &flags, ids, &cnt) < 0)
		return 0;
	for (__u32 i = 0; i < cnt && i < 64; i++)
		if (prog_is(ids[i], name))
			return ids[i];
	return 0;
}

static void tc_hook_of(int ifindex, int dir, struct bpf_tc_hook *hook)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = dir == MPX_DIR_IN ? BPF_TC_INGRESS : BPF_TC_EGRESS;
}

/* The program id of our clsact filter (handle and priority MX), 0 if none. */
static __u32 clsact_filter_id(int ifindex, int dir)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = MPX_TC_HANDLE,
		    .priority = MPX_TC_PRIORITY);

	tc_hook_of(ifindex, dir, &hook);
	return bpf_tc_query(&hook, &q) == 0 ? q.prog_id : 0;
}

static const char *prog_name_of(int dir)
{
	return dir == MPX_DIR_IN ? MPX_TC_IN_PROG_NAME : MPX_TC_PROG_NAME;
}

int mpx_iface_state(int ifindex, const char *ifname, struct mpx_iface_state *st)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, xq);

	memset(st, 0, sizeof(*st));
	if (bpf_xdp_query(ifindex, 0, &xq) == 0) {
		__u32 ids[3] = {xq.drv_prog_id, xq.skb_prog_id, xq.hw_prog_id};
		const enum mpx_hook_kind kinds[3] = {
		    MPX_AT_XDP_NATIVE, MPX_AT_XDP_GENERIC, MPX_AT_XDP_OFFLOAD};

		for (int i = 0; i < 3; i++) {
			if (!ids[i])
				continue;
			if (prog_is(ids[i], MPX_XDP_PROG_NAME)) {
				st->prog_id[MPX_DIR_IN] = ids[i];
				st->kind[MPX_DIR_IN] = kinds[i];
			} else {
				st->other_xdp_prog_id = ids[i];
			}
		}
	}
	for (int dir = MPX_DIR_IN; dir <= MPX_DIR_OUT; dir++) {
		__u32 id;

		if (st->kind[dir])
			continue;
		id = tcx_find(ifindex, dir, prog_name_of(dir));
		if (id) {
			st->kind[dir] = MPX_AT_TCX;
			st->prog_id[dir] = id;
			continue;
		}
		id = clsact_filter_id(ifindex, dir);
		if (prog_is(id, prog_name_of(dir))) {
			st->kind[dir] = MPX_AT_CLSACT;
			st->prog_id[dir] = id;
		}
	}
	read_state(ifname, st);
	return 0;
}

int mpx_state_has_link(const struct mpx_iface_state *st)
{
	for (int dir = MPX_DIR_IN; dir <= MPX_DIR_OUT; dir++)
		if (st->kind[dir] && st->kind[dir] != MPX_AT_CLSACT)
			return 1;
	return 0;
}

/* libmnl callback: counts the filters of a dump (a message per filter,
 * and one per filter kind without a handle, not counted). */
static int count_filter(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWTFILTER && t->tcm_handle)
		++*(int *)data;
	return MNL_CB_OK;
}

/* How many filters the clsact qdisc holds under parent (ingress or egress),
 * whoever put them there: an RTM_GETTFILTER dump, since bpf_tc_query sees
 * one handle and priority only. -1 if it cannot tell. */
static int clsact_filters_at(int ifindex, __u32 parent)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct tcmsg *t;
	unsigned int seq = (unsigned int)time(NULL), portid;
	int n = 0, r = MNL_CB_OK;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return -1;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = parent;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		mnl_socket_close(nl);
		return -1;
	}
	do {
		ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (len <= 0) {
			n = -1;
			break;
		}
		r = mnl_cb_run(buf, (size_t)len, seq, portid, count_filter, &n);
	} while (r > MNL_CB_STOP);
	if (r < 0)
		n = -1;
	mnl_socket_close(nl);
	return n;
}

/* Remove the clsact qdisc if it holds no filter, ours or anyone's. */
static int clsact_remove_if_empty(int ifindex)
{
	struct bpf_tc_hook hook;
	int in = clsact_filters_at(ifindex,
				   TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)),
	    out = clsact_filters_at(ifindex,
				    TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));

	if (in != 0 || out != 0)
		return 0; /* someone else's filters, or cannot tell: keep it */
	tc_hook_of(ifindex, MPX_DIR_IN, &hook);
	/* Both attach points: that is how libbpf names the qdisc itself. */
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	return bpf_tc_hook_destroy(&hook);
}

/* Remove our clsact filter in dir if it still runs program want (any of
 * ours when want is 0): never a filter someone put in its place. */
static int clsact_detach(int ifindex, int dir, __u32 want)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MPX_TC_HANDLE,
		    .priority = MPX_TC_PRIORITY);
	__u32 id = clsact_filter_id(ifindex, dir);

	if (!id)
		return -ENOENT;
	if (want ? id != want : !prog_is(id, prog_name_of(dir)))
		return -ENOENT;
	tc_hook_of(ifindex, dir, &hook);
	return bpf_tc_detach(&hook, &opts);
}

int mpx_unload_leftovers(int ifindex, const char *ifname,
			 const struct mpx_iface_state *st, char *err,
			 size_t errlen)
{
	char path[128];
	int r = 0;

	for (int dir = MPX_DIR_IN; dir <= MPX_DIR_OUT; dir++) {
		int e;

		if (st->kind[dir] != MPX_AT_CLSACT)
			continue;
		e = clsact_detach(ifindex, dir, st->prog_id[dir]);
		if (e < 0 && e != -ENOENT && !r) {
			r = e;
			snprintf(err, errlen,
				 "%s: cannot remove the TC %s filter: %s",
				 ifname, dir_name[dir], strerror(-e));
		}
	}
	if (!r && st->created_clsact) {
		r = clsact_remove_if_empty(ifindex);
		if (r < 0 && r != -ENOENT)
			snprintf(err, errlen,
				 "%s: cannot remove the clsact qdisc: %s",
				 ifname, strerror(-r));
	}
	state_path(ifname, path, sizeof(path));
	unlink(path);
	if (r < 0 && r != -ENOENT) {
		errno = -r;
		return -1;
	}
	return 0;
}

static int attach_xdp(int prog_fd, struct mpx_attachment *a, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, a->ifindex, BPF_XDP, &opts);

	if (fd < 0)
		return -errno;
	a->link_fd[MPX_DIR_IN] = fd;
	a->kind[MPX_DIR_IN] = flags == XDP_FLAGS_DRV_MODE ? MPX_AT_XDP_NATIVE
							  : MPX_AT_XDP_GENERIC;
	a->prog_id[MPX_DIR_IN] = prog_id_of_fd(prog_fd);
	return 0;
}

static int tcx_disabled(void)
{
	const char *e = getenv(MPX_NO_TCX_ENV);

	return e && e[0] && strcmp(e, "0") != 0;
}

/* TC in dir: a TCX link, else (a kernel without TCX, or MPTCP_XDP_NO_TCX)
 * a clsact filter. 0 or a negative errno. */
static int attach_tc(int prog_fd, struct mpx_attachment *a, int dir)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MPX_TC_HANDLE,
		    .priority = MPX_TC_PRIORITY, .prog_fd = prog_fd);
	int r;

	if (!tcx_disabled()) {
		int fd = bpf_link_create(
		    prog_fd, a->ifindex,
		    dir == MPX_DIR_IN ? BPF_TCX_INGRESS : BPF_TCX_EGRESS, NULL);

		if (fd >= 0) {
			a->link_fd[dir] = fd;
			a->kind[dir] = MPX_AT_TCX;
			a->prog_id[dir] = prog_id_of_fd(prog_fd);
			return 0;
		}
		r = -errno;
		if (r != -EINVAL && r != -EOPNOTSUPP && r != -ENOTSUPP)
			return r;
		fprintf(stderr,
			"mptcp-xdp: notice: %s: no TCX for %s (%s), using a "
			"clsact qdisc\n",
			a->ifname, dir_name[dir], strerror(-r));
	}
	tc_hook_of(a->ifindex, dir, &hook);
	r = bpf_tc_hook_create(&hook);
	if (r == 0)
		a->created_clsact = 1;
	else if (r != -EEXIST)
		return r;
	r = bpf_tc_attach(&hook, &opts);
	if (r < 0)
		return r;
	a->kind[dir] = MPX_AT_CLSACT;
	a->prog_id[dir] = opts.prog_id;
	return 0;
}

static int fail(char *err, size_t errlen, int *code, int c, const char *what,
		const char *ifname, int e)
{
	snprintf(err, errlen, "%s: cannot attach %s: %s", ifname, what,
		 strerror(e));
	*code = e == EPERM || e == EACCES ? MPX_EXIT_PERMISSION : c;
	return -1;
}

/* 1 for a device with a bus behind it (a NIC), 0 for a virtual one (veth,
 * bridge, bond, tun...), -1 when sysfs does not show the interface (a
 * sysfs of another network namespace). */
static int physical_device(const char *ifname)
{
	char path[64];
	struct stat sb;

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	if (stat(path, &sb) != 0)
		return -1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifname);
	return stat(path, &sb) == 0;
}

/* The ingress hook, per mode. 0, or -1 with err and code. */
static int attach_ingress(int xdp_prog_fd, int tc_prog_fd,
			  enum mpx_ingress_mode mode,
			  const struct mpx_iface_state *st,
			  struct mpx_attachment *a, char *err, size_t errlen,
			  int *code)
{
	const char *ifname = a->ifname;
	char other[BPF_OBJ_NAME_LEN] = "";
	int r, phys;

	if (st->other_xdp_prog_id)
		mpx_prog_name(st->other_xdp_prog_id, other, sizeof(other));
	switch (mode) {
	case MPX_INGRESS_XDP_NATIVE:
	case MPX_INGRESS_XDP_GENERIC:
		if (st->other_xdp_prog_id) {
			snprintf(err, errlen,
				 "%s: another XDP program is attached (id %u, "
				 "'%s'); --ingress %s does not replace it "
				 "(--ingress auto or tc attaches beside it)",
				 ifname, st->other_xdp_prog_id, other,
				 mode == MPX_INGRESS_XDP_NATIVE
				     ? "xdp-native"
				     : "xdp-generic");
			*code = MPX_EXIT_BUSY;
			return -1;
		}
		r = attach_xdp(xdp_prog_fd, a,
			       mode == MPX_INGRESS_XDP_NATIVE
				   ? XDP_FLAGS_DRV_MODE
				   : XDP_FLAGS_SKB_MODE);
		if (r < 0)
			return fail(err, errlen, code,
				    r == -EBUSY ? MPX_EXIT_BUSY : MPX_EXIT_BPF,
				    "XDP", ifname, -r);
		snprintf(a->why, sizeof(a->why), "asked");
		return 0;
	case MPX_INGRESS_TC:
		snprintf(a->why, sizeof(a->why), "asked");
		break;
	case MPX_INGRESS_AUTO:
	default:
		phys = physical_device(ifname);
		if (st->other_xdp_prog_id) {
			snprintf(a->why, sizeof(a->why),
				 "XDP held by program %u '%s'",
				 st->other_xdp_prog_id, other);
			break;
		}
		if (phys == 0) {
			snprintf(a->why, sizeof(a->why), "a virtual device");
			break;
		}
		r = attach_xdp(xdp_prog_fd, a, XDP_FLAGS_DRV_MODE);
		if (r == 0) {
			snprintf(a->why, sizeof(a->why), "%s",
				 phys > 0 ? "a physical device"
					  : "native XDP accepted");
			return 0;
		}
		if (r == -EPERM || r == -EACCES)
			return fail(err, errlen, code, MPX_EXIT_BPF, "XDP",
				    ifname, -r);
		snprintf(a->why, sizeof(a->why), "native XDP refused: %s",
			 strerror(-r));
		break;
	}
	r = attach_tc(tc_prog_fd, a, MPX_DIR_IN);
	if (r < 0)
		return fail(err, errlen, code, MPX_EXIT_BPF, "TC ingress",
			    ifname, -r);
	return 0;
}

int mpx_attach(int xdp_prog_fd, int tc_in_prog_fd, int tc_eg_prog_fd,
	       const char *ifname, enum mpx_ingress_mode mode, int egress,
	       struct mpx_attachment *a, char *err, size_t errlen, int *code)
{
	struct mpx_iface_state st;
	int r;

	memset(a, 0, sizeof(*a));
	a->link_fd[MPX_DIR_IN] = a->link_fd[MPX_DIR_OUT] = -1;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->ifindex = (int)if_nametoindex(ifname);
	if (!a->ifindex) {
		snprintf(err, errlen, "%s: no such network interface", ifname);
		*code = MPX_EXIT_NO_IFACE;
		return -1;
	}
	mpx_iface_state(a->ifindex, ifname, &st);
	if (mpx_state_has_link(&st) || st.daemon_alive) {
		int dir = st.kind[MPX_DIR_IN] ? MPX_DIR_IN : MPX_DIR_OUT;

		snprintf(err, errlen,
			 "%s: mptcp-xdp is already attached (%s %s id %u, "
			 "daemon pid %d); stop it, or run 'mptcp-xdp unload "
			 "%s' if it was killed",
			 ifname, dir_name[dir],
			 mpx_hook_kind_name(st.kind[dir]), st.prog_id[dir],
			 (int)st.daemon_pid, ifname);
		*code = MPX_EXIT_BUSY;
		return -1;
	}
	if (st.kind[MPX_DIR_IN] == MPX_AT_CLSACT ||
	    st.kind[MPX_DIR_OUT] == MPX_AT_CLSACT) {
		/* A killed daemon's filters: ours to clean before reuse. */
		fprintf(stderr,
			"mptcp-xdp: notice: %s: removing TC filters left by "
			"a daemon that did not exit cleanly\n",
			ifname);
		mpx_unload_leftovers(a->ifindex, ifname, &st, err, errlen);
	}
	if (attach_ingress(xdp_prog_fd, tc_in_prog_fd, mode, &st, a, err,
			   errlen, code) < 0) {
		mpx_detach(a);
		return -1;
	}
	if (egress) {
		r = attach_tc(tc_eg_prog_fd, a, MPX_DIR_OUT);
		if (r < 0) {
			mpx_detach(a);
			return fail(err, errlen, code, MPX_EXIT_BPF,
				    "TC egress", ifname, -r);
		}
	}
	write_state(a);
	return 0;
}

void mpx_detach(struct mpx_attachment *a)
{
	char path[128];

	for (int dir = MPX_DIR_OUT; dir >= MPX_DIR_IN; dir--) {
		if (a->link_fd[dir] >= 0) {
			bpf_link_detach(a->link_fd[dir]);
			close(a->link_fd[dir]);
			a->link_fd[dir] = -1;
		} else if (a->kind[dir] == MPX_AT_CLSACT) {
			clsact_detach(a->ifindex, dir, a->prog_id[dir]);
		}
		a->kind[dir] = MPX_AT_NONE;
	}
	if (a->created_clsact) {
		clsact_remove_if_empty(a->ifindex);
		a->created_clsact = 0;
	}
	if (a->ifname[0]) {
		state_path(a->ifname, path, sizeof(path));
		unlink(path);
	}
}
