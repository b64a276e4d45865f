#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/matrix.sh - the toolchain matrix against perf: every binary of
# examples/matrix/matrix.list (built by make matrix) recorded by scorch
# with its defaults (-g dwarf, 99 Hz) and by perf record --call-graph
# dwarf -F 99, one after the other in the same run, for
# BENCH_MATRIX_SECONDS of CPU time (default 5). Both profiles are read by
# the same checker, examples/matrix/check.awk (perf's through
# bench/perf-folded.awk): of the samples of the chain's leaf, the share
# that reach the root and read the whole chain, and the samples that name
# a wrong caller for a frame of the chain. Prints a markdown section on
# stdout (bench/run.sh collects it).
set -eu
cd "$(dirname "$0")/.."

SECS=${BENCH_MATRIX_SECONDS:-5}
MX=build/examples/matrix
W=$(mktemp -d /tmp/scorch-bench-matrix.XXXXXX)
trap 'rm -rf "$W"' EXIT

if ! command -v perf >/dev/null 2>&1; then
	echo "scorch: bench: perf is not installed (Debian package linux-perf)" >&2
	exit 2
fi

# row NAME ROOT CHAIN FILE: "leaf whole wrong total" of folded FILE.
row() {
	awk -v root="$2" -v chain="$3" -f examples/matrix/check.awk "$4" \
		2>/dev/null
}

grep -v '^#' examples/matrix/matrix.list | while read -r bin root chain pkg what; do
	[ -n "$bin" ] || continue
	if [ ! -x "$MX/$bin" ]; then
		echo "$bin|$what|not built: $pkg not installed" >>"$W/rows"
		continue
	fi
	./scorch record -q -o "$W/s.json" -- "$MX/$bin" "$SECS" >/dev/null 2>&1 || true
	./scorch fold "$W/s.json" >"$W/s.folded" 2>/dev/null || : >"$W/s.folded"
	perf record -q --call-graph dwarf -F 99 -o "$W/p.data" -- \
		"$MX/$bin" "$SECS" >/dev/null 2>&1 || true
	perf script -i "$W/p.data" -F comm,ip,sym --no-inline 2>/dev/null |
		awk -f bench/perf-folded.awk >"$W/p.folded"
	s=$(row "$bin" "$root" "$chain" "$W/s.folded")
	p=$(row "$bin" "$root" "$chain" "$W/p.folded")
	echo "  $bin: scorch $s, perf $p" >&2
	echo "$bin|$what|$s|$p" >>"$W/rows"
done

echo "## Toolchain matrix: whole stacks, scorch against perf"
echo
echo "Each binary of \`examples/matrix/matrix.list\` (\`make matrix\`: -O2 -g,"
echo "no frame pointers; the chain main;drive;crunch;step, in Go and Rust"
echo "under their runtimes' names) recorded for ${SECS}s of CPU by \`scorch"
echo "record\` with its defaults (-g dwarf, 99 Hz) and by \`perf record"
echo "--call-graph dwarf -F 99\` + \`perf script\`, one after the other."
echo "\"reach\" is the share of the samples of the leaf (step) whose stack"
echo "starts at the root (\`_start\`; Go: \`runtime.goexit\`) and reads the"
echo "whole chain in order; \"wrong\" counts samples that name a wrong caller"
echo "for a frame of the chain (examples/matrix/check.awk reads both)."
echo
echo "| binary | built by | scorch leaf samples | scorch reach | scorch wrong | perf leaf samples | perf reach | perf wrong |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
awk -F'|' '{
	if (NF < 4) { printf "| %s | %s | %s | | | | | |\n", $1, $2, $3; next }
	split($3, s, " "); split($4, p, " ")
	printf "| %s | %s | %d | %.1f%% | %d | %d | %.1f%% | %d |\n", $1, $2,
		s[1], s[1] ? 100 * s[2] / s[1] : 0, s[3],
		p[1], p[1] ? 100 * p[2] / p[1] : 0, p[3]
}' "$W/rows"
