#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch merge: the merged profile's stacks are the sum of the inputs',
# and its metadata follows docs/FORMAT.md ("Merged profiles").
. "$(dirname "$0")/lib.sh"

data=$(cd "$(dirname "$0")/../data" && pwd)

# sum_folded FILE...: folded stacks added up, sorted (the expected merge).
sum_folded() {
	cat "$@" | awk '{ n = $NF; s = $0; sub(/[ \t]+[0-9]+$/, "", s); t[s] += n }
		END { for (s in t) print s " " t[s] }' | LC_ALL=C sort
}

# merge_equals_sum DESC A B: fold(merge(A, B)) = fold(A) + fold(B).
merge_equals_sum() {
	"$SCORCH" merge "$2" "$3" -o "$T/m.json"
	"$SCORCH" fold "$2" >"$T/a.folded"
	"$SCORCH" fold "$3" >"$T/b.folded"
	"$SCORCH" fold "$T/m.json" >"$T/m.folded"
	sum_folded "$T/a.folded" "$T/b.folded" >"$T/want.folded"
	if diff -u "$T/want.folded" "$T/m.folded" >"$T/diff"; then
		ok "$1: merge equals the sum of the runs ($(count "$T/m.folded" .) samples)"
	else
		not_ok "$1: merge equals the sum of the runs" "$(head -20 "$T/diff")"
	fi
}

# A second run of the fixture: other counts, another commit label.
sed -e 's/"count": 30/"count": 7/' -e 's/"label.commit": "abc123"/"label.commit": "def456"/' \
	-e 's/"start_time": "2024-05-01T12:00:00Z"/"start_time": "2024-04-30T08:00:00Z"/' \
	"$data/small.json" >"$T/small2.json"
merge_equals_sum "fixture" "$data/small.json" "$T/small2.json"
check "merged_from counts the runs" grep -q '"merged_from": 2' "$T/m.json"
check "samples are summed" grep -q '"samples": 200' "$T/m.json"
check "duration_ms is summed" grep -q '"duration_ms": 6000' "$T/m.json"
check "start_time is the earliest" grep -q '"start_time": "2024-04-30T08:00:00Z"' "$T/m.json"
check "a label the runs agree on is kept" grep -q '"label.build": "ci-42"' "$T/m.json"
check "a label they disagree on is dropped" sh -c "! grep -q 'label.commit' '$T/m.json'"
check "threads stay apart in the merge" test "$(grep -c '"tid"' "$T/m.json")" -eq 2

# Three inputs, folded and stdin among them; a merged input counts its runs.
"$SCORCH" fold "$data/small.json" >"$T/small.folded"
"$SCORCH" merge "$T/m.json" "$T/small.folded" - -o "$T/m3.folded" <"$T/small2.json"
sum_folded "$T/m.folded" "$T/small.folded" "$T/b.folded" >"$T/want3.folded"
check "merge of json, folded and stdin equals their sum" diff -u "$T/want3.folded" "$T/m3.folded"
"$SCORCH" merge "$T/m.json" "$data/small.json" -o "$T/mm.json"
check "merging a merge counts the original runs" grep -q '"merged_from": 3' "$T/mm.json"
"$SCORCH" merge "$data/small.json" "$T/small2.json" -o "$T/m.svg"
check "merge -o x.svg writes a flame graph" xmllint --noout "$T/m.svg"

# Two recordings of the same workload.
if can_perf; then
	for i in 1 2; do
		timeout 60 "$SCORCH" record -q -F 499 -L run=$i -L commit=same \
			-o "$T/r$i.json" -- "$EXAMPLES/cpuburn" 0.5 2>"$T/err"
	done
	merge_equals_sum "recorded" "$T/r1.json" "$T/r2.json"
	check "recorded: --label values the runs share survive the merge" \
		grep -q '"label.commit": "same"' "$T/m.json"
else
	skip "merge of two recordings" "no permission for perf events"
fi
tap_done
