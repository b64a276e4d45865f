#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch export: pprof decoded by an independent decoder (npm pprof-format,
# tests/node/) and speedscope checked for shape, both compared with
# `scorch fold` of the same profile; then the round trip of a recording.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/tests/data
node_dir=$top/tests/node

# fold output without kind suffixes: pprof keeps kinds in mappings instead,
# speedscope in a frame's "kind".
plain_fold() {
	"$SCORCH" fold "$1" | sed 's/_\[[kji]\]//g' | LC_ALL=C sort
}

# export_checks NAME PROFILE PERIOD_NS: pprof and speedscope of PROFILE
# agree with its folded stacks.
export_checks() {
	name=$1 in=$2 period=$3
	"$SCORCH" export "$in" --format pprof -o "$T/$name.pb.gz"
	check "$name: pprof output is gzip" gzip -t "$T/$name.pb.gz"
	node "$node_dir/pprof-to-folded.mjs" "$T/$name.pb.gz" >"$T/$name.pprof.txt"
	check "$name: pprof-format decodes it" test -s "$T/$name.pprof.txt"
	grep -v '^#' "$T/$name.pprof.txt" | LC_ALL=C sort >"$T/$name.pprof.folded"
	plain_fold "$in" >"$T/$name.folded"
	if diff -u "$T/$name.folded" "$T/$name.pprof.folded" >"$T/$name.diff"; then
		ok "$name: decoded pprof stacks, names and counts equal scorch fold"
	else
		not_ok "$name: decoded pprof stacks, names and counts equal scorch fold" \
			"$(head -20 "$T/$name.diff")"
	fi
	total=$(count "$T/$name.folded" '.')
	if [ "$period" -gt 0 ]; then
		want="# sums $total,$((total * period))"
		check "$name: sample types samples/count and cpu/nanoseconds" \
			grep -qx '# sample_type samples/count,cpu/nanoseconds' "$T/$name.pprof.txt"
		check "$name: period $period cpu/nanoseconds" \
			grep -qx "# period $period cpu/nanoseconds" "$T/$name.pprof.txt"
	else
		want="# sums $total"
		check "$name: one sample type, samples/count" \
			grep -qx '# sample_type samples/count' "$T/$name.pprof.txt"
	fi
	check "$name: value sums ($want)" grep -qx "$want" "$T/$name.pprof.txt"

	"$SCORCH" export "$in" -o "$T/$name.speedscope.json"
	div=$([ "$period" -gt 0 ] && echo "$period" || echo 1)
	if node "$node_dir/speedscope-to-folded.mjs" "$T/$name.speedscope.json" "$div" \
		>"$T/$name.ss.txt" 2>"$T/$name.ss.err"; then
		ok "$name: speedscope file has the format's shape"
	else
		not_ok "$name: speedscope file has the format's shape" "$(cat "$T/$name.ss.err")"
	fi
	grep -v '^#' "$T/$name.ss.txt" >"$T/$name.ss.folded"
	plain_fold "$in" >"$T/$name.sfold"
	if diff -u "$T/$name.sfold" "$T/$name.ss.folded" >"$T/$name.ss.diff"; then
		ok "$name: speedscope stacks and weights equal scorch fold"
	else
		not_ok "$name: speedscope stacks and weights equal scorch fold" \
			"$(head -20 "$T/$name.ss.diff")"
	fi
}

if ! command -v node >/dev/null 2>&1 || [ ! -d "$node_dir/node_modules/pprof-format" ]; then
	skip "export decoded by pprof-format and node" \
		"node or tests/node/node_modules missing (run sh tests/node/install.sh)"
	tap_done
fi

export_checks small "$data/small.json" 10101010
check "small: labels thread, pid, tid" grep -qx '# labels pid,thread,tid' "$T/small.pprof.txt"
check "small: one mapping per module" \
	grep -qx '# mappings \[kernel\],libc.so.6,server' "$T/small.pprof.txt"
check "small: functions carry their source files" \
	grep -qx '# files src/hash.h,src/http.c,src/main.c,src/parse.c,src/worker.c' "$T/small.pprof.txt"
check "small: labels travel as comments" grep -q 'commit=abc123' "$T/small.pprof.txt"

# Folded input: no period, no tasks.
"$SCORCH" fold "$data/small.json" >"$T/in.folded"
export_checks folded "$T/in.folded" 0

# --format wins over the name; a name alone picks the format.
"$SCORCH" export "$data/small.json" --format speedscope >"$T/stdout.json"
check "export --format speedscope to stdout" grep -q 'speedscope.app/file-format-schema' "$T/stdout.json"
"$SCORCH" export "$data/small.json" -o "$T/x.pprof"
check "export -o x.pprof writes pprof" gzip -t "$T/x.pprof"
"$SCORCH" export "$data/small.json" -o "$T/x.json" 2>"$T/e"
rc=$?
# One table of formats: .json is scorch's own profile for every command.
check "export -o x.json writes scorch's native JSON (one table of formats)" \
	test $rc -eq 0 -a -n "$(grep -l '"scorch-profile"' "$T/x.json" 2>/dev/null)"
"$SCORCH" export "$data/small.json" -o "$T/x.bin" 2>"$T/e"
rc=$?
check "export -o x.bin (no format it can tell) exits 2, one line, no file" \
	test $rc -eq 2 -a ! -e "$T/x.bin" -a "$(wc -l <"$T/e")" -eq 1

# A recording, all the way: record -> json -> fold -> svg, and -> pprof.
if can_perf; then
	timeout 60 "$SCORCH" record -q -F 499 -o "$T/rec.json" -- "$EXAMPLES/cpuburn" 1 2>"$T/err"
	period=$(sed -n 's/.*"period_ns": \([0-9]*\).*/\1/p' "$T/rec.json")
	export_checks recorded "$T/rec.json" "${period:-0}"
	"$SCORCH" fold "$T/rec.json" >"$T/rec.folded"
	"$SCORCH" svg "$T/rec.folded" -o "$T/rec.svg"
	check "recorded: json -> fold -> svg is well-formed" xmllint --noout "$T/rec.svg"
else
	skip "export of a recorded profile" "no permission for perf events"
fi
tap_done
