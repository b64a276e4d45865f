#!/bin/sh
# SPDX-License-Identifier: MIT
# git bisect run driven by scorch finds the commit that made a function
# slower, in a throwaway repository of six commits (one does not build):
# with the README's one-liner (scorch check --budget on shares), with
# scripts/bisect-run.sh on CPU milliseconds, and with bisect-run.sh
# --baseline (scorch diff) once diff exists. Also bisect-run.sh's own exit
# codes: 125 for a commit that does not build, 255 for a bad setup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../data/regress/make-repo.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
if ! can_perf; then
	skip "git bisect with scorch" "no permission for perf events"
	tap_done
fi
for tool in git cc make; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip "git bisect with scorch" "$tool not installed"
		tap_done
	fi
done
make_repo "$T/repo" >/dev/null 2>&1
check "a throwaway repository of six commits" \
	test "$(git -C "$T/repo" rev-list --count HEAD 2>/dev/null)" = 6
# `scorch` on the PATH, as the README's one-liner expects.
PATH=$(dirname "$SCORCH"):$PATH
export PATH

# checksum is 20% of the samples before the culprit (~24% measured) and
# 60% after; with ~300 and ~600 samples at 999 Hz, 40% lies more than six
# standard errors from either.
cat >"$T/budgets.json" <<'EOF'
{"min_samples": 100,
 "budgets": [{"function": "checksum", "max_self_percent": 40}]}
EOF

# bisected LOG: ok when LOG names the culprit as the first bad commit.
bisected() {
	if grep -q "^$culprit is the first bad commit" "$1"; then
		return 0
	fi
	sed 's/^/#   /' "$1" | tail -30
	return 1
}

# The README's one-liner, as it is written there but for the file names.
(
	cd "$T/repo" && git bisect start "$bad" "$good" >/dev/null &&
		git bisect run sh -c 'make -s || exit 125
  scorch record -q -F 999 -o '"$T"'/run.json -- ./bench || exit 125
  scorch check --budget '"$T"'/budgets.json '"$T"'/run.json'
	rc=$?
	git bisect reset >/dev/null 2>&1
	exit $rc
) >"$T/oneliner.log" 2>&1
rc=$?
check "git bisect run with scorch check finds the culprit (exit $rc)" \
	bisected "$T/oneliner.log"

# scripts/bisect-run.sh on CPU milliseconds: checksum takes ~60 ms before
# the culprit and ~360 ms after (fixed work); 150 ms leaves a factor of
# more than two either way for a loaded machine.
cat >"$T/ms.json" <<'EOF'
{"min_samples": 100,
 "budgets": [{"function": "checksum", "max_self_ms": 150}]}
EOF
(
	cd "$T/repo" && git bisect start "$bad" "$good" >/dev/null &&
		git bisect run "$top/scripts/bisect-run.sh" --budget "$T/ms.json" \
			-k "$T/kept" -- ./bench
	rc=$?
	git bisect reset >/dev/null 2>&1
	exit $rc
) >"$T/script.log" 2>&1
rc=$?
check "bisect-run.sh --budget (milliseconds) finds the culprit (exit $rc)" \
	bisected "$T/script.log"
check "bisect-run.sh says which commits were good and bad" \
	sh -c "grep -q 'scorch: bisect-run: [0-9a-f]*: good$' '$T/script.log' &&
		grep -q 'scorch: bisect-run: [0-9a-f]*: bad$' '$T/script.log'"
check "bisect-run.sh -k kept the culprit's profile" \
	test -s "$T/kept/$(git -C "$T/repo" rev-parse --short "$culprit").json"

# bisect-run.sh's exit codes, one commit at a time.
step() { # step COMMIT ARGS...: run bisect-run.sh at COMMIT, print its exit
	c=$1
	shift
	git -C "$T/repo" checkout -q "$c" &&
		(cd "$T/repo" && "$top/scripts/bisect-run.sh" "$@" >"$T/step.out" 2>"$T/step.err")
	echo $?
}
rc=$(step "$broken" --budget "$T/budgets.json" -- ./bench)
check "a commit that does not build: 125 ($rc)" \
	sh -c "test $rc -eq 125 && grep -q 'the build failed' '$T/step.err'"
rc=$(step "$good" --budget "$T/budgets.json" -- ./bench)
check "the good commit: 0 ($rc)" test "$rc" -eq 0
rc=$(step "$culprit" --budget "$T/budgets.json" -- ./bench)
check "the culprit: 1 ($rc), with the table" \
	sh -c "test $rc -eq 1 && grep -q '^    checksum .* self% .* EXCEEDED$' '$T/step.err'"
rc=$(step "$good" --budget "$T/budgets.json" -- sh -c 'exit 3')
check "a benchmark that fails: 125 ($rc)" \
	sh -c "test $rc -eq 125 && grep -q 'the benchmark exited 3' '$T/step.err'"
printf '{"budgets": [{"function": "checksum", "max_self_pct": 35}]}' >"$T/bad.json"
rc=$(step "$good" --budget "$T/bad.json" -- ./bench)
check "a bad budget file aborts the bisection: 255 ($rc)" \
	sh -c "test $rc -eq 255 && grep -q 'max_self_pct: unknown field' '$T/step.err'"
rc=$(step "$good" -- ./bench)
check "neither --budget nor --baseline: 255 ($rc)" test "$rc" -eq 255
printf '{"min_samples": 100000, "budgets": [{"function": "checksum", "max_self_percent": 40}]}' >"$T/many.json"
rc=$(step "$good" --budget "$T/many.json" -- ./bench)
check "too few samples for a verdict: 125 ($rc)" test "$rc" -eq 125
git -C "$T/repo" checkout -q "$bad"

# Against a baseline recorded at the good commit, with scorch diff.
if "$SCORCH" help | grep -q '^  diff '; then
	git -C "$T/repo" checkout -q "$good" && make -s -C "$T/repo" >/dev/null
	mkdir -p "$T/base"
	for i in 1 2 3; do
		"$SCORCH" record -q -F 999 -o "$T/base/run-$i.json" -- "$T/repo/bench" >/dev/null
	done
	git -C "$T/repo" checkout -q "$bad"
	(
		cd "$T/repo" && git bisect start "$bad" "$good" >/dev/null &&
			git bisect run "$top/scripts/bisect-run.sh" --baseline "$T/base" \
				-n 2 -- ./bench
		rc=$?
		git bisect reset >/dev/null 2>&1
		exit $rc
	) >"$T/diff.log" 2>&1
	rc=$?
	check "bisect-run.sh --baseline (scorch diff) finds the culprit (exit $rc)" \
		bisected "$T/diff.log"
else
	skip "bisect-run.sh --baseline (scorch diff)" "scorch diff not built yet"
fi
tap_done
