#!/bin/sh
# SPDX-License-Identifier: MIT
# Threads started after attaching are sampled: examples/threads starts a new
# short-lived worker every 50 ms, and its main thread does no work, so
# without following new threads the profile would be nearly empty.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "threads started after attaching appear" "no permission for perf events"
	tap_done
fi

for scope in cpu thread; do
	start_bg "$EXAMPLES/threads" 30
	wl=$bg_pid
	sleep 0.3
	"$SCORCH" record -p "$wl" -F 499 -d 2 --scope $scope -o "$T/t.json" \
		2>"$T/err"
	rc=$?
	kill "$wl" 2>/dev/null
	check "$scope scope: record -p on a thread-spawning process exits 0" test $rc -eq 0
	"$SCORCH" fold "$T/t.json" >"$T/t.folded" 2>>"$T/err"
	n=$(count "$T/t.folded" 'worker_main;spawned_work(;|$)')
	# ~2 s x 499 Hz x ~1.5 busy threads; workers burn wall time, so a busy
	# machine gives fewer. The distinct threads below are the real proof.
	if [ "$n" -ge 30 ]; then
		ok "$scope scope: spawned_work in new threads: $n samples"
	else
		not_ok "$scope scope: spawned_work in new threads" "got $n samples" \
			"$(cat "$T/err")"
	fi
	# Each worker is a task of its own in the profile; ~40 start in 2 s, and
	# at most 3 exist when scorch attaches.
	tids=$(grep -o '"tid": *[0-9]*' "$T/t.json" | sort -u | wc -l)
	if [ "$tids" -ge 10 ]; then
		ok "$scope scope: $tids distinct threads sampled"
	else
		not_ok "$scope scope: at least 10 distinct threads sampled" "got $tids"
	fi
done
tap_done
