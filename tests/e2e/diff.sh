#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch diff on real recordings of examples/regression (a baseline and a
# PR build): the planted regression is found first with its call path, the
# library function called more names its caller's path, the improvement is
# listed apart, the new function as new; an A/A comparison of recordings of
# the same binary flags nothing, 20 times over (5 runs against 5); no verdict (125) for
# different programs or too few samples; bad input exits 2.
#
# Why it cannot flake: the planted changes move 8 to 20 share points, far
# beyond run-to-run noise (even on a loaded VM, where a function's share
# scattered by 2-3 points between 1.2 s runs); in the A/A comparisons, with 5 runs a side, a finding
# needs q <= 0.001 and also every run of one side beyond every run of the
# other (Mann-Whitney p = 0.008): by chance, both together have odds below
# 1e-5 per function.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "scorch diff on recordings" "no permission for perf events"
	tap_done
fi
if ! command -v node >/dev/null 2>&1; then
	skip "scorch diff on recordings" "node is needed to read the JSON report"
	tap_done
fi

# jq-like: node -e on a JSON file; prints the expression's value.
json() {
	node -e '
		const d = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const v = (new Function("d", "return " + process.argv[2]))(d);
		console.log(typeof v === "string" ? v : JSON.stringify(v));
	' "$1" "$2"
}

mkdir -p "$T/base" "$T/pr" "$T/pool"
# Five runs a side, interleaved, as a CI job would record them.
i=1
while [ $i -le 5 ]; do
	"$SCORCH" record -q -F 999 -o "$T/base/run$i.json" -- \
		"$EXAMPLES/regression-base" 1.5 >/dev/null 2>&1
	"$SCORCH" record -q -F 999 -o "$T/pr/run$i.json" -- \
		"$EXAMPLES/regression-pr" 1.5 >/dev/null 2>&1
	i=$((i + 1))
done

# --- the planted regression --------------------------------------------------
# The example serves for a set time: shares (auto would pick absolute
# time for whole commands whose CPU time is steady, as on a quiet machine).
"$SCORCH" diff "$T/base" "$T/pr" --normalize share --fail-on-regression \
	-o "$T/diff.svg" \
	--report "$T/diff.md" --report "$T/diff.json" >"$T/diff.txt" 2>"$T/diff.err"
rc=$?
check "diff: a regression exits 1 with --fail-on-regression" test $rc -eq 1
check "diff: verdict regression" \
	test "$(json "$T/diff.json" 'd.verdict')" = regression
first=$(json "$T/diff.json" 'd.regressions[0].function')
if [ "$first" = parse_header ]; then
	ok "diff: the planted regression (parse_header) is ranked first"
else
	not_ok "diff: the planted regression (parse_header) is ranked first" \
		"first: $first" "$(head -20 "$T/diff.txt")"
fi
check "diff: with its call path main;serve;parse_header" test \
	"$(json "$T/diff.json" 'd.regressions[0].path.slice(-3).join(";")')" = \
	"main;serve;parse_header"
check "diff: its self delta is many share points, and significant" \
	test "$(json "$T/diff.json" 'd.regressions[0].self_delta > 8 && d.regressions[0].q_value <= 0.001')" = true
check "diff: it explains a share of the total regression" \
	test "$(json "$T/diff.json" 'd.regressions[0].explains > 0.3')" = true
strlen_path=$(json "$T/diff.json" \
	'(d.regressions.find(r => /strlen/.test(r.function)) || {path: []}).path.join(";")')
case "$strlen_path" in
*";format_row;"*strlen*)
	ok "diff: strlen (libc, unchanged) is named through its caller: $strlen_path" ;;
*)
	not_ok "diff: strlen's growth names the caller's path (format_row)" \
		"path: $strlen_path" ;;
esac
check "diff: ... and is marked as called more" \
	test "$(json "$T/diff.json" 'd.regressions.find(r => /strlen/.test(r.function)).called_more')" = true
check "diff: the improvement (compress_block) is listed as one" \
	test "$(json "$T/diff.json" 'd.improvements[0].function')" = compress_block
check "diff: ... and never as a regression" \
	test "$(json "$T/diff.json" 'd.regressions.some(r => r.function == "compress_block")')" = false
check "diff: the new function (audit_log) is listed as new" \
	test "$(json "$T/diff.json" 'd.new.some(r => r.function == "audit_log" && r.new)')" = true
