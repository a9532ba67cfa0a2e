// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * --single-path (single_path.h): each MPTCP connection written as one plain
 * TCP connection, so that tools that know nothing of MPTCP (an IDS, tcpflow,
 * `tshark -z follow,tcp`) reassemble its data-level stream.
 *
 * The file is written by libpcap (pcap_open_dead + pcap_dump), Ethernet
 * link type. Synthesised frames are built in one buffer that every call
 * reuses; a connection costs one small struct and nothing per byte.
 *
 * Sequence numbers follow RFC 9293 section 3.4: byte i of a direction's
 * stream has sequence number ISN + 1 + i (the SYN takes ISN), modulo 2^32;
 * the FIN takes the number after the last byte. A hole in the stream is a
 * hole in the sequence space: no byte is invented to fill it, so a reader
 * sees a segment that was "not captured", which is the truth.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/single_path.h"

/* The largest frame libpcap reads back for Ethernet (MAXIMUM_SNAPLEN). */
#define SP_SNAPLEN 262144

#define ETH_LEN	  14
#define IP4_LEN	  20
#define IP6_LEN	  40
#define TCP_LEN	  20 /* data offset 5: no options at all */
#define FRAME_MAX (ETH_LEN + IP6_LEN + TCP_LEN + MPX_SP_MSS)

/* RFC 9293 section 3.1 control bits. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_PSH 0x08
#define TH_ACK 0x10

/* No window scaling (no options): the largest window a plain header
 * carries. */
#define SP_WINDOW 65535

struct mpx_single_path {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	uint16_t ip_id;	    /* IPv4 identification, one counter for the file */
	unsigned long lost; /* connections not written: out of memory */
	int werr;	    /* errno of the first write that failed */
	char *path;	    /* for the messages of close */
	uint8_t frame[FRAME_MAX];
};

struct mpx_sp_conn {
	struct mpx_sp_tuple t;
	uint32_t isn[2]; /* [0]: a's, [1]: b's */
	/* Per direction, the end (offset + length) of the furthest bytes
	 * written: what the other side acknowledges. */
	uint64_t hi[2];
};

/* Locally administered unicast MACs (the 0x02 bit of the first byte),
 * fixed: the frames are synthesised, no real interface is named. */
static const uint8_t mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 1071: the 16-bit ones-complement sum of big-endian words, an odd
 * last byte padded with zero; sum carries on from an earlier part. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	/* Folded here so that no number of parts can overflow 32 bits. */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void write_frame(struct mpx_single_path *sp, const struct mpx_origin *at,
			const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	if (at) {
		h.ts.tv_sec = (time_t)at->ts_sec;
		h.ts.tv_usec = at->ts_usec;
	}
	/* A longer frame keeps its length, cut to what a reader accepts. */
	h.len = len > UINT32_MAX ? UINT32_MAX : (bpf_u_int32)len;
	h.caplen = len > SP_SNAPLEN ? SP_SNAPLEN : (bpf_u_int32)len;
	pcap_dump((u_char *)sp->dump, &h, frame);
	/* pcap_dump() reports nothing: the stream's error flag says that a
	 * write failed, and errno says why only right after the failure,
	 * so the first one is kept for close. */
	if (!sp->werr && ferror(pcap_dump_file(sp->dump)))
		sp->werr = errno ? errno : EIO;
}

/*
 * One TCP segment of c in direction dir (0: a to b), payload len bytes
 * from pay (NULL when len is 0), built in sp->frame and written.
 */
