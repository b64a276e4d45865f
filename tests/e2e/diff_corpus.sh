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
# A class that misses is recorded and judged once more (a CI machine can
# have a bad second), and fails only when it misses twice: a miss of the
# model (issue 12's "Done when"), not noise. docs/DIFF.md ("The corpus")
# has the rates of single recordings over repetitions.
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

# record_class CLASS BASE PR: 3 interleaved runs a side into $T/CLASS,
# then scorch diff's JSON and text reports; 1 when diff fails.
record_class() {
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1/base" "$T/$1/pr"
	i=1
	while [ $i -le 3 ]; do
		"$SCORCH" record -q -F 999 -o "$T/$1/base/$i.json" -- \
			"$dc/$2" "$scale" >/dev/null 2>&1
		"$SCORCH" record -q -F 999 -o "$T/$1/pr/$i.json" -- \
			"$dc/$3" "$scale" >/dev/null 2>&1
		i=$((i + 1))
	done
	"$SCORCH" diff "$T/$1/base" "$T/$1/pr" -q \
		--report "$T/$1/diff.json" --report "$T/$1/diff.txt" \
		2>"$T/$1/diff.err" && [ -s "$T/$1/diff.json" ]
}

field() { printf '%s\n' "$got" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# verdict EXPECT: why the judged comparison ($got) misses, or nothing.
verdict() {
	if [ "$1" = none ]; then
		[ "$(field others)" -eq 0 ] || echo "an A/A pair flagged something"
		return
	fi
	if [ "$(field first)" -ne 1 ]; then
		echo "the culprit is not the first regression"
	elif [ "$1" != possible ] && [ "$(field flagged)" -ne 1 ] &&
		! [ "$(field possible_runs)" -gt 3 ] 2>/dev/null; then
		# Not yet a finding at 3 runs a side on every machine (the
		# accuracy table in docs/DIFF.md has the rates): the report
		# must then lead with it as the first possible regression and
		# advise the runs that would decide it.
		echo "the culprit is neither flagged nor a possible regression with advice"
	elif [ "$(field others)" -ne 0 ]; then
		echo "an unchanged function is flagged"
	fi
}

# Each class is judged on one recording; one that misses is recorded and
# judged once more, and must then hold. A shared CI machine can have a
# bad second (another guest takes the CPUs: a run's noise is then many
# times the usual); a model that misses the class misses twice. The
# first miss is printed, so a flaky class shows in the log, and
# BENCH=diff measures the rate of single recordings.
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
	what="the culprit ($culprit) first, flagged or possible with advice, nothing else flagged"
	[ "$expect" = none ] && what="A/A: nothing flagged"
	attempt=1 why=
	while [ $attempt -le 2 ]; do
		if ! record_class "$class" "$base" "$pr"; then
			why="scorch diff failed: $(head -3 "$T/$class/diff.err")"
			break
		fi
		got=$(node "$judge" scorch "$T/$class/diff.json" "$culprit" \
			"$expect" "$also")
		why=$(verdict "$expect")
		[ -z "$why" ] && break
		if [ $attempt -eq 1 ]; then
			echo "# $class: first recording missed ($why): $got"
			sed 's/^/#   /' "$T/$class/diff.txt" | head -25
		fi
		attempt=$((attempt + 1))
	done
	if [ -z "$why" ]; then
		ok "$class: $what$([ $attempt -eq 2 ] && echo ' (second recording)')"
	else
		not_ok "$class: $what" "$why: ${got:-}"
		sed 's/^/#   /' "$T/$class/diff.txt" 2>/dev/null | head -25
	fi
done
tap_done
