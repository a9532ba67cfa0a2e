/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The TCP option walk and the MPTCP option decoders (RFC 8684 section 3 for
 * v1, RFC 6824 section 3 for v0). Works on the option copy in struct
 * mpx_pkt: every read is masked into the 64-byte buffer, so the verifier
 * needs no length tracking, and lengths are checked against the protocol
 * before any field is read. No helpers: BPF and host alike.
 */
#ifndef MPX_PARSE_OPTIONS_H
#define MPX_PARSE_OPTIONS_H

#include "parse_common.h"
#include "parse_headers.h"

#define MPX_TCPOPT_EOL	 0
#define MPX_TCPOPT_NOP	 1
#define MPX_TCPOPT_MPTCP 30

/* Each step consumes at least one byte of the 40: 40 steps always end. */
#define MPX_MAX_OPT_STEPS MPX_TCP_OPT_SPACE

enum mpx_step {
	MPX_STEP_END = 0,      /* no more options */
	MPX_STEP_NEXT = 1,     /* an option that is not MPTCP: go on */
	MPX_STEP_RECORD = 2,   /* an MPTCP option decoded into the record */
	MPX_STEP_DISABLED = 3, /* an MPTCP option whose kind is not wanted */
	MPX_STEP_BAD = 4,      /* walk ends on a non-MPTCP error: w->err */
};

struct mpx_walk {
	__u8 off;
	__u8 mptcp_index; /* MPTCP options seen so far in this packet */
	__u8 err;
	__u8 subtype; /* of the last MPTCP option met, for counting */
	__u16 seen;   /* bit per subtype met in this packet */
	__u8 dir;     /* the packet's direction in its flow key (inspect.h) */
};

/*
 * Reads of the option copy (pkt->opts, big-endian on the wire). Every index
 * is masked into the buffer, so the verifier needs no other proof that a
 * read stays inside it.
 */
mpx_inline __u8 mpx_opt_u8(const struct mpx_pkt *pkt, __u32 off)
{
	return pkt->opts[off & MPX_OPT_MASK];
}

mpx_inline __u16 mpx_opt_be16(const struct mpx_pkt *pkt, __u32 off)
{
	return (__u16)((__u16)mpx_opt_u8(pkt, off) << 8 |
		       mpx_opt_u8(pkt, off + 1));
}

mpx_inline __u32 mpx_opt_be32(const struct mpx_pkt *pkt, __u32 off)
{
	return (__u32)mpx_opt_be16(pkt, off) << 16 | mpx_opt_be16(pkt, off + 2);
}

mpx_inline __u64 mpx_opt_be64(const struct mpx_pkt *pkt, __u32 off)
{
	return (__u64)mpx_opt_be32(pkt, off) << 32 | mpx_opt_be32(pkt, off + 4);
}

/* MP_CAPABLE (RFC 8684 section 3.1; v0: RFC 6824 section 3.1).
 * v1: SYN 4, SYN/ACK 12 (sender key), ACK 20 (both keys), first data 22
 * (+ data-level length) or 24 (+ checksum). v0: 12 and 20. A version this
 * inspector does not know is decoded with the v1 layout and left for the
 * correlator to flag. */
mpx_inline int mpx_dec_capable(const struct mpx_pkt *pkt, __u32 o, __u8 len,
			       struct mptcp_event *ev)
{
	struct mpx_ev_capable *m = &ev->u.capable;
	__u8 ver = mpx_opt_u8(pkt, o + 2) & 0x0f;

	ev->version = ver;
	if (ver == 0 ? (len != 12 && len != 20)
		     : (len != 4 && len != 12 && len != 20 && len != 22 &&
			len != 24))
		return MPX_ERR_BAD_LENGTH;
	m->flags = mpx_opt_u8(pkt, o + 3);
	if (len >= 12) {
		m->has_sender_key = 1;
		m->sender_key = mpx_opt_be64(pkt, o + 4);
	}
	if (len >= 20) {
		m->has_receiver_key = 1;
		m->receiver_key = mpx_opt_be64(pkt, o + 12);
	}
	if (len >= 22) {
		m->has_data_len = 1;
		m->data_len = mpx_opt_be16(pkt, o + 20);
	}
	if (len == 24) {
		m->has_checksum = 1;
		m->checksum = mpx_opt_be16(pkt, o + 22);
	}
	return MPX_ERR_NONE;
}

