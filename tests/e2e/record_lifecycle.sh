#!/bin/sh
# SPDX-License-Identifier: MIT
# How a recording ends: the target exits, SIGINT, or a launched command
# finishes. Every way writes a complete, named profile.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "recording lifecycle" "no permission for perf events"
	tap_done
fi

# 1. A target that exits mid-recording: scorch stops by itself, and names
#    the frames from the maps it captured while the process was alive.
start_bg "$EXAMPLES/cpuburn" 1.5
wl=$bg_pid
timeout 30 "$SCORCH" record -p "$wl" -F 499 -o "$T/exit.folded" 2>"$T/err"
rc=$?
check "target exits mid-recording: scorch stops and exits 0" test $rc -eq 0
n=$(count "$T/exit.folded" ';main;run;alpha(;|$)')
if [ "$n" -gt 15 ]; then
	ok "target exits mid-recording: frames are named ($n alpha samples)"
else
	not_ok "target exits mid-recording: frames are named" "alpha: $n" "$(head -3 "$T/exit.folded")"
fi

# 2. SIGINT mid-recording writes a valid profile and leaves no temporary.
start_bg "$EXAMPLES/cpuburn" 30
wl=$bg_pid
mkdir "$T/int"
"$SCORCH" record -p "$wl" -F 499 -o "$T/int/p.json" 2>"$T/err" &
sc=$!
sleep 1.5
kill -INT $sc
wait $sc
rc=$?
kill "$wl" 2>/dev/null
check "SIGINT: scorch exits 0" test $rc -eq 0
if "$SCORCH" fold "$T/int/p.json" >"$T/int.folded" 2>"$T/err2" &&
	[ "$(count "$T/int.folded" ';main;run;')" -gt 30 ]; then
	ok "SIGINT: the profile is valid and has samples"
else
	not_ok "SIGINT: the profile is valid and has samples" "$(cat "$T/err" "$T/err2")"
fi
check "SIGINT: no temporary file is left behind" \
	test "$(ls "$T/int")" = "p.json"

# 3. record -- COMMAND profiles a short command and returns its status.
timeout 60 "$SCORCH" record -F 499 -o "$T/cmd.folded" -- "$EXAMPLES/cpuburn" 1 2>"$T/err"
rc=$?
check "record -- COMMAND exits with the command's status 0" test $rc -eq 0
n=$(count "$T/cmd.folded" ';main;run;alpha(;|$)')
check "record -- COMMAND profiles the command ($n alpha samples)" test "$n" -gt 15

# Maps of a launched command come from MMAP2 records alone (no /proc
# snapshot): libc's frames must be named in both scopes.
for scope in cpu thread; do
	timeout 60 "$SCORCH" record --scope $scope -F 499 -o "$T/libc.folded" -- \
		"$EXAMPLES/cpuburn" 0.5 2>"$T/err"
	n=$(count "$T/libc.folded" ';__libc_start_call_main;main;run;')
	check "$scope scope: a launched command's libc frames are named ($n samples)" \
		test "$n" -gt 15
done

timeout 60 "$SCORCH" record -o "$T/seven.json" -- sh -c 'exit 7' 2>"$T/err"
rc=$?
check "record -- COMMAND passes on exit status 7" test $rc -eq 7
check "record -- COMMAND writes a profile even for a failing command" test -s "$T/seven.json"

# Child processes of the command are followed (sh forks cpuburn).
timeout 60 "$SCORCH" record -F 499 -o "$T/child.folded" -- \
	sh -c "\"$EXAMPLES/cpuburn\" 1; true" 2>"$T/err"
n=$(count "$T/child.folded" '^cpuburn;.*;main;run;')
check "record -- sh -c: the child process is profiled ($n samples)" test "$n" -gt 30

# Kernel frames are named and marked _[k]: dd spends its time in the kernel.
timeout 60 "$SCORCH" record -F 999 -o "$T/dd.folded" -- \
	dd if=/dev/zero of=/dev/null bs=64k count=300000 2>"$T/err"
k=$(count "$T/dd.folded" '_\[k\]$')
if [ "$k" -gt 20 ] && ! grep -q '\[kernel\]_\[k\]' "$T/dd.folded"; then
	ok "kernel frames are named and end in _[k] ($k samples)"
else
	not_ok "kernel frames are named and end in _[k]" "$k samples" "$(sort -k2 -nr "$T/dd.folded" | head -3)"
fi
# Without privileges (kernel.perf_event_paranoid 1 or 2), scorch falls back
# to per-thread events on the user's own command, user stacks only.
para=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	[ "$para" -ge 1 ] && [ "$para" -le 2 ]; then
	mkdir -p "$T/np/out"
	cp "$SCORCH" "$EXAMPLES/cpuburn" "$T/np/"
	chmod 755 "$T" "$T/np" && chmod 777 "$T/np/out"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$T/np/scorch" record -F 499 -o "$T/np/out/p.folded" -- \
		"$T/np/cpuburn" 0.5 2>"$T/err"
	rc=$?
	n=$(count "$T/np/out/p.folded" ';main;run;')
	if [ $rc -eq 0 ] && [ "$n" -gt 15 ] && grep -q "thread scope" "$T/err"; then
		ok "unprivileged: falls back to per-thread events ($n samples)"
	else
		not_ok "unprivileged: falls back to per-thread events" "exit $rc, $n samples" "$(cat "$T/err")"
	fi
else
	skip "unprivileged: falls back to per-thread events" \
		"needs root to drop to nobody, setpriv, and perf_event_paranoid 1 or 2 (it is $para)"
fi
tap_done
