#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/unwind.sh - what complete stacks cost: scorch -g fp and -g dwarf
# against perf record -g and perf record --call-graph dwarf followed by
# perf script, on the same workload in the same run. Prints a markdown
# section on stdout (bench/run.sh collects it).
#
# The workload is examples/stackmix-nofp (no frame pointers; hot paths
# through qsort, memcpy, strlen), "mix" for BENCH_UNWIND_SECONDS, with each
# profiler attached for the workload's whole life. Per configuration:
#  - units/cpu-s: the workload's throughput per second of its own CPU time,
#    and its loss against no profiler (the sampling interrupt and stack
#    copy run in its context and are charged to it);
#  - profiler CPU: user+system seconds of scorch, or of perf record plus
#    perf script (perf unwinds DWARF stacks only in perf script), and the
#    same per 1000 samples;
#  - per-sample unwinding: scorch's median (kept in the profile's metadata);
#    for perf, the CPU of perf script divided by its samples (a mean, and it
#    includes perf script's symbolization: perf cannot tell them apart);
#  - complete: the share of samples whose stack reaches main.
# Medians over BENCH_UNWIND_ROUNDS interleaved rounds (default 5); long
# runs (BENCH_UNWIND_LONG_SECONDS, default 20) of -g dwarf against perf's
# dwarf mode, where per-sample cost decides the total. Further tables
# compare scorch's unwinders on the mix and on a 200-deep recursion, and
# the stack copy's sizes.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

ROUNDS=${BENCH_UNWIND_ROUNDS:-5}
SECS=${BENCH_UNWIND_SECONDS:-5}
LONG_ROUNDS=${BENCH_UNWIND_LONG_ROUNDS:-3}
LONG_SECS=${BENCH_UNWIND_LONG_SECONDS:-60}
HI_HZ=4999
EX=build/examples
W=$(mktemp -d /tmp/scorch-bench-unwind.XXXXXX)
wl=""
cleanup() {
	[ -n "$wl" ] && kill "$wl" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

if ! command -v perf >/dev/null 2>&1; then
	echo "scorch: bench: perf is not installed (Debian package linux-perf)" >&2
	exit 2
fi

# cpu_of CMD...: run CMD, print "user+system seconds" of it and its children.
cpu_of() {
	(
		"$@" >/dev/null 2>&1 || true
		times
	) | awk 'NR == 2 {
		split($0, t, " ")
		s = 0
		for (i = 1; i <= 2; i++) {
			m = t[i]; sub(/m.*/, "", m)
			x = t[i]; sub(/^[0-9]+m/, "", x); sub(/s$/, "", x)
			s += m * 60 + x
		}
		printf "%.3f\n", s
	}'
}

# Start the workload; wait for its "ready". $wl is its pid.
start_workload() {
	"$EX/stackmix-nofp" "$@" >"$W/wl.out" &
	wl=$!
	i=0
	while ! grep -q ready "$W/wl.out" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.02
		i=$((i + 1))
	done
}

# Wait for the workload (in this shell: a subshell cannot wait for it).
finish_workload() {
	wait "$wl" 2>/dev/null || true
	wl=""
}

# Work done per second of the workload's own CPU time: the sampling
# interrupt and the stack copy run in its context and count there, while
# the rest of the machine's noise mostly does not.
units() {
	sed -n 's/^units\/cpu-s: //p' "$W/wl.out"
}

# Share of samples (folded file) reaching main.
folded_complete() {
	awk '{ n = $NF; t += n; if ($0 ~ /;main;/) m += n }
		END { printf "%.2f\n", t ? 100 * m / t : 0 }' "$1"
}

# Samples and share reaching main in perf script output.
perf_complete() {
	awk 'BEGIN { RS = "" } { n++; if ($0 ~ /[ \t]main\+0x/) m++ }
		END { printf "%d %.2f\n", n, n ? 100 * m / n : 0 }' "$1"
}

