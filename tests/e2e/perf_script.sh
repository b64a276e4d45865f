#!/bin/sh
# SPDX-License-Identifier: MIT
# `perf script` text as input: every reader takes it, told from its content
# (not its name), collapsed as stackcollapse-perf.pl --all does. The
# committed fixtures (tests/data/perfscript/, their expected folded output
# checked against stackcollapse-perf.pl once) run everywhere; with
# FLAMEGRAPH_DIR naming a FlameGraph checkout, a real `perf record -g` of an
# example is compared with stackcollapse-perf.pl's own output on the same
# text, line for line, and drawn with `perf script | scorch svg -`.
. "$(dirname "$0")/lib.sh"

data=$(cd "$(dirname "$0")/../data/perfscript" && pwd)

# fixture NAME: scorch fold of NAME.perf is NAME.folded, sorted.
for name in kernel edge; do
	if "$SCORCH" fold "$data/$name.perf" >"$T/$name.out" 2>"$T/e" &&
		sort "$T/$name.out" | cmp -s - "$data/$name.folded"; then
		ok "fold of $name.perf is stackcollapse-perf.pl's"
	else
		not_ok "fold of $name.perf is stackcollapse-perf.pl's" \
			"$(cat "$T/e")" "$(sort "$T/$name.out" |
				diff "$data/$name.folded" - | head -20)"
	fi
done

# Detected from the content: on stdin, under any name.
cp "$data/kernel.perf" "$T/kernel.json.txt"
if "$SCORCH" fold - <"$data/kernel.perf" | sort |
	cmp -s - "$data/kernel.folded" &&
	"$SCORCH" fold "$T/kernel.json.txt" | sort |
	cmp -s - "$data/kernel.folded"; then
	ok "perf script is detected on stdin and under any name"
else
	not_ok "perf script is detected on stdin and under any name"
fi

# Every reader: report, svg, merge, export, check, diff.
if "$SCORCH" report "$data/kernel.perf" >"$T/r.txt" 2>"$T/e" &&
	grep -q 'do_syscall_64_\[k\]' "$T/r.txt"; then
	ok "report reads perf script"
else
	not_ok "report reads perf script" "$(cat "$T/e")"
fi
if "$SCORCH" svg - -o "$T/k.svg" <"$data/kernel.perf" 2>"$T/e" &&
	grep -q 'entry_SYSCALL_64_after_hwframe' "$T/k.svg"; then
	ok "svg - reads perf script from stdin"
else
	not_ok "svg - reads perf script from stdin" "$(cat "$T/e")"
fi
if "$SCORCH" merge "$data/kernel.perf" "$data/kernel.perf" -o "$T/m.folded" \
	2>"$T/e" && [ "$(count "$T/m.folded" '^dd;read$')" = 2002002 ]; then
	ok "merge reads perf script (periods as counts, summed)"
else
	not_ok "merge reads perf script (periods as counts, summed)" \
		"$(cat "$T/e")" "$(cat "$T/m.folded")"
fi
if "$SCORCH" export "$data/edge.perf" -o "$T/e.speedscope.json" 2>"$T/e" &&
	grep -q '"\$schema"' "$T/e.speedscope.json"; then
	ok "export reads perf script"
else
	not_ok "export reads perf script" "$(cat "$T/e")"
fi

# Bad perf script text: one line naming the file and line, exit 2.
bad() {
	desc=$1 pattern=$2 file=$3
	"$SCORCH" fold "$file" >"$T/out" 2>"$T/e"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/e")" -eq 1 ] &&
		grep -q -- "$pattern" "$T/e" && [ ! -s "$T/out" ]; then
		ok "$desc: exit 2, one line"
	else
		not_ok "$desc: exit 2, one line matching '$pattern'" \
			"exit $rc" "$(cat "$T/e")"
	fi
}
hdr='prog 1/1 [000] 1.000000:     10 cpu-clock:ppp: '
printf '%s\n\t1 f+0x1 (/bin/p)\n\tgarbage\n\n' "$hdr" >"$T/badframe.perf"
bad "a frame line that is not one" "badframe.perf:3: not a perf script frame" \
	"$T/badframe.perf"
printf '%s\n\t1 f (/bin/p)\n\n%s\n\t1 g\0 (/bin/p)\n\n' "$hdr" "$hdr" \
	>"$T/nul.perf"
