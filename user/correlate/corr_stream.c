// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The data level (corr_stream.h; docs/design.md, "The data level").
 *
 * Per connection, made at its first mapping: one reassembler per direction
 * (user/stream/reassembly.h), its offsets counted from IDSN + 1 (RFC 8684
 * section 3.1; the first DSN seen when the keys were not), and per subflow
 * direction the DSS mappings (user/stream/dss_map.h) that turn its payload
 * into DSN-addressed bytes. Delivered bytes go to the consumers: the
 * --streams files (pwrite at the offset, so a hole stays a hole), the
 * --single-path capture and the --yara scanner.
 *
 * Direction: 0 = from side a (the connection's initiator) to b, as in the
 * file names .a2b / .b2a; a record's direction is its sender's side.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correlate/corr_internal.h"
#include "correlate/corr_stream.h"
#include "correlate/mptcp_crypto.h"
#include "stream/dss_map.h"
#include "stream/reassembly.h"
#include "stream/single_path.h"
#include "stream/yara_scan.h"

/* Out-of-order bytes one direction may hold ahead of a hole, within the
 * global memcap: a receive window's worth, as a receiver would. */
#define STREAM_OOO_MAX (4u << 20)
/* --streams descriptors kept open; past it each write opens and closes. */
#define STREAM_FILES_OPEN_MAX 256
/* --streams bytes gathered per direction before a write. */
#define STREAM_WBUF (64 * 1024)
/* Copies of bytes not delivered yet, kept for YARA's carriers until they
 * are; past it the oldest is forgotten (a match may then say split where a
 * copy on one subflow held it whole). */
#define STREAM_PENDING_COPIES 256

struct pending_copy {
	uint64_t off, len;
	int sf;
};

struct corr_dir {
	struct corr_conn_stream *cs;
	int dir;
	int started; /* reasm made */
	int refused; /* the memcap had no room for it */
	struct mpx_reasm reasm;
	size_t held; /* bytes charged to the memcap */
	int fd;	     /* --streams file, -1 */
	int file_made;
	struct mpx_yara_stream *yara;
	__u8 *wbuf; /* --streams: bytes at woff not written yet */
	size_t wlen;
	__u64 woff;
	struct pending_copy *copies; /* --yara: ring of STREAM_PENDING_COPIES */
	unsigned int ncopies;
};

struct corr_conn_stream {
	struct mpx_correlator *c;
	struct mpx_conn *conn;
	struct corr_dir d[2];
	/* Per subflow (the summary's index), per direction on it: [0] from
	 * its initiator, [1] from its responder. */
	struct mpx_dss_map *map[MPX_SUM_MAX_SUBFLOWS];
	int infinite_said[MPX_SUM_MAX_SUBFLOWS];
	struct mpx_sp_conn *sp;
	int sp_tried;
	int midstream_base; /* a direction based on its first DSN */
	const struct mpx_origin *now;
};

static int idsn_of(const struct mpx_conn *conn, int side, __u64 *idsn);

/* ---- consumers ---------------------------------------------------------- */

static void file_error(struct mpx_correlator *c, const char *path, int err)
{
	if (c->stream_write_failed++)
		return;
	fprintf(stderr,
		"mptcp-xdp: --streams: %s: %s (further errors not "
		"shown)\n",
		path, strerror(err));
}

static void file_path(const struct corr_dir *d, char *buf, size_t len)
{
	char id[17];

	mpx_conn_id_text(d->cs->conn, id);
	snprintf(buf, len, "%s/%s.%s", d->cs->c->streams.dir, id,
		 d->dir ? "b2a" : "a2b");
}

/* The direction's file, open: O_TRUNC the first time (a rerun into the
 * same directory starts the file again), not after. -1 on failure. */
static int file_fd(struct corr_dir *d)
{
	struct mpx_correlator *c = d->cs->c;
	char path[4096];
	int fd, flags = O_WRONLY | O_CREAT | O_CLOEXEC;

	if (d->fd >= 0)
		return d->fd;
	if (!d->file_made)
		flags |= O_TRUNC;
	file_path(d, path, sizeof(path));
	fd = open(path, flags, 0644);
	if (fd < 0) {
		file_error(c, path, errno);
		return -1;
	}
	d->file_made = 1;
	if (c->stream_files_open < STREAM_FILES_OPEN_MAX) {
		c->stream_files_open++;
		d->fd = fd;
	}
	return fd;
}

static void file_done(struct corr_dir *d, int fd)
{
	if (fd >= 0 && fd != d->fd)
		close(fd);
}

static void file_pwrite(struct corr_dir *d, __u64 off, const __u8 *buf,
			size_t len)
{
	int fd = file_fd(d);

	while (fd >= 0 && len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			char path[4096];

			file_path(d, path, sizeof(path));
			file_error(d->cs->c, path, n < 0 ? errno : ENOSPC);
			break;
		}
		buf += n;
		off += (__u64)n;
		len -= (size_t)n;
	}
	file_done(d, fd);
}

