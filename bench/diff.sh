#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/diff.sh - `BENCH=diff make bench`: the accuracy of `scorch diff`
# with its defaults on the planted-regression corpus (examples/diffcorpus/
# corpus.list), against the naive method as the peer in the same run.
# Every class is recorded DIFF_REPS times over (default 5), each time with
# 3 interleaved runs a side at 999 Hz (DIFF_RUNS, DIFF_HZ), as the README
# says: `scorch record -F 999 -o runs/base/$i.json -- ./prog`; beside each
# scorch run the same program runs under `perf record -g -F 999`. scorch
# diff judges the scorch recordings; the peer ranks the functions of the
# perf recordings by the growth of their self share (perf script, folded
# by bench/perf-folded.awk, summed per side, as a perf + difffolded.pl user
# ranks). examples/diffcorpus/judge.js reads both. Prints a markdown
# section on stdout (bench/run.sh writes it into bench/results.md).
set -eu
cd "$(dirname "$0")/.."

REPS=${DIFF_REPS:-5}
RUNS=${DIFF_RUNS:-3}
HZ=${DIFF_HZ:-999}
CLASSES=${DIFF_CLASSES:-}
DC=build/examples/diffcorpus
LIST=examples/diffcorpus/corpus.list
W=$(mktemp -d /tmp/scorch-bench-diff.XXXXXX)
trap '[ -n "${DIFF_KEEP:-}" ] && cp "$W/raw" "$DIFF_KEEP"; rm -rf "$W"' EXIT

for tool in perf node; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "scorch: bench: $tool is not installed (scripts/deps.sh bench)" >&2
		exit 2
	fi
done

# record_side CLASS SIDE PROG I: one scorch run and one perf run.
record_side() {
	mkdir -p "$W/$1/s-$2" "$W/$1/p-$2"
	./scorch record -q -F "$HZ" -o "$W/$1/s-$2/$4.json" -- "$DC/$3" \
		>/dev/null 2>&1
	perf record -q -g -F "$HZ" -o "$W/p.data" -- "$DC/$3" >/dev/null 2>&1
	perf script -i "$W/p.data" -F comm,ip,sym --no-inline 2>/dev/null |
		awk -f bench/perf-folded.awk >"$W/$1/p-$2/$4.folded"
}

rep=1
while [ "$rep" -le "$REPS" ]; do
	grep -v '^#' "$LIST" | while read -r class base pr culprit expect also what; do
		[ -n "$class" ] || continue
		[ -z "$CLASSES" ] || case " $CLASSES " in *" $class "*) ;; *) continue ;; esac
		rm -rf "${W:?}/$class"
		i=1
		while [ "$i" -le "$RUNS" ]; do
			record_side "$class" base "$base" "$i"
			record_side "$class" pr "$pr" "$i"
			i=$((i + 1))
		done
		./scorch diff "$W/$class/s-base" "$W/$class/s-pr" -q \
			--report "$W/d.json" 2>/dev/null || true
		s=$(node examples/diffcorpus/judge.js scorch "$W/d.json" \
			"$culprit" "$expect" "$also")
		n=$(node examples/diffcorpus/judge.js naive "$W/$class/p-base" \
			"$W/$class/p-pr" "$culprit" "$expect" "$also")
		echo "$class $expect scorch $s" >>"$W/raw"
		echo "$class $expect naive $n" >>"$W/raw"
		echo "rep $rep $class: scorch $s | naive $n" >&2
	done
	rep=$((rep + 1))
done

