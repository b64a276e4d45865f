#!/bin/sh
# SPDX-License-Identifier: MIT
# Stripped binaries: names come from a separate debug file found through
# .gnu_debuglink (beside the binary or in .debug/), and without any debug
# information frames are kept as [module+0xOFFSET], never dropped.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "stripped binaries" "no permission for perf events"
	tap_done
fi
if ! command -v objcopy >/dev/null 2>&1; then
	skip "stripped binaries" "objcopy (binutils) is not installed"
	tap_done
fi

mkdir -p "$T/bin/.debug"
cp "$EXAMPLES/cpuburn" "$T/bin/cpuburn"
objcopy --only-keep-debug "$T/bin/cpuburn" "$T/bin/cpuburn.debug"
objcopy --strip-all --add-gnu-debuglink="$T/bin/cpuburn.debug" "$T/bin/cpuburn"
check "the example binary is stripped" sh -c "nm '$T/bin/cpuburn' 2>&1 | grep -q 'no symbols'"

# record_stripped NAME: record the stripped cpuburn into $T/NAME.folded.
record_stripped() {
	timeout 60 "$SCORCH" record -F 499 -o "$T/$1.folded" -- \
		"$T/bin/cpuburn" 0.5 2>"$T/err"
}

record_stripped beside
n=$(count "$T/beside.folded" ';main;run;alpha(;|$)')
check "a debug file beside the binary names its frames ($n alpha samples)" test "$n" -gt 15

mv "$T/bin/cpuburn.debug" "$T/bin/.debug/cpuburn.debug"
record_stripped dotdebug
n=$(count "$T/dotdebug.folded" ';main;run;alpha(;|$)')
check "a debug file in .debug/ names its frames ($n alpha samples)" test "$n" -gt 15

rm "$T/bin/.debug/cpuburn.debug"
record_stripped none
rc=$?
# A sample or two may land in the dynamic loader at start-up, outside cpuburn.
n=$(count "$T/none.folded" '\[cpuburn\+0x[0-9a-f]+\]')
t=$(count "$T/none.folded" '.')
named=$(count "$T/none.folded" ';(main|run|alpha|beta|gamma)(;|$)')
if [ $rc -eq 0 ] && [ "$n" -ge $((t * 9 / 10)) ] && [ "$named" -eq 0 ]; then
	ok "without debug info cpuburn's frames are kept as [cpuburn+0xOFF] ($n of $t)"
else
	not_ok "without debug info frames are kept as [cpuburn+0xOFF]" \
		"exit $rc, $n of $t, $named named" "$(head -3 "$T/none.folded")"
fi
tap_done
