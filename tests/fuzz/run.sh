#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh [BUILD_DIR [TARGET...]] - run each libFuzzer target
# (default: every tests/fuzz/fuzz_*.c) from its committed seed corpus
# (tests/fuzz/corpus/NAME/, never written to) for FUZZ_SECONDS (default 5),
# with bounded inputs, memory and time per input, so a hang or a blow-up is
# a failure like a crash. One TAP line per target. A failing input is kept
# in BUILD_DIR/crashes/; reproduce with `BUILD_DIR/TARGET FILE`. Each
# format's tokens are in tests/fuzz/dict/.
#   FUZZ_SECONDS  run time per target (make check: 5; make fuzz: 60)
#   FUZZ_SEED     libFuzzer's seed (default 1: the same run each time;
#                 0 picks a new one)
#   FUZZ_MAX_LEN  the largest input in bytes (default 16384)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-${FUZZ_DIR:-$top/build-fuzz}}
[ $# -gt 0 ] && shift
secs=${FUZZ_SECONDS:-5}
seed=${FUZZ_SEED:-1}
max_len=${FUZZ_MAX_LEN:-16384}
targets=$*
if [ -z "$targets" ]; then
	for src in "$top"/tests/fuzz/fuzz_*.c; do
		targets="$targets $(basename "$src" .c)"
	done
fi

# Leaks are failures; the first report stops the run.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

work=$(mktemp -d /tmp/scorch-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

n=0 failed=0
for t in $targets; do
	n=$((n + 1))
	bin=$dir/$t
	seeds=$top/tests/fuzz/corpus/${t#fuzz_}
	# Tokens of the format (tests/fuzz/dict/), shared by a round trip.
	case $t in
	*json) dict=$top/tests/fuzz/dict/json.dict ;;
	*folded) dict=$top/tests/fuzz/dict/folded.dict ;;
	*) dict=$top/tests/fuzz/dict/${t#fuzz_}.dict ;;
	esac
	[ -f "$dict" ] && dict=-dict=$dict || dict=
	if [ ! -x "$bin" ]; then
		echo "ok $n - fuzz: $t # SKIP not built ($bin: make fuzz-build)"
		continue
	fi
	# New inputs go to a scratch corpus; the committed one only seeds.
	mkdir -p "$work/$t"
	TMPDIR=$work "$bin" -max_total_time="$secs" -seed="$seed" \
		-max_len="$max_len" -rss_limit_mb=1024 -malloc_limit_mb=1024 \
		-timeout=10 -print_final_stats=1 $dict \
		-artifact_prefix="$work/$t/crash-" "$work/$t" "$seeds" \
		>"$work/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - fuzz: $t: ${runs:-?} inputs in ${secs}s"
		continue
	fi
	failed=1
	echo "not ok $n - fuzz: $t (exit $rc)"
	mkdir -p "$dir/crashes"
	for c in "$work/$t"/crash-*; do
		[ -e "$c" ] || continue
		cp "$c" "$dir/crashes/$t-$(basename "$c")"
		echo "#   input kept: $dir/crashes/$t-$(basename "$c")"
	done
	grep -E 'ERROR|SUMMARY|fuzz:|^    #[0-9]+ .* in [a-z_]+ /' "$work/$t.log" | head -12 |
		sed 's/^/#   /'
done
echo "1..$n"
exit "$failed"
