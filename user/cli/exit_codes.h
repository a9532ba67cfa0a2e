/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Exit codes of mptcp-xdp, documented in docs/mptcp-xdp.8 and README.md.
 * Stable: scripts depend on them.
 */
#ifndef MPX_EXIT_CODES_H
#define MPX_EXIT_CODES_H

enum mpx_exit {
	MPX_EXIT_OK = 0,
	MPX_EXIT_FAILURE = 1,	  /* anything not listed below */
	MPX_EXIT_USAGE = 2,	  /* unknown command, flag or value */
	MPX_EXIT_NO_FILE = 3,	  /* capture file does not exist */
	MPX_EXIT_UNREADABLE = 4,  /* capture file exists but cannot be read */
	MPX_EXIT_NOT_CAPTURE = 5, /* not a pcap or pcapng file */
	MPX_EXIT_TRUNCATED = 6,	  /* capture ends mid-record (all before it
				     was processed and printed) */
	MPX_EXIT_LINKTYPE = 7,	  /* link type not supported */
	MPX_EXIT_BPF = 8,	  /* BPF object could not be loaded or run */
	MPX_EXIT_PERMISSION = 9,  /* missing capabilities (load: CAP_BPF or
				     CAP_SYS_ADMIN, CAP_NET_ADMIN; unload:
				     CAP_SYS_ADMIN, CAP_NET_ADMIN) */
	MPX_EXIT_OLD_KERNEL = 10, /* kernel lacks what is needed (ring
				     buffer: Linux 5.8) */
	MPX_EXIT_NO_IFACE = 11,	  /* no such network interface */
	MPX_EXIT_BUSY = 12,	  /* interface already has our programs (a
				     second load) or another XDP program */
	MPX_EXIT_METRICS = 13,	  /* metrics endpoint cannot listen */
	MPX_EXIT_SNAPLEN = 14,	  /* the capture's snaplen cut frames inside
				     their headers: their options were not
				     inspected (all the rest was) */
	MPX_EXIT_YARA = 15,	  /* --yara rules cannot be read or compiled */
	MPX_EXIT_OUTPUT = 16,	  /* --streams or --single-path output cannot
				     be written */
	MPX_EXIT_REDIS = 17,	  /* Redis unreachable or refused at start
				     (--publish, correlate --from) */
};

#endif /* MPX_EXIT_CODES_H */
