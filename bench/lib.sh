# SPDX-License-Identifier: MIT
# bench/lib.sh - helpers the benchmark scripts share. Sourced, not run
# (bench/run.sh runs every bench/*.sh but this one and itself).

# CPU time (user + system, in clock ticks) of a process so far.
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# median CONFIG COLUMN [FILE]: the median of column COLUMN over the rows of
# FILE (default $W/raw) whose first field is CONFIG.
median() {
	awk -v c="$1" -v k="$2" '$1 == c { print $k }' "${3:-$W/raw}" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_need_perf: exit 2 with a line when perf is not installed.
bench_need_perf() {
	if ! command -v perf >/dev/null 2>&1; then
		echo "scorch: bench: perf is not installed (Debian package linux-perf)" >&2
		exit 2
	fi
}

# bench_echo_server DIR: start examples/echo-server on a free port (its
# output in DIR/server.out); sets $server (its pid) and $port, or exits 2.
bench_echo_server() {
	build/examples/echo-server 0 >"$1/server.out" &
	server=$!
	i=0
	while ! grep -q listening "$1/server.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "scorch: bench: echo-server did not start" >&2
			exit 2
		fi
		sleep 0.05
	done
	port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1/server.out")
}

# bench_rounds [FUNC [CONFIGS [RAW]]]: $ROUNDS rounds of `FUNC CONFIG`
# (default measure) over CONFIGS (default $CONFIGS), interleaved so drift
# in the machine's speed hits every configuration alike; each result goes
# to RAW (default $W/raw) as "CONFIG VALUES...", progress to stderr.
bench_rounds() {
	fn=${1:-measure} cfgs=${2:-$CONFIGS} raw=${3:-$W/raw}
	echo "bench: $fn, $ROUNDS rounds x $(echo $cfgs | wc -w)" \
		"configurations" >&2
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		for c in $cfgs; do
			v=$("$fn" "$c")
			echo "$c ${v:-0}" >>"$raw"
			printf '  round %d %-22s %s\n' "$r" "$c" "$v" >&2
		done
		r=$((r + 1))
	done
}
