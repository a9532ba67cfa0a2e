/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `mptcp-xdp status` and `mptcp-xdp unload IFACE`. */
#ifndef MPX_STATUS_H
#define MPX_STATUS_H

/* Both return an exit code. */
int mpx_status(void);
int mpx_unload(const char *ifname);

#endif /* MPX_STATUS_H */
