#!/bin/sh
# SPDX-License-Identifier: MIT
# `scorch fold` writes only what the folded reader accepts and reads back
# the same: a leaf's trailing blanks are dropped, and a stack no folded
# line can hold is refused with one line on stderr, exit 2 and no file.
. "$(dirname "$0")/lib.sh"

# A leaf name ending in blanks: the folded reader takes them for the
# space before the count, so the writer drops them (not refused: a
# profile recorded from a JIT may name code "foo ").
printf '%s' '{"format":"scorch-profile","version":"1.1","frames":[
 {"name":"main"},{"name":"leaf \t"}],
 "stacks":[{"frames":[0,1],"count":3}]}' >"$T/names.json"
if "$SCORCH" fold "$T/names.json" -o "$T/names.folded" 2>"$T/err" &&
	"$SCORCH" fold "$T/names.folded" -o "$T/again.folded" 2>>"$T/err" &&
	cmp -s "$T/names.folded" "$T/again.folded"; then
	ok "fold output of a leaf ending in blanks reads back as the same text"
else
	not_ok "fold output of a leaf ending in blanks reads back as the same text" \
		"$(cat "$T/err")" "$(cat "$T/names.folded" 2>/dev/null)"
fi
if [ "$(cat "$T/names.folded" 2>/dev/null)" = "main;leaf 3" ]; then
	ok "fold drops the leaf's trailing blanks"
else
	not_ok "fold drops the leaf's trailing blanks" \
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
	grep -q "long.folded: .*1048576" "$T/stderr" &&
	[ -z "$(ls -A "$T/out")" ]; then
	ok "fold refuses a line over 1 MiB: exit 2, one line, no file"
else
	not_ok "fold refuses a line over 1 MiB: exit 2, one line, no file" \
		"exit $rc" "$(cat "$T/stderr")" "$(ls -A "$T/out")"
fi
tap_done
