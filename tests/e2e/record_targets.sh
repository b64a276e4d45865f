#!/bin/sh
# SPDX-License-Identifier: MIT
# Targets and messages of `record`: -p by process name (every process of
# that name, as pidof finds them), mixed with pids; a target that never
# ran is named with why; --help covers every option the parser takes; a
# bad option is one line with the --help hint; --tid records only the
# threads named; -a every process (kernel threads with kernel frames only);
# --cgroup only the processes of a cgroup v2 made for the test.
. "$(dirname "$0")/lib.sh"

# 1. --help lists every long option the parser accepts (the table is the
#    same), and the call graph modes with dwarf the default.
"$SCORCH" record --help >"$T/help" 2>&1
rc=$?
check "record --help exits 0" test $rc -eq 0
missing=""
for o in pid tid all-cpus cgroup freq duration event call-graph stack-size \
	unwinder scope output mmap-pages no-demangle no-inline quiet label help; do
	grep -q -- "--$o" "$T/help" || missing="$missing --$o"
	# Each long option the help names is one the parser takes.
	# (timeout: -a alone records until stopped)
	timeout 5 "$SCORCH" record "--$o" -o /dev/null 2>&1 |
		grep -q "unknown option" &&
		missing="$missing (--$o refused)"
done
if [ -z "$missing" ]; then
	ok "record --help names every option"
else
	not_ok "record --help names every option" "missing:$missing"
fi
if grep -q -- "-g dwarf|fp|dwarf,SIZE" "$T/help" &&
	grep -q "dwarf (default)" "$T/help" && grep -q "libunwind" "$T/help"; then
	ok "record --help: -g dwarf|fp|dwarf,SIZE, dwarf the default, unwinders"
else
	not_ok "record --help: call graph modes" "$(grep -- '-g' "$T/help")"
fi

# 2. A bad option: exit 2, one line naming it, with the --help hint.
for bad in --bogus -z "--pid" "-F"; do
	"$SCORCH" record $bad >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] &&
		grep -q -- "'$bad'.*scorch record --help" "$T/err"; then
		ok "record $bad: one line naming it and the --help hint"
	else
		not_ok "record $bad: one line and the hint" "exit $rc, $lines lines" "$(head -3 "$T/err")"
	fi
done

# ... and the same for every subcommand.
for cmd in svg fold report merge export diff check addr2line; do
	"$SCORCH" $cmd --bogus >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -q -- "'--bogus'.*scorch $cmd --help" "$T/err"; then
		ok "$cmd --bogus: one line with the --help hint"
	else
		not_ok "$cmd --bogus: one line with the hint" "exit $rc" "$(head -3 "$T/err")"
	fi
done

if ! can_perf; then
	skip "record -p NAME" "no permission for perf events"
	tap_done
fi

# 3. -p NAME: two copies of a program under a name only this test uses
#    (other tests may run cpuburn at the same time), and one of a second
#    program; both copies are recorded, the summary says there are two.
name="sct$$"
cp "$EXAMPLES/cpuburn" "$T/$name"
cp "$EXAMPLES/stackmix" "$T/${name}m"
start_bg "$T/$name" 30
a=$bg_pid
start_bg "$T/$name" 30
b=$bg_pid
start_bg "$T/${name}m" mix 30
m=$bg_pid
"$SCORCH" record -q -F 199 -p "$name" -d 1.5 -o "$T/name.json" 2>"$T/err"
rc=$?
check "-p NAME: exit 0" test $rc -eq 0
if grep -q -- "-p $name: 2 processes ($a, $b)" "$T/err" &&
	grep -q "from 2 processes" "$T/err"; then
	ok "-p NAME: the summary names the 2 processes"
else
	not_ok "-p NAME: the summary names the 2 processes" "pids $a $b" "$(cat "$T/err")"
fi
if grep -q "\"pids\": *\"$a,$b\"" "$T/name.json"; then
	ok "-p NAME: both processes are the profile's targets"
