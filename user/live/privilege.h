/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Capabilities (libcap-ng): what `load` and `unload` need, checked before
 * anything is touched so that the error names them; and, once `load` has
 * attached, everything it does not need to run and to detach is dropped
 * (docs/security.md, "Least privilege").
 */
#ifndef MPX_PRIVILEGE_H
#define MPX_PRIVILEGE_H

#include <stddef.h>

/* What a command needs. */
enum mpx_priv_need {
	/* load: CAP_BPF (or CAP_SYS_ADMIN) for the object, CAP_NET_ADMIN for
	 * the XDP and TC hooks. */
	MPX_PRIV_LOAD,
	/* unload: CAP_SYS_ADMIN to look programs up by id (BPF_*_GET_FD_BY_ID
	 * wants it, CAP_BPF is not enough), CAP_NET_ADMIN to remove a TC
	 * filter and its qdisc. */
	MPX_PRIV_UNLOAD,
};

/* 0 when the process has what `need` asks for; else -1 with one line
 * naming the missing capabilities in err. */
int mpx_priv_require(enum mpx_priv_need need, char *err, size_t errlen);

/* After attaching: keep only CAP_NET_ADMIN, and that only when
 * keep_net_admin (a TC filter or clsact qdisc to remove at exit), in the
 * effective, permitted, inheritable and bounding sets. A link-attached XDP
 * program needs nothing to detach: closing the link's fd does it. Sets
 * kept (a text for the log) to what is left. 0, or -1 with err. */
int mpx_priv_drop(int keep_net_admin, const char **kept, char *err,
		  size_t errlen);

#endif /* MPX_PRIVILEGE_H */
