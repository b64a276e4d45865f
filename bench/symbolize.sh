#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/symbolize.sh - naming many addresses at once: `scorch addr2line`
# against elfutils' eu-addr2line and binutils' addr2line on the same batch
# of unique addresses in one large library with debug info (libc.so.6, its
# DWARF from Debian's libc6-dbg under /usr/lib/debug/.build-id/), all with
# -a -f -i (address, function, inlined calls). Prints a markdown section on
# stdout (bench/run.sh collects it), progress on stderr.
#
# The addresses are BENCH_SYM_N (default 100000) unique offsets into the
# library's .text, drawn with a fixed-seed generator, so every run asks the
# same. Each tool runs BENCH_SYM_ROUNDS times (default 3), interleaved; the
# table reports medians of wall time. The names are compared address by
# address: the innermost function, and the whole inline chain.
#
# Environment: BENCH_SYM_FILE (default: the libc scorch itself links),
# BENCH_SYM_N, BENCH_SYM_ROUNDS.
set -eu
cd "$(dirname "$0")/.."

N=${BENCH_SYM_N:-100000}
ROUNDS=${BENCH_SYM_ROUNDS:-3}
SCORCH=$PWD/build/scorch
FILE=${BENCH_SYM_FILE:-$(ldd "$SCORCH" | awk '$1 == "libc.so.6" { print $3 }')}
W=$(mktemp -d /tmp/scorch-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

for tool in eu-addr2line addr2line readelf; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "scorch: bench: $tool is not installed (elfutils, binutils)" >&2
		exit 2
	fi
done
if [ ! -f "$FILE" ]; then
	echo "scorch: bench: $FILE: no such file" >&2
	exit 2
fi

# N unique addresses in .text: a Park-Miller generator (exact in awk's
# doubles), seed 42.
text=$(readelf -SW "$FILE" | awk '$2 == ".text" { print $4, $6 }')
set -- $text
awk -v lo=$((0x$1)) -v size=$((0x$2)) -v n="$N" 'BEGIN {
	x = 42
	while (got < n) {
		x = (x * 48271) % 2147483647
		a = lo + x % size
		if (!(a in seen)) { seen[a] = 1; got++; printf "0x%x\n", a }
	}
}' >"$W/addrs"
n=$(wc -l <"$W/addrs")

# ns since the epoch
now() { date +%s%N; }

# run NAME COMMAND...: time one run of a tool on the batch, output kept.
run() {
	name=$1
	shift
	t0=$(now)
	"$@" <"$W/addrs" >"$W/$name.out" 2>"$W/$name.err" || {
		echo "scorch: bench: $name failed: $(head -1 "$W/$name.err")" >&2
		exit 1
	}
	t1=$(now)
	echo $(((t1 - t0) / 1000000)) >>"$W/$name.ms"
}

echo "symbolize: $n addresses in $FILE, $ROUNDS rounds" >&2
for r in $(seq "$ROUNDS"); do
	echo "  round $r" >&2
	run scorch "$SCORCH" addr2line -e "$FILE" -a -f -i
	run binutils addr2line -e "$FILE" -a -f -i -C
	run elfutils eu-addr2line -e "$FILE" -a -f -i -C
done

median() { sort -n "$W/$1.ms" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
s=$(median scorch)
b=$(median binutils)
e=$(median elfutils)

# The function names of each address, innermost first, ";"-joined.
# eu-addr2line -i writes "f inlined at FILE:LINE in g": keep f.
chains() {
	awk '/^0x[0-9a-f]+$/ { if (a != "") print a, c; a = $0; c = ""; k = 0; next }
	{ k++; if (k % 2 == 1) { sub(/ inlined at .*/, ""); c = c (c == "" ? "" : ";") $0 } }
	END { if (a != "") print a, c }' "$W/$1.out" | sort >"$W/$1.chains"
}
chains scorch
chains binutils
chains elfutils

# agree PEER: "innermost% chain% named-by-both%" over all addresses.
agree() {
	join "$W/scorch.chains" "$W/$1.chains" | awk '{
		split($2, x, ";"); split($3, y, ";"); t++
		if (x[1] == y[1]) i++
		if ($2 == $3) c++
		if (x[1] != "??" && y[1] != "??") { both++; if (x[1] == y[1]) bi++ }
	} END { printf "%.1f%% | %.1f%% | %.1f%% of %d", 100 * i / t, 100 * c / t, 100 * bi / both, both }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b / (a > 0 ? a : 1) }'; }

cat <<EOT
## Symbolization: scorch addr2line against eu-addr2line and addr2line

$n unique addresses in \`$FILE\` (.text, fixed seed), one batch on stdin,
\`-a -f -i\` (address, function, inlined calls), median of $ROUNDS runs;
debug info from \`/usr/lib/debug/.build-id/\`.

| tool | time | scorch is faster by | same innermost name | same inline chain | same name where both name it |
|---|---:|---:|---:|---:|---:|
| scorch addr2line | $s ms | – | – | – | – |
| binutils addr2line | $b ms | **$(ratio "$s" "$b")×** | $(agree binutils) |
| elfutils eu-addr2line | $e ms | **$(ratio "$s" "$e")×** | $(agree elfutils) |

Where the names differ: binutils names an address in the padding between
two functions after the function before it, where scorch and elfutils say
\`??\`; eu-addr2line names the function an inline chain sits in by its
symbol (\`pthread_create@GLIBC_2.2.5\`), scorch and binutils by its DWARF
name (\`__pthread_create_2_1\`).
EOT
