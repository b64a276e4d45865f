#!/bin/sh
# SPDX-License-Identifier: MIT
# The limits every profile format shares (docs/FORMAT.md, "Limits"): counts
# are exact 64-bit integers through every reader and writer or refused with
# one line; special files never hang a command; a deep stack costs linear
# work in the differential flame graph.
. "$(dirname "$0")/lib.sh"

# refuses DESC PATTERN COMMAND...: exit 2 within 20 s, one line on stderr
# matching PATTERN, no output file left in $T/out.
refuses() {
	desc=$1 pattern=$2
	shift 2
	rm -rf "$T/out"
	mkdir "$T/out"
	timeout 20 "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	if [ $rc -ne 2 ]; then
		not_ok "$desc: exit 2" "exit $rc" "$(head -5 "$T/stderr")"
	elif [ "$(wc -l <"$T/stderr")" -ne 1 ]; then
		not_ok "$desc: one line on stderr" "$(head -5 "$T/stderr")"
	elif ! grep -q -- "$pattern" "$T/stderr"; then
		not_ok "$desc: message matches '$pattern'" "$(cat "$T/stderr")"
	elif [ -n "$(ls -A "$T/out")" ]; then
		not_ok "$desc: no output left behind" "$(ls -A "$T/out")"
	else
		ok "$desc"
	fi
}

printf 'main;a 10\n' >"$T/small.folded"
echo '{"budgets": [{"function": "a", "max_self_percent": 50}]}' >"$T/budget.json"

# ---- special files: refused at once, never waited on
mkfifo "$T/fifo.json"
refuses "check: a FIFO as budget file" "fifo.json: not a regular file" \
	"$SCORCH" check --budget "$T/fifo.json" "$T/small.folded"
mkdir "$T/runs"
cp "$T/small.folded" "$T/runs/a.folded"
mkfifo "$T/runs/b.folded"
refuses "diff: a FIFO in a run directory" "runs/b.folded: not a regular file" \
	"$SCORCH" diff "$T/runs" "$T/small.folded"

# ---- the differential flame graph is linear in stack depth
awk 'BEGIN { printf "f0"; for (i = 1; i < 65535; i++) printf ";f%d", i; print " 900"; print "main;g 600" }' \
	>"$T/deep-base.folded"
awk 'BEGIN { printf "f0"; for (i = 1; i < 65535; i++) printf ";f%d", i; print " 1000"; print "main;g 500" }' \
	>"$T/deep-pr.folded"
start=$(date +%s)
timeout 60 "$SCORCH" diff "$T/deep-base.folded" "$T/deep-pr.folded" \
	-o "$T/deep.svg" >/dev/null 2>"$T/stderr"
rc=$? secs=$(($(date +%s) - start))
# Linear: well under a second; quadratic (the old code): 50 s and more.
check "diff -o: a 65,535-deep stack in under 20 s (took ${secs} s, exit $rc)" \
	test $rc -ne 124 -a $secs -lt 20 -a -s "$T/deep.svg"
check "diff -o: the deepest frame is drawn" grep -q "f65534" "$T/deep.svg"

tap_done
