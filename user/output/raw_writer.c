// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <arpa/inet.h>

#include "output/event_names.h"
#include "output/json_line.h"
#include "output/raw_writer.h"

static void capable(struct json_line *j, const struct mptcp_event *ev)
{
	const struct mpx_ev_capable *m = &ev->u.capable;

	jl_u64(j, "version", ev->version);
	jl_hex(j, "flags", m->flags, 2);
	if (m->has_sender_key)
		jl_hex(j, "sender_key", m->sender_key, 16);
	if (m->has_receiver_key)
		jl_hex(j, "receiver_key", m->receiver_key, 16);
	if (m->has_data_len)
		jl_u64(j, "data_len", m->data_len);
	if (m->has_checksum)
		jl_u64(j, "checksum", m->checksum);
}

static void join(struct json_line *j, const struct mptcp_event *ev)
{
	const struct mpx_ev_join *m = &ev->u.join;

	jl_str(j, "stage", mpx_join_stage_name(m->stage));
	if (m->stage == MPX_JOIN_ACK) {
		jl_hex_bytes(j, "hmac", m->hmac, sizeof(m->hmac));
		return;
	}
	jl_bool(j, "backup", m->backup);
	jl_u64(j, "addr_id", m->addr_id);
	if (m->stage == MPX_JOIN_SYN)
		jl_hex(j, "token", m->token, 8);
	else
		jl_hex(j, "hmac", m->hmac64, 16);
	jl_hex(j, "nonce", m->nonce, 8);
}

static void dss(struct json_line *j, const struct mptcp_event *ev)
{
	const struct mpx_ev_dss *d = &ev->u.dss;

	jl_bool(j, "data_fin", d->data_fin);
	if (d->has_ack)
		jl_u64(j, "data_ack", d->data_ack);
	if (d->has_map) {
		jl_u64(j, "dsn", d->dsn);
		jl_u64(j, "ssn", d->ssn);
		jl_u64(j, "data_len", d->data_len);
	}
	if (d->has_checksum)
		jl_u64(j, "checksum", d->checksum);
	jl_bool(j, "dsn8", d->dsn8);
	jl_bool(j, "ack8", d->ack8);
}

static void add_addr(struct json_line *j, const struct mptcp_event *ev)
{
	const struct mpx_ev_add_addr *a = &ev->u.add_addr;
	char addr[INET6_ADDRSTRLEN];

	mpx_add_addr_text(a, addr, sizeof(addr));
	jl_u64(j, "version", a->version);
	jl_bool(j, "echo", a->echo);
	jl_u64(j, "addr_id", a->addr_id);
	jl_str(j, "addr", addr);
	if (a->has_port)
		jl_u64(j, "port", a->port);
	if (a->has_hmac)
		jl_hex(j, "hmac", a->hmac, 16);
}

static void option_fields(struct json_line *j, const struct mptcp_event *ev)
{
	char text[8];

	switch (ev->kind) {
	case MPX_EV_MP_CAPABLE:
		capable(j, ev);
		break;
	case MPX_EV_MP_JOIN:
		join(j, ev);
		break;
	case MPX_EV_DSS:
		dss(j, ev);
		break;
	case MPX_EV_ADD_ADDR:
		add_addr(j, ev);
		break;
	case MPX_EV_REMOVE_ADDR:
		jl_u8_array(j, "addr_ids", ev->u.remove_addr.ids,
			    ev->u.remove_addr.count);
		break;
	case MPX_EV_MP_PRIO:
		jl_bool(j, "backup", ev->u.prio.backup);
		if (ev->u.prio.has_addr_id)
			jl_u64(j, "addr_id", ev->u.prio.addr_id);
		break;
	case MPX_EV_MP_FAIL:
		jl_u64(j, "dsn", ev->u.fail.dsn);
		break;
	case MPX_EV_MP_FASTCLOSE:
		jl_hex(j, "receiver_key", ev->u.fastclose.receiver_key, 16);
		break;
	case MPX_EV_MP_TCPRST:
		mpx_rst_flags_text(ev->u.tcprst.flags, text);
		jl_str(j, "flags", text);
		jl_u64(j, "reason", ev->u.tcprst.reason);
		break;
	case MPX_EV_MP_ERROR:
		if (ev->subtype == MPX_SUBTYPE_UNKNOWN)
			jl_null(j, "subtype");
		else
			jl_u64(j, "subtype", ev->subtype);
		jl_str(j, "reason", mpx_err_name(ev->error));
		break;
	case MPX_EV_SUBFLOW_FIN:
	case MPX_EV_SUBFLOW_RST:
	case MPX_EV_FALLBACK:
		jl_u64(j, "packets_fwd", ev->u.subflow.packets[0]);
		jl_u64(j, "packets_rev", ev->u.subflow.packets[1]);
		jl_u64(j, "bytes_fwd", ev->u.subflow.bytes[0]);
		jl_u64(j, "bytes_rev", ev->u.subflow.bytes[1]);
		break;
	default: /* mp_experimental: common fields only */
		break;
	}
}

void mpx_write_raw(FILE *f, const struct mpx_origin *o,
		   const struct mptcp_event *ev, int tagged)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], flags[9];
	char line[512];
	struct json_line j;

	mpx_addr_text(ev->family, ev->saddr, src, sizeof(src));
	mpx_addr_text(ev->family, ev->daddr, dst, sizeof(dst));
	mpx_tcp_flags_text(ev->tcp_flags, flags);
	jl_begin_buf(&j, f, line, sizeof(line));
	if (tagged)
		jl_str(&j, "record", "option");
	if (o->frame)
		jl_u64(&j, "frame", o->frame);
	jl_time(&j, "ts", o->ts_sec, o->ts_usec);
	jl_str(&j, "event", mpx_kind_name(ev->kind));
	jl_str(&j, "src", src);
	jl_str(&j, "dst", dst);
	jl_u64(&j, "sport", ev->sport);
	jl_u64(&j, "dport", ev->dport);
	jl_str(&j, "tcp_flags", flags);
	jl_u64(&j, "opt_len", ev->opt_len);
	option_fields(&j, ev);
	jl_end(&j);
}
