// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * The built BPF object under BPF_PROG_TEST_RUN, in the manner of the
 * kernel's selftests/bpf: load it from its skeleton with a configuration
 * in rodata, run crafted frames (tests/packet_builder.c) through the XDP
 * and TC programs, and assert the ring buffer records field by field and
 * the per-CPU counters summed over every possible CPU.
 *
 * Then the same frames through the host engine (user/engine/engine_host.c, the
 * parser compiled for userspace): records and counters must be identical,
 * byte for byte but for the three fields that say where a record was made
 * (ts_ns, ifindex, hook).
 *
 * Needs root (CAP_BPF + CAP_NET_ADMIN). Without it the tests skip, except
 * with CI=true, where a skip is a failure.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine/bpf_object.h"
#include "engine/engine.h"
#include "mptcp_xdp.skel.h"

#include "output/counters_report.h"
#include "packet_builder.h"
#include "record_check.h"
#include "ring_record.h"
#include "test_harness.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's, not in userspace errno.h */
#endif

#define XDP_PASS_RC	 2	     /* enum xdp_action XDP_PASS */
#define TC_ACT_UNSPEC_RC 0xffffffffu /* (u32)-1 */
#define MAX_RECS	 4096

/* Records about subflows need the flow table: most tests leave them out
 * so that counters are those of the frames alone. */
#define SUBFLOW_KINDS                                                          \
	(MPX_KIND_BIT(MPX_EV_SUBFLOW_FIN) | MPX_KIND_BIT(MPX_EV_SUBFLOW_RST) | \
	 MPX_KIND_BIT(MPX_EV_FALLBACK))

static const struct mpx_config CFG_OPTS = {
    .emit_mask = MPX_EMIT_ALL_KINDS & ~SUBFLOW_KINDS,
    .dss_policy = MPX_DSS_ALL,
    .dss_sample_n = 1,
};

static const struct mpx_config CFG_EVERYTHING = {
    .emit_mask = MPX_EMIT_ALL_KINDS,
    .dss_policy = MPX_DSS_ALL,
    .dss_sample_n = 1,
};

/* ---- fixture: the loaded skeleton and its ring buffer ----------------- */

struct fx {
	struct mptcp_xdp *skel;
	struct ring_buffer *rb;
	struct mptcp_event rec[MAX_RECS];
	int nrec;
	size_t size[MAX_RECS]; /* each record's in the ring */
	int bad_size;	       /* records not of their kind's size */
	/* Payload records' bytes, in the order they came, one after the
	 * other (their headers are in rec[] like any record's). */
	uint8_t payload[8192];
	size_t npayload;
};

static struct fx FX;

static int on_record(void *ctx, void *data, size_t size)
{
	struct fx *f = ctx;
	struct mptcp_event ev;
	const uint8_t *bytes;

	/* Only as long as its kind needs; a payload record, then its
	 * bytes. */
	if (mpx_ring_record_widen(data, size, &ev, &bytes) < 0) {
		f->bad_size++;
		return 0;
	}
	if (ev.kind == MPX_EV_PAYLOAD) {
		size_t n = ev.u.payload.len;

		if (f->npayload + n <= sizeof(f->payload)) {
			memcpy(f->payload + f->npayload, bytes, n);
			f->npayload += n;
		}
	}
	if (f->nrec < MAX_RECS) {
		f->rec[f->nrec] = ev;
		f->size[f->nrec] = size;
	}
	f->nrec++;
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* The verifier log only when asked (MPTCP_XDP_DEBUG=1). */
	if (level == LIBBPF_DEBUG || !getenv("MPTCP_XDP_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

#define NEED_ROOT()                                                            \
	do {                                                                   \
		if (geteuid() != 0)                                            \
			SKIP("needs root (CAP_BPF + CAP_NET_ADMIN) for "       \
			     "BPF_PROG_TEST_RUN");                             \
	} while (0)

static void fx_close(struct fx *f)
{
	ring_buffer__free(f->rb);
	mptcp_xdp__destroy(f->skel);
	f->rb = NULL;
	f->skel = NULL;
}

static int fx_open(struct fx *f, const struct mpx_config *cfg)
{
	int err;

	libbpf_set_print(libbpf_print);
	memset(f, 0, sizeof(*f));
	f->skel = mptcp_xdp__open();
	if (!f->skel) {
		CHECK(0, "mptcp_xdp__open: %s", strerror(errno));
		return -1;
	}
	f->skel->rodata->mpx_cfg = *cfg;
	err = mptcp_xdp__load(f->skel);
	if (err) {
		CHECK(0,
		      "mptcp_xdp__load: %s (MPTCP_XDP_DEBUG=1 shows the "
		      "verifier log)",
		      strerror(-err));
		fx_close(f);
		return -1;
	}
	f->rb = ring_buffer__new(bpf_map__fd(f->skel->maps.events), on_record,
				 f, NULL);
	if (!f->rb) {
		CHECK(0, "ring_buffer__new: %s", strerror(errno));
		fx_close(f);
		return -1;
	}
	return 0;
}

/* One frame through prog; the records it made are appended to f->rec.
 * Returns the program's return code, or -errno of the test run. */
static long fx_run_prog(struct fx *f, const struct bpf_program *prog,
			const void *frame, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = 1);
	int r;

	r = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (r < 0)
		return -errno;
	r = ring_buffer__consume(f->rb);
	CHECK(r >= 0, "ring_buffer__consume: %d", r);
	return (long)opts.retval;
}

static void fx_run_xdp(struct fx *f, const void *frame, size_t len)
{
	long rc = fx_run_prog(f, f->skel->progs.mptcp_xdp, frame, len);

	CHECK(rc == XDP_PASS_RC, "XDP test run returned %ld, want XDP_PASS",
	      rc);
}

/* Per-CPU counters, summed over every possible CPU. */
static void fx_counters(struct fx *f, __u64 *out)
{
	int r;

	memset(out, 0, sizeof(__u64) * MPX_CTR_MAX);
	r = mpx_bpf_read_counters(bpf_map__fd(f->skel->maps.counters), out);
	CHECK(r == 0, "counters read: %s", strerror(errno));
}

/* ---- expectations ----------------------------------------------------- */

static void fx_check_counters(struct fx *f, const struct ctr_want *w, size_t nw)
{
	__u64 got[MPX_CTR_MAX];

	fx_counters(f, got);
	check_counters(got, w, nw);
}

static int case_saved;
#define CASE_BEGIN()                                                           \
	do {                                                                   \
		case_saved = mpx_test_failed_now;                              \
		mpx_test_failed_now = 0;                                       \
	} while (0)
#define CASE_END(...)                                                          \
	do {                                                                   \
		if (mpx_test_failed_now) {                                     \
			fprintf(stderr, "  ^ in case: ");                      \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
		mpx_test_failed_now |= case_saved;                             \
	} while (0)

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* The record a frame built from s should give; the union is zero.
 * ts_ns is not compared (checked against the clock separately). */
static void want_init(struct mptcp_event *w, const struct pb_spec *s, __u8 kind,
		      __u8 hook, __u8 sub, __u8 opt_len, __u8 version,
		      __u8 index)
{
	want_from_spec(w, s, kind, hook, if_nametoindex("lo"), sub, opt_len,
		       version, index);
}

/* Field by field, then every byte (padding included) but ts_ns, which
 * must lie between t0 and now (bpf_ktime_get_ns is CLOCK_MONOTONIC). */
static void check_record(const struct mptcp_event *g,
			 const struct mptcp_event *w, __u64 t0)
{
	CHECK(g->ts_ns >= t0 && g->ts_ns <= mono_ns(),
	      "ts_ns %llu not within the test run",
	      (unsigned long long)g->ts_ns);
	check_record_fields(g, w);
}

/* ---- frames ----------------------------------------------------------- */

static uint8_t FRAME[PB_MAX_FRAME];
static size_t FLEN;
static struct pb_layout LAY;

static int build(const struct pb_spec *s)
{
	FLEN = pb_build(s, FRAME, sizeof(FRAME), &LAY);
	CHECK(FLEN > 0, "the builder refused the spec");
	return FLEN > 0 ? 0 : -1;
}

static void spec_v4(struct pb_spec *s)
{
	pb_init_v4(s, "198.18.0.1", 40000, "198.18.1.2", 8080);
}

static void spec_v6(struct pb_spec *s)
{
	pb_init_v6(s, "2001:db8::1", 40000, "2001:db8:1::2", 8080);
}

#define KEY_A 0x61e1d0065542809bULL
#define KEY_B 0x4d4c52a7e86df770ULL
#define BIG64 0x1122334455667788ULL
#define DSN64 0x99aabbccddeeff00ULL
static const uint8_t ADDR4[4] = {198, 18, 0, 7};
static const uint8_t ADDR6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				  0,	0,    0,    0,	  0, 0, 0, 7};

/* ====================================================================== */
/* Crafted frames through the XDP program.                                */
/* ====================================================================== */

/* The object loads with a configuration and has what the loader needs. */
TEST(skeleton_loads_with_config)
{
	struct mpx_config cfg = CFG_OPTS;

	NEED_ROOT();
	cfg.dss_policy = MPX_DSS_SAMPLE;
	cfg.dss_sample_n = 7;
	if (fx_open(&FX, &cfg) < 0)
		return;
	ASSERT_EQ(FX.skel->rodata->mpx_cfg.emit_mask, cfg.emit_mask);
	ASSERT_EQ(FX.skel->rodata->mpx_cfg.dss_sample_n, 7);
	ASSERT_EQ(bpf_map__max_entries(FX.skel->maps.counters), 1);
	ASSERT_EQ(bpf_map__value_size(FX.skel->maps.counters),
		  sizeof(struct mpx_counters));
	CHECK(bpf_program__fd(FX.skel->progs.mptcp_xdp) >= 0, "no XDP prog");
	CHECK(bpf_program__fd(FX.skel->progs.mptcp_tc_egress) >= 0,
	      "no TC egress prog");
	fx_close(&FX);
}

/* IPv4 SYN with MP_CAPABLE v1 (RFC 8684 section 3.1), among the usual
 * SYN options. */
TEST(xdp_ipv4_mp_capable_syn)
{
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec s;
	__u64 t0;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	spec_v4(&s);
	s.tcp_flags = PB_TCP_SYN;
	pb_tcp_opt(&s, o, pb_opt_mss(o, 1460));
	pb_tcp_opt(&s, o, pb_opt_sack_perm(o));
	pb_tcp_opt(&s, o, pb_opt_ts(o, 1, 0));
	pb_tcp_nop(&s);
	pb_tcp_opt(&s, o, pb_opt_ws(o, 7));
	pb_tcp_opt(&s, o,
		   pb_mp_capable(o, 1, 4, MPX_CAP_A | MPX_CAP_H, 0, 0, 0, 0));
	build(&s);
	t0 = mono_ns();
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 1);
	ASSERT_EQ(FX.bad_size, 0);
	want_init(&w, &s, MPX_EV_MP_CAPABLE, MPX_HOOK_XDP, 0, 4, 1, 0);
	w.u.capable.flags = MPX_CAP_A | MPX_CAP_H;
	if (FX.nrec >= 1)
		check_record(&FX.rec[0], &w, t0);
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 1}, {MPX_CTR_IPV4, 1}, {MPX_CTR_TCP, 1},
		      {MPX_CTR_MPTCP_PACKETS, 1}, {MPX_CTR_MPTCP_OPTIONS, 1},
		      {MPX_CTR_OPT_MP_CAPABLE, 1}, {MPX_CTR_OPT_VERSION_1, 1},
		      {MPX_CTR_RECORDS, 1}));
	fx_close(&FX);
}

