#!/bin/sh
# SPDX-License-Identifier: MIT
# One escaping set: a profile whose function names carry terminal escapes
# (ESC, the one-byte CSI U+009B, every C0 control, DEL), bidi overrides and
# isolates, backtick runs around <img>, </text><script> and invalid UTF-8,
# through every output that shows a name: report (text to a file and a
# pipe, markdown, JSON), check (markdown), diff (text, markdown, JSON, the
# differential SVG), svg, the native JSON and speedscope exports, and error
# messages quoting an input line or naming a file. No raw control, bidi or
# invalid byte may reach any of them, each name shows in its one visible
# spelling (\u001b, \u202e, U+FFFD), and rendered markdown has no live
# element from a name.
. "$(dirname "$0")/lib.sh"

node_dir=$(cd "$(dirname "$0")/../node" && pwd)

# The names, one per line of $T/names (printf octal escapes).
printf '%b\n' \
	'evil\033[31mred' \
	'csi\0302\023331m' \
	'rlo\0342\0200\0256gnp.exe' \
	'lri\0342\0201\0246x\0342\0201\0251' \
	'two``<img src=x onerror=alert(1)>``' \
	'three```<img src=x onerror=alert(2)>```x' \
	'`<img src=x onerror=alert(3)>`' \
	'</text><script>alert(4)</script>' \
	'bad\0377\0300utf8' \
	'c0\001\002\003\004\005\006\007\010\013\014\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\0177' \
	>"$T/names"
# 50 functions that do not change, and the names, each tripled in the PR:
# all of them regressions, far past the noise.
: >"$T/base.folded"
: >"$T/pr.folded"
for i in $(seq 1 50); do
	printf 'main;calm%d 1000\n' "$i" | tee -a "$T/base.folded" >>"$T/pr.folded"
done
while IFS= read -r n; do
	printf 'main;%s 200\n' "$n" >>"$T/base.folded"
	printf 'main;%s 600\n' "$n" >>"$T/pr.folded"
done <"$T/names"

# no_raw FILE: valid UTF-8 with no C0 but tab and newline, DEL, C1 or bidi
# control.
no_raw() {
	python3 - "$1" <<-'PY'
		import re, sys
		b = open(sys.argv[1], "rb").read()
		try:
		    s = b.decode("utf-8")
		except UnicodeDecodeError as e:
		    sys.exit("invalid UTF-8 at byte %d" % e.start)
		m = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
		              "\u202a-\u202e\u2066-\u2069]", s)
		if m:
		    sys.exit("raw U+%04X at character %d" % (ord(m.group()), m.start()))
	PY
}

# The visible spellings every output shows (JSON's \uXXXX is the same).
printf '%b\n' \
	'evil\\u001b[31mred' \
	'csi\\u009b31m' \
	'rlo\\u202egnp.exe' \
	'lri\\u2066x\\u2069' \
	'bad\0357\0277\0275\0357\0277\0275utf8' \
	>"$T/visible"

# shows FILE [SKIP]: every visible spelling (but those starting with SKIP)
# is in FILE.
shows() {
	while IFS= read -r v; do
		case $v in "${2:-//}"*) continue ;; esac
		grep -qF -- "$v" "$1" || { echo "no $v in $1"; return 1; }
	done <"$T/visible"
}

# md_safe FILE: outside CommonMark code spans no <img, <script or </text
# starts, and the backtick names are whole code spans (a fence-counting
# scanner, line by line: a run of k backticks opens a span the next run of
# exactly k closes).
md_safe() {
	python3 - "$1" <<-'PY'
		import re, sys
		spans, bad = [], []
		for line in open(sys.argv[1], encoding="utf-8"):
		    i, out = 0, []
		    while i < len(line):
		        c = line[i]
		        if c == "\\":
		            out.append(line[i:i + 2]); i += 2; continue
		        if c != "`":
		            out.append(c); i += 1; continue
		        k = len(re.match("`+", line[i:]).group())
		        m = re.compile("(?<!`)`{%d}(?!`)" % k).search(line, i + k)
		        if not m:
		            out.append("`" * k); i += k; continue
		        body = line[i + k:m.start()]
		        if len(body) > 2 and body[0] == " " and body[-1] == " ":
		            body = body[1:-1]
		        spans.append(body); out.append(" "); i = m.end()
		    text = "".join(out)
		    for tag in ("<img", "<script", "</text"):
		        if tag in text:
		            bad.append(line.strip())
		if bad:
		    sys.exit("markup outside code spans: %s" % bad[0])
		for want in ("two``<img src=x onerror=alert(1)>``",
		             "three```<img src=x onerror=alert(2)>```x",
		             "`<img src=x onerror=alert(3)>`"):
		    if want not in spans:
		        sys.exit("no code span %s" % want)
	PY
}

# md_live FILE: markdown-it (CommonMark + GFM tables, raw HTML allowed)
# renders FILE without an <img>, <script> or </text> element.
md_live() {
	node "$node_dir/md-to-html.mjs" <"$1" >"$1.html" &&
		! grep -Eq '<(img|script|/text)' "$1.html"
}
have_md=1
if ! command -v node >/dev/null 2>&1 || [ ! -d "$node_dir/node_modules/markdown-it" ]; then
	have_md=0
fi

# each_text LABEL FILE [SKIP]: the checks of a text or JSON output.
each_text() {
	check "$1: no raw control, bidi or invalid byte" no_raw "$2"
	check "$1: every name in its visible spelling" shows "$2" "$3"
}