/* MP_JOIN (section 3.2): the length tells the handshake stage. */
mpx_inline int mpx_dec_join(const struct mpx_pkt *pkt, __u32 o, __u8 len,
			    struct mptcp_event *ev)
{
	struct mpx_ev_join *j = &ev->u.join;
	int i;

	if (len == 12) {
		j->stage = MPX_JOIN_SYN;
		j->token = mpx_opt_be32(pkt, o + 4);
		j->nonce = mpx_opt_be32(pkt, o + 8);
	} else if (len == 16) {
		j->stage = MPX_JOIN_SYNACK;
		j->hmac64 = mpx_opt_be64(pkt, o + 4);
		j->nonce = mpx_opt_be32(pkt, o + 12);
	} else if (len == 24) {
		j->stage = MPX_JOIN_ACK;
		MPX_UNROLL
		for (i = 0; i < MPX_JOIN_HMAC_LEN; i++)
			j->hmac[i] = mpx_opt_u8(pkt, o + 4 + i);
		return MPX_ERR_NONE;
	} else {
		return MPX_ERR_BAD_LENGTH;
	}
	j->backup = mpx_opt_u8(pkt, o + 2) & 0x01;
	j->addr_id = mpx_opt_u8(pkt, o + 3);
	return MPX_ERR_NONE;
}

/* Is len the length a DSS option with flags f has (section 3.3)? The
 * flags fix the layout; the checksum is there when the length has room for
 * it (it is negotiated, not flagged). 'a' and 'm' only mean something with
 * 'A' and 'M'. */
mpx_inline int mpx_dss_len_ok(__u8 f, __u32 len)
{
	__u32 want = 4;

	if (f & MPX_DSS_A)
		want += (f & MPX_DSS_a) ? 8 : 4;
	if (f & MPX_DSS_M)
		want += ((f & MPX_DSS_m) ? 8 : 4) + 4 + 2;
	return len == want || ((f & MPX_DSS_M) && len == want + 2);
}

/* DSS (section 3.3). */
mpx_inline int mpx_dec_dss(const struct mpx_pkt *pkt, __u32 o, __u8 len,
			   struct mptcp_event *ev)
{
	struct mpx_ev_dss *d = &ev->u.dss;
	__u8 f = mpx_opt_u8(pkt, o + 3);
	__u32 p = o + 4;

	d->flags = f;
	d->has_ack = !!(f & MPX_DSS_A);
	d->has_map = !!(f & MPX_DSS_M);
	d->data_fin = !!(f & MPX_DSS_F);
	d->ack8 = d->has_ack && (f & MPX_DSS_a);
	d->dsn8 = d->has_map && (f & MPX_DSS_m);
	if (!mpx_dss_len_ok(f, len))
		return MPX_ERR_BAD_LENGTH;
	/* A DATA_FIN occupies one octet of data sequence space and is always
	 * carried by a mapping (RFC 8684 section 3.3.3). */
	if (d->data_fin && !d->has_map)
		return MPX_ERR_BAD_FLAGS;
	if (d->has_ack) {
		if (d->ack8) {
			d->data_ack = mpx_opt_be64(pkt, p);
			p += 8;
		} else {
			d->data_ack = mpx_opt_be32(pkt, p);
			p += 4;
		}
	}
	if (d->has_map) {
		if (d->dsn8) {
			d->dsn = mpx_opt_be64(pkt, p);
			p += 8;
		} else {
			d->dsn = mpx_opt_be32(pkt, p);
			p += 4;
		}
		d->ssn = mpx_opt_be32(pkt, p);
		d->data_len = mpx_opt_be16(pkt, p + 4);
		if (o + len == p + 8) { /* room past the mapping */
			d->has_checksum = 1;
			d->checksum = mpx_opt_be16(pkt, p + 6);
		}
	}
	return MPX_ERR_NONE;
}

/* ADD_ADDR (v1: RFC 8684 section 3.4.1; v0: RFC 6824 section 3.4.1). The
 * nibble after the subtype tells the versions apart: v0 puts the IP version
 * there (4 or 6), v1 three reserved zero bits and the echo flag. v1 gives
 * the family by the length; a non-echo v1 option carries a 64-bit HMAC. */
mpx_inline int mpx_dec_add_addr(const struct mpx_pkt *pkt, __u32 o, __u8 len,
				struct mptcp_event *ev)
{
	struct mpx_ev_add_addr *a = &ev->u.add_addr;
	__u8 nib = mpx_opt_u8(pkt, o + 2) & 0x0f;
	__u32 alen, rest;
	int i;