/* IPv6 with hop-by-hop and destination options headers (RFC 8200
 * section 4), a full DSS (RFC 8684 section 3.3): 8-byte Data ACK and DSN,
 * checksum, DATA_FIN. */
TEST(xdp_ipv6_ext_headers_dss)
{
	struct pb_dss d = {PB_DSS_A | PB_DSS_a | PB_DSS_M | PB_DSS_m | PB_DSS_F,
			   BIG64,
			   DSN64,
			   0x01020304,
			   501,
			   1,
			   0xbeef};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec s;
	__u64 t0;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	spec_v6(&s);
	pb_add_ext(&s, PB_EXT_HOPOPTS, 8);
	pb_add_ext(&s, PB_EXT_DSTOPTS, 16);
	s.tcp_flags = PB_TCP_ACK | PB_TCP_PSH | PB_TCP_FIN;
	s.payload_len = 500;
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	build(&s);
	t0 = mono_ns();
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 1);
	want_init(&w, &s, MPX_EV_DSS, MPX_HOOK_XDP, 2, 28, MPX_VERSION_UNKNOWN,
		  0);
	w.u.dss.flags = d.flags;
	w.u.dss.has_ack = w.u.dss.has_map = w.u.dss.has_checksum = 1;
	w.u.dss.data_fin = w.u.dss.ack8 = w.u.dss.dsn8 = 1;
	w.u.dss.data_ack = BIG64;
	w.u.dss.dsn = DSN64;
	w.u.dss.ssn = 0x01020304;
	w.u.dss.data_len = 501;
	w.u.dss.checksum = 0xbeef;
	if (FX.nrec >= 1)
		check_record(&FX.rec[0], &w, t0);
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 1}, {MPX_CTR_IPV6, 1}, {MPX_CTR_TCP, 1},
		      {MPX_CTR_MPTCP_PACKETS, 1}, {MPX_CTR_MPTCP_OPTIONS, 1},
		      {MPX_CTR_OPT_DSS, 1}, {MPX_CTR_RECORDS, 1}));
	fx_close(&FX);
}

/* One 802.1Q tag (IPv4, ADD_ADDR v1 with port and HMAC, RFC 8684 section
 * 3.4.1) and two tags, 802.1ad outside 802.1Q (IPv6, MP_JOIN SYN, section
 * 3.2). */
TEST(xdp_vlan_one_and_two_tags)
{
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec s;
	__u64 t0;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	spec_v4(&s);
	pb_add_vlan(&s, PB_TPID_8021Q, 100);
	pb_tcp_opt(&s, o,
		   pb_mp_add_addr_v1(o, 4, 0, 1, ADDR4, 1, 8443,
				     0x33e01feed95bf044ULL));
	build(&s);
	t0 = mono_ns();
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 1);
	want_init(&w, &s, MPX_EV_ADD_ADDR, MPX_HOOK_XDP, 3, 18, 1, 0);
	w.u.add_addr.version = 1;
	w.u.add_addr.addr_id = 1;
	w.u.add_addr.family = 4;
	memcpy(w.u.add_addr.addr, ADDR4, 4);
	w.u.add_addr.has_port = 1;
	w.u.add_addr.port = 8443;
	w.u.add_addr.has_hmac = 1;
	w.u.add_addr.hmac = 0x33e01feed95bf044ULL;
	if (FX.nrec >= 1)
		check_record(&FX.rec[0], &w, t0);

	spec_v6(&s);
	pb_add_vlan(&s, PB_TPID_8021AD, 10);
	pb_add_vlan(&s, PB_TPID_8021Q, 20);
	s.tcp_flags = PB_TCP_SYN;
	pb_tcp_opt(&s, o, pb_mp_join_syn(o, 1, 2, 0xc56050ed, 0x34acc972));
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 2);
	want_init(&w, &s, MPX_EV_MP_JOIN, MPX_HOOK_XDP, 1, 12,
		  MPX_VERSION_UNKNOWN, 0);
	w.u.join.stage = MPX_JOIN_SYN;
	w.u.join.backup = 1;
	w.u.join.addr_id = 2;
	w.u.join.token = 0xc56050ed;
	w.u.join.nonce = 0x34acc972;
	if (FX.nrec >= 2)
		check_record(&FX.rec[1], &w, t0);
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 2}, {MPX_CTR_IPV4, 1},
		      {MPX_CTR_IPV6, 1}, {MPX_CTR_VLAN, 2}, {MPX_CTR_TCP, 2},
		      {MPX_CTR_MPTCP_PACKETS, 2}, {MPX_CTR_MPTCP_OPTIONS, 2},
		      {MPX_CTR_OPT_ADD_ADDR, 1}, {MPX_CTR_OPT_MP_JOIN, 1},
		      {MPX_CTR_OPT_VERSION_1, 1}, {MPX_CTR_RECORDS, 2}));
	fx_close(&FX);
}

/* DSS then ADD_ADDR v0 IPv6 in one segment: two records, in order. */
TEST(xdp_two_options_two_records)
{
	struct pb_dss d = {PB_DSS_A | PB_DSS_M, 1000, 2000, 1, 0, 0, 0};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec s;
	__u64 t0;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	spec_v4(&s);
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	pb_tcp_opt(&s, o, pb_mp_add_addr_v0(o, 6, 4, ADDR6, 0, 0));
	build(&s);
	t0 = mono_ns();
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 2);
	/* In the ring each is as long as its kind needs: the 72-byte
	 * common part and a 32-byte body. */
	ASSERT_EQ(FX.bad_size, 0);
	ASSERT_EQ(FX.size[0], 104);
	ASSERT_EQ(FX.size[1], 104);
	want_init(&w, &s, MPX_EV_DSS, MPX_HOOK_XDP, 2, 18, MPX_VERSION_UNKNOWN,
		  0);
	w.u.dss.flags = d.flags;
	w.u.dss.has_ack = w.u.dss.has_map = 1;
	w.u.dss.data_ack = 1000;
	w.u.dss.dsn = 2000;
	w.u.dss.ssn = 1;
	if (FX.nrec >= 1)
		check_record(&FX.rec[0], &w, t0);
	want_init(&w, &s, MPX_EV_ADD_ADDR, MPX_HOOK_XDP, 3, 20, 0, 1);
	w.u.add_addr.version = 0;
	w.u.add_addr.addr_id = 4;
	w.u.add_addr.family = 6;
	memcpy(w.u.add_addr.addr, ADDR6, 16);
	if (FX.nrec >= 2)
		check_record(&FX.rec[1], &w, t0);
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 1}, {MPX_CTR_IPV4, 1}, {MPX_CTR_TCP, 1},
		      {MPX_CTR_MPTCP_PACKETS, 1}, {MPX_CTR_MPTCP_OPTIONS, 2},
		      {MPX_CTR_OPT_DSS, 1}, {MPX_CTR_OPT_ADD_ADDR, 1},
		      {MPX_CTR_OPT_VERSION_0, 1}, {MPX_CTR_RECORDS, 2}));
	fx_close(&FX);
}

/* Frames that make no record: UDP, ICMP, ICMPv6, ARP, TCP without MPTCP
 * options, an IPv4 later fragment. */