# each_md LABEL FILE [SKIP]: the checks of a markdown output.
each_md() {
	each_text "$1" "$2" "$3"
	check "$1: code spans hold the names whole" md_safe "$2"
	if [ $have_md -eq 1 ]; then
		check "$1: markdown-it renders no element from a name" md_live "$2"
	else
		skip "$1: markdown-it renders no element from a name" \
			"node or tests/node/node_modules missing (run sh tests/node/install.sh)"
	fi
}

# report: text to a file and to a pipe, markdown, JSON.
"$SCORCH" report "$T/pr.folded" --top 100 --width 400 -o "$T/r.txt" 2>"$T/e" &&
	"$SCORCH" report "$T/pr.folded" --top 100 --width 400 >"$T/r.out" 2>>"$T/e" &&
	"$SCORCH" report "$T/pr.folded" --top 100 --format markdown >"$T/r.md" 2>>"$T/e" &&
	"$SCORCH" report "$T/pr.folded" --top 100 --format json >"$T/r.json" 2>>"$T/e"
check "report runs on hostile names" test $? -eq 0
each_text "report text file" "$T/r.txt"
each_text "report text on stdout" "$T/r.out"
each_md "report markdown" "$T/r.md"
each_text "report JSON" "$T/r.json"
check "report JSON is JSON" python3 -m json.tool "$T/r.json" /dev/null

# check: a budget naming the functions (all but the one that is not UTF-8,
# which JSON cannot hold), as markdown.
python3 - "$T/names" "$T/b.json" <<-'PY'
	import json, sys
	names = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
	ok = [n.decode() for n in names if not n.startswith(b"bad")]
	json.dump({"budgets": [{"function": n, "max_self_percent": 50}
	                       for n in ok]}, open(sys.argv[2], "w"))
PY
"$SCORCH" check -b "$T/b.json" "$T/pr.folded" --format markdown >"$T/c.md" 2>"$T/e"
check "check runs on hostile names" test $? -le 1
each_md "check markdown" "$T/c.md" bad

# diff: text on stdout, the three report files, the differential SVG.
"$SCORCH" diff "$T/base.folded" "$T/pr.folded" --report "$T/d.md" \
	--report "$T/d.txt" --report "$T/d.json" -o "$T/d.svg" >"$T/d.out" 2>"$T/e"
check "diff runs on hostile names" test $? -eq 0
check "diff finds the names' growth" grep -q '^scorch diff: regression' "$T/d.out"
each_text "diff text on stdout" "$T/d.out"
each_text "diff --report text" "$T/d.txt"
each_md "diff --report markdown" "$T/d.md"
each_text "diff --report JSON" "$T/d.json"
check "diff SVG: no raw byte" no_raw "$T/d.svg"
check "diff SVG: no element from a name" sh -c "! grep -Eq '<img|<script>alert|</text><script' '$T/d.svg'"

# svg, and the exports.
"$SCORCH" svg "$T/pr.folded" -o "$T/f.svg" --width 60000 2>"$T/e"
check "svg runs on hostile names" test $? -eq 0
each_text "svg" "$T/f.svg"
check "svg: no element from a name" sh -c "! grep -Eq '<img|<script>alert|</text><script' '$T/f.svg'"
"$SCORCH" merge "$T/pr.folded" -o "$T/p.json" 2>"$T/e" &&
	"$SCORCH" export "$T/pr.folded" --format speedscope -o "$T/p.speedscope.json" 2>>"$T/e"
check "native JSON and speedscope exports run" test $? -eq 0
each_text "native JSON" "$T/p.json"
each_text "speedscope JSON" "$T/p.speedscope.json"

# Error messages: an input line quoted, a file named.
printf 'main;evil\033]0;pwned\007 1\302\233x\n' >"$T/bad.folded"
"$SCORCH" report "$T/bad.folded" >"$T/o" 2>"$T/e1"
check "a bad folded line: exit 2 ($?)" test $? -eq 2
"$SCORCH" report "$T/no-such$(printf '\033[2J\342\200\256').folded" >"$T/o" 2>"$T/e2"
check "a missing file: exit 2" test $? -eq 2
cat "$T/e1" "$T/e2" >"$T/e"
check "error messages: no raw control or bidi byte" no_raw "$T/e"
check "error messages: the input line quoted in its visible spelling" \
	grep -qF "invalid sample count '1\\u009bx'" "$T/e1"
check "error messages: the file name in its visible spelling" \
	grep -qF 'no-such\u001b[2J\u202e.folded' "$T/e2"

# record's summary names a -p NAME target: through the same escaping.
if can_perf; then
	burn_name=$(printf 'bu\033[1mrn')
	cp "$EXAMPLES/cpuburn" "$T/$burn_name"
	start_bg "$T/$burn_name" 3
	"$SCORCH" record -d 1 -o "$T/rec.json" -p "$burn_name" \
		>/dev/null 2>"$T/rec.err"
	wait "$bg_pid" 2>/dev/null
	if grep -q "$(printf '\033')" "$T/rec.err"; then
		not_ok "record's summary: no raw ESC from a process name" \
			"$(cat -v "$T/rec.err")"
	else
		check "record's summary: the process name in its visible spelling" \
			grep -qF 'bu\u001b[1mrn' "$T/rec.err"
	fi
else
	skip "record's summary: a process name with ESC" "no permission for perf events"
fi

tap_done
