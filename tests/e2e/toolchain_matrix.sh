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
# The throwing binary is also recorded with --unwinder libunwind at 499 Hz
# (its samples then land in libgcc's handler installers often enough):
# that backend must not name a wrong caller either (the one cut of
# sampler/unwind-ehret.c).
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

# matrix_run BIN ROOT CHAIN WHAT TAG [RECORD OPTION...]: record BIN with the
# options, fold, and check its stacks; TAG names the run in the output.
matrix_run() {
	bin=$1 root=$2 chain=$3 what=$4 tag=$5
	shift 5
	(cd "$T" && "$SCORCH" record -q "$@" -o "$T/$tag.json" -- "$MX/$bin" 3 \
		>"$T/$tag.out" 2>"$T/$tag.err")
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^checksum: ' "$T/$tag.out"; then
		ok "$tag: record exits 0 and the program ran"
	else
		not_ok "$tag: record exits 0 and the program ran" "exit $rc" \
			"$(head -3 "$T/$tag.err")"
		return
	fi
	"$SCORCH" fold "$T/$tag.json" >"$T/$tag.folded"
	# shellcheck disable=SC2046
	set -- $(awk -v root="$root" -v chain="$chain" \
		-f "$MXSRC/check.awk" "$T/$tag.folded" 2>"$T/$tag.bad")
	leaf=$1 whole=$2 wrong=$3 total=$4
	pct=$(awk -v w="$whole" -v l="$leaf" \
		'BEGIN { printf "%.1f", l ? 100 * w / l : 0 }')
	leafname=${chain##*;}
	desc="$tag ($what): $whole of $leaf samples of $leafname ($pct%) reach $root and read $chain"
	if [ "$leaf" -ge 100 ] && [ $((whole * 100)) -ge $((leaf * 99)) ]; then
		ok "$desc"
	else
		not_ok "$desc" "$total samples in all; need >= 100 leaf samples, >= 99% whole"
		sed 's/^/#   /' "$T/$tag.bad"
	fi
	if [ "$wrong" -eq 0 ]; then
		ok "$tag: no sample names a wrong caller"
	else
		not_ok "$tag: no sample names a wrong caller" "$wrong samples"
		sed 's/^/#   /' "$T/$tag.bad"
	fi
}

grep -v '^#' "$MXSRC/matrix.list" >"$T/list"
while read -r bin root chain pkg what; do
	[ -n "$bin" ] || continue
	if [ ! -x "$MX/$bin" ]; then
		skip "$bin ($what)" "not built: $pkg not installed (scripts/deps.sh installs it; make matrix builds it)"
		continue
	fi
	matrix_run "$bin" "$root" "$chain" "$what" "$bin"
	if [ "$bin" = cxx-gcc-throw ]; then
		matrix_run "$bin" "$root" "$chain" "$what" "$bin-libunwind" \
			--unwinder libunwind -F 499
	fi
done <"$T/list"
tap_done
