#!/bin/sh
# SPDX-License-Identifier: MIT
# One meaning of self (docs/BUDGETS.md, "What a function is"): on a real
# program whose helper is always inlined (examples/inlined.c: mix_step()
# compiled into process()), report, check and diff count the helper's
# inlined copies as the helper, the same samples in all three; a budget on
# it fails on its real time; a diff finding in it says where it was
# inlined; --no-inline gives the machine-code view in every command; the
# folded stacks and the SVG keep the _[i] marker.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "inlined code in report, check and diff" "no permission for perf events"
	tap_done
	exit 0
fi

# json FILE EXPR: a value of a JSON document (d), printed.
json() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# self FILE NAME [PROFILE]: a function's self samples in a report's JSON
# (its self ms over the period of PROFILE, default $B: a recorded profile
# reports ms, and each recording has its own period_ns).
self() {
	json "$1" "round(sum(r['self_ms'] for r in d['tables'][0]['rows'] if r['function'] == '$2' and r['module'] == 'inlined') / ($(json "${3:-$B}" "d['meta']['period_ns']") / 1e6))"
}

# Five runs a side, interleaved: the PR's inlined helper does 32 units a
# round where the baseline's does 8 (16.7% of the CPU -> 44.4%).
mkdir -p "$T/base" "$T/pr"
for i in 1 2 3 4 5; do
	"$SCORCH" record -q -F 999 -o "$T/base/run$i.json" -- \
		"$EXAMPLES/inlined" 2000 8 >/dev/null 2>"$T/rec.err"
	"$SCORCH" record -q -F 999 -o "$T/pr/run$i.json" -- \
		"$EXAMPLES/inlined" 2000 32 >/dev/null 2>>"$T/rec.err"
done
B="$T/base/run1.json"

# --- report: self is the leaf's, inlined or not --------------------------------
"$SCORCH" fold "$B" >"$T/b.folded"
"$SCORCH" report "$B" --top 0 --format json >"$T/r.json"
leaf_mix=$(count "$T/b.folded" ';process;mix_step_\[i\]$')
leaf_proc=$(count "$T/b.folded" ';process$')
got_mix=$(self "$T/r.json" mix_step)
got_proc=$(self "$T/r.json" process)
check "report: mix_step's self is its inlined leaf samples ($got_mix = $leaf_mix > 50)" \
	test "$got_mix" -eq "$leaf_mix" -a "$leaf_mix" -gt 15
check "report: process's self is its own code only ($got_proc = $leaf_proc > 50)" \
	test "$got_proc" -eq "$leaf_proc" -a "$leaf_proc" -gt 15
check "report: no row for an inlined copy of its own" \
	sh -c "! grep -q 'mix_step_\[i\]' '$T/r.json'"
"$SCORCH" report "$B" --top 0 --format json --no-inline >"$T/rn.json"
got=$(self "$T/rn.json" process)
check "report --no-inline: process runs the inlined code ($got = $leaf_proc + $leaf_mix)" \
	test "$got" -eq $((leaf_proc + leaf_mix))
check "report --no-inline: mix_step is no function" \
	sh -c "! grep -q '\"mix_step\"' '$T/rn.json'"

# --- check: a budget on the inlined function holds or fails on its time ------
cat >"$T/budget.json" <<-EOF2
	{"budgets": [
	  {"function": "mix_step", "max_self_percent": 8},
	  {"function": "process", "max_self_percent": 25}
	]}
EOF2
"$SCORCH" check -b "$T/budget.json" "$B" --format json >"$T/c.json" 2>"$T/c.err"
rc=$?
check "check: the inlined helper over its 8% budget: exit 1 ($rc)" test $rc -eq 1
check "check: mix_step EXCEEDED with report's samples ($(json "$T/c.json" "d['tables'][0]['rows'][0]['samples']") = $got_mix)" \
	test "$(json "$T/c.json" "d['tables'][0]['rows'][0]['status']")" = EXCEEDED -a \
	"$(json "$T/c.json" "d['tables'][0]['rows'][0]['samples']")" -eq "$got_mix"
