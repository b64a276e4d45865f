#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad input: one clear line on stderr naming what is wrong, exit code 2,
# and no output file (or temporary) left behind.
. "$(dirname "$0")/lib.sh"

# expect_error DESC PATTERN COMMAND...: exit 2, one stderr line matching
# PATTERN, and nothing written to $T/out.
expect_error() {
	desc=$1 pattern=$2
	shift 2
	rm -rf "$T/out"
	mkdir "$T/out"
	"$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	lines=$(wc -l <"$T/stderr")
	if [ $rc -ne 2 ]; then
		not_ok "$desc: exit 2" "exit $rc" "$(cat "$T/stderr")"
	elif ! head -1 "$T/stderr" | grep -q -- "$pattern"; then
		not_ok "$desc: message matches '$pattern'" "$(cat "$T/stderr")"
	elif [ -n "$(ls -A "$T/out")" ]; then
		not_ok "$desc: no output left behind" "$(ls -A "$T/out")"
	else
		ok "$desc ($lines line$([ "$lines" -eq 1 ] || echo s) on stderr)"
	fi
}

printf 'garbage\x00\x01\x02 not a profile\n' >"$T/garbage"
printf 'main;foo 12\nmain;bar twelve\n' >"$T/badcount.folded"
printf '{"format":"scorch-profile","version":"9.0"}' >"$T/future.json"
printf '{"format":"scorch-profile",' >"$T/truncated.json"

expect_error "record -p of a pid that does not exist" "pid 999999999" \
	"$SCORCH" record -p 999999999 -d 1 -o "$T/out/p.json"
expect_error "record -p 0" "'0' is not a process id" \
	"$SCORCH" record -p 0 -d 1 -o "$T/out/p.json"
expect_error "record -p with a name no process has" "-p no_such_proc_x: no process" \
	"$SCORCH" record -p no_such_proc_x -d 1 -o "$T/out/p.json"
expect_error "record with an output in a missing directory" "$T/out/missing/p.json" \
	"$SCORCH" record -p $$ -d 1 -o "$T/out/missing/p.json"
expect_error "record with an unknown output extension" "unknown output format" \
	"$SCORCH" record -p $$ -d 1 -o "$T/out/p.xyz"
expect_error "record with nothing to record" "nothing to record" \
	"$SCORCH" record -o "$T/out/p.json"
expect_error "record -F 0" "-F" "$SCORCH" record -F 0 -p $$ -o "$T/out/p.json"
expect_error "record -d -1" "-d" "$SCORCH" record -d -1 -p $$ -o "$T/out/p.json"
expect_error "record -e with an unknown event" "unknown event 'bogus'" \
	"$SCORCH" record -e bogus -p $$ -d 1 -o "$T/out/p.json"
expect_error "record of a command that does not exist" "/nonexistent/cmd" \
	"$SCORCH" record -o "$T/out/p.json" -- /nonexistent/cmd
expect_error "svg of a garbage file" "$T/garbage" \
	"$SCORCH" svg "$T/garbage" -o "$T/out/g.svg"
expect_error "svg of a folded file with a bad count names the line" "badcount.folded:2" \
	"$SCORCH" svg "$T/badcount.folded" -o "$T/out/g.svg"
expect_error "fold of a profile from a future version" "version" \
	"$SCORCH" fold "$T/future.json" -o "$T/out/f.folded"
expect_error "fold of a truncated JSON profile" "$T/truncated.json" \
	"$SCORCH" fold "$T/truncated.json" -o "$T/out/f.folded"
expect_error "fold of a missing file" "$T/nope.json" \
	"$SCORCH" fold "$T/nope.json" -o "$T/out/f.folded"
printf 'main;foo 12\n' >"$T/good.folded"
expect_error "svg to a missing directory" "$T/out/missing/x.svg" \
	"$SCORCH" svg "$T/good.folded" -o "$T/out/missing/x.svg"
expect_error "an unknown subcommand" "not a command" "$SCORCH" bogus

# A hardware event where the machine has none: a clear message, exit 2.
if can_perf && perf stat -e instructions true 2>&1 | grep -q 'not supported'; then
	start_bg "$EXAMPLES/cpuburn" 10
	expect_error "record -e instructions without hardware counters" \
		"not supported on this machine" \
		"$SCORCH" record -e instructions -p "$bg_pid" -d 1 -o "$T/out/p.json"
else
	skip "record -e instructions without hardware counters" \
		"this machine has hardware counters (or no perf permission)"
fi
tap_done
