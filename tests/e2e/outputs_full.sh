#!/bin/sh
# SPDX-License-Identifier: MIT
# Every output command (svg, report, fold, export, merge, diff --report,
# check) writing where there is no space (-o /dev/full, stdout on
# /dev/full, a file on a full tmpfs): exit 2, exactly one line on stderr
# naming the file and the reason ("No space left on device"), and nothing
# half-written left behind: no file at the name, no temporary beside it.
. "$(dirname "$0")/lib.sh"

data=$(cd "$(dirname "$0")/../data" && pwd)
printf 'main;parse;lex 30\nmain;parse 10\nmain;render;draw 25\n' >"$T/p.folded"
P=$T/p.folded

# to_file NAME OUT: subcommand NAME writing its output to the file OUT.
to_file() {
	case $1 in
	svg) "$SCORCH" svg "$P" -o "$2" ;;
	report) "$SCORCH" report "$P" -o "$2" ;;
	fold) "$SCORCH" fold "$P" -o "$2" ;;
	export) "$SCORCH" export "$P" --format speedscope -o "$2" ;;
	merge) "$SCORCH" merge "$P" "$P" -o "$2" ;;
	diff) "$SCORCH" diff "$P" "$P" --report "$2" >/dev/null ;;
	check) "$SCORCH" check -b "$data/check/hold.json" "$data/small.json" \
		--report "$2" >/dev/null ;;
	esac
}

# to_stdout NAME: subcommand NAME writing its output on stdout.
to_stdout() {
	case $1 in
	svg) "$SCORCH" svg "$P" -o - ;;
	report) "$SCORCH" report "$P" ;;
	fold) "$SCORCH" fold "$P" ;;
	export) "$SCORCH" export "$P" --format speedscope -o - ;;
	merge) "$SCORCH" merge "$P" "$P" -o - ;;
	diff) "$SCORCH" diff "$P" "$P" ;;
	check) "$SCORCH" check -b "$data/check/hold.json" "$data/small.json" ;;
	esac
}

ext() {
	case $1 in
	svg) echo svg ;;
	report | check) echo txt ;;
	fold) echo folded ;;
	export | merge) echo json ;;
	diff) echo md ;;
	esac
}

# one_line DESC ERRFILE NAME STATUS: exit 2 and one line naming NAME with
# the reason.
one_line() {
	n=$(wc -l <"$2")
	if [ "$4" -eq 2 ] && [ "$n" -eq 1 ] &&
		grep -q "^scorch: $3: .*No space left on device\$" "$2"; then
		ok "$1: exit 2, one line naming $3 and ENOSPC"
	else
		not_ok "$1: exit 2, one line naming $3 and ENOSPC" \
			"exit $4, $n lines:" "$(cat "$2")"
	fi
}

# A full tmpfs of our own, when root may mount one.
full=$T/full
mkdir "$full"
if mount -t tmpfs -o size=64k scorch-full "$full" 2>/dev/null; then
	# Unmounted before the trap removes $T.
	trap 'umount "$full" 2>/dev/null; tap_cleanup' EXIT
	dd if=/dev/zero of="$full/fill" bs=4096 2>/dev/null
	avail=$(df -P "$full" | awk 'NR == 2 { print $4 }')
	[ "$avail" -eq 0 ] || full=""
else
	full=""
fi

for c in svg report fold export merge diff check; do
	to_file $c /dev/full 2>"$T/err"
	one_line "$c -o /dev/full" "$T/err" /dev/full $?

	to_stdout $c >/dev/full 2>"$T/err"
	one_line "$c > /dev/full" "$T/err" stdout $?

	if [ -z "$full" ]; then
		skip "$c -o a file on a full filesystem" \
			"cannot mount a full tmpfs here (not root?)"
		continue
	fi
	out=$full/out.$(ext $c)
	to_file $c "$out" 2>"$T/err"
	one_line "$c -o FILE on a full tmpfs" "$T/err" "$out" $?
	left=$(ls -A "$full" | grep -v '^fill$' || true)
	check "$c -o FILE on a full tmpfs leaves nothing behind${left:+ ($left)}" \
		test -z "$left"
done

tap_done
