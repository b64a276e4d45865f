#!/bin/sh
# SPDX-License-Identifier: MIT
# The sampling period re-timed at random moments (sampler/jitter.c):
# examples/lockstep runs in rounds laid on the sampler's own clock, each
# spending a known percent in phase_a. Rounds of the period, of a third of
# it, of twice it, at 99 to 4999 Hz: with the default period phase_a gets
# its percent of the samples (a fixed period gives it 0% or 100%, see
# docs/ARCHITECTURE.md), and the samples times period_ns add up to the CPU
# time the program measured itself. --fixed-period and --scope thread keep
# the exact period: no change recorded, period_ns 1e9 / F.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "record: the period re-timed" "no permission for perf events"
	tap_done
fi

# lockstep_run F ROUND_US SECS PCT SHARE_TOL CPU_TOL_PCT: one recording.
# Tolerances: the share's scatter measured over 6 runs each, on a quiet
# and on a loaded 2-CPU machine, was at most 1.6 points at 999 Hz and
# above (2 s), 3.5 at 99 Hz (4 s; the 6 s here scatter less); the CPU
# time's within 2.8%; the bounds are 4 standard deviations and more.
lockstep_run() {
	f=$1 round=$2 secs=$3 pct=$4 tol=$5 ctol=$6
	name="-F $f, rounds of $round us, phase_a $pct%"
	"$SCORCH" record -q -F "$f" -o "$T/ls.json" -- \
		"$EXAMPLES/lockstep" "$round" "$secs" "$pct" >"$T/out" 2>"$T/err"
	"$SCORCH" fold "$T/ls.json" >"$T/ls.folded" 2>>"$T/err"
	got=$(share "$T/ls.folded" ";phase_a(;|$)" "lockstep")
	if within "$got" "$pct" "$tol"; then
		ok "$name: phase_a has $got% of the samples"
	else
		not_ok "$name: phase_a has its share of the samples" \
			"got $got%, want $pct% +- $tol" "$(cat "$T/err")"
	fi
	cpu=$(awk '$1 == "lockstep:" { print $3 }' "$T/out")
	n=$(meta_int "$T/ls.json" samples)
	p=$(meta_int "$T/ls.json" period_ns)
	ch=$(meta_int "$T/ls.json" period_changes)
	ms=$(awk -v n="$n" -v p="$p" 'BEGIN { printf "%.1f", n * p / 1e6 }')
	if [ -n "$cpu" ] && [ "${ch:-0}" -gt 0 ] &&
		within "$ms" "$cpu" "$(awk -v c="$cpu" -v t="$ctol" \
			'BEGIN { print c * t / 100 }')"; then
		ok "$name: $n samples x $p ns = $ms ms, its CPU $cpu ms ($ch changes)"
	else
		not_ok "$name: samples x period_ns = its CPU time" \
			"$n x $p = $ms ms, measured ${cpu:-?} ms, changes ${ch:-?}"
	fi
}

lockstep_run 999 1001 2 30 8 5
lockstep_run 999 333.667 2 30 8 5
lockstep_run 499 4008 2 60 8 5
lockstep_run 4999 200.04 2 30 8 5
lockstep_run 99 10101 6 30 12 8

# The exact period on request, and where events cannot be re-timed.
for how in "--fixed-period" "--scope thread"; do
	# shellcheck disable=SC2086 # two words
	"$SCORCH" record -q -F 999 $how -o "$T/fx.json" -- \
		"$EXAMPLES/lockstep" 1001 0.5 >/dev/null 2>"$T/err"
	ch=$(meta_int "$T/fx.json" period_changes)
	p=$(meta_int "$T/fx.json" period_ns)
	if [ "$ch" = 0 ] && [ "$p" = 1001001 ]; then
		ok "$how: the period is not re-timed (period_ns $p)"
	else
		not_ok "$how: the period is not re-timed" \
			"period_changes ${ch:-?}, period_ns ${p:-?}" "$(cat "$T/err")"
	fi
done

tap_done