	if (nib == 4 || nib == 6) {
		a->version = 0;
		ev->version = 0;
		a->family = nib;
		alen = nib == 4 ? 4 : 16;
		if (len != 4 + alen && len != 4 + alen + 2)
			return MPX_ERR_BAD_LENGTH;
	} else if ((nib & 0x0e) == 0) {
		a->version = 1;
		ev->version = 1;
		a->echo = nib & 0x01;
		if (len == 8 || len == 10 || len == 16 || len == 18) {
			a->family = 4;
			alen = 4;
		} else if (len == 20 || len == 22 || len == 28 || len == 30) {
			a->family = 6;
			alen = 16;
		} else {
			return MPX_ERR_BAD_LENGTH;
		}
		/* Echoes carry no HMAC, advertisements always do. */
		rest = len - 4 - alen;
		if (a->echo ? rest > 2 : rest < 8)
			return MPX_ERR_BAD_LENGTH;
		a->has_hmac = !a->echo;
	} else {
		return MPX_ERR_BAD_FLAGS;
	}
	a->addr_id = mpx_opt_u8(pkt, o + 3);
	MPX_UNROLL
	for (i = 0; i < MPX_ADDR_LEN; i++)
		a->addr[i] = i < (int)alen ? mpx_opt_u8(pkt, o + 4 + i) : 0;
	rest = len - 4 - alen - (a->has_hmac ? 8 : 0);
	if (rest == 2) {
		a->has_port = 1;
		a->port = mpx_opt_be16(pkt, o + 4 + alen);
	}
	if (a->has_hmac)
		a->hmac = mpx_opt_be64(pkt, o + len - 8);
	return MPX_ERR_NONE;
}

/* REMOVE_ADDR (section 3.4.2): one or more address ids. */
mpx_inline int mpx_dec_remove_addr(const struct mpx_pkt *pkt, __u32 o, __u8 len,
				   struct mptcp_event *ev)
{
	struct mpx_ev_remove_addr *r = &ev->u.remove_addr;
	int i;

	if (len < 4)
		return MPX_ERR_BAD_LENGTH;
	r->count = len - 3;
	MPX_UNROLL
	for (i = 0; i < MPX_MAX_RM_IDS; i++)
		r->ids[i] = i < r->count ? mpx_opt_u8(pkt, o + 3 + i) : 0;
	return MPX_ERR_NONE;
}

/* MP_PRIO (section 3.3.8): length 3; v0 may add an address id (length 4). */
mpx_inline int mpx_dec_prio(const struct mpx_pkt *pkt, __u32 o, __u8 len,
			    struct mptcp_event *ev)
{
	if (len != 3 && len != 4)
		return MPX_ERR_BAD_LENGTH;
	ev->u.prio.backup = mpx_opt_u8(pkt, o + 2) & 0x01;
	if (len == 4) {
		ev->u.prio.has_addr_id = 1;
		ev->u.prio.addr_id = mpx_opt_u8(pkt, o + 3);
	}
	return MPX_ERR_NONE;
}

/*
 * Decode the MPTCP option at offset o (its kind byte) into ev. Sets kind,
 * subtype, version, error and the union; the caller has zeroed ev and set
 * the common part. Returns enum mpx_err.
 */
mpx_inline int mpx_decode_mptcp(const struct mpx_pkt *pkt, __u32 o, __u8 len,
				struct mptcp_event *ev)
{
	__u8 sub = mpx_opt_u8(pkt, o + 2) >> 4;
	int err;

