#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/ci/flamegraph.yml, the flame graph kept as a CI artifact: its
# shape, and its steps run as GitHub runs them (bash, in the checkout, with
# GitHub's variables and this scorch in $RUNNER_TEMP/scorch) on a
# throwaway repository: the artifact's files, the summary page, and the
# budget step's verdict both ways.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../data/regress/make-repo.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
wf=$top/examples/ci/flamegraph.yml
if ! can_perf; then
	skip "examples/ci/flamegraph.yml" "no permission for perf events"
	tap_done
fi
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	skip "examples/ci/flamegraph.yml" "Debian's python3-yaml is not installed"
	tap_done
fi
check "the workflow: a privileged Debian 12 container, uploads flamegraph/ always, budgets only with budgets.json" \
	/usr/bin/python3 -c '
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
job = w["jobs"]["flamegraph"]
steps = {s.get("name", s.get("uses", "")): s for s in job["steps"]}
up = steps["Upload the flame graph and the profile"]
ok = (job["container"]["image"] == "debian:12"
      and "--privileged" in job["container"]["options"]
      and up["uses"].startswith("actions/upload-artifact@")
      and up["with"]["path"] == "flamegraph/" and up["if"] == "always()"
      and steps["Check performance budgets"]["if"] == "hashFiles(\"budgets.json\") != \"\"".replace("\"", "\x27"))
sys.exit(not ok)' "$wf"

# run_step NAME: run the workflow step NAME in the checkout, with the shell
# GitHub would use (bash -e unless the step says otherwise).
run_step() {
	/usr/bin/python3 -c '
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
s = [s for s in w["jobs"]["flamegraph"]["steps"] if s.get("name") == sys.argv[2]][0]
open(sys.argv[3], "w").write(s["run"])
open(sys.argv[3] + ".shell", "w").write(s.get("shell", "bash -e {0}"))' \
		"$wf" "$1" "$T/step.sh" || return 99
	shell=$(sed "s|{0}|$T/step.sh|" "$T/step.sh.shell")
	# shellcheck disable=SC2086
	(cd "$T/repo" && env -u SCORCH HOME="$T/home" RUNNER_TEMP="$T/runner" \
		GITHUB_WORKSPACE="$T/repo" GITHUB_SHA="$sha" GITHUB_RUN_ID=4242 \
		GITHUB_REPOSITORY=example/bench GITHUB_STEP_SUMMARY="$T/summary.md" \
		$shell) >"$T/step.out" 2>"$T/step.err"
}

make_repo "$T/repo" >/dev/null 2>&1
git -C "$T/repo" checkout -q "$good"
sha=$good
# $RUNNER_TEMP/scorch as the job's "Build scorch" leaves it, with the
# scorch under test.
mkdir -p "$T/runner/scorch" "$T/home"
ln -s "$SCORCH" "$T/runner/scorch/scorch"
: >"$T/summary.md"

run_step "Build the benchmark"
check "step 'Build the benchmark' (exit $?)" test -x "$T/repo/bench"
run_step "Profile the benchmark"
rc=$?
check "step 'Profile the benchmark' (exit $rc)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/step.err" | tail -5
f=$T/repo/flamegraph
check "artifact: profile.json labelled with the commit and the run" \
	sh -c "grep -q '\"label.commit\": \"$sha\"' '$f/profile.json' &&
		grep -q '\"label.run\": \"4242\"' '$f/profile.json'"
check "artifact: profile.svg titled with the repository and commit" \
	sh -c "xmllint --noout '$f/profile.svg' &&
		grep -q 'example/bench at $(echo "$sha" | cut -c1-12)' '$f/profile.svg'"
check "artifact: profile.pb.gz is gzip" sh -c "gzip -t '$f/profile.pb.gz'"
check "artifact and summary page: the top functions, checksum among them" \
	sh -c "grep -q '| \`checksum\` |' '$f/report.md' && cmp -s '$f/report.md' '$T/summary.md'"

printf '{"budgets": [{"function": "checksum", "max_self_percent": 40}]}\n' >"$T/repo/budgets.json"
run_step "Check performance budgets"
rc=$?
check "step 'Check performance budgets' at the good commit: exit 0 ($rc)" test $rc -eq 0
check "... with the budget table on the summary page" \
	grep -q '^| `checksum` |  | `self%` | 40.0 |' "$T/summary.md"
git -C "$T/repo" checkout -q "$culprit"
sha=$culprit
run_step "Build the benchmark"
run_step "Profile the benchmark"
run_step "Check performance budgets"
rc=$?
check "step 'Check performance budgets' after the culprit: exit 1 ($rc)" test $rc -eq 1
check "... and the table says EXCEEDED" grep -q '| `EXCEEDED` |$' "$T/summary.md"
tap_done
