// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>

#include <string.h>

#include "packet_builder.h"
#include "record_check.h"
#include "test_harness.h"

static const char *const ctr_names[MPX_CTR_MAX] = {
#define CTR_NAME(id, name, help) name,
    MPX_COUNTER_LIST(CTR_NAME)
#undef CTR_NAME
};

void want_from_spec(struct mptcp_event *w, const struct pb_spec *s, __u8 kind,
		    __u8 hook, __u32 ifindex, __u8 sub, __u8 opt_len,
		    __u8 version, __u8 index)
{
	memset(w, 0, sizeof(*w));
	w->ifindex = ifindex;
	w->abi_version = MPX_ABI_VERSION;
	w->kind = kind;
	w->hook = hook;
	if (s->family == 4) {
		w->saddr[10] = w->saddr[11] = 0xff;
		w->daddr[10] = w->daddr[11] = 0xff;
		memcpy(w->saddr + 12, s->saddr, 4);
		memcpy(w->daddr + 12, s->daddr, 4);
	} else {
		memcpy(w->saddr, s->saddr, 16);
		memcpy(w->daddr, s->daddr, 16);
	}
	w->sport = s->sport;
	w->dport = s->dport;
	w->seq = s->seq;
	w->ack = s->ack;
	w->payload_len = (__u16)s->payload_len;
	w->family = (__u8)s->family;
	w->tcp_flags = s->tcp_flags;
	w->subtype = sub;
	w->opt_len = opt_len;
	w->version = version;
	w->opt_index = index;
}

void check_counters(const __u64 *got, const struct ctr_want *w, size_t nw)
{
	__u64 want[MPX_CTR_MAX] = {0};
	size_t i;

	for (i = 0; i < nw; i++)
		want[w[i].id] += w[i].n;
	for (i = 0; i < MPX_CTR_MAX; i++)
		CHECK(got[i] == want[i],
		      "counter %s = %" PRIu64 ", want %" PRIu64, ctr_names[i],
		      (uint64_t)got[i], (uint64_t)want[i]);
}

