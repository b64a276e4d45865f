#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/overhead.sh - what attaching a profiler costs a context-switch-heavy
# server, scorch (both scopes) against `perf record -p`, measured in the same
# run. Prints a markdown section on stdout (bench/run.sh collects it).
#
# Each measurement drives examples/echo-server (4 epoll threads, ~35k
# context switches a second) with examples/loadgen for BENCH_SECONDS while a
# profiler is attached, or none (the baseline). Configurations are
# interleaved round by round, so drift in the machine's speed hits all of
# them alike; the table reports medians over BENCH_ROUNDS. Two costs:
#  - throughput loss: requests/s against the baseline's;
#  - server CPU per request: the server's own user+system time divided by
#    the requests it answered. A closed-loop load generator limits
#    throughput too, so this shows the cost where the server pays it.
#
# Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS (default 3),
# BENCH_CONNS (default 32).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECONDS:-3}
CONNS=${BENCH_CONNS:-32}
EX=build/examples
W=$(mktemp -d /tmp/scorch-bench.XXXXXX)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

bench_need_perf

bench_echo_server "$W"
ticks=$(getconf CLK_TCK)


CONFIGS="none scorch-cpu-99 scorch-thread-99 perf-99 scorch-cpu-999 scorch-thread-999 perf-999"

# measure CONFIG: one loadgen run with CONFIG attached. Prints
# "requests/s server-us-per-request profiler-cpu-percent".
measure() {
	prof=""
	case $1 in
	none) ;;
	scorch-cpu-* | scorch-thread-*)
		scope=${1#scorch-}
		scope=${scope%-*}
		./scorch record -q -p "$server" -F "${1##*-}" --scope "$scope" \
			-o "$W/s.json" 2>"$W/prof.err" &
		prof=$! ;;
	perf-*)
		perf record -q -g -F "${1##*-}" -p "$server" -o "$W/perf.data" \
			>/dev/null 2>"$W/prof.err" &
		prof=$! ;;
	esac
	[ -n "$prof" ] && sleep 0.5
	s0=$(cpu_ticks "$server")
	p0=0
	[ -n "$prof" ] && p0=$(cpu_ticks "$prof")
	rps=$("$EX/loadgen" "$port" "$CONNS" "$SECS" 2>/dev/null |
		sed -n 's/^requests\/s: //p')
	s1=$(cpu_ticks "$server")
	p1=0
	[ -n "$prof" ] && p1=$(cpu_ticks "$prof")
	if [ -n "$prof" ]; then
		kill -INT "$prof" 2>/dev/null || true
		wait "$prof" 2>/dev/null || true
	fi
	awk -v r="${rps:-0}" -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v t="$ticks" \
		-v secs="$SECS" 'BEGIN {
		us = r > 0 ? 1e6 * s / t / (r * secs) : 0
		printf "%.0f %.2f %.2f\n", r, us, 100 * p / t / secs }'
}

bench_rounds


base_r=$(median none 2)
base_u=$(median none 3)
{
	echo "## Overhead on a server"
	echo
	echo "\`make bench\`: \`examples/echo-server\` (4 epoll threads) driven by"
	echo "\`examples/loadgen\` ($CONNS connections, ${SECS}s per run) while a"
	echo "profiler is attached; medians of $ROUNDS interleaved runs, on"
	echo "$(nproc) CPUs, kernel $(uname -r). \"vs perf\" divides scorch's"
	echo "cost by \`perf record -g -p\`'s at the same rate."
	echo
	echo "| configuration | requests/s | throughput loss | server CPU µs/request | server CPU added | vs perf (CPU added) | profiler CPU |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for c in $CONFIGS; do
		hz=${c##*-}
		awk -v c="$c" -v r="$(median "$c" 2)" -v u="$(median "$c" 3)" \
			-v p="$(median "$c" 4)" -v br="$base_r" -v bu="$base_u" \
			-v pu="$(median "perf-$hz" 3)" 'BEGIN {
			if (c == "none") {
				printf "| %s | %.0f | - | %.2f | - | - | - |\n", c, r, u
				exit
			}
			loss = 100 * (1 - r / br)
			add = 100 * (u / bu - 1)
			padd = 100 * (pu / bu - 1)
			rel = "-"
			if (c !~ /^perf/)
				rel = padd > 0 ? sprintf("%.2fx", add / padd) : "n/a"
			printf "| %s | %.0f | %.1f%% | %.2f | %+.1f%% | %s | %.1f%% |\n",
				c, r, loss, u, add, rel, p
		}'
	done
	echo
	echo "Raw runs (configuration, requests/s, server CPU µs/request,"
	echo "profiler CPU %):"
	echo
	echo '```'
	cat "$W/raw"
	echo '```'
}
