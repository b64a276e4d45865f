#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/profile-diff.sh - the whole baseline-vs-PR job, for CI
# (examples/ci/profile-diff.yml) or a terminal: build two revisions of a git
# repository side by side (git worktree), run a benchmark under
# `scorch record` several times on each, interleaved, and compare them with
# `scorch diff --fail-on-regression`. Everything a CI job uploads or posts
# is left in one directory.
#
# Usage: scripts/profile-diff.sh [options] BASE_REF HEAD_REF -- COMMAND [ARGS...]
#
#   -o DIR        output directory (default: profile-diff)
#   -n RUNS       runs of COMMAND per revision (default: 8, the runs that
#                 find +2% of the total in one function at the default
#                 alpha on a loaded 2-CPU machine: docs/DIFF.md, The corpus)
#   -F HZ         sampling frequency (default: 999)
#   --build CMD   how to build a revision, run with sh -c in its worktree
#                 (default: make)
#   --repo DIR    the git repository (default: the one around the current
#                 directory)
#   --alpha A, --min-delta PTS    passed to scorch diff
#
# COMMAND runs in the revision's worktree (so ./bench is that revision's).
# HEAD_REF is a commit: uncommitted changes are not part of it.
#
# Output directory:
#   base/run-N.json, head/run-N.json   every run's profile, labelled with
#                                      side, commit and run
#   base.svg, head.svg                 flame graphs of each side's runs
#   diff.svg, diff.md, diff.json       scorch diff's graph and reports
#   diff.txt                           its text report (also on stdout)
#   comment.md                         diff.md under a heading naming both
#                                      revisions: the PR comment
#   build-base.log, build-head.log     the builds' output
#
# Exit status, scorch diff's: 0 no significant regression, 1 a significant
# regression, 125 the profiles cannot support a verdict; 2 for anything
# else (a bad option or ref, a failed build or benchmark, no scorch diff),
# with one line on stderr. SCORCH names the scorch binary (default: the
# one beside this script's repository, else `scorch` on the PATH).
set -u

me="scorch: profile-diff"
die() {
	echo "$me: $*" >&2
	exit 2
}
usage() {
	die "usage: profile-diff.sh [-o DIR] [-n RUNS] [-F HZ] [--build CMD] [--repo DIR] [--alpha A] [--min-delta PTS] BASE_REF HEAD_REF -- COMMAND [ARGS...]"
}

out=profile-diff runs=8 hz=999 build=make repo=. base_ref="" head_ref=""
diff_opts=""
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	-o | -n | -F | --build | --repo | --alpha | --min-delta)
		[ $# -ge 2 ] || usage
		case $1 in
		-o) out=$2 ;;
		-n) runs=$2 ;;
		-F) hz=$2 ;;
		--build) build=$2 ;;
		--repo) repo=$2 ;;
		--alpha | --min-delta) diff_opts="$diff_opts $1 $2" ;;
		esac
		shift 2
		;;
	-*) usage ;;
	*)
		if [ -z "$base_ref" ]; then
			base_ref=$1
		elif [ -z "$head_ref" ]; then
			head_ref=$1
		else
			usage
		fi
		shift
		;;
	esac
done
[ -n "$head_ref" ] && [ $# -gt 0 ] || usage
case $runs in '' | *[!0-9]* | 0) die "-n: '$runs' is not a number of runs" ;; esac
case $hz in '' | *[!0-9]* | 0) die "-F: '$hz' is not a frequency" ;; esac
case "$diff_opts" in *[!-a-z0-9.\ ]*) die "--alpha, --min-delta: numbers only" ;; esac

if [ -z "${SCORCH:-}" ]; then
	SCORCH=$(cd "$(dirname "$0")/.." && pwd)/scorch
	[ -x "$SCORCH" ] || SCORCH=scorch
fi
command -v "$SCORCH" >/dev/null 2>&1 || die "$SCORCH: no scorch binary (build it with make, or set SCORCH)"
top=$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null) ||
	die "$repo: not in a git repository"
