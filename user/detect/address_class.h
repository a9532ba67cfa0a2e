/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * What an advertised address is (add_addr_suspicious): one no host should
 * be sent to, and whether it is inside the home networks (--home-net, the
 * HOME_NET of Snort and Suricata). Addresses are raw bytes: 4 for IPv4,
 * 16 for IPv6.
 */
#ifndef MPX_ADDRESS_CLASS_H
#define MPX_ADDRESS_CLASS_H

#include <stddef.h>
#include <linux/types.h>

#define MPX_MAX_HOME_NETS 32

struct mpx_cidr {
	__u8 family; /* 4 or 6 */
	__u8 prefix; /* bits */
	__u8 addr[16];
};

struct mpx_home_nets {
	int n;
	struct mpx_cidr net[MPX_MAX_HOME_NETS];
};

/* "10.0.0.0/8,2001:db8::/32" (a bare address is a /32 or /128); 0, or -1
 * with a message. */
int mpx_parse_home_nets(const char *s, struct mpx_home_nets *h, char *err,
			size_t errlen);
/* addr (4 or 16 bytes by family) is inside one of the home networks. */
int mpx_in_home_net(const struct mpx_home_nets *h, __u8 family,
		    const __u8 *addr);
/* The class of an address no host should be sent to: "loopback",
 * "unspecified", "multicast", "broadcast", "link_local", and with doc set
 * "documentation" (RFC 5737, RFC 2544's 198.18.0.0/15, RFC 3849,
 * RFC 9637); NULL for any other. An IPv4-mapped IPv6 address is classed
 * as its IPv4 address. */
const char *mpx_addr_suspicious_class(__u8 family, const __u8 *addr, int doc);

#endif /* MPX_ADDRESS_CLASS_H */
