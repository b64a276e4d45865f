#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/run.sh BUILD_DIR... - run the unit tests (cmocka) and the end-to-end
# tests (TAP, tests/e2e/*.sh) against each build, and once the libFuzzer
# targets (tests/fuzz/run.sh, a few seconds each, on build-fuzz/), then
# print one closing line "check: N passed, N failed, N skipped" summed
# over all builds.
#
# The builds' end-to-end suites run side by side (one process each: the
# tests within a suite stay one at a time), their output printed build by
# build when all are done: most tests wait on workloads, recordings of a
# set length and sleeps, so two suites take little more than one. The
# tests that judge real runs' noise wait for each other, or for the
# machine to themselves (see the locks). Every test's time is printed,
# slowest first.
# Exits 1 if anything failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
total_pass=0 total_fail=0 total_skip=0
failures=""
first=${1:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/scorch-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Sanitizer runs: leaks are failures, reports go to stderr, exit code 23.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

# unit_tests BUILD: its cmocka binaries; "pass fail" into $work/BUILD.unit,
# failed binaries into $work/BUILD.failed.
unit_tests() {
	pass=0 fail=0
	echo "== unit tests: $1"
	for t in "$top/$1"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1)
		rc=$?
		printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR|PASSED) ' || true
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		p=${p:-0} f=${f:-0}
		# A crash, a sanitizer report or a leak fails the binary.
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			printf '%s\n' "$out" | tail -30
		fi
		[ "$f" -gt 0 ] && echo "  $1: $(basename "$t")" >>"$work/$1.failed"
		pass=$((pass + p)) fail=$((fail + f))
	done
	echo "$pass $fail" >"$work/$1.unit"
}

# e2e_tests BUILD: the end-to-end tests against BUILD's scorch, output on
# stdout; "pass fail skip" into $work/BUILD.e2e, each test's seconds into
# $work/BUILD.times, failed tests into $work/BUILD.failed.
e2e_tests() {
	pass=0 fail=0 skip=0
	echo "== end-to-end tests: $1"
	for t in "$top"/tests/e2e/*.sh "$top/tests/browser/flame.sh" \
		"$top/tests/fuzz/run.sh"; do
		[ "$(basename "$t")" = lib.sh ] && continue
		# The browser test (headless chromium) and the fuzz targets (their
		# own build, build-fuzz/) run once, on the first build.
		case $t in
		*/browser/flame.sh | */fuzz/run.sh)
			[ "$1" != "$first" ] && continue ;;
		esac
		# One at a time across the suites: record_nomaps.sh sets
		# kernel.perf_event_paranoid to 0 for a while, which the others
		# test the unprivileged refusals and fallbacks under; and the
		# diff tests judge real runs' noise. diff_threads.sh runs with
		# the machine to itself (every other test holds machine.lock
		# shared): its four worker threads on 2 CPUs beside another
		# test scattered their CPU time past fixed work's 8% (fresh10,
		# beside its twin; fresh11, beside the normal build's suite).
		lock=
		case $(basename "$t") in
		record_nomaps.sh | record_lifecycle.sh | record_targets.sh)
			lock="flock $work/paranoid.lock" ;;
		diff.sh | diff_corpus.sh | profile_diff.sh)
			lock="flock $work/diff.lock" ;;
		esac
		case $(basename "$t") in
		diff_threads.sh) lock="flock -x $work/machine.lock $lock" ;;
		*) lock="flock -s $work/machine.lock $lock" ;;
		esac
		command -v flock >/dev/null || lock=
		t0=$(date +%s)
		out=$(SCORCH="$top/$1/scorch" EXAMPLES="$top/build/examples" \
			$lock sh "$t" 2>&1)
		rc=$?
		echo "$(($(date +%s) - t0)) $1/$(basename "$t")" >>"$work/$1.times"
		printf '%s\n' "$out"
		p=$(printf '%s\n' "$out" | grep -c -E '^ok [0-9]+' || true)
		s=$(printf '%s\n' "$out" | grep -c -E '^ok [0-9]+ .*# SKIP' || true)
		f=$(printf '%s\n' "$out" | grep -c -E '^not ok [0-9]+' || true)
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "not ok - $(basename "$t") exited $rc"
			f=1
		fi
		[ "$f" -gt 0 ] && echo "  $1: $(basename "$t")" >>"$work/$1.failed"
		pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	done
	echo "$pass $fail $skip" >"$work/$1.e2e"
}

for build in "$@"; do
	unit_tests "$build"
done
: >"$work/machine.lock"
for build in "$@"; do
	e2e_tests "$build" >"$work/$build.out" 2>&1 &
done
wait
for build in "$@"; do
	cat "$work/$build.out"
	read -r up uf <"$work/$build.unit" || up=0 uf=1
	read -r ep ef es <"$work/$build.e2e" || ep=0 ef=1 es=0
	echo "$build: $((up + ep)) passed, $((uf + ef)) failed, $es skipped"
	total_pass=$((total_pass + up + ep)) total_fail=$((total_fail + uf + ef))
	total_skip=$((total_skip + es))
	[ -f "$work/$build.failed" ] && failures="$failures$(cat "$work/$build.failed")\n"
done
# Where the time goes: every end-to-end test (seconds), slowest first.
printf '== end-to-end tests by time (s):\n'
cat "$work"/*.times 2>/dev/null | sort -rn | sed 's/^/  /'
if [ "$total_fail" -gt 0 ]; then
	printf 'failed:\n%b' "$failures"
fi
echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
