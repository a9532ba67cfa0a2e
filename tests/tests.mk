# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#
# Test, benchmark and fuzz binaries; included by the Makefile (uses its OUT,
# CC, CLANG, USER_CFLAGS, DEPFLAGS, LDLIBS, LIB_OBJS, SKEL, Q, msg).
# `make test-binaries` builds:
#
#   build/tests/test_parser      host unit tests of the shared parser
#   build/tests/test_crypto      token / IDSN / HMAC vectors
#   build/tests/test_correlate   the correlator and the three writers
#   build/tests/test_metrics     the Prometheus exposition of a known state
#   build/tests/test_bpf_prog    the BPF object under BPF_PROG_TEST_RUN,
#                                and against the host engine
#   build/tests/*_asan           each unit test under ASan + UBSan
#   build/tests/mptcp_xfer       MPTCP transfer tool for the e2e tests
#   build/tests/gen_hostile      hostile-traffic pcap writer (e2e hostile)
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

UNIT_TESTS  := test_parser test_crypto test_correlate test_metrics
TEST_BINS   := $(foreach t,$(UNIT_TESTS),$(TEST_OUT)/$(t) $(TEST_OUT)/$(t)_asan) \
               $(TEST_OUT)/test_bpf_prog $(TEST_OUT)/mptcp_xfer \
               $(TEST_OUT)/gen_hostile

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

$(TEST_OUT)/mptcp_xfer: $(OUT)/tests/tools/mptcp_xfer.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

# Frames from the test builder, written with libpcap, tokens with libcrypto.
$(TEST_OUT)/gen_hostile: $(OUT)/tests/tools/gen_hostile.o $(OUT)/tests/packet_builder.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Benchmark tools (make bench).
bench-binaries: $(TEST_OUT)/xdp_cost $(TEST_OUT)/mptcp_xfer

$(TEST_OUT)/xdp_cost: $(OUT)/tests/bench/xdp_cost.o $(OUT)/tests/packet_builder.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer on the shared parser, seeded with real frames; ASan + UBSan.
FUZZ_SECONDS ?= 60
FUZZ_BIN     := $(OUT)/fuzz/fuzz_parser
FUZZ_LIB_SRCS := user/engine/host_flow_table.c user/keyed_hash.c
$(FUZZ_BIN): tests/fuzz/fuzz_parser.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(WARNFLAGS) $(DEPFLAGS) -Iinclude -Ibpf -Iuser \
		-o $@ $^ -lsodium -lpthread
