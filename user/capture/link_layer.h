/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Captures come in many link types; the parser reads Ethernet. Each frame
 * is rewritten as Ethernet: the link header goes, a 14-byte Ethernet header
 * carrying the network protocol comes in its place.
 */
#ifndef MPX_LINK_LAYER_H
#define MPX_LINK_LAYER_H

#include <stddef.h>
#include <stdint.h>

/* Is this pcap DLT_ value one we can read? Returns its name or NULL. */
const char *mpx_link_supported(int dlt);

/*
 * Frame at pkt (caplen bytes, link type dlt) into out (room for outlen
 * bytes). Returns the Ethernet frame's length, or 0 when the frame is too
 * short for its link header: it goes to the parser as an empty frame, which
 * counts it as truncated. A protocol other than IP is kept as such.
 */
size_t mpx_link_to_ethernet(int dlt, const uint8_t *pkt, size_t caplen,
			    uint8_t *out, size_t outlen);

#endif /* MPX_LINK_LAYER_H */
