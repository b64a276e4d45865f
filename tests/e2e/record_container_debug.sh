#!/bin/sh
# SPDX-License-Identifier: MIT
# A debug file that exists only inside the target's mount namespace (a
# container's /usr/lib/debug) names the target's frames: scorch looks in
# /proc/PID/root first, then on the host. The target runs in a private
# mount namespace (unshare -m) with a tmpfs over /usr/lib/debug holding the
# stripped program's debug file by build-id, or, second case, its
# .gnu_debuglink file beside the binary in a directory only the namespace
# sees. Without the namespace's files the frames stay [cpuburn+0xOFF].
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "debug files in the target's namespace" "no permission for perf events"
	tap_done
fi
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
	! unshare -m true 2>/dev/null || ! command -v objcopy >/dev/null 2>&1 ||
	[ ! -d /usr/lib/debug ]; then
	skip "debug files in the target's namespace" "needs root, unshare -m, objcopy and /usr/lib/debug"
	tap_done
fi

mkdir -p "$T/bin" "$T/dbg"
cp "$EXAMPLES/cpuburn" "$T/bin/cpuburn"
objcopy --only-keep-debug "$T/bin/cpuburn" "$T/dbg/cpuburn.debug"
objcopy --strip-all "$T/bin/cpuburn"
id=$(readelf -n "$T/bin/cpuburn" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
check "the stripped example has a build-id ($id)" test -n "$id"
d=$(printf '%s' "$id" | cut -c1-2)
r=$(printf '%s' "$id" | cut -c3-)
check "the host has no debug file for it" test ! -e "/usr/lib/debug/.build-id/$d/$r.debug"

# in_ns SETUP: run the stripped cpuburn for 30 s in a new mount namespace
# after SETUP (shell commands); its pid goes to $ns_pid.
in_ns() {
	unshare -m --propagation private sh -c "$1; exec '$T/bin/cpuburn' 30" &
	ns_pid=$!
	tap_pids="$tap_pids $ns_pid"
	wait_exe "$ns_pid" "$T/bin/cpuburn"
}

# 1. By build-id under the namespace's /usr/lib/debug.
in_ns "mount -t tmpfs scorch-test /usr/lib/debug && mkdir -p /usr/lib/debug/.build-id/$d && cp '$T/dbg/cpuburn.debug' /usr/lib/debug/.build-id/$d/$r.debug"
"$SCORCH" record -q -p "$ns_pid" -F 499 -d 1 -o "$T/buildid.folded" 2>"$T/err1"
kill "$ns_pid" 2>/dev/null
n=$(count "$T/buildid.folded" ';main;run;alpha(;|$)')
check "a debug file by build-id in the namespace's /usr/lib/debug names the frames ($n alpha samples)" test "$n" -gt 15
check "the host's /usr/lib/debug was not touched" test ! -e "/usr/lib/debug/.build-id/$d/$r.debug"

# 2. By .gnu_debuglink beside the binary, in a directory only the
#    namespace has (a tmpfs over $T/bin's copy).
cp "$T/bin/cpuburn" "$T/linked"
objcopy --add-gnu-debuglink="$T/dbg/cpuburn.debug" "$T/linked"
mkdir -p "$T/app"
cp "$T/linked" "$T/app/cpuburn"
unshare -m --propagation private sh -c "mount -t tmpfs scorch-test '$T/app' && cp '$T/linked' '$T/app/cpuburn' && cp '$T/dbg/cpuburn.debug' '$T/app/cpuburn.debug' && exec '$T/app/cpuburn' 30" &
ns_pid=$!
tap_pids="$tap_pids $ns_pid"
wait_exe "$ns_pid" "$T/app/cpuburn"
check "the host has no debug file beside the binary" test ! -e "$T/app/cpuburn.debug"
"$SCORCH" record -q -p "$ns_pid" -F 499 -d 1 -o "$T/link.folded" 2>"$T/err2"
kill "$ns_pid" 2>/dev/null
n=$(count "$T/link.folded" ';main;run;alpha(;|$)')
check "a .gnu_debuglink file beside the binary in the namespace names the frames ($n alpha samples)" test "$n" -gt 15

# 3. Without the debug file anywhere: offsets, never a wrong name.
in_ns "true"
"$SCORCH" record -q -p "$ns_pid" -F 499 -d 1 -o "$T/none.folded" 2>"$T/err3"
kill "$ns_pid" 2>/dev/null
n=$(count "$T/none.folded" '\[cpuburn\+0x[0-9a-f]+\]')
named=$(count "$T/none.folded" ';(main|run|alpha|beta|gamma)(;|$)')
check "without a debug file the frames stay [cpuburn+0xOFF] ($n, $named named)" test "$n" -gt 15 -a "$named" -eq 0
tap_done
