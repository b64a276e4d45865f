#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh - `make bench`: runs each benchmark script in bench/ (all of
# them, or those named in BENCH, e.g. BENCH="overhead"), each of which
# prints a markdown section on stdout and its progress on stderr, and
# writes the sections to bench/results.md (with BENCH, only the sections
# they write are replaced, in place; the others stay). Every table compares scorch with
# a peer (perf, flamegraph.pl, addr2line) measured in the same run.
# bench/soak.sh is not one of them (`make soak`, 10 minutes): its "## Soak"
# section of an older results.md is kept.
set -eu
cd "$(dirname "$0")/.."

names=${BENCH:-$(for f in bench/*.sh; do
	b=$(basename "$f" .sh)
	[ "$b" = run ] || [ "$b" = lib ] || [ "$b" = soak ] || echo "$b"
done)}
tmp=$(mktemp bench/.results.XXXXXX)
trap 'rm -f "$tmp"' EXIT
{
	echo "# scorch benchmarks"
	echo
	echo "\`make bench\` on $(nproc) CPUs, kernel $(uname -r), $(date -u +%Y-%m-%d)."
} >"$tmp"
status=0
for b in $names; do
	if [ ! -f "bench/$b.sh" ]; then
		echo "scorch: bench: no benchmark '$b' in bench/" >&2
		exit 2
	fi
	echo "== bench/$b.sh" >&2
	echo >>"$tmp"
	if ! sh "bench/$b.sh" >>"$tmp"; then
		echo "scorch: bench: bench/$b.sh failed" >&2
		status=1
	fi
done
if [ -n "${BENCH:-}" ] && [ -f bench/results.md ]; then
	# Some benchmarks only: their sections replace the same sections of
	# the old results.md in place; every other section stays.
	awk -v new="$tmp" '
	BEGIN {
		while ((getline l < new) > 0) {
			if (l ~ /^## /) { h = l; order[++n] = h }
			if (h != "") sec[h] = sec[h] l "\n"
		}
		h = ""
	}
	# A section ends with a blank line, as in a full run, so the next
	# heading never sticks to the last line of a replaced one.
	function put(t) { printf "%s", t; if (t !~ /\n\n$/) print "" }
	/^## / { h = $0; if (h in sec) { if (!(h in done)) put(sec[h]); done[h] = 1 } }
	!(h in sec) { print }
	END { for (i = 1; i <= n; i++) if (!(order[i] in done)) { print ""; put(sec[order[i]]) } }
	' bench/results.md >"$tmp.merged" && mv "$tmp.merged" "$tmp"
elif [ -f bench/results.md ] && grep -q '^## Soak$' bench/results.md; then
	echo >>"$tmp"
	awk '/^## / { keep = ($0 == "## Soak") } keep' bench/results.md >>"$tmp"
fi
mv "$tmp" bench/results.md
trap - EXIT
cat bench/results.md
exit $status
