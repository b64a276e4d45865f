# SPDX-License-Identifier: MIT
# tests/e2e/lib.sh - TAP helpers for end-to-end tests. Sourced, not run.
# Each test works in its own temporary directory, removed on exit, and kills
# the workloads it started.

: "${SCORCH:?SCORCH must name the scorch binary}"
: "${EXAMPLES:?EXAMPLES must name the built examples directory}"

tap_n=0
tap_failed=0
T=$(mktemp -d /tmp/scorch-e2e.XXXXXX)
tap_pids=""

tap_cleanup() {
	for p in $tap_pids; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
}
trap tap_cleanup EXIT
trap 'exit 1' INT TERM

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=1
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do
		echo "#   $line"
	done
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc" "command failed: $*"
	fi
}

# Start a workload in the background; its pid goes to $bg_pid. Returns
# once the child runs the workload's binary, not the shell it forked from,
# so an attach reads the workload's maps.
start_bg() {
	"$@" &
	bg_pid=$!
	tap_pids="$tap_pids $bg_pid"
	wait_exe "$bg_pid" "$(readlink -f "$1")"
}

# wait_exe PID PATH: wait (5 s at most) until process PID runs PATH.
wait_exe() {
	i=0
	while [ "$(readlink "/proc/$1/exe" 2>/dev/null)" != "$2" ] &&
		[ $i -lt 250 ]; do
		sleep 0.02
		i=$((i + 1))
	done
}

# Can this machine open perf events for other processes? (root, CAP_PERFMON
# or perf_event_paranoid <= 1 for per-thread events on our own children).
can_perf() {
	[ "$(id -u)" -eq 0 ] && return 0
	p=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)
	[ "$p" -le 1 ]
}

# Print the share (in percent, 1 decimal) of samples in folded file $1 whose
# stack matches the awk regex $2, among samples matching regex $3.
share() {
	awk -v want="$2" -v among="$3" '
	{
		n = $NF; s = $0; sub(/[ \t]+[0-9]+$/, "", s)
		if (s ~ among) { tot += n; if (s ~ want) hit += n }
	}
	END { if (tot == 0) print "0.0"; else printf "%.1f\n", 100 * hit / tot }
	' "$1"
}

# Sum of sample counts in folded file $1 for stacks matching regex $2.
count() {
	awk -v want="$2" '{ n = $NF; s = $0; sub(/[ \t]+[0-9]+$/, "", s)
		if (s ~ want) t += n } END { print t + 0 }' "$1"
}

# meta_int FILE KEY: the integer KEY of a native profile's metadata (its
# first line), or nothing.
meta_int() {
	sed -n "s/.*\"$2\": *\(-\{0,1\}[0-9][0-9]*\).*/\1/p" "$1" | head -1
}

# within VALUE TARGET TOLERANCE: |VALUE - TARGET| <= TOLERANCE
within() {
	awk -v v="$1" -v t="$2" -v tol="$3" \
		'BEGIN { d = v - t; if (d < 0) d = -d; exit !(d <= tol) }'
}

# Wait (20 s at most) until file $1 has content (a workload printed its
# ready line).
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

tap_done() {
	echo "1..$tap_n"
	exit $tap_failed
}
