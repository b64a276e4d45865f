#!/bin/sh
# SPDX-License-Identifier: MIT
# record --off-cpu against examples/offcpu, whose functions time themselves:
# the off-CPU time under offcpu_sleep, offcpu_mutex_wait and
# offcpu_pipe_read matches what each printed, the kernel frames of each
# wait are there (do_nanosleep, futex_wait, pipe_read), every thread's wall
# view (CPU samples x period + off-CPU time) adds up to its life, and with
# -p the threads started after attaching are covered. Both scopes, a
# launched command and -p, dwarf and fp.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "record --off-cpu" "no permission for perf events"
	tap_done
fi

# ns_of FOLDED REGEX: the sum of the counts (ns) of the stacks matching
# REGEX, in ms.
ms_of() {
	awk -v want="$2" '{ n = $NF; s = $0; sub(/[ \t]+[0-9]+$/, "", s)
		if (s ~ want) t += n } END { printf "%.1f\n", t / 1e6 }' "$1"
}

# printed OUT WHAT: the ms the workload printed for WHAT.
printed() {
	awk -v w="$2" '$1 == "offcpu:" && $2 == w { print $3 }' "$1"
}

# near GOT WANT: within 5% of WANT plus SLACK ms (the machine is shared and
# loaded; the kernel's switch records are exact, so this never flakes).
near() {
	awk -v g="$1" -v w="$2" -v s="$3" \
		'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= 0.05 * w + s) }'
}

