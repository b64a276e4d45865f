#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad profiles given to every command that reads one (fold, svg, report,
# merge, export): truncated, garbage, huge and wrong-version inputs give one
# line on stderr naming the file, exit code 2, and no output file.
. "$(dirname "$0")/lib.sh"

data=$(cd "$(dirname "$0")/../data" && pwd)

# expect_error DESC PATTERN COMMAND...: as in bad_input.sh, and exactly one
# line on stderr (usage errors, which add the usage text, set usage=1).
usage=0
expect_error() {
	desc=$1 pattern=$2
	shift 2
	rm -rf "$T/out"
	mkdir "$T/out"
	"$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	lines=$(wc -l <"$T/stderr")
	if [ $rc -ne 2 ]; then
		not_ok "$desc: exit 2" "exit $rc" "$(head -5 "$T/stderr")"
	elif [ "$lines" -ne 1 ] && [ $usage -eq 0 ]; then
		not_ok "$desc: one line on stderr" "$(head -5 "$T/stderr")"
	elif ! head -1 "$T/stderr" | grep -q -- "$pattern"; then
		not_ok "$desc: message matches '$pattern'" "$(cat "$T/stderr")"
	elif [ -n "$(ls -A "$T/out")" ]; then
		not_ok "$desc: no output left behind" "$(ls -A "$T/out")"
	else
		ok "$desc"
	fi
}

size=$(wc -c <"$data/small.json")
head -c $((size / 2)) "$data/small.json" >"$T/truncated.json"
head -c 2000 /dev/urandom >"$T/garbage.bin"
printf '\x1f\x8b\x08\x00garbage' >>"$T/garbage.bin"
sed 's/"version": "1.1"/"version": "2.0"/' "$data/small.json" >"$T/v2.json"
truncate -s 3G "$T/huge.json"
printf 'main;f 99999999999999999999999\n' >"$T/overflow.folded"
printf 'main;f 18446744073709551615\nmain;g 1\n' >"$T/sum-overflow.folded"
awk 'BEGIN { printf "main"; for (i = 0; i < 70000; i++) printf ";f"; print " 1" }' \
	>"$T/deep.folded"
sed 's/"frames": \[0, 11, 5\]/"frames": [0, 11, 99]/' "$data/small.json" >"$T/badid.json"
# No silent loss: a second document or garbage after the first is refused,
# blank or empty input is refused, a BOM is skipped, NULs are refused at once.
cat "$data/small.json" "$data/small.json" >"$T/two.json"
"$SCORCH" merge "$data/small.json" "$data/small.json" -o "$T/merged.json"
{ cat "$T/merged.json"; printf '{"format":"scorch-profile","version":"1.1"}'; } >"$T/two-kinds.json"
{ cat "$data/small.json"; printf 'garbage\n'; } >"$T/doc-garbage.json"
{ cat "$data/small.json"; printf '\n,'; } >"$T/doc-comma.json"
{ cat "$data/small.json"; printf ' \r\n\t\n\n'; } >"$T/doc-blank.json"
printf '\357\273\277' >"$T/bom.json" && cat "$data/small.json" >>"$T/bom.json"
"$SCORCH" fold "$data/small.json" -o "$T/small.folded"
printf '\357\273\277' >"$T/bom.folded" && cat "$T/small.folded" >>"$T/bom.folded"
: >"$T/empty.folded"
printf ' \n\t\r\n\n   ' >"$T/blank.folded"
head -c 200000 /dev/zero | tr '\0' '\n' >"$T/blank-long.folded"
printf '\357\273\277\n' >"$T/bom-only.json"
head -c 100000000 /dev/zero >"$T/nul.bin"
printf '  \n\0\0a;b 1\n' >"$T/blank-nul.bin"

