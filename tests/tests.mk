# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#
# Test, benchmark and fuzz binaries; included by the Makefile (uses its OUT,
# CC, CLANG, USER_CFLAGS, DEPFLAGS, LDLIBS, LIB_OBJS, SKEL, Q, msg).
# `make test-binaries` builds:
#
#   build/tests/test_parser      host unit tests of the shared parser
#   build/tests/test_crypto      token / IDSN / HMAC vectors
#   build/tests/test_correlate   the correlator and the three writers
#   build/tests/test_corr_stream the correlator's data level: files, gaps, checks
#   build/tests/test_metrics     the Prometheus exposition of a known state
#   build/tests/test_reassembly  data-level reassembly: order, copies, gaps
#   build/tests/test_dss_map     DSS mappings: subflow bytes to DSNs
#   build/tests/test_single_path --single-path writer: read back, tshark, tcpflow
#   build/tests/test_yara_scan   YARA over a stream: split, batch, gap
#   build/tests/test_dss_checksum  the DSS checksum (RFC 8684 3.3.1)
#   build/tests/test_bpf_prog    the BPF object under BPF_PROG_TEST_RUN,
#                                and against the host engine
#   build/tests/*_asan           each unit test under ASan + UBSan
#   build/tests/mptcp_xfer       MPTCP transfer tool for the e2e tests
#   build/tests/gen_hostile      hostile-traffic pcap writer (e2e hostile)
#   build/tests/gen_detect       attack pcap writer (e2e detect)
#   build/tests/foreign_prog     someone else's no-op XDP or TC program,
#                                left attached (e2e live)
#   build/fuzz/bin/fuzz_*        the libFuzzer targets (tests/fuzz/)
#
# A sanitizer binary links a second build of the daemon's objects, made
# with the sanitizer flags in build/san/, so that the code under test is
# instrumented too, not only the test.

TEST_OUT    := $(OUT)/tests
SAN_OUT     := $(OUT)/san
TEST_CFLAGS  = $(USER_CFLAGS) -Itests
# -O1 keeps the sanitizer reports readable; warnings stay errors.
SAN_FLAGS   := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=all
SAN_LIB_OBJS := $(patsubst $(OUT)/%,$(SAN_OUT)/%,$(LIB_OBJS))

# What every test links: the frame builder and the record comparison.
TEST_HELPERS := tests/packet_builder.c tests/record_check.c
TEST_HELPER_OBJS     := $(patsubst %.c,$(OUT)/%.o,$(TEST_HELPERS))
SAN_TEST_HELPER_OBJS := $(patsubst %.c,$(SAN_OUT)/%.o,$(TEST_HELPERS))

UNIT_TESTS  := test_parser test_crypto test_correlate test_corr_stream test_metrics test_reassembly test_dss_map \
               test_dss_checksum test_yara_scan test_single_path test_publish
TEST_BINS   := $(foreach t,$(UNIT_TESTS),$(TEST_OUT)/$(t) $(TEST_OUT)/$(t)_asan) \
               $(TEST_OUT)/test_bpf_prog $(TEST_OUT)/mptcp_xfer \
               $(TEST_OUT)/gen_hostile $(TEST_OUT)/gen_detect \
               $(TEST_OUT)/foreign_prog

.PHONY: test-binaries bench-binaries
test-binaries: $(TEST_BINS)

$(OUT)/tests/%.o: tests/%.c $(SKEL)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(SAN_OUT)/%.o: %.c $(SKEL)
	@mkdir -p $(@D)
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) $(DEPFLAGS) -c $< -o $@

