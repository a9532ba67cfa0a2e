// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* ADD_ADDR and REMOVE_ADDR (RFC 8684 sections 3.4.1, 3.4.2). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_internal.h"
#include "correlate/mptcp_crypto.h"
#include "output/event_names.h"

/* ---- addresses (RFC 8684 sections 3.4.1, 3.4.2) ------------------------ */

void corr_on_add_addr(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mpx_ev_add_addr *a = &r->ev->u.add_addr;
	const struct mpx_origin *o = r->o;
	size_t alen = a->family == 4 ? 4 : 16;
	struct mpx_subflow *sf = corr_sf_or_midstream(c, r);
	struct mpx_addr_entry *slot = NULL;
	char text[INET6_ADDRSTRLEN];
	struct mpx_conn *conn;
	struct evbuf b;
	int side, valid = -1, legacy = 0;
	__u64 left = 0;

	if (!sf)
		return;
	conn = sf->conn;
	side = r->side;
	mpx_add_addr_text(a, text, sizeof(text));
	if (a->has_hmac && conn->has_key[0] && conn->has_key[1] &&
	    corr_verifiable(conn)) {
		__u64 want = 0;

		valid = mpx_add_addr_hmac(conn->key[side], conn->key[1 - side],
					  a->addr_id, a->addr, alen,
					  a->has_port ? a->port : 0, &want,
					  &left) == 0 &&
			want == a->hmac;
		/* Early Linux MPTCP sent the leftmost 64 bits: say so, it
		 * tells an old peer from a forger. */
		legacy = !valid && left == a->hmac;
	}
	corr_ev_begin(&b, "add_addr", o, conn, sf);
	mpx_ev_u64(&b.e, "version", a->version);
	mpx_ev_bool(&b.e, "echo", a->echo);
	mpx_ev_u64(&b.e, "addr_id", a->addr_id);
	mpx_ev_str(&b.e, "addr", text);
	if (a->has_port)
		mpx_ev_u64(&b.e, "port", a->port);
	mpx_ev_str(&b.e, "by", side ? "b" : "a");
	mpx_ev_tristate(&b.e, "hmac_valid", valid);
	corr_emit(c, &b);
	if (valid == 0) {
		corr_anomaly_begin(c, &b, o, conn, sf,
				   MPX_ANOM_ADD_ADDR_HMAC_INVALID);
		mpx_ev_u64(&b.e, "addr_id", a->addr_id);
		mpx_ev_str(&b.e, "addr", text);
		if (legacy)
			mpx_ev_str(&b.e, "note", "leftmost_64_bits");
		corr_emit(c, &b);
	}
	if (a->echo)
		return; /* an echo repeats the peer's address: not ours */
	c->stats.addrs_added++;
	for (int i = 0; i < MPX_MAX_ADDRS; i++) {
		struct mpx_addr_entry *e = &conn->addrs[side][i];

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
		    &conn->addrs[side][conn->addr_next[side]++ % MPX_MAX_ADDRS];
		slot->used = 0;
		c->stats.addrs_evicted++;
	}
	if (slot->used && (slot->family != a->family ||
			   memcmp(slot->addr, a->addr, MPX_ADDR_LEN) != 0 ||
			   slot->port != (a->has_port ? a->port : 0))) {
		/* RFC 8684 section 3.4.1: an id names one address until it
		 * is removed. */
		corr_anomaly_begin(c, &b, o, conn, sf, MPX_ANOM_ADDR_ID_REUSE);
		mpx_ev_u64(&b.e, "addr_id", a->addr_id);
		mpx_ev_str(&b.e, "addr", text);
		corr_emit(c, &b);
	}
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
	struct evbuf b;
	int side;

	if (!sf)
		return;
	side = r->side;
	for (int i = 0; i < rm->count && i < MPX_MAX_RM_IDS; i++)
		for (int k = 0; k < MPX_MAX_ADDRS; k++)
			if (sf->conn->addrs[side][k].used &&
			    sf->conn->addrs[side][k].id == rm->ids[i])
				sf->conn->addrs[side][k].used = 0;
	c->stats.addrs_removed += rm->count;
	corr_ev_begin(&b, "remove_addr", r->o, sf->conn, sf);
	mpx_ev_u8s(&b.e, "addr_ids", rm->ids, rm->count);
	mpx_ev_str(&b.e, "by", side ? "b" : "a");
	corr_emit(c, &b);
}
