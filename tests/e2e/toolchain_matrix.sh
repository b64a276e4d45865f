#!/bin/sh
# SPDX-License-Identifier: MIT
# The toolchain matrix: one known call chain (examples/matrix/) built by
# gcc + GNU ld (PIE and not), gcc + gold, clang + LLD (PIE and not), gcc
# -static-pie, g++ throwing and catching on the hot path, gcc with the hot
# code in a dlopen'ed library, Debian's rustc linked by LLD and by cc, and
# Debian's Go; each binary recorded with the defaults (scorch record -o
# OUT.json -- BIN) and its stacks checked by examples/matrix/check.awk:
# at least 99% of the samples of the chain's leaf reach the root (the
# entry point, or Go's runtime.goexit) and read the whole chain in order,
# and no sample names a wrong caller for a frame of the chain.
# examples/matrix/matrix.list says what each binary's stacks must read; a
# binary `make matrix` could not build (its toolchain not installed) is
# skipped, naming the package.
#
# Tolerances: 3 CPU seconds at the default 99 Hz are ~300 samples, ~290
# of them in the leaf; 99% allows 3 to be cut. At least 100 leaf samples
# are required (a loaded machine loses some to a full ring buffer).
. "$(dirname "$0")/lib.sh"

MXSRC=$(cd "$(dirname "$0")/../../examples/matrix" && pwd)
MX=$EXAMPLES/matrix

if ! can_perf; then
	skip "toolchain matrix" "no permission for perf events"
	tap_done
fi

grep -v '^#' "$MXSRC/matrix.list" >"$T/list"
while read -r bin root chain pkg what; do
	[ -n "$bin" ] || continue
	if [ ! -x "$MX/$bin" ]; then
		skip "$bin ($what)" "not built: $pkg not installed (scripts/deps.sh installs it; make matrix builds it)"
		continue
	fi
	(cd "$T" && "$SCORCH" record -q -o "$T/$bin.json" -- "$MX/$bin" 3 \
		>"$T/$bin.out" 2>"$T/$bin.err")
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^checksum: ' "$T/$bin.out"; then
		ok "$bin: record exits 0 and the program ran"
	else
		not_ok "$bin: record exits 0 and the program ran" "exit $rc" \
			"$(head -3 "$T/$bin.err")"
		continue
	fi
	"$SCORCH" fold "$T/$bin.json" >"$T/$bin.folded"
	# shellcheck disable=SC2046
	set -- $(awk -v root="$root" -v chain="$chain" \
		-f "$MXSRC/check.awk" "$T/$bin.folded" 2>"$T/$bin.bad")
	leaf=$1 whole=$2 wrong=$3 total=$4
	pct=$(awk -v w="$whole" -v l="$leaf" \
		'BEGIN { printf "%.1f", l ? 100 * w / l : 0 }')
	leafname=${chain##*;}
	desc="$bin ($what): $whole of $leaf samples of $leafname ($pct%) reach $root and read $chain"
	if [ "$leaf" -ge 100 ] && [ $((whole * 100)) -ge $((leaf * 99)) ]; then
		ok "$desc"
	else
		not_ok "$desc" "$total samples in all; need >= 100 leaf samples, >= 99% whole"
		sed 's/^/#   /' "$T/$bin.bad"
	fi
	if [ "$wrong" -eq 0 ]; then
		ok "$bin: no sample names a wrong caller"
	else
		not_ok "$bin: no sample names a wrong caller" "$wrong samples"
		sed 's/^/#   /' "$T/$bin.bad"
	fi
done <"$T/list"
tap_done
