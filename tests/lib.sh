# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# Sourced by the shell test suites: pass/fail/skip bookkeeping and the
# closing "suite: N passed, N failed, N skipped" line that run_all.sh adds
# up. A skip is only allowed outside CI (CI=true turns it into a failure).

# The test filter (make test T=PATTERN), read before a suite reuses T for
# its own temporary directory.
TEST_FILTER=${TEST_FILTER-${T:-}}
T_PASSED=0
T_FAILED=0
T_SKIPPED=0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MPTCP_XDP=${MPTCP_XDP:-$ROOT/build/mptcp-xdp}
SHARED_PCAPS=${SHARED_PCAPS:-$ROOT/../shared/testdata/pcaps}

pass() { T_PASSED=$((T_PASSED + 1)); [ -z "${VERBOSE:-}" ] || echo "ok   $1"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL $1: ${2:-}" >&2; }
skip() {
	if [ "${CI:-}" = true ]; then
		fail "$1" "cannot skip in CI: $2"
	else
		T_SKIPPED=$((T_SKIPPED + 1))
		echo "SKIP $1: $2" >&2
	fi
}
# check NAME COMMAND...: pass when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
summary() {
	echo "$1: $T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	[ "$T_FAILED" -eq 0 ]
}
is_root() { [ "$(id -u)" -eq 0 ]; }
# run_tests SUITE FUNCTION...: runs each test function whose name contains
# TEST_FILTER (all when it is empty), fails one that made no check, then
# prints the summary line.
run_tests() {
	local suite=$1 fn before
	shift
	for fn in "$@"; do
		[ -z "$TEST_FILTER" ] || [[ $fn == *"$TEST_FILTER"* ]] || continue
		before=$((T_PASSED + T_FAILED + T_SKIPPED))
		"$fn"
		[ $((T_PASSED + T_FAILED + T_SKIPPED)) -gt "$before" ] || fail "$fn" "made no checks"
	done
	summary "$suite"
}
