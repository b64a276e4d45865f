#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch diff with its defaults on a fast subset of the planted-regression
# corpus (examples/diffcorpus/corpus.list), recorded as the README says (3
# interleaved runs a side, -F 999, each program doing a fixed amount of
# work): for each class, the culprit is the first regression listed, it is
# flagged (q <= alpha) or else the first possible regression with the runs
# a side that would decide it (more than the 3 recorded), and no other
# function is flagged; the A/A pairs flag nothing.
# examples/diffcorpus/judge.js reads the JSON report.
#
# Why it should not flake: the planted changes are 35-57% of functions
# holding 9-38% of the time, in runs of about 900 samples; the unchanged
# functions are unchanged in the code, and the A/A pair is one binary.
# A check that fails here is a miss of the model (issue 12's "Done when"),
# not noise: docs/DIFF.md ("The corpus") has the rates over repetitions.
# DIFF_CORPUS_CLASSES and DIFF_CORPUS_SCALE (the share of each program's
# default work; 1: about 0.9 s of CPU a run, as bench/diff.sh records)
# choose what runs; BENCH=diff make bench runs every class, many times.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
list=$top/examples/diffcorpus/corpus.list
judge=$top/examples/diffcorpus/judge.js
dc=$EXAMPLES/diffcorpus
# The default subset is the classes whose verdict held in every run seen
# (b: one of two callers, d: four threads, g: a new function, j: a shared
# library; the threaded A/A): a, c, f, h and i are often only possible
# regressions at 3 runs a side, and h missed altogether once in a fresh
# clone's run (noise 14%), so they are measured by BENCH=diff, not gated.
classes=${DIFF_CORPUS_CLASSES:-"b d g j aa-threads"}
scale=${DIFF_CORPUS_SCALE:-1}

if ! can_perf; then
	skip "scorch diff on the corpus" "no permission for perf events"
	tap_done
fi
if ! command -v node >/dev/null 2>&1; then
	skip "scorch diff on the corpus" "node is needed to read the JSON report"
	tap_done
fi

for class in $classes; do
	line=$(awk -v c="$class" '$1 == c' "$list")
	if [ -z "$line" ]; then
		not_ok "$class: a class of $list" "no such class"
		continue
	fi
	set -- $line
	base=$2 pr=$3 culprit=$4 expect=$5 also=$6
	if [ ! -x "$dc/$base" ] || [ ! -x "$dc/$pr" ]; then
		not_ok "$class: programs built" "missing $dc/$base or $dc/$pr"
		continue
	fi
	mkdir -p "$T/$class/base" "$T/$class/pr"
	i=1
	while [ $i -le 3 ]; do
		"$SCORCH" record -q -F 999 -o "$T/$class/base/$i.json" -- \
			"$dc/$base" "$scale" >/dev/null 2>&1
		"$SCORCH" record -q -F 999 -o "$T/$class/pr/$i.json" -- \
			"$dc/$pr" "$scale" >/dev/null 2>&1
		i=$((i + 1))
	done
	"$SCORCH" diff "$T/$class/base" "$T/$class/pr" -q \
		--report "$T/$class/diff.json" --report "$T/$class/diff.txt" \
		2>"$T/$class/diff.err"
	rc=$?
	if [ $rc -ne 0 ] || [ ! -s "$T/$class/diff.json" ]; then
		not_ok "$class: scorch diff runs" "exit $rc: $(head -3 "$T/$class/diff.err")"
		continue
	fi
	got=$(node "$judge" scorch "$T/$class/diff.json" "$culprit" "$expect" "$also")
	show=$(head -25 "$T/$class/diff.txt")
	field() { printf '%s\n' "$got" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	if [ "$expect" = none ]; then
		if [ "$(field others)" -eq 0 ]; then
			ok "$class (A/A): nothing flagged"
		else
			not_ok "$class (A/A): nothing flagged" "$got" "$show"
		fi
		continue
	fi
	if [ "$(field first)" -eq 1 ]; then
		ok "$class: the culprit ($culprit) is the first regression"
	else
		not_ok "$class: the culprit ($culprit) is the first regression" "$got" "$show"
	fi
	if [ "$expect" = possible ]; then
		:
	elif [ "$(field flagged)" -eq 1 ]; then
		ok "$class: the culprit is flagged"
	elif [ "$(field first)" -eq 1 ] &&
		[ "$(field possible_runs)" -gt 3 ] 2>/dev/null; then
		# Not yet a finding at 3 runs a side on every machine (the
		# accuracy table in docs/DIFF.md has the rates): the report
		# must then lead with it as the first possible regression and
		# advise the runs that would decide it.
		ok "$class: the culprit is flagged, or the first possible regression with advice ($(field possible_runs) runs a side)"
	else
		not_ok "$class: the culprit is flagged, or the first possible regression with advice" "$got" "$show"
	fi
	if [ "$(field others)" -eq 0 ]; then
		ok "$class: no unchanged function is flagged"
	else
		not_ok "$class: no unchanged function is flagged" "$got" "$show"
	fi
done
tap_done
