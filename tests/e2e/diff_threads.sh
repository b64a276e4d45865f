#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch diff on a real threaded program (examples/workers: four named
# worker threads, fixed work; the PR build makes hash_worker 40% slower),
# with the defaults and 3 runs a side at 999 Hz, as the README records
# them: --normalize auto sees whole commands and compares absolute time;
# the run-to-run noise is the workers' (a few percent), not blown up by
# thread start-up or kernel frames; hash_worker is the first regression,
# a finding, and nothing else is; an A/A comparison (3 base runs against 3
# others) flags nothing.
#
# Why it cannot flake: hash_worker grows by ~200 samples a run (530 ->
# ~740), where its runs scatter by ~10 samples (Poisson ~25 at most): t
# above 10 with 3 runs a side. The A/A bound holds with q <= 0.001 over 4-8
# functions; the noise bound (50%) is ten times what 12 runs measured.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "scorch diff on threads" "no permission for perf events"
	tap_done
fi
if ! command -v node >/dev/null 2>&1; then
	skip "scorch diff on threads" "node is needed to read the JSON report"
	tap_done
fi

json() {
	node -e '
		const d = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const v = (new Function("d", "return " + process.argv[2]))(d);
		console.log(typeof v === "string" ? v : JSON.stringify(v));
	' "$1" "$2"
}

mkdir -p "$T/base" "$T/pr" "$T/aa"
i=1
while [ $i -le 3 ]; do
	"$SCORCH" record -q -F 999 -o "$T/base/$i.json" -- \
		"$EXAMPLES/workers-base" >/dev/null 2>&1
	"$SCORCH" record -q -F 999 -o "$T/pr/$i.json" -- \
		"$EXAMPLES/workers-pr" >/dev/null 2>&1
	"$SCORCH" record -q -F 999 -o "$T/aa/$i.json" -- \
		"$EXAMPLES/workers-base" >/dev/null 2>&1
	i=$((i + 1))
done
check "record: a whole command says so (extent whole)" \
	grep -q '"extent": "whole"' "$T/base/1.json"

"$SCORCH" diff "$T/base" "$T/pr" --fail-on-regression \
	--report "$T/diff.json" >"$T/diff.txt" 2>"$T/diff.err"
rc=$?
check "diff threads: a regression exits 1" test $rc -eq 1
check "diff threads: auto chose absolute time, and says why" \
	test "$(json "$T/diff.json" 'd.normalize == "none" && d.normalize_auto && /whole command/.test(d.normalize_why)')" = true
check "diff threads: the text report says the normalization" \
	grep -q '^normalization: every run recorded a whole command' "$T/diff.txt"
noise=$(json "$T/diff.json" 'd.dispersion')
if [ "$(json "$T/diff.json" 'd.dispersion < 0.5')" = true ]; then
	ok "diff threads: run-to-run noise is the workers' ($noise)"
else
	not_ok "diff threads: run-to-run noise is the workers' ($noise)" \
		"$(head -20 "$T/diff.txt")"
fi
first=$(json "$T/diff.json" 'd.regressions[0].function')
if [ "$first" = hash_worker ] &&
	[ "$(json "$T/diff.json" 'd.regressions[0].significant && d.regressions[0].q_value <= 0.001')" = true ]; then
	ok "diff threads: hash_worker is the first regression, a finding"
else
	not_ok "diff threads: hash_worker is the first regression, a finding" \
		"first: $first" "$(head -20 "$T/diff.txt")"
fi
check "diff threads: no other function is a finding" \
	test "$(json "$T/diff.json" '[...d.regressions, ...d.improvements].filter(r => r.significant && r.function != "hash_worker").length')" = 0

"$SCORCH" diff "$T/base" "$T/aa" --fail-on-regression \
	--report "$T/aa.json" >"$T/aa.txt" 2>&1
rc=$?
if [ $rc -eq 0 ] &&
	[ "$(json "$T/aa.json" '[...d.regressions, ...d.improvements].filter(r => r.significant).length')" = 0 ]; then
	ok "diff threads: A/A flags nothing"
else
	not_ok "diff threads: A/A flags nothing" "rc $rc" "$(head -20 "$T/aa.txt")"
fi
tap_done
