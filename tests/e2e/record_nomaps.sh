#!/bin/sh
# SPDX-License-Identifier: MIT
# A user recording another user's process where perf_event_paranoid lets
# it (0: per-CPU events for anyone) gets samples but cannot read the
# target's /proc/PID/maps: the summary must say the maps are unreadable,
# naming the pid, not blame code without CFI. Needs root (to start a root
# process, run scorch as nobody, and set perf_event_paranoid to 0 for the
# test; the old value is put back on exit), and setpriv or su.
. "$(dirname "$0")/lib.sh"

PAR=/proc/sys/kernel/perf_event_paranoid
if [ "$(id -u)" -ne 0 ]; then
	skip "maps unreadable" "needs root to run scorch as another user"
	tap_done
fi
if command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
elif command -v su >/dev/null; then
	as_nobody() { su -s /bin/sh nobody -c '"$0" "$@"' "$@"; }
else
	skip "maps unreadable" "neither setpriv nor su"
	tap_done
fi
old=$(cat "$PAR" 2>/dev/null)
if [ -z "$old" ] || ! echo 0 >"$PAR" 2>/dev/null; then
	skip "maps unreadable" "cannot set $PAR to 0"
	tap_done
fi
trap 'echo "$old" >"$PAR"; tap_cleanup' EXIT

# nobody must reach the binary and a place to write.
chmod 755 "$T"
mkdir "$T/pub" && chmod 777 "$T/pub"
cp "$SCORCH" "$T/scorch" && chmod 755 "$T/scorch"
start_bg "$EXAMPLES/cpuburn" 30
wl=$bg_pid
(cd "$T/pub" && as_nobody "$T/scorch" record -p "$wl" -d 2 -F 499 \
	-o "$T/pub/x.json") >"$T/out" 2>"$T/err"
rc=$?
kill "$wl" 2>/dev/null
echo "$old" >"$PAR"
if ! grep -q '"samples": [1-9]' "$T/pub/x.json" 2>/dev/null; then
	skip "maps unreadable" "nobody got no samples of a root process (rc $rc: $(head -1 "$T/err"))"
	tap_done
fi
check "nobody records root's pid $wl: exits 0" test "$rc" -eq 0
check "the summary says the maps are unreadable, naming the pid" \
	grep -q "maps are unreadable (pid $wl: /proc/$wl/maps: Permission denied" "$T/err"
if grep -q 'code without CFI' "$T/err"; then
	not_ok "it does not blame code without CFI" "$(cat "$T/err")"
else
	ok "it does not blame code without CFI"
fi

tap_done