static void segment(struct mpx_single_path *sp, const struct mpx_sp_conn *c,
		    int dir, uint32_t seq, uint32_t ack, uint8_t flags,
		    const uint8_t *pay, size_t len, const struct mpx_origin *at)
{
	const struct mpx_sp_tuple *t = &c->t;
	const uint8_t *src = dir ? t->b_addr : t->a_addr;
	const uint8_t *dst = dir ? t->a_addr : t->b_addr;
	uint8_t *f = sp->frame, *ip = f + ETH_LEN, *tcp;
	size_t tcp_len = TCP_LEN + len;
	uint32_t sum;
	uint8_t ph[4];

	memcpy(f, dir ? mac_a : mac_b, 6); /* destination */
	memcpy(f + 6, dir ? mac_b : mac_a, 6);
	if (t->family == 4) {
		put16(f + 12, 0x0800);
		tcp = ip + IP4_LEN;
		ip[0] = 0x45; /* version 4, header 5 words */
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(IP4_LEN + tcp_len));
		put16(ip + 4, sp->ip_id++);
		put16(ip + 6, 0x4000); /* DF, offset 0 */
		ip[8] = 64;
		ip[9] = 6; /* TCP */
		put16(ip + 10, 0);
		/* The last 4 bytes of ::ffff:a.b.c.d. */
		memcpy(ip + 12, src + 12, 4);
		memcpy(ip + 16, dst + 12, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, IP4_LEN)));
		/* RFC 9293 section 3.1: the IPv4 pseudo-header. */
		sum = csum_add(0, ip + 12, 8);
	} else {
		put16(f + 12, 0x86dd);
		tcp = ip + IP6_LEN;
		put32(ip, 0x60000000); /* version 6, class 0, flow 0 */
		put16(ip + 4, (uint16_t)tcp_len);
		ip[6] = 6; /* TCP */
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		/* RFC 8200 section 8.1: the IPv6 pseudo-header. */
		sum = csum_add(0, ip + 8, 32);
	}
	ph[0] = 0;
	ph[1] = 6;
	put16(ph + 2, (uint16_t)tcp_len);
	sum = csum_add(sum, ph, 4);

	put16(tcp, dir ? t->b_port : t->a_port);
	put16(tcp + 2, dir ? t->a_port : t->b_port);
	put32(tcp + 4, seq);
	/* RFC 9293 section 3.1: the acknowledgment field is sent as zero
	 * when ACK is not set (the first SYN). */
	put32(tcp + 8, (flags & TH_ACK) ? ack : 0);
	tcp[12] = (TCP_LEN / 4) << 4;
	tcp[13] = flags;
	put16(tcp + 14, SP_WINDOW);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0); /* urgent pointer */
	if (len)
		memcpy(tcp + TCP_LEN, pay, len);
	put16(tcp + 16, csum_fold(csum_add(sum, tcp, tcp_len)));

	write_frame(sp, at, f, (size_t)(tcp + tcp_len - f));
}

struct mpx_single_path *mpx_single_path_open(const char *path, char *err,
					     size_t errlen)
{
	struct mpx_single_path *sp = calloc(1, sizeof(*sp));
	const char *why;
	size_t pl;

	if (!sp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	sp->path = strdup(path);
	sp->pcap = pcap_open_dead(DLT_EN10MB, SP_SNAPLEN);
	if (!sp->path || !sp->pcap) {
		snprintf(err, errlen, "%s: %s", path,
			 sp->path ? "cannot start a pcap writer"
				  : "out of memory");
		if (sp->pcap)
			pcap_close(sp->pcap);
		free(sp->path);
		free(sp);
		return NULL;
	}
	errno = 0;
	sp->dump = pcap_dump_open(sp->pcap, path);
	if (!sp->dump) {
		/* libpcap names the file itself ("PATH: strerror"); the
		 * path is printed once, whichever way the message comes. */
		why = pcap_geterr(sp->pcap);
		pl = strlen(path);
		if (strncmp(why, path, pl) == 0 &&
		    strncmp(why + pl, ": ", 2) == 0)
			why += pl + 2;
		else if (errno)
			why = strerror(errno);
		snprintf(err, errlen, "%s: %s", path, why);
		pcap_close(sp->pcap);
		free(sp->path);
		free(sp);
		return NULL;
	}
	return sp;
}

int mpx_single_path_close(struct mpx_single_path *sp, char *err, size_t errlen)
{
	int rc = 0;

	if (!sp)
		return 0;
	/* pcap_dump_close() ignores what fclose() says: the buffered tail
	 * is flushed and checked here first (a full disk, EIO). */
	errno = 0;
	if (pcap_dump_flush(sp->dump) != 0 && !sp->werr)
		sp->werr = errno ? errno : EIO;
	if (!sp->werr && ferror(pcap_dump_file(sp->dump)))
		sp->werr = EIO;
	if (sp->werr) {
		snprintf(err, errlen, "%s: write failed: %s", sp->path,
			 strerror(sp->werr));
		rc = -1;
	} else if (sp->lost) {
		snprintf(err, errlen,
			 "%s: %lu connection(s) not written: out of memory",
			 sp->path, sp->lost);
		rc = -1;
	}
	pcap_dump_close(sp->dump);
	pcap_close(sp->pcap);
	free(sp->path);
	free(sp);
	return rc;
}

void mpx_single_path_frame(struct mpx_single_path *sp,
			   const struct mpx_origin *at, const uint8_t *frame,
			   size_t len)
{
	if (!sp)
		return;
	write_frame(sp, at, frame, len);
}

struct mpx_sp_conn *mpx_single_path_conn_open(struct mpx_single_path *sp,
					      const struct mpx_sp_tuple *t,
					      uint32_t isn_a, uint32_t isn_b,
					      const struct mpx_origin *at)
{
	struct mpx_sp_conn *c;

	if (!sp)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		sp->lost++;
		return NULL;
	}
	c->t = *t;
	c->isn[0] = isn_a;
	c->isn[1] = isn_b;
	/* RFC 9293 section 3.5: the three-way handshake. The SYNs carry no
	 * option, MP_CAPABLE least of all: a reader must take this for
	 * plain TCP. */
	segment(sp, c, 0, isn_a, 0, TH_SYN, NULL, 0, at);
	segment(sp, c, 1, isn_b, isn_a + 1, TH_SYN | TH_ACK, NULL, 0, at);
	segment(sp, c, 0, isn_a + 1, isn_b + 1, TH_ACK, NULL, 0, at);
	return c;
}

