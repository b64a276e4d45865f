#!/bin/sh
# SPDX-License-Identifier: MIT
# pprof export read by Go's own pprof (Debian golang-go, `go tool pprof`)
# on a recording of a program with an always-inline function: -top names
# the program as File, -raw shows its mapping first with its build ID and
# locations at non-zero addresses that binutils' addr2line puts in the same
# function, -traces marks the inlined call "(inline)", -list counts the
# sampled source lines; an old (1.1) profile still exports.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)

cat >"$T/inlinehot.c" <<'EOC'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline __attribute__((always_inline)) unsigned long
mix_step(unsigned long h, unsigned long i)
{
	h ^= i * 0x9e3779b97f4a7c15UL; /* BODY */
	h *= 0x100000001b3UL; /* BODY */
	h ^= h >> 29; /* BODY */
	return h;
}

__attribute__((noinline)) static unsigned long
spin(double secs)
{
	struct timespec t0, t;
	unsigned long i, h = 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < 1000000; i++)
			h = mix_step(h, i);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) +
			 (double)(t.tv_nsec - t0.tv_nsec) / 1e9 <
		 secs);
	return h;
}

int
main(int argc, char **argv)
{
	printf("%lu\n", spin(argc > 1 ? atof(argv[1]) : 1.0));
	return 0;
}
EOC

if ! command -v go >/dev/null 2>&1 || ! go tool pprof -h >/dev/null 2>&1; then
	echo "# go tool pprof is missing: install golang-go (scripts/deps.sh)" >&2
	skip "go tool pprof reads scorch's pprof" "go (golang-go) not installed"
	tap_done
fi
pp() {
	HOME=$T GOCACHE=$T/gocache go tool pprof "$@" 2>"$T/pprof.err"
}

# An old profile (format 1.1: no sites, no modules) still exports.
"$SCORCH" export "$top/tests/data/small.json" -o "$T/old.pb.gz" 2>"$T/err"
if pp -top "$T/old.pb.gz" >"$T/old.top" && grep -q 'flat%' "$T/old.top"; then
	ok "a 1.1 profile exports and pprof reads it"
else
	not_ok "a 1.1 profile exports and pprof reads it" "$(cat "$T/err" "$T/pprof.err")"
fi

if ! can_perf; then
	skip "pprof of a recording" "perf events not permitted"
	tap_done
fi

gcc -O2 -g -o "$T/inlinehot" "$T/inlinehot.c"
"$SCORCH" record -F 999 -o "$T/h.json" -- "$T/inlinehot" 1.5 \
	>/dev/null 2>"$T/err"
"$SCORCH" export "$T/h.json" -o "$T/h.pb.gz" 2>>"$T/err"
check "record and export" test -s "$T/h.pb.gz"

pp -top "$T/h.pb.gz" >"$T/top"
check "-top: File is the program" grep -qx 'File: inlinehot' "$T/top"

pp -raw "$T/h.pb.gz" >"$T/raw"
sed -n '/^Mappings/,$p' "$T/raw" | sed -n 2p >"$T/map1"
bid=$(readelf -n "$T/inlinehot" | awk '/Build ID:/ { print $3 }')
# "1: START/LIMIT/OFFSET FILE BUILDID [FN]..."
if awk -v f="$T/inlinehot" -v b="$bid" '
	$1 == "1:" && $2 ~ /^0x[0-9a-f]*[1-9a-f][0-9a-f]*\// && $3 == f &&
	$4 == b && b != "" { found = 1 } END { exit !found }' "$T/map1"; then
	ok "-raw: the program is the first mapping, with its build ID $bid"
else
	not_ok "-raw: the program is the first mapping, with its build ID $bid" \
		"$(cat "$T/map1")"
fi

# The first location of mix_step: its address, mapped back to the file
# (address - start + offset), is code addr2line names mix_step inlined
# into spin.
start=$(awk -F'[ /]+' '{ print $2 }' "$T/map1")
moff=$(awk -F'[ /]+' '{ print $4 }' "$T/map1")
addr=$(awk '$3 == "M=1" && $4 == "mix_step" { print $2; exit }' "$T/raw")
if [ -n "$addr" ] && [ "$addr" != 0x0 ]; then
	off=$(printf '%d' $((addr - start + moff)))
	vaddr=
	readelf -lW "$T/inlinehot" | awk '$1 == "LOAD" { print $2, $3, $5 }' \
		>"$T/loads"
	while read -r po pv fs; do
		if [ "$off" -ge $((po)) ] && [ "$off" -lt $((po + fs)) ]; then
			vaddr=$(printf '0x%x' $((off - po + pv)))
		fi
	done <"$T/loads"
	addr2line -f -i -e "$T/inlinehot" "$vaddr" >"$T/a2l"
	if [ "$(sed -n 1p "$T/a2l")" = mix_step ] && grep -qx spin "$T/a2l"; then
		ok "-raw: mix_step's location $addr is where addr2line finds it"
	else
		not_ok "-raw: mix_step's location $addr is where addr2line finds it" \
			"vaddr $vaddr: $(tr '\n' ' ' <"$T/a2l")"
	fi
else
	not_ok "-raw: mix_step's location $addr is where addr2line finds it" \
		"no mix_step location at a non-zero address in mapping 1"
fi

pp -traces "$T/h.pb.gz" >"$T/traces"
if awk '$NF == "(inline)" && $(NF-1) == "mix_step" { getline; if ($1 == "spin") n++ }
	END { exit !n }' "$T/traces"; then
	ok "-traces: mix_step (inline) above spin"
else
	not_ok "-traces: mix_step (inline) above spin" "$(head -30 "$T/traces")"
fi

# -list: the samples of mix_step are on the lines of its body (it spends
# all its time there), not on its declaration line.
pp -list '^mix_step$' "$T/h.pb.gz" >"$T/list"
body=$(grep -n 'BODY' "$T/inlinehot.c" | cut -d: -f1 | tr '\n' ' ')
if awk -v body=" $body" '
	$3 ~ /^[0-9]+:/ && $1 != "." { l = $3; sub(/:.*/, "", l)
		if (index(body, " " l " ")) hit++ }
	END { exit !hit }' "$T/list"; then
	ok "-list: sampled source lines of mix_step carry counts"
else
	not_ok "-list: sampled source lines of mix_step carry counts" \
		"body lines $body" "$(head -20 "$T/list")"
fi

tap_done
