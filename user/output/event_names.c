// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "output/event_names.h"

const char *mpx_kind_name(__u8 kind)
{
	switch (kind) {
	case MPX_EV_MP_CAPABLE:
		return "mp_capable";
	case MPX_EV_MP_JOIN:
		return "mp_join";
	case MPX_EV_DSS:
		return "mp_dss";
	case MPX_EV_ADD_ADDR:
		return "mp_add_addr";
	case MPX_EV_REMOVE_ADDR:
		return "mp_remove_addr";
	case MPX_EV_MP_PRIO:
		return "mp_prio";
	case MPX_EV_MP_FAIL:
		return "mp_fail";
	case MPX_EV_MP_FASTCLOSE:
		return "mp_fastclose";
	case MPX_EV_MP_TCPRST:
		return "mp_tcprst";
	case MPX_EV_MP_EXPERIMENTAL:
		return "mp_experimental";
	case MPX_EV_MP_ERROR:
		return "mp_error";
	case MPX_EV_SUBFLOW_FIN:
		return "subflow_fin";
	case MPX_EV_SUBFLOW_RST:
		return "subflow_rst";
	case MPX_EV_FALLBACK:
		return "fallback";
	case MPX_EV_PAYLOAD:
		return "payload";
	default:
		return "unknown";
	}
}

const char *mpx_err_name(__u8 err)
{
	static const char *const names[MPX_ERR_MAX] = {
	    [MPX_ERR_NONE] = "none",
	    [MPX_ERR_BAD_LENGTH] = "bad_length",
	    [MPX_ERR_BAD_FLAGS] = "bad_flags",
	    [MPX_ERR_UNKNOWN_SUBTYPE] = "unknown_subtype",
	    [MPX_ERR_OPT_TRUNCATED] = "opt_truncated",
	    [MPX_ERR_OPT_LEN_INVALID] = "opt_len_invalid",
	    [MPX_ERR_TRUNC_L2] = "trunc_l2",
	    [MPX_ERR_TRUNC_L3] = "trunc_l3",
	    [MPX_ERR_TRUNC_L4] = "trunc_l4",
	    [MPX_ERR_BAD_IP_HEADER] = "bad_ip_header",
	    [MPX_ERR_BAD_TCP_DOFF] = "bad_tcp_doff",
	    [MPX_ERR_TOO_MANY_EXTHDRS] = "too_many_exthdrs",
	};

	return err < MPX_ERR_MAX ? names[err] : "unknown";
}

const char *mpx_hook_name(__u8 hook)
{
	switch (hook) {
	case MPX_HOOK_XDP:
		return "xdp";
	case MPX_HOOK_TC_INGRESS:
		return "tc_ingress";
	case MPX_HOOK_TC_EGRESS:
		return "tc_egress";
	case MPX_HOOK_HOST:
		return "host";
	default:
		return "unknown";
	}
}

const char *mpx_join_stage_name(__u8 stage)
{
	switch (stage) {
	case MPX_JOIN_SYN:
		return "syn";
	case MPX_JOIN_SYNACK:
		return "synack";
	case MPX_JOIN_ACK:
		return "ack";
	default:
		return "unknown";
	}
}

void mpx_tcp_flags_text(__u8 flags, char out[9])
{
	static const struct {
		__u8 bit;
		char letter;
	} order[] = {
	    {MPX_TCP_FIN, 'F'}, {MPX_TCP_SYN, 'S'}, {MPX_TCP_RST, 'R'},
	    {MPX_TCP_PSH, 'P'}, {MPX_TCP_ACK, 'A'}, {MPX_TCP_URG, 'U'},
	    {MPX_TCP_ECE, 'E'}, {MPX_TCP_CWR, 'C'},
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (flags & order[i].bit)
			out[n++] = order[i].letter;
	out[n] = '\0';
}

void mpx_rst_flags_text(__u8 flags, char out[5])
{
	size_t n = 0;

	if (flags & MPX_RST_U)
		out[n++] = 'U';
	if (flags & MPX_RST_V)
		out[n++] = 'V';
	if (flags & MPX_RST_W)
		out[n++] = 'W';
	if (flags & MPX_RST_T)
		out[n++] = 'T';
	out[n] = '\0';
}

/* Dotted quad as inet_ntop writes it, without its sprintf (two of them
 * a raw record). */
static int ipv4_text(const __u8 a[4], char *out, size_t outlen)
{
	char buf[16];
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (i)
			buf[n++] = '.';
		if (v >= 100)
			buf[n++] = (char)('0' + v / 100);
		if (v >= 10)
			buf[n++] = (char)('0' + v / 10 % 10);
		buf[n++] = (char)('0' + v % 10);
	}
	if (n + 1 > outlen)
		return -1;
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

void mpx_addr_text(__u8 family, const __u8 addr[MPX_ADDR_LEN], char *out,
		   size_t outlen)
{
	if (family == 4) {
		if (ipv4_text(addr + 12, out, outlen) < 0)
			snprintf(out, outlen, "?");
		return;
	}
	if (!inet_ntop(AF_INET6, addr, out, (socklen_t)outlen))
		snprintf(out, outlen, "?");
}

void mpx_add_addr_text(const struct mpx_ev_add_addr *a, char *out,
		       size_t outlen)
{
	int af = a->family == 4 ? AF_INET : AF_INET6;

	if (!inet_ntop(af, a->addr, out, (socklen_t)outlen))
		snprintf(out, outlen, "?");
}
