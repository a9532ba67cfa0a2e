# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#
# Correlator test binaries, included by the Makefile after tests/tests.mk
# (uses OUT, CC, USER_CFLAGS, LDLIBS, LIB_OBJS, USER_HDRS, SKEL). `make
# test-binaries-correlate` builds:
#
#   build/tests/test_crypto          token / IDSN / HMAC vectors
#   build/tests/test_crypto_asan     the same under ASan + UBSan
#   build/tests/test_correlate       the correlator and the three writers,
#                                    driven by synthetic records
#   build/tests/test_correlate_asan  the same under ASan + UBSan
#
# Both link the daemon's objects ($(LIB_OBJS): everything in build/user/
# but main.o). The sanitizer variants compile those sources again with the
# sanitizer flags into build/tests/corr_san/, so that the code under test is
# instrumented too, not only the test.

CORR_TEST_OUT  := $(OUT)/tests
CORR_SAN_OUT   := $(CORR_TEST_OUT)/corr_san
CORR_CFLAGS     = $(USER_CFLAGS) -Itests -Iuser
CORR_SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
                  -fno-sanitize-recover=all
CORR_HDRS      := tests/test_harness.h $(USER_HDRS)
CORR_SAN_OBJS  := $(patsubst $(OUT)/user/%.o,$(CORR_SAN_OUT)/%.o,$(LIB_OBJS))

CORR_BINS      := $(CORR_TEST_OUT)/test_crypto $(CORR_TEST_OUT)/test_crypto_asan \
                  $(CORR_TEST_OUT)/test_correlate $(CORR_TEST_OUT)/test_correlate_asan

.PHONY: test-binaries-correlate
test-binaries-correlate: $(CORR_BINS)

$(CORR_SAN_OUT):
	@mkdir -p $@

$(CORR_TEST_OUT)/test_crypto: tests/unit/test_crypto.c $(CORR_HDRS) $(LIB_OBJS) | $(CORR_TEST_OUT)
	$(CC) $(CORR_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(CORR_TEST_OUT)/test_correlate: tests/unit/test_correlate.c $(CORR_HDRS) $(LIB_OBJS) | $(CORR_TEST_OUT)
	$(CC) $(CORR_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# -O1 keeps the sanitizer reports readable; warnings stay errors.
$(CORR_SAN_OUT)/%.o: user/%.c $(USER_HDRS) $(SKEL) | $(CORR_SAN_OUT)
	$(CC) $(CORR_CFLAGS) -O1 $(CORR_SAN_FLAGS) -c $< -o $@

$(CORR_TEST_OUT)/test_crypto_asan: tests/unit/test_crypto.c $(CORR_HDRS) $(CORR_SAN_OBJS) | $(CORR_TEST_OUT)
	$(CC) $(CORR_CFLAGS) -O1 $(CORR_SAN_FLAGS) -o $@ $< $(CORR_SAN_OBJS) \
		$(LDLIBS) $(CORR_SAN_FLAGS)

$(CORR_TEST_OUT)/test_correlate_asan: tests/unit/test_correlate.c $(CORR_HDRS) $(CORR_SAN_OBJS) | $(CORR_TEST_OUT)
	$(CC) $(CORR_CFLAGS) -O1 $(CORR_SAN_FLAGS) -o $@ $< $(CORR_SAN_OBJS) \
		$(LDLIBS) $(CORR_SAN_FLAGS)
