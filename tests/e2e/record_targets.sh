#!/bin/sh
# SPDX-License-Identifier: MIT
# Targets and messages of `record`: -p by process name (every process of
# that name, as pidof finds them), mixed with pids; a target that never
# ran is named with why; --help covers every option the parser takes; a
# bad option is one line with the --help hint.
. "$(dirname "$0")/lib.sh"

# 1. --help lists every long option the parser accepts (the table is the
#    same), and the call graph modes with dwarf the default.
"$SCORCH" record --help >"$T/help" 2>&1
rc=$?
check "record --help exits 0" test $rc -eq 0
missing=""
for o in pid freq duration event call-graph stack-size unwinder scope \
	output mmap-pages no-demangle no-inline quiet label help; do
	grep -q -- "--$o" "$T/help" || missing="$missing --$o"
	# Each long option the help names is one the parser takes.
	"$SCORCH" record "--$o" 2>&1 | grep -q "unknown option" &&
		missing="$missing (--$o refused)"
done
if [ -z "$missing" ]; then
	ok "record --help names every option"
else
	not_ok "record --help names every option" "missing:$missing"
fi
if grep -q -- "-g dwarf|fp|dwarf,SIZE" "$T/help" &&
	grep -q "dwarf (default)" "$T/help" && grep -q "libunwind" "$T/help"; then
	ok "record --help: -g dwarf|fp|dwarf,SIZE, dwarf the default, unwinders"
else
	not_ok "record --help: call graph modes" "$(grep -- '-g' "$T/help")"
fi

# 2. A bad option: exit 2, one line naming it, with the --help hint.
for bad in --bogus -z "--pid" "-F"; do
	"$SCORCH" record $bad >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] &&
		grep -q -- "'$bad'.*scorch record --help" "$T/err"; then
		ok "record $bad: one line naming it and the --help hint"
	else
		not_ok "record $bad: one line and the hint" "exit $rc, $lines lines" "$(head -3 "$T/err")"
	fi
done

# ... and the same for every subcommand.
for cmd in svg fold report merge export diff check addr2line; do
	"$SCORCH" $cmd --bogus >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -q -- "'--bogus'.*scorch $cmd --help" "$T/err"; then
		ok "$cmd --bogus: one line with the --help hint"
	else
		not_ok "$cmd --bogus: one line with the hint" "exit $rc" "$(head -3 "$T/err")"
	fi
done

if ! can_perf; then
	skip "record -p NAME" "no permission for perf events"
	tap_done
fi

# 3. -p NAME: two copies of a program under a name only this test uses
#    (other tests may run cpuburn at the same time), and one of a second
#    program; both copies are recorded, the summary says there are two.
name="sct$$"
cp "$EXAMPLES/cpuburn" "$T/$name"
cp "$EXAMPLES/stackmix" "$T/${name}m"
start_bg "$T/$name" 30
a=$bg_pid
start_bg "$T/$name" 30
b=$bg_pid
start_bg "$T/${name}m" mix 30
m=$bg_pid
"$SCORCH" record -q -F 199 -p "$name" -d 1.5 -o "$T/name.json" 2>"$T/err"
rc=$?
check "-p NAME: exit 0" test $rc -eq 0
if grep -q -- "-p $name: 2 processes ($a, $b)" "$T/err" &&
	grep -q "from 2 processes" "$T/err"; then
	ok "-p NAME: the summary names the 2 processes"
else
	not_ok "-p NAME: the summary names the 2 processes" "pids $a $b" "$(cat "$T/err")"
fi
if grep -q "\"pids\": *\"$a,$b\"" "$T/name.json"; then
	ok "-p NAME: both processes are the profile's targets"
else
	not_ok "-p NAME: both processes are targets" "$(grep -o '"pids"[^,]*,[^,]*' "$T/name.json")"
fi

# 4. Mixed pid and name: -p PID,NAME; a pid named twice counts once.
"$SCORCH" record -q -F 199 -p "$m,$name,$a" -d 1 -o "$T/mixed.folded" \
	2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "from 3 processes" "$T/err" &&
	grep -q ";main;" "$T/mixed.folded"; then
	ok "-p PID,NAME,PID: 3 processes, each once"
else
	not_ok "-p PID,NAME,PID: 3 processes" "exit $rc" "$(cat "$T/err")"
fi

# 5. A name no process has: one line naming it, exit 2, no output.
"$SCORCH" record -q -p "${name}x" -d 1 -o "$T/none.json" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	grep -q -- "-p ${name}x: no process of that name" "$T/err" &&
	[ ! -e "$T/none.json" ]; then
	ok "-p NAME of no process: one line, exit 2, no output"
else
	not_ok "-p NAME of no process" "exit $rc" "$(cat "$T/err")"
fi

# 5b. A zombie of that name (exited, never waited for) is not a target.
sh -c "\"$T/$name\" 0.05 & exec sleep 30" &
tap_pids="$tap_pids $!"
sleep 0.5
"$SCORCH" record -q -F 199 -p "$name" -d 0.5 -o "$T/zombie.json" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q -- "-p $name: 2 processes ($a, $b)" "$T/err"; then
	ok "-p NAME skips a zombie of that name"
else
	not_ok "-p NAME skips a zombie" "exit $rc" "$(ps -eo pid,stat,comm | grep "$name")" "$(cat "$T/err")"
fi

# 6. A stopped target is named as such, not "0 processes".
kill -STOP "$a"
"$SCORCH" record -q -p "$a" -d 1 -o "$T/stopped.json" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "pid $a was stopped: 0 samples" "$T/err" &&
	! grep -q "0 processes" "$T/err"; then
	ok "a SIGSTOPped target: 'pid N was stopped: 0 samples'"
else
	not_ok "a SIGSTOPped target is named as stopped" "exit $rc" "$(cat "$T/err")"
fi
# A running and a stopped target: the samples of the running one.
"$SCORCH" record -q -p "$a,$b" -d 1 -o "$T/half.json" 2>"$T/err"
if grep -q "from 1 process," "$T/err" &&
	grep -q "; pid $a was stopped: 0 samples; wrote" "$T/err"; then
	ok "one stopped, one running target: samples from 1, the stopped one named"
else
	not_ok "one stopped, one running: samples from 1 process" "$(cat "$T/err")"
fi
kill -CONT "$a"

# 7. A target that sleeps through the recording did not run on CPU.
sleep 30 &
sl=$!
tap_pids="$tap_pids $sl"
"$SCORCH" record -q -p "$sl" -d 1 -o "$T/sleep.json" 2>"$T/err"
if grep -q "pid $sl did not run on CPU: 0 samples" "$T/err"; then
	ok "a sleeping target: 'pid N did not run on CPU: 0 samples'"
else
	not_ok "a sleeping target did not run on CPU" "$(cat "$T/err")"
fi

# 8. A kernel thread (kthreadd is pid 2 where it exists).
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	"$SCORCH" record -q -p 2 -d 0.5 -o "$T/kthread.json" 2>"$T/err"
	if grep -q "pid 2 is a kernel thread" "$T/err"; then
		ok "a kernel thread is named as one"
	else
		not_ok "a kernel thread is named as one" "$(cat "$T/err")"
	fi
else
	skip "a kernel thread is named as one" "no kthreadd at pid 2"
fi

tap_done