/* What the buffer holds, written. */
static void file_flush(struct corr_dir *d)
{
	if (d->wlen)
		file_pwrite(d, d->woff, d->wbuf, d->wlen);
	d->wlen = 0;
}

/*
 * The reassembler delivers in order, so a direction's file grows at its
 * end but for holes: bytes are gathered in a buffer and written in
 * STREAM_WBUF pieces (one system call per ~40 segments, not per segment);
 * a hole writes what is gathered and the next bytes land past it.
 */
static void file_write(struct corr_dir *d, __u64 off, const __u8 *buf,
		       size_t len)
{
	if (d->wlen && off != d->woff + d->wlen)
		file_flush(d);
	if (!d->wbuf && !(d->wbuf = malloc(STREAM_WBUF))) {
		file_pwrite(d, off, buf, len);
		return;
	}
	if (d->wlen + len > STREAM_WBUF)
		file_flush(d);
	if (len >= STREAM_WBUF) {
		file_pwrite(d, off, buf, len);
		return;
	}
	if (!d->wlen)
		d->woff = off;
	memcpy(d->wbuf + d->wlen, buf, len);
	d->wlen += len;
}

/* The file is as long as the stream: a hole at its end is zeros too. */
static void file_close(struct corr_dir *d)
{
	struct mpx_correlator *c = d->cs->c;
	int fd;

	if (!c->streams.dir || !d->started)
		return;
	file_flush(d);
	fd = file_fd(d);
	if (fd >= 0 && ftruncate(fd, (off_t)d->reasm.next) != 0) {
		char path[4096];

		file_path(d, path, sizeof(path));
		file_error(c, path, errno);
	}
	if (fd >= 0 && fd == d->fd)
		c->stream_files_open--;
	if (fd >= 0)
		close(fd);
	d->fd = -1;
}

/* The initial subflow's 4-tuple, a first, for the single-path capture;
 * the ISNs are the low halves of the IDSNs when the keys are known, so
 * that its sequence numbers are the data-level ones (byte i at ISN+1+i). */
