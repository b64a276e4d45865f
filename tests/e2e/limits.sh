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
mkdir "$T/runs2"
printf 'main;a 9223372036854775808\n' >"$T/runs2/a.folded"
printf 'main;b 9223372036854775808\n' >"$T/runs2/half2.folded"
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

# ---- folded lines are read with a bound: a line that never ends costs at
# most the line limit, and the reader stops there
(
	trap '' PIPE
	printf 'main;a 1\n'
	dd if=/dev/zero bs=65536 count=16000 2>"$T/dd" | tr '\0' a 2>/dev/null
) | "$SCORCH" report - >/dev/null 2>"$T/stderr"
records=$(sed -n 's/^\([0-9]*\)+[0-9]* records out$/\1/p' "$T/dd")
check "a line without end on stdin: refused after a few MiB ($records of 16000 x 64 KiB)" \
	test -n "$records" -a "${records:-99999}" -lt 200
check "a line without end: the message" grep -q "<stdin>:2: line longer than 1048576 bytes" "$T/stderr"
# NUL bytes after a valid line: "binary data" within the first MiB.
(
	trap '' PIPE
	printf 'main;a 1\n'
	dd if=/dev/zero bs=65536 count=16000 2>"$T/dd"
) | "$SCORCH" report - >/dev/null 2>"$T/stderr"
records=$(sed -n 's/^\([0-9]*\)+[0-9]* records out$/\1/p' "$T/dd")
check "NULs after a valid line on stdin: refused after a few MiB ($records of 16000 x 64 KiB)" \
	test -n "$records" -a "${records:-99999}" -lt 200
check "NULs after a valid line: the message" grep -q "<stdin>:2: binary data, not a profile" "$T/stderr"
# With --skip-bad, an over-long line and a line of NULs are skipped, and the
# lines after them still read.
{
	printf 'main;a 1\n'
	head -c 3000000 /dev/zero | tr '\0' x
	printf '\nmain;b 2\n'
	head -c 3000000 /dev/zero
	printf '\nmain;c 3\n'
} >"$T/skip.folded"
"$SCORCH" svg --skip-bad "$T/skip.folded" -o "$T/skip.svg" 2>"$T/stderr"
check "svg --skip-bad: 2 lines skipped" grep -q "skipped 2 malformed lines" "$T/stderr"
check "svg --skip-bad: the lines after them are read" \
	grep -q "<title>c&#10;3 samples" "$T/skip.svg"

# ---- counts are exact unsigned 64-bit integers end to end
for c in 9007199254740993 9223372036854775808 18446744073709551615; do
	printf 'main;a %s\n' $c >"$T/c.folded"
	"$SCORCH" report "$T/c.folded" >"$T/report.txt" 2>"$T/stderr"
	check "report: $c samples shown exactly" grep -q "^samples: $c$" "$T/report.txt"
	"$SCORCH" report "$T/c.folded" --format json >"$T/report.json" 2>"$T/stderr"
	check "report --format json: \"samples\": $c" grep -q "\"samples\": $c," "$T/report.json"
	"$SCORCH" merge "$T/c.folded" -o "$T/c.json" 2>"$T/stderr" &&
		"$SCORCH" fold "$T/c.json" -o "$T/c-back.folded" 2>>"$T/stderr"
	check "folded -> JSON -> folded keeps $c" cmp -s "$T/c.folded" "$T/c-back.folded"
done
printf 'main;a 9223372036854775808\n' >"$T/half.folded"
printf 'main;b 9223372036854775808\n' >"$T/half2.folded"
refuses "merge: a sum past 2^64 - 1" "half2.folded: sample counts overflow" \
	"$SCORCH" merge "$T/half.folded" "$T/half2.folded" -o "$T/out/m.json"
refuses "diff: a side whose runs add up past 2^64 - 1" "half2.folded: sample counts overflow" \
	"$SCORCH" diff "$T/runs2" "$T/small.folded"
refuses "export pprof: a count past INT64_MAX" "cannot write pprof: the count 9223372036854775808" \
	"$SCORCH" export "$T/half.folded" -o "$T/out/x.pb.gz"
printf 'main;a 9007199254740993\n' >"$T/p53.folded"
refuses "export speedscope: a count past 2^53" "cannot write speedscope" \
	"$SCORCH" export "$T/p53.folded" -o "$T/out/x.speedscope.json"
printf '{"format":"scorch-profile","version":"1.1","frames":[{"name":"a"}],"stacks":[{"frames":[0],"count":1e19}]}' \
	>"$T/exp.json"
refuses "JSON: a count past 2^53 in exponent form" "exp.json: stack count: 1e19 is past 2^53" \
	"$SCORCH" report "$T/exp.json"

# ---- the same limits in every format, and writers keep them
awk 'BEGIN { printf "{\"format\":\"scorch-profile\",\"version\":\"1.1\",\"frames\":[{\"name\":\"a\"}],\"stacks\":[{\"frames\":[0"
	for (i = 0; i < 65535; i++) printf ",0"; print "],\"count\":1}]}" }' >"$T/deep.json"
refuses "JSON: a stack deeper than 65535 frames" "deep.json: stack deeper than 65535 frames" \
	"$SCORCH" report "$T/deep.json"
awk 'BEGIN { printf "{\"format\":\"scorch-profile\",\"version\":\"1.1\",\"meta\":{\"x\":"
	for (i = 0; i < 5000; i++) printf "["; for (i = 0; i < 5000; i++) printf "]"
	print "},\"frames\":[{\"name\":\"a\"}],\"stacks\":[]}" }' >"$T/nest.json"
refuses "JSON: nesting past 1000 levels" "nest.json: JSON nested deeper than 1000 levels" \
	"$SCORCH" report "$T/nest.json"
printf '{"format":"scorch-profile","version":"1.1","frames":[{"name":"a;b"},{"name":"c"}],"stacks":[{"frames":[0,1],"count":1}]}' \
	>"$T/semi.json"
# The folded writer spells a ';' in a name ':' (as FlameGraph's collapsers
# do), so the file reads back as the same one stack of two frames.
rm -rf "$T/out" && mkdir "$T/out"
if "$SCORCH" fold "$T/semi.json" -o "$T/out/x.folded" 2>"$T/stderr" &&
	[ "$(cat "$T/out/x.folded")" = "a:b;c 1" ] &&
	"$SCORCH" fold "$T/out/x.folded" >/dev/null 2>>"$T/stderr"; then
	ok "fold: a name with ';' is written with ':' and reads back"
else
	not_ok "fold: a name with ';' is written with ':' and reads back" \
		"$(cat "$T/out/x.folded" 2>/dev/null)" "$(cat "$T/stderr")"
fi
awk 'BEGIN { n = "n"; while (length(n) < 65000) n = n n; n = substr(n, 1, 65000)
	printf "{\"format\":\"scorch-profile\",\"version\":\"1.1\",\"frames\":["
	for (i = 0; i < 20; i++) printf "%s{\"name\":\"%s%d\"}", i ? "," : "", n, i
	printf "],\"stacks\":[{\"frames\":[0"
	for (i = 1; i < 20; i++) printf ",%d", i; print "],\"count\":1}]}" }' >"$T/wide.json"
refuses "fold: a stack whose line passes 1 MiB is not written" "folded lines hold at most 1048576 bytes" \
	"$SCORCH" fold "$T/wide.json" -o "$T/out/x.folded"

tap_done
