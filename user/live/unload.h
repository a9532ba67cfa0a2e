/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `mptcp-xdp unload IFACE`. */
#ifndef MPX_UNLOAD_H
#define MPX_UNLOAD_H

/* Returns an exit code. */
int mpx_unload(const char *ifname);

#endif /* MPX_UNLOAD_H */