/* Sequence number of stream offset off in direction dir: ISN + 1 + off,
 * modulo 2^32 (RFC 9293 section 3.4). */
static uint32_t seq_at(const struct mpx_sp_conn *c, int dir, uint64_t off)
{
	return c->isn[dir] + 1 + (uint32_t)off;
}

void mpx_single_path_data(struct mpx_single_path *sp, struct mpx_sp_conn *c,
			  int dir, uint64_t off, const uint8_t *buf, size_t len,
			  const struct mpx_origin *at)
{
	uint64_t acked, s;
	uint32_t ack;
	size_t done, n;

	if (!sp || !c || len == 0)
		return;
	dir = dir ? 1 : 0;
	/* Everything written the other way so far is acknowledged; and the
	 * ACK that ended the last call of this direction acknowledged all
	 * of it (hi). */
	ack = seq_at(c, !dir, c->hi[!dir]);
	acked = c->hi[dir];
	for (done = 0; done < len; done += n) {
		n = len - done < MPX_SP_MSS ? len - done : MPX_SP_MSS;
		s = off + done;
		/* RFC 9293 section 3.8.6: a sender keeps within the window
		 * the receiver offered (65535 here, nothing scales it). A
		 * segment past it is out of window, and a strict stream
		 * tracker (Suricata) drops it from its reassembly: so the
		 * other side first acknowledges what precedes the segment
		 * (a hole included, which is then acknowledged too). */
		if (s + n > acked + SP_WINDOW && s > acked) {
			segment(sp, c, !dir, ack, seq_at(c, dir, s), TH_ACK,
				NULL, 0, at);
			acked = s;
		}
		/* PSH on the last segment of the call, as a sender pushes
		 * the end of a write (RFC 9293 section 3.9.1.2). */
		segment(sp, c, dir, seq_at(c, dir, s), ack,
			done + n == len ? (TH_PSH | TH_ACK) : TH_ACK,
			buf + done, n, at);
	}
	/* An offset beyond hi is a hole: the sequence numbers jump by its
	 * length and nothing fills it. An offset below hi (bytes written
	 * again) leaves hi where it is. */
	if (off + len > c->hi[dir])
		c->hi[dir] = off + len;
	/* The other side acknowledges the call at once, as a receiver
	 * does: stream trackers that pass a direction's bytes on only once
	 * the receiver acknowledged them (Suricata in IDS mode) get them
	 * now rather than at the FIN, or never when the capture stops
	 * before it; tshark's analysis sees an ordinary ACK clock; and the
	 * next call starts with a whole window. */
	segment(sp, c, !dir, ack, seq_at(c, dir, c->hi[dir]), TH_ACK, NULL, 0,
		at);
}

void mpx_single_path_conn_close(struct mpx_single_path *sp,
				struct mpx_sp_conn *c, uint64_t end_a2b,
				uint64_t end_b2a, const struct mpx_origin *at)
{
	uint32_t fin_a, fin_b;

	if (!sp || !c) {
		free(c);
		return;
	}
	/* RFC 9293 section 3.6: each FIN takes the sequence number after
	 * its direction's last byte (holes at the end included), and is
	 * acknowledged with that number + 1. */
	fin_a = seq_at(c, 0, end_a2b);
	fin_b = seq_at(c, 1, end_b2a);
	segment(sp, c, 0, fin_a, fin_b, TH_FIN | TH_ACK, NULL, 0, at);
	segment(sp, c, 1, fin_b, fin_a + 1, TH_FIN | TH_ACK, NULL, 0, at);
	segment(sp, c, 0, fin_a + 1, fin_b + 1, TH_ACK, NULL, 0, at);
	free(c);
}
