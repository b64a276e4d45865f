#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/loadtest/run.sh - profile an HTTP server under load: build
# examples/loadtest/server.c, start it on a free port of 127.0.0.1, drive it
# with wrk, attach `scorch record -p` while the load runs, and write a flame
# graph and a report. It measures requests/s with and without scorch
# attached, in the same run, and prints them side by side.
#
# Usage: examples/loadtest/run.sh [-d SECONDS] [-c CONNECTIONS]
#            [-t WRK_THREADS] [-w SERVER_THREADS] [-F HZ] [-n ROUNDS]
#            [-k HASH_ROUNDS] [-o DIR]
#
# Each round is one wrk run without scorch, then one with scorch attached;
# with several rounds the numbers are medians and the profiles are merged.
# Environment: SCORCH and LOADTEST_SERVER name prebuilt binaries (the tests
# use them; without them the script builds what it needs with make).
# Exit status: 0, or 2 with one line on stderr when something fails.
set -eu

usage() {
	echo "usage: examples/loadtest/run.sh [-d SECONDS] [-c CONNECTIONS] [-t WRK_THREADS]" >&2
	echo "           [-w SERVER_THREADS] [-F HZ] [-n ROUNDS] [-k HASH_ROUNDS] [-o DIR]" >&2
	exit 2
}

die() {
	echo "scorch: loadtest: $*" >&2
	exit 2
}

# A whole number from $3 to $4, or usage.
num() {
	case $2 in '' | *[!0-9]*) die "$1: '$2' is not a whole number" ;; esac
	[ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || die "$1: $2 is not from $3 to $4"
}

secs=10 conns=32 wrk_threads=2 server_threads=2 hz=99 rounds=1
hash_rounds=32 out=loadtest-out
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	-d) num -d "$2" 1 3600 && secs=$2 ;;
	-c) num -c "$2" 1 10000 && conns=$2 ;;
	-t) num -t "$2" 1 64 && wrk_threads=$2 ;;
	-w) num -w "$2" 1 64 && server_threads=$2 ;;
	-F) num -F "$2" 1 10000 && hz=$2 ;;
	-n) num -n "$2" 1 100 && rounds=$2 ;;
	-k) num -k "$2" 1 100000 && hash_rounds=$2 ;;
	-o) out=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ "$conns" -ge "$wrk_threads" ] || die "-c: need at least one connection per wrk thread"

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${LOADTEST_SERVER:-}" ]; then
	make -C "$top" --no-print-directory -s build/examples/loadtest-server
	LOADTEST_SERVER=$top/build/examples/loadtest-server
fi
if [ -z "${SCORCH:-}" ]; then
	[ -x "$top/scorch" ] || make -C "$top" --no-print-directory -s scorch
	SCORCH=$top/scorch
fi
command -v wrk >/dev/null 2>&1 ||
	die "wrk not found (Debian: apt-get install wrk; make installs it)"
if [ "$(id -u)" -ne 0 ] &&
	[ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
	die "perf events need root, CAP_PERFMON or kernel.perf_event_paranoid <= 1"
fi
mkdir -p "$out"

# The server, on a free port; stopped (and its count printed) at exit.
"$LOADTEST_SERVER" -t "$server_threads" 0 >"$out/server.out" 2>"$out/server.err" &
server=$!
rec=""
cleanup() {
	[ -n "$rec" ] && kill "$rec" 2>/dev/null
	kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 2' INT TERM
i=0
while ! grep -q '^listening on ' "$out/server.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] && kill -0 "$server" 2>/dev/null ||
		die "the server did not start: $(cat "$out/server.err")"
	sleep 0.05
done
port=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$out/server.out")
url="http://127.0.0.1:$port/hash/loadtest?rounds=$hash_rounds"

# The server's CPU time so far (user + system), in clock ticks.
server_ticks() {
	# The fields after the ")" that ends the command name: utime is the
	# 12th, stime the 13th.
	sed 's/.*) //' "/proc/$server/stat" | awk '{ print $12 + $13 }'
}

# run_wrk NAME: drive the server for $secs seconds into $out/wrk-NAME.txt;
# sets rps, p50 and p99 (latency in ms) and cpu (the server's CPU
# microseconds per request).
run_wrk() {
	t0=$(server_ticks)
	wrk -t "$wrk_threads" -c "$conns" -d "${secs}s" --latency "$url" \
		>"$out/wrk-$1.txt" 2>&1 || die "wrk failed: $(tail -1 "$out/wrk-$1.txt")"
	t1=$(server_ticks)
	if grep -q 'Non-2xx' "$out/wrk-$1.txt"; then
		die "$(grep 'Non-2xx' "$out/wrk-$1.txt" | sed 's/^ *//') (see $out/wrk-$1.txt)"
	fi
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out/wrk-$1.txt")
	p50=$(awk '$1 == "50%" { print $2 }' "$out/wrk-$1.txt" | ms)
	p99=$(awk '$1 == "99%" { print $2 }' "$out/wrk-$1.txt" | ms)
	[ -n "$rps" ] || die "no Requests/sec in $out/wrk-$1.txt"
	cpu=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
		'/ requests in / { printf "%.2f\n", $1 ? t / hz * 1e6 / $1 : 0 }' \
		"$out/wrk-$1.txt")
}

# wrk's latency ("812.00us", "1.20ms", "2.01s") in milliseconds.
ms() {
	awk '{ v = $1 + 0
		if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /m$/) v *= 60000
		else if ($1 ~ /[0-9]s$/) v *= 1000
		printf "%.2f\n", v }'
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]
		else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "loadtest: server pid $server on 127.0.0.1:$port, $server_threads threads;" \
	"wrk -t $wrk_threads -c $conns -d ${secs}s $url" >&2
