#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch check --budget: golden outputs and exit codes (tests/data/check/cases,
# compared with diff -u), bad budget files named down to the field, CPU
# milliseconds that need period_ns, min_samples (exit 125), --report files,
# and budgets on a recorded profile of cpuburn's known split.
. "$(dirname "$0")/lib.sh"

data=$(cd "$(dirname "$0")/../data" && pwd)
while read -r name want budget args; do
	case $name in '#'* | '') continue ;; esac
	# Run from the data directory: the output names its inputs.
	# shellcheck disable=SC2086
	(cd "$data" && "$SCORCH" check --budget "check/$budget" small.json $args) \
		>"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	experr="$data/check/$name.err"
	[ -f "$experr" ] || experr=/dev/null
	if diff -u "$data/check/$name.out" "$T/$name.out" >"$T/$name.diff" &&
		diff -u "$experr" "$T/$name.err" >>"$T/$name.diff" &&
		[ "$rc" -eq "$want" ]; then
		ok "check $budget${args:+ $args}: exit $want, matches check/$name.out"
	else
		not_ok "check $budget${args:+ $args}: exit $want, matches check/$name.out" \
			"exit $rc" "$(head -40 "$T/$name.diff")"
	fi
done <"$data/check/cases"

"$SCORCH" check -b "$data/check/over.json" "$data/small.json" --format json >"$T/o.json"
check "--format json is valid JSON" python3 -m json.tool "$T/o.json" /dev/null
check "JSON rows carry numbers" grep -q '"function": "hash_bytes", "module": "", "limit": "self ms", "max": 100.00, "actual": 151.52, "samples": 15, "status": "EXCEEDED"' "$T/o.json"

# A bad budget file: exit 2, one line naming the file and the field, and
# no report file left behind.
bad() { # bad DESCRIPTION EXPECTED-MESSAGE  (the budget file is $T/bad.json)
	rm -f "$T/r.md"
	"$SCORCH" check --budget "$T/bad.json" "$data/small.json" \
		--report "$T/r.md" >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(cat "$T/e")" = "scorch: $T/bad.json: $2" ] &&
		[ ! -s "$T/o" ] && [ ! -e "$T/r.md" ]; then
		ok "bad budget file: $1"
	else
		not_ok "bad budget file: $1" "exit $rc" "stderr: $(cat "$T/e")" \
			"want: scorch: $T/bad.json: $2"
	fi
}
printf '{"budgets": [\n  {"function": "f" "max_self_percent": 5}\n]}\n' >"$T/bad.json"
bad "not JSON: line and column" "not valid JSON (line 2, column 20)"
printf '{"budgets": [{"function": "f", "max_self_percent": 5},\n {"function": "g", "max_self_percent": "5"}]}' >"$T/bad.json"
bad "a string limit" "budgets[1].max_self_percent: must be a number"
printf '{"budgets": [{"function": "f", "max_self_pct": 5}]}' >"$T/bad.json"
bad "a misspelt limit" "budgets[0].max_self_pct: unknown field (known: function, function_regex, module, max_self_percent, max_total_percent, max_self_ms, max_total_ms, comment)"
printf '{"budgets": [{"function": "f", "max_total_percent": 101}]}' >"$T/bad.json"
bad "a share over 100%" "budgets[0].max_total_percent: 101 is not a percentage (0 to 100)"
printf '{"budgets": [{"function_regex": "(", "max_self_ms": 1}]}' >"$T/bad.json"
bad "a bad regex" "budgets[0].function_regex: '(': unmatched ("
# 70 bytes that took all of glibc regcomp's memory: refused at once, and
# run under a 1 GiB cap and a time limit so a regression cannot take the
# machine with it.
printf '{"budgets": [{"function_regex": "((a{1000}){1000}){1000}", "max_self_ms": 1}]}' >"$T/bad.json"
rm -f "$T/r.md"
# (ASan reserves terabytes of shadow address space: no cap there; the
# trailing ':' keeps the subshell from exec'ing scorch, so its abort in
# the probe is not reported on stderr.)
cap=1048576
(ulimit -v $cap && "$SCORCH" --version && :) >/dev/null 2>&1 ||
	cap=unlimited
(ulimit -v $cap && timeout 30 "$SCORCH" check --budget "$T/bad.json" \
	"$data/small.json") >"$T/o" 2>"$T/e"
rc=$?
want="scorch: $T/bad.json: budgets[0].function_regex: '((a{1000}){1000}){1000}': too large (more than 2000 states once repetition is expanded)"
if [ $rc -eq 2 ] && [ "$(cat "$T/e")" = "$want" ]; then
	ok "bad budget file: a regex that expands past any memory is refused"
else
	not_ok "bad budget file: a regex that expands past any memory is refused" \
		"exit $rc" "stderr: $(cat "$T/e")" "want: $want"
fi
printf '{"budgets": [{"function_regex": "(a)\\\\1", "max_self_ms": 1}]}' >"$T/bad.json"
bad "a back-reference (cannot be matched in linear time)" \
	"budgets[0].function_regex: '(a)\\1': back-references (\\1) are not supported"
printf '{"budgets": []}' >"$T/bad.json"
bad "no budgets" "budgets: empty (nothing to check)"
: >"$T/bad.json"
bad "an empty file" "not valid JSON (line 1, column 1)"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/bad.json"
bad "a huge file" "larger than 1 MiB, not a budget file"

"$SCORCH" check --budget "$T/none.json" "$data/small.json" >"$T/o" 2>"$T/e"
rc=$?
check "a missing budget file: exit 2 ($rc), named" \
	test $rc -eq 2 -a "$(cat "$T/e")" = "scorch: $T/none.json: No such file or directory"
