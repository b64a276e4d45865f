#!/bin/sh
# SPDX-License-Identifier: MIT
# --split thread|process on fold, svg and report: a threaded recording
# gives one root frame per thread (NAME-PID/TID) or process (COMM-PID)
# whose counts add up to the total; report gives one section per thread.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "--split" "no permission for perf events"
	tap_done
fi
start_bg "$EXAMPLES/stackmix" threads 3 30
sm=$bg_pid
sleep 0.3
"$SCORCH" record -q -F 199 -p "$sm" -d 1.5 -o "$T/t.json" 2>"$T/err"
check "record a threaded workload" test $? -eq 0
"$SCORCH" fold "$T/t.json" >"$T/plain.folded"
total=$(awk '{ n += $NF } END { print n + 0 }' "$T/plain.folded")
"$SCORCH" fold "$T/t.json" --split thread >"$T/thr.folded"
rc=$?
# Roots: each NAME-PID/TID of a thread with samples, counts summing up.
roots=$(cut -d';' -f1 "$T/thr.folded" | sed 's/ [0-9]*$//' | sort -u)
nroots=$(echo "$roots" | grep -c .)
bad=$(echo "$roots" | grep -vc -- "-$sm/[0-9][0-9]*\$")
sum=$(awk '{ n += $NF } END { print n + 0 }' "$T/thr.folded")
tasks=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len({(d["tasks"][s["task"]]["tid"]) for s in d["stacks"]}))' "$T/t.json")
if [ $rc -eq 0 ] && [ "$total" -gt 15 ] && [ "$sum" -eq "$total" ] &&
	[ "$bad" -eq 0 ] && [ "$nroots" -eq "$tasks" ] && [ "$nroots" -ge 3 ]; then
	ok "fold --split thread: $nroots roots, one per thread, $sum = $total samples"
else
	not_ok "fold --split thread: a root per thread" "exit $rc, roots $nroots (tasks $tasks, $bad malformed), sum $sum of $total" "$(echo "$roots" | head -5)"
fi
# The rest of each stack is the unsplit stack without its process root.
cut -d';' -f2- "$T/thr.folded" | awk '{ c = $NF; $NF = ""; s[$0] += c } END { for (k in s) print k s[k] }' | sort >"$T/a"
cut -d';' -f2- "$T/plain.folded" | awk '{ c = $NF; $NF = ""; s[$0] += c } END { for (k in s) print k s[k] }' | sort >"$T/b"
check "fold --split thread: below the roots, the same stacks" cmp -s "$T/a" "$T/b"

"$SCORCH" fold "$T/t.json" --split process >"$T/proc.folded"
proots=$(cut -d';' -f1 "$T/proc.folded" | sed 's/ [0-9]*$//' | sort -u)
psum=$(awk '{ n += $NF } END { print n + 0 }' "$T/proc.folded")
if [ "$proots" = "stackmix-$sm" ] && [ "$psum" -eq "$total" ]; then
	ok "fold --split process: one root stackmix-$sm, $psum samples"
else
	not_ok "fold --split process: one root" "roots: $proots, sum $psum of $total"
fi

"$SCORCH" svg "$T/t.json" --split thread -o "$T/thr.svg" 2>"$T/err"
rc=$?
n=0
for r in $roots; do
	grep -qF "$r" "$T/thr.svg" && n=$((n + 1))
done
if [ $rc -eq 0 ] && [ "$n" -eq "$nroots" ]; then
	ok "svg --split thread: every thread's root is in the graph"
else
	not_ok "svg --split thread" "exit $rc, $n of $nroots roots" "$(cat "$T/err")"
fi

"$SCORCH" report "$T/t.json" --split thread --top 0 --format json \
	-o "$T/rep.json" 2>"$T/err"
rc=$?
# The tables are in ms (the recording's period_ns): back to samples.
res=$(python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
period_ms = json.load(open(sys.argv[2]))["meta"]["period_ns"] / 1e6
self = [t for t in d["tables"] if t["name"] == "by_self"]
tot = rows = 0
for t in self:
    m = re.match(r".*, ([0-9.]+) ms \(", t["title"])
    s = sum(r["self_ms"] for r in t["rows"])
    # each number is rounded to 0.1 ms
    if not m or abs(float(m.group(1)) - s) > 0.05 * (len(t["rows"]) + 1):
        print("bad", t["title"], s); sys.exit()
    tot += s
    rows += len(t["rows"])
want = int(sys.argv[3])
# the samples they add up to: the total, within the rounding
print(len(self), want if abs(tot - want * period_ms) <= 0.05 * rows + 0.1
      else tot / period_ms)' "$T/rep.json" "$T/t.json" "$total")
set -- $res
if [ $rc -eq 0 ] && [ "${1:-0}" -eq "$nroots" ] && [ "${2:-0}" -eq "$total" ]; then
	ok "report --split thread: $1 sections, their samples add up to $2"
else
	not_ok "report --split thread: a section per thread" "exit $rc, got: $res (want $nroots, $total)" "$(cat "$T/err")"
fi

for cmd in fold svg report; do
	"$SCORCH" $cmd "$T/t.json" --split bogus >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -q "unknown 'bogus' (known: thread, process)" "$T/err"; then
		ok "$cmd --split bogus: one line, exit 2"
	else
		not_ok "$cmd --split bogus" "exit $rc" "$(cat "$T/err")"
	fi
done
tap_done