check "check: process holds 25% on its own code (report's $got_proc samples)" \
	test "$(json "$T/c.json" "d['tables'][0]['rows'][1]['status']")" = ok -a \
	"$(json "$T/c.json" "d['tables'][0]['rows'][1]['samples']")" -eq "$got_proc"
sed 's/"max_self_percent": 8}/"max_self_percent": 30}/' "$T/budget.json" >"$T/hold.json"
"$SCORCH" check -b "$T/hold.json" "$B" >"$T/o" 2>"$T/e"
rc=$?
check "check: a 30% budget on the helper holds: exit 0 ($rc)" test $rc -eq 0
"$SCORCH" check -b "$T/budget.json" "$B" --no-inline --format json >"$T/cn.json" 2>"$T/cn.err"
rc=$?
check "check --no-inline: process over 25% with the inlined code: exit 1 ($rc)" \
	test $rc -eq 1 -a "$(json "$T/cn.json" "d['tables'][0]['rows'][1]['status']")" = EXCEEDED
check "check --no-inline: the helper matches nothing, and says why" \
	grep -q "'mix_step' matches no function .*with --no-inline" "$T/cn.err"

# --- diff: the helper is the finding, inlined into process ---------------------
"$SCORCH" diff "$T/base" "$T/pr" --report "$T/d.json" --report "$T/d.md" \
	>"$T/d.txt" 2>"$T/d.err"
first=$(json "$T/d.json" "d['regressions'][0]['function']")
if [ "$first" = mix_step ]; then
	ok "diff: the inlined helper (mix_step) is ranked first"
else
	not_ok "diff: the inlined helper (mix_step) is ranked first" \
		"first: $first" "$(head -20 "$T/d.txt")"
fi
check "diff: JSON says where it was inlined (process)" \
	test "$(json "$T/d.json" "d['regressions'][0]['inlined_into']")" = process
base_self=0
pr_self=0
for i in 1 2 3 4 5; do
	"$SCORCH" report "$T/base/run$i.json" --top 0 --format json >"$T/rb.json"
	"$SCORCH" report "$T/pr/run$i.json" --top 0 --format json >"$T/rp.json"
	base_self=$((base_self + $(self "$T/rb.json" mix_step "$T/base/run$i.json")))
	pr_self=$((pr_self + $(self "$T/rp.json" mix_step "$T/pr/run$i.json")))
done
check "diff: mix_step's self samples are report's ($(json "$T/d.json" "d['regressions'][0]['self_samples']") = [$base_self, $pr_self])" \
	test "$(json "$T/d.json" "d['regressions'][0]['self_samples']")" = "[$base_self, $pr_self]"
check "diff: the text report says 'inlined into process'" \
	grep -q '^   inlined into process (' "$T/d.txt"
check "diff: the markdown says it too" \
	grep -q '`mix_step` in `inlined`, inlined into `process`' "$T/d.md"
"$SCORCH" diff "$T/base" "$T/pr" --no-inline --report "$T/dn.json" \
	>"$T/dn.txt" 2>"$T/dn.err"
check "diff --no-inline: the machine code that grew is process's" \
	test "$(json "$T/dn.json" "d['regressions'][0]['function']")" = process -a \
	"$(json "$T/dn.json" "d['regressions'][0]['inlined_into']")" = null

# --- folded stacks and the SVG keep the marker; --no-inline folds it --------
check "fold keeps the _[i] marker" grep -q ';process;mix_step_\[i\] ' "$T/b.folded"
"$SCORCH" fold "$B" --no-inline >"$T/bn.folded"
check "fold --no-inline: no inlined frame, the same samples" \
	sh -c "! grep -q '_\[i\]' '$T/bn.folded' &&
		test $(count "$T/bn.folded" .) -eq $(count "$T/b.folded" .)"
"$SCORCH" svg "$B" -o "$T/b.svg" 2>/dev/null
"$SCORCH" svg "$B" --no-inline -o "$T/bn.svg" 2>/dev/null
check "svg keeps the _[i] marker" grep -q 'mix_step_\[i\]' "$T/b.svg"
check "svg --no-inline draws no inlined frame" \
	sh -c "test -s '$T/bn.svg' && ! grep -q 'mix_step' '$T/bn.svg'"
tap_done