bad "a NUL byte in a frame line" "nul.perf:5: binary data" "$T/nul.perf"
{
	printf '%s\n\t1 ' "$hdr"
	head -c 1100000 /dev/zero | tr '\0' x
	printf ' (/bin/p)\n\n'
} >"$T/long.perf"
bad "a line over 1 MiB" "long.perf:2: line longer than 1048576" \
	"$T/long.perf"
{
	printf '%s\n\t1 ' "$hdr"
	head -c 70000 /dev/zero | tr '\0' x
	printf ' (/bin/p)\n\n'
} >"$T/name.perf"
bad "a frame name over 64 KiB" "name.perf:2: frame name longer than 65535" \
	"$T/name.perf"
awk -v h="$hdr" 'BEGIN { print h; for (i = 0; i < 70000; i++)
	printf "\t%x f%d (/bin/p)\n", i, i; print "" }' >"$T/deep.perf"
bad "a stack deeper than 65535 frames" "deep.perf:.*deeper than 65535" \
	"$T/deep.perf"
printf 'prog 1/1 [000] 1.000000: 18446744073709551615 cpu-clock:ppp: \n\t1 f (/bin/p)\n\n%s\n\t1 f (/bin/p)\n\n' "$hdr" >"$T/sum.perf"
bad "periods whose sum overflows" "sum.perf:.*overflows" "$T/sum.perf"
# A sample without frames counts under its process name, as
# stackcollapse-perf.pl counts it.
printf '%s\n\n%s\n\t1 f (/bin/p)\n' "$hdr" "$hdr" >"$T/nostack.perf"
if [ "$("$SCORCH" fold "$T/nostack.perf" 2>&1)" = "$(printf 'prog 10\nprog;f 10')" ]; then
	ok "a sample without frames counts under its process name"
else
	not_ok "a sample without frames counts under its process name" \
		"$("$SCORCH" fold "$T/nostack.perf" 2>&1)"
fi

# The golden test: a real recording, perf script, stackcollapse-perf.pl.
if [ -z "$FLAMEGRAPH_DIR" ] || [ ! -f "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" ]; then
	echo "# FLAMEGRAPH_DIR does not name a FlameGraph checkout: the golden" \
		"test against stackcollapse-perf.pl is skipped" >&2
	skip "scorch fold of perf script is stackcollapse-perf.pl's" \
		"FLAMEGRAPH_DIR not set to a FlameGraph checkout"
elif ! command -v perf >/dev/null 2>&1 || ! can_perf; then
	skip "scorch fold of perf script is stackcollapse-perf.pl's" \
		"no perf, or no perf events"
elif ! perf record -q -F 999 -g -o "$T/perf.data" -- \
	"$EXAMPLES/stackmix" mix 1 >/dev/null 2>"$T/e" ||
	! perf script -i "$T/perf.data" >"$T/script.txt" 2>/dev/null ||
	! [ -s "$T/script.txt" ]; then
	not_ok "perf record -g and perf script ran" "$(cat "$T/e")"
else
	perl "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" --all "$T/script.txt" \
		2>/dev/null | sort >"$T/theirs"
	"$SCORCH" fold "$T/script.txt" 2>"$T/e" | sort >"$T/ours"
	n=$(wc -l <"$T/theirs")
	if [ "$n" -gt 0 ] && cmp -s "$T/theirs" "$T/ours"; then
		ok "scorch fold of perf script is stackcollapse-perf.pl's ($n stacks)"
	else
		not_ok "scorch fold of perf script is stackcollapse-perf.pl's" \
			"$(cat "$T/e")" "$(diff "$T/theirs" "$T/ours" | head -20)"
	fi
	# perf script | scorch svg -: the same frames as flamegraph.pl draws.
	if perf script -i "$T/perf.data" 2>/dev/null |
		"$SCORCH" svg - -o "$T/perf.svg" 2>"$T/e" &&
		"$SCORCH" svg "$T/theirs" -o "$T/theirs.svg" &&
		cmp -s "$T/perf.svg" "$T/theirs.svg"; then
		ok "perf script | scorch svg - draws stackcollapse-perf.pl's graph"
	else
		not_ok "perf script | scorch svg - draws stackcollapse-perf.pl's graph" \
			"$(cat "$T/e")"
	fi
fi
tap_done
