#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh - `make bench`: what attaching a profiler costs a
# context-switch-heavy server, scorch (both scopes) against `perf record -p`,
# measured in the same run. Writes bench/results.md and prints it.
#
# Each measurement drives examples/echo-server with examples/loadgen for
# BENCH_SECONDS while a profiler is attached (or none, the baseline). The
# configurations are interleaved round by round, so drift in the machine's
# speed hits all of them alike; the table reports medians over BENCH_ROUNDS.
#
# Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS (default 3),
# BENCH_CONNS (default 32).
set -eu
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECONDS:-3}
CONNS=${BENCH_CONNS:-32}
EX=build/examples
OUT=bench/results.md
W=$(mktemp -d /tmp/scorch-bench.XXXXXX)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

if ! command -v perf >/dev/null 2>&1; then
	echo "scorch: bench: perf is not installed (Debian package linux-perf)" >&2
	exit 2
fi

"$EX/echo-server" 0 2 >"$W/server.out" &
server=$!
i=0
while ! grep -q listening "$W/server.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "scorch: bench: echo-server did not start" >&2; exit 2; }
	sleep 0.05
done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/server.out")

CONFIGS="none scorch-cpu-99 scorch-thread-99 perf-99 scorch-cpu-999 scorch-thread-999 perf-999"

# measure CONFIG: one run of loadgen with CONFIG attached; prints req/s.
measure() {
	prof=""
	case $1 in
	none) ;;
	scorch-cpu-*)
		./scorch record -q -p "$server" -F "${1##*-}" --scope cpu \
			-o "$W/s.json" 2>"$W/prof.err" &
		prof=$! ;;
	scorch-thread-*)
		./scorch record -q -p "$server" -F "${1##*-}" --scope thread \
			-o "$W/s.json" 2>"$W/prof.err" &
		prof=$! ;;
	perf-*)
		perf record -q -g -F "${1##*-}" -p "$server" -o "$W/perf.data" \
			2>"$W/prof.err" >/dev/null &
		prof=$! ;;
	esac
	[ -n "$prof" ] && sleep 0.5
	rps=$("$EX/loadgen" "$port" "$CONNS" "$SECS" 2>/dev/null |
		sed -n 's/^requests\/s: //p')
	if [ -n "$prof" ]; then
		kill -INT "$prof" 2>/dev/null || true
		wait "$prof" 2>/dev/null || true
	fi
	echo "${rps:-0}"
}

echo "bench: $ROUNDS rounds x $(echo $CONFIGS | wc -w) configurations, ${SECS}s each, $CONNS connections" >&2
r=1
while [ $r -le "$ROUNDS" ]; do
	for c in $CONFIGS; do
		v=$(measure "$c")
		echo "$c $v" >>"$W/raw"
		printf '  round %d %-18s %s req/s\n' "$r" "$c" "$v" >&2
	done
	r=$((r + 1))
done

median() {
	grep "^$1 " "$W/raw" | awk '{ print $2 }' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

base=$(median none)
{
	echo "# scorch overhead benchmark"
	echo
	echo "Throughput of \`examples/echo-server\` (2 epoll threads, $CONNS"
	echo "connections, ${SECS}s per run, median of $ROUNDS interleaved runs)"
	echo "while a profiler is attached, on $(nproc) CPUs, kernel $(uname -r)."
	echo "Loss is relative to no profiler; the last column compares each"
	echo "scorch loss with perf's at the same rate (lower is better)."
	echo
	echo "| configuration | requests/s | throughput loss | loss vs perf -p |"
	echo "|---|---:|---:|---:|"
	for c in $CONFIGS; do
		m=$(median "$c")
		hz=${c##*-}
		pm=$(median "perf-$hz" 2>/dev/null || echo "")
		awk -v c="$c" -v m="$m" -v b="$base" -v p="$pm" 'BEGIN {
			loss = 100 * (1 - m / b)
			if (c == "none") { printf "| %s | %.0f | - | - |\n", c, m; exit }
			ploss = 100 * (1 - p / b)
			rel = (c ~ /^perf/ || ploss <= 0) ? "-" : sprintf("%.2fx", loss / ploss)
			if (c !~ /^perf/ && loss <= 0) rel = "0 (no measurable loss)"
			printf "| %s | %.0f | %.1f%% | %s |\n", c, m, loss, rel
		}'
	done
	echo
	echo "Raw runs (configuration, requests/s):"
	echo
	echo '```'
	cat "$W/raw"
	echo '```'
} >"$OUT"
cat "$OUT"