else
	not_ok "-p NAME: both processes are targets" "$(grep -o '"pids"[^,]*,[^,]*' "$T/name.json")"
fi

# 4. Mixed pid and name: -p PID,NAME; a pid named twice counts once.
"$SCORCH" record -q -F 199 -p "$m,$name,$a" -d 1 -o "$T/mixed.folded" \
	2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "from 3 processes" "$T/err" &&
	grep -q ";main;" "$T/mixed.folded"; then
	ok "-p PID,NAME,PID: 3 processes, each once"
else
	not_ok "-p PID,NAME,PID: 3 processes" "exit $rc" "$(cat "$T/err")"
fi

# 5. A name no process has: one line naming it, exit 2, no output.
"$SCORCH" record -q -p "${name}x" -d 1 -o "$T/none.json" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	grep -q -- "-p ${name}x: no process of that name" "$T/err" &&
	[ ! -e "$T/none.json" ]; then
	ok "-p NAME of no process: one line, exit 2, no output"
else
	not_ok "-p NAME of no process" "exit $rc" "$(cat "$T/err")"
fi

# 5b. A zombie of that name (exited, never waited for) is not a target.
sh -c "\"$T/$name\" 0.05 & exec sleep 30" &
tap_pids="$tap_pids $!"
sleep 0.5
"$SCORCH" record -q -F 199 -p "$name" -d 0.5 -o "$T/zombie.json" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q -- "-p $name: 2 processes ($a, $b)" "$T/err"; then
	ok "-p NAME skips a zombie of that name"
else
	not_ok "-p NAME skips a zombie" "exit $rc" "$(ps -eo pid,stat,comm | grep "$name")" "$(cat "$T/err")"
fi

# 6. A stopped target is named as such, not "0 processes".
kill -STOP "$a"
"$SCORCH" record -q -p "$a" -d 1 -o "$T/stopped.json" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "pid $a was stopped: 0 samples" "$T/err" &&
	! grep -q "0 processes" "$T/err"; then
	ok "a SIGSTOPped target: 'pid N was stopped: 0 samples'"
else
	not_ok "a SIGSTOPped target is named as stopped" "exit $rc" "$(cat "$T/err")"
fi
# A running and a stopped target: the samples of the running one.
"$SCORCH" record -q -p "$a,$b" -d 1 -o "$T/half.json" 2>"$T/err"
if grep -q "from 1 process," "$T/err" &&
	grep -q "; pid $a was stopped: 0 samples; wrote" "$T/err"; then
	ok "one stopped, one running target: samples from 1, the stopped one named"
else
	not_ok "one stopped, one running: samples from 1 process" "$(cat "$T/err")"
fi
kill -CONT "$a"

# 7. A target that sleeps through the recording did not run on CPU.
sleep 30 &
sl=$!
tap_pids="$tap_pids $sl"
"$SCORCH" record -q -p "$sl" -d 1 -o "$T/sleep.json" 2>"$T/err"
if grep -q "pid $sl did not run on CPU: 0 samples" "$T/err"; then
	ok "a sleeping target: 'pid N did not run on CPU: 0 samples'"
else
	not_ok "a sleeping target did not run on CPU" "$(cat "$T/err")"
fi

# 8. A kernel thread (kthreadd is pid 2 where it exists).
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	"$SCORCH" record -q -p 2 -d 0.5 -o "$T/kthread.json" 2>"$T/err"
	if grep -q "pid 2 is a kernel thread" "$T/err"; then
		ok "a kernel thread is named as one"
	else
		not_ok "a kernel thread is named as one" "$(cat "$T/err")"
	fi
else
	skip "a kernel thread is named as one" "no kthreadd at pid 2"
fi

