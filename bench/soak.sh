#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/soak.sh - `make soak` (not part of `make check` or `make bench`): one
# long recording at a high rate of examples/loadtest's HTTP server under wrk,
# checking that scorch's memory stays flat, that lost samples are counted and
# that the profile written at the end is whole. Writes its markdown section,
# "## Soak", into bench/results.md (replacing an older one, keeping the other
# sections) and prints it; progress on stderr.
#
# What it checks (exit 1 when one fails, 2 when it cannot run):
#  - RSS flat: scorch's VmRSS (/proc/PID/status) is sampled every second
#    while it records. After a warm-up (SOAK_WARMUP seconds, default a tenth
#    of the run, at least 10), the post-warm-up samples are cut in two
#    halves; the second half's maximum may exceed the first half's maximum
#    by at most SOAK_RSS_SLACK_KB (default 2048 KiB), and the second half's
#    least-squares slope may be at most SOAK_RSS_SLOPE_KB KiB a minute
#    (default 1024). New unique stacks still come in after the warm-up (the
#    address profile keeps one entry per thread and address sequence, so
#    RSS rises in steps as its arrays double, more slowly as time goes on);
#    a leak grows at the sampling rate: 64 bytes a sample at the ~630
#    samples/s this server takes is ~3.5 MiB a minute, and fails both. The
#    symbolization after the recording is reported, not judged.
#  - Samples consistent: the profile's samples plus the lost ones are
#    0.8 to 1.25 times the server's CPU time during the recording (utime +
#    stime, /proc/PID/stat) times the rate: cpu-clock samples the time a
#    thread is on a CPU, which includes the softirq time of the network
#    stack the kernel spends on its behalf and /proc/PID/stat leaves out
#    (8% under wrk here), and never more than duration x rate x server
#    threads (+2%).
#  - Profile complete: scorch report reads the written profile back, and
#    its sample count equals the metadata's "samples".
#
# Environment: SOAK_SECONDS (default 600), SOAK_HZ (default 999), SOAK_CONNS
# (default 32), SOAK_SERVER_THREADS (default 2), SOAK_WARMUP, SOAK_RSS_SLACK_KB;
# SCORCH (default build/scorch). The load is wrk (scripts/deps.sh installs
# it; examples/loadgen speaks only the echo protocol, not HTTP).
set -eu
cd "$(dirname "$0")/.."

SECS=${SOAK_SECONDS:-600}
HZ=${SOAK_HZ:-999}
CONNS=${SOAK_CONNS:-32}
NTHREADS=${SOAK_SERVER_THREADS:-2}
WARM=${SOAK_WARMUP:-$((SECS / 10 > 10 ? SECS / 10 : 10))}
SLACK=${SOAK_RSS_SLACK_KB:-2048}
SLOPE=${SOAK_RSS_SLOPE_KB:-1024}
SCORCH=${SCORCH:-build/scorch}
SERVER=${LOADTEST_SERVER:-build/examples/loadtest-server}

die() {
	echo "scorch: soak: $*" >&2
	exit 2
}

for v in "$SECS" "$HZ" "$CONNS" "$NTHREADS" "$WARM" "$SLACK" "$SLOPE"; do
	case $v in '' | *[!0-9]*) die "'$v' is not a whole number (SOAK_*)" ;; esac
done
[ "$SECS" -ge $((2 * WARM + 10)) ] ||
	die "SOAK_SECONDS=$SECS leaves too little after a ${WARM}s warm-up"
command -v wrk >/dev/null 2>&1 ||
	die "wrk is not installed (scripts/deps.sh installs it)"
[ -x "$SCORCH" ] || die "$SCORCH: not built (make)"
[ -x "$SERVER" ] || die "$SERVER: not built (make examples)"

W=$(mktemp -d /tmp/scorch-soak.XXXXXX)
server="" rec="" load=""
cleanup() {
	for p in $rec $load $server; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

"$SERVER" -t "$NTHREADS" 0 >"$W/server.out" 2>"$W/server.err" &
server=$!
i=0
while ! grep -q '^listening on ' "$W/server.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] && kill -0 "$server" 2>/dev/null ||
		die "the server did not start: $(cat "$W/server.err")"
	sleep 0.05
done
port=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$W/server.out")
url="http://127.0.0.1:$port/hash/soak?rounds=32"
wrk -t 2 -c "$CONNS" -d 1s "$url" >/dev/null 2>&1 || die "wrk could not reach $url"

# The server's CPU time so far (user + system), in clock ticks.
ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$server/stat"
}