meta() {
	sed -n "s/.*\"$2\": *\\([0-9]*\\).*/\\1/p" "$1"
}

# measure CONFIG [SECONDS]: prints "units/cpu-s cpu_s samples unwind_us
# complete%".
measure() {
	cfg=$1
	hz=${cfg##*-}
	start_workload mix "${2:-$SECS}"
	case $cfg in
	none-*)
		finish_workload
		echo "$(units) 0 0 0 0"
		return ;;
	scorch-fp-* | scorch-dwarf-*)
		mode=${cfg#scorch-}
		mode=${mode%-*}
		cpu=$(cpu_of ./scorch record -q -g "$mode" -F "$hz" -p "$wl" \
			-o "$W/s.json")
		finish_workload
		./scorch fold "$W/s.json" >"$W/s.folded"
		n=$(meta "$W/s.json" samples)
		us=$(meta "$W/s.json" unwind_ns_median)
		echo "$(units) $cpu $n $(awk -v x="${us:--1000}" 'BEGIN { printf "%.2f", x / 1000 }') \
$(folded_complete "$W/s.folded")" ;;
	perf-fp-* | perf-dwarf-*)
		mode=${cfg#perf-}
		mode=${mode%-*}
		if [ "$mode" = fp ]; then
			cg="-g"
		else
			cg="--call-graph dwarf"
		fi
		# shellcheck disable=SC2086
		cpu1=$(cpu_of perf record -q $cg -F "$hz" -p "$wl" -o "$W/p.data")
		finish_workload
		u=$(units)
		cpu2=$(cpu_of sh -c "perf script -i '$W/p.data' >'$W/p.txt'")
		set -- $(perf_complete "$W/p.txt")
		awk -v u="$u" -v a="$cpu1" -v b="$cpu2" -v n="$1" -v c="$2" \
			'BEGIN { printf "%s %.3f %d %.2f %s\n", u, a + b, n,
				n ? 1e6 * b / n : 0, c }' ;;
	esac
}

CONFIGS="none-0 scorch-fp-99 scorch-dwarf-99 perf-fp-99 perf-dwarf-99 \
scorch-fp-999 scorch-dwarf-999 perf-fp-999 perf-dwarf-999"
bench_rounds


# Per-sample unwinding by unwinder, scorch at 999 Hz, mix and deep 200.
for wk in "mix" "deep 200"; do
	for u in libdw libdwfl libunwind; do
		# shellcheck disable=SC2086
		start_workload $wk "$SECS"
		cpu=$(cpu_of ./scorch record -q --unwinder $u -F 999 -p "$wl" \
			-o "$W/u.json")
		finish_workload
		./scorch fold "$W/u.json" >"$W/u.folded"
		echo "$(echo "$wk" | tr ' ' _) $u $(meta "$W/u.json" unwind_ns_median) \
$(meta "$W/u.json" unwind_ns_p99) $cpu $(meta "$W/u.json" samples) \
$(folded_complete "$W/u.folded")" >>"$W/unw"
		echo "  unwinder $wk $u: $(tail -1 "$W/unw")" >&2
	done
	start_workload $wk "$SECS"
	cpu1=$(cpu_of perf record -q --call-graph dwarf -F 999 -p "$wl" -o "$W/p.data")
	finish_workload
	cpu2=$(cpu_of sh -c "perf script -i '$W/p.data' >'$W/p.txt'")
	set -- $(perf_complete "$W/p.txt")
	echo "$(echo "$wk" | tr ' ' _) perf-script $(awk -v b="$cpu2" -v n="$1" \
		'BEGIN { printf "%.0f", n ? 1e9 * b / n : 0 }') - $cpu2 $1 $2" >>"$W/unw"
	echo "  unwinder $wk perf: $(tail -1 "$W/unw")" >&2
done

