#!/bin/sh
# SPDX-License-Identifier: MIT
# Names come from the file a process mapped, not from whatever the path
# names when scorch looks: a binary rebuilt (a new file renamed over it) or
# deleted while it runs, and a binary that lives in another mount namespace
# (a container's view of the file system), all keep their function names.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "replaced and deleted binaries" "no permission for perf events"
	tap_done
fi

# run_and_record NAME BINARY: record the running $T/NAME for 1.5 s.
record_it() {
	"$SCORCH" record -q -p "$1" -F 499 -d 1.5 -o "$T/$2.json" 2>"$T/$2.err"
	rc=$?
	"$SCORCH" fold "$T/$2.json" >"$T/$2.folded" 2>/dev/null
}

named() {
	share "$T/$1.folded" ';main;run_mix;(sort|hash|copy)_phase' '.'
}

# --- rebuilt: a different file renamed over the running one --------------
cp "$EXAMPLES/stackmix-nofp" "$T/app"
start_bg "$T/app" mix 30 >"$T/app.out"
wait_file "$T/app.out"
cp "$EXAMPLES/cpuburn" "$T/app.new"
mv "$T/app.new" "$T/app"
record_it "$bg_pid" rebuilt
kill "$bg_pid" 2>/dev/null
check "rebuilt: record exits 0" test "$rc" -eq 0
s=$(named rebuilt)
if awk -v s="$s" 'BEGIN { exit !(s >= 95) }'; then
	ok "rebuilt: $s% of samples named from the file that runs"
else
	not_ok "rebuilt: names come from the file that runs" "$s%" \
		"$(sort -t' ' -k2 -nr "$T/rebuilt.folded" | head -3 | cut -c1-200)"
fi
check "rebuilt: no name from the new file (cpuburn's alpha)" \
	sh -c "! grep -q ';alpha' '$T/rebuilt.folded'"

# --- deleted while it runs -------------------------------------------------
cp "$EXAMPLES/stackmix-nofp" "$T/gone"
start_bg "$T/gone" mix 30 >"$T/gone.out"
wait_file "$T/gone.out"
rm -f "$T/gone"
record_it "$bg_pid" deleted
kill "$bg_pid" 2>/dev/null
check "deleted: record exits 0" test "$rc" -eq 0
s=$(named deleted)
if awk -v s="$s" 'BEGIN { exit !(s >= 95) }'; then
	ok "deleted: $s% of samples named"
else
	not_ok "deleted: samples are named" "$s%"
fi
check "deleted: frames name the module without ' (deleted)'" \
	grep -q '"module": "gone"' "$T/deleted.json"

# --- another mount namespace: the path exists only inside it ----------------
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1; then
	skip "container: names through /proc/PID" "needs root and unshare"
else
	mkdir -p "$T/ns"
	cp "$EXAMPLES/stackmix-nofp" "$T/stackmix-in-ns"
	# Inside: a tmpfs over $T/ns holds the binary; outside, $T/ns is empty.
	start_bg unshare --mount --propagation private sh -c \
		"mount -t tmpfs none '$T/ns' && cp '$T/stackmix-in-ns' '$T/ns/app' &&
		 exec '$T/ns/app' mix 30" >"$T/ns.out"
	wait_file "$T/ns.out"
	pid=$(pgrep -f "$T/ns/app mix" | head -1)
	check "container: the path does not exist outside" test ! -e "$T/ns/app"
	if [ -n "$pid" ]; then
		record_it "$pid" ns
		kill "$pid" 2>/dev/null
		s=$(named ns)
		if awk -v s="$s" 'BEGIN { exit !(s >= 95) }'; then
			ok "container: $s% of samples named"
		else
			not_ok "container: samples are named" "$s%" "$(cat "$T/ns.err")"
		fi
	else
		not_ok "container: the workload started" "$(cat "$T/ns.out")"
	fi
fi
tap_done
