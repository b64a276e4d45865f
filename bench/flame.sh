#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/flame.sh - flame graph rendering speed and memory: scorch svg on
# synthetic folded profiles of 10k, 100k and 1M lines (build/bench/gen-folded,
# fixed seed: deep stacks of long C++ names), and flamegraph.pl on the same
# files in the same run when FLAMEGRAPH_DIR names a FlameGraph checkout
# ("skipped" otherwise). Also checks that both draw the same frames, with
# the same sample counts, positions and widths (bench/flame-frames.pl), and
# times opening and zooming the smallest input's graphs (the ones with the
# most frames) in headless chromium (bench/flame-browser.mjs).
# Prints a markdown section on stdout, progress on stderr.
#
#   FLAMEGRAPH_DIR=/path/to/FlameGraph BENCH=flame make bench
#   FLAME_SIZES="10000 100000" sh bench/flame.sh    # fewer sizes
set -eu
cd "$(dirname "$0")/.."
scorch=$PWD/build/scorch
gen=$PWD/build/bench/gen-folded
sizes=${FLAME_SIZES:-10000 100000 1000000}
fg=""
if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/flamegraph.pl" ]; then
	fg=$FLAMEGRAPH_DIR/flamegraph.pl
fi
for tool in "$scorch" "$gen" /usr/bin/time; do
	if [ ! -x "$tool" ]; then
		echo "scorch: bench: $tool is missing (make bench builds it)" >&2
		exit 2
	fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scorch-flame-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure OUT CMD...: run CMD, stdout to OUT; sets secs and rss_kb.
measure() {
	out=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/stderr" || {
		echo "scorch: bench: $* failed: $(tail -1 "$tmp/stderr")" >&2
		return 1
	}
	read -r secs rss_kb <"$tmp/time"
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
lines_h() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%gM", n / 1e6; else printf "%gk", n / 1e3 }'; }

rows=""
for n in $sizes; do
	in=$tmp/$n.folded
	echo "flame: generating $n lines" >&2
	"$gen" -n "$n" -s 1 >"$in"
	in_size=$(wc -c <"$in")
	# scorch: the median of three runs (time), the largest peak RSS.
	best_rss=0
	: >"$tmp/times"
	for run in 1 2 3; do
		echo "flame: scorch svg, $n lines, run $run" >&2
		measure "$tmp/scorch.svg" "$scorch" svg "$in" -o - || exit 1
		echo "$secs" >>"$tmp/times"
		[ "$rss_kb" -gt "$best_rss" ] && best_rss=$rss_kb
	done
	s_secs=$(sort -n "$tmp/times" | sed -n 2p)
	s_rss=$best_rss
	s_svg=$(wc -c <"$tmp/scorch.svg")
	s_frames=$(grep -c '^<g o=' "$tmp/scorch.svg")
	if [ -n "$fg" ]; then
		echo "flame: flamegraph.pl, $n lines (slow)" >&2
		measure "$tmp/fg.svg" perl "$fg" "$in" || exit 1
		f_secs=$secs f_rss=$rss_kb
		f_svg=$(wc -c <"$tmp/fg.svg")
		perl bench/flame-frames.pl "$tmp/scorch.svg" >"$tmp/a"
		perl bench/flame-frames.pl "$tmp/fg.svg" >"$tmp/b"
		if cmp -s "$tmp/a" "$tmp/b"; then
			same="yes, all $(wc -l <"$tmp/a")"
		else
			same="no: $(diff "$tmp/a" "$tmp/b" | grep -c '^[<>]') lines differ"
		fi
		fg_cols="$f_secs s | $(mib "$f_rss") | $(mb "$f_svg") | $(awk -v a="$f_secs" -v b="$s_secs" 'BEGIN { printf "%.0fx", a / b }') | $(awk -v a="$f_rss" -v b="$s_rss" 'BEGIN { printf "%.1fx", a / b }') | $same"
	else
		fg_cols="skipped | skipped | skipped | - | - | -"
	fi
	if [ -z "${browser_n:-}" ]; then
		browser_n=$n
		cp "$tmp/scorch.svg" "$tmp/browser-scorch.svg"
		[ -z "$fg" ] || cp "$tmp/fg.svg" "$tmp/browser-fg.svg"
	fi
	rows="$rows| $(lines_h "$n") | $(mb "$in_size") | $s_secs s | $(mib "$s_rss") | $(mb "$s_svg") ($s_frames frames) | $fg_cols |
"
	rm -f "$in"
done

echo "## Flame graph rendering"
echo
echo "\`scorch svg\` against \`flamegraph.pl\` on the same synthetic folded"
echo "profiles (\`build/bench/gen-folded -s 1\`: about 19 frames a stack, long"
echo "C++ names), one after the other in this run. scorch: median of 3 runs;"
echo "flamegraph.pl: one run.$([ -n "$fg" ] || echo " flamegraph.pl: skipped, set FLAMEGRAPH_DIR to a FlameGraph checkout.")"
echo "\"Same frames\" compares every drawn frame's name, samples, x, y and width."
echo
browser=""
if command -v node >/dev/null 2>&1 && [ -x /usr/bin/chromium ] &&
	sh tests/node/install.sh && [ -d tests/node/node_modules/playwright-core ]; then
	echo "flame: opening and zooming the $browser_n-line graphs in chromium" >&2
	files="$tmp/browser-scorch.svg"
	[ -z "$fg" ] || files="$files $tmp/browser-fg.svg"
	# shellcheck disable=SC2086
	browser=$(node bench/flame-browser.mjs $files) || browser=""
fi
# browser_row TOOL FILE: a row of the browser table.
browser_row() {
	line=$(printf '%s\n' "$browser" | grep "/$2 " || true)
	if [ -n "$line" ]; then
		echo "$line" | awk -v t="$1" '{ printf "| %s | %d ms | %d ms | %d ms |\n", t, $2, $3, $4 }'
	else
		echo "| $1 | skipped | skipped | skipped |"
	fi
}

echo "| lines | input | scorch | scorch peak RSS | scorch SVG | flamegraph.pl | its peak RSS | its SVG | speedup | memory ratio | same frames |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s' "$rows"
echo
echo "The $(lines_h "$browser_n")-line graphs in headless chromium (bench/flame-browser.mjs):"
echo "time to open and draw, to zoom into a frame (median of three), and to"
echo "reset the zoom. \"skipped\" without chromium, node or flamegraph.pl."
echo
echo "| graph | open | zoom | reset zoom |"
echo "|---|---:|---:|---:|"
browser_row scorch browser-scorch.svg
browser_row flamegraph.pl browser-fg.svg
