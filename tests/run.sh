#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/run.sh BUILD_DIR... - run the unit tests (cmocka) and the end-to-end
# tests (TAP, tests/e2e/*.sh) against each build, and once the libFuzzer
# targets (tests/fuzz/run.sh, a few seconds each, on build-fuzz/), then
# print one closing line "check: N passed, N failed, N skipped" summed
# over all builds.
# Exits 1 if anything failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
total_pass=0 total_fail=0 total_skip=0
failures=""
times=""
first=${1:-}

# Sanitizer runs: leaks are failures, reports go to stderr, exit code 23.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

for build in "$@"; do
	pass=0 fail=0 skip=0
	echo "== unit tests: $build"
	for t in "$top/$build"/tests/test_*; do
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
		[ "$f" -gt 0 ] && failures="$failures\n  $build: $(basename "$t")"
		pass=$((pass + p)) fail=$((fail + f))
	done
	echo "== end-to-end tests: $build"
	for t in "$top"/tests/e2e/*.sh "$top/tests/browser/flame.sh" \
		"$top/tests/fuzz/run.sh"; do
		[ "$(basename "$t")" = lib.sh ] && continue
		# The browser test (headless chromium) and the fuzz targets (their
		# own build, build-fuzz/) run once, on the first build.
		case $t in
		*/browser/flame.sh | */fuzz/run.sh)
			[ "$build" != "$first" ] && continue ;;
		esac
		t0=$(date +%s)
		out=$(SCORCH="$top/$build/scorch" EXAMPLES="$top/build/examples" \
			sh "$t" 2>&1)
		rc=$?
		times="$times$(($(date +%s) - t0)) $build/$(basename "$t")\n"
		printf '%s\n' "$out"
		p=$(printf '%s\n' "$out" | grep -c -E '^ok [0-9]+' || true)
		s=$(printf '%s\n' "$out" | grep -c -E '^ok [0-9]+ .*# SKIP' || true)
		f=$(printf '%s\n' "$out" | grep -c -E '^not ok [0-9]+' || true)
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "not ok - $(basename "$t") exited $rc"
			f=1
		fi
		[ "$f" -gt 0 ] && failures="$failures\n  $build: $(basename "$t")"
		pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	done
	echo "$build: $pass passed, $fail failed, $skip skipped"
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done
# Where the time goes: the slowest end-to-end tests (seconds).
printf '== slowest end-to-end tests (s):\n'
printf '%b' "$times" | sort -rn | head -12 | sed 's/^/  /'
if [ "$total_fail" -gt 0 ]; then
	printf 'failed:%b\n' "$failures"
fi
echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
