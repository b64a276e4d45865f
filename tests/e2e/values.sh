#!/bin/sh
# SPDX-License-Identifier: MIT
# Values with units on profiles holding off-CPU time (written by
# tests/data/values/gen.py, so no recorder is needed): --value on report,
# check, diff and export, the default wall view, times in ms per run, the
# units every view says, pprof sample types and speedscope weights, and a
# diff that names a new lock wait with the stack where it waits.
. "$(dirname "$0")/lib.sh"

gen="$(dirname "$0")/../data/values/gen.py"
python3 "$gen" "$T/base.json" 50 &&
	python3 "$gen" "$T/pr.json" 800 || {
	not_ok "gen.py writes the profiles"
	tap_done
	exit
}

# report: wall by default (4.3 s: 3 s of CPU and 1.3 s off it), off-cpu and
# cpu when asked, in ms.
"$SCORCH" report "$T/pr.json" --top 0 >"$T/r.out" 2>"$T/err"
check "report: wall time by default (4.300 s)" grep -q '^wall time: 4.300 s$' "$T/r.out"
check "report: tables by self wall time, in ms" \
	grep -q '^Top functions by self wall time$' "$T/r.out"
check "report: the lock wait's 800.0 ms of wall time" \
	grep -Eq '^ +800\.0 +18\.6% +800\.0 +18\.6%  futex_wait_\[k\]' "$T/r.out"
check "report: no 'samples' line for a view in ns" \
	sh -c "! grep -q '^samples:' '$T/r.out'"
"$SCORCH" report "$T/pr.json" --value off-cpu --format json -o "$T/r.json"
got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["tables"][0]["rows"]
print(d["info"]["off_cpu_time"],
      [r["self_ms"] for r in rows if r["function"] == "futex_wait_[k]"][0],
      round(sum(r["self_ms"] for r in rows), 1))' "$T/r.json")
check "report --value off-cpu: 1.300 s, futex_wait 800 ms, self adds up ($got)" \
	test "$got" = "1.300 s 800.0 1300.0"
"$SCORCH" report "$T/pr.json" --value cpu --top 0 >"$T/c.out"
check "report --value cpu: 300 samples, 3 s, parse's 2000 ms, the waits not listed" \
	sh -c "grep -q '^samples: 300$' '$T/c.out' && grep -q '^cpu time: 3.000 s$' '$T/c.out' && grep -Eq '^ +2000\.0 +66\.7% .* parse ' '$T/c.out' && ! grep -Eq 'futex_wait|pipe_read|cache_lookup' '$T/c.out'"
"$SCORCH" report "$T/pr.json" --value idle >"$T/o" 2>"$T/e"
rc=$?
check "--value idle: exit 2, one line ($rc)" \
	test $rc -eq 2 -a "$(wc -l <"$T/e")" -eq 1

# A merged profile's times are per run: two runs of 800 ms are 800 ms.
"$SCORCH" merge "$T/pr.json" "$T/pr.json" -o "$T/m.json"
"$SCORCH" report "$T/m.json" --value off-cpu >"$T/m.out"
check "report of 2 merged runs: 1.300 s per run, futex_wait 800.0 ms" \
	sh -c "grep -q '^off-cpu time: 1.300 s per run$' '$T/m.out' && grep -Eq '^ +800\.0 .*futex_wait_\[k\]' '$T/m.out'"

# fold: counts are the value's ns.
"$SCORCH" fold "$T/pr.json" --value off-cpu >"$T/f.folded"
check "fold --value off-cpu: the wait's stack, 800000000 ns" grep -qx \
	'server;main;handle_request;cache_lookup;pthread_mutex_lock;futex_wait_\[k\] 800000000' \
	"$T/f.folded"

# check: budgets in off-CPU and wall ms.
cat >"$T/waits.json" <<'B'
{"budgets": [
  {"function": "futex_wait_[k]", "max_self_ms": 100},
  {"function": "pipe_read_[k]", "max_self_ms": 600}
]}
B
"$SCORCH" check -b "$T/waits.json" "$T/base.json" --value off-cpu >"$T/o" 2>"$T/e"
rc=$?
check "check --value off-cpu: the baseline's 50 ms wait holds ($rc)" test $rc -eq 0
"$SCORCH" check -b "$T/waits.json" "$T/pr.json" --value off-cpu >"$T/o" 2>"$T/e"
rc=$?
check "check --value off-cpu: the PR's 800 ms wait exceeds 100 ms ($rc)" \
	sh -c "test $rc -eq 1 && grep -Eq 'futex_wait_\[k\] +self ms +100\.0 +800\.0 .*EXCEEDED' '$T/o'"
"$SCORCH" check -b "$T/waits.json" "$T/pr.json" --value cpu >"$T/o" 2>"$T/e"
rc=$?
check "check --value cpu: no wait on CPU, the limits hold ($rc)" test $rc -eq 0
# A budget file that names its value is checked in it unless --value says.
sed 's/^{"budgets"/{"value": "off-cpu", "budgets"/' "$T/waits.json" >"$T/owaits.json"
"$SCORCH" check -b "$T/owaits.json" "$T/pr.json" >"$T/o" 2>"$T/e"
rc=$?
check "check, budget \"value\": \"off-cpu\": the 800 ms wait exceeds 100 ms ($rc)" \
	sh -c "test $rc -eq 1 && grep -q '^off-cpu time: 1.300 s$' '$T/o' && grep -Eq 'futex_wait_\[k\] +self ms +100\.0 +800\.0 .*EXCEEDED' '$T/o'"
