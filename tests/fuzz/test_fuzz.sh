#!/usr/bin/env bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
# The libFuzzer targets (build/fuzz/bin/, `make fuzz-binaries`), briefly:
# for each target, one test fuzzes for FUZZ_SMOKE_SECONDS (10 by default)
# from a fresh corpus of seeds (tests/fuzz/seed_corpus.py) and passes when
# it exits 0 with no crash, leak or timeout file; another runs every input
# of tests/fuzz/regressions/<target>/ and every seed once. T=PATTERN runs
# only the tests whose name contains PATTERN.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-10}
FUZZ_BIN_DIR=${FUZZ_BIN_DIR:-$ROOT/build/fuzz/bin}
REGRESSIONS=$ROOT/tests/fuzz/regressions
cd "$ROOT" || exit 1 # the flags name dictionaries from the top

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mptcp-xdp-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The flags a target is always run with (max_len, dictionary), one file
# per target.
flags() { cat "$ROOT/tests/fuzz/$1.flags"; }

# seeds (set-up, once, when a selected test needs it): every target's
# corpus, from the shared captures and this repository.
seeds() {
	python3 "$ROOT/tests/fuzz/seed_corpus.py" "$tmp/seeds" "$SHARED_PCAPS" \
		>"$tmp/seeds.log" 2>&1 && return 0
	fail seeds "seed_corpus.py failed: $(tail -3 "$tmp/seeds.log")"
	return 1
}

# have TEST TARGET: the binary and the seeds are there, else the test fails.
have() {
	if [ ! -x "$FUZZ_BIN_DIR/$2" ]; then
		fail "$1" "no $FUZZ_BIN_DIR/$2 (make fuzz-binaries)"
		return 1
	fi
	need seeds
}

# smoke TARGET: fuzz a copy of the seeds for the smoke time.
smoke() {
	local t=$1 name=smoke/$1 dir=$tmp/$1 rc artefacts
	have "$name" "$t" || return
	mkdir -p "$dir/art"
	cp -r "$tmp/seeds/$t/corpus" "$dir/corpus"
	# shellcheck disable=SC2046
	"$FUZZ_BIN_DIR/$t" $(flags "$t") -max_total_time="$FUZZ_SMOKE_SECONDS" \
		-timeout=25 -print_final_stats=1 -artifact_prefix="$dir/art/" \
		"$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	artefacts=$(ls "$dir/art")
	if [ "$rc" -eq 0 ] && [ -z "$artefacts" ]; then
		pass "$name"
		[ -z "${VERBOSE:-}" ] || echo "     $t: $(grep -E 'number_of_executed_units|average_exec_per_sec' "$dir/log" | awk '{print $2}' | paste -sd' ') (executions, per second)"
	else
		fail "$name" "exit $rc, artefacts: ${artefacts:-none}; $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$dir/log")"
		# Kept for a look: a finding becomes a file of regressions/.
		mkdir -p "$ROOT/build/fuzz/$t" &&
			cp "$dir/art/"* "$ROOT/build/fuzz/$t/" 2>/dev/null
	fi
}

# replay TARGET: every regression input and every seed, once each.
replay() {
	local t=$1 name=replay/$1 dir=$tmp/$1.replay n=0 rc
	have "$name" "$t" || return
	mkdir -p "$dir"
	if [ -d "$REGRESSIONS/$t" ]; then
		n=$(find "$REGRESSIONS/$t" -type f | wc -l)
	fi
	# shellcheck disable=SC2046
	"$FUZZ_BIN_DIR/$t" $(flags "$t") -runs=0 -timeout=25 \
		-artifact_prefix="$dir/" "$tmp/seeds/$t/corpus" \
		$([ "$n" -gt 0 ] && echo "$REGRESSIONS/$t") >"$dir/log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass "$name"
		[ -z "${VERBOSE:-}" ] || echo "     $t: $n regression input(s), $(find "$tmp/seeds/$t/corpus" -type f | wc -l) seeds"
	else
		fail "$name" "exit $rc; $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$dir/log")"
	fi
}

test_fuzz_parser() { smoke fuzz_parser; }
test_fuzz_correlate() { smoke fuzz_correlate; }
test_fuzz_capture() { smoke fuzz_capture; }
test_regressions_parser() { replay fuzz_parser; }
test_regressions_correlate() { replay fuzz_correlate; }
test_regressions_capture() { replay fuzz_capture; }

run_tests fuzz test_regressions_parser test_regressions_correlate \
	test_regressions_capture test_fuzz_parser test_fuzz_correlate \
	test_fuzz_capture
