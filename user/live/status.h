/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* `mptcp-xdp status`: what is attached where, and the counters. */
#ifndef MPX_STATUS_H
#define MPX_STATUS_H

/* Returns an exit code. */
int mpx_status(void);

#endif /* MPX_STATUS_H */