wrk -t "$wrk_threads" -c "$conns" -d 1s "$url" >/dev/null 2>&1 ||
	die "wrk could not reach $url"
: >"$out/base.tsv"
: >"$out/scorch.tsv"
r=1
while [ $r -le "$rounds" ]; do
	echo "loadtest: round $r of $rounds: without scorch" >&2
	run_wrk "base-$r"
	printf '%s\t%s\t%s\t%s\n' "$rps" "$p50" "$p99" "$cpu" >>"$out/base.tsv"

	echo "loadtest: round $r of $rounds: scorch record -p $server -F $hz" >&2
	# Attach first (an idle server takes a moment), then load it: the
	# recording covers the whole wrk run and ends just after it.
	"$SCORCH" record -q -p "$server" -F "$hz" -d $((secs + 1)) \
		-o "$out/round-$r.json" 2>"$out/scorch-$r.err" &
	rec=$!
	sleep 0.5
	run_wrk "scorch-$r"
	wait "$rec" || die "scorch record failed: $(cat "$out/scorch-$r.err")"
	rec=""
	printf '%s\t%s\t%s\t%s\n' "$rps" "$p50" "$p99" "$cpu" >>"$out/scorch.tsv"
	cat "$out/scorch-$r.err" >&2
	r=$((r + 1))
done

if [ "$rounds" -eq 1 ]; then
	mv "$out/round-1.json" "$out/loadtest.json"
else
	# shellcheck disable=SC2046
	"$SCORCH" merge $(seq -f "$out/round-%g.json" 1 "$rounds") -o "$out/loadtest.json"
	rm -f "$out"/round-*.json
fi
"$SCORCH" svg "$out/loadtest.json" -o "$out/loadtest.svg" \
	--title "loadtest-server under wrk -c $conns (GET /hash/KEY?rounds=$hash_rounds)"
"$SCORCH" report "$out/loadtest.json" --top 12 -o "$out/report.txt"
"$SCORCH" report "$out/loadtest.json" --top 12 --format markdown -o "$out/report.md"

echo
sed -n '/^Top functions by self samples/,/^$/p' "$out/report.txt"
col() { # col FILE N: the median of column N
	cut -f"$2" "$out/$1.tsv" | median
}
what="one ${secs} s run each"
[ "$rounds" -gt 1 ] && what="medians of $rounds alternating ${secs} s runs"
echo "Requests/s with and without scorch attached ($what):"
awk -v br="$(col base 1)" -v b5="$(col base 2)" -v b9="$(col base 3)" \
	-v bc="$(col base 4)" -v sr="$(col scorch 1)" -v s5="$(col scorch 2)" \
	-v s9="$(col scorch 3)" -v sc="$(col scorch 4)" -v hz="$hz" 'BEGIN {
	f = "  %-24s %10s %8s %8s %11s\n"
	g = "  %-24s %10.1f %6.2fms %6.2fms %11.2f\n"
	printf f, "", "requests/s", "p50", "p99", "CPU us/req"
	printf g, "without scorch", br, b5, b9, bc
	printf g, "scorch record -p, " hz " Hz", sr, s5, s9, sc
	printf "  %-24s %+9.1f%% %8s %8s %+10.1f%%\n", "change",
		(br > 0 ? 100 * (sr - br) / br : 0), "", "",
		(bc > 0 ? 100 * (sc - bc) / bc : 0)
}'
echo "  (CPU us/req: the server's CPU time per request, user + system)"
echo
echo "Flame graph: $out/loadtest.svg (open it in a browser)"
echo "Profile: $out/loadtest.json; report: $out/report.txt, $out/report.md;" \
	"wrk output: $out/wrk-*.txt"
