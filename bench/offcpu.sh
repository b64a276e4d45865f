#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/offcpu.sh - what `record --off-cpu` costs a context-switch-heavy
# server: scorch without it, with it (-g dwarf, the default, and -g fp),
# and perf's nearest equivalents on this machine, measured in the same run
# (this perf has no --off-cpu: it needs a BPF skeleton). `perf record -e
# context-switches -c 1 -g` samples every switch-out as scorch does (perf's
# default for the event is 4000 samples a second, not every switch) but
# weighs nothing; `perf record -e dummy --switch-events` only writes a
# record at every switch, the least any tool that times every switch
# without BPF pays. Prints markdown sections on stdout (bench/run.sh
# collects them).
#
# Second section: the cost of one switch, from examples/pingpong (two
# threads passing a byte on one CPU: its CPU time is nearly all switching,
# and what a profiler does at each switch runs in its context), measured
# by the program itself under each profiler, without a load generator's
# noise.
#
# Each measurement drives examples/echo-server (4 epoll threads, tens of
# thousands of context switches a second) with examples/loadgen for
# BENCH_SECONDS while a profiler is attached with -p, or none (the
# baseline). Configurations are interleaved round by round; the table
# reports medians over BENCH_ROUNDS: throughput against the baseline's, the
# profiler's own CPU, and for scorch --off-cpu the switches it weighed and
# the ones it could not (lost records, counted, never dropped silently).
#
# Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS (default 3),
# BENCH_CONNS (default 32), BENCH_OFFCPU_CONFIGS (the configurations).
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


CONFIGS=${BENCH_OFFCPU_CONFIGS:-"none scorch scorch-offcpu scorch-offcpu-2k scorch-offcpu-fp scorch-offcpu-thread perf-switch perf-cs perf-cs-dwarf"}

# meta KEY: an integer of the last scorch profile's metadata (0: none).
meta() {
	sed -n "s/^ *\"$1\": *\([0-9]*\),*$/\1/p" "$W/s.json" 2>/dev/null |
		head -1 | grep . || echo 0
}

# measure CONFIG: one loadgen run with CONFIG attached. Prints
# "requests/s server-us-per-request profiler-cpu-percent switches-weighed
# switches-not-weighed records-lost".
measure() {
	prof=""
	rm -f "$W/s.json"
	case $1 in
	none) ;;
	scorch)
		./scorch record -q -p "$server" -o "$W/s.json" 2>"$W/prof.err" &
		prof=$! ;;
	scorch-offcpu)
		./scorch record -q --off-cpu -p "$server" -o "$W/s.json" \
			2>"$W/prof.err" &
		prof=$! ;;
	scorch-offcpu-fp)
		./scorch record -q --off-cpu -g fp -p "$server" \
			-o "$W/s.json" 2>"$W/prof.err" &
		prof=$! ;;
	scorch-offcpu-2k)
		./scorch record -q --off-cpu --off-cpu-stack-size 2K \
			-p "$server" -o "$W/s.json" 2>"$W/prof.err" &
		prof=$! ;;
	scorch-offcpu-thread)
		./scorch record -q --off-cpu --scope thread -p "$server" \
			-o "$W/s.json" 2>"$W/prof.err" &
		prof=$! ;;
	perf-switch)
		perf record -q -e dummy --switch-events -p "$server" \
			-o "$W/perf.data" >/dev/null 2>"$W/prof.err" &
		prof=$! ;;
	perf-cs)
		perf record -q -e context-switches -c 1 -g -p "$server" \
			-o "$W/perf.data" >/dev/null 2>"$W/prof.err" &
		prof=$! ;;
	perf-cs-dwarf)
		perf record -q -e context-switches -c 1 --call-graph dwarf \
			--switch-events -p "$server" -o "$W/perf.data" \
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
	weighed=$(($(meta off_cpu_switches) + $(meta off_cpu_open) + $(meta off_cpu_before)))
	missed=$(($(meta off_cpu_unmatched) + $(meta off_cpu_no_switch_in)))
	awk -v r="${rps:-0}" -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v t="$ticks" \
		-v secs="$SECS" -v w="$weighed" -v m="$missed" -v l="$(meta lost)" '
	BEGIN {
		us = r > 0 ? 1e6 * s / t / (r * secs) : 0
		printf "%.0f %.2f %.2f %d %d %d\n", r, us, 100 * p / t / secs,
			w, m, l
	}'
}

bench_rounds

