#!/bin/sh
# SPDX-License-Identifier: MIT
# Incomplete stacks are said in every view: `report` has a "stacks" line in
# its header and `svg` in its subtitle (broken, truncated, lost), and both
# warn on stderr once broken or truncated stacks pass 5% of the samples.
# Recorded profiles (fp on code without frame pointers: about half broken;
# dwarf: whole; a 1 KiB stack copy of a deep recursion: truncated) and
# crafted ones on both sides of the 5% line; merged runs add the counts up.
. "$(dirname "$0")/lib.sh"

data=$(cd "$(dirname "$0")/../data" && pwd)
NOFP="$EXAMPLES/stackmix-nofp"

# craft NAME BROKEN TRUNC COPY_TRUNC LOST: small.json (100 samples) with
# the recording's stack counters set.
craft() {
	sed "s/\"lost\": 0,/\"lost\": $5, \"broken_stacks\": $2, \"truncated_stacks\": $3, \"copy_truncated_stacks\": $4,/" \
		"$data/small.json" >"$T/$1.json"
}

# views NAME: report text, report json, svg of $T/NAME.json.
views() {
	"$SCORCH" report "$T/$1.json" >"$T/$1.rep" 2>"$T/$1.rep.err"
	"$SCORCH" report "$T/$1.json" --format json >"$T/$1.rep.json" 2>/dev/null
	"$SCORCH" svg "$T/$1.json" -o "$T/$1.svg" 2>"$T/$1.svg.err"
}

subtitle() {
	sed -n 's/.*id="subtitle"[^>]*>\([^<]*\)<.*/\1/p' "$T/$1.svg" | head -1
}

craft few 3 1 0 0
views few
check "report: 3 of 100 broken are in the header" \
	grep -q '^stacks: 3 broken (3.0%), 1 truncated (1.0%), 0 lost$' "$T/few.rep"
check "report --format json: the same line" \
	grep -q '"stacks": "3 broken (3.0%), 1 truncated (1.0%), 0 lost"' "$T/few.rep.json"
check "report: no warning under 5%" test ! -s "$T/few.rep.err"
check "svg: the subtitle says so" sh -c "grep -q 'stacks: 3 broken (3.0%)' '$T/few.svg'"
check "svg: no warning under 5%" test ! -s "$T/few.svg.err"
if grep -q 'WARNING' "$T/few.svg"; then
	not_ok "svg: no WARNING in the subtitle under 5%"
else
	ok "svg: no WARNING in the subtitle under 5%"
fi

craft many 6 0 0 0
views many
check "report: 6% broken warns, naming the file" \
	grep -q "many.json: more than 5% of the stacks are incomplete (6 broken (6.0%)" "$T/many.rep.err"
check "svg: 6% broken warns" grep -q 'more than 5% of the stacks' "$T/many.svg.err"
check "svg: the subtitle warns" grep -q 'stacks: 6 broken (6.0%), 0 truncated (0.0%), 0 lost (WARNING: incomplete stacks)' "$T/many.svg"

craft trunc 0 2 5 7
views trunc
check "report: kernel-limit and copy truncation add up (7 truncated)" \
	grep -q '^stacks: 0 broken (0.0%), 7 truncated (7.0%), 7 lost$' "$T/trunc.rep"
check "report: 7% truncated warns" grep -q 'more than 5%' "$T/trunc.rep.err"

craft lostonly 0 0 0 9
views lostonly
check "svg: lost samples alone are in the subtitle" grep -q 'stacks: 0 broken (0.0%), 0 truncated (0.0%), 9 lost' "$T/lostonly.svg"
check "svg: lost samples alone do not warn" test ! -s "$T/lostonly.svg.err"

# A user's --subtitle keeps the stacks note.
"$SCORCH" svg "$T/many.json" --subtitle 'nightly run' -o "$T/sub.svg" 2>/dev/null
check "svg --subtitle: the note follows the user's subtitle" \
	grep -q 'nightly run; stacks: 6 broken' "$T/sub.svg"

# Folded input has no counters: no line, no warning.
"$SCORCH" fold "$T/many.json" >"$T/many.folded"
"$SCORCH" report "$T/many.folded" >"$T/folded.rep" 2>"$T/folded.err"
if grep -q '^stacks:' "$T/folded.rep"; then
	not_ok "report of folded input: no stacks line (nothing known)"
else
	ok "report of folded input: no stacks line (nothing known)"
fi
check "report of folded input: no warning" test ! -s "$T/folded.err"

# Merged runs add the counters up: 6 + 6 broken of 200, truncated 5 + 5.
craft m1 6 0 5 0
"$SCORCH" merge "$T/m1.json" "$T/m1.json" -o "$T/merged.json" 2>/dev/null
"$SCORCH" report "$T/merged.json" >"$T/merged.rep" 2>/dev/null
check "merge: counters summed (12 broken, 10 truncated of 200)" \
	grep -q '^stacks: 12 broken (6.0%), 10 truncated (5.0%), 0 lost$' "$T/merged.rep"

if ! can_perf; then
	skip "recorded profiles" "no permission to open perf events"
	echo "1..$tap_n"
	exit $tap_failed
fi

# -g fp on code without frame pointers: a large share is broken.
"$SCORCH" record -q -g fp -F 999 -o "$T/fp.json" -- "$NOFP" mix 1 >/dev/null 2>&1
cp "$T/fp.json" "$T/fpv.json"
views fpv
b=$(sed -n 's/^stacks: \([0-9]*\) broken.*/\1/p' "$T/fpv.rep")
check "recorded -g fp on stackmix-nofp: broken stacks in the header ($b)" test "${b:-0}" -gt 0
check "recorded -g fp: report warns" grep -q 'more than 5% of the stacks are incomplete' "$T/fpv.rep.err"
check "recorded -g fp: svg subtitle warns" grep -q 'broken.*(WARNING: incomplete stacks)' "$T/fpv.svg"

# -g dwarf on the same program: whole, said as such, no warning.
"$SCORCH" record -q -F 999 -o "$T/dw.json" -- "$NOFP" mix 1 >/dev/null 2>&1
views dw
# (a launcher sample before exec can be broken: under 1%, never 5%)
check "recorded -g dwarf: header says under 1% broken" \
	grep -Eq '^stacks: [0-9]+ broken \(0\.[0-9]%\), 0 truncated \(0\.0%\)' "$T/dw.rep"
check "recorded -g dwarf: no warning from report" test ! -s "$T/dw.rep.err"
if grep -q 'WARNING' "$T/dw.svg"; then
	not_ok "recorded -g dwarf: no WARNING in the graph"
else
	ok "recorded -g dwarf: no WARNING in the graph"
fi

# A 1 KiB copy of a 200-deep recursion: truncated, and the views say it.
"$SCORCH" record -q -F 999 --stack-size 1K -o "$T/tr.json" -- "$NOFP" deep 200 1 >/dev/null 2>&1
views tr
t=$(sed -n 's/^stacks: [0-9]* broken ([^)]*), \([0-9]*\) truncated.*/\1/p' "$T/tr.rep")
check "recorded deep 200 with a 1K copy: truncated stacks in the header ($t)" test "${t:-0}" -gt 0
check "recorded deep 200 with a 1K copy: svg warns" grep -q 'more than 5%' "$T/tr.svg.err"

echo "1..$tap_n"
exit $tap_failed
