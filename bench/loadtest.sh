#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/loadtest.sh - what attaching scorch costs the HTTP server of
# examples/loadtest under wrk, against `perf record -g -p` at the same
# rates, measured in the same run. Prints a markdown section on stdout
# (bench/run.sh collects it), progress on stderr.
#
# Configurations are interleaved round by round, so drift in the machine's
# speed hits all of them alike; the table reports medians over
# BENCH_ROUNDS. The cost that matters is the server's CPU time per request
# (user + system, from /proc/PID/stat): wrk shares the CPUs with the
# server, so requests/s also moves with wrk and with anything else on the
# machine.
#
# Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS (default 5),
# BENCH_CONNS (default 32).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-32}
W=$(mktemp -d /tmp/scorch-bench.XXXXXX)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

for tool in perf wrk; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "scorch: bench: $tool is not installed (scripts/deps.sh installs it)" >&2
		exit 2
	fi
done
build/examples/loadtest-server 0 >"$W/server.out" 2>/dev/null &
server=$!
i=0
while ! grep -q listening "$W/server.out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		echo "scorch: bench: loadtest-server did not start" >&2
		exit 2
	fi
	sleep 0.05
done
url="http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1://p' "$W/server.out")/hash/bench?rounds=32"
ticks=$(getconf CLK_TCK)
wrk -t 2 -c "$CONNS" -d 1s "$url" >/dev/null


CONFIGS="none scorch-99 perf-99 scorch-999 perf-999"

# measure CONFIG: one wrk run with CONFIG attached. Prints
# "requests/s server-us-per-request".
measure() {
	prof=""
	case $1 in
	none) ;;
	scorch-*)
		./scorch record -q -p "$server" -F "${1##*-}" -o "$W/s.json" \
			2>"$W/prof.err" &
		prof=$! ;;
	perf-*)
		perf record -q -g -F "${1##*-}" -p "$server" -o "$W/perf.data" \
			>/dev/null 2>"$W/prof.err" &
		prof=$! ;;
	esac
	[ -n "$prof" ] && sleep 0.5
	s0=$(cpu_ticks "$server")
	wrk -t 2 -c "$CONNS" -d "${SECS}s" "$url" >"$W/wrk.out"
	s1=$(cpu_ticks "$server")
	if [ -n "$prof" ]; then
		kill -INT "$prof" 2>/dev/null || true
		wait "$prof" 2>/dev/null || true
	fi
	awk -v s=$((s1 - s0)) -v t="$ticks" '
	/ requests in / { n = $1 }
	/^Requests\/sec:/ { r = $2 }
	END { printf "%.0f %.2f\n", r, (n > 0 ? 1e6 * s / t / n : 0) }' "$W/wrk.out"
}

bench_rounds


base_r=$(median none 2)
base_u=$(median none 3)
echo "## Overhead on an HTTP server under wrk"
echo
echo "\`make bench\`: \`examples/loadtest\`'s server (2 epoll threads, SHA-256"
echo "of a key 32 times per request) under \`wrk -t 2 -c $CONNS\`, ${SECS}s per"
echo "run, while a profiler is attached; medians of $ROUNDS interleaved runs,"
echo "on $(nproc) CPUs, kernel $(uname -r). \"vs perf\" divides scorch's added"
echo "server CPU by \`perf record -g -p\`'s at the same rate."
echo
echo "| configuration | requests/s | change | server CPU µs/request | server CPU added | vs perf |"
echo "|---|---:|---:|---:|---:|---:|"
for c in $CONFIGS; do
	hz=${c##*-}
	awk -v c="$c" -v r="$(median "$c" 2)" -v u="$(median "$c" 3)" \
		-v br="$base_r" -v bu="$base_u" -v pu="$(median "perf-$hz" 3)" 'BEGIN {
		if (c == "none") {
			printf "| no profiler | %.0f | - | %.2f | - | - |\n", r, u
			exit
		}
		add = 100 * (u / bu - 1)
		padd = 100 * (pu / bu - 1)
		rel = "-"
		if (c !~ /^perf/)
			rel = padd > 0 ? sprintf("%.2fx", add / padd) : "n/a"
		printf "| %s Hz | %.0f | %+.1f%% | %.2f | %+.1f%% | %s |\n",
			c, r, 100 * (r / br - 1), u, add, rel
	}'
done
echo
echo "Raw runs (configuration, requests/s, server CPU µs/request):"
echo
echo '```'
cat "$W/raw"
echo '```'