TEST(xdp_non_tcp_and_plain_tcp)
{
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct pb_spec s;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	spec_v4(&s);
	s.l4_proto = PB_IPPROTO_UDP;
	s.payload_len = 30;
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	spec_v4(&s);
	s.l4_proto = PB_IPPROTO_ICMP;
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	spec_v6(&s);
	s.l4_proto = PB_IPPROTO_ICMPV6;
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	spec_v4(&s);
	s.ethertype = PB_ETH_P_ARP;
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	spec_v6(&s);
	pb_tcp_opt(&s, o, pb_opt_ts(o, 1, 2));
	s.payload_len = 1000;
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	spec_v4(&s);
	s.ip_frag = 0x2000 | 100;
	pb_tcp_opt(&s, o, pb_mp_fail(o, 1));
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 0);
	fx_check_counters(&FX, CTRS({MPX_CTR_PACKETS, 6}, {MPX_CTR_IPV4, 3},
				    {MPX_CTR_IPV6, 2}, {MPX_CTR_NON_TCP, 3},
				    {MPX_CTR_NON_IP, 1}, {MPX_CTR_TCP, 1},
				    {MPX_CTR_IP_LATER_FRAGMENT, 1}));
	fx_close(&FX);
}

/* Truncated frames: each header cut in turn, and a capture that ends
 * inside an MPTCP option (an mp_error record, RFC 8684 section 3). */
TEST(xdp_truncated_frames)
{
	struct pb_dss d = {PB_DSS_A | PB_DSS_M, 1, 2, 3, 4, 0, 0};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec s;
	__u64 t0;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	/* 802.1Q tag cut: 16 of 18 bytes */
	spec_v4(&s);
	pb_add_vlan(&s, PB_TPID_8021Q, 5);
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	build(&s);
	fx_run_xdp(&FX, FRAME, 16);
	/* IPv4 header cut */
	spec_v4(&s);
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	build(&s);
	fx_run_xdp(&FX, FRAME, LAY.l3 + 12);
	/* IPv6 header cut */
	spec_v6(&s);
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	build(&s);
	fx_run_xdp(&FX, FRAME, LAY.l3 + 30);
	/* TCP header cut */
	spec_v4(&s);
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	build(&s);
	fx_run_xdp(&FX, FRAME, LAY.l4 + 19);
	/* TCP data offset 4 */
	FRAME[LAY.l4 + 12] = 0x40;
	fx_run_xdp(&FX, FRAME, FLEN);
	/* MPTCP option cut by the capture: 10 of its 18 bytes */
	build(&s);
	t0 = mono_ns();
	fx_run_xdp(&FX, FRAME, LAY.opts + 10);
	ASSERT_EQ(FX.nrec, 1);
	want_init(&w, &s, MPX_EV_MP_ERROR, MPX_HOOK_XDP, 2, 18,
		  MPX_VERSION_UNKNOWN, 0);
	w.error = MPX_ERR_OPT_TRUNCATED;
	if (FX.nrec >= 1)
		check_record(&FX.rec[0], &w, t0);
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 6}, {MPX_CTR_IPV4, 3}, {MPX_CTR_TCP, 1},
		      {MPX_CTR_ERR_TRUNC_L2, 1}, {MPX_CTR_ERR_TRUNC_L3, 2},
		      {MPX_CTR_ERR_TRUNC_L4, 1}, {MPX_CTR_ERR_BAD_TCP_DOFF, 1},
		      {MPX_CTR_MPTCP_PACKETS, 1}, {MPX_CTR_MPTCP_OPTIONS, 1},
		      {MPX_CTR_OPT_DSS, 1}, {MPX_CTR_ERR_OPT_TRUNCATED, 1},
		      {MPX_CTR_RECORDS, 1}));
	fx_close(&FX);
}

/* mp_error records from the kernel side: illegal length (RFC 8684
 * section 3.2), unassigned subtype (section 7.2), option length 0. */
TEST(xdp_mp_error_records)
{
	static const struct {
		uint8_t len, sub, err;
	} cases[] = {
	    {11, PB_MP_JOIN, MPX_ERR_BAD_LENGTH},
	    {12, 12, MPX_ERR_UNKNOWN_SUBTYPE},
	    {0, 0, MPX_ERR_OPT_LEN_INVALID},
	};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec s;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u64 t0;
		int before = FX.nrec;

		CASE_BEGIN();
		spec_v4(&s);
		pb_tcp_opt(&s, o,
			   pb_mp_raw(o, cases[i].len, cases[i].sub, 0, 0));
		build(&s);
		t0 = mono_ns();
		fx_run_xdp(&FX, FRAME, FLEN);
		ASSERT_EQ(FX.nrec - before, 1);
		want_init(&w, &s, MPX_EV_MP_ERROR, MPX_HOOK_XDP,
			  cases[i].len ? cases[i].sub : MPX_SUBTYPE_UNKNOWN,
			  cases[i].len, MPX_VERSION_UNKNOWN, 0);
		w.error = cases[i].err;
		if (FX.nrec > before) {
			check_record(&FX.rec[before], &w, t0);
			ASSERT_EQ(FX.size[before], 72); /* no body */
		}
		CASE_END("mp_error length %u subtype %u", cases[i].len,
			 cases[i].sub);
	}
	fx_check_counters(
	    &FX,
	    CTRS({MPX_CTR_PACKETS, 3}, {MPX_CTR_IPV4, 3}, {MPX_CTR_TCP, 3},
		 {MPX_CTR_MPTCP_PACKETS, 3}, {MPX_CTR_MPTCP_OPTIONS, 3},
		 {MPX_CTR_OPT_MP_JOIN, 1}, {MPX_CTR_OPT_UNKNOWN_SUBTYPE, 1},
		 {MPX_CTR_ERR_BAD_LENGTH, 1}, {MPX_CTR_ERR_UNKNOWN_SUBTYPE, 1},
		 {MPX_CTR_ERR_OPT_LEN_INVALID, 1}, {MPX_CTR_RECORDS, 3}));
	fx_close(&FX);
}

/* emit_mask in rodata: a kind switched off makes no record, is counted. */
TEST(xdp_emit_mask_kind_disabled)
{
	struct mpx_config cfg = CFG_OPTS;
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct pb_spec s;

	NEED_ROOT();
	cfg.emit_mask &= ~MPX_KIND_BIT(MPX_EV_MP_PRIO);
	if (fx_open(&FX, &cfg) < 0)
		return;
	spec_v4(&s);
	pb_tcp_opt(&s, o, pb_mp_prio(o, 1, 0, 0));
	pb_tcp_opt(&s, o, pb_mp_tcprst(o, PB_RST_T, 5));
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 1);
	if (FX.nrec >= 1) {
		ASSERT_EQ(FX.rec[0].kind, MPX_EV_MP_TCPRST);
		ASSERT_EQ(FX.rec[0].opt_index, 1);
		ASSERT_EQ(FX.rec[0].u.tcprst.flags, PB_RST_T);
		ASSERT_EQ(FX.rec[0].u.tcprst.reason, 5);
	}
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 1}, {MPX_CTR_IPV4, 1}, {MPX_CTR_TCP, 1},
		      {MPX_CTR_MPTCP_PACKETS, 1}, {MPX_CTR_MPTCP_OPTIONS, 2},
		      {MPX_CTR_OPT_MP_PRIO, 1}, {MPX_CTR_OPT_MP_TCPRST, 1},
		      {MPX_CTR_KIND_DISABLED, 1}, {MPX_CTR_RECORDS, 1}));
	fx_close(&FX);
}

/* Run the test on one CPU, so that per-CPU state (the DSS sample count)
 * is the one a single-counter model predicts. */
static int pin_to_this_cpu(cpu_set_t *old)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(*old), old) < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

/* DSS policy sample:3 (include/mptcp_config.h): the 1st, 4th, 7th DSS. */
TEST(xdp_dss_sample)
{
	struct mpx_config cfg = CFG_OPTS;
	struct pb_dss d = {PB_DSS_M, 0, 10, 1, 1, 0, 0};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct pb_spec s;
	cpu_set_t old;

	NEED_ROOT();
	if (pin_to_this_cpu(&old) < 0) {
		CHECK(0, "cannot pin to a CPU: %s", strerror(errno));
		return;
	}
	cfg.dss_policy = MPX_DSS_SAMPLE;
	cfg.dss_sample_n = 3;
	if (fx_open(&FX, &cfg) == 0) {
		spec_v4(&s);
		pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
		build(&s);
		for (int i = 0; i < 7; i++) {
			FRAME[LAY.l4 + 7] = (uint8_t)i; /* seq low byte */
			fx_run_xdp(&FX, FRAME, FLEN);
		}
		ASSERT_EQ(FX.nrec, 3);
		for (int r = 0; r < FX.nrec && r < 3; r++)
			ASSERT_EQ(FX.rec[r].seq & 0xff, r * 3);
		fx_check_counters(
		    &FX,
		    CTRS({MPX_CTR_PACKETS, 7}, {MPX_CTR_IPV4, 7},
			 {MPX_CTR_TCP, 7}, {MPX_CTR_MPTCP_PACKETS, 7},
			 {MPX_CTR_MPTCP_OPTIONS, 7}, {MPX_CTR_OPT_DSS, 7},
			 {MPX_CTR_DSS_SUPPRESSED, 4}, {MPX_CTR_RECORDS, 3}));
		fx_close(&FX);
	}
	sched_setaffinity(0, sizeof(old), &old);
}

