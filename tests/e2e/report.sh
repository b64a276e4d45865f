#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch report: golden outputs (tests/data/report/cases) compared with
# diff -u, folded and stdin input, 80 columns, no color in a pipe, and a
# recorded profile's report agreeing with its folded stacks.
. "$(dirname "$0")/lib.sh"

data=$(cd "$(dirname "$0")/../data" && pwd)
while read -r name args; do
	case $name in '#'* | '') continue ;; esac
	# Run from the data directory: the output names its input.
	# shellcheck disable=SC2086
	(cd "$data" && "$SCORCH" report small.json $args) >"$T/$name.out" 2>"$T/$name.err"
	if diff -u "$data/report/$name.out" "$T/$name.out" >"$T/$name.diff"; then
		ok "report $args: matches report/$name.out"
	else
		not_ok "report $args: matches report/$name.out" "$(head -40 "$T/$name.diff")"
	fi
done <"$data/report/cases"

# The JSON report is JSON, with the numbers of the text report.
"$SCORCH" report "$data/small.json" --format json >"$T/r.json"
check "--format json is valid JSON" python3 -m json.tool "$T/r.json" /dev/null

# Folded input and stdin: the same functions, no metadata.
"$SCORCH" fold "$data/small.json" >"$T/small.folded"
"$SCORCH" report "$T/small.folded" --top 3 >"$T/f.out"
"$SCORCH" report - --top 3 <"$T/small.folded" >"$T/s.out"
check "report reads folded input" grep -Eq '^ +30 +30\.0% +40 +40\.0%  parse_value$' "$T/f.out"
check "report reads stdin" grep -Eq '^ +30 +30\.0% +40 +40\.0%  parse_value$' "$T/s.out"

# An 80-column terminal or CI log: no line is wider, even with long names,
# and nothing from a profile reaches the terminal as an escape sequence.
long=$(printf 'n%.0s' $(seq 1 300))
printf 'main;%s;leaf 3\nmain;evil\033]0;pwned\007name 2\n' "$long" >"$T/wide.folded"
"$SCORCH" report "$T/wide.folded" >"$T/wide.out"
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/wide.out")
check "text fits 80 columns (widest line: $w)" test "$w" -le 80
check "long names keep both ends" grep -q 'nnnn\.\.nnnn' "$T/wide.out"
check "no control characters in text output" \
	sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T/wide.out'"
check "no ANSI color when stdout is not a terminal" \
	sh -c "! grep -q \"\$(printf '\\033')\" '$T/f.out'"

# Markdown escapes what would break a table or become HTML.
"$SCORCH" report "$data/small.json" --format markdown >"$T/m.md"
check "markdown puts names in code spans and escapes |" \
	grep -qF '`std::vector<int>::push_back(int const&) \| <b>`' "$T/m.md"

# Usage errors: exit 2 and one line.
"$SCORCH" report "$data/small.json" --by color >"$T/o" 2>"$T/e"
rc=$?
check "--by with an unknown value exits 2 ($rc)" test $rc -eq 2
"$SCORCH" report "$data/small.json" --focus '(' >"$T/o" 2>"$T/e"
rc=$?
check "--focus with a bad regex exits 2 ($rc)" test $rc -eq 2 -a "$(wc -l <"$T/e")" -eq 1
# A regex that expands past any memory (glibc's regcomp took all of it) is
# refused at once with one line naming it, under a 1 GiB address-space cap
# and a time limit so a regression fails instead of taking the machine.
big='((a{1000}){1000}){1000}'
# (ASan reserves terabytes of shadow address space: no cap there; the
# trailing ':' keeps the subshell from exec'ing scorch, so its abort in
# the probe is not reported on stderr.)
cap=1048576
(ulimit -v $cap && "$SCORCH" --version && :) >/dev/null 2>&1 ||
	cap=unlimited
(ulimit -v $cap && timeout 30 "$SCORCH" report "$data/small.json" \
	--focus "$big") >"$T/o" 2>"$T/e"
rc=$?
check "--focus with an exploding regex: exit 2, one line naming it ($rc)" \
	test $rc -eq 2 -a "$(cat "$T/e")" = "scorch: --focus: '$big': too large (more than 2000 states once repetition is expanded)"
# Matching is linear: (a+)+$ on a 30-a name (backtracking: minutes).
printf 'app;%s! 3\napp;%s 1\n' aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \
	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa >"$T/aaa.folded"
timeout 30 "$SCORCH" report "$T/aaa.folded" --focus '(a+)+$' --format json \
	>"$T/o" 2>"$T/e"
rc=$?
check "--focus '(a+)+\$' on a crafted name finishes, 1 of 4 samples ($rc)" \
	grep -q '"focus_samples": "1 (25.0% of all), 1 function"' "$T/o"
"$SCORCH" report "$data/small.json" --focus 'no_such_fn' >"$T/o" 2>"$T/e"
rc=$?
check "--focus matching nothing warns and exits 0" \
	test $rc -eq 0 -a "$(grep -c 'no function matches' "$T/e")" -eq 1

# A recorded profile: report's self samples are the folded leaf counts.
if can_perf; then
	timeout 60 "$SCORCH" record -q -F 499 -o "$T/p.json" -- "$EXAMPLES/cpuburn" 1 2>"$T/err"
	"$SCORCH" fold "$T/p.json" >"$T/p.folded"
	"$SCORCH" report "$T/p.json" --top 0 --format json >"$T/p.report.json"
	want=$(count "$T/p.folded" ';burn_kernel_\[i\]$')
	# The table is in ms (period_ns known): back to samples.
	got=$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["tables"][0]["rows"]
ms = sum(r["self_ms"] for r in rows if r["function"] == "burn_kernel"
         and r["module"] == "cpuburn")
period_ms = json.load(open(sys.argv[2]))["meta"]["period_ns"] / 1e6
print(round(ms / period_ms))' "$T/p.report.json" "$T/p.json")
	# burn_kernel is always inlined: its inlined copies are the function.
	check "recorded: burn_kernel self ms = folded leaf count of burn_kernel_[i] x period ($got = $want)" \
		test "$got" -eq "$want" -a "$want" -gt 0
else
	skip "report of a recorded profile" "no permission for perf events"
fi
tap_done