printf 'garbage\0\n' >"$T/bad.folded"
"$SCORCH" check --budget "$data/check/hold.json" "$T/bad.folded" >"$T/o" 2>"$T/e"
rc=$?
check "a bad profile: exit 2 ($rc), one line" \
	test $rc -eq 2 -a "$(wc -l <"$T/e")" -eq 1
"$SCORCH" check "$data/small.json" >"$T/o" 2>"$T/e"
rc=$?
check "no --budget: exit 2 ($rc)" test $rc -eq 2
"$SCORCH" check -b "$data/check/hold.json" "$data/small.json" --report "$T/r.html" >"$T/o" 2>"$T/e"
rc=$?
check "an unknown --report extension: exit 2 ($rc)" \
	grep -q "r.html: unknown report format" "$T/e"

# CPU milliseconds need period_ns: folded stacks have none.
"$SCORCH" fold "$data/small.json" >"$T/small.folded"
"$SCORCH" check -b "$data/check/hold.json" "$T/small.folded" >"$T/o" 2>"$T/e"
rc=$?
check "ms limits on folded input: exit 2 ($rc), says why" \
	test $rc -eq 2 -a "$(cat "$T/e")" = "scorch: $T/small.folded: $data/check/hold.json: budgets[1].max_total_ms needs CPU time, but the profile has no period_ns (folded input, or not a clock event): record a .json profile with cpu-clock (the default), or use a percent limit"
printf '{"budgets": [{"function": "parse_value", "max_self_percent": 30}]}' >"$T/pct.json"
"$SCORCH" check -b "$T/pct.json" "$T/small.folded" >"$T/o" 2>"$T/e"
rc=$?
check "percent limits on folded input: exit 0 ($rc)" test $rc -eq 0

# Too few samples for a verdict: 125, so `git bisect run` skips.
printf '{"min_samples": 101, "budgets": [{"function": "main", "max_self_percent": 1}]}' >"$T/min.json"
"$SCORCH" check -b "$T/min.json" "$data/small.json" >"$T/o" 2>"$T/e"
rc=$?
check "fewer samples than min_samples: exit 125 ($rc)" \
	test $rc -eq 125 -a "$(cat "$T/e")" = "scorch: $data/small.json: 100 samples, fewer than the 101 min_samples of $T/min.json: no verdict"

# --report writes every format; stdout keeps its own.
"$SCORCH" check -b "$data/check/over.json" "$data/small.json" \
	--report "$T/c.md" --report "$T/c.json" --report "$T/c.txt" >"$T/o" 2>"$T/e"
rc=$?
check "--report .md/.json/.txt: exit 1 ($rc), three files" \
	test $rc -eq 1 -a -s "$T/c.md" -a -s "$T/c.json" -a -s "$T/c.txt"
check "--report .md is markdown" grep -q '^| `/^parse_/` |  | `self%` | 45.0 | 50.0 | 50 | `EXCEEDED` |$' "$T/c.md"
check "--report .txt equals stdout" cmp -s "$T/c.txt" "$T/o"
check "--report .json is JSON" python3 -m json.tool "$T/c.json" /dev/null

# A merged profile: milliseconds per run.
"$SCORCH" merge "$data/small.json" "$data/small.json" -o "$T/two.json"
printf '{"budgets": [{"function": "parse_value", "max_self_ms": 303.1}]}' >"$T/ms.json"
"$SCORCH" check -b "$T/ms.json" "$T/two.json" >"$T/o" 2>"$T/e"
rc=$?
check "merged runs: milliseconds per run (303.0 of 303.1 ms: exit $rc)" \
	sh -c "test $rc -eq 0 && grep -q 'parse_value .* self ms .* 303.1 .* 303.0 .* 60  ok' '$T/o' &&
		grep -q 'milliseconds are per run: the profile merges 2 runs' '$T/o'"

# A recorded profile of cpuburn: alpha is 50% of the samples (total; its
# inlined kernel is the leaf), so 60% holds and 40% is exceeded with
# ~1000 samples (one standard error: 1.6 points).
if can_perf; then
	timeout 60 "$SCORCH" record -q -F 999 -o "$T/burn.json" -- "$EXAMPLES/cpuburn" 1 2>"$T/err"
	cat >"$T/burn-budget.json" <<-EOF
		{"min_samples": 300, "budgets": [
		  {"function": "alpha", "module": "cpuburn", "max_total_percent": 60},
		  {"function_regex": "^(beta|gamma)$", "max_total_percent": 60}
		]}
	EOF
	"$SCORCH" check -b "$T/burn-budget.json" "$T/burn.json" >"$T/o" 2>"$T/e"
	rc=$?
	check "recorded cpuburn within a 60% budget: exit 0 ($rc)" test $rc -eq 0
	sed 's/"max_total_percent": 60}/"max_total_percent": 40}/' "$T/burn-budget.json" >"$T/burn-over.json"
	"$SCORCH" check -b "$T/burn-over.json" "$T/burn.json" >"$T/o" 2>"$T/e"
	rc=$?
	check "recorded cpuburn over a 40% budget: exit 1 ($rc)" \
		sh -c "test $rc -eq 1 && grep -q '^  alpha .* total% .* EXCEEDED$' '$T/o' &&
			grep -Eq '^  /\\^\\(beta\\|gamma\\)\\$/ .* total% .* EXCEEDED$' '$T/o'"
else
	skip "budgets on a recorded profile" "no permission for perf events"
fi
tap_done
