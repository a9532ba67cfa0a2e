// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <string.h>

#include <pcap/dlt.h>

#include "capture/link_layer.h"

#define ETH_HLEN       14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
/* Reserved (RFC 7042): stands for "some protocol that is not IP", so that
 * the parser counts the frame as non-IP. */
#define ETHERTYPE_OTHER 0xFFFF

const char *mpx_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
		return "Ethernet";
	case DLT_LINUX_SLL:
		return "Linux cooked (SLL)";
	case DLT_LINUX_SLL2:
		return "Linux cooked v2 (SLL2)";
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return "raw IP";
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return "PPP";
	case DLT_NULL:
	case DLT_LOOP:
		return "BSD loopback";
	default:
		return NULL;
	}
}

static size_t emit(uint16_t proto, const uint8_t *payload, size_t len,
		   uint8_t *out, size_t outlen)
{
	if (outlen < ETH_HLEN)
		return 0;
	if (len > outlen - ETH_HLEN)
		len = outlen - ETH_HLEN;
	memset(out, 0, 12);
	out[12] = (uint8_t)(proto >> 8);
	out[13] = (uint8_t)proto;
	memcpy(out + ETH_HLEN, payload, len);
	return ETH_HLEN + len;
}

static uint16_t proto_of_ip_version(const uint8_t *p, size_t len)
{
	if (len < 1)
		return ETHERTYPE_OTHER;
	switch (p[0] >> 4) {
	case 4:
		return ETHERTYPE_IPV4;
	case 6:
		return ETHERTYPE_IPV6;
	default:
		return ETHERTYPE_OTHER;
	}
}

/* PPP (RFC 1661): optional address/control ff 03, then a 1- or 2-byte
 * protocol field (RFC 1661 section 6.5: a compressed field is odd). */
static size_t from_ppp(const uint8_t *p, size_t len, uint8_t *out,
		       size_t outlen)
{
	uint16_t proto;

	if (len >= 2 && p[0] == 0xff && p[1] == 0x03) {
		p += 2;
		len -= 2;
	}
	if (len >= 1 && (p[0] & 1)) {
		proto = p[0];
		p += 1;
		len -= 1;
	} else if (len >= 2) {
		proto = (uint16_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	} else {
		return 0;
	}
	if (proto == 0x0021)
		return emit(ETHERTYPE_IPV4, p, len, out, outlen);
	if (proto == 0x0057)
		return emit(ETHERTYPE_IPV6, p, len, out, outlen);
	return emit(ETHERTYPE_OTHER, p, len, out, outlen);
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte
 * order for DLT_NULL and big-endian for DLT_LOOP. AF_INET is 2 everywhere;
 * AF_INET6 is 24, 28 or 30 depending on the BSD. */
static size_t from_loopback(const uint8_t *p, size_t len, uint8_t *out,
			    size_t outlen)
{
	uint32_t be, le, af;

	if (len < 4)
		return 0;
	be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	     p[3];
	le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
	     p[0];
	af = be < 256 ? be : le;
	if (af == 2)
		return emit(ETHERTYPE_IPV4, p + 4, len - 4, out, outlen);
	if (af == 24 || af == 28 || af == 30)
		return emit(ETHERTYPE_IPV6, p + 4, len - 4, out, outlen);
	return emit(ETHERTYPE_OTHER, p + 4, len - 4, out, outlen);
}

size_t mpx_link_to_ethernet(int dlt, const uint8_t *p, size_t len, uint8_t *out,
			    size_t outlen)
{
	switch (dlt) {
	case DLT_EN10MB:
		if (len > outlen)
			len = outlen;
		memcpy(out, p, len);
		return len;
	case DLT_LINUX_SLL: /* 16 bytes; protocol at 14 */
		if (len < 16)
			return 0;
		return emit((uint16_t)(p[14] << 8 | p[15]), p + 16, len - 16,
			    out, outlen);
	case DLT_LINUX_SLL2: /* 20 bytes; protocol at 0 */
		if (len < 20)
			return 0;
		return emit((uint16_t)(p[0] << 8 | p[1]), p + 20, len - 20, out,
			    outlen);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return emit(proto_of_ip_version(p, len), p, len, out, outlen);
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return from_ppp(p, len, out, outlen);
	case DLT_NULL:
	case DLT_LOOP:
		return from_loopback(p, len, out, outlen);
	default:
		return 0;
	}
}