	ev->subtype = sub;
	ev->kind = sub;
	switch (sub) {
	case MPX_EV_MP_CAPABLE:
		err = mpx_dec_capable(pkt, o, len, ev);
		break;
	case MPX_EV_MP_JOIN:
		err = mpx_dec_join(pkt, o, len, ev);
		break;
	case MPX_EV_DSS:
		err = mpx_dec_dss(pkt, o, len, ev);
		break;
	case MPX_EV_ADD_ADDR:
		err = mpx_dec_add_addr(pkt, o, len, ev);
		break;
	case MPX_EV_REMOVE_ADDR:
		err = mpx_dec_remove_addr(pkt, o, len, ev);
		break;
	case MPX_EV_MP_PRIO:
		err = mpx_dec_prio(pkt, o, len, ev);
		break;
	case MPX_EV_MP_FAIL: /* section 3.7: 64-bit DSN */
		err = len == 12 ? MPX_ERR_NONE : MPX_ERR_BAD_LENGTH;
		ev->u.fail.dsn = mpx_opt_be64(pkt, o + 4);
		break;
	case MPX_EV_MP_FASTCLOSE: /* section 3.5: the receiver's key */
		err = len == 12 ? MPX_ERR_NONE : MPX_ERR_BAD_LENGTH;
		ev->u.fastclose.receiver_key = mpx_opt_be64(pkt, o + 4);
		break;
	case MPX_EV_MP_TCPRST: /* section 3.6: flags U V W T, reason */
		err = len == 4 ? MPX_ERR_NONE : MPX_ERR_BAD_LENGTH;
		ev->u.tcprst.flags = mpx_opt_u8(pkt, o + 2) & 0x0f;
		ev->u.tcprst.reason = mpx_opt_u8(pkt, o + 3);
		break;
	case MPX_EV_MP_EXPERIMENTAL: /* section 7.2: any layout */
		err = MPX_ERR_NONE;
		break;
	default:
		err = MPX_ERR_UNKNOWN_SUBTYPE;
		break;
	}
	return err;
}

/* Turn ev into an mp_error record: the decoded fields are meaningless. */
mpx_inline void mpx_make_error(struct mptcp_event *ev, __u8 err)
{
	ev->kind = MPX_EV_MP_ERROR;
	ev->error = err;
	__builtin_memset(ev->u.raw, 0, sizeof(ev->u.raw));
}

/* Is a record for this subtype wanted? Unassigned subtypes can only ever
 * make an mp_error record. */
mpx_inline int mpx_kind_wanted(__u32 emit_mask, __u8 sub)
{
	if (sub <= MPX_EV_MP_TCPRST || sub == MPX_EV_MP_EXPERIMENTAL)
		return !!(emit_mask & MPX_KIND_BIT(sub));
	return !!(emit_mask & MPX_KIND_BIT(MPX_EV_MP_ERROR));
}

/* The common part of a record, from the packet. */
mpx_inline void mpx_fill_common(struct mptcp_event *ev,
				const struct mpx_pkt *pkt, __u8 len)
{
	/* Whole words: the record is 8-byte aligned, the copies 4. */
	__builtin_memset(ev, 0, sizeof(*ev));
	__builtin_memcpy(ev->saddr, pkt->saddr, MPX_ADDR_LEN);
	__builtin_memcpy(ev->daddr, pkt->daddr, MPX_ADDR_LEN);
	ev->abi_version = MPX_ABI_VERSION;
	ev->family = pkt->family;
	ev->sport = pkt->sport;
	ev->dport = pkt->dport;
	ev->seq = pkt->seq;
	ev->ack = pkt->ack;
	ev->payload_len = pkt->payload_len;
	ev->tcp_flags = pkt->tcp_flags;
	ev->opt_len = len;
	ev->subtype = MPX_SUBTYPE_UNKNOWN;
	ev->version = MPX_VERSION_UNKNOWN;
}

/*
 * Where the walk below has work to do: the offset of the first MPTCP option
 * or of the first option it would stop at with an error; MPX_OPT_NONE when
 * there is neither, and the walk would only step over the options. Steps
 * over the others exactly as the walk does, touching nothing else, so that
 * starting the walk at the offset returned (and skipping it on
 * MPX_OPT_NONE) changes nothing but the work: most TCP packets carry no
 * MPTCP option, and the walk is a function call per option.
 */
#define MPX_OPT_NONE 0xff

mpx_inline __u32 mpx_opt_find_mptcp(const struct mpx_pkt *pkt)
{
	__u32 next = 0, len;
	__u8 kind;
	int i;

	/* Over byte positions, not options: every read is at a constant
	 * offset and `next` is only compared, so the verifier walks this
	 * once, straight, rather than every path through a loop on `next`. */
	MPX_UNROLL
	for (i = 0; i < MPX_TCP_OPT_SPACE; i++) {
		if ((__u32)i != next)
			continue;
		if ((__u32)i >= pkt->opt_space)
			return MPX_OPT_NONE;
		if ((__u32)i >= pkt->opt_copied)
			return (__u32)i;
		kind = pkt->opts[i];
		if (kind == MPX_TCPOPT_EOL)
			return MPX_OPT_NONE;
		if (kind == MPX_TCPOPT_NOP) {
			next = (__u32)i + 1;
			continue;
		}
		if (kind == MPX_TCPOPT_MPTCP || (__u32)i + 1 >= pkt->opt_copied)
			return (__u32)i;
		len = pkt->opts[i + 1];
		if (len < 2 || i + len > pkt->opt_space ||
		    i + len > pkt->opt_copied)
			return (__u32)i;
		next = (__u32)i + len;
	}
	return MPX_OPT_NONE; /* next is 40: the option space is over */
}