/* The canonical flow key of bpf/flow_key.h, computed here from the
 * mptcp_flow.h rule: the lower (address, port) endpoint first. */
static int flow_key_of(const struct mptcp_event *ev, struct mpx_flow_key *k)
{
	int cmp = memcmp(ev->saddr, ev->daddr, MPX_ADDR_LEN);
	int dir;

	if (cmp == 0)
		cmp = ev->sport < ev->dport ? -1 : ev->sport > ev->dport;
	dir = cmp > 0;
	memset(k, 0, sizeof(*k));
	memcpy(k->addr[0], dir ? ev->daddr : ev->saddr, MPX_ADDR_LEN);
	memcpy(k->addr[1], dir ? ev->saddr : ev->daddr, MPX_ADDR_LEN);
	k->port[0] = dir ? ev->dport : ev->sport;
	k->port[1] = dir ? ev->sport : ev->dport;
	k->family = ev->family;
	return dir;
}

/* DSS policy edges: first mapping per direction and every DATA_FIN; the
 * flows map remembers which directions have had their first mapping. */
TEST(xdp_dss_edges_and_flow_map)
{
	struct mpx_config cfg = CFG_OPTS;
	static const struct pb_dss ack = {PB_DSS_A, 5, 0, 0, 0, 0, 0};
	static const struct pb_dss map = {
	    PB_DSS_A | PB_DSS_M, 5, 100, 1, 10, 0, 0};
	static const struct pb_dss fin = {
	    PB_DSS_M | PB_DSS_F, 0, 110, 0, 1, 0, 0};
	static const struct {
		int from_b;
		const struct pb_dss *d;
	} seq[] = {{0, &ack}, {0, &map}, {0, &map}, {1, &map},
		   {1, &map}, {0, &fin}, {0, &fin}};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct pb_spec a, b;
	struct mpx_flow_key key;
	struct mpx_flow flow;
	int dir_a = 0;

	NEED_ROOT();
	cfg.dss_policy = MPX_DSS_EDGES;
	if (fx_open(&FX, &cfg) < 0)
		return;
	pb_init_v6(&a, "2001:db8:1::2", 8080, "2001:db8::1", 40000);
	pb_init_v6(&b, "2001:db8::1", 40000, "2001:db8:1::2", 8080);
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct pb_spec *s = seq[i].from_b ? &b : &a;

		pb_tcp_opts_clear(s);
		pb_tcp_opt(s, o, pb_mp_dss(o, seq[i].d));
		build(s);
		fx_run_xdp(&FX, FRAME, FLEN);
	}
	/* map A, map B, fin, fin */
	ASSERT_EQ(FX.nrec, 4);
	if (FX.nrec == 4) {
		ASSERT_EQ(FX.rec[0].sport, 8080);
		ASSERT_EQ(FX.rec[0].u.dss.has_map, 1);
		ASSERT_EQ(FX.rec[1].sport, 40000);
		ASSERT_EQ(FX.rec[2].u.dss.data_fin, 1);
		ASSERT_EQ(FX.rec[3].u.dss.data_fin, 1);
		dir_a = flow_key_of(&FX.rec[0], &key);
		CHECK(mpx_bpf_flow_lookup(FX.skel, &key, &flow) == 0,
		      "subflow not in the flow tables");
		ASSERT_EQ(flow.first_map_seen[dir_a], 1);
		ASSERT_EQ(flow.first_map_seen[!dir_a], 1);
	}
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 7}, {MPX_CTR_IPV6, 7}, {MPX_CTR_TCP, 7},
		      {MPX_CTR_MPTCP_PACKETS, 7}, {MPX_CTR_MPTCP_OPTIONS, 7},
		      {MPX_CTR_OPT_DSS, 7}, {MPX_CTR_DSS_SUPPRESSED, 3},
		      {MPX_CTR_FLOW_NEW, 1}, {MPX_CTR_RECORDS, 4}));
	fx_close(&FX);
}

/* Subflow records (include/mptcp_flow.h): SYN with MP_CAPABLE, a SYN/ACK
 * without it (fallback, RFC 8684 section 3.1), data, FIN, RST. */
TEST(xdp_subflow_records)
{
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec a, b;
	struct mpx_flow_key key;
	struct mpx_flow flow;
	__u64 t0;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_EVERYTHING) < 0)
		return;
	pb_init_v4(&a, "198.18.0.1", 40000, "198.18.1.2", 8080);
	pb_init_v4(&b, "198.18.1.2", 8080, "198.18.0.1", 40000);
	t0 = mono_ns();
	a.tcp_flags = PB_TCP_SYN;
	pb_tcp_opt(&a, o, pb_mp_capable(o, 1, 4, MPX_CAP_H, 0, 0, 0, 0));
	build(&a);
	fx_run_xdp(&FX, FRAME, FLEN);
	b.tcp_flags = PB_TCP_SYN | PB_TCP_ACK;
	build(&b);
	fx_run_xdp(&FX, FRAME, FLEN);
	pb_tcp_opts_clear(&a);
	a.tcp_flags = PB_TCP_ACK | PB_TCP_PSH;
	a.payload_len = 300;
	build(&a);
	fx_run_xdp(&FX, FRAME, FLEN);
	a.tcp_flags = PB_TCP_FIN | PB_TCP_ACK;
	a.payload_len = 0;
	build(&a);
	fx_run_xdp(&FX, FRAME, FLEN);
	b.tcp_flags = PB_TCP_RST;
	build(&b);
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 4);
	ASSERT_EQ(FX.bad_size, 0);
	if (FX.nrec == 4) {
		ASSERT_EQ(FX.rec[0].kind, MPX_EV_MP_CAPABLE);
		for (int i = 1; i < 4; i++) /* 72 + packets and bytes */
			ASSERT_EQ(FX.size[i], 104);
		b.tcp_flags = PB_TCP_SYN | PB_TCP_ACK;
		want_init(&w, &b, MPX_EV_FALLBACK, MPX_HOOK_XDP,
			  MPX_SUBTYPE_UNKNOWN, 0, MPX_VERSION_UNKNOWN, 0);
		w.u.subflow.packets[0] = 1;
		w.u.subflow.packets[1] = 1;
		check_record(&FX.rec[1], &w, t0);
		want_init(&w, &a, MPX_EV_SUBFLOW_FIN, MPX_HOOK_XDP,
			  MPX_SUBTYPE_UNKNOWN, 0, MPX_VERSION_UNKNOWN, 0);
		w.u.subflow.packets[0] = 3;
		w.u.subflow.packets[1] = 1;
		w.u.subflow.bytes[0] = 300;
		check_record(&FX.rec[2], &w, t0);
		b.tcp_flags = PB_TCP_RST;
		want_init(&w, &b, MPX_EV_SUBFLOW_RST, MPX_HOOK_XDP,
			  MPX_SUBTYPE_UNKNOWN, 0, MPX_VERSION_UNKNOWN, 0);
		w.u.subflow.packets[0] = 2;
		w.u.subflow.packets[1] = 3;
		w.u.subflow.bytes[1] = 300;
		check_record(&FX.rec[3], &w, t0);
		flow_key_of(&FX.rec[0], &key);
		CHECK(mpx_bpf_flow_lookup(FX.skel, &key, &flow) == 0,
		      "subflow not in the flow tables");
		ASSERT_EQ(flow.packets[0], 3); /* 198.18.0.1 is the lower */
		ASSERT_EQ(flow.packets[1], 2);
		ASSERT_EQ(flow.bytes[0], 300);
		ASSERT_EQ(flow.fin_seen[0], 1);
		ASSERT_EQ(flow.rst_seen, 1);
		ASSERT_EQ(flow.fallback_reported, 1);
	}
	fx_close(&FX);
}

/* Payload records (--streams): after the packet's option records, the
 * payload bytes of a tracked subflow as they are in the frame, up to the
 * subflow direction's stream depth; what is past it is counted. From XDP
 * and from TC alike. */