# The table: per class, for each method, culprit first k/N, flagged k/N,
# other functions flagged (total over the N comparisons; the most frequent).
awk -v reps="$REPS" '
function get(k,   i) { for (i = 4; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
{
	c = $1; m = $3; ex[c] = $2
	if (!(c in seen)) { seen[c] = 1; order[++nc] = c }
	n[c, m]++; first[c, m] += get("first"); flag[c, m] += get("flagged")
	o = get("others"); oth[c, m] += o; if (o > 0) othruns[c, m]++
	f = get("flags"); if (f != "-") { split(f, fs, ","); for (j in fs) names[c, m, fs[j]]++ }
}
function cell(c, m,   s) {
	if (ex[c] == "none")
		return "- | - | " (othruns[c, m] + 0) "/" n[c, m] " (" (oth[c, m] + 0) ")"
	s = first[c, m] "/" n[c, m] " | " flag[c, m] "/" n[c, m] " | " (othruns[c, m] + 0) "/" n[c, m] " (" (oth[c, m] + 0) ")"
	return s
}
function tops(c, m,   k, best, bn, p) {
	best = ""; bn = 0
	for (k in names) { split(k, p, SUBSEP); if (p[1] == c && p[2] == m && names[k] > bn) { bn = names[k]; best = p[3] } }
	return best == "" ? "" : " e.g. " best
}
END {
	print "| class | scorch first | scorch flagged | scorch others flagged | naive first | naive flagged | naive others flagged |"
	print "|---|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nc; i++) {
		c = order[i]
		print "| " c " | " cell(c, "scorch") " | " cell(c, "naive") " |"
		for (m = 0; m < 2; m++) {
			mm = m ? "naive" : "scorch"
			if (ex[c] == "none") { taa[mm] += n[c, mm]; aaf[mm] += othruns[c, mm] + 0; continue }
			tn[mm] += n[c, mm]; tf[mm] += first[c, mm]; tg[mm] += flag[c, mm]; to[mm] += othruns[c, mm] + 0
		}
	}
	for (m = 0; m < 2; m++) {
		mm = m ? "naive" : "scorch"
		tot[mm] = tf[mm] "/" tn[mm] " | " tg[mm] "/" tn[mm] " | " to[mm] "/" tn[mm]
	}
	print "| **planted, all** | " tot["scorch"] " | " tot["naive"] " |"
	print "| **A/A, all** (comparisons with a flag) | - | - | " aaf["scorch"] "/" taa["scorch"] " | - | - | " aaf["naive"] "/" taa["naive"] " |"
	for (i = 1; i <= nc; i++) {
		c = order[i]; s = tops(c, "scorch"); v = tops(c, "naive")
		if (s != "" || v != "") wrong = wrong "\n- " c ": scorch" (s == "" ? " none" : s) "; naive" (v == "" ? " none" : v)
	}
	if (wrong != "") print "\nOther functions flagged most often, by class:" wrong
}' "$W/raw" >"$W/table"

cat <<EOT
## Diff accuracy: the planted-regression corpus, scorch diff against self-share growth

\`BENCH=diff make bench\` (bench/diff.sh, DIFF_REPS=$REPS): every class of
\`examples/diffcorpus/corpus.list\` recorded $REPS times over, each time
$RUNS interleaved runs a side at $HZ Hz (\`scorch record -F $HZ -o
runs/SIDE/\$i.json -- ./prog\`, fixed work), and the same programs under
\`perf record -g -F $HZ\` beside each run. **scorch**: \`scorch diff
runs/base runs/pr\` with its defaults. **naive**, the peer:
the functions of the perf profiles (\`perf script --no-inline\`, folded,
summed per side) ranked by the growth of their self share, PR minus
baseline, as a perf + difffolded.pl user ranks them. Columns: the culprit
is ranked first (k of $REPS comparisons), it is flagged (scorch: a
significant finding; naive: its self share grew by 0.5 points or more),
comparisons in which another function is flagged (scorch: a significant
regression or improvement other than the culprit and class h's expected
improvement; naive: its share moved by 0.5 points or more, either way),
with the number of such functions in parentheses. Class e's culprit may
be only a possible regression. Judged by examples/diffcorpus/judge.js.
scorch $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg).

EOT
cat "$W/table"
