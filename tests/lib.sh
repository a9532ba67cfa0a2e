# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# Sourced by the shell test suites: pass/fail/skip bookkeeping, a runner for
# named tests, and the closing "suite: N passed, N failed, N skipped" line
# that run_all.sh adds up. A skip is only allowed outside CI (CI=true turns
# it into a failure).
#
# A suite is a set of test functions, test_NAME, run by `run_tests SUITE`
# in definition order. The counts are of checks: pass, fail and skip, each
# one assertion about the tool's behaviour. Set-up (namespaces, captures,
# daemons) never calls pass; on failure it calls fail, and every test that
# needs it then fails too (see need). A test that calls none of pass, fail
# and skip fails with "made no checks".
#
# Which tests run: the environment variable T (`make test T=PATTERN`;
# run_all.sh passes it on), read once here into TEST_FILTER so that a suite
# may use T for something else; TEST_FILTER set by hand wins. A test runs
# when its NAME (the function name without "test_", as printed in FAIL
# lines) contains the pattern: a plain substring, case-sensitive, no glob or
# regex, as in the C suites (TEST() names). Unset or empty: every test. When
# the pattern matches no test the suite runs nothing and
# prints "SUITE: 0 passed, 0 failed, 0 skipped", exit 0.

# The test filter (make test T=PATTERN), read before a suite reuses T for
# its own temporary directory.
TEST_FILTER=${TEST_FILTER-${T:-}}
T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_CURRENT=                 # the test running now
declare -gA T_SETUP_RC=()  # set-up command -> its status, once it ran
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

# selected NAME: true when the test NAME is to run (see TEST_FILTER above).
selected() { [ -z "$TEST_FILTER" ] || [[ $1 == *"$TEST_FILTER"* ]]; }

# list_tests: every function named test_*, in definition order (the
# line it was defined on; functions made by one eval share a line and keep
# the order of their names).
list_tests() {
	local f had
	had=$(shopt -p extdebug)
	shopt -s extdebug
	for f in $(compgen -A function test_); do declare -F "$f"; done |
		sort -k2,2n -k1,1 | awk '{ print $1 }'
	eval "$had"
}

# need SETUP [ARG...]: runs the set-up command SETUP ARG... for the test
# running now, the first time any test needs it (so a set-up that no
# selected test needs never runs), and afterwards returns the status it had.
# A set-up does not call pass; it reports its own failure with fail (or need
# does, if it did not). The tests that need a failed set-up later fail too
# ("needs SETUP, which failed"): they never skip, and never pass without
# having run. Usage, in a test: need SETUP || return
need() {
	local _nd_key="$*" _nd_before=$T_FAILED
	if [ -z "${T_SETUP_RC[$_nd_key]+set}" ]; then
		"$@"
		T_SETUP_RC[$_nd_key]=$?
		if [ "${T_SETUP_RC[$_nd_key]}" -ne 0 ] && [ "$T_FAILED" -eq "$_nd_before" ]; then
			fail "$_nd_key" "set-up failed (status ${T_SETUP_RC[$_nd_key]})"
		fi
		return "${T_SETUP_RC[$_nd_key]}"
	fi
	if [ "${T_SETUP_RC[$_nd_key]}" -ne 0 ]; then
		fail "${T_CURRENT:-$_nd_key}" "needs $_nd_key, which failed"
		return 1
	fi
}

# need_root REASON: in a test, skips it (a failure in CI) unless root.
# Usage: need_root "network namespaces need root" || return
need_root() {
	is_root && return 0
	skip "${T_CURRENT:-root}" "$1"
	return 1
}

# run_tests SUITE [FUNCTION...]: runs the selected tests (the FUNCTIONs
# given, else every test_* function in definition order), each in this
# shell (what a set-up made stays for the next test), then prints the
# summary line. Its status is summary's: non-zero when anything failed.
run_tests() {
	local _rt_suite=$1 _rt_fn _rt_name _rt_before _rt_n=0 _rt_total=0
	shift
	local _rt_fns=("$@")
	[ ${#_rt_fns[@]} -gt 0 ] || mapfile -t _rt_fns < <(list_tests)
	for _rt_fn in "${_rt_fns[@]}"; do
		_rt_name=${_rt_fn#test_}
		_rt_total=$((_rt_total + 1))
		selected "$_rt_name" || continue
		_rt_n=$((_rt_n + 1))
		T_CURRENT=$_rt_name
		[ -z "${VERBOSE:-}" ] || echo "---- $_rt_suite/$_rt_name"
		_rt_before=$((T_PASSED + T_FAILED + T_SKIPPED))
		"$_rt_fn"
		if [ $((T_PASSED + T_FAILED + T_SKIPPED)) -eq "$_rt_before" ]; then
			fail "$_rt_name" "made no checks"
		fi
	done
	T_CURRENT=
	[ -z "$TEST_FILTER" ] || echo "$_rt_suite: T=$TEST_FILTER selects $_rt_n of $_rt_total tests"
	summary "$_rt_suite"
}