# The target's slowdown is too small to see at 99 Hz against this
# machine's +-5% run-to-run noise; it is linear in the rate, so it is
# measured at $HI_HZ Hz, where it is large, and scaled.
bench_rounds measure "none-$HI_HZ scorch-fp-$HI_HZ scorch-dwarf-$HI_HZ perf-fp-$HI_HZ perf-dwarf-$HI_HZ" "$W/hi"

# Long runs at 999 Hz: per-sample costs, not start-up, decide the total.
measure_long() { measure "$1" "$LONG_SECS"; }
rounds=$ROUNDS
ROUNDS=$LONG_ROUNDS
bench_rounds measure_long "scorch-dwarf-999 perf-dwarf-999" "$W/long"
ROUNDS=$rounds

# The stack copy's size: what each size costs the target and scorch, and
# how much of a 200-deep recursion (~20 KiB of stack) it keeps whole.
for size in 8K 16K 32K 60K; do
	start_workload mix "$SECS"
	cpu=$(cpu_of ./scorch record -q --stack-size $size -F 999 -p "$wl" \
		-o "$W/k.json")
	finish_workload
	u=$(units)
	n=$(meta "$W/k.json" samples)
	start_workload deep 200 "$SECS"
	./scorch record -q --stack-size $size -F 999 -p "$wl" -o "$W/d.json" \
		>/dev/null 2>&1
	finish_workload
	./scorch fold "$W/d.json" >"$W/d.folded"
	echo "$size $u $cpu $n $(folded_complete "$W/d.folded") \
$(meta "$W/d.json" copy_truncated_stacks) $(meta "$W/d.json" samples) \
$(meta "$W/d.json" unwind_ns_median)" >>"$W/sizes"
	echo "  stack size $size: $(tail -1 "$W/sizes")" >&2
done

base=$(median none-0 2)
echo "## Unwinding: -g fp and -g dwarf against perf"
echo
echo "\`examples/stackmix-nofp mix\` (no frame pointers; hot paths through"
echo "qsort, memcpy and strlen) for ${SECS}s with each profiler attached for"
echo "its whole life; medians of $ROUNDS interleaved rounds. \"profiler CPU\""
echo "is scorch's user+system time, or perf record's plus perf script's (perf"
echo "unwinds DWARF stacks in perf script). \"unwind/sample\" is scorch's"
echo "median unwinding time; for perf, perf script's CPU per sample (a mean"
echo "that includes its symbolization). \"complete\" is the share of samples"
echo "whose stack reaches main. \"CPU vs perf\" divides the profiler CPU by"
echo "perf's (same mode and rate)."
echo
echo "| configuration | units/cpu-s | slowdown (noisy) | samples | profiler CPU s | CPU s per 1000 samples | unwind/sample µs | complete | CPU vs perf |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONFIGS; do
	[ "$c" = none-0 ] && {
		printf '| no profiler | %.0f | - | - | - | - | - | - | - |\n' "$base"
		continue
	}
	peer=$(echo "$c" | sed 's/^scorch/perf/')
	awk -v c="$c" -v u="$(median "$c" 2)" -v cpu="$(median "$c" 3)" \
		-v n="$(median "$c" 4)" -v us="$(median "$c" 5)" \
		-v comp="$(median "$c" 6)" -v b="$base" \
		-v pc="$(median "$peer" 3)" 'BEGIN {
		rel = "-"
		if (c ~ /^scorch/ && pc > 0)
			rel = sprintf("%.2fx", cpu / pc)
		printf "| %s | %.0f | %.2f%% | %d | %.3f | %.3f | %s | %.2f%% | %s |\n",
			c, u, 100 * (1 - u / b), n, cpu, n ? 1000 * cpu / n : 0,
			us < 0 ? "-" : sprintf("%.2f", us), comp, rel
	}'
