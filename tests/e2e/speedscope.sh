#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch export to speedscope, read by speedscope's own importer: the file
# is opened in speedscope's app (npm speedscope) in Debian's chromium and
# saved back by the app (tests/node/speedscope-import.mjs). What speedscope
# built from it must have one profile per thread, named "comm (pid/tid)",
# with that thread's total (nanoseconds when the period is known), frames
# named without scorch's _[k]/_[i]/_[j] suffixes, and the stacks and weights
# of `scorch fold`. On the checked-in two-thread profile, a folded input and
# a recording of examples/threads.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/tests/data
node_dir=$top/tests/node

# The profiles scorch's report sees per thread, as speedscope-import.mjs
# prints them: "# profile NAME unit UNIT total TOTAL", sorted.
want_profiles() {
	"$SCORCH" report "$1" --by thread -n 0 --format json |
		node -e '
const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
const period = BigInt(process.argv[1]);
const unit = period > 0n ? "nanoseconds" : "none";
const w = period > 0n ? period : 1n;
for (const row of r.tables[0].rows) {
	const th = row.thread && row.thread !== row.process ? `: ${row.thread}` : "";
	// A recorded profile reports ms (2 decimals): back to its samples.
	const n = row.samples !== undefined ? BigInt(row.samples)
		: BigInt(Math.round(row.ms * 1e6 / Number(period)));
	console.log(`# profile ${row.process}${th} (${row.pid}/${row.tid}) unit ${unit} total ${n * w}`);
}' "$2" | LC_ALL=C sort
}

# speedscope_checks NAME PROFILE PERIOD_NS [PROFILES]: PROFILES is the
# expected "# profile" lines (default: scorch report --by thread's).
speedscope_checks() {
	name=$1 in=$2 period=$3
	"$SCORCH" export "$in" -o "$T/$name.speedscope.json"
	node "$node_dir/speedscope-import.mjs" "$T/$name.speedscope.json" \
		>"$T/$name.imp" 2>"$T/$name.err"
	rc=$?
	if [ $rc -eq 77 ]; then
		skip "$name: speedscope's importer" "$(cat "$T/$name.err")"
		return
	fi
	if [ $rc -eq 0 ]; then
		ok "$name: speedscope's app imports the file and saves it back"
	else
		not_ok "$name: speedscope's app imports the file and saves it back" \
			"$(cat "$T/$name.err")"
		return
	fi
	if [ -n "${4:-}" ]; then
		printf '%s\n' "$4" >"$T/$name.want"
	else
		want_profiles "$in" "$period" >"$T/$name.want"
	fi
	grep '^# profile ' "$T/$name.imp" | LC_ALL=C sort >"$T/$name.got"
	n=$(grep -c . "$T/$name.want")
	check "$name: speedscope sees $n profile(s)" \
		grep -qx "# profiles $n" "$T/$name.imp"
	if diff -u "$T/$name.want" "$T/$name.got" >"$T/$name.diff"; then
		ok "$name: profile names, units and per-thread totals equal scorch's"
	else
		not_ok "$name: profile names, units and per-thread totals equal scorch's" \
			"$(head -20 "$T/$name.diff")"
	fi
	if grep -q '_\[[kij]\]' "$T/$name.imp"; then
		not_ok "$name: frame names without kind suffixes" \
			"$(grep '_\[[kij]\]' "$T/$name.imp" | head -3)"
	else
		ok "$name: frame names without kind suffixes"
	fi
	# Every thread's stacks together: scorch fold's, suffixes aside.
	div=$([ "$period" -gt 0 ] && echo "$period" || echo 1)
	grep -v '^#' "$T/$name.imp" | cut -f2- | awk -v div="$div" '
		{ w = $NF; s = $0; sub(/ [0-9]+$/, "", s); t[s] += w }
		END { for (s in t) printf "%s %.0f\n", s, t[s] / div }' |
		LC_ALL=C sort >"$T/$name.stacks"
	"$SCORCH" fold "$in" | sed 's/_\[[kji]\]//g' | LC_ALL=C sort >"$T/$name.fold"
	if diff -u "$T/$name.fold" "$T/$name.stacks" >"$T/$name.sdiff"; then
		ok "$name: stacks and weights as speedscope holds them equal scorch fold"
	else
		not_ok "$name: stacks and weights as speedscope holds them equal scorch fold" \
			"$(head -20 "$T/$name.sdiff")"
	fi
}

if ! command -v node >/dev/null 2>&1 || [ ! -d "$node_dir/node_modules/speedscope" ]; then
	skip "speedscope's importer" \
		"node or tests/node/node_modules missing (run sh tests/node/install.sh)"
	tap_done
fi

# Two threads of one process, a kernel and an inlined frame.
speedscope_checks small "$data/small.json" 10101010
check "small: the worker's stacks are in the worker's profile" grep -qx \
	"$(printf 'server: worker-1 (4242/4243)\tserver;start_thread;worker_loop;handle_request;parse_header 202020200')" \
	"$T/small.imp"
check "small: the main thread's profile has none of them" sh -c \
	"! grep -q '^server (4242/4242).*worker_loop' '$T/small.imp'"
check "small: speedscope opens the heaviest thread first" \
	grep -qx '# shown first server (4242/4242)' "$T/small.imp"
check "small: the kernel frame's kind is a frame member" grep -q \
	'{"name": "do_syscall_64", .*"kind": "kernel"}' "$T/small.speedscope.json"
check "small: the inlined frame's kind is a frame member" grep -q \
	'{"name": "hash_bytes", .*"kind": "inlined"}' "$T/small.speedscope.json"

# Folded input: no threads, no period: one profile named after the input.
"$SCORCH" fold "$data/small.json" >"$T/in.folded"
speedscope_checks folded "$T/in.folded" 0 "# profile $T/in.folded unit none total 100"

# A recording of many short-lived threads.
if can_perf; then
	timeout 60 "$SCORCH" record -q -F 499 -o "$T/rec.json" -- \
		"$EXAMPLES/threads" 1 2>"$T/rec.err"
	period=$(sed -n 's/.*"period_ns": \([0-9]*\).*/\1/p' "$T/rec.json")
	speedscope_checks threads "$T/rec.json" "${period:-0}"
	# ~20 workers a second; a loaded machine samples fewer, never 1.
	n=$(grep -c '^# profile threads: worker-' "$T/threads.imp")
	if [ "$n" -ge 3 ]; then
		ok "threads: one profile per worker thread ($n)"
	else
		not_ok "threads: one profile per worker thread" "got $n" \
			"$(grep '^# profile' "$T/threads.imp" | head)"
	fi
else
	skip "speedscope export of a recorded profile" "no permission for perf events"
fi
tap_done