check "diff: every entry has the documented keys" \
	test "$(json "$T/diff.json" '[...d.regressions, ...d.improvements].every(r =>
		"function" in r && "path" in r && "self_delta" in r &&
		"self_pr_rescaled" in r && "runs_needed" in r &&
		"total_delta" in r && "q_value" in r && "significant" in r &&
		r.significant == (r.tier == "finding") &&
		(r.tier == "finding" || r.tier == "possible"))')" = true
check "diff: in each list the findings come first, then the possible ones" \
	test "$(json "$T/diff.json" '[d.regressions, d.improvements].every(l =>
		l.every((r, i) => i == 0 || r.tier == "possible" ||
			l[i - 1].tier == "finding"))')" = true
check "diff: the verdict counts the findings" \
	test "$(json "$T/diff.json" 'd.findings.regressions ==
		d.regressions.filter(r => r.significant).length')" = true
# Numbers a reviewer can check: the PR's own share of its samples, not
# the rescaled value the change is computed from.
check "diff: self_pr is the PR's own share (self samples / PR samples)" \
	test "$(json "$T/diff.json" 'd.rescaled && d.regressions.every(r =>
		Math.abs(r.self_pr - 100 * r.self_samples[1] / d.pr.samples) < 0.01 &&
		Math.abs(r.self_pr_rescaled * d.pr_scale - r.self_pr) < 0.01)')" = true
md_pr=$(grep '^| 1 | `parse_header`' "$T/diff.md" | awk -F' [|] ' '{ print $4 }')
check "diff: the markdown's PR column is the PR's own share ($md_pr)" \
	test "$(json "$T/diff.json" "Math.abs(d.regressions[0].self_pr - Number('$md_pr')) < 0.006")" = true
check "diff: the markdown labels the change as rescaled, its threshold in pts" \
	sh -c "grep -q 'change (pts, rescaled)' '$T/diff.md' &&
		grep -q 'a change of at least 0.5 pts' '$T/diff.md'"
# A function appears once: no caller named for a callee's growth is also
# an improvement of its own.
check "diff: no function is both a regression and an improvement, or a callee's caller" \
	test "$(json "$T/diff.json" '!d.improvements.some(i => d.regressions.some(r =>
		r.function == i.function || r.caller == i.function))')" = true
check "diff: the markdown report names it" grep -q 'parse_header' "$T/diff.md"
check "diff: the text report on stdout names it" grep -q 'parse_header' "$T/diff.txt"
check "diff: the flame graph is valid XML" xmllint --noout "$T/diff.svg"
# The root holds every sample on both sides: no change in each side's own
# share, so white, whatever the rescaling of the report did.
check "diff: the flame graph's root is unchanged (+0.00 pts) and white" \
	grep -q '<title>all&#10;.*change: +0.00 pts (PR - baseline, each side&#39;s own share)</title><rect [^>]*fill="#fafafa"' "$T/diff.svg"
check "diff: the flame graph marks the finding parse_header" \
	grep -q '<title>parse_header&#10;[^<]*finding: regression, self +' "$T/diff.svg"
# ... in a saturated red (a possible change gets half the color at most):
# #ffGGBB with GG below 0x80, its change being most of the biggest one's.
fill=$(grep -o '<title>parse_header&#10;[^<]*</title><rect [^>]*fill="#[0-9a-f]*"' \
	"$T/diff.svg" | head -1 | sed 's/.*fill="#//; s/"$//')
case "$fill" in
ff[0-7]???) ok "diff: ... painted a saturated red (#$fill)" ;;
*) not_ok "diff: ... painted a saturated red" "fill: #$fill" ;;
esac
check "diff: --base-shape draws the baseline's shape" \
	"$SCORCH" diff "$T/base" "$T/pr" --normalize share --base-shape -q \
		-o "$T/base.svg"
check "diff: ... which is valid XML" xmllint --noout "$T/base.svg"
# A fixed-work benchmark (the same 2500 requests each run): absolute CPU
# time, whatever else the machine does.
mkdir "$T/fb" "$T/fp"
for i in 1 2 3; do
	"$SCORCH" record -q -F 999 -o "$T/fb/run$i.json" -- \
		"$EXAMPLES/regression-base" -n 2500 >/dev/null 2>&1
	"$SCORCH" record -q -F 999 -o "$T/fp/run$i.json" -- \
		"$EXAMPLES/regression-pr" -n 2500 >/dev/null 2>&1
