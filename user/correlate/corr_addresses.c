// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* ADD_ADDR and REMOVE_ADDR (RFC 8684 sections 3.4.1, 3.4.2). */
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "correlate/mptcp_crypto.h"
#include "detect/address_class.h"

/* add_addr_suspicious: why an advertisement is one (NULL: it is not). An
 * address no host should be sent to; or, with home networks, one inside
 * them advertised by a peer outside (an invitation to connect inward). */
static const char *suspicious(const struct mpx_correlator *c,
			      const struct corr_rec *r)
{
	const struct mpx_ev_add_addr *a = &r->ev->u.add_addr;
	const struct mpx_home_nets *home = &c->detect_opts.home;
	const __u8 *src = r->ev->family == 4 ? r->ev->saddr + 12 : r->ev->saddr;
	const char *cls = mpx_addr_suspicious_class(
	    a->family, a->addr, c->detect_opts.doc_ranges_suspicious);

	if (cls)
		return cls;
	if (home->n && mpx_in_home_net(home, a->family, a->addr) &&
	    !mpx_in_home_net(home, r->ev->family, src))
		return "home_net_inward";
	return NULL;
}

/* The advertisement's HMAC against the keys: 1, 0, or -1 when it cannot be
 * checked. *legacy: wrong, but the leftmost 64 bits of the right one (what
 * early Linux MPTCP sent: an old peer, not a forger). */
static int add_addr_hmac_valid(const struct mpx_conn *conn, int side,
			       const struct mpx_ev_add_addr *a, int *legacy)
{
	size_t alen = a->family == 4 ? 4 : 16;
	__u64 want = 0, left = 0;
	int valid;

	*legacy = 0;
	if (!a->has_hmac || !conn->has_key[0] || !conn->has_key[1] ||
	    !corr_verifiable(conn))
		return -1;
	valid = mpx_add_addr_hmac(
		    conn->key[side], conn->key[1 - side], a->addr_id, a->addr,
		    alen, a->has_port ? a->port : 0, &want, &left) == 0 &&
		want == a->hmac;
	*legacy = !valid && left == a->hmac;
	return valid;
}

void corr_on_add_addr(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mpx_ev_add_addr *a = &r->ev->u.add_addr;
	struct mpx_subflow *sf = corr_sf_or_midstream(c, r);
	struct mpx_addr_entry *slot = NULL;
	struct mpx_conn *conn;
	const char *why;
	int side, valid, legacy, same;

	if (!sf)
		return;
	conn = sf->conn;
	side = r->side;
	valid = add_addr_hmac_valid(conn, side, a, &legacy);
	corr_emit_add_addr(c, r, valid, legacy);
	if (a->echo)
		return; /* an echo repeats the peer's address: not ours */
	c->stats.addrs_added++;
	if (!conn->addrs && !(conn->addrs = calloc(1, sizeof(*conn->addrs))))
		return; /* out of memory: the address is not remembered */
	for (int i = 0; i < MPX_MAX_ADDRS; i++) {
		struct mpx_addr_entry *e = &conn->addrs->e[side][i];

		if (e->used && e->id == a->addr_id) {
			slot = e;
			break;
		}
		if (!e->used && !slot)
			slot = e;
	}
	if (!slot) {
		/* Table full: the bound holds by reusing the slots in turn,
		 * counted, so that later advertisements are still checked. */
		slot =
		    &conn->addrs
			 ->e[side][conn->addrs->next[side]++ % MPX_MAX_ADDRS];
		slot->used = 0;
		c->stats.addrs_evicted++;
	}
	same = slot->used && slot->family == a->family &&
	       memcmp(slot->addr, a->addr, MPX_ADDR_LEN) == 0 &&
	       slot->port == (a->has_port ? a->port : 0);
	if (slot->used && !same)
		corr_emit_addr_id_reuse(c, r);
	/* Said once per address, not per retransmission. */
	why = same ? NULL : suspicious(c, r);
	if (why)
		corr_emit_add_addr_suspicious(c, r, why);
	slot->used = 1;
	slot->id = a->addr_id;
	slot->family = a->family;
	memcpy(slot->addr, a->addr, MPX_ADDR_LEN);
	slot->port = a->has_port ? a->port : 0;
}

void corr_on_remove_addr(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mpx_ev_remove_addr *rm = &r->ev->u.remove_addr;
	struct mpx_subflow *sf = corr_sf_or_midstream(c, r);
	/* The record's count is the parser's (at most MPX_MAX_RM_IDS, the ids
	 * that fit in 40 bytes of options); bounded here too, as the list it
	 * indexes is (fuzzing: a count of 129 read past ids[] when written). */
	int count = rm->count < MPX_MAX_RM_IDS ? rm->count : MPX_MAX_RM_IDS;
	struct mpx_addr_entry *addrs;

	if (!sf)
		return;
	addrs = sf->conn->addrs ? sf->conn->addrs->e[r->side] : NULL;
	for (int i = 0; i < count && addrs; i++)
		for (int k = 0; k < MPX_MAX_ADDRS; k++)
			if (addrs[k].used && addrs[k].id == rm->ids[i])
				addrs[k].used = 0;
	c->stats.addrs_removed += (__u64)count;
	corr_emit_remove_addr(c, r, count);
}