# Unit tests link the daemon's objects but main.o (the parser test needs
# none: the parser is a header, compiled into the test).
$(TEST_OUT)/test_%: $(OUT)/tests/unit/test_%.o $(TEST_HELPER_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(TEST_OUT)/test_%_asan: $(SAN_OUT)/tests/unit/test_%.o $(SAN_TEST_HELPER_OBJS) $(SAN_LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(TEST_OUT)/test_bpf_prog: $(OUT)/tests/bpf/test_bpf_prog.o $(TEST_HELPER_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# libcrypto for the SHA-256 of --sha256-out; nothing else beyond libc.
$(TEST_OUT)/mptcp_xfer: $(OUT)/tests/tools/mptcp_xfer.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcrypto

# Frames from the test builder, written with libpcap, tokens with libcrypto.
$(TEST_OUT)/gen_hostile: $(OUT)/tests/tools/gen_hostile.o $(OUT)/tests/packet_builder.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(TEST_OUT)/gen_detect: $(OUT)/tests/tools/gen_detect.o $(OUT)/tests/packet_builder.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# libbpf only: the program is an inline instruction array.
$(TEST_OUT)/foreign_prog: $(OUT)/tests/tools/foreign_prog.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Benchmark tools (make bench).
bench-binaries: $(TEST_OUT)/xdp_cost $(TEST_OUT)/mptcp_xfer $(TEST_OUT)/conn_memory \
                $(TEST_OUT)/ring_drive $(TEST_OUT)/xdp_profile $(TEST_OUT)/foreign_prog

$(TEST_OUT)/xdp_cost: $(OUT)/tests/bench/xdp_cost.o $(OUT)/tests/bench/bench_frames.o $(OUT)/tests/packet_builder.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(TEST_OUT)/xdp_profile: $(OUT)/tests/bench/xdp_profile.o $(OUT)/tests/bench/bench_frames.o $(OUT)/tests/packet_builder.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(TEST_OUT)/ring_drive: $(OUT)/tests/bench/ring_drive.o $(OUT)/tests/bench/bench_frames.o $(OUT)/tests/packet_builder.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(TEST_OUT)/conn_memory: $(OUT)/tests/bench/conn_memory.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer targets (tests/fuzz/fuzz_*.c), ASan + UBSan: each links the
# daemon's objects rebuilt by clang with the same sanitizers and coverage
# instrumentation (build/fuzz/obj/, an archive, so each target pulls only
# what it uses). Seeds: tests/fuzz/seed_corpus.py, from the shared captures
# and this repository only. `make fuzz` runs every target FUZZ_SECONDS;
# tests/fuzz/test_fuzz.sh (make fuzz-smoke, and make test) FUZZ_SMOKE_SECONDS
# each, then every regression input and seed once.
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_OUT      := $(OUT)/fuzz
FUZZ_TARGETS  := fuzz_parser fuzz_correlate fuzz_capture
FUZZ_BINS     := $(addprefix $(FUZZ_OUT)/bin/,$(FUZZ_TARGETS))
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all \
                 -fno-omit-frame-pointer
FUZZ_CFLAGS    = $(USER_CFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                 -Itests -Itests/fuzz
FUZZ_LIB_OBJS := $(patsubst $(OUT)/%,$(FUZZ_OUT)/obj/%,$(LIB_OBJS))
FUZZ_LIB      := $(FUZZ_OUT)/libmptcp-xdp-fuzz.a
SHARED_PCAPS  ?= ../shared/testdata/pcaps

.PHONY: fuzz-binaries fuzz-seeds fuzz-smoke
fuzz-binaries: $(FUZZ_BINS)
test-binaries: $(FUZZ_BINS) # tests/fuzz/test_fuzz.sh runs them

$(FUZZ_OUT)/obj/%.o: %.c $(SKEL)
	@mkdir -p $(@D)
	$(call msg,CC-FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The targets' own objects are kept (not intermediates to delete).
.SECONDARY: $(patsubst %,$(FUZZ_OUT)/obj/tests/fuzz/%.o,$(FUZZ_TARGETS))
$(FUZZ_OUT)/bin/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# build/fuzz/<target>/corpus/, rebuilt from scratch each time.
fuzz-seeds:
	$(Q)tests/fuzz/seed_corpus.py $(FUZZ_OUT) $(SHARED_PCAPS)

fuzz-smoke: $(FUZZ_BINS)
	$(Q)FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) tests/fuzz/test_fuzz.sh