TEST(payload_records_and_depth)
{
	struct mpx_config cfg = CFG_EVERYTHING;
	uint8_t o[PB_MPTCP_OPT_MAX], want[1200];
	struct pb_dss d = {0};
	struct pb_spec s;

	NEED_ROOT();
	cfg.emit_mask |= MPX_KIND_BIT(MPX_EV_PAYLOAD);
	cfg.stream_depth = 1000;
	if (fx_open(&FX, &cfg) < 0)
		return;
	spec_v4(&s);
	s.tcp_flags = PB_TCP_ACK | PB_TCP_PSH;
	d.flags = MPX_DSS_M | MPX_DSS_A;
	d.data_ack = 1;
	d.dsn = 5000;
	d.ssn = 1;
	d.data_len = 1200;
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	s.payload_len = 600;
	for (int part = 0; part < 2; part++) {
		build(&s);
		for (size_t i = 0; i < 600; i++) {
			FRAME[LAY.payload + i] = (uint8_t)(i * 7 + part);
			want[part * 600 + i] = (uint8_t)(i * 7 + part);
		}
		if (part == 0)
			fx_run_xdp(&FX, FRAME, FLEN);
		else
			ASSERT_EQ((unsigned long)fx_run_prog(
				      &FX, FX.skel->progs.mptcp_tc_egress,
				      FRAME, FLEN),
				  TC_ACT_UNSPEC_RC);
		s.seq += 600;
	}
	ASSERT_EQ(FX.bad_size, 0);
	ASSERT_EQ(FX.nrec, 4); /* DSS, payload, DSS, payload */
	if (FX.nrec == 4) {
		ASSERT_EQ(FX.rec[0].kind, MPX_EV_DSS);
		ASSERT_EQ(FX.rec[1].kind, MPX_EV_PAYLOAD);
		ASSERT_EQ(FX.rec[1].seq, s.seq - 1200);
		ASSERT_EQ(FX.rec[1].payload_len, 600);
		ASSERT_EQ(FX.rec[1].u.payload.offset, 0);
		ASSERT_EQ(FX.rec[1].u.payload.len, 600);
		ASSERT_EQ(FX.rec[1].hook, MPX_HOOK_XDP);
		ASSERT_EQ(FX.rec[3].kind, MPX_EV_PAYLOAD);
		ASSERT_EQ(FX.rec[3].hook, MPX_HOOK_TC_EGRESS);
		ASSERT_EQ(FX.rec[3].u.payload.len, 400); /* depth 1000 */
		/* The common part, an 8-byte body, the bytes. */
		ASSERT_EQ(FX.size[1], 80 + 600);
		ASSERT_EQ(FX.size[3], 80 + 400);
	}
	ASSERT_EQ(FX.npayload, 1000);
	CHECK(memcmp(FX.payload, want, 1000) == 0,
	      "payload bytes differ from the frames'");
	fx_check_counters(
	    &FX,
	    CTRS({MPX_CTR_PACKETS, 2}, {MPX_CTR_IPV4, 2}, {MPX_CTR_TCP, 2},
		 {MPX_CTR_MPTCP_PACKETS, 2}, {MPX_CTR_MPTCP_OPTIONS, 2},
		 {MPX_CTR_OPT_DSS, 2}, {MPX_CTR_RECORDS, 2},
		 {MPX_CTR_FLOW_NEW, 1}, {MPX_CTR_PAYLOAD_RECORDS, 2},
		 {MPX_CTR_PAYLOAD_BYTES, 1000}, {MPX_CTR_PAYLOAD_DEPTH, 200}));
	fx_close(&FX);
}

/* The TC programs (egress and ingress) under a __sk_buff test run: same
 * parser, their own hook in the record, TC_ACT_UNSPEC. */
TEST(tc_programs_test_run)
{
	const struct {
		const char *name;
		int egress;
		__u8 hook;
	} progs[] = {{"mptcp_tc_egress", 1, MPX_HOOK_TC_EGRESS},
		     {"mptcp_tc_ingress", 0, MPX_HOOK_TC_INGRESS}};
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct mptcp_event w;
	struct pb_spec s;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	spec_v6(&s);
	pb_add_ext(&s, PB_EXT_ROUTING, 24);
	pb_tcp_opt(&s, o, pb_mp_fastclose(o, KEY_B));
	s.tcp_flags = PB_TCP_RST | PB_TCP_ACK;
	build(&s);
	for (size_t i = 0; i < 2; i++) {
		const struct bpf_program *p =
		    progs[i].egress ? FX.skel->progs.mptcp_tc_egress
				    : FX.skel->progs.mptcp_tc_ingress;
		int before = FX.nrec;
		__u64 t0 = mono_ns();
		long rc = fx_run_prog(&FX, p, FRAME, FLEN);

		CASE_BEGIN();
		if (rc == -EINVAL || rc == -ENOTSUPP || rc == -EOPNOTSUPP) {
			fx_close(&FX);
			SKIP("this kernel refuses a __sk_buff test run of a "
			     "TC program");
		}
		ASSERT_EQ((unsigned long)rc, TC_ACT_UNSPEC_RC);
		ASSERT_EQ(FX.nrec - before, 1);
		want_init(&w, &s, MPX_EV_MP_FASTCLOSE, progs[i].hook, 7, 12,
			  MPX_VERSION_UNKNOWN, 0);
		w.u.fastclose.receiver_key = KEY_B;
		if (FX.nrec > before)
			check_record(&FX.rec[before], &w, t0);
		CASE_END("%s", progs[i].name);
	}
	fx_check_counters(
	    &FX, CTRS({MPX_CTR_PACKETS, 2}, {MPX_CTR_IPV6, 2}, {MPX_CTR_TCP, 2},
		      {MPX_CTR_MPTCP_PACKETS, 2}, {MPX_CTR_MPTCP_OPTIONS, 2},
		      {MPX_CTR_OPT_MP_FASTCLOSE, 2}, {MPX_CTR_RECORDS, 2}));
	fx_close(&FX);
}

/* ====================================================================== */
/* The BPF object and the host engine give the same records (but for      */
/* ts_ns, ifindex, hook) and the same counters for the same frames.      */
/* ====================================================================== */

#define MAX_CORPUS 1200

struct corpus {
	uint8_t *frame[MAX_CORPUS];
	size_t len[MAX_CORPUS];
	int n;
	int dropped; /* past MAX_CORPUS: the test would miss them */
};

static void corpus_add(struct corpus *c, const uint8_t *f, size_t len)
{
	if (len < 14) /* XDP test runs need 14 bytes */
		return;
	if (c->n >= MAX_CORPUS) {
		c->dropped++;
		return;
	}
	c->frame[c->n] = malloc(len);
	if (!c->frame[c->n])
		return;
	memcpy(c->frame[c->n], f, len);
	c->len[c->n++] = len;
}

/* One frame per spec, the options given. */
static void corpus_opt(struct corpus *c, struct pb_spec *s, const uint8_t *o,
		       size_t n)
{
	pb_tcp_opts_clear(s);
	pb_tcp_opt(s, o, n);
	if (build(s) == 0)
		corpus_add(c, FRAME, FLEN);
}

static void corpus_free(struct corpus *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->frame[i]);
	c->n = 0;
}

/* Every option the unit tests cover, legal and not, over IPv4, IPv6 and
 * VLAN shapes; the packet-level malformations; a subflow's life. */
/* Linux's segment on subflow s (timestamps, one DSS), into FRAME. */
static void linux_dss_frame(struct pb_spec *s, const struct pb_dss *d,
			    size_t payload)
{
	uint8_t o[PB_MPTCP_OPT_MAX];

	s->tcp_flags = PB_TCP_ACK;
	s->tcp_pad = PB_TCPOPT_NOP;
	s->payload_len = payload;
	pb_tcp_opts_clear(s);
	pb_tcp_linux_ts(s, 1, 2);
	pb_tcp_opt(s, o, pb_mp_dss(o, d));
	CHECK(build(s) == 0 && FLEN > 0, "a Linux DSS segment of %zu bytes",
	      payload);
}

