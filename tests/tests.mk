# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#
# Test binaries, included by the Makefile (uses its OUT, CC, USER_CFLAGS,
# LDLIBS, LIB_OBJS, SKEL, USER_HDRS). `make test-binaries` builds them all:
#
#   build/tests/test_parser       host unit tests of the shared parser
#   build/tests/test_parser_asan  the same under ASan + UBSan
#   build/tests/test_bpf_prog     the BPF object under BPF_PROG_TEST_RUN,
#                                 and against the host engine
#   build/tests/mptcp_xfer        MPTCP transfer tool for the e2e tests

TEST_OUT      := $(OUT)/tests
TEST_CFLAGS    = $(USER_CFLAGS) -Itests -Iuser
SAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer \
                 -fno-sanitize-recover=all
TEST_HDRS     := tests/test_harness.h tests/packet_builder.h tests/record_check.h $(USER_HDRS)
PKT_BUILDER   := tests/packet_builder.c
RECORD_CHECK  := tests/record_check.c

TEST_BINS     := $(TEST_OUT)/test_parser $(TEST_OUT)/test_parser_asan \
                 $(TEST_OUT)/test_bpf_prog $(TEST_OUT)/mptcp_xfer

.PHONY: test-binaries
test-binaries: $(TEST_BINS)

# The parser is a header: the unit test compiles it in, no project objects.
$(TEST_OUT)/test_parser: tests/unit/test_parser.c $(PKT_BUILDER) $(RECORD_CHECK) $(TEST_HDRS) | $(TEST_OUT)
	$(CC) $(TEST_CFLAGS) -o $@ tests/unit/test_parser.c $(PKT_BUILDER) $(RECORD_CHECK)

# -O1 keeps the sanitizer reports readable; warnings stay errors.
$(TEST_OUT)/test_parser_asan: tests/unit/test_parser.c $(PKT_BUILDER) $(RECORD_CHECK) $(TEST_HDRS) | $(TEST_OUT)
	$(CC) $(TEST_CFLAGS) -O1 $(SAN_FLAGS) -o $@ tests/unit/test_parser.c \
		$(PKT_BUILDER) $(RECORD_CHECK) $(SAN_FLAGS)

# The skeleton for the BPF object, plus every daemon object but main.o
# (for the host engine, mpx_engine_host_open).
$(TEST_OUT)/test_bpf_prog: tests/bpf/test_bpf_prog.c $(PKT_BUILDER) $(RECORD_CHECK) $(TEST_HDRS) $(SKEL) $(LIB_OBJS) | $(TEST_OUT)
	$(CC) $(TEST_CFLAGS) -o $@ tests/bpf/test_bpf_prog.c $(PKT_BUILDER) $(RECORD_CHECK) \
		$(LIB_OBJS) $(LDLIBS)

$(TEST_OUT)/mptcp_xfer: tests/tools/mptcp_xfer.c | $(TEST_OUT)
	$(CC) $(USER_CFLAGS) -o $@ $<

# Benchmark tools (make bench).
.PHONY: bench-binaries
bench-binaries: $(TEST_OUT)/xdp_cost $(TEST_OUT)/mptcp_xfer

$(TEST_OUT)/xdp_cost: tests/bench/xdp_cost.c $(PKT_BUILDER) $(TEST_HDRS) $(SKEL) $(LIB_OBJS) | $(TEST_OUT)
	$(CC) $(TEST_CFLAGS) -o $@ tests/bench/xdp_cost.c $(PKT_BUILDER) \
		$(LIB_OBJS) $(LDLIBS)

# The Prometheus exposition (pure renderer), plain and under ASan + UBSan.
TEST_BINS += $(TEST_OUT)/test_metrics $(TEST_OUT)/test_metrics_asan
test-binaries: $(TEST_OUT)/test_metrics $(TEST_OUT)/test_metrics_asan

$(TEST_OUT)/test_metrics: tests/unit/test_metrics.c $(TEST_HDRS) $(LIB_OBJS) | $(TEST_OUT)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(TEST_OUT)/test_metrics_asan: tests/unit/test_metrics.c user/metrics_text.c $(TEST_HDRS) $(LIB_OBJS) | $(TEST_OUT)
	$(CC) $(TEST_CFLAGS) -O1 $(SAN_FLAGS) -o $@ tests/unit/test_metrics.c \
		user/metrics_text.c $(filter-out $(OUT)/user/metrics_text.o,$(LIB_OBJS)) \
		$(LDLIBS) $(SAN_FLAGS)
