#!/bin/sh
# SPDX-License-Identifier: MIT
# A recording is never lost: when record's -o cannot be written (a full
# filesystem, /dev/full, a directory removed or remounted read-only while
# recording) the profile is kept as native JSON in $TMPDIR (else /tmp, else
# the current directory), one line says why -o failed and where the
# recording is, the summary names it, and record exits 2. The kept file is
# whole: it reads back with the summary's sample count. When every fallback
# fails too, one line says so. And a SIGINT while record writes (here into a
# FIFO whose reader waits) does not cut the output short.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "record keeps its profile" "no permission for perf events"
	tap_done
fi

# A tmpfs of our own at $1 (size $2), or fail when not permitted.
mounts=""
tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2" scorch-keep "$1" 2>/dev/null ||
		return 1
	mounts="$1 $mounts"
}
trap 'for m in $mounts; do umount "$m" 2>/dev/null; done; tap_cleanup' EXIT

# kept DESC ERR OUT STATUS: record failed to write OUT (exit 2) and kept
# the recording; sets $k to the kept file and checks it is whole.
kept() {
	k=$(sed -n 's/.*; the recording is kept in \([^ ]*\).*/\1/p' "$2")
	n=$(sed -n 's/^scorch: \([0-9]*\) samples from .*; wrote \(.*\)$/\1 \2/p' "$2")
	if [ "$4" -eq 2 ] && [ -n "$k" ] && [ -f "$k" ] &&
		grep -q "^scorch: $3: cannot [a-z]* output file: .*; the recording is kept in $k" "$2" &&
		[ "${n#* }" = "$k" ]; then
		ok "$1: exit 2, one line names $3's error and the kept $k"
	else
		not_ok "$1: exit 2, one line names $3's error and the kept file" \
			"exit $4, kept '$k'" "$(cat "$2")"
		return
	fi
	back=$("$SCORCH" report "$k" 2>/dev/null | sed -n 's/^samples: //p')
	if [ -n "$back" ] && [ "$back" = "${n%% *}" ] && [ "$back" -gt 0 ]; then
		ok "$1: the kept profile reads back whole ($back samples)"
	else
		not_ok "$1: the kept profile reads back whole" \
			"summary: '${n%% *}' samples, read back: '$back'"
	fi
}

mkdir "$T/tmpd"
export TMPDIR="$T/tmpd"

# Wait (10 s at most) until the record that timeout $1 runs has started
# its command: it has checked that -o can be written, and records.
recording() {
	i=0
	while [ $i -lt 200 ]; do
		for p in $(pgrep -P "$1"); do
			pgrep -P "$p" cpuburn >/dev/null && return
		done
		sleep 0.05
		i=$((i + 1))
	done
}

# -o /dev/full: every write fails with ENOSPC.
timeout 60 "$SCORCH" record -F 499 -o /dev/full -- "$EXAMPLES/cpuburn" 0.3 \
	2>"$T/err"
kept "-o /dev/full" "$T/err" /dev/full $?
check "-o /dev/full: the reason is ENOSPC" grep -q 'No space left on device; ' "$T/err"

if ! tmpfs "$T/full" 64k; then
	skip "record -o on a full, a read-only filesystem" "cannot mount tmpfs (not root?)"
else
	dd if=/dev/zero of="$T/full/fill" bs=4096 2>/dev/null
	timeout 60 "$SCORCH" record -F 499 -o "$T/full/run.svg" -- \
		"$EXAMPLES/cpuburn" 0.3 2>"$T/err"
	kept "-o x.svg on a full tmpfs" "$T/err" "$T/full/run.svg" $?
	check "-o x.svg on a full tmpfs: says the kept file is native JSON" \
		grep -q 'kept in [^ ]*\.json (native JSON' "$T/err"
	check "-o x.svg on a full tmpfs: leaves nothing there" \
		test "$(ls -A "$T/full")" = fill
	check "-o x.svg on a full tmpfs: the kept file is private (0600)" \
		test "$(stat -c %a "$k")" = 600

	# Remounted read-only while recording: EROFS at the end.
	tmpfs "$T/ro" 1m
	timeout 60 "$SCORCH" record -F 499 -o "$T/ro/run.json" -- \
		"$EXAMPLES/cpuburn" 1 2>"$T/err" &
	rec=$!
	recording $rec
	mount -o remount,ro "$T/ro"
	wait $rec
	kept "-o on a filesystem remounted read-only" "$T/err" "$T/ro/run.json" $?
	check "read-only: the reason is EROFS" grep -q 'Read-only file system; ' "$T/err"
fi

# The output's directory removed while recording.
mkdir "$T/gone"
timeout 60 "$SCORCH" record -F 499 -o "$T/gone/run.folded" -- \
	"$EXAMPLES/cpuburn" 1 2>"$T/err" &