static void corpus_build(struct corpus *c)
{
	uint8_t o[PB_MPTCP_OPT_MAX], ids[37];
	struct pb_spec s, b;
	size_t n;

	memset(c, 0, sizeof(*c));
	for (int shape = 0; shape < 3; shape++) {
		if (shape == 0) {
			spec_v4(&s);
		} else if (shape == 1) {
			spec_v6(&s);
			pb_add_ext(&s, PB_EXT_HOPOPTS, 8);
		} else {
			spec_v4(&s);
			pb_add_vlan(&s, PB_TPID_8021AD, 1);
			pb_add_vlan(&s, PB_TPID_8021Q, 2);
		}
		s.payload_len = 20;
		/* MP_CAPABLE v0, v1, v2 at each length */
		for (int v = 0; v <= 2; v++) {
			static const uint8_t lens[] = {4, 12, 20, 22, 24};

			for (size_t l = 0; l < sizeof(lens); l++)
				corpus_opt(c, &s, o,
					   pb_mp_capable(o, (uint8_t)v, lens[l],
							 0x81, KEY_A, KEY_B, 20,
							 0x1234));
		}
		/* MP_JOIN */
		corpus_opt(c, &s, o, pb_mp_join_syn(o, 1, 3, 0xc56050ed, 7));
		corpus_opt(c, &s, o, pb_mp_join_synack(o, 0, 3, BIG64, 7));
		memset(ids, 0xab, 20);
		corpus_opt(c, &s, o, pb_mp_join_ack(o, ids));
		/* DSS: every flag combination, with and without checksum */
		for (int f = 0; f < 32; f++)
			for (int cs = 0; cs < 2; cs++) {
				struct pb_dss d = {(uint8_t)f, BIG64, DSN64, 9,
						   20,	       cs,    0x4321};

				corpus_opt(c, &s, o, pb_mp_dss(o, &d));
			}
		/* ADD_ADDR v0 and v1 */
		for (int fam = 4; fam <= 6; fam += 2)
			for (int p = 0; p < 2; p++) {
				const uint8_t *ad = fam == 4 ? ADDR4 : ADDR6;

				corpus_opt(
				    c, &s, o,
				    pb_mp_add_addr_v0(o, fam, 1, ad, p, 80));
				for (int e = 0; e < 2; e++)
					corpus_opt(
					    c, &s, o,
					    pb_mp_add_addr_v1(o, fam, e, 1, ad,
							      p, 80, BIG64));
			}
		/* REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST,
		 * MP_EXPERIMENTAL */
		for (n = 0; n < 37; n++)
			ids[n] = (uint8_t)(n + 1);
		for (n = 1; n <= 37; n += 6)
			corpus_opt(c, &s, o, pb_mp_remove_addr(o, ids, n));
		corpus_opt(c, &s, o, pb_mp_prio(o, 1, 0, 0));
		corpus_opt(c, &s, o, pb_mp_prio(o, 0, 1, 9));
		corpus_opt(c, &s, o, pb_mp_fail(o, DSN64));
		corpus_opt(c, &s, o, pb_mp_fastclose(o, KEY_A));
		for (int fl = 0; fl < 16; fl += 5)
			corpus_opt(c, &s, o, pb_mp_tcprst(o, (uint8_t)fl, 4));
		corpus_opt(c, &s, o, pb_mp_experimental(o, 10, 3, 0));
		/* Illegal lengths and flags of every subtype, 0 .. 15 */
		for (int sub = 0; sub < 16; sub++) {
			static const uint8_t lens[] = {2, 3, 5, 11, 13, 21, 31};

			for (size_t l = 0; l < sizeof(lens); l++)
				corpus_opt(c, &s, o,
					   pb_mp_raw(o, lens[l], (uint8_t)sub,
						     (uint8_t)(l & 1), 0x10));
		}
		for (int nib = 0; nib < 16; nib++)
			corpus_opt(c, &s, o,
				   pb_mp_raw(o, 16, 3, (uint8_t)nib, 1));
		corpus_opt(c, &s, o, pb_mp_raw(o, 0, 0, 0, 0));
		corpus_opt(c, &s, o, pb_mp_raw(o, 1, 0, 0, 0));
		/* Options past the data offset and cut by the capture */
		{
			static const uint8_t past[] = {30, 12, 0x01, 0x81};
			static const uint8_t bad_ts[] = {8, 1, 30, 4};

			corpus_opt(c, &s, past, sizeof(past));
			corpus_opt(c, &s, bad_ts, sizeof(bad_ts));
		}
		pb_tcp_opts_clear(&s);
		pb_tcp_opt(&s, o, pb_mp_fastclose(o, KEY_A));
		pb_tcp_opt(&s, o, pb_mp_fail(o, 3));
		if (build(&s) == 0)
			for (size_t cut = LAY.l4 + 1; cut <= LAY.opts + 24;
			     cut += 3)
				corpus_add(c, FRAME, cut);
	}
	/* Packet-level shapes and malformations */
	spec_v4(&s);
	pb_tcp_opt(&s, o, pb_mp_prio(o, 0, 0, 0));
	s.l4_proto = PB_IPPROTO_UDP;
	if (build(&s) == 0)
		corpus_add(c, FRAME, FLEN);
	s.l4_proto = 0;
	s.ip_frag = 0x2000 | 8;
	if (build(&s) == 0)
		corpus_add(c, FRAME, FLEN);
	s.ip_frag = 0;
	if (build(&s) == 0) {
		FRAME[LAY.l3] = 0x44; /* IHL 4 */
		corpus_add(c, FRAME, FLEN);
		FRAME[LAY.l3] = 0x45;
		FRAME[LAY.l4 + 12] = 0x30; /* doff 3 */
		corpus_add(c, FRAME, FLEN);
	}
	spec_v6(&s);
	pb_tcp_opt(&s, o, pb_mp_prio(o, 0, 0, 0));
	for (int e = 0; e < 7; e++) {
		pb_add_ext(&s, e == 0 ? PB_EXT_HOPOPTS : PB_EXT_DSTOPTS, 8);
		if (build(&s) == 0)
			corpus_add(c, FRAME, FLEN);
	}
	spec_v6(&s);
	pb_add_frag6(&s, 4, 0);
	if (build(&s) == 0)
		corpus_add(c, FRAME, FLEN);
	spec_v4(&s);
	pb_add_vlan(&s, PB_TPID_8021Q, 1);
	pb_add_vlan(&s, PB_TPID_8021Q, 2);
	pb_add_vlan(&s, PB_TPID_8021Q, 3);
	if (build(&s) == 0) {
		corpus_add(c, FRAME, FLEN);
		for (size_t cut = 14; cut < 30; cut += 2)
			corpus_add(c, FRAME, cut);
	}
	/* A subflow's life: SYN with MP_CAPABLE, fallback SYN/ACK, data,
	 * FINs, RST (records only when subflow kinds are on). */
	pb_init_v4(&s, "198.18.0.1", 40000, "198.18.1.2", 8080);
	pb_init_v4(&b, "198.18.1.2", 8080, "198.18.0.1", 40000);
	s.tcp_flags = PB_TCP_SYN;
	corpus_opt(c, &s, o, pb_mp_capable(o, 1, 4, MPX_CAP_H, 0, 0, 0, 0));
	b.tcp_flags = PB_TCP_SYN | PB_TCP_ACK;
	if (build(&b) == 0)
		corpus_add(c, FRAME, FLEN);
	s.tcp_flags = PB_TCP_ACK;
	s.payload_len = 100;
	{
		struct pb_dss d = {PB_DSS_A | PB_DSS_M, 1, 1, 1, 100, 0, 0};

		corpus_opt(c, &s, o, pb_mp_dss(o, &d));
		corpus_opt(c, &s, o, pb_mp_dss(o, &d));
	}
	s.tcp_flags = PB_TCP_FIN | PB_TCP_ACK;
	s.payload_len = 0;
	pb_tcp_opts_clear(&s);
	if (build(&s) == 0) {
		corpus_add(c, FRAME, FLEN);
		corpus_add(c, FRAME, FLEN);
	}
	b.tcp_flags = PB_TCP_RST;
	if (build(&b) == 0)
		corpus_add(c, FRAME, FLEN);
	/* Linux MPTCP subflows, IPv4 and IPv6: the handshake, then data and
	 * ACKs each way as Linux sends them (timestamps and one DSS), the
	 * first of them on a subflow not yet assured, the rest on an
	 * assured one whose directions have had their first mapping (the
	 * kernel's DSS fast path, bpf/parse_fast.h), a DATA_FIN, FINs, RST */
	for (int fam = 4; fam <= 6; fam += 2) {
		struct pb_dss data = {PB_DSS_A | PB_DSS_a | PB_DSS_M | PB_DSS_m,
				      1,
				      100,
				      1,
				      500,
				      0,
				      0};
		struct pb_dss ack = {PB_DSS_A | PB_DSS_a, 600, 0, 0, 0, 0, 0};
		struct pb_dss csum = {
		    PB_DSS_A | PB_DSS_M, 7, 9, 3, 200, 1, 0x55};

		if (fam == 4) {
			pb_init_v4(&s, "198.18.0.9", 41000, "198.18.1.9", 80);
			pb_init_v4(&b, "198.18.1.9", 80, "198.18.0.9", 41000);
		} else {
			pb_init_v6(&s, "2001:db8::9", 41000, "2001:db8::19",
				   80);
			pb_init_v6(&b, "2001:db8::19", 80, "2001:db8::9",
				   41000);
		}
		s.tcp_flags = PB_TCP_SYN;
		corpus_opt(c, &s, o,
			   pb_mp_capable(o, 1, 4, MPX_CAP_H, 0, 0, 0, 0));
		b.tcp_flags = PB_TCP_SYN | PB_TCP_ACK;
		corpus_opt(c, &b, o,
			   pb_mp_capable(o, 1, 12, MPX_CAP_H, KEY_B, 0, 0, 0));
		s.tcp_flags = b.tcp_flags = PB_TCP_ACK;
		corpus_opt(
		    c, &s, o,
		    pb_mp_capable(o, 1, 20, MPX_CAP_H, KEY_A, KEY_B, 0, 0));
		s.tcp_pad = b.tcp_pad = PB_TCPOPT_NOP;
		for (int k = 0; k < 6; k++) {
			struct pb_spec *from = (k & 1) ? &b : &s;

			linux_dss_frame(from,
					k == 5	  ? &csum
					: (k & 2) ? &data
						  : &ack,
					(size_t)(k & 2) * 300);
			corpus_add(c, FRAME, FLEN);
			if (build(from == &s ? &b : &s) == 0)
				corpus_add(c, FRAME, FLEN);
		}
		data.flags |= PB_DSS_F;
		linux_dss_frame(&s, &data, s.payload_len);
		corpus_add(c, FRAME, FLEN);
		s.tcp_flags = PB_TCP_ACK | PB_TCP_FIN;
		if (build(&s) == 0)
			corpus_add(c, FRAME, FLEN);
		b.tcp_flags = PB_TCP_RST;
		if (build(&b) == 0)
			corpus_add(c, FRAME, FLEN);
	}
	/* What the kernel's fast path counts (bpf/parse_fast.h): segments
	 * with Linux's NOP NOP timestamps or no options, of the subflow
	 * above (in the flow table: the full path counts them there) and of
	 * one never seen; UDP, ICMPv6 and ARP. */
	for (int tracked = 0; tracked < 2; tracked++)
		for (int ts = 0; ts < 2; ts++) {
			if (tracked)
				pb_init_v4(&s, "198.18.0.1", 40000,
					   "198.18.1.2", 8080);
			else
				pb_init_v6(&s, "2001:db8::1", 40001,
					   "2001:db8::2", 8080);
			s.tcp_flags = PB_TCP_ACK;
			s.payload_len = 700;
			if (ts) {
				pb_tcp_linux_ts(&s, 1, 2);
			}
			if (build(&s) == 0)
				corpus_add(c, FRAME, FLEN);
		}
	spec_v6(&s);
	s.l4_proto = PB_IPPROTO_UDP;
	if (build(&s) == 0)
		corpus_add(c, FRAME, FLEN);
	s.l4_proto = PB_IPPROTO_ICMPV6;
	if (build(&s) == 0)
		corpus_add(c, FRAME, FLEN);
	spec_v4(&s);
	s.ethertype = PB_ETH_P_ARP;
	if (build(&s) == 0)
		corpus_add(c, FRAME, FLEN);
}