/* Will the walk started at mpx_opt_find_mptcp()'s offset meet an MPTCP
 * option (count one in w->mptcp_index)? */
mpx_inline int mpx_opt_is_mptcp(const struct mpx_pkt *pkt, __u32 start)
{
	return start < pkt->opt_copied &&
	       mpx_opt_u8(pkt, start) == MPX_TCPOPT_MPTCP;
}

/*
 * One step of the TCP option walk (RFC 9293 section 3.2). An option of
 * length 0 or 1, or one that runs past the header or the captured bytes,
 * ends the walk: for an MPTCP option that is an mp_error record, for any
 * other a counted error. emit_mask (MPX_KIND_BIT) says which MPTCP options
 * are decoded at all; the others are only counted.
 */
mpx_inline int mpx_option_step(const struct mpx_pkt *pkt, struct mpx_walk *w,
			       __u32 emit_mask, struct mptcp_event *ev)
{
	__u32 o = w->off;
	__u8 kind, len, sub;
	int err = MPX_ERR_NONE;

	w->err = MPX_ERR_NONE;
	if (o >= pkt->opt_space)
		return MPX_STEP_END;
	if (o >= pkt->opt_copied) {
		w->err =
		    MPX_ERR_OPT_TRUNCATED; /* capture ends in the options */
		return MPX_STEP_BAD;
	}
	kind = mpx_opt_u8(pkt, o);
	if (kind == MPX_TCPOPT_EOL)
		return MPX_STEP_END;
	if (kind == MPX_TCPOPT_NOP) {
		w->off = (__u8)(o + 1);
		return MPX_STEP_NEXT;
	}
	len = o + 1 < pkt->opt_copied ? mpx_opt_u8(pkt, o + 1) : 0;
	if (o + 1 >= pkt->opt_copied)
		err = MPX_ERR_OPT_TRUNCATED;
	else if (len < 2)
		err = MPX_ERR_OPT_LEN_INVALID;
	else if (o + len > pkt->opt_space || o + len > pkt->opt_copied)
		err = MPX_ERR_OPT_TRUNCATED;
	if (kind != MPX_TCPOPT_MPTCP) {
		if (err != MPX_ERR_NONE) {
			w->err = (__u8)err;
			return MPX_STEP_BAD;
		}
		w->off = (__u8)(o + len);
		return MPX_STEP_NEXT;
	}

	/* An MPTCP option. Its subtype, when the bytes hold one. */
	sub = (len >= 3 && o + 2 < pkt->opt_copied)
		  ? mpx_opt_u8(pkt, o + 2) >> 4
		  : MPX_SUBTYPE_UNKNOWN;
	w->subtype = sub;
	w->mptcp_index++;
	if (sub != MPX_SUBTYPE_UNKNOWN)
		w->seen |= (__u16)(1u << (sub & 15));
	w->off = err != MPX_ERR_NONE ? MPX_TCP_OPT_SPACE : (__u8)(o + len);
	if (err == MPX_ERR_NONE && len < 3)
		err = MPX_ERR_BAD_LENGTH; /* kind and length, no subtype */
	if (err == MPX_ERR_NONE && !mpx_kind_wanted(emit_mask, sub)) {
		/* Counted, not decoded; an unassigned subtype is an error
		 * whether or not its record is wanted. */
		if (sub > MPX_EV_MP_TCPRST && sub < MPX_EV_MP_EXPERIMENTAL)
			w->err = MPX_ERR_UNKNOWN_SUBTYPE;
		return MPX_STEP_DISABLED;
	}
	mpx_fill_common(ev, pkt, len);
	ev->opt_index = w->mptcp_index - 1;
	if (err == MPX_ERR_NONE)
		err = mpx_decode_mptcp(pkt, o, len, ev);
	w->err = (__u8)err;
	if (err == MPX_ERR_NONE)
		return MPX_STEP_RECORD;
	if (!(emit_mask & MPX_KIND_BIT(MPX_EV_MP_ERROR)))
		return MPX_STEP_DISABLED;
	ev->subtype = sub;
	mpx_make_error(ev, (__u8)err);
	return MPX_STEP_RECORD;
}

#endif /* MPX_PARSE_OPTIONS_H */