rec=$!
recording $rec
rm -rf "$T/gone"
wait $rec
kept "-o in a directory removed while recording" "$T/err" "$T/gone/run.folded" $?

# Every fallback fails: in a mount namespace of its own, /tmp is a full
# tmpfs, $TMPDIR and the current directory a read-only one.
if ! [ -d /mnt ] || ! unshare -m true 2>/dev/null ||
	! mount -t tmpfs none "$T/tmpd" 2>/dev/null; then
	skip "record says when no fallback takes the recording" "no mount namespace"
else
	umount "$T/tmpd"
	# The outer shell opens the error file, outside the hidden /tmp.
	# The checkout (so scorch and the examples) may live under /tmp: the
	# real /tmp stays reachable through a bind mount on /mnt.
	unshare -m sh -c '
		s=$1 e=$2
		case $s in /tmp/*) s=/mnt/${s#/tmp/} ;; esac
		case $e in /tmp/*) e=/mnt/${e#/tmp/} ;; esac
		mount --bind /tmp /mnt &&
		mount -t tmpfs -o size=64k none /tmp && mkdir /tmp/ro &&
		mount -t tmpfs -o ro none /tmp/ro &&
		{ dd if=/dev/zero of=/tmp/fill bs=4096 2>/dev/null; true; } &&
		cd /tmp/ro && TMPDIR=/tmp/ro timeout 60 "$s" record -F 499 \
			-o /dev/full -- "$e/cpuburn" 0.3' sh \
		"$(realpath "$SCORCH")" "$(realpath "$EXAMPLES")" 2>"$T/err"
	st=$?
	if [ $st -eq 2 ] && [ "$(grep -c . "$T/err")" -eq 1 ] &&
		grep -q '^scorch: /dev/full: cannot write output file: No space left on device; the recording is lost, no fallback took it; /tmp/ro: [^;]*: Read-only file system; /tmp[:/][^;]*: No space left on device$' "$T/err"; then
		ok "no fallback takes it: exit 2, one line naming each try and why"
	else
		not_ok "no fallback takes it: exit 2, one line naming each try and why" \
			"exit $st" "$(cat "$T/err")"
	fi
fi

# SIGINT while record writes: the reader of a FIFO takes one byte, then
# waits, so record is blocked in write() (the profile, padded by a 100 KB
# label, is bigger than the pipe) when the signals come.
pad=$(head -c 100000 /dev/zero | tr '\0' x)
mkfifo "$T/fifo"
timeout 60 "$SCORCH" record -F 499 -L "pad=$pad" -o "$T/fifo" -- \
	"$EXAMPLES/cpuburn" 0.3 2>"$T/err" &
rec=$!
{
	dd bs=1 count=1 2>/dev/null
	sleep 2
	cat
} <"$T/fifo" >"$T/got.json" &
reader=$!
wait_file "$T/got.json"
sleep 0.5
for i in 1 2 3; do
	kill -INT $rec 2>/dev/null
	sleep 0.1
done
wait $rec
st=$?
wait $reader
back=$("$SCORCH" report "$T/got.json" 2>/dev/null | sed -n 's/^samples: //p')
n=$(sed -n 's/^scorch: \([0-9]*\) samples from .*/\1/p' "$T/err")
if [ $st -eq 0 ] && [ -n "$back" ] && [ "$back" = "$n" ] &&
	[ "$(tr -cd x <"$T/got.json" | wc -c)" -ge 100000 ]; then
	ok "SIGINT while writing: the output is whole (exit 0, $back samples)"
else
	not_ok "SIGINT while writing: the output is whole" \
		"exit $st, summary '$n', read back '$back'," \
		"$(wc -c <"$T/got.json") bytes" "$(cut -c1-300 "$T/err")"
fi

# SIGINT ends a recording of a running process: the output is whole.
start_bg "$EXAMPLES/cpuburn" 10
timeout 60 "$SCORCH" record -F 499 -p "$bg_pid" -o "$T/int.json" 2>"$T/err" &
rec=$!
sleep 2
kill -INT $rec
wait $rec
st=$?
back=$("$SCORCH" report "$T/int.json" 2>/dev/null | sed -n 's/^samples: //p')
n=$(sed -n 's/^scorch: \([0-9]*\) samples from .*/\1/p' "$T/err")
if [ $st -eq 0 ] && [ -n "$back" ] && [ "$back" = "$n" ] && [ "$back" -gt 0 ]; then
	ok "SIGINT ends record -p: the output is whole ($back samples)"
else
	not_ok "SIGINT ends record -p: the output is whole" \
		"exit $st, summary '$n', read back '$back'" "$(cat "$T/err")"
fi

tap_done