"$SCORCH" check -b "$T/owaits.json" "$T/pr.json" --value cpu >"$T/o" 2>"$T/e"
rc=$?
check "check --value cpu over the file's off-cpu: the limits hold ($rc)" test $rc -eq 0
sed 's/^{"budgets"/{"value": "idle", "budgets"/' "$T/waits.json" >"$T/bwaits.json"
"$SCORCH" check -b "$T/bwaits.json" "$T/pr.json" >"$T/o" 2>"$T/e"
rc=$?
check "check, budget \"value\": \"idle\": exit 2, one line naming the file ($rc)" \
	sh -c "test $rc -eq 2 && test \$(wc -l <'$T/e') -eq 1 && grep -q 'bwaits.json: value: must be' '$T/e'"

# diff: min_samples counts what the time is worth in samples of the
# period (3550 ms at 10 ms: 355), not nanoseconds.
"$SCORCH" diff "$T/base.json" "$T/pr.json" >"$T/d.out" 2>"$T/e"
rc=$?
check "diff (wall): 355 and 430 periods are too few for the default 500 ($rc)" \
	grep -q '^scorch diff: inconclusive: too few samples: 355 in the baseline, 430 in the PR, time counted in periods (need 500 a side' "$T/d.out"
# diff: the PR's new lock wait is the regression, named with its stack.
"$SCORCH" diff "$T/base.json" "$T/pr.json" --fail-on-regression \
	--min-samples 300 --report "$T/d.json" >"$T/d.out" 2>"$T/e"
rc=$?
check "diff (wall by default): a regression, exit 1 ($rc)" test $rc -eq 1
check "diff: futex_wait is the first regression" \
	grep -Eq '^ 1 futex_wait \(\[kernel\]\)' "$T/d.out"
check "diff: ... through the stack where it waits" \
	grep -q 'via main > handle_request > cache_lookup > pthread_mutex_lock > futex_wait' "$T/d.out"
check "diff: amounts in ms, not samples" \
	grep -q '^baseline: 1 run, 3550.0 ms; PR: 1 run, 4300.0 ms$' "$T/d.out"
check "diff --report json: counts are ns" grep -q '"counts": "ns"' "$T/d.json"
"$SCORCH" diff "$T/base.json" "$T/pr.json" --value cpu --normalize none \
	--min-samples 100 >"$T/dc.out" 2>"$T/e"
check "diff --value cpu: the wait is off CPU, no regression" \
	grep -q '^scorch diff: no-regression' "$T/dc.out"

# export: pprof holds every value, speedscope weighs the one asked for.
"$SCORCH" export "$T/pr.json" --value off-cpu -o "$T/w.speedscope.json"
got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["profiles"][0]
print(p["unit"], sum(p["weights"]), p["endValue"])' "$T/w.speedscope.json")
check "speedscope --value off-cpu: weights in ns add up to 1.3 s ($got)" \
	test "$got" = "nanoseconds 1300000000 1300000000"
"$SCORCH" export "$T/pr.json" -o "$T/p.pb.gz"
if command -v go >/dev/null 2>&1; then
	go tool pprof -raw "$T/p.pb.gz" >"$T/raw" 2>&1
	check "pprof: samples/count cpu/nanoseconds off-cpu/nanoseconds wall/nanoseconds" \
		grep -q 'samples/count cpu/nanoseconds off-cpu/nanoseconds wall/nanoseconds' "$T/raw"
	go tool pprof -top "$T/p.pb.gz" >"$T/top" 2>&1
	check "pprof: the default type is wall" grep -q '^Type: wall$' "$T/top"
	go tool pprof -sample_index=off-cpu -top "$T/p.pb.gz" >"$T/top" 2>&1
	check "pprof -sample_index=off-cpu: futex_wait 800ms" \
		grep -Eq '^ +800ms +61\.54% .* futex_wait$' "$T/top"
	"$SCORCH" export "$T/pr.json" --value cpu -o "$T/c.pb.gz"
	go tool pprof -top "$T/c.pb.gz" >"$T/top" 2>&1
	check "pprof --value cpu: the default type is cpu" grep -q '^Type: cpu$' "$T/top"
else
	skip "pprof sample types" "no go (scripts/deps.sh test installs golang-go)"
fi

# svg: the title and the tooltips say what is shown, in ms.
"$SCORCH" svg "$T/pr.json" --value off-cpu -o "$T/o.svg"
check "svg --value off-cpu: titled Off-CPU" grep -q '>Off-CPU Time Flame Graph<' "$T/o.svg"
check "svg --value off-cpu: tooltips in ms" \
	grep -q '<title>futex_wait_\[k\]&#10;800.0 ms (61.54%), self 800.0 ms' "$T/o.svg"
"$SCORCH" svg "$T/pr.json" --value cpu -o "$T/c.svg"
check "svg --value cpu: titled CPU, ms then samples" \
	sh -c "grep -q '>CPU Time Flame Graph<' '$T/c.svg' && grep -q '<title>parse&#10;2000.0 ms (66.67%), self 2000.0 ms&#10;200 samples, self 200' '$T/c.svg'"

# Folded input has no period: wall cannot weigh its samples.
"$SCORCH" fold "$T/pr.json" --value cpu >"$T/c.folded"
"$SCORCH" report "$T/c.folded" --value wall >"$T/o" 2>"$T/e"
rc=$?
check "report --value wall of folded input: exit 2, one line ($rc)" \
	test $rc -eq 2 -a "$(wc -l <"$T/e")" -eq 1
tap_done
