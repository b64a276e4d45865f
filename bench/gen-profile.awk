# SPDX-License-Identifier: MIT
# bench/gen-profile.awk - a synthetic native profile for bench/artifacts.sh:
#   awk -v stacks=100000 -v samples=1000000 -f bench/gen-profile.awk > big.json
# Deterministic. 8 threads, 5000 functions in 20 modules (some kernel and
# inlined frames, file:line on most), unique stacks 8-32 frames deep that
# share prefixes the way a program's call tree does; counts skewed so one
# stack is hot, summing to exactly `samples`.
BEGIN {
	if (!stacks) stacks = 100000
	if (!samples) samples = 1000000
	nf = 5000
	print "{"
	print "\"format\": \"scorch-profile\","
	print "\"version\": \"1.1\","
	print "\"meta\": {\"tool\": \"gen-profile.awk\", \"event\": \"cpu-clock\", \"frequency_hz\": 999, \"period_ns\": 1001001, \"samples\": " samples ", \"label.commit\": \"bench\"},"
	printf "\"tasks\": ["
	for (t = 0; t < 8; t++)
		printf "%s\n  {\"pid\": 100, \"tid\": %d, \"comm\": \"bench\", \"thread\": \"worker-%d\"}", t ? "," : "", 100 + t, t
	print "\n],"
	printf "\"frames\": [\n  {\"name\": \"bench\", \"kind\": \"process\"}"
	for (f = 1; f <= nf; f++) {
		kind = f % 23 == 0 ? "kernel" : f % 11 == 0 ? "inlined" : "user"
		mod = kind == "kernel" ? "[kernel]" : "lib" (f % 20) ".so"
		printf ",\n  {\"name\": \"ns%d::function_number_%d\", \"module\": \"%s\", \"kind\": \"%s\"", f % 7, f, mod, kind
		if (kind != "kernel")
			printf ", \"file\": \"src/module%d/file%d.c\", \"line\": %d", f % 20, f % 300, 1 + f * 7 % 2000
		printf "}"
	}
	print "\n],"
	printf "\"stacks\": ["
	sum = 0
	for (i = 0; i < stacks; i++) {
		d = 8 + (i * 7) % 25
		c = 1 + (i * 7919) % 17
		if (i == stacks - 1)
			c = samples - sum
		sum += c
		printf "%s\n  {\"task\": %d, \"frames\": [0", i ? "," : "", i % 8
		# Shared prefixes: frame j depends on i's high digits only.
		for (j = 1; j <= d - 2; j++)
			printf ",%d", 1 + (int(i / (j < 6 ? 20000 / j : 97)) * 31 + j * 17) % 3000
		# The last two frames tell the stacks apart.
		printf ",%d,%d], \"count\": %d}", 1 + i % 3000, 3001 + int(i / 3000) % 2000, c
	}
	print "\n]"
	print "}"
}