done
"$SCORCH" diff "$T/fb" "$T/fp" --normalize none --report "$T/none.json" -q
check "diff --normalize none: fixed work, the slowdown in absolute CPU time" \
	test "$(json "$T/none.json" 'd.unit == "ms" && d.regressions[0].function == "parse_header" && d.regressions[0].self_delta > 100')" = true

# --- A/A: the same binary, recorded 10 times, split 20 ways --------------------
# Runs are the unit of replication, and must be exchangeable: as a CI job
# interleaves baseline and PR runs, each split takes one run of each
# consecutive pair (1,2) (3,4) ... to each side, so a drift of the machine
# over the minute of recording falls on both sides alike.
i=1
while [ $i -le 10 ]; do
	"$SCORCH" record -q -F 999 -o "$T/pool/run$i.json" -- \
		"$EXAMPLES/regression-base" 1.2 >/dev/null 2>&1
	i=$((i + 1))
done
flags=0 bad=""
split=0
while [ $split -lt 20 ]; do
	rm -rf "$T/a" "$T/b"
	mkdir "$T/a" "$T/b"
	# Bit k of the split number picks which run of pair k goes to "a";
	# splits 16-19 are 0-3 with the sides swapped.
	k=0
	while [ $k -lt 5 ]; do
		first=$((2 * k + 1))
		second=$((2 * k + 2))
		if [ $(((split % 16) >> k & 1)) -eq $((split / 16)) ]; then
			cp "$T/pool/run$first.json" "$T/a/"
			cp "$T/pool/run$second.json" "$T/b/"
		else
			cp "$T/pool/run$second.json" "$T/a/"
			cp "$T/pool/run$first.json" "$T/b/"
		fi
		k=$((k + 1))
	done
	"$SCORCH" diff "$T/a" "$T/b" --fail-on-regression -q \
		--report "$T/aa.json"
	rc=$?
	n=$(json "$T/aa.json" 'd.regressions.filter(r => r.significant).length +
		d.improvements.filter(r => r.significant).length')
	if [ $rc -ne 0 ] || [ "$n" != 0 ]; then
		flags=$((flags + 1))
		bad="$bad split $split: exit $rc, $n findings"
	fi
	split=$((split + 1))
done
if [ $flags -eq 0 ]; then
	ok "A/A: 20 comparisons of runs of the same binary flag nothing"
else
	not_ok "A/A: 20 comparisons of runs of the same binary flag nothing" "$bad"
fi

# --- no verdict ---------------------------------------------------------------
"$SCORCH" record -q -F 999 -o "$T/other.json" -- "$EXAMPLES/cpuburn" 1 \
	>/dev/null 2>&1
"$SCORCH" diff "$T/base/run1.json" "$T/other.json" --fail-on-regression -q
check "diff: different programs give no verdict (exit 125)" test $? -eq 125
"$SCORCH" diff "$T/base" "$T/pr" --min-samples 1000000 --fail-on-regression -q
check "diff: too few samples give no verdict (exit 125)" test $? -eq 125
"$SCORCH" diff "$T/base" "$T/base" --fail-on-regression -q
check "diff: a profile against itself exits 0" test $? -eq 0

# --- bad input: one line, exit 2, nothing written -----------------------------
mkdir "$T/empty"
printf 'garbage without a count\n' >"$T/garbage.folded"
for args in "$T/missing.json $T/pr" "$T/empty $T/pr" "$T/garbage.folded $T/pr" \
	"$T/base $T/pr --alpha 2" "$T/base $T/pr -o $T/out.png" "$T/base"; do
	# shellcheck disable=SC2086
	"$SCORCH" diff $args --report "$T/never.json" >/dev/null 2>"$T/bad.err"
	rc=$?
	if [ $rc -eq 2 ] && head -1 "$T/bad.err" | grep -q '^scorch: ' &&
		[ ! -e "$T/never.json" ]; then
		ok "diff $(echo "$args" | sed "s|$T/||g"): exit 2, one line, no output"
	else
		not_ok "diff $(echo "$args" | sed "s|$T/||g"): exit 2, one line, no output" \
			"exit $rc" "$(head -2 "$T/bad.err")"
	fi
done
tap_done
