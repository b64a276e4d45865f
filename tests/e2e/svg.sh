#!/bin/sh
# SPDX-License-Identifier: MIT
# scorch svg: the frames of a known input (golden file, tests/data/), every
# flame graph option, stdin, native input with source locations, and bad
# lines (an error naming the line, or skipped and counted with --skip-bad).
. "$(dirname "$0")/lib.sh"
data=$(cd "$(dirname "$0")/../data" && pwd)

# frames SVG: the frame lines only (the embedded script and style change
# more often than the layout does).
frames() {
	grep '^<g o=' "$1"
}

"$SCORCH" svg "$data/flame.folded" -o "$T/g.svg" 2>"$T/err"
frames "$T/g.svg" >"$T/g.frames"
if diff -u "$data/flame.frames" "$T/g.frames" >"$T/diff"; then
	ok "the frames of tests/data/flame.folded match tests/data/flame.frames"
else
	not_ok "the frames match the golden file" "$(head -40 "$T/diff")"
fi
check "the SVG is well-formed XML" xmllint --noout "$T/g.svg"
check "it is self-contained (no href, no url())" \
	sh -c "! grep -Eq 'href=|url\\(' '$T/g.svg'"
"$SCORCH" svg - <"$data/flame.folded" >"$T/stdin.svg"
check "- reads stdin and writes stdout" cmp -s "$T/g.svg" "$T/stdin.svg"
"$SCORCH" svg "$data/flame.folded" -o "$T/g2.svg"
check "the output is deterministic" cmp -s "$T/g.svg" "$T/g2.svg"

"$SCORCH" svg "$data/flame.folded" -o "$T/o.svg" --title 'My <title>' \
	--subtitle 'sub & title' --width 800 --frame-height 20 --font-size 14 \
	--count-name ms
check "--title, escaped" grep -q '<text id="title" x="400" y="28">My &lt;title&gt;</text>' "$T/o.svg"
check "--subtitle, escaped" grep -q '>sub &amp; title</text>' "$T/o.svg"
check "--width" grep -q '<svg version="1.1" width="800"' "$T/o.svg"
check "--frame-height" grep -q 'height="19" fill=' "$T/o.svg"
check "--font-size" grep -q 'text{font-size:14px}' "$T/o.svg"
check "--count-name" grep -q '<title>main&#10;92 ms (82.14%)' "$T/o.svg"
"$SCORCH" svg "$data/flame.folded" -o "$T/alias.svg" --title 'My <title>' \
	--subtitle 'sub & title' --width 800 --height 20 --fontsize 14 \
	--countname ms
check "flamegraph.pl's option names work too" cmp -s "$T/o.svg" "$T/alias.svg"

"$SCORCH" svg "$data/flame.folded" -o "$T/w.svg" --min-width 100
n=$(grep -c '^<g o=' "$T/w.svg")
check "--min-width 100 prunes narrow frames ($n of 14 left)" test "$n" -eq 8
check "pruning keeps the totals" grep -q '<title>all&#10;112 samples (100.00%)' "$T/w.svg"
"$SCORCH" svg "$data/flame.folded" -o "$T/pct.svg" --minwidth 10%
n=$(grep -c '^<g o=' "$T/pct.svg")
check "--minwidth 10% keeps frames with 10% of the samples or more ($n)" test "$n" -eq 8

"$SCORCH" svg "$data/flame.folded" -o "$T/inv.svg" --inverted
y_all=$(grep '<title>all&#10;' "$T/inv.svg" | sed 's/.* y="\([0-9]*\)".*/\1/')
y_lex=$(grep '<title>lex&#10;' "$T/inv.svg" | head -1 | sed 's/.* y="\([0-9]*\)".*/\1/')
check "--inverted draws an icicle graph (root at y=$y_all above lex at y=$y_lex)" \
	test "$y_all" -lt "$y_lex"
check "--inverted titles it Icicle Graph" grep -q '>Icicle Graph</text>' "$T/inv.svg"

