# SPDX-License-Identifier: MIT
# bench/perf-folded.awk - `perf script -F comm,ip,sym` output as folded
# stacks ("comm;outermost;...;leaf COUNT"), as scorch fold writes them, so
# one checker (examples/matrix/check.awk) reads both profilers' stacks.
# Symbols perf could not name stay "[unknown]".
BEGIN { RS = ""; FS = "\n" }
{
	comm = $1
	sub(/[ \t]+$/, "", comm)
	s = comm
	for (i = NF; i >= 2; i--) {
		f = $i
		sub(/^[ \t]*[0-9a-f]+ /, "", f)
		sub(/\+0x[0-9a-f]+$/, "", f)
		if (f == "")
			f = "[unknown]"
		s = s ";" f
	}
	count[s]++
}
END { for (s in count) print s, count[s] }