for cmd in fold svg report merge export; do
	case $cmd in
	fold) out="-o $T/out/x.folded" ;;
	svg) out="-o $T/out/x.svg" ;;
	report) out="-o $T/out/x.txt" ;;
	merge) out="-o $T/out/x.json" ;;
	export) out="-o $T/out/x.pb.gz" ;;
	esac
	# shellcheck disable=SC2086
	{
		expect_error "$cmd: truncated JSON" "$T/truncated.json: not valid JSON.*ends too early" \
			"$SCORCH" $cmd "$T/truncated.json" $out
		expect_error "$cmd: garbage" "$T/garbage.bin" "$SCORCH" $cmd "$T/garbage.bin" $out
		expect_error "$cmd: wrong major version" "$T/v2.json: unsupported profile version 2.0" \
			"$SCORCH" $cmd "$T/v2.json" $out
		expect_error "$cmd: a 3 GiB file" "$T/huge.json: larger than 2 GiB" \
			"$SCORCH" $cmd "$T/huge.json" $out
		for f in two two-kinds doc-garbage doc-comma; do
			expect_error "$cmd: $f.json" "$T/$f.json: trailing data after the JSON profile" \
				"$SCORCH" $cmd "$T/$f.json" $out
		done
		expect_error "$cmd: two documents on stdin" "<stdin>: trailing data after the JSON profile" \
			"$SCORCH" $cmd - $out <"$T/two.json"
		for f in empty.folded blank.folded blank-long.folded bom-only.json; do
			expect_error "$cmd: $f" "$T/$f: empty, not a profile" "$SCORCH" $cmd "$T/$f" $out
		done
		expect_error "$cmd: empty stdin" "<stdin>: empty, not a profile" "$SCORCH" $cmd - $out </dev/null
		expect_error "$cmd: 100 MB of NULs" "$T/nul.bin: binary data, not a profile" \
			"$SCORCH" $cmd "$T/nul.bin" $out
		expect_error "$cmd: NULs after blank lines" "$T/blank-nul.bin: binary data, not a profile" \
			"$SCORCH" $cmd "$T/blank-nul.bin" $out
		for f in doc-blank.json bom.json bom.folded; do
			rm -rf "$T/out" && mkdir "$T/out"
			"$SCORCH" $cmd "$T/$f" $out >"$T/stdout" 2>"$T/stderr"
			check "$cmd: $f reads (exit 0, an output)" \
				test $? -eq 0 -a -n "$(ls -A "$T/out")"
		done
	}
done
expect_error "report: a count past 64 bits" "overflow.folded:1: sample count overflows" \
	"$SCORCH" report "$T/overflow.folded" -o "$T/out/x.txt"
expect_error "merge: counts whose sum passes 64 bits" "sum-overflow.folded:2: sample count overflows" \
	"$SCORCH" merge "$T/sum-overflow.folded" -o "$T/out/x.json"
expect_error "export: a stack deeper than 65535 frames" "deep.folded:1: stack deeper" \
	"$SCORCH" export "$T/deep.folded" -o "$T/out/x.speedscope.json"
expect_error "report: a frame id out of range" "badid.json: stack frame id: 99 is out of range" \
	"$SCORCH" report "$T/badid.json"
expect_error "merge: one bad input among good ones names it" "$T/v2.json" \
	"$SCORCH" merge "$data/small.json" "$T/v2.json" -o "$T/out/x.json"
# Read whole: each reads as the plain document does.
for f in doc-blank.json bom.json bom.folded; do
	"$SCORCH" fold "$T/$f" -o "$T/got.folded" 2>"$T/stderr"
	check "$f folds to the same stacks as small.json" cmp -s "$T/got.folded" "$T/small.folded"
done
# An endless stream of NULs: refused after the first read, not buffered.
(
	trap '' PIPE
	dd if=/dev/zero bs=65536 count=16000 2>"$T/dd"
) | "$SCORCH" report - >/dev/null 2>"$T/stderr"
records=$(sed -n 's/^\([0-9]*\)+[0-9]* records out$/\1/p' "$T/dd")
check "NULs on stdin: refused after at most a few reads ($records of 16000 x 64 KiB)" \
	test -n "$records" -a "${records:-99999}" -lt 64
check "NULs on stdin: the message" grep -q "<stdin>: binary data, not a profile" "$T/stderr"
usage=1
expect_error "merge without -o" "expected INPUT... and -o OUT" \
	"$SCORCH" merge "$data/small.json"
expect_error "export --format of an unknown kind" "unknown 'svg'" \
	"$SCORCH" export "$data/small.json" --format svg -o "$T/out/x.pb.gz"
expect_error "report --top -1" "--top" "$SCORCH" report "$data/small.json" --top -1
expect_error "record --label without =" "--label: 'nokey'" \
	"$SCORCH" record --label nokey -o "$T/out/p.json" -- true
tap_done
