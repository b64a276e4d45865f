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
