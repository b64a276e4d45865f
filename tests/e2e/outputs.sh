#!/bin/sh
# SPDX-License-Identifier: MIT
# The output formats agree: .json -> fold -> svg, and record -o x.svg.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "output formats" "no permission for perf events"
	tap_done
fi

timeout 60 "$SCORCH" record -F 499 -o "$T/p.json" -- "$EXAMPLES/cpuburn" 1 2>"$T/err"
check "record writes a native profile" test -s "$T/p.json"
"$SCORCH" fold "$T/p.json" >"$T/p.folded"
check "fold turns it into folded stacks" grep -Eq ';main;run;alpha[; ]' "$T/p.folded"
"$SCORCH" svg "$T/p.json" -o "$T/a.svg"
"$SCORCH" svg "$T/p.folded" -o "$T/b.svg"
"$SCORCH" svg - -o "$T/c.svg" <"$T/p.folded"
check "svg renders JSON, folded and stdin input" test -s "$T/a.svg" -a -s "$T/b.svg" -a -s "$T/c.svg"
check "the SVG is well-formed XML" xmllint --noout "$T/a.svg"
check "the SVG names the hot functions" grep -q '>alpha' "$T/a.svg"
# Folded input round-trips: folded -> svg -> same totals in both.
t1=$(count "$T/p.folded" '.')
"$SCORCH" fold "$T/p.folded" >"$T/again.folded"
t2=$(count "$T/again.folded" '.')
check "folded -> fold keeps every sample ($t1 = $t2)" test "$t1" -eq "$t2"
# cpuburn's leaves run burn_kernel(), inlined by the compiler: with debug
# info it shows as a frame of its own, marked _[i], unless --no-inline.
n=$(count "$T/p.folded" ';main;run;alpha;burn_kernel_\[i\]$')
check "inlined calls are frames marked _[i] ($n samples)" test "$n" -gt 15
check "inlined frames have kind inlined in the native profile" \
	grep -q '"name": "burn_kernel", "module": "cpuburn", "kind": "inlined"' "$T/p.json"
timeout 60 "$SCORCH" record --no-inline -F 499 -o "$T/noinl.folded" -- \
	"$EXAMPLES/cpuburn" 0.5 2>"$T/err"
check "--no-inline shows no inlined frames" sh -c "! grep -q '_\[i\]' '$T/noinl.folded'"
timeout 60 "$SCORCH" record -F 499 -o "$T/direct.svg" -- "$EXAMPLES/cpuburn" 1 2>"$T/err"
check "record -o x.svg writes a well-formed flame graph" xmllint --noout "$T/direct.svg"
tap_done