/* A mapping may cover segments that carry no DSS (RFC 8684 section
 * 3.3.1: "a mapping ... can be sent ... in any segment"; Linux puts one on
 * every segment, other stacks need not): such a segment's payload record
 * describes it, its own sequence number, length and flags, not the last
 * segment that had an MPTCP option. */
TEST(payload_of_a_segment_without_dss)
{
	struct mpx_config cfg = CFG_EVERYTHING;
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct pb_dss d = {PB_DSS_A | PB_DSS_M, 1, 5000, 1, 900, 0, 0};
	struct pb_spec s;
	__u64 t0;

	NEED_ROOT();
	cfg.emit_mask |= MPX_KIND_BIT(MPX_EV_PAYLOAD);
	if (fx_open(&FX, &cfg) < 0)
		return;
	spec_v4(&s);
	s.tcp_flags = PB_TCP_ACK;
	s.seq = 1000;
	s.payload_len = 600;
	pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
	build(&s);
	fx_run_xdp(&FX, FRAME, FLEN);
	/* The mapping's last 300 bytes, with Linux's plain options. */
	pb_tcp_opts_clear(&s);
	pb_tcp_linux_ts(&s, 1, 2);
	s.tcp_flags = PB_TCP_ACK | PB_TCP_PSH;
	s.seq = 1600;
	s.payload_len = 300;
	build(&s);
	t0 = mono_ns();
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec, 3); /* DSS, payload, payload */
	if (FX.nrec == 3) {
		const struct mptcp_event *r = &FX.rec[2];

		ASSERT_EQ(r->kind, MPX_EV_PAYLOAD);
		ASSERT_EQ(r->seq, 1600);
		ASSERT_EQ(r->payload_len, 300);
		ASSERT_EQ(r->tcp_flags, PB_TCP_ACK | PB_TCP_PSH);
		ASSERT_EQ(r->sport, s.sport);
		ASSERT_EQ(r->dport, s.dport);
		ASSERT_EQ(r->family, 4);
		ASSERT_EQ(r->u.payload.len, 300);
		ASSERT_EQ(r->hook, MPX_HOOK_XDP);
		ASSERT_EQ(r->opt_len, 0);
		ASSERT_EQ(r->ack, s.ack);
		ASSERT_EQ(r->subtype, MPX_SUBTYPE_UNKNOWN);
		ASSERT_EQ(r->version, MPX_VERSION_UNKNOWN);
		ASSERT_EQ(r->error, 0);
		CHECK(memcmp(r->saddr, FX.rec[0].saddr, 16) == 0 &&
			  memcmp(r->daddr, FX.rec[0].daddr, 16) == 0,
		      "addresses");
		CHECK(r->ts_ns >= t0, "the payload record's time is older "
				      "than its packet");
		/* The first packet's payload shares its DSS record's time. */
		ASSERT_EQ(FX.rec[1].ts_ns, FX.rec[0].ts_ns);
		ASSERT_EQ(FX.rec[1].seq, 1000);
	}
	/* The same at TC egress: its hook, its own header. */
	s.seq = 1900;
	s.payload_len = 200;
	build(&s);
	ASSERT_EQ((unsigned long)fx_run_prog(
		      &FX, FX.skel->progs.mptcp_tc_egress, FRAME, FLEN),
		  TC_ACT_UNSPEC_RC);
	ASSERT_EQ(FX.nrec, 4);
	if (FX.nrec == 4) {
		ASSERT_EQ(FX.rec[3].kind, MPX_EV_PAYLOAD);
		ASSERT_EQ(FX.rec[3].hook, MPX_HOOK_TC_EGRESS);
		ASSERT_EQ(FX.rec[3].seq, 1900);
		ASSERT_EQ(FX.rec[3].u.payload.len, 200);
	}
	fx_close(&FX);
}

/* Two mappings each way through XDP: the subflow is assured and both
 * directions have had their first mapping, so the next DSS segment of it
 * is the kernel's DSS fast path's (bpf/parse_fast.h). */
static void assure_subflow(struct pb_spec *c2s, struct pb_spec *s2c,
			   const struct pb_dss *d)
{
	for (int i = 0; i < 4; i++) {
		linux_dss_frame((i & 1) ? s2c : c2s, d, 100);
		fx_run_xdp(&FX, FRAME, FLEN);
	}
}

/* The DSS fast path at TC counts a GSO super-packet as its segments, as
 * mpx_count_segs() does on the full path, the option once, and the
 * subflow's packet once with all its bytes; no record. */
TEST(tc_fast_dss_counts_gso_segments)
{
	struct mpx_config cfg = CFG_EVERYTHING;
	struct pb_dss d = {
	    PB_DSS_A | PB_DSS_M | PB_DSS_m, 1, 5000, 1, 100, 0, 0};
	struct __sk_buff ctx = {.gso_segs = 5};
	__u64 before[MPX_CTR_MAX], after[MPX_CTR_MAX];
	struct mpx_flow_key key;
	struct mpx_flow f0 = {0}, f1 = {0};
	struct pb_spec c2s, s2c;
	int nrec, dir;

	NEED_ROOT();
	cfg.dss_policy = MPX_DSS_EDGES;
	if (fx_open(&FX, &cfg) < 0)
		return;
	pb_init_v4(&c2s, "198.18.0.7", 42000, "198.18.1.7", 443);
	pb_init_v4(&s2c, "198.18.1.7", 443, "198.18.0.7", 42000);
	assure_subflow(&c2s, &s2c, &d);
	fx_counters(&FX, before);
	/* the first mappings' records, client's first */
	ASSERT_EQ(FX.nrec, 2);
	dir = flow_key_of(&FX.rec[0], &key);
	CHECK(FX.rec[0].sport == 42000 &&
		  mpx_bpf_flow_lookup(FX.skel, &key, &f0) == 0 && f0.assured,
	      "the subflow is not assured after two packets each way");
	nrec = FX.nrec;
	linux_dss_frame(&c2s, &d, 1000);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = FRAME,
			    .data_size_in = (__u32)FLEN, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);

		ASSERT_EQ(
		    bpf_prog_test_run_opts(
			bpf_program__fd(FX.skel->progs.mptcp_tc_egress), &opts),
		    0);
	}
	CHECK(ring_buffer__consume(FX.rb) >= 0, "ring_buffer__consume");
	ASSERT_EQ(FX.nrec, nrec);
	fx_counters(&FX, after);
	ASSERT_EQ(after[MPX_CTR_PACKETS] - before[MPX_CTR_PACKETS], 5);
	ASSERT_EQ(after[MPX_CTR_IPV4] - before[MPX_CTR_IPV4], 5);
	ASSERT_EQ(after[MPX_CTR_TCP] - before[MPX_CTR_TCP], 5);
	ASSERT_EQ(after[MPX_CTR_MPTCP_PACKETS] - before[MPX_CTR_MPTCP_PACKETS],
		  5);
	ASSERT_EQ(after[MPX_CTR_MPTCP_OPTIONS] - before[MPX_CTR_MPTCP_OPTIONS],
		  1);
	ASSERT_EQ(after[MPX_CTR_OPT_DSS] - before[MPX_CTR_OPT_DSS], 1);
	ASSERT_EQ(
	    after[MPX_CTR_DSS_SUPPRESSED] - before[MPX_CTR_DSS_SUPPRESSED], 1);
	ASSERT_EQ(after[MPX_CTR_RECORDS] - before[MPX_CTR_RECORDS], 0);
	CHECK(mpx_bpf_flow_lookup(FX.skel, &key, &f1) == 0, "flow lookup");
	ASSERT_EQ(f1.packets[dir] - f0.packets[dir], 1);
	ASSERT_EQ(f1.bytes[dir] - f0.bytes[dir], 1000);
	fx_close(&FX);
}

/* With payload records on, the DSS fast path stands aside: every data
 * segment of an assured subflow still makes its payload record. */
TEST(payload_records_on_an_assured_subflow)
{
	struct mpx_config cfg = CFG_EVERYTHING;
	struct pb_dss d = {
	    PB_DSS_A | PB_DSS_M | PB_DSS_m, 1, 5000, 1, 100, 0, 0};
	struct pb_spec c2s, s2c;
	int nrec;

	NEED_ROOT();
	cfg.dss_policy = MPX_DSS_EDGES;
	cfg.emit_mask |= MPX_KIND_BIT(MPX_EV_PAYLOAD);
	if (fx_open(&FX, &cfg) < 0)
		return;
	pb_init_v6(&c2s, "2001:db8::7", 42000, "2001:db8::17", 443);
	pb_init_v6(&s2c, "2001:db8::17", 443, "2001:db8::7", 42000);
	assure_subflow(&c2s, &s2c, &d);
	nrec = FX.nrec;
	linux_dss_frame(&c2s, &d, 300);
	fx_run_xdp(&FX, FRAME, FLEN);
	ASSERT_EQ(FX.nrec - nrec, 1);
	if (FX.nrec - nrec == 1) {
		ASSERT_EQ(FX.rec[nrec].kind, MPX_EV_PAYLOAD);
		ASSERT_EQ(FX.rec[nrec].u.payload.len, 300);
	}
	fx_close(&FX);
}