"$SCORCH" svg "$data/flame.folded" -o "$T/rev.svg" --reverse
check "--reverse makes the leaves roots: both lex leaves are one frame" \
	grep -q '^<g o="[0-9]*" n="35"><title>lex&#10;35 samples.* y="85"' "$T/rev.svg"

"$SCORCH" svg "$data/flame.folded" -o "$T/k.svg"
k=$(grep '<title>vfs_read_\[k\]&#10;' "$T/k.svg" | sed 's/.*fill="\([^"]*\)".*/\1/')
u=$(grep '<title>lex&#10;' "$T/k.svg" | head -1 | sed 's/.*fill="\([^"]*\)".*/\1/')
check "the default palette colors kernel ($k) and user ($u) frames apart" test "$k" != "$u"
"$SCORCH" svg "$data/flame.folded" -o "$T/mem.svg" --palette mem
m=$(grep '<title>lex&#10;' "$T/mem.svg" | head -1 | sed 's/.*fill="\([^"]*\)".*/\1/')
check "--palette mem: lex is green-blue ($m)" sh -c "echo '$m' | grep -q '^#00'"
"$SCORCH" svg "$data/flame.folded" -o "$T/hot.svg" --colors hot
check "--colors hot: the kernel frame is hot-colored too" \
	grep -q '<title>vfs_read_\[k\]&#10;.*fill="#[c-f]' "$T/hot.svg"

# A native profile: frames with a source location show it.
cat >"$T/p.json" <<'JSON'
{"format": "scorch-profile", "version": "1.1", "meta": {},
 "frames": [{"name": "app", "kind": "process"},
  {"name": "main", "module": "app", "kind": "user", "file": "src/main.c", "line": 12},
  {"name": "helper", "module": "libx.so", "kind": "user"}],
 "stacks": [{"frames": [0, 1, 2], "count": 3}]}
JSON
"$SCORCH" svg "$T/p.json" -o "$T/p.svg"
check "a frame's file:line and module are in its tooltip" \
	grep -q '<title>main&#10;3 samples (100.00%), self 0&#10;src/main.c:12 in app</title>' "$T/p.svg"
check "a frame with only a module shows the module" \
	grep -q '<title>helper&#10;3 samples (100.00%), self 3&#10;libx.so</title>' "$T/p.svg"

# Bad lines.
printf 'a;b 3\nno count here\na;c x\na;;d 1\na;e 2\n' >"$T/bad.folded"
"$SCORCH" svg "$T/bad.folded" -o "$T/bad.svg" 2>"$T/err"
rc=$?
check "a malformed line fails with exit 2 (got $rc)" test "$rc" -eq 2
check "the error names the file and line" \
	grep -qx "scorch: $T/bad.folded:2: invalid sample count 'here'" "$T/err"
check "and leaves no output" test ! -e "$T/bad.svg"
"$SCORCH" svg --skip-bad "$T/bad.folded" -o "$T/bad.svg" 2>"$T/err"
rc=$?
check "--skip-bad renders the rest (exit $rc)" test "$rc" -eq 0 -a -s "$T/bad.svg"
check "--skip-bad warns with the count and the first bad line" \
	grep -qx "scorch: warning: $T/bad.folded: skipped 3 malformed lines (the first: $T/bad.folded:2: invalid sample count 'here')" "$T/err"
check "the skipped lines' samples are not counted" \
	grep -q '<title>all&#10;5 samples' "$T/bad.svg"
"$SCORCH" svg --palette bogus "$data/flame.folded" >/dev/null 2>"$T/err"
rc=$?
check "an unknown palette is a usage error (exit $rc)" \
	sh -c "[ $rc -eq 2 ] && grep -q \"unknown palette 'bogus'\" '$T/err'"
"$SCORCH" svg --width 12abc "$data/flame.folded" >/dev/null 2>"$T/err"
check "a bad --width is a usage error" grep -q "'12abc' is not a number" "$T/err"
tap_done