static void sp_open(struct corr_conn_stream *cs)
{
	struct mpx_conn *conn = cs->conn;
	const struct mpx_subflow *sf = conn->nsf ? conn->sf[0] : NULL;
	struct mpx_sp_tuple t;
	__u32 isn[2];
	int a_is_init;

	if (cs->sp_tried || !cs->c->streams.sp || !sf)
		return;
	cs->sp_tried = 1;
	a_is_init = sf->init_side == 0;
	memset(&t, 0, sizeof(t));
	t.family = sf->key.family;
	memcpy(t.a_addr,
	       a_is_init ? mpx_sf_init_addr(sf) : mpx_sf_resp_addr(sf), 16);
	memcpy(t.b_addr,
	       a_is_init ? mpx_sf_resp_addr(sf) : mpx_sf_init_addr(sf), 16);
	t.a_port = a_is_init ? mpx_sf_init_port(sf) : mpx_sf_resp_port(sf);
	t.b_port = a_is_init ? mpx_sf_resp_port(sf) : mpx_sf_init_port(sf);
	/* Either direction may not have started yet (its first mapping
	 * comes later): the IDSN is known from the keys all the same. */
	for (int side = 0; side < 2; side++) {
		__u64 idsn = 0;

		if (!idsn_of(conn, side, &idsn) && cs->d[side].started)
			idsn = cs->d[side].reasm.base - 1;
		isn[side] = (__u32)idsn;
	}
	cs->sp = mpx_single_path_conn_open(cs->c->streams.sp, &t, isn[0],
					   isn[1], cs->now);
}

/* ---- the reassembler's callbacks -------------------------------------- */

/* Copies of bytes now delivered (below upto) go to YARA's carriers; the
 * rest wait. */
static void copies_apply(struct corr_dir *d, uint64_t upto)
{
	unsigned int i, n = 0;

	for (i = 0; i < d->ncopies; i++) {
		struct pending_copy *p = &d->copies[i];

		if (p->off < upto)
			mpx_yara_stream_copy(d->yara, p->off, p->len, p->sf);
		if (p->off + p->len > upto)
			d->copies[n++] = *p;
	}
	d->ncopies = n;
}

static void on_copy(void *arg, uint64_t off, uint64_t len, int sf)
{
	struct corr_dir *d = arg;

	if (!d->yara)
		return;
	if (off + len <= d->reasm.next) {
		mpx_yara_stream_copy(d->yara, off, len, sf);
		return;
	}
	if (!d->copies) {
		d->copies = calloc(STREAM_PENDING_COPIES, sizeof(*d->copies));
		if (!d->copies)
			return;
	}
	if (d->ncopies == STREAM_PENDING_COPIES) {
		/* Forget the oldest. */
		memmove(d->copies, d->copies + 1,
			(STREAM_PENDING_COPIES - 1) * sizeof(*d->copies));
		d->ncopies--;
	}
	d->copies[d->ncopies++] = (struct pending_copy){off, len, sf};
}

static void on_data(void *arg, uint64_t off, const uint8_t *buf, size_t len,
		    int sf)
{
	struct corr_dir *d = arg;
	struct corr_conn_stream *cs = d->cs;
	struct mpx_correlator *c = cs->c;

	c->stats.stream_bytes += len;
	if (c->streams.dir)
		file_write(d, off, buf, len);
	if (c->streams.sp) {
		sp_open(cs);
		mpx_single_path_data(c->streams.sp, cs->sp, d->dir, off, buf,
				     len, cs->now);
	}
	if (d->yara) {
		mpx_yara_stream_data(d->yara, off, buf, len, sf);
		copies_apply(d, off + len);
	}
}

static void on_gap(void *arg, uint64_t off, uint64_t len)
{
	struct corr_dir *d = arg;
	struct corr_conn_stream *cs = d->cs;

	cs->c->stats.stream_gap_bytes += len;
	corr_emit_data_gap(cs->c, cs->now, cs->conn, d->dir, off, len);
	if (d->yara)
		mpx_yara_stream_gap(d->yara, off, len);
}

static void on_mismatch(void *arg, uint64_t off, uint64_t len, int sf)
{
	struct corr_dir *d = arg;

	corr_emit_overlap_mismatch(d->cs->c, d->cs->now, d->cs->conn, d->dir,
				   off, len, sf);
}

static const struct mpx_reasm_ops reasm_ops = {
    .data = on_data,
    .gap = on_gap,
    .mismatch = on_mismatch,
    .copy = on_copy,
};