# 9. --tid: one worker of a two-worker stackmix; every sample is that
#    thread's, in both scopes. Bad thread ids are one line, exit 2.
start_bg "$EXAMPLES/stackmix" threads 2 30
sm=$bg_pid
sleep 0.3
# The main thread waits; the workers are the other two.
wt=$(ls "/proc/$sm/task" | sort -n | tail -1)
for scope in cpu thread; do
	"$SCORCH" record -q -F 199 --scope $scope --tid "$wt" -d 1.5 \
		-o "$T/tid-$scope.json" 2>"$T/err"
	rc=$?
	res=$(python3 - "$T/tid-$scope.json" "$wt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
tid = int(sys.argv[2])
counts = {}
for st in d["stacks"]:
    t = d["tasks"][st["task"]]["tid"] if st.get("task") is not None else -1
    counts[t] = counts.get(t, 0) + st["count"]
other = sum(c for t, c in counts.items() if t != tid)
print(counts.get(tid, 0), other, d["meta"].get("tids"))
PY
)
	set -- $res
	if [ $rc -eq 0 ] && [ "${1:-0}" -ge 20 ] && [ "${2:-1}" -eq 0 ] &&
		[ "${3:-}" = "$wt" ]; then
		ok "--tid $wt ($scope scope): $1 samples, all of that thread"
	else
		not_ok "--tid ($scope scope): only that thread" "exit $rc, got: $res" "$(cat "$T/err")"
	fi
done
"$SCORCH" record -q --tid "$wt,$sm" -d 1 -o "$T/tid2.folded" 2>"$T/err"
if grep -q "from 1 process, 2 threads" "$T/err" ||
	grep -q "from 1 process, 1 thread" "$T/err"; then
	ok "--tid TID,TID: a list, of one process"
else
	not_ok "--tid TID,TID" "$(cat "$T/err")"