echo "soak: scorch record -F $HZ -p $server for ${SECS}s under" \
	"wrk -c $CONNS; RSS every second" >&2
t0=$(ticks)
start=$(date +%s)
"$SCORCH" record -q -p "$server" -F "$HZ" -d "$SECS" -o "$W/soak.json" \
	2>"$W/record.err" &
rec=$!
# The load outlasts the recording, so every recorded second is loaded.
wrk -t 2 -c "$CONNS" -d "$((SECS + 5))s" "$url" >"$W/wrk.out" 2>&1 &
load=$!

# RSS in KiB, once a second: "SECONDS-SINCE-START KIB".
: >"$W/rss"
while kill -0 "$rec" 2>/dev/null; do
	kb=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$rec/status" 2>/dev/null) || kb=""
	[ -n "$kb" ] && echo "$(($(date +%s) - start)) $kb" >>"$W/rss"
	if [ $(($(date +%s) - start)) -ge "$SECS" ] && [ -z "${t1:-}" ]; then
		t1=$(ticks)
	fi
	sleep 1
done
status=0
wait "$rec" || status=$?
rec=""
t1=${t1:-$(ticks)}
wait "$load" || die "wrk failed: $(tail -1 "$W/wrk.out")"
load=""
[ "$status" -eq 0 ] || die "scorch record exited $status: $(cat "$W/record.err")"

# The numbers: metadata, the report's read-back, the RSS series.
meta() {
	sed -n "s/^ *\"$1\": *\\([0-9-]*\\),*\$/\\1/p" "$W/soak.json" | head -1
}
samples=$(meta samples)
lost=$(meta lost)
dur_ms=$(meta duration_ms)
threads=$(meta threads)
"$SCORCH" report "$W/soak.json" >"$W/report.txt" 2>"$W/report.err" ||
	die "scorch report cannot read the profile back: $(cat "$W/report.err")"