static void on_match(void *arg, const struct mpx_yara_match *m)
{
	struct corr_dir *d = arg;

	corr_emit_signature_match(d->cs->c, d->cs->now, d->cs->conn, d->dir,
				  m->rule, m->off, m->len, m->subflows,
				  m->split);
}

/* ---- memory ----------------------------------------------------------- */

/* What the direction holds now, charged to the global gauge. */
static void recharge(struct corr_dir *d)
{
	struct mpx_corr_stats *st = &d->cs->c->stats;
	size_t now = d->started ? MPX_REASM_HISTORY + d->reasm.ooo_bytes : 0;

	st->stream_memory = st->stream_memory - d->held + now;
	d->held = now;
}

/* Before bytes go in: the bytes this direction may buffer ahead of a hole
 * are what the memcap has left, so that many connections together stay
 * under it; past it the hole is given up as a gap, counted. */
static void set_ooo_budget(struct corr_dir *d)
{
	const struct mpx_correlator *c = d->cs->c;
	__u64 used = c->stats.stream_memory, cap = c->streams.memcap;
	__u64 room = used < cap ? cap - used : 0;

	room += d->reasm.ooo_bytes;
	d->reasm.lim.ooo_max = room < STREAM_OOO_MAX ? room : STREAM_OOO_MAX;
}

static void count_reasm(struct mpx_correlator *c, const struct mpx_reasm *r)
{
	c->stats.stream_reinjected_bytes += r->st.reinjected_bytes;
	c->stats.stream_depth_bytes += r->st.depth_bytes;
	c->stats.stream_ooo_overflow += r->st.ooo_overflow;
}

/* ---- making state ----------------------------------------------------- */

static int sf_index(const struct mpx_conn *conn, const struct mpx_subflow *sf)
{
	for (int i = 0; i < conn->nsf; i++)
		if (conn->sf[i] == sf)
			return i;
	return -1;
}

static struct corr_conn_stream *stream_of(struct mpx_correlator *c,
					  struct mpx_conn *conn)
{
	struct corr_conn_stream *cs = conn->stream;

	if (cs || conn->phase == MPX_CONN_CLOSED)
		return cs;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	cs->c = c;
	cs->conn = conn;
	for (int dir = 0; dir < 2; dir++) {
		cs->d[dir].cs = cs;
		cs->d[dir].dir = dir;
		cs->d[dir].fd = -1;
	}
	conn->stream = cs;
	return cs;
}

/* The IDSN of a side, when its key gave one (RFC 8684 section 3.1). */
static int idsn_of(const struct mpx_conn *conn, int side, __u64 *idsn)
{
	int v = conn->key_version[side];

	if (!conn->has_key[side] || !corr_verifiable(conn))
		return 0;
	/* As learn_key() (corr_handshake.c) had it: 0 for a version it
	 * made no token of. */
	*idsn = 0;
	if (v == 0 || v == 1)
		mpx_key_token_idsn(mpx_alg_of_version(v), conn->key[side], NULL,
				   idsn);
	return 1;
}

/* The direction's reassembler, from IDSN + 1, or from first_dsn when the
 * keys were never seen (a midstream connection). 0 when there is none. */
static int dir_start(struct corr_dir *d, __u64 first_dsn)
{
	struct corr_conn_stream *cs = d->cs;
	struct mpx_correlator *c = cs->c;
	struct mpx_reasm_limits lim = {
	    .depth = c->streams.depth ? c->streams.depth : UINT64_MAX,
	    .ooo_max = STREAM_OOO_MAX};
	__u64 idsn, base = first_dsn;

	if (d->started || d->refused)
		return d->started;
	if (idsn_of(cs->conn, d->dir, &idsn))
		base = idsn + 1;
	else
		cs->midstream_base = 1;
	if (c->stats.stream_memory + MPX_REASM_HISTORY > c->streams.memcap) {
		d->refused = 1;
		c->stats.streams_memcap++;
		return 0;
	}
	if (mpx_reasm_init(&d->reasm, base, &lim, &reasm_ops, d) != 0) {
		d->refused = 1;
		return 0;
	}
	d->started = 1;
	recharge(d);
	if (c->streams.yara)
		d->yara = mpx_yara_stream_new(c->streams.yara, on_match, d);
	return 1;
}

