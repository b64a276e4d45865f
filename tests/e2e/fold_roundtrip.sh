#!/bin/sh
# SPDX-License-Identifier: MIT
# `scorch fold` writes only what the folded reader accepts: names folded
# lines cannot carry are neutralized, and a stack no folded line can hold
# is refused with one line on stderr, exit 2 and no file written.
. "$(dirname "$0")/lib.sh"

# Frames named "", "a;b", "two\nlines" and "leaf " (what a JSON profile
# may hold and folded stacks cannot).
printf '%s' '{"format":"scorch-profile","version":"1.1","frames":[
 {"name":""},{"name":"a;b"},{"name":"two\nlines"},{"name":"leaf "}],
 "stacks":[{"frames":[0,1,2,3],"count":3}]}' >"$T/names.json"
if "$SCORCH" fold "$T/names.json" -o "$T/names.folded" 2>"$T/err" &&
	"$SCORCH" fold "$T/names.folded" -o "$T/again.folded" 2>>"$T/err" &&
	cmp -s "$T/names.folded" "$T/again.folded"; then
	ok "fold output of unfoldable names reads back as the same text"
else
	not_ok "fold output of unfoldable names reads back as the same text" \
		"$(cat "$T/err")" "$(cat "$T/names.folded" 2>/dev/null)"
fi
if [ "$(cat "$T/names.folded" 2>/dev/null)" = "[unknown];a:b;two lines;leaf 3" ]; then
	ok "fold neutralizes ';', newlines, trailing blanks and empty names"
else
	not_ok "fold neutralizes ';', newlines, trailing blanks and empty names" \
		"$(cat "$T/names.folded" 2>/dev/null)"
fi

# 1,100 frames of 1,000 bytes: a 3 kB profile, a 1.1 MB folded line.
name=$(printf '%01000d' 0 | tr 0 f)
ids=$(printf '0,%.0s' $(seq 1099))0
printf '{"format":"scorch-profile","version":"1.1","frames":[{"name":"%s"}],"stacks":[{"frames":[%s],"count":1}]}' \
	"$name" "$ids" >"$T/long.json"
mkdir "$T/out"
"$SCORCH" fold "$T/long.json" -o "$T/out/long.folded" >"$T/stdout" 2>"$T/stderr"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$T/stderr")" -eq 1 ] &&
	grep -q "long.folded: a stack of .* bytes as a folded line: folded lines hold at most 1048576 bytes" "$T/stderr" &&
	[ -z "$(ls -A "$T/out")" ]; then
	ok "fold refuses a line over 1 MiB: exit 2, one line, no file"
else
	not_ok "fold refuses a line over 1 MiB: exit 2, one line, no file" \
		"exit $rc" "$(cat "$T/stderr")" "$(ls -A "$T/out")"
fi
tap_done