base_r=$(median none 2)
base_u=$(median none 3)
{
	echo "## Off-CPU overhead on a server"
	echo
	echo "\`make bench\` (\`BENCH=offcpu\`): \`examples/echo-server\` (4 epoll"
	echo "threads) driven by \`examples/loadgen\` ($CONNS connections, ${SECS}s per"
	echo "run) while a profiler is attached with \`-p\`; medians of $ROUNDS"
	echo "interleaved runs, on $(nproc) CPUs, kernel $(uname -r). scorch runs"
	echo "at its defaults (99 Hz, cpu scope, \`-g dwarf\`, 8 KiB stack copy"
	echo "per switch-out). perf-cs is \`perf record -e context-switches -c 1 -g\`"
	echo "(every switch-out sampled, frame pointers), perf-cs-dwarf"
	echo "\`... -c 1 --call-graph dwarf --switch-events\` (what scorch's default"
	echo "asks of the kernel: every switch-out with a stack copy, and the"
	echo "switch records that time it); perf weighs nothing. perf-switch is"
	echo "\`perf record -e dummy --switch-events\`: a record at every switch"
	echo "and nothing else, the least a tool timing every switch without BPF"
	echo "pays. This perf has no \`--off-cpu\` (it needs BPF)."
	echo "\"switches weighed\" and \"not weighed\" are scorch's counters"
	echo "(docs/FORMAT.md, \"Values\"): a switch it could not weigh is"
	echo "counted there, never dropped silently."
	echo
	echo "| configuration | requests/s | throughput loss | server CPU µs/request | server CPU added | profiler CPU | switches weighed | not weighed | records lost |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for c in $CONFIGS; do
		awk -v c="$c" -v r="$(median "$c" 2)" -v u="$(median "$c" 3)" \
			-v p="$(median "$c" 4)" -v w="$(median "$c" 5)" \
			-v m="$(median "$c" 6)" -v l="$(median "$c" 7)" \
			-v br="$base_r" -v bu="$base_u" 'BEGIN {
			if (c == "none") {
				printf "| %s | %.0f | - | %.2f | - | - | - | - | - |\n",
					c, r, u
				exit
			}
			sw = c ~ /offcpu/ ? sprintf("%.0f | %.0f", w, m) : "- | -"
			lo = c ~ /^scorch/ ? sprintf("%.0f", l) : "-"
			printf "| %s | %.0f | %.1f%% | %.2f | %+.1f%% | %.1f%% | %s | %s |\n",
				c, r, 100 * (1 - r / br), u, 100 * (u / bu - 1), p,
				sw, lo
		}'
	done
	echo
	echo "Raw runs (configuration, requests/s, server CPU µs/request,"
	echo "profiler CPU %, switches weighed, not weighed, records lost):"
	echo
	echo '```'
	cat "$W/raw"
	echo '```'
}

# The cost of one switch: examples/pingpong under each profiler (as its
# command), interleaved round by round; its own CPU per switch.
PP_CONFIGS=${BENCH_PINGPONG_CONFIGS:-"none scorch-offcpu scorch-offcpu-fp scorch-offcpu-2k perf-switch perf-cs-nocg perf-cs perf-cs-dwarf perf-cs-dwarf-switch perf-cs-dwarf-switch-user perf-cs-4khz"}
PP_TRIPS=${BENCH_PINGPONG_TRIPS:-100000}

# pingpong CONFIG: one run of pingpong under CONFIG; prints its µs of CPU
# per switch.
pingpong() {
	pp="$EX/pingpong $PP_TRIPS"
	sr="./scorch record -q --off-cpu -o $W/pp.json"
	pr="perf record -q -o $W/pp.data"
	case $1 in
	none) out=$($pp) ;;
	scorch-offcpu) out=$($sr -- $pp) ;;
	scorch-offcpu-fp) out=$($sr -g fp -- $pp) ;;
	scorch-offcpu-2k) out=$($sr --off-cpu-stack-size 2K -- $pp) ;;
	perf-switch) out=$($pr -e dummy --switch-events -- $pp) ;;
	perf-cs-nocg) out=$($pr -e context-switches -c 1 -- $pp) ;;
	perf-cs) out=$($pr -e context-switches -c 1 -g -- $pp) ;;
	perf-cs-dwarf) out=$($pr -e context-switches -c 1 --call-graph dwarf -- $pp) ;;
	perf-cs-dwarf-switch) out=$($pr -e context-switches -c 1 --call-graph dwarf --switch-events -- $pp) ;;
	perf-cs-dwarf-switch-user) out=$($pr -e context-switches -c 1 --call-graph dwarf --switch-events --user-callchains -- $pp) ;;
	perf-cs-4khz) out=$($pr -e context-switches -g -- $pp) ;;
	esac 2>/dev/null
	echo "$out" | sed -n 's/.*switches, \([0-9.]*\) us CPU per switch/\1/p'
}

bench_rounds pingpong "$PP_CONFIGS" "$W/pp.raw"
base=$(median none 2 "$W/pp.raw")
{
	echo
	echo "## Off-CPU cost per switch"
	echo
	echo "\`make bench\` (\`BENCH=offcpu\`): \`examples/pingpong $PP_TRIPS\` (two"
	echo "threads passing a byte over pipes on one CPU, $((2 * PP_TRIPS)) switches) run as"
	echo "each profiler's command; the program's own CPU time per switch,"
	echo "medians of $ROUNDS interleaved runs. What a profiler does at a switch"
	echo "runs in the switching thread, so the added µs is the price of one"
	echo "switch, free of the load generator's noise. scorch-offcpu is the"
	echo "default (\`-g dwarf\`, 8 KiB stack copy, kernel callchain, switch"
	echo "records); perf-cs-dwarf-switch asks the kernel for the same,"
	echo "and -user the same without the kernel callchain (\`--user-callchains\`);"
	echo "perf-switch only times every switch (no stack): the floor without"
	echo "BPF; perf-cs-4khz is perf's default for the event (4000 samples a"
	echo "second per thread and CPU, not every switch)."
	echo
	echo "| configuration | µs CPU per switch | added per switch | of scorch-offcpu's |"
	echo "|---|---:|---:|---:|"
	sc=$(median scorch-offcpu 2 "$W/pp.raw")
	for c in $PP_CONFIGS; do
		awk -v c="$c" -v u="$(median "$c" 2 "$W/pp.raw")" -v b="$base" \
			-v s="$sc" 'BEGIN {
			if (c == "none") {
				printf "| %s | %.2f | - | - |\n", c, u
				exit
			}
			printf "| %s | %.2f | %+.2f µs | %.0f%% |\n", c, u, u - b,
				(s > b ? 100 * (u - b) / (s - b) : 0)
		}'
	done
	echo
	echo "Raw runs (configuration, µs CPU per switch):"
	echo
	echo '```'
	cat "$W/pp.raw"
	echo '```'
}
