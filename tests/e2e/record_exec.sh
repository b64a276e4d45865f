#!/bin/sh
# SPDX-License-Identifier: MIT
# A target that exec's another program: the samples before the exec stay
# under the name they ran as, the ones after it take the new name. The
# launched shell burns CPU in its own loop, then exec's cpuburn, in one
# process (same pid); both names must appear, each with its own samples.
# Tolerances: the shell loop runs ~0.5-3 s on a loaded machine, cpuburn
# 2 s; at 499 Hz each gets hundreds of samples, and the checks ask for 20.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "exec naming" "no permission for perf events"
	tap_done
fi

BURN=$EXAMPLES/cpuburn
"$SCORCH" record -F 499 -o "$T/x.json" -- sh -c \
	'i=0; while [ $i -lt 400000 ]; do i=$((i + 1)); done; exec "$0" 2' \
	"$BURN" >"$T/x.out" 2>"$T/x.err"
check "record of sh, then exec cpuburn: exits 0" test $? -eq 0
"$SCORCH" fold "$T/x.json" >"$T/x.folded"
sh_n=$(count "$T/x.folded" '^sh;')
burn_n=$(count "$T/x.folded" '^cpuburn;')
check "the shell's samples are filed under sh ($sh_n)" test "$sh_n" -ge 20
check "cpuburn's samples are filed under cpuburn ($burn_n)" test "$burn_n" -ge 20
# No sample of the shell's loop under cpuburn: cpuburn's stacks are its
# own (main;run), but for the few taken inside the exec itself.
other=$(awk '/^cpuburn;/ && !/;main;run;/ { t += $NF } END { print t + 0 }' "$T/x.folded")
if [ "$other" -le $((burn_n / 20 + 2)) ]; then
	ok "cpuburn's stacks are cpuburn's ($other of $burn_n elsewhere)"
else
	not_ok "cpuburn's stacks are cpuburn's" "$other of $burn_n elsewhere" \
		"$(grep '^cpuburn;' "$T/x.folded" | grep -v ';main;run;' |
			sort -t' ' -k2 -nr | head -3 | cut -c1-300)"
fi
# And the shell's stacks are none of cpuburn's functions.
# The task table too: one pid, two tasks, each with its own samples.
"$SCORCH" report --by thread "$T/x.json" >"$T/x.report" 2>&1
# The first column is the thread's CPU time in ms (a recording knows its
# period): its whole milliseconds.
r_sh=$(awk '$NF == "sh" && $(NF - 1) == "sh" { print int($1) }' "$T/x.report")
r_burn=$(awk '$NF == "cpuburn" && $(NF - 1) == "cpuburn" { print int($1) }' "$T/x.report")
check "report --by thread: sh has its own row (${r_sh:-none})" \
	test "${r_sh:-0}" -ge 20
check "report --by thread: cpuburn has its own row (${r_burn:-none})" \
	test "${r_burn:-0}" -ge 20
c=$(count "$T/x.folded" '^sh;.*;main;run;(alpha|beta|gamma)')
check "the shell's stacks hold no cpuburn frame ($c)" test "$c" -eq 0

tap_done