# check_run NAME OUT JSON [fp]: the checks on one recording. With fp,
# glibc's pthread_mutex_lock keeps no frame pointer, so the kernel's walk
# from __lll_lock_wait skips offcpu_mutex_wait: its wait shows under its
# caller, offcpu_waiter (which does nothing else but a barrier wait of
# microseconds), as CPU samples there would.
check_run() {
	name=$1 out=$2 json=$3 mutex=offcpu_mutex_wait
	[ "$4" = fp ] && mutex='offcpu_(mutex_wait|waiter)'
	"$SCORCH" fold "$json" --value off-cpu >"$T/off.folded" 2>>"$T/err"
	"$SCORCH" fold "$json" --value wall --split thread \
		>"$T/wall.folded" 2>>"$T/err"
	for fn in offcpu_sleep offcpu_mutex_wait offcpu_pipe_read; do
		want=$(printed "$out" "$fn")
		re=$fn
		[ "$fn" = offcpu_mutex_wait ] && re=$mutex
		got=$(ms_of "$T/off.folded" ";$re(;|\$)")
		if [ -n "$want" ] && near "$got" "$want" 10; then
			ok "$name: $fn off CPU $got ms, timed itself $want ms"
		else
			not_ok "$name: $fn off CPU matches its own timing" \
				"profile: $got ms, workload: ${want:-nothing} ms" \
				"$(cat "$T/err")"
		fi
	done
	for k in 'offcpu_sleep;.*do_nanosleep_\[k\]' \
		"$mutex;.*futex_wait[a-z_]*_\\[k\\]" \
		'offcpu_pipe_read;.*pipe_read_\[k\]'; do
		n=$(ms_of "$T/off.folded" "$k")
		if awk -v n="$n" 'BEGIN { exit !(n >= 100) }'; then
			ok "$name: kernel frames of the wait: $k ($n ms)"
		else
			not_ok "$name: kernel frames of the wait: $k" \
				"$n ms under it" "$(grep -m2 offcpu_ "$T/off.folded")"
		fi
	done
	# Each thread's wall view: its life, from its start to its end.
	for th in sleeper holder waiter writer reader; do
		line=$(awk -v t="$th" '$1 == "offcpu:" && $2 == "thread" &&
			$3 == t { print $5, $6 }' "$out")
		tid=${line% *}
		want=${line#* }
		got=$(ms_of "$T/wall.folded" "^$th-[0-9]+/$tid;")
		# one CPU sample is 10 ms of wall time at 99 Hz: 25 ms slack
		if [ -n "$tid" ] && near "$got" "$want" 25; then
			ok "$name: thread $th's wall view $got ms, its life $want ms"
		else
			not_ok "$name: thread $th's wall view adds up to its life" \
				"profile: $got ms, workload: ${want:-nothing} ms (tid ${tid:-?})"
		fi
	done
}

for scope in cpu thread; do
	for g in dwarf fp; do
		name="$scope scope, -g $g, -- COMMAND"
		"$SCORCH" record --off-cpu --scope $scope -g $g -q \
			-o "$T/c.json" -- "$EXAMPLES/offcpu" >"$T/out" 2>"$T/err"
		check "$name: record --off-cpu exits 0" test $? -eq 0
		check_run "$name" "$T/out" "$T/c.json" $g
	done
	# -p: the workload starts its threads 0.8 s after it started, well
	# after scorch attached.
	name="$scope scope, -p, threads started later"
	"$EXAMPLES/offcpu" --start-after 800 >"$T/pout" &
	wl=$!
	tap_pids="$tap_pids $wl"
	wait_exe "$wl" "$(readlink -f "$EXAMPLES/offcpu")"
	"$SCORCH" record --off-cpu --scope $scope -q -p "$wl" -o "$T/p.json" \
		2>"$T/err"
	check "$name: record --off-cpu -p exits 0" test $? -eq 0
	wait "$wl"
	check_run "$name" "$T/pout" "$T/p.json"
done

# Every switch counted and weighed: examples/pingpong's two threads hand
# one CPU to each other at least twice a round trip, so the switches it
# reports are weighed (but the peer's last, its exit, which is not
# off-CPU time, and one to spare), none lost, and each thread's wait is its
# read of the pipe. Its switches come faster than a sanitizer build reads
# them: a 4 MiB ring and 512-byte stack copies hold all 4000 (~3 MB) even
# if scorch read none before the end, so no record is lost (a lost one is
# counted, not weighed: lost records are the one way a switch goes
# unweighed, and a warning says so).
"$SCORCH" record --off-cpu -q -m 1024 --off-cpu-stack-size 512 \
	-o "$T/pp.json" -- "$EXAMPLES/pingpong" 2000 >"$T/ppout" 2>"$T/err"
check "pingpong: record --off-cpu exits 0" test $? -eq 0
want=$(sed -n 's/^pingpong: \([0-9]*\) switches.*/\1/p' "$T/ppout")
got=$(($(meta_int "$T/pp.json" off_cpu_switches) +
	$(meta_int "$T/pp.json" off_cpu_open)))
missed=$(($(meta_int "$T/pp.json" off_cpu_unmatched) +
	$(meta_int "$T/pp.json" off_cpu_no_switch_in)))
if [ -n "$want" ] && [ "$got" -ge $((want - 2)) ] && [ "$missed" -eq 0 ] &&
	[ "$(meta_int "$T/pp.json" lost)" = 0 ]; then
	ok "pingpong: $got switches weighed, it made $want, none missed"
else
	not_ok "pingpong: every switch weighed" \
		"weighed $got, pingpong made ${want:-?}, missed $missed" \
		"$(cat "$T/err")"
fi
"$SCORCH" fold "$T/pp.json" --value off-cpu >"$T/pp.folded" 2>>"$T/err"
for fn in main_loop peer_loop; do
	n=$(ms_of "$T/pp.folded" ";$fn;.*pipe_read_\\[k\\]")
	if awk -v n="$n" 'BEGIN { exit !(n > 0) }'; then
		ok "pingpong: $fn waits in pipe_read ($n ms)"
	else
		not_ok "pingpong: $fn waits in pipe_read" \
			"$(grep -m3 "$fn" "$T/pp.folded")"
	fi
done

# The SVG of an off-CPU recording is its wall view, and says so.
"$SCORCH" record --off-cpu -q -o "$T/w.svg" -- "$EXAMPLES/offcpu" \
	>/dev/null 2>"$T/err"
if grep -q 'Wall-Clock' "$T/w.svg" && grep -q '[0-9] ms (' "$T/w.svg" &&
	grep -q 'offcpu_pipe_read' "$T/w.svg"; then
	ok "record --off-cpu -o x.svg draws the wall view, in ms"
else
	not_ok "record --off-cpu -o x.svg draws the wall view, in ms" \
		"$(cat "$T/err")"
fi
# A view of a profile without a period cannot weigh its samples.
printf 'a;b 3\n' >"$T/f.folded"
"$SCORCH" fold "$T/f.folded" --value wall >"$T/o" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'period_ns' "$T/err" && [ ! -s "$T/o" ]; then
	ok "fold --value wall of folded input: exit 2, naming period_ns"
else
	not_ok "fold --value wall of folded input: exit 2" "rc $rc: $(cat "$T/err")"
fi
# Off-CPU time of a profile that has none, and a value that is none.
"$SCORCH" fold "$T/f.folded" --value off-cpu >"$T/o" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'no off-CPU time' "$T/err" && [ ! -s "$T/o" ]; then
	ok "fold --value off-cpu of a CPU profile: exit 2, says so"
else
	not_ok "fold --value off-cpu of a CPU profile: exit 2" "rc $rc: $(cat "$T/err")"
fi
"$SCORCH" svg "$T/c.json" --value idle -o "$T/x.svg" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "unknown 'idle'" "$T/err" && [ ! -e "$T/x.svg" ]; then
	ok "svg --value idle: exit 2, naming the known values"
else
	not_ok "svg --value idle: exit 2" "rc $rc: $(cat "$T/err")"
fi
tap_done
