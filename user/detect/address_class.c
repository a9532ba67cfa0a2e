// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/address_class.h"

static int prefix_match(const __u8 *a, const __u8 *net, unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, net, whole) != 0)
		return 0;
	if (!rest)
		return 1;
	return ((a[whole] ^ net[whole]) & (__u8)(0xff << (8 - rest))) == 0;
}

static int parse_one(char *tok, struct mpx_cidr *c)
{
	char *slash = strchr(tok, '/'), *end;
	unsigned long bits;

	if (slash)
		*slash = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, tok, c->addr) == 1)
		c->family = 4;
	else if (inet_pton(AF_INET6, tok, c->addr) == 1)
		c->family = 6;
	else
		return -1;
	bits = c->family == 4 ? 32 : 128;
	if (slash) {
		unsigned long max = bits;

		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		bits = strtoul(slash + 1, &end, 10);
		if (*end || bits > max)
			return -1;
	}
	c->prefix = (__u8)bits;
	return 0;
}

int mpx_parse_home_nets(const char *s, struct mpx_home_nets *h, char *err,
			size_t errlen)
{
	char *copy = strdup(s), *save = NULL, *tok;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (h->n >= MPX_MAX_HOME_NETS) {
			snprintf(err, errlen,
				 "--home-net: more than %d networks",
				 MPX_MAX_HOME_NETS);
			free(copy);
			return -1;
		}
		char shown[64];

		snprintf(shown, sizeof(shown), "%s", tok);
		if (parse_one(tok, &h->net[h->n]) < 0) {
			snprintf(err, errlen,
				 "--home-net: '%s' is not an address or "
				 "CIDR",
				 shown);
			free(copy);
			return -1;
		}
		h->n++;
	}
	free(copy);
	if (!h->n) {
		snprintf(err, errlen, "--home-net: empty list");
		return -1;
	}
	return 0;
}

int mpx_in_home_net(const struct mpx_home_nets *h, __u8 family,
		    const __u8 *addr)
{
	for (int i = 0; h && i < h->n; i++)
		if (h->net[i].family == family &&
		    prefix_match(addr, h->net[i].addr, h->net[i].prefix))
			return 1;
	return 0;
}

static const char *v4_class(const __u8 *a, int doc)
{
	static const __u8 bcast[4] = {255, 255, 255, 255};

	if (a[0] == 127)
		return "loopback";
	if (a[0] == 0)
		return "unspecified"; /* 0.0.0.0/8, "this network" */
	if ((a[0] & 0xf0) == 224)
		return "multicast";
	if (memcmp(a, bcast, 4) == 0)
		return "broadcast";
	if (a[0] == 169 && a[1] == 254)
		return "link_local";
	if (doc && ((a[0] == 192 && a[1] == 0 && a[2] == 2) ||
		    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		    (a[0] == 203 && a[1] == 0 && a[2] == 113) ||
		    (a[0] == 198 && (a[1] & 0xfe) == 18)))
		return "documentation";
	return NULL;
}

const char *mpx_addr_suspicious_class(__u8 family, const __u8 *addr, int doc)
{
	static const __u8 zero[16],
	    mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const __u8 doc6[4] = {0x20, 0x01, 0x0d, 0xb8},
			  doc6b[2] = {0x3f, 0xff};

	if (family == 4)
		return v4_class(addr, doc);
	if (memcmp(addr, mapped, 12) == 0)
		return v4_class(addr + 12, doc);
	if (memcmp(addr, zero, 15) == 0)
		return addr[15] == 1   ? "loopback"
		       : addr[15] == 0 ? "unspecified"
				       : NULL;
	if (addr[0] == 0xff)
		return "multicast";
	if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)
		return "link_local";
	if (doc && (memcmp(addr, doc6, 4) == 0 ||
		    (memcmp(addr, doc6b, 2) == 0 && (addr[2] & 0xf0) == 0)))
		return "documentation";
	return NULL;
}