done
echo
echo "The target's slowdown, measured at $HI_HZ Hz (medians of $ROUNDS rounds;"
echo "at 99 Hz it is far below this machine's run-to-run noise of about 5%)"
echo "and scaled to 99 and 999 Hz: the cost is per sample, so linear in the"
echo "rate. Units per second of the target's own CPU time, which the"
echo "sampling interrupt and the stack copy are charged to."
echo
echo "| configuration | units/cpu-s at $HI_HZ Hz | slowdown at $HI_HZ Hz | at 999 Hz | at 99 Hz |"
echo "|---|---:|---:|---:|---:|"
hb=$(median none-$HI_HZ 2 "$W/hi")
for c in scorch-fp scorch-dwarf perf-fp perf-dwarf; do
	awk -v c="$c" -v u="$(median "$c-$HI_HZ" 2 "$W/hi")" -v b="$hb" \
		-v hz="$HI_HZ" 'BEGIN {
		l = 100 * (1 - u / b)
		printf "| %s | %.0f | %.2f%% | %.2f%% | %.3f%% |\n", c, u, l,
			l * 999 / hz, l * 99 / hz
	}'
done
echo
echo "Long runs, ${LONG_SECS}s at 999 Hz (medians of $LONG_ROUNDS), where the cost per"
echo "sample rather than start-up (reading /proc/kallsyms, opening libc's"
echo "debug info for inlined frames and file:line) decides the total:"
echo
echo "| configuration | samples | profiler CPU s | CPU s per 1000 samples | complete | scorch / perf |"
echo "|---|---:|---:|---:|---:|---:|"
for c in scorch-dwarf-999 perf-dwarf-999; do
	awk -v c="$c" -v cpu="$(median "$c" 3 "$W/long")" -v n="$(median "$c" 4 "$W/long")" \
		-v comp="$(median "$c" 6 "$W/long")" \
		-v pc="$(median perf-dwarf-999 3 "$W/long")" 'BEGIN {
		rel = "-"
		if (c ~ /^scorch/ && cpu > 0)
			rel = sprintf("%.2fx (%.1f times less)", cpu / pc, pc / cpu)
		per = n ? 1000 * cpu / n : 0
		printf "| %s | %d | %.3f | %.4f | %.2f%% | %s |\n", c, n, cpu,
			per, comp, rel
	}'
done
echo
echo "Per-sample unwinding by unwinder, 999 Hz, ${SECS}s (\`--unwinder\`;"
echo "libdw is scorch's default: libdw's CFI cached as one rule per code"
echo "address, with libdwfl's unwinder behind it; libdwfl is that unwinder"
echo "alone; libunwind a remote address space over .eh_frame_hdr)."
echo
echo "| workload | unwinder | median µs | p99 µs | profiler CPU s | samples | complete |"
echo "|---|---|---:|---:|---:|---:|---:|"
awk '{ printf "| %s | %s | %s | %s | %s | %s | %s%% |\n", $1, $2,
	$3 == "-" ? "-" : sprintf("%.2f", $3 / 1000),
	$4 == "-" ? "-" : sprintf("%.2f", $4 / 1000), $5, $6, $7 }' "$W/unw"
echo
echo "The user stack copied per sample (\`--stack-size\`), at 999 Hz: the"
echo "mix's throughput and scorch's CPU, and how many samples of a 200-deep"
echo "recursion (~20 KiB of stack) stay whole. No profiler: $(printf '%.0f' "$base") units/cpu-s."
echo
echo "| stack copy | mix units/cpu-s | target slowdown | scorch CPU s | per 1000 samples | deep 200: complete | deep 200: cut by the copy | deep 200: unwind µs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
awk -v b="$base" '{ printf "| %s | %.0f | %.2f%% | %s | %.3f | %s%% | %.1f%% | %.2f |\n",
	$1, $2, 100 * (1 - $2 / b), $3, $4 ? 1000 * $3 / $4 : 0, $5,
	$7 ? 100 * $6 / $7 : 0, $8 / 1000 }' "$W/sizes"
echo
echo "Raw rounds (configuration, units/cpu-s, profiler CPU s, samples,"
echo "unwind µs, complete %):"
echo
echo '```'
cat "$W/raw"
echo '```'
