// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * foreign_prog: someone else's program on an interface, for the live tests.
 * Loads a no-op program from an inline instruction array (no object file)
 * and attaches it in a way that outlives this process, then exits:
 *
 *   foreign_prog xdp IFACE native|generic    XDP_PASS, through netlink
 *   foreign_prog tc IFACE ingress|egress     TC_ACT_UNSPEC, as a clsact
 *                                            filter (handle 1, priority 1;
 *                                            the clsact qdisc made if none)
 *   foreign_prog tcx IFACE ingress|egress    TC_ACT_UNSPEC on the TCX hook
 *                                            (kernel 6.6+), without a link
 *   foreign_prog tcx-detach IFACE ingress|egress
 *                                            detaches every foreign_pass
 *                                            program from that TCX hook
 *
 * Its programs are named "foreign_pass" (never "mptcp_*"). Prints the
 * program id. Remove them with `ip link set dev IFACE xdp off` and
 * `tc filter del dev IFACE ingress` / `tc qdisc del dev IFACE clsact`.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: foreign_prog xdp IFACE native|generic\n"
		"       foreign_prog tc|tcx|tcx-detach IFACE ingress|egress\n");
	return 2;
}

#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS	47
#endif

/* Every program named foreign_pass on the TCX hook, detached. */
static int tcx_detach(int ifindex, enum bpf_attach_type type)
{
	__u32 ids[64], cnt = 64, flags = 0;

	if (bpf_prog_query(ifindex, type, 0, &flags, ids, &cnt) < 0)
		return -errno;
	for (__u32 i = 0; i < cnt && i < 64; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    strcmp(info.name, "foreign_pass") == 0 &&
		    bpf_prog_detach2(fd, ifindex, type) < 0) {
			close(fd);
			return -errno;
		}
		close(fd);
	}
	return 0;
}

/* r0 = ret; exit */
static int load(enum bpf_prog_type type, int ret)
{
	struct bpf_insn insns[2];

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].dst_reg = BPF_REG_0;
	insns[0].imm = ret;
	insns[1].code = BPF_JMP | BPF_EXIT;
	return bpf_prog_load(type, "foreign_pass", "GPL", insns, 2, NULL);
}

static __u32 id_of(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

int main(int argc, char **argv)
{
	int ifindex, fd, r;

	if (argc != 4)
		return usage();
	libbpf_set_print(NULL); /* EEXIST for an existing clsact is fine */
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "foreign_prog: %s: no such interface\n",
			argv[2]);
		return 1;
	}
	if (strcmp(argv[1], "xdp") == 0) {
		__u32 flags = XDP_FLAGS_UPDATE_IF_NOEXIST;

		if (strcmp(argv[3], "native") == 0)
			flags |= XDP_FLAGS_DRV_MODE;
		else if (strcmp(argv[3], "generic") == 0)
			flags |= XDP_FLAGS_SKB_MODE;
		else
			return usage();
		fd = load(BPF_PROG_TYPE_XDP, XDP_PASS);
		if (fd < 0) {
			fprintf(stderr, "foreign_prog: load: %s\n",
				strerror(errno));
			return 1;
		}
		r = bpf_xdp_attach(ifindex, fd, flags, NULL);
	} else if (strcmp(argv[1], "tc") == 0) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);

		if (strcmp(argv[3], "ingress") == 0)
			hook.attach_point = BPF_TC_INGRESS;
		else if (strcmp(argv[3], "egress") == 0)
			hook.attach_point = BPF_TC_EGRESS;
		else
			return usage();
		fd = load(BPF_PROG_TYPE_SCHED_CLS, -1 /* TC_ACT_UNSPEC */);
		if (fd < 0) {
			fprintf(stderr, "foreign_prog: load: %s\n",
				strerror(errno));
			return 1;
		}
		r = bpf_tc_hook_create(&hook);
		if (r < 0 && r != -EEXIST) {
			fprintf(stderr, "foreign_prog: clsact: %s\n",
				strerror(-r));
			return 1;
		}
		opts.prog_fd = fd;
		r = bpf_tc_attach(&hook, &opts);
	} else if (strcmp(argv[1], "tcx") == 0 ||
		   strcmp(argv[1], "tcx-detach") == 0) {
		enum bpf_attach_type type;

		if (strcmp(argv[3], "ingress") == 0)
			type = BPF_TCX_INGRESS;
		else if (strcmp(argv[3], "egress") == 0)
			type = BPF_TCX_EGRESS;
		else
			return usage();
		if (strcmp(argv[1], "tcx-detach") == 0) {
			r = tcx_detach(ifindex, type);
			if (r < 0) {
				fprintf(stderr, "foreign_prog: detach: %s\n",
					strerror(-r));
				return 1;
			}
			return 0;
		}
		fd = load(BPF_PROG_TYPE_SCHED_CLS, -1 /* TC_ACT_UNSPEC */);
		if (fd < 0) {
			fprintf(stderr, "foreign_prog: load: %s\n",
				strerror(errno));
			return 1;
		}
		r = bpf_prog_attach(fd, ifindex, type, 0) < 0 ? -errno : 0;
	} else {
		return usage();
	}
	if (r < 0) {
		fprintf(stderr, "foreign_prog: attach: %s\n", strerror(-r));
		return 1;
	}
	printf("%u\n", id_of(fd));
	close(fd);
	return 0;
}
