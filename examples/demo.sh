#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/demo.sh - the main job on a bundled example, run by `make demo`:
# start the cpuburn workload, attach `scorch record -p` to it for three
# seconds as an SRE would to a live server, and leave a flame graph.
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ] &&
	[ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
	echo "scorch: demo: perf events need root, CAP_PERFMON or" \
		"kernel.perf_event_paranoid <= 1 (it is" \
		"$(cat /proc/sys/kernel/perf_event_paranoid))" >&2
	exit 2
fi

build/examples/cpuburn 10 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 0.2
./scorch record -p "$pid" -F 999 -d 3 -o scorch-demo.json
./scorch svg scorch-demo.json -o scorch-demo.svg \
	--title "scorch demo: examples/cpuburn"
./scorch fold scorch-demo.json >scorch-demo.folded
echo
echo "Hottest stacks (folded, samples last):"
sort -t' ' -k2 -nr scorch-demo.folded | head -5
echo
echo "Flame graph: $(pwd)/scorch-demo.svg (open it in a browser)"
