#!/bin/sh
# SPDX-License-Identifier: MIT
# One table of formats: every command (record, export, svg, fold, report,
# merge) given every output name either writes the format the name says,
# told from the bytes written (native JSON's "scorch-profile", gzip's magic
# for pprof, speedscope's "$schema", folded lines, an SVG document, the
# report's text, markdown or JSON), or refuses it with exit 2 and one line
# listing what it writes, leaving no file behind.
. "$(dirname "$0")/lib.sh"

printf 'main;parse;lex 30\nmain;parse 10\nmain;render;draw 25\n' >"$T/p.folded"
P=$T/p.folded

# sniff FILE: the format of FILE's bytes.
sniff() {
	if [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		echo pprof
	elif head -c 200 "$1" | grep -q '"\$schema": *"https://www.speedscope'; then
		echo speedscope
	elif head -c 200 "$1" | grep -q '"format": *"scorch-profile"'; then
		echo json
	elif head -c 100 "$1" | grep -q '^<?xml' && grep -q '</svg>' "$1"; then
		echo svg
	elif head -c 200 "$1" | grep -q '"title": *"scorch report'; then
		echo report-json
	elif head -1 "$1" | grep -q '^#.* scorch report'; then
		echo markdown
	elif head -1 "$1" | grep -q '^scorch report'; then
		echo text
	elif grep -qv '^[^ ]*;*[^ ]* [0-9][0-9]*$' "$1"; then
		echo unknown
	else
		echo folded
	fi
}

# run CMD OUT: CMD writing to OUT.
run() {
	case $1 in
	record) timeout 60 "$SCORCH" record -q -F 499 -o "$2" -- \
		"$EXAMPLES/cpuburn" 0.2 ;;
	export) "$SCORCH" export "$P" -o "$2" ;;
	svg) "$SCORCH" svg "$P" -o "$2" ;;
	fold) "$SCORCH" fold "$P" -o "$2" ;;
	report) "$SCORCH" report "$P" -o "$2" ;;
	merge) "$SCORCH" merge "$P" "$P" -o "$2" ;;
	esac
}

# want CMD EXT: the format CMD writes for a name ending in EXT, or "no".
want() {
	case $1:$2 in
	record:json | merge:json | export:json) echo json ;;
	record:folded | merge:folded | export:folded | fold:folded) echo folded ;;
	record:speedscope.json | merge:speedscope.json | export:speedscope.json)
		echo speedscope ;;
	record:pb.gz | merge:pb.gz | export:pb.gz) echo pprof ;;
	record:pprof | merge:pprof | export:pprof) echo pprof ;;
	record:svg | merge:svg | svg:svg) echo svg ;;
	report:txt) echo text ;;
	report:md | report:markdown) echo markdown ;;
	report:json) echo report-json ;;
	*) echo no ;;
	esac
}

perf_ok=1
can_perf || perf_ok=0
for cmd in record export svg fold report merge; do
	for ext in json folded speedscope.json pb.gz pprof svg txt md markdown \
		xyz; do
		if [ $cmd = record ] && [ $perf_ok = 0 ]; then
			skip "record -o x.$ext" "no perf events"
			continue
		fi
		rm -rf "$T/out"
		mkdir "$T/out"
		out=$T/out/x.$ext
		run $cmd "$out" >/dev/null 2>"$T/e"
		rc=$?
		w=$(want $cmd $ext)
		if [ "$w" != no ]; then
			got=$( [ -f "$out" ] && sniff "$out")
			if [ $rc -eq 0 ] && [ "$got" = "$w" ]; then
				ok "$cmd -o x.$ext writes $w"
			else
				not_ok "$cmd -o x.$ext writes $w" "exit $rc, wrote '$got'" \
					"$(cat "$T/e")"
			fi
		elif [ $rc -eq 2 ] && [ "$(wc -l <"$T/e")" -eq 1 ] &&
			grep -q "x\.$ext: .*($cmd writes .*\.[a-z]" "$T/e" &&
			[ -z "$(ls -A "$T/out")" ]; then
			ok "$cmd -o x.$ext is refused with what $cmd writes"
		else
			not_ok "$cmd -o x.$ext is refused with what $cmd writes" \
				"exit $rc" "$(cat "$T/e")" "$(ls -A "$T/out")"
		fi
	done
done

# --format names a format of the same table; it wins over the name.
"$SCORCH" export "$P" --format pprof -o - >"$T/f.out" 2>"$T/e"
check "export --format pprof writes pprof" [ "$(sniff "$T/f.out")" = pprof ]
"$SCORCH" report "$P" --format markdown -o "$T/r.txt" 2>"$T/e"
check "report --format markdown wins over .txt" \
	[ "$(sniff "$T/r.txt")" = markdown ]
for bad in "export:svg" "report:folded" "export:bogus"; do
	cmd=${bad%%:*} f=${bad#*:}
	"$SCORCH" $cmd "$P" --format "$f" -o - >"$T/f.out" 2>"$T/e"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/e")" -eq 1 ] &&
		grep -q "unknown '$f'.*($cmd writes" "$T/e" && [ ! -s "$T/f.out" ]; then
		ok "$cmd --format $f is refused with what $cmd writes"
	else
		not_ok "$cmd --format $f is refused with what $cmd writes" \
			"exit $rc" "$(cat "$T/e")"
	fi
done
# A stream has no name: each command's default, export needs --format.
"$SCORCH" merge "$P" -o - >"$T/m.out"
check "merge -o - writes native JSON" [ "$(sniff "$T/m.out")" = json ]
"$SCORCH" fold "$P" >"$T/f.out"
check "fold to stdout writes folded" [ "$(sniff "$T/f.out")" = folded ]
"$SCORCH" export "$P" >"$T/x.out" 2>"$T/e"
rc=$?
if [ $rc -eq 2 ] && grep -q "export: give --format.*speedscope" "$T/e"; then
	ok "export to stdout without --format asks for one"
else
	not_ok "export to stdout without --format asks for one" "exit $rc" \
		"$(cat "$T/e")"
fi
tap_done
