#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/profile-diff.sh and examples/ci/profile-diff.yml, end to end on a
# throwaway repository whose culprit commit makes `checksum` slower: the
# profiles, flame graphs and labels it leaves, its exit codes and errors,
# the worktrees it removes, and the workflow's own step run as GitHub would
# run it. The verdicts need scorch diff: until it is built, those checks
# skip and the script must say that diff is missing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../data/regress/make-repo.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
pd=$top/scripts/profile-diff.sh
if ! can_perf; then
	skip "profile-diff" "no permission for perf events"
	tap_done
fi
make_repo "$T/repo" >/dev/null 2>&1
parent=$(git -C "$T/repo" rev-parse "$culprit~1")
short() { git -C "$T/repo" rev-parse --short "$1"; }
has_diff=0
"$SCORCH" help | grep -q '^  diff ' && has_diff=1
export SCORCH

# Base: the culprit's parent; head: the culprit. 3 runs each.
(cd "$T/repo" && "$pd" -n 3 -o "$T/out" "$parent" "$culprit" -- ./bench) \
	>"$T/pd.out" 2>"$T/pd.err"
rc=$?
check "three runs of each side" \
	sh -c "ls '$T'/out/base/run-[123].json '$T'/out/head/run-[123].json >/dev/null"
check "flame graphs of both sides" \
	sh -c "xmllint --noout '$T/out/base.svg' && xmllint --noout '$T/out/head.svg'"
check "runs are labelled with side, commit and run" \
	sh -c "grep -q '\"label.side\": \"head\"' '$T/out/head/run-2.json' &&
		grep -q '\"label.commit\": \"$(short "$culprit")\"' '$T/out/head/run-2.json' &&
		grep -q '\"label.run\": \"2\"' '$T/out/head/run-2.json'"
check "build logs of both sides" test -f "$T/out/build-base.log" -a -f "$T/out/build-head.log"
# The runs measured what was built: checksum 20% in base, 60% in head.
printf '{"budgets": [{"function": "checksum", "max_self_percent": 40}]}' >"$T/b.json"
"$SCORCH" merge "$T"/out/base/run-*.json -o "$T/base.json"
"$SCORCH" merge "$T"/out/head/run-*.json -o "$T/head.json"
"$SCORCH" check -b "$T/b.json" "$T/base.json" >/dev/null 2>&1
b=$?
"$SCORCH" check -b "$T/b.json" "$T/head.json" >/dev/null 2>&1
h=$?
check "base profiles hold checksum's 40% budget ($b), head's exceed it ($h)" \
	test $b -eq 0 -a $h -eq 1
check "the worktrees are gone" \
	test "$(git -C "$T/repo" worktree list | wc -l)" -eq 1
if [ $has_diff -eq 1 ]; then
	check "a regression: exit 1 ($rc)" test $rc -eq 1
	check "diff.svg, diff.md, diff.json, comment.md" \
		sh -c "xmllint --noout '$T/out/diff.svg' && test -s '$T/out/diff.md' -a -s '$T/out/comment.md'"
	check "diff.json: the verdict is a regression in checksum" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d["verdict"] == "regression" and any(
    r["function"].startswith("checksum") and r["significant"]
    for r in d["regressions"])))' "$T/out/diff.json"
	check "comment.md names both commits" \
		sh -c "head -1 '$T/out/comment.md' | grep -q '^<!-- scorch profile-diff -->' &&
			grep -q '$(short "$parent")' '$T/out/comment.md' &&
			grep -q '$(short "$culprit")' '$T/out/comment.md'"
	(cd "$T/repo" && "$pd" -n 3 -o "$T/same" "$good" "$parent" -- ./bench) \
		>"$T/same.out" 2>"$T/same.err"
	rc=$?
	check "no change in checksum: exit 0 ($rc)" test $rc -eq 0
else
	check "without scorch diff: exit 2 ($rc), saying so" \
		sh -c "test $rc -eq 2 && grep -q 'this scorch has no diff command; the profiles and flame graphs are in' '$T/pd.err'"
	skip "the verdicts of profile-diff" "scorch diff not built yet"
fi