/* The mappings of subflow i in the direction from its initiator (fi 0)
 * or its responder (1). */
static struct mpx_dss_map *map_of(struct corr_conn_stream *cs, int i, int fi)
{
	const struct mpx_subflow *sf = cs->conn->sf[i];

	if (!cs->map[i]) {
		cs->map[i] = calloc(2, sizeof(*cs->map[i]));
		if (!cs->map[i])
			return NULL;
		for (int k = 0; k < 2; k++) {
			mpx_dss_map_init(&cs->map[i][k]);
			if (sf->have_syn_isn[k])
				mpx_dss_map_isn(&cs->map[i][k], sf->syn_isn[k]);
		}
	}
	return &cs->map[i][fi];
}

/* ---- records ------------------------------------------------------------ */

struct rec_at {
	struct corr_conn_stream *cs;
	struct corr_dir *d;
	struct mpx_dss_map *map;
	int i;	/* the subflow's index */
	int fi; /* 0: sent by the subflow's initiator */
};

static int rec_at(struct mpx_correlator *c, struct corr_rec *r,
		  struct rec_at *at)
{
	struct mpx_conn *conn = r->sf->conn;

	at->cs = stream_of(c, conn);
	if (!at->cs)
		return -1;
	at->i = sf_index(conn, r->sf);
	if (at->i < 0)
		return -1;
	at->fi = r->from_init ? 0 : 1;
	at->d = &at->cs->d[r->side];
	at->map = map_of(at->cs, at->i, at->fi);
	return at->map ? 0 : -1;
}

/*
 * A mapping: into the subflow direction's map (RFC 8684 section 3.3.1),
 * its direction started. A 4-byte DSN is the low half of the 64-bit one
 * nearest to where the stream is (RFC 8684 section 3.3).
 */
static void add_mapping(struct mpx_correlator *c, struct corr_rec *r,
			struct rec_at *at, __u64 dsn, int dsn8, __u32 ssn,
			__u16 data_len, int has_csum, __u16 csum, int data_fin)
{
	const struct mptcp_event *ev = r->ev;
	struct mpx_dss_mapping m;
	__u64 idsn;

	if (!dsn8) {
		if (at->d->started)
			dsn = mpx_dsn_expand(
			    at->d->reasm.base + at->d->reasm.next, (__u32)dsn);
		else if (idsn_of(at->cs->conn, r->side, &idsn))
			dsn = mpx_dsn_expand(idsn + 1, (__u32)dsn);
	}
	if (!at->map->have_isn && ev->payload_len) {
		/* No SYN seen (midstream): take the mapping to start with
		 * this packet's payload, as a sender's first segment of a
		 * mapping does. A guess, and the only one made. */
		mpx_dss_map_isn(at->map, ev->seq - ssn);
	}
	memset(&m, 0, sizeof(m));
	m.dsn = dsn;
	m.ssn = ssn;
	/* The DATA_FIN takes a DSN and no subflow byte (RFC 8684 section
	 * 3.3.3): the mapping covers one subflow byte less. */
	m.len =
	    data_len ? data_len - (data_fin ? 1u : 0u) : MPX_DSS_MAP_INFINITE;
	m.has_csum = has_csum;
	m.csum = csum;
	m.data_len = data_len;
	m.csum_bytes = data_len - (data_fin && data_len ? 1 : 0);
	if (!data_len && !at->cs->infinite_said[at->i]) {
		/* RFC 8684 section 3.3.1: the infinite mapping, a fallback
		 * to TCP on this subflow. */
		at->cs->infinite_said[at->i] = 1;
		corr_emit_mapping_anomaly(c, r->o, r->sf->conn,
					  MPX_ANOM_INFINITE_MAPPING, r->side,
					  at->i, dsn, ssn, 0);
	}
	if (mpx_dss_map_add(at->map, &m))
		corr_emit_mapping_anomaly(c, r->o, r->sf->conn,
					  MPX_ANOM_MAPPING_INCONSISTENT,
					  r->side, at->i, dsn, ssn, data_len);
	if (!dir_start(at->d, dsn))
		return;
	if (data_fin && data_len) {
		/* RFC 8684 section 3.3.3: the DATA_FIN is the mapping's
		 * last DSN, and takes no byte. */
		mpx_reasm_fin(&at->d->reasm, dsn + data_len - 1);
	}
}

