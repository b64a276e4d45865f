#!/bin/sh
# SPDX-License-Identifier: MIT
# Robustness of record: attaching again and again while threads come and go
# (perf record -p failed silently in 6 of 24 such attaches here), lost
# samples counted and reported, SIGTERM, and the live status line.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "record robustness" "no permission for perf events"
	tap_done
fi

# 1. Twenty short attaches per scope to a process that starts a thread
#    every 50 ms and whose threads exit all the time.
start_bg "$EXAMPLES/threads" 60
wl=$bg_pid
sleep 0.2
for scope in thread cpu; do
	bad=0 i=0
	while [ $i -lt 20 ]; do
		i=$((i + 1))
		if ! "$SCORCH" record -q -p "$wl" -F 499 -d 0.2 --scope $scope \
			-o "$T/a.json" 2>"$T/err" ||
			! "$SCORCH" fold "$T/a.json" >/dev/null 2>>"$T/err"; then
			bad=$((bad + 1))
			cat "$T/err" >"$T/bad.err"
		fi
	done
	if [ $bad -eq 0 ]; then
		ok "$scope scope: 20 of 20 attaches to a thread-churning process succeed"
	else
		not_ok "$scope scope: 20 of 20 attaches succeed" "$bad failed" "$(cat "$T/bad.err")"
	fi
done
kill "$wl"

# 2. Lost samples are counted and reported: stop scorch for a second so a
#    one-page ring buffer must overflow.
start_bg "$EXAMPLES/cpuburn" 30
wl=$bg_pid
"$SCORCH" record -p "$wl" -F 999 -m 1 -d 2.5 -o "$T/lost.json" 2>"$T/err" &
sc=$!
sleep 0.5
kill -STOP $sc
sleep 1
kill -CONT $sc
wait $sc
rc=$?
lost=$(sed -n 's/.*"lost": *\([0-9]*\).*/\1/p' "$T/lost.json")
if [ $rc -eq 0 ] && [ "${lost:-0}" -gt 0 ] && grep -q "$lost lost" "$T/err"; then
	ok "lost samples are counted ($lost) in the metadata and the summary"
else
	not_ok "lost samples are counted in the metadata and the summary" \
		"exit $rc, lost '$lost'" "$(cat "$T/err")"
fi

# 3. SIGTERM mid-recording writes the profile, like SIGINT.
"$SCORCH" record -p "$wl" -F 499 -o "$T/term.json" 2>"$T/err" &
sc=$!
sleep 1
kill -TERM $sc
wait $sc
rc=$?
if [ $rc -eq 0 ] && "$SCORCH" fold "$T/term.json" | grep -q ';main;run;'; then
	ok "SIGTERM: the profile is written"
else
	not_ok "SIGTERM: the profile is written" "exit $rc" "$(cat "$T/err")"
fi

# 4. On a terminal, a live status line; off one, only the summary.
if command -v script >/dev/null 2>&1; then
	script -qec "\"$SCORCH\" record -p $wl -d 1.2 -o \"$T/tty.json\"" \
		/dev/null >"$T/tty.out" 2>&1
	if grep -q 'recording [0-9.]*s, [0-9]* samples, 1 threads, 0 lost' "$T/tty.out"; then
		ok "a terminal shows a live status line"
	else
		not_ok "a terminal shows a live status line" "$(cat -v "$T/tty.out")"
	fi
else
	skip "a terminal shows a live status line" "script(1) is not installed"
fi
"$SCORCH" record -p "$wl" -d 0.5 -o "$T/notty.json" 2>"$T/err"
check "without a terminal, stderr has just the summary" \
	test "$(grep -c . "$T/err")" -eq 1
kill "$wl"
tap_done