# Errors: exit 2, one line.
fails() { # fails DESCRIPTION MESSAGE-REGEX ARGS...
	desc=$1 want=$2
	shift 2
	(cd "$T/repo" && "$pd" -o "$T/err" "$@") >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc -eq 2 ] && tail -1 "$T/e" | grep -q "$want"; then
		ok "$desc: exit 2"
	else
		not_ok "$desc: exit 2" "exit $rc" "stderr: $(tail -3 "$T/e")"
	fi
}
fails "a ref that is not a commit" "^scorch: profile-diff: no-such-ref: not a commit of" \
	-n 1 no-such-ref "$bad" -- ./bench
fails "a base that does not build" "^scorch: profile-diff: base ([0-9a-f]*): the build failed" \
	-n 1 "$broken" "$bad" -- ./bench
fails "a benchmark that fails" "^scorch: profile-diff: base ([0-9a-f]*): run 1: the benchmark exited 3" \
	-n 1 "$good" "$bad" -- sh -c 'exit 3'
fails "no command" "^scorch: profile-diff: usage:" "$good" "$bad"
fails "-n 0" "^scorch: profile-diff: -n: '0' is not a number of runs" -n 0 "$good" "$bad" -- ./bench
check "the worktrees are gone after errors too" \
	test "$(git -C "$T/repo" worktree list | wc -l)" -eq 1

# The workflow: GitHub's shape, and its profile-diff step run as GitHub
# runs it (bash -e, in the checkout, with GitHub's variables) against this
# scorch checkout. Debian's python3 has PyYAML (python3-yaml).
wf=$top/examples/ci/profile-diff.yml
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	skip "examples/ci/profile-diff.yml" "Debian's python3-yaml is not installed"
	tap_done
fi
check "the workflow: on pull_request, may comment, a privileged Debian 12 container, uploads profile-diff/, posts comment.md" \
	/usr/bin/python3 -c '
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w.get("on", w.get(True))
job = w["jobs"]["profile-diff"]
steps = job["steps"]
uses = {s.get("uses", "").split("@")[0]: s for s in steps}
ok = ("pull_request" in on
      and w["permissions"]["pull-requests"] == "write"
      and job["container"]["image"] == "debian:12"
      and "--privileged" in job["container"]["options"]
      and uses["actions/upload-artifact"]["with"]["path"] == "profile-diff/"
      and "profile-diff/comment.md" in uses["actions/github-script"]["with"]["script"]
      and uses["actions/checkout"]["with"]["fetch-depth"] == 0)
sys.exit(not ok)' "$wf"
/usr/bin/python3 -c '
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
step = [s for s in w["jobs"]["profile-diff"]["steps"] if s.get("id") == "diff"][0]
sys.stdout.write(step["run"])' "$wf" >"$T/step.sh"
# $RUNNER_TEMP/scorch as the job's "Build scorch" leaves it, with the
# scorch under test; the script finds it beside itself (SCORCH unset).
mkdir -p "$T/runner/scorch" "$T/home"
ln -s "$SCORCH" "$T/runner/scorch/scorch"
ln -s "$top/scripts" "$T/runner/scorch/scripts"
git -C "$T/repo" update-ref refs/remotes/origin/main "$parent"
git -C "$T/repo" checkout -q "$culprit"
(cd "$T/repo" && env -u SCORCH HOME=$T/home RUNNER_TEMP=$T/runner GITHUB_WORKSPACE=$T/repo \
	GITHUB_BASE_REF=main GITHUB_OUTPUT=$T/github-output bash -e "$T/step.sh") \
	>"$T/step.out" 2>"$T/step.err"
rc=$?
check "the workflow's step runs profile-diff.sh and finishes (exit $rc)" test $rc -eq 0
want=2
[ $has_diff -eq 1 ] && want=1
check "... and hands the verdict on in GITHUB_OUTPUT (status=$want)" \
	grep -qx "status=$want" "$T/github-output"
check "... with five runs a side in profile-diff/ of the checkout" \
	sh -c "ls '$T'/repo/profile-diff/base/run-5.json '$T'/repo/profile-diff/head/run-5.json >/dev/null"
tap_done