void corr_stream_record(struct mpx_correlator *c, struct corr_rec *r)
{
	const struct mptcp_event *ev = r->ev;
	struct rec_at at;
	__u64 idsn;

	/* A connection that fell back is plain TCP (RFC 8684 section 3.1):
	 * its frames are the stream, whatever options came after. */
	if (!c->streams.on || !r->sf || r->sf->conn->phase == MPX_CONN_CLOSED ||
	    r->sf->conn->fallback)
		return;
	if (ev->tcp_flags & MPX_TCP_SYN) {
		int k = r->from_init ? 0 : 1;

		r->sf->syn_isn[k] = ev->seq;
		r->sf->have_syn_isn[k] = 1;
		if (r->sf->conn->stream) {
			int i = sf_index(r->sf->conn, r->sf);

			if (i >= 0 && r->sf->conn->stream->map[i])
				mpx_dss_map_isn(&r->sf->conn->stream->map[i][k],
						ev->seq);
		}
		return;
	}
	if (ev->kind == MPX_EV_DSS && ev->u.dss.has_map) {
		const struct mpx_ev_dss *dss = &ev->u.dss;

		if (rec_at(c, r, &at) < 0)
			return;
		at.cs->now = r->o;
		add_mapping(c, r, &at, dss->dsn, dss->dsn8, dss->ssn,
			    dss->data_len, dss->has_checksum, dss->checksum,
			    dss->data_fin);
	} else if (ev->kind == MPX_EV_MP_CAPABLE &&
		   ev->u.capable.has_data_len) {
		/* RFC 8684 section 3.1: a v1 MP_CAPABLE with data maps it
		 * implicitly from IDSN + 1 at subflow sequence number 1. */
		if (!idsn_of(r->sf->conn, r->side, &idsn) ||
		    rec_at(c, r, &at) < 0)
			return;
		at.cs->now = r->o;
		add_mapping(c, r, &at, idsn + 1, 1, 1, ev->u.capable.data_len,
			    ev->u.capable.has_checksum, ev->u.capable.checksum,
			    0);
	}
}

void mpx_corr_payload(struct mpx_correlator *c, const struct mpx_origin *o,
		      const struct mptcp_event *hdr, const __u8 *buf,
		      size_t len)
{
	struct corr_rec r = {.ev = hdr, .o = o};
	struct mpx_dss_feed_result res;
	struct corr_conn_stream *cs;
	struct rec_at at;

	if (!c->streams.on || !len)
		return;
	mpx_conn_table_key_of(hdr, &r.key);
	corr_rec_bind(&r, mpx_conn_table_find_subflow(c->table, &r.key));
	if (!r.sf || !(cs = r.sf->conn->stream) ||
	    r.sf->conn->phase == MPX_CONN_CLOSED || r.sf->conn->fallback)
		return; /* no mapping yet: nothing says where it goes */
	if (rec_at(c, &r, &at) < 0 || !at.d->started) {
		c->stats.stream_unmapped_bytes += len;
		return;
	}
	cs->now = o;
	set_ooo_budget(at.d);
	mpx_dss_map_feed(at.map, &at.d->reasm, hdr->seq + hdr->u.payload.offset,
			 buf, len, at.i, &res);
	recharge(at.d);
	c->stats.stream_unmapped_bytes += res.unmapped;
	c->stats.dss_checksums_ok += (__u64)res.csum_ok;
	if (res.csum_bad)
		corr_emit_mapping_anomaly(
		    c, o, cs->conn, MPX_ANOM_DSS_CHECKSUM_INVALID, r.side, at.i,
		    res.bad.dsn, res.bad.ssn, res.bad.data_len);
}

