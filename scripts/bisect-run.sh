#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/bisect-run.sh - one step of `git bisect run` driven by scorch:
# build the checked-out commit, run a benchmark under `scorch record`, and
# answer git with the verdict of `scorch check --budget` (or of
# `scorch diff --fail-on-regression` against a baseline recorded earlier).
#
# Usage, from the repository being bisected:
#   git bisect start BAD GOOD
#   git bisect run /path/to/scorch/scripts/bisect-run.sh \
#       --budget /tmp/budgets.json -- ./bench ARGS...
#   git bisect reset
#
# Options:
#   --budget FILE      the verdict of `scorch check --budget FILE`
#   --baseline DIR     the verdict of `scorch diff DIR RUN --fail-on-regression`
#                      (DIR holds profiles recorded at a good commit)
#   --build CMD        how to build a commit (default: make); run with sh -c
#   -F HZ              sampling frequency (default 999)
#   -n RUNS            runs of the benchmark per commit, merged (default 1)
#   -k DIR             keep each commit's profile in DIR (COMMIT.json)
#
# Exit status, as git bisect reads it: 0 good, 1 bad (over budget, or a
# significant regression), 125 skip (the commit does not build, the
# benchmark fails, or the profile cannot support a verdict), 255 abort the
# bisection (a usage error or a bad budget file: nothing any commit can fix).
# SCORCH names the scorch binary (default: `scorch` beside this script's
# repository, else on the PATH).
set -u

me="scorch: bisect-run"
abort() {
	echo "$me: $*" >&2
	exit 255
}
skip() {
	echo "$me: $commit: $* (skipping this commit)" >&2
	exit 125
}

budget="" baseline="" build=make hz=999 runs=1 keep=""
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	--budget) [ $# -ge 2 ] || abort "--budget needs a FILE"; budget=$2; shift 2 ;;
	--baseline) [ $# -ge 2 ] || abort "--baseline needs a DIR"; baseline=$2; shift 2 ;;
	--build) [ $# -ge 2 ] || abort "--build needs a command"; build=$2; shift 2 ;;
	-F) [ $# -ge 2 ] || abort "-F needs a frequency"; hz=$2; shift 2 ;;
	-n) [ $# -ge 2 ] || abort "-n needs a number"; runs=$2; shift 2 ;;
	-k) [ $# -ge 2 ] || abort "-k needs a directory"; keep=$2; shift 2 ;;
	*) abort "unknown option '$1' (usage: bisect-run.sh (--budget FILE | --baseline DIR) [--build CMD] [-F HZ] [-n RUNS] [-k DIR] -- COMMAND...)" ;;
	esac
done
[ $# -gt 0 ] || abort "no benchmark command (after --)"
if [ -n "$budget" ] && [ -n "$baseline" ] || [ -z "$budget$baseline" ]; then
	abort "give one of --budget FILE and --baseline DIR"
fi
case $runs in '' | *[!0-9]* | 0) abort "-n: '$runs' is not a number of runs" ;; esac
# Files named relative to where bisect started stay valid in the subshells.
[ -z "$budget" ] || [ -f "$budget" ] || abort "$budget: no such budget file"
[ -z "$baseline" ] || [ -d "$baseline" ] || abort "$baseline: no such directory"

if [ -z "${SCORCH:-}" ]; then
	SCORCH=$(cd "$(dirname "$0")/.." && pwd)/scorch
	[ -x "$SCORCH" ] || SCORCH=scorch
fi
if [ -n "$baseline" ] && ! "$SCORCH" help | grep -q '^  diff '; then
	abort "--baseline needs scorch diff, which this scorch does not have"
fi
commit=$(git rev-parse --short HEAD 2>/dev/null) || abort "not in a git repository"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scorch-bisect.XXXXXX") || abort "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 255' INT TERM

sh -c "$build" >"$tmp/build.log" 2>&1 ||
	skip "the build failed: $(tail -1 "$tmp/build.log")"
i=1
while [ $i -le "$runs" ]; do
	"$SCORCH" record -q -F "$hz" -L "commit=$commit" -o "$tmp/run-$i.json" \
		-- "$@" >"$tmp/bench.log" 2>"$tmp/record.err"
	rc=$?
	[ $rc -eq 0 ] || skip "the benchmark exited $rc: $(tail -1 "$tmp/record.err")"
	i=$((i + 1))
done
if [ "$runs" -eq 1 ]; then
	mv "$tmp/run-1.json" "$tmp/run.json"
else
	"$SCORCH" merge "$tmp"/run-*.json -o "$tmp/run.json" ||
		abort "scorch merge failed"
fi
if [ -n "$keep" ]; then
	mkdir -p "$keep" && cp "$tmp/run.json" "$keep/$commit.json"
fi

if [ -n "$budget" ]; then
	"$SCORCH" check --budget "$budget" "$tmp/run.json" >"$tmp/verdict" 2>&1
else
	"$SCORCH" diff "$baseline" "$tmp/run.json" --fail-on-regression \
		>"$tmp/verdict" 2>&1
fi
rc=$?
case $rc in
0) echo "$me: $commit: good" >&2 ;;
1)
	echo "$me: $commit: bad" >&2
	sed 's/^/  /' "$tmp/verdict" >&2
	;;
125)
	# diff says why on its first line, check on its last.
	if [ -n "$budget" ]; then
		skip "no verdict: $(tail -1 "$tmp/verdict")"
	else
		skip "no verdict: $(head -1 "$tmp/verdict")"
	fi
	;;
*)
	cat "$tmp/verdict" >&2
	abort "$commit: scorch exited $rc: fix the setup, then run git bisect again"
	;;
esac
exit $rc