readback=$(sed -n 's/^samples: //p' "$W/report.txt")
# The profile's stacks (symbolized: one per task and frame sequence).
nstacks=$(awk '/^"stacks": \[/ { f = 1; next } f && /^\]/ { exit } f { n++ }
	END { print n + 0 }' "$W/soak.json")
size=$(wc -c <"$W/soak.json")
cpu_s=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')
rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$W/wrk.out")

# rss_stats: warm-up, then two halves of what the recording itself took
# (seconds before the -d end; after it comes symbolization).
eval "$(awk -v warm="$WARM" -v secs="$SECS" '
	{ t[NR] = $1; v[NR] = $2 }
	END {
		n = 0
		for (i = 1; i <= NR; i++) {
			if (v[i] > peak) peak = v[i]
			if (t[i] >= warm && t[i] < secs - 1) { n++; w[n] = v[i]; wt[n] = t[i] }
		}
		h = int(n / 2)
		for (i = 1; i <= n; i++) {
			if (i <= h) { if (w[i] > m1) m1 = w[i] }
			else if (w[i] > m2) m2 = w[i]
			if (i == 1 || w[i] < lo) lo = w[i]
		}
		printf "rss_n=%d rss_lo=%d rss_m1=%d rss_m2=%d rss_peak=%d rss_all=%d ",
			n, lo, m1, m2, peak, NR
		printf "rss_slope1=%d rss_slope2=%d\n", slope(1, h), slope(h + 1, n)
	}
	# least-squares slope of w[a..b] in KiB per minute
	function slope(a, b,    i, k, sx, sy, mx, my, sxy, sxx) {
		for (i = a; i <= b; i++) { sx += wt[i]; sy += w[i]; k++ }
		if (k < 2) return 0
		mx = sx / k; my = sy / k
		for (i = a; i <= b; i++) { sxy += (wt[i] - mx) * (w[i] - my); sxx += (wt[i] - mx) ^ 2 }
		return sxx > 0 ? 60 * sxy / sxx : 0
	}' "$W/rss")"

verdict=pass
why=""
fail() {
	verdict=FAIL
	why="$why; $*"
}
[ "$rss_n" -ge 10 ] || fail "only $rss_n RSS samples after the warm-up"
[ $((rss_m2 - rss_m1)) -le "$SLACK" ] ||
	fail "RSS grew $((rss_m2 - rss_m1)) KiB in the second half (limit $SLACK)"
[ "$rss_slope2" -le "$SLOPE" ] ||
	fail "RSS rose $rss_slope2 KiB/min in the second half (limit $SLOPE)"
[ "$readback" = "$samples" ] ||
	fail "the profile reads back $readback samples, its metadata says $samples"
ratio=$(awk -v s="$samples" -v l="$lost" -v c="$cpu_s" -v hz="$HZ" \
	'BEGIN { printf "%.3f", (c > 0 ? (s + l) / (c * hz) : 0) }')
awk -v r="$ratio" 'BEGIN { exit !(r >= 0.8 && r <= 1.25) }' ||
	fail "samples + lost are $ratio x CPU time x rate (want 0.8 to 1.25)"
ceiling=$(awk -v d="$dur_ms" -v hz="$HZ" -v n="$NTHREADS" \
	'BEGIN { printf "%.0f", d / 1000 * hz * n * 1.02 }')
[ $((samples + lost)) -le "$ceiling" ] ||
	fail "$((samples + lost)) samples exceed duration x rate x threads ($ceiling)"
why=${why#; }

results=bench/results.md
section=$W/section
{
	echo "## Soak"
	echo
	echo "\`make soak\` ($(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r)):" \
		"\`scorch record -F $HZ -p\` on \`examples/loadtest\`'s server"
	echo "($NTHREADS threads) under \`wrk -t 2 -c $CONNS\` for ${SECS}s;" \
		"scorch's VmRSS sampled every second."
	echo "Flat means: after a ${WARM}s warm-up, the second half's RSS maximum" \
		"exceeds the first half's by at most $SLACK KiB, and the second half's" \
		"RSS slope is at most $SLOPE KiB/min."
	echo
	echo "| measure | value |"
	echo "|---|---:|"
	echo "| verdict | $verdict${why:+ ($why)} |"
	echo "| recorded | $(awk -v d="$dur_ms" 'BEGIN { printf "%.1f s", d / 1000 }'), $threads threads, $rps requests/s |"
	echo "| samples (metadata / read back) | $samples / $readback |"
	echo "| lost samples | $lost ($(awk -v s="$samples" -v l="$lost" 'BEGIN { printf "%.3f%%", (s + l ? 100 * l / (s + l) : 0) }')) |"
	echo "| server CPU time | $cpu_s s; (samples + lost) / (CPU s x $HZ) = $ratio |"
	echo "| RSS after warm-up: min, first-half max, second-half max | $rss_lo, $rss_m1, $rss_m2 KiB |"
	echo "| RSS growth, second half | $((rss_m2 - rss_m1)) KiB |"
	echo "| RSS slope after warm-up, first half / second half | $rss_slope1 / $rss_slope2 KiB/min |"
	echo "| stacks in the profile | $nstacks |"
	echo "| RSS peak (symbolizing and writing included) | $rss_peak KiB |"
	echo "| profile written | $size bytes |"
	echo
	echo "RSS (KiB) at every 30th second:"
	echo
	echo '```'
	awk '$1 % 30 == 0 { printf "%s%ss %s", (n++ % 6 ? "   " : (n > 1 ? "\n" : "")), $1, $2 } END { print "" }' "$W/rss"
	echo '```'
	echo
	echo "scorch's summary: \`$(grep 'samples from' "$W/record.err" | sed 's/`//g')\`"
} >"$section"

# Replace the Soak section of results.md, keep every other one.
tmp=$(mktemp bench/.results.XXXXXX)
if [ -f "$results" ]; then
	# (and the blank lines that ended it)
	awk '/^## / { skip = ($0 == "## Soak") }
		skip { next }
		/^$/ { blank++; next }
		{ while (blank) { print ""; blank-- } print }
		END { print "" }' "$results" >"$tmp"
else
	printf '# scorch benchmarks\n\n' >"$tmp"
fi
cat "$section" >>"$tmp"
mv "$tmp" "$results"
cat "$section"
[ "$verdict" = pass ]
