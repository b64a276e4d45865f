#!/bin/sh
# SPDX-License-Identifier: MIT
# `record -- COMMAND`: scorch's own forked child, before it execs the
# command (blocked reading the go-pipe, then in execvp), is not profiled.
# Before the fix, every fast command showed stacks such as
# `true;[unknown];[unknown];...;anon_pipe_read_[k]`. Checked for a command
# that exits at once and one that runs, in both scopes, at 20 kHz so the
# short window before exec is sampled.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "launched commands" "no permission for perf events"
	tap_done
fi

# launcher FOLDED: samples whose stack shows the child before its exec:
# the go-pipe read or scorch's own functions.
launcher() {
	count "$1" 'pipe_read|sampler_|cmd_record|execvp'
}

for scope in cpu thread; do
	: >"$T/true-$scope.folded"
	i=0
	while [ $i -lt 15 ]; do
		"$SCORCH" record -q --scope $scope -F 20000 -o "$T/t.folded" -- true 2>/dev/null
		cat "$T/t.folded" >>"$T/true-$scope.folded"
		i=$((i + 1))
	done
	n=$(launcher "$T/true-$scope.folded")
	if [ "$n" -eq 0 ]; then
		ok "$scope scope: 15 runs of 'true' have no launcher samples"
	else
		not_ok "$scope scope: 15 runs of 'true' have no launcher samples" \
			"$n launcher samples:" "$(grep -E 'pipe_read|sampler_|execvp' "$T/true-$scope.folded" | head -3)"
	fi
	m=$(count "$T/true-$scope.folded" '^true;_start;')
	check "$scope scope: the command's own start-up is kept ($m samples under _start)" test "$m" -gt 0

	"$SCORCH" record -q --scope $scope -F 20000 -o "$T/burn-$scope.folded" -- "$EXAMPLES/cpuburn" 0.3 2>/dev/null
	n=$(launcher "$T/burn-$scope.folded")
	a=$(count "$T/burn-$scope.folded" ';main;run;')
	check "$scope scope: cpuburn 0.3 s has no launcher samples ($n) and its work ($a samples)" \
		test "$n" -eq 0 -a "$a" -gt 1000
done
tap_done