base=$(git -C "$top" rev-parse --verify -q "$base_ref^{commit}") ||
	die "$base_ref: not a commit of $top"
head=$(git -C "$top" rev-parse --verify -q "$head_ref^{commit}") ||
	die "$head_ref: not a commit of $top"
base_short=$(git -C "$top" rev-parse --short "$base")
head_short=$(git -C "$top" rev-parse --short "$head")

mkdir -p "$out" || die "$out: cannot create the output directory"
out=$(cd "$out" && pwd)
rm -rf "$out/base" "$out/head"
rm -f "$out"/base.svg "$out"/head.svg "$out"/diff.* "$out"/comment.md
mkdir -p "$out/base" "$out/head"

# The two worktrees live outside the repository and the output, and go
# away at exit whatever happens.
work=$(mktemp -d "${TMPDIR:-/tmp}/scorch-profile-diff.XXXXXX") || die "mktemp failed"
cleanup() {
	for side in base head; do
		[ -d "$work/$side" ] &&
			git -C "$top" worktree remove --force "$work/$side" 2>/dev/null
	done
	git -C "$top" worktree prune 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

for side in base head; do
	eval "rev=\$$side short=\$${side}_short"
	# shellcheck disable=SC2154
	git -C "$top" worktree add -q --detach "$work/$side" "$rev" 2>"$out/build-$side.log" ||
		die "$side ($short): git worktree add failed: $(tail -1 "$out/build-$side.log")"
	echo "$me: building $side ($short)" >&2
	(cd "$work/$side" && sh -c "$build") >"$out/build-$side.log" 2>&1 ||
		die "$side ($short): the build failed: $(tail -1 "$out/build-$side.log") (all of it: $out/build-$side.log)"
done

# Interleaved runs, so a machine that slows down or speeds up during the
# job affects both sides alike.
i=1
while [ $i -le "$runs" ]; do
	for side in base head; do
		eval "short=\$${side}_short"
		echo "$me: run $i of $runs: $side ($short)" >&2
		(cd "$work/$side" && "$SCORCH" record -q -F "$hz" -L "side=$side" \
			-L "commit=$short" -L "run=$i" -o "$out/$side/run-$i.json" \
			-- "$@") >"$work/bench.out" 2>"$work/record.err"
		rc=$?
		[ $rc -eq 0 ] ||
			die "$side ($short): run $i: the benchmark exited $rc: $(tail -1 "$work/record.err")"
	done
	i=$((i + 1))
done
for side in base head; do
	eval "short=\$${side}_short"
	"$SCORCH" merge "$out/$side"/run-*.json -o "$out/$side.svg" ||
		die "$side: scorch merge failed"
done

if ! "$SCORCH" help | grep -q '^  diff '; then
	die "this scorch has no diff command; the profiles and flame graphs are in $out"
fi
# shellcheck disable=SC2086
"$SCORCH" diff "$out/base" "$out/head" --fail-on-regression $diff_opts \
	--report "$out/diff.md" --report "$out/diff.json" -o "$out/diff.svg" \
	>"$out/diff.txt" 2>"$work/diff.err"
rc=$?
cat "$out/diff.txt"
cat "$work/diff.err" >&2
case $rc in
0) verdict="no significant regression" ;;
1) verdict="a significant regression" ;;
125) verdict="no verdict: the profiles cannot support one" ;;
*) die "scorch diff exited $rc" ;;
esac
{
	echo "<!-- scorch profile-diff -->"
	echo "## scorch: $verdict"
	echo
	echo "Base \`$base_short\` ($base_ref) against head \`$head_short\` ($head_ref):" \
		"$runs runs each of \`$*\` at $hz Hz. Flame graphs and profiles" \
		"are in the job's artifacts (\`base.svg\`, \`head.svg\`, \`diff.svg\`)."
	echo
	[ -f "$out/diff.md" ] && cat "$out/diff.md"
} >"$out/comment.md"
echo "$me: $verdict (exit $rc); results in $out" >&2
exit $rc
