#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/diff-power.sh - `BENCH=diff-power make bench`: how many runs a side
# and what sampling frequency `scorch diff` (its defaults) needs to find a
# change of +2% of the total in one function on this machine.
# examples/diffcorpus/power.c's `target` gets extra work worth POWER_PCT
# (default 2) percent of the baseline's total; `power 1 0` (baseline)
# against `power 1 2` (PR), recorded interleaved, POWER_REPS times (default
# 4) for each configuration "RUNS@HZ" of POWER_CONFIGS (default "3@999
# 5@999 8@999 5@1999"). A configuration finds the change when `target` is
# the first regression and significant. POWER_DIFF_OPTS: more options for
# scorch diff (e.g. "--normalize none"). Prints a markdown section.
set -eu
cd "$(dirname "$0")/.."

REPS=${POWER_REPS:-4}
PCT=${POWER_PCT:-2}
CONFIGS=${POWER_CONFIGS:-"3@999 5@999 8@999 5@1999"}
OPTS=${POWER_DIFF_OPTS:-}
P=build/examples/diffcorpus/power
W=$(mktemp -d /tmp/scorch-bench-power.XXXXXX)
trap 'rm -rf "$W"' EXIT
command -v node >/dev/null 2>&1 || {
	echo "scorch: bench: node is not installed (scripts/deps.sh bench)" >&2
	exit 2
}

for cfg in $CONFIGS; do
	runs=${cfg%@*} hz=${cfg#*@}
	found=0 other=0 rep=1
	while [ "$rep" -le "$REPS" ]; do
		rm -rf "$W/base" "$W/pr"
		mkdir -p "$W/base" "$W/pr"
		i=1
		while [ "$i" -le "$runs" ]; do
			./scorch record -q -F "$hz" -o "$W/base/$i.json" -- "$P" 1 0 >/dev/null 2>&1
			./scorch record -q -F "$hz" -o "$W/pr/$i.json" -- "$P" 1 "$PCT" >/dev/null 2>&1
			i=$((i + 1))
		done
		# shellcheck disable=SC2086
		./scorch diff "$W/base" "$W/pr" -q --report "$W/d.json" $OPTS \
			2>/dev/null || true
		r=$(node examples/diffcorpus/judge.js scorch "$W/d.json" target regression -)
		echo "power $cfg rep $rep: $r" >&2
		case $r in *"first=1 flagged=1"*) found=$((found + 1)) ;; esac
		case $r in *"others=0"*) ;; *) other=$((other + 1)) ;; esac
		rep=$((rep + 1))
	done
	echo "| $runs | $hz | $found/$REPS | $other/$REPS |" >>"$W/rows"
done

cat <<EOT
## Diff power: a change of +$PCT% of the total in one function${OPTS:+ ($OPTS)}

\`BENCH=diff-power make bench\` (bench/diff-power.sh): \`power 1 0\` against
\`power 1 $PCT\` (examples/diffcorpus/power.c: \`target\` 5% of the time,
plus $PCT% of the baseline's total in the PR), fixed work, recorded
interleaved with \`scorch record -F HZ\`, compared by \`scorch diff\` with
its defaults${OPTS:+ and $OPTS}, $REPS times per configuration. "found": \`target\` is the
first regression and a significant finding; "other flags": comparisons
that flagged another function. scorch $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg).

| runs a side | Hz | found | other flags |
|---:|---:|---:|---:|
EOT
cat "$W/rows"