/* A GSO super-packet at TC counts as the segments it stands for
 * (skb->gso_segs), on the fast path (plain TCP, UDP, ARP: once for non_ip,
 * as the full path does) as on the full one (an MPTCP DSS). */
TEST(tc_counts_gso_segments)
{
	uint8_t o[PB_MPTCP_OPT_MAX];
	struct __sk_buff ctx = {.gso_segs = 5};
	struct pb_dss d = {PB_DSS_A | PB_DSS_M, 1, 1, 1, 100, 0, 0};
	struct pb_spec s;
	long rc = 0;

	NEED_ROOT();
	if (fx_open(&FX, &CFG_OPTS) < 0)
		return;
	for (int i = 0; i < 4; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);

		spec_v4(&s);
		s.payload_len = 1000;
		if (i == 0) { /* Linux's NOP NOP timestamps: the fast path */
			pb_tcp_linux_ts(&s, 1, 2);
		} else if (i == 1) {
			s.l4_proto = PB_IPPROTO_UDP;
		} else if (i == 2) {
			s.ethertype = PB_ETH_P_ARP;
		} else { /* the full path */
			pb_tcp_opt(&s, o, pb_mp_dss(o, &d));
		}
		build(&s);
		opts.data_in = FRAME;
		opts.data_size_in = (__u32)FLEN;
		if (bpf_prog_test_run_opts(
			bpf_program__fd(FX.skel->progs.mptcp_tc_egress),
			&opts) < 0) {
			rc = -errno;
			break;
		}
		CHECK(ring_buffer__consume(FX.rb) >= 0, "ring_buffer__consume");
	}
	if (rc == -EINVAL || rc == -ENOTSUPP || rc == -EOPNOTSUPP) {
		fx_close(&FX);
		SKIP("this kernel refuses a __sk_buff test run with gso_segs");
	}
	ASSERT_EQ(rc, 0);
	fx_check_counters(&FX,
			  CTRS({MPX_CTR_PACKETS, 20}, {MPX_CTR_IPV4, 15},
			       {MPX_CTR_TCP, 10}, {MPX_CTR_NON_TCP, 5},
			       {MPX_CTR_NON_IP, 1}, {MPX_CTR_MPTCP_PACKETS, 5},
			       {MPX_CTR_MPTCP_OPTIONS, 1}, {MPX_CTR_OPT_DSS, 1},
			       {MPX_CTR_RECORDS, 1}));
	fx_close(&FX);
}

struct rec_list {
	struct mptcp_event rec[4 * MAX_CORPUS];
	int n;
};

static void host_record(const struct mptcp_event *ev, void *arg)
{
	struct rec_list *l = arg;

	if (l->n < (int)(sizeof(l->rec) / sizeof(l->rec[0])))
		l->rec[l->n] = *ev;
	l->n++;
}

static struct rec_list HOST_RECS;
static struct corpus CORPUS;

static void compare_engines(const struct mpx_config *cfg, const char *what)
{
	struct mpx_engine *host;
	__u64 hc[MPX_CTR_MAX], bc[MPX_CTR_MAX];
	char err[256] = "";
	int mismatched = 0;

	CASE_BEGIN();
	HOST_RECS.n = 0;
	host = mpx_engine_host_open(cfg, host_record, &HOST_RECS,
				    MPX_FLOW_TABLE_SIZE);
	CHECK(host, "mpx_engine_host_open failed");
	if (!host || fx_open(&FX, cfg) < 0) {
		mpx_engine_close(host);
		CASE_END("%s", what);
		return;
	}
	for (int i = 0; i < CORPUS.n; i++) {
		int before = FX.nrec, hbefore = HOST_RECS.n;

		fx_run_xdp(&FX, CORPUS.frame[i], CORPUS.len[i]);
		CHECK(mpx_engine_run(host, CORPUS.frame[i], CORPUS.len[i], err,
				     sizeof(err)) == 0,
		      "host engine: %s", err);
		if (FX.nrec - before != HOST_RECS.n - hbefore &&
		    mismatched++ < 5)
			CHECK(0, "frame %d: %d BPF records, %d host records", i,
			      FX.nrec - before, HOST_RECS.n - hbefore);
	}
	ASSERT_EQ(FX.nrec, HOST_RECS.n);
	ASSERT_EQ(FX.bad_size, 0);
	CHECK(FX.nrec > 100, "only %d records: the corpus is too small",
	      FX.nrec);
	for (int i = 0; i < FX.nrec && i < HOST_RECS.n && i < MAX_RECS; i++) {
		struct mptcp_event bz = FX.rec[i], hz = HOST_RECS.rec[i];

		CHECK(bz.hook == MPX_HOOK_XDP && hz.hook == MPX_HOOK_HOST,
		      "record %d: hooks %u / %u", i, bz.hook, hz.hook);
		bz.ts_ns = hz.ts_ns = 0;
		bz.ifindex = hz.ifindex = 0;
		bz.hook = hz.hook = 0;
		if (memcmp(&bz, &hz, sizeof(bz)) != 0 && mismatched++ < 5) {
			const uint8_t *pb = (const uint8_t *)&bz,
				      *ph = (const uint8_t *)&hz;
			size_t at = 0;

			while (at < sizeof(bz) && pb[at] == ph[at])
				at++;
			CHECK(0,
			      "record %d (kind %u) differs from byte %zu: "
			      "BPF 0x%02x, host 0x%02x",
			      i, bz.kind, at, pb[at], ph[at]);
		}
	}
	fx_counters(&FX, bc);
	CHECK(mpx_engine_counters(host, hc) == 0, "host counters");
	for (int id = 0; id < MPX_CTR_MAX; id++)
		CHECK(bc[id] == hc[id],
		      "counter %s: BPF %" PRIu64 ", host %" PRIu64,
		      mpx_counter_name(id), (uint64_t)bc[id], (uint64_t)hc[id]);
	/* The flow tables agree on every subflow the kernel side holds, in
	 * either of its tables (assured ones in flows, as many as counted). */
	{
		int fds[2] = {bpf_map__fd(FX.skel->maps.flows),
			      bpf_map__fd(FX.skel->maps.flows_new)};
		int nflows = 0, nassured = 0;

		for (int t = 0; t < 2; t++) {
			struct mpx_flow_key k, next;
			struct mpx_flow bf, hf;
			int r = bpf_map_get_next_key(fds[t], NULL, &next);

			while (r == 0) {
				k = next;
				nflows++;
				CHECK(bpf_map_lookup_elem(fds[t], &k, &bf) == 0,
				      "lookup");
				nassured += t == 0;
				CHECK(bf.assured == (t == 0),
				      "an assured flow in the new table, or "
				      "back");
				CHECK(mpx_engine_flow(host, &k, &hf) == 0,
				      "a BPF flow is missing from the host "
				      "table");
				if (mpx_engine_flow(host, &k, &hf) == 0)
					ASSERT_MEMEQ(&bf, &hf, sizeof(bf));
				r = bpf_map_get_next_key(fds[t], &k, &next);
			}
		}
		ASSERT_EQ(nflows, hc[MPX_CTR_FLOW_NEW]);
		ASSERT_EQ(nassured, hc[MPX_CTR_FLOW_ASSURED]);
	}
	fx_close(&FX);
	mpx_engine_close(host);
	CASE_END("%s", what);
}

TEST(bpf_and_host_engines_agree)
{
	struct mpx_config cfg;
	cpu_set_t old;

	NEED_ROOT();
	corpus_build(&CORPUS);
	CHECK(CORPUS.n > 500 && CORPUS.dropped == 0,
	      "corpus of %d frames, %d past MAX_CORPUS", CORPUS.n,
	      CORPUS.dropped);
	/* one CPU: the DSS sample count is per CPU in the kernel */
	if (pin_to_this_cpu(&old) < 0) {
		CHECK(0, "cannot pin to a CPU: %s", strerror(errno));
		corpus_free(&CORPUS);
		return;
	}
	compare_engines(&CFG_OPTS, "options only, DSS all");
	compare_engines(&CFG_EVERYTHING, "every kind, DSS all");
	cfg = CFG_EVERYTHING;
	cfg.dss_policy = MPX_DSS_EDGES;
	compare_engines(&cfg, "every kind, DSS edges");
	cfg = CFG_OPTS;
	cfg.dss_policy = MPX_DSS_SAMPLE;
	cfg.dss_sample_n = 5;
	compare_engines(&cfg, "options only, DSS sample:5");
	cfg = CFG_EVERYTHING;
	cfg.emit_mask &=
	    ~(MPX_KIND_BIT(MPX_EV_DSS) | MPX_KIND_BIT(MPX_EV_MP_ERROR) |
	      MPX_KIND_BIT(MPX_EV_SUBFLOW_FIN));
	compare_engines(&cfg, "no DSS, no mp_error, no FIN");
	/* Edges without DSS records: the DSS fast path stands aside (the
	 * full path counts kind_disabled). */
	cfg = CFG_EVERYTHING;
	cfg.dss_policy = MPX_DSS_EDGES;
	cfg.emit_mask &= ~MPX_KIND_BIT(MPX_EV_DSS);
	compare_engines(&cfg, "every kind but DSS, DSS edges");
	sched_setaffinity(0, sizeof(old), &old);
	corpus_free(&CORPUS);
}

TEST_MAIN("test_bpf_prog")
