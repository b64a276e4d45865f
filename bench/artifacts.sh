#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/artifacts.sh - how fast scorch reads and writes a big profile
# (1M samples, 100k unique stacks, 8 threads, 5000 functions; made by
# bench/gen-profile.awk), next to peers measured in the same run on the
# same profile: V8's JSON.parse/JSON.stringify of the native file, and
# npm pprof-format (Datadog's pprof codec, the one Node profilers ship)
# decoding and encoding the same profile's pprof export. Timings are
# in-process medians over BENCH_REPS runs (bench/profile_io.c,
# tests/node/bench-peers.mjs), plus whole `scorch merge` runs.
# Prints a markdown section on stdout (bench/run.sh collects it).
#
# Environment: BENCH_REPS (default 5), BENCH_STACKS (100000),
# BENCH_SAMPLES (1000000).
set -eu
cd "$(dirname "$0")/.."

REPS=${BENCH_REPS:-5}
STACKS=${BENCH_STACKS:-100000}
SAMPLES=${BENCH_SAMPLES:-1000000}
W=$(mktemp -d /tmp/scorch-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

for f in build/scorch build/bench/profile_io; do
	if [ ! -x "$f" ]; then
		echo "scorch: bench: $f is not built (make bench builds it)" >&2
		exit 2
	fi
done
echo "artifacts: generating $SAMPLES samples in $STACKS stacks" >&2
awk -v stacks="$STACKS" -v samples="$SAMPLES" -f bench/gen-profile.awk >"$W/big.json"
build/scorch export "$W/big.json" -o "$W/big.pb.gz"

echo "artifacts: scorch in-process, $REPS runs each" >&2
build/bench/profile_io "$W/big.json" "$REPS" >"$W/scorch.txt"
peers=0
if sh tests/node/install.sh && command -v node >/dev/null 2>&1; then
	echo "artifacts: peers (node), $REPS runs each" >&2
	node tests/node/bench-peers.mjs "$W/big.json" "$W/big.pb.gz" "$REPS" >"$W/peers.txt" &&
		peers=1
fi

# Whole command runs: process start to exit, output to a real file.
now_ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }
: >"$W/merge.txt"
i=0
while [ $i -lt "$REPS" ]; do
	t0=$(now_ms)
	build/scorch merge "$W/big.json" -o "$W/out.json"
	t1=$(now_ms)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >>"$W/merge.txt"
	i=$((i + 1))
done
merge_ms=$(sort -n "$W/merge.txt" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
row() { # LABEL SCORCH_KEY PEER_LABEL PEER_KEY
	s=$(val "$W/scorch.txt" "$2")
	if [ -n "$4" ] && [ $peers -eq 1 ]; then
		p=$(val "$W/peers.txt" "$4")
		echo "| $1 | $s | $3 | $p | $(ratio "$s" "$p") |"
	else
		echo "| $1 | $s | ${3:--} | - | - |"
	fi
}

echo "## Profiles as artifacts: reading and writing $SAMPLES samples in $STACKS stacks"
echo
echo "A synthetic profile (\`bench/gen-profile.awk\`: 8 threads, 5000 functions in"
echo "20 modules, stacks 8-32 frames deep; native JSON $(($(wc -c <"$W/big.json") / 1024)) KiB, pprof"
echo "$(($(wc -c <"$W/big.pb.gz") / 1024)) KiB). Milliseconds, in-process medians of $REPS runs; \"vs peer\""
echo "is scorch's time over the peer's (below 1 is faster). Peers run in Node"
echo "$(node --version 2>/dev/null || echo '(not installed)') on the same profile in the same run."
echo
echo "| operation | scorch ms | peer | peer ms | vs peer |"
echo "|---|---:|---|---:|---:|"
row "read the native profile (parse + build the profile)" load_json "V8 JSON.parse of the same file (parse only)" json_parse
row "write the native profile" write_json "V8 JSON.stringify of the parsed file" json_stringify
row "read it in pprof form: scorch JSON load vs pprof-format decode (gunzip + decode)" load_json "pprof-format decode" pprof_decode
row "export pprof (protobuf-c + zlib level 1)" write_pprof "pprof-format encode + gzip level 1" pprof_encode
row "read folded stacks" load_folded "" ""
row "write folded stacks (sorted)" write_folded "" ""
row "export speedscope" write_speedscope "" ""
row "aggregate per function (report)" aggregate "" ""
echo "| \`scorch merge big.json -o out.json\`, whole process (read + write a file) | $merge_ms | - | - | - |"
if [ $peers -eq 0 ]; then
	echo
	echo "Peers not measured: node or the npm packages in tests/node are missing."
fi
