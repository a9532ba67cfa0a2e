/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * A plain test runner, in the manner of the kernel's selftests/bpf ASSERT_*
 * helpers: each TEST() is a function; a failed check prints where and what,
 * and marks the test failed without stopping the others. main() comes from
 * TEST_MAIN() and ends with the line "N passed, N failed, N skipped" that
 * tests/run_all.sh adds up.
 *
 * Every check is an expression that is 1 when it held and 0 when it did
 * not, so a test can stop early:
 *
 *	if (!ASSERT_EQ(n, 1))
 *		return;
 *
 * Every check counts; a test that returns without making one (and without
 * SKIP) fails with "made no checks".
 *
 * Which tests run: argv[1] if given, else the environment variable T (what
 * `make test T=PATTERN` exports); a test runs when its TEST() name contains
 * that string (plain substring, case-sensitive). Unset or empty: every test.
 * A pattern that matches nothing runs nothing and prints "0 passed, 0 failed,
 * 0 skipped", exit 0.
 */
#ifndef MPX_TEST_HARNESS_H
#define MPX_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mpx_test {
	const char *name;
	void (*fn)(void);
};

extern int mpx_test_failed_now;
extern int mpx_test_skipped_now;
extern unsigned long mpx_test_checks_now;
extern const char *mpx_test_skip_reason;

/* 1 when cond holds; else prints where and what, marks the test failed,
 * and is 0. */
#define CHECK(cond, fmt, ...)                                                  \
	({                                                                     \
		int mpx_ok_ = !!(cond);                                        \
		mpx_test_checks_now++;                                         \
		if (!mpx_ok_) {                                                \
			fprintf(stderr, "  %s:%d: %s: " fmt "\n", __FILE__,    \
				__LINE__, #cond, ##__VA_ARGS__);               \
			mpx_test_failed_now = 1;                               \
		}                                                              \
		mpx_ok_;                                                       \
	})

#define ASSERT_EQ(a, b)                                                        \
	({                                                                     \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);               \
		CHECK(a_ == b_,                                                \
		      "%s = %" PRIu64 " (0x%" PRIx64 "), want %" PRIu64        \
		      " (0x%" PRIx64 ")",                                      \
		      #a, a_, a_, b_, b_);                                     \
	})

#define ASSERT_STREQ(a, b)                                                     \
	({                                                                     \
		const char *a_ = (a), *b_ = (b);                               \
		CHECK(a_ &&b_ &&strcmp(a_, b_) == 0, "'%s' != '%s'",           \
		      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                 \
	})

#define ASSERT_MEMEQ(a, b, n) CHECK(memcmp((a), (b), (n)) == 0, "bytes differ")

/* Skip the current test: allowed only outside CI (CI=true). */
#define SKIP(reason)                                                           \
	do {                                                                   \
		const char *ci_ = getenv("CI");                                \
		if (ci_ && strcmp(ci_, "true") == 0) {                         \
			fprintf(stderr, "  cannot skip in CI: %s\n", reason);  \
			mpx_test_failed_now = 1;                               \
		} else {                                                       \
			mpx_test_skipped_now = 1;                              \
			mpx_test_skip_reason = reason;                         \
		}                                                              \
		return;                                                        \
	} while (0)

#define TEST(name)                                                             \
	static void name(void);                                                \
	static const struct mpx_test mpx_test_##name                           \
	    __attribute__((used, section("mpx_tests"), aligned(8))) = {#name,  \
								       name};  \
	static void name(void)

extern const struct mpx_test __start_mpx_tests[];
extern const struct mpx_test __stop_mpx_tests[];

#define TEST_MAIN(suite)                                                       \
	int mpx_test_failed_now, mpx_test_skipped_now;                         \
	unsigned long mpx_test_checks_now;                                     \
	const char *mpx_test_skip_reason;                                      \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		int passed = 0, failed = 0, skipped = 0;                       \
		const char *only = argc > 1 ? argv[1] : getenv("T");           \
		for (const struct mpx_test *t = __start_mpx_tests;             \
		     t < __stop_mpx_tests; t++) {                              \
			if (only && *only && strstr(t->name, only) == NULL)    \
				continue;                                      \
			mpx_test_failed_now = mpx_test_skipped_now = 0;        \
			mpx_test_checks_now = 0;                               \
			t->fn();                                               \
			if (!mpx_test_failed_now && !mpx_test_skipped_now &&   \
			    mpx_test_checks_now == 0) {                        \
				failed++;                                      \
				fprintf(stderr,                                \
					"FAIL %s/%s: made no checks\n", suite, \
					t->name);                              \
			} else if (mpx_test_failed_now) {                      \
				failed++;                                      \
				fprintf(stderr, "FAIL %s/%s\n", suite,         \
					t->name);                              \
			} else if (mpx_test_skipped_now) {                     \
				skipped++;                                     \
				fprintf(stderr, "SKIP %s/%s: %s\n", suite,     \
					t->name, mpx_test_skip_reason);        \
			} else {                                               \
				passed++;                                      \
			}                                                      \
		}                                                              \
		printf("%s: %d passed, %d failed, %d skipped\n", suite,        \
		       passed, failed, skipped);                               \
		return failed ? 1 : 0;                                         \
	}

#endif /* MPX_TEST_HARNESS_H */