fi
for bad in "abc:--tid: 'abc' is not a thread id" \
	"999999999:tid 999999999: no such thread" \
	"0:--tid: '0' is not a thread id"; do
	arg=${bad%%:*}
	msg=${bad#*:}
	"$SCORCH" record -q --tid "$arg" -d 1 -o "$T/bad.json" 2>"$T/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -qF -- "$msg" "$T/err" && [ ! -e "$T/bad.json" ]; then
		ok "--tid $arg: '$msg', exit 2"
	else
		not_ok "--tid $arg: one line, exit 2" "exit $rc" "$(cat "$T/err")"
	fi
done
"$SCORCH" record -q -a -p "$sm" -d 1 -o "$T/bad.json" 2>"$T/err"
check "-a with -p: refused, exit 2" test $? -eq 2

# 10. -a: the workload (a name only this test uses) and other processes;
#     a kernel thread's stacks hold kernel frames only.
if [ "$(id -u)" -eq 0 ]; then
	"$SCORCH" record -q -F 499 -a -d 2 -o "$T/all.json" 2>"$T/err"
	rc=$?
	res=$(python3 - "$T/all.json" "$name" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
frames, tasks = d["frames"], d["tasks"]
pids, mine, mine_main, kth, kbad = set(), 0, 0, 0, 0
def is_kthread(pid):
    # The kernel's own flag (PF_KTHREAD in /proc/PID/stat's ninth field):
    # a zombie or exiting process also has no exe link.
    try:
        stat = open("/proc/%d/stat" % pid).read()
    except OSError:
        return False
    fields = stat[stat.rindex(")") + 2:].split()
    return bool(int(fields[6]) & 0x00200000)
for st in d["stacks"]:
    t = tasks[st["task"]]
    pids.add(t["pid"])
    names = [frames[f]["name"] for f in st["frames"]]
    if t["comm"] == sys.argv[2]:
        mine += st["count"]
        if "main" in names:
            mine_main += st["count"]
    if is_kthread(t["pid"]):
        kth += st["count"]
        kinds = [frames[f].get("kind", "user") for f in st["frames"][1:]]
        if any(k != "kernel" for k in kinds):
            kbad += st["count"]
print(len(pids), mine, mine_main, kth, kbad)
PY
)
	set -- $res
	if [ $rc -eq 0 ] && [ "${1:-0}" -ge 2 ] && [ "${2:-0}" -ge 15 ] &&
		[ "${3:-0}" -ge $((${2:-0} * 9 / 10)) ]; then
		ok "-a: $1 processes, the workload's $2 samples named ($3 through main)"
	else
		not_ok "-a: the workload and other processes" "exit $rc, got: $res" "$(cat "$T/err")"
	fi
	if [ "${4:-0}" -eq 0 ]; then
		skip "-a: kernel threads' stacks are kernel-only" "no kernel thread ran"
	elif [ "${5:-1}" -eq 0 ]; then
		ok "-a: $4 kernel-thread samples, kernel frames only"
	else
		not_ok "-a: kernel threads' stacks are kernel-only" "got: $res"
	fi
	# Without the permission: one line, exit 2, no output.
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$SCORCH" record -q -a -d 1 -o /dev/null 2>"$T/err"
		rc=$?
		if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
			grep -q -- "-a: .*permission denied.*CAP_PERFMON" "$T/err"; then
			ok "-a unprivileged: one line naming the permission, exit 2"
		else
			not_ok "-a unprivileged: permission denied, exit 2" "exit $rc" "$(cat "$T/err")"
		fi
	else
		skip "-a unprivileged" "no setpriv"
	fi
else
	skip "-a: every process" "not root"
fi

# 11. --cgroup: a cgroup v2 made for the test holds one workload; another
#     runs outside; only the first is recorded (10 samples at least: on a
#     loaded machine the workload got 49 of its 1.5 s at 199 Hz).
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
cgname="scorch-test-$$"
if [ -n "$cg2" ] && mkdir "$cg2/$cgname" 2>/dev/null; then
	start_bg "$T/$name" 30
	in=$bg_pid
	if echo "$in" >"$cg2/$cgname/cgroup.procs" 2>"$T/err"; then
		"$SCORCH" record -q -F 199 --cgroup "$cgname" -d 1.5 \
			-o "$T/cg.json" 2>"$T/err"
		rc=$?
		res=$(python3 - "$T/cg.json" "$in" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
inside = other = 0
for st in d["stacks"]:
    if d["tasks"][st["task"]]["pid"] == int(sys.argv[2]):
        inside += st["count"]
    else:
        other += st["count"]
print(inside, other)
PY
)
		set -- $res
		if [ $rc -eq 0 ] && [ "${1:-0}" -ge 10 ] && [ "${2:-1}" -eq 0 ]; then
			ok "--cgroup: $1 samples, all of the process inside it"
		else
			not_ok "--cgroup: only the cgroup's process" "exit $rc, got: $res" "$(cat "$T/err")"
		fi
	else
		echo "# SKIP: cannot move a process into $cg2/$cgname: $(cat "$T/err")"
		skip "--cgroup: only the cgroup's process" "cannot move a process into a cgroup"
	fi
	kill -9 "$in" 2>/dev/null
	wait "$in" 2>/dev/null
	sleep 0.2
	rmdir "$cg2/$cgname" 2>/dev/null
else
	echo "# SKIP: no cgroup v2 hierarchy, or no permission to create a cgroup in it"
	skip "--cgroup: only the cgroup's process" "cannot create a cgroup v2"
fi
for bad in "no-such-$$:no such cgroup" "/:is not a cgroup v2 directory"; do
	arg=${bad%%:*}
	msg=${bad#*:}
	"$SCORCH" record -q --cgroup "$arg" -d 1 -o "$T/bad.json" 2>"$T/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -qF -- "$msg" "$T/err" && [ ! -e "$T/bad.json" ]; then
		ok "--cgroup $arg: '$msg', exit 2"
	else
		not_ok "--cgroup $arg: one line, exit 2" "exit $rc" "$(cat "$T/err")"
	fi
done

tap_done