int mpx_corr_stream_owns(struct mpx_correlator *c,
			 const struct mptcp_event *hdr)
{
	struct mpx_flow_key key;
	struct mpx_subflow *sf;

	if (!c->streams.on)
		return 0;
	mpx_conn_table_key_of(hdr, &key);
	sf = mpx_conn_table_find_subflow(c->table, &key);
	/* A connection that fell back to TCP is TCP: its frames are. */
	if (!sf || sf->conn->fallback)
		return 0;
	return sf->role == MPX_SF_INITIAL ? 1 : 2;
}

/* ---- the end ------------------------------------------------------------ */

static void free_stream(struct corr_conn_stream *cs)
{
	for (int dir = 0; dir < 2; dir++) {
		struct corr_dir *d = &cs->d[dir];

		/* Cut short (no summary): what was delivered is still kept. */
		if (cs->c->streams.dir)
			file_flush(d);
		free(d->wbuf);
		if (d->fd >= 0) {
			close(d->fd);
			cs->c->stream_files_open--;
		}
		mpx_yara_stream_free(d->yara);
		free(d->copies);
		if (d->started) {
			count_reasm(cs->c, &d->reasm);
			mpx_reasm_free(&d->reasm);
			d->started = 0;
			recharge(d);
		}
	}
	for (int i = 0; i < MPX_SUM_MAX_SUBFLOWS; i++)
		free(cs->map[i]);
	cs->conn->stream = NULL;
	free(cs);
}

void corr_stream_close(struct mpx_correlator *c, struct mpx_conn *conn,
		       const struct mpx_origin *o, struct mpx_conn_summary *s)
{
	struct corr_conn_stream *cs = conn->stream;
	__u64 end[2] = {0, 0};

	if (!c->streams.on)
		return;
	s->has_data = 1;
	if (!cs)
		return;
	cs->now = o;
	for (int dir = 0; dir < 2; dir++) {
		struct corr_dir *d = &cs->d[dir];
		const struct mpx_reasm_stats *st = &d->reasm.st;

		if (!d->started)
			continue;
		mpx_reasm_flush(&d->reasm);
		if (d->yara)
			mpx_yara_stream_flush(d->yara);
		file_close(d);
		end[dir] = d->reasm.next;
		s->data[dir].data_bytes = st->data_bytes;
		s->data[dir].gap_bytes = st->gap_bytes;
		s->data[dir].reinjected_bytes = st->reinjected_bytes;
		s->data[dir].depth_bytes = st->depth_bytes;
	}
	if (cs->sp)
		mpx_single_path_conn_close(c->streams.sp, cs->sp, end[0],
					   end[1], o);
	cs->sp = NULL;
	free_stream(cs);
}

void corr_stream_discard(struct mpx_conn *conn)
{
	struct corr_conn_stream *cs = conn->stream;

	if (!cs)
		return;
	if (cs->sp)
		mpx_single_path_conn_close(cs->c->streams.sp, cs->sp,
					   cs->d[0].reasm.next,
					   cs->d[1].reasm.next, cs->now);
	free_stream(cs);
}

void mpx_corr_set_streams(struct mpx_correlator *c,
			  const struct mpx_stream_opts *o)
{
	c->streams = *o;
	if (!c->streams.memcap)
		c->streams.memcap = UINT64_MAX;
}
