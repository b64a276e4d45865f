#!/bin/sh
# SPDX-License-Identifier: MIT
# Attach to a running cpuburn and check its known split of CPU time:
# main -> run -> alpha 50%, beta -> beta_inner 30%, gamma -> gamma_mid ->
# gamma_leaf 20% (examples/cpuburn.c). About 4000 samples make the standard
# error of a 50% share 0.8 points, so a 5-point tolerance is a 6-sigma one.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "record -p matches the known split" "no permission for perf events"
	tap_done
fi

for scope in cpu thread; do
	start_bg "$EXAMPLES/cpuburn" 30
	wl=$bg_pid
	sleep 0.2
	"$SCORCH" record -p "$wl" -F 999 -d 4 --scope $scope -o "$T/p.json" \
		2>"$T/err"
	rc=$?
	kill "$wl" 2>/dev/null
	if [ $rc -ne 0 ]; then
		not_ok "$scope scope: record -p exits 0" "exit $rc: $(cat "$T/err")"
		continue
	fi
	ok "$scope scope: record -p exits 0"
	"$SCORCH" fold "$T/p.json" >"$T/p.folded"
	total=$(count "$T/p.folded" ';main;run;')
	# 4 s at 999 Hz is ~4000; allow for a busy machine, not for no samples.
	if [ "$total" -ge 300 ]; then
		ok "$scope scope: $total samples under main;run"
	else
		not_ok "$scope scope: enough samples under main;run" "got $total"
	fi
		# A leaf's time includes kernel frames above it (an interrupt taken
	# while it ran): match the user frame followed by nothing or by ';'.
	a=$(share "$T/p.folded" ';main;run;alpha(;|$)' ';main;run;')
	b=$(share "$T/p.folded" ';main;run;beta;beta_inner(;|$)' ';main;run;')
	g=$(share "$T/p.folded" ';main;run;gamma;gamma_mid;gamma_leaf(;|$)' ';main;run;')
	for pair in "alpha:$a:50" "beta_inner:$b:30" "gamma_leaf:$g:20"; do
		name=${pair%%:*} rest=${pair#*:}
		v=${rest%%:*} want=${rest#*:}
		if within "$v" "$want" 5; then
			ok "$scope scope: $name share $v% is within 5 points of $want%"
		else
			not_ok "$scope scope: $name share $v% is within 5 points of $want%" \
				"$(sort -t' ' -k2 -nr "$T/p.folded" | head -5)"
		fi
	done
	# The process name is the root of every stack.
	if awk '{ if ($1 !~ /^cpuburn;/) bad = 1 } END { exit bad }' "$T/p.folded"; then
		ok "$scope scope: every stack starts with the process name"
	else
		not_ok "$scope scope: every stack starts with the process name" \
			"$(grep -v '^cpuburn;' "$T/p.folded" | head -3)"
	fi
	grep -q '"event": *"cpu-clock"' "$T/p.json" &&
		grep -q '"frequency_hz": *999' "$T/p.json" &&
		grep -q '"kernel_release"' "$T/p.json" &&
		grep -q '"hostname"' "$T/p.json" &&
		grep -q "\"pids\": *\"$wl\"" "$T/p.json"
	check "$scope scope: metadata names event, frequency, pid, kernel, host" test $? -eq 0
	grep -q "wrote $T/p.json" "$T/err"
	check "$scope scope: a one-line summary names the output" test $? -eq 0
done
tap_done
