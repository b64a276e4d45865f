#!/bin/sh
# SPDX-License-Identifier: MIT
# Every cut stack names its real cause. [truncated] (copy_truncated_stacks,
# "raise --stack-size") only where the next frame lies past the stack copy,
# so that a bigger copy makes the stack whole; [unknown] (broken_stacks)
# where the code has no unwind information and its frame pointer is a
# guess that a bigger copy only shows wrong. stackmix is built here twice
# without CFI (-fno-asynchronous-unwind-tables -fno-unwind-tables): with
# frame pointers (the guess is right: a small copy truncates, a big one is
# whole) and without (the guess is data: broken at any copy size).
# Tolerances: 2% and 2 samples either way, for samples taken while a frame
# is being built, and for the dynamic linker's start-up (its own CFI: a
# small copy truly cuts it). The sanitizer build gets ~50 samples a run.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "causes of cut stacks" "no permission for perf events"
	tap_done
fi
if ! command -v cc >/dev/null; then
	skip "causes of cut stacks" "no C compiler"
	tap_done
fi
src=$(cd "$(dirname "$0")/../../examples" && pwd)/stackmix.c
NOCFI="-std=gnu11 -O2 -pthread -fno-asynchronous-unwind-tables -fno-unwind-tables"
# shellcheck disable=SC2086
cc $NOCFI -fomit-frame-pointer -o "$T/nocfi" "$src" &&
	cc $NOCFI -fno-omit-frame-pointer -o "$T/nocfi-fp" "$src"
check "built stackmix without CFI, with and without frame pointers" test $? -eq 0

# rec NAME STACK-SIZE WORKLOAD...: record into $T/NAME.json / .folded.
rec() {
	name=$1 size=$2
	shift 2
	"$SCORCH" record -q -F 499 --stack-size "$size" -o "$T/$name.json" \
		-- "$@" >/dev/null 2>"$T/$name.err"
	rc=$?
	"$SCORCH" fold "$T/$name.json" >"$T/$name.folded" 2>/dev/null
}

meta() {
	meta_int "$T/$1.json" "$2"
}

# share_of NAME COUNTER: COUNTER as a percentage of NAME's samples.
share_of() {
	awk -v c="$(meta "$1" "$2")" -v n="$(meta "$1" samples)" \
		'BEGIN { if (n > 0) printf "%.1f\n", 100 * c / n; else print -1 }'
}

# expect NAME LABEL COUNTER OP PERCENT: the counter's share OP PERCENT.
expect() {
	v=$(share_of "$1" "$3")
	if [ "$rc" -eq 0 ] && awk -v v="$v" -v p="$5" -v op="$4" \
		-v n="$(meta "$1" samples)" \
		'BEGIN { slack = n > 0 ? 200 / n : 100
			exit !(v >= 0 && (op == ">=" ? v >= p - slack : v <= p + slack)) }'; then
		ok "$2: $3 $v% of $(meta "$1" samples) samples"
	else
		not_ok "$2: $3 $4 $5%" "got $v% of $(meta "$1" samples) (rc $rc)" \
			"$(sort -t' ' -k2 -nr "$T/$1.folded" | head -2 | cut -c1-200)"
	fi
}

# --- no CFI, frame pointers: the copy is the cause, and raising it helps ----
rec fps 1K "$T/nocfi-fp" deep 100 2
expect fps "no CFI, frame pointers, 1 KiB copy" copy_truncated_stacks '>=' 50
expect fps "no CFI, frame pointers, 1 KiB copy" broken_stacks '<=' 2
check "no CFI, frame pointers, 1 KiB copy: the advice is to raise --stack-size" \
	grep -q 'raise --stack-size' "$T/fps.err"
rec fpl 32K "$T/nocfi-fp" deep 100 2
expect fpl "no CFI, frame pointers, 32 KiB copy" copy_truncated_stacks '<=' 2
expect fpl "no CFI, frame pointers, 32 KiB copy" broken_stacks '<=' 2
r=$(share "$T/fpl.folded" ';main;run_deep;recurse' '.')
check "no CFI, frame pointers, 32 KiB copy: $r% of samples reach main" \
	awk -v r="$r" 'BEGIN { exit !(r >= 95) }'

# --- no CFI, no frame pointers: broken whatever the copy --------------------
for size in 1K 32K; do
	rec "nofp$size" "$size" "$T/nocfi" deep 100 2
	expect "nofp$size" "no CFI, no frame pointers, $size copy" broken_stacks '>=' 90
	expect "nofp$size" "no CFI, no frame pointers, $size copy" copy_truncated_stacks '<=' 2
done
check "no CFI, no frame pointers: the summary blames code without CFI" \
	grep -q 'code without CFI' "$T/nofp1K.err"
# A bigger copy would not help: the summary asks for one for a few samples
# at most (the dynamic linker's start-up), not for the broken ones.
w=$(sed -n 's/.*warning: \([0-9]*\) samples .*raise --stack-size.*/\1/p' "$T/nofp1K.err")
check "no CFI, no frame pointers: no advice to raise --stack-size for them (${w:-0})" \
	test "${w:-0}" -le $(( $(meta nofp1K samples) / 50 + 2 ))

# --- all CFI (stackmix-nofp): a small copy truncates, the default is whole ---
rec cfis 1K "$EXAMPLES/stackmix-nofp" deep 100 2
expect cfis "CFI, 1 KiB copy" copy_truncated_stacks '>=' 50
expect cfis "CFI, 1 KiB copy" broken_stacks '<=' 2

tap_done