void check_record_fields(const struct mptcp_event *g,
			 const struct mptcp_event *w)
{
	struct mptcp_event gz = *g, wz = *w;

	ASSERT_EQ(g->ifindex, w->ifindex);
	ASSERT_EQ(g->abi_version, w->abi_version);
	ASSERT_EQ(g->kind, w->kind);
	ASSERT_EQ(g->hook, w->hook);
	ASSERT_MEMEQ(g->saddr, w->saddr, MPX_ADDR_LEN);
	ASSERT_MEMEQ(g->daddr, w->daddr, MPX_ADDR_LEN);
	ASSERT_EQ(g->sport, w->sport);
	ASSERT_EQ(g->dport, w->dport);
	ASSERT_EQ(g->seq, w->seq);
	ASSERT_EQ(g->ack, w->ack);
	ASSERT_EQ(g->payload_len, w->payload_len);
	ASSERT_EQ(g->family, w->family);
	ASSERT_EQ(g->tcp_flags, w->tcp_flags);
	ASSERT_EQ(g->subtype, w->subtype);
	ASSERT_EQ(g->opt_len, w->opt_len);
	ASSERT_EQ(g->version, w->version);
	ASSERT_EQ(g->error, w->error);
	ASSERT_EQ(g->opt_index, w->opt_index);
	switch (w->kind) {
	case MPX_EV_MP_CAPABLE:
		ASSERT_EQ(g->u.capable.flags, w->u.capable.flags);
		ASSERT_EQ(g->u.capable.has_sender_key,
			  w->u.capable.has_sender_key);
		ASSERT_EQ(g->u.capable.has_receiver_key,
			  w->u.capable.has_receiver_key);
		ASSERT_EQ(g->u.capable.has_data_len, w->u.capable.has_data_len);
		ASSERT_EQ(g->u.capable.has_checksum, w->u.capable.has_checksum);
		ASSERT_EQ(g->u.capable.sender_key, w->u.capable.sender_key);
		ASSERT_EQ(g->u.capable.receiver_key, w->u.capable.receiver_key);
		ASSERT_EQ(g->u.capable.data_len, w->u.capable.data_len);
		ASSERT_EQ(g->u.capable.checksum, w->u.capable.checksum);
		break;
	case MPX_EV_MP_JOIN:
		ASSERT_EQ(g->u.join.stage, w->u.join.stage);
		ASSERT_EQ(g->u.join.backup, w->u.join.backup);
		ASSERT_EQ(g->u.join.addr_id, w->u.join.addr_id);
		ASSERT_EQ(g->u.join.token, w->u.join.token);
		ASSERT_EQ(g->u.join.nonce, w->u.join.nonce);
		ASSERT_EQ(g->u.join.hmac64, w->u.join.hmac64);
		ASSERT_MEMEQ(g->u.join.hmac, w->u.join.hmac, MPX_JOIN_HMAC_LEN);
		break;
	case MPX_EV_DSS:
		ASSERT_EQ(g->u.dss.flags, w->u.dss.flags);
		ASSERT_EQ(g->u.dss.has_ack, w->u.dss.has_ack);
		ASSERT_EQ(g->u.dss.has_map, w->u.dss.has_map);
		ASSERT_EQ(g->u.dss.has_checksum, w->u.dss.has_checksum);
		ASSERT_EQ(g->u.dss.data_fin, w->u.dss.data_fin);
		ASSERT_EQ(g->u.dss.ack8, w->u.dss.ack8);
		ASSERT_EQ(g->u.dss.dsn8, w->u.dss.dsn8);
		ASSERT_EQ(g->u.dss.data_ack, w->u.dss.data_ack);
		ASSERT_EQ(g->u.dss.dsn, w->u.dss.dsn);
		ASSERT_EQ(g->u.dss.ssn, w->u.dss.ssn);
		ASSERT_EQ(g->u.dss.data_len, w->u.dss.data_len);
		ASSERT_EQ(g->u.dss.checksum, w->u.dss.checksum);
		break;
	case MPX_EV_ADD_ADDR:
		ASSERT_EQ(g->u.add_addr.version, w->u.add_addr.version);
		ASSERT_EQ(g->u.add_addr.echo, w->u.add_addr.echo);
		ASSERT_EQ(g->u.add_addr.addr_id, w->u.add_addr.addr_id);
		ASSERT_EQ(g->u.add_addr.family, w->u.add_addr.family);
		ASSERT_EQ(g->u.add_addr.has_port, w->u.add_addr.has_port);
		ASSERT_EQ(g->u.add_addr.has_hmac, w->u.add_addr.has_hmac);
		ASSERT_EQ(g->u.add_addr.port, w->u.add_addr.port);
		ASSERT_MEMEQ(g->u.add_addr.addr, w->u.add_addr.addr,
			     MPX_ADDR_LEN);
		ASSERT_EQ(g->u.add_addr.hmac, w->u.add_addr.hmac);
		break;
	case MPX_EV_SUBFLOW_FIN:
	case MPX_EV_SUBFLOW_RST:
	case MPX_EV_FALLBACK:
		for (int d = 0; d < 2; d++) {
			ASSERT_EQ(g->u.subflow.packets[d],
				  w->u.subflow.packets[d]);
			ASSERT_EQ(g->u.subflow.bytes[d], w->u.subflow.bytes[d]);
		}
		break;
	case MPX_EV_REMOVE_ADDR:
		ASSERT_EQ(g->u.remove_addr.count, w->u.remove_addr.count);
		ASSERT_MEMEQ(g->u.remove_addr.ids, w->u.remove_addr.ids,
			     MPX_MAX_RM_IDS);
		break;
	case MPX_EV_MP_PRIO:
		ASSERT_EQ(g->u.prio.backup, w->u.prio.backup);
		ASSERT_EQ(g->u.prio.has_addr_id, w->u.prio.has_addr_id);
		ASSERT_EQ(g->u.prio.addr_id, w->u.prio.addr_id);
		break;
	case MPX_EV_MP_FAIL:
		ASSERT_EQ(g->u.fail.dsn, w->u.fail.dsn);
		break;
	case MPX_EV_MP_FASTCLOSE:
		ASSERT_EQ(g->u.fastclose.receiver_key,
			  w->u.fastclose.receiver_key);
		break;
	case MPX_EV_MP_TCPRST:
		ASSERT_EQ(g->u.tcprst.flags, w->u.tcprst.flags);
		ASSERT_EQ(g->u.tcprst.reason, w->u.tcprst.reason);
		break;
	default:
		break;
	}
	/* Then every byte, padding included (ring buffer memory is not
	 * zeroed: the producer must write it all). */
	gz.ts_ns = wz.ts_ns = 0;
	ASSERT_MEMEQ(&gz, &wz, sizeof(gz));
}
