#!/bin/sh
# SPDX-License-Identifier: MIT
# -g fp never hides a cut-off stack: the kernel's frame-pointer walk stops
# quietly wherever the chain breaks, so a chain that does not end at a root
# (the entry point, the C library's caller of main, a thread's start: the
# one test sampler/unwind-libdw.c applies to CFI unwinding too) is marked
# [unknown] at its root end and counted in broken_stacks.
#  - stackmix (frame pointers) sorts through the C library's qsort, which
#    has none: those chains end inside msort, and must say [unknown];
#  - cpuburn (frame pointers throughout): whole, ~0 broken;
#  - threads: each worker's chain ends at start_thread, a root: not broken.
# Tolerances: broken counts of whole programs allow 2% (a sample taken in
# the few instructions where a frame is being built or torn down has a
# chain one frame off); the qsort chains are ~half of stackmix's samples.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "fp roots" "no permission for perf events"
	tap_done
fi

# rec NAME WORKLOAD...: record a launched workload with -g fp into
# $T/NAME.json and $T/NAME.folded; $rc is scorch's exit status.
rec() {
	name=$1
	shift
	"$SCORCH" record -g fp -F 499 -o "$T/$name.json" -- "$@" \
		>"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	"$SCORCH" fold "$T/$name.json" >"$T/$name.folded" 2>/dev/null
}

meta() {
	meta_int "$T/$1.json" "$2"
}

# at_most NAME LABEL COUNT PERCENT: COUNT is at most PERCENT% of the
# recording's samples, plus one (and there were some).
at_most() {
	n=$(meta "$1" samples)
	if [ "${n:-0}" -gt 0 ] && [ "$3" -le $((n * $4 / 100 + 1)) ]; then
		ok "$2 ($3 of $n samples)"
	else
		not_ok "$2" "$3 of ${n:-0} samples" \
			"$(grep '\[unknown\]' "$T/$1.folded" | sort -t' ' -k2 -nr |
				head -3 | cut -c1-300)"
	fi
}

# --- qsort through a C library without frame pointers ---------------------
rec mix "$EXAMPLES/stackmix" mix 4
check "stackmix: record -g fp exits 0" test "$rc" -eq 0
# A stack whose outermost frame is the C library's merge sort was cut off.
cut=$(count "$T/mix.folded" '^stackmix;(msort|qsort|__memmove|free|cmp_records)')
check "stackmix: no chain is rooted at a qsort frame unmarked ($cut)" \
	test "$cut" -eq 0
unk=$(count "$T/mix.folded" '^stackmix;\[unknown\];')
sorted=$(count "$T/mix.folded" '^stackmix;\[unknown\];(msort|qsort)')
n=$(meta mix samples)
check "stackmix: the qsort chains carry [unknown] ($sorted of $n samples)" \
	test "$sorted" -ge $((n / 5))
b=$(meta mix broken_stacks)
check "stackmix: broken_stacks counts every [unknown] stack ($b = $unk)" \
	test "${b:--1}" -eq "$unk"
check "stackmix: the warning names the broken chains" \
	grep -q 'frame-pointer chain' "$T/mix.err"
# The whole chains are not touched.
w=$(count "$T/mix.folded" '^stackmix;__libc_start_call_main;main;run_mix;hash_phase;hash_buffer$')
check "stackmix: hash_phase's chains stay whole ($w)" test "$w" -ge $((n / 10))

# The same test whichever --unwinder finds the leaves' callers.
"$SCORCH" record -q -g fp -F 499 --unwinder libunwind -o "$T/lu.json" \
	-- "$EXAMPLES/stackmix" mix 2 >/dev/null 2>&1
"$SCORCH" fold "$T/lu.json" >"$T/lu.folded" 2>/dev/null
lu=$(count "$T/lu.folded" '^stackmix;(msort|qsort|__memmove|free|cmp_records)')
lun=$(count "$T/lu.folded" '^stackmix;\[unknown\];(msort|qsort)')
check "--unwinder libunwind: no qsort chain unmarked ($lu), $lun marked" \
	test "$lu" -eq 0 -a "$lun" -gt 0

# --- frame pointers throughout -----------------------------------------------
rec burn "$EXAMPLES/cpuburn" 3
check "cpuburn: record -g fp exits 0" test "$rc" -eq 0
at_most burn "cpuburn: whole chains are not counted broken" \
	"$(meta burn broken_stacks)" 2
at_most burn "cpuburn: and carry no [unknown]" \
	"$(count "$T/burn.folded" '\[unknown\]')" 2
r=$(share "$T/burn.folded" '^cpuburn;__libc_start_call_main;main;run;' '.')
check "cpuburn: $r% of chains end at the C library's caller of main" \
	awk -v r="$r" 'BEGIN { exit !(r >= 97) }'

# --- threads: chains end at the thread start ---------------------------------
rec thr "$EXAMPLES/threads" 3
check "threads: record -g fp exits 0" test "$rc" -eq 0
s=$(count "$T/thr.folded" ';start_thread;worker_main;spawned_work')
check "threads: workers' chains end at start_thread ($s)" test "$s" -gt 0
at_most thr "threads: thread stacks are not counted broken" \
	"$(meta thr broken_stacks)" 2
at_most thr "threads: and carry no [unknown]" \
	"$(count "$T/thr.folded" '\[unknown\]')" 2

tap_done
