#!/bin/sh
# SPDX-License-Identifier: MIT
# A name for every frame: scorch addr2line (names, definition file:line, bad
# input), separate debug files under the real /usr/lib/debug/.build-id/ and
# from a local debuginfod server (and no network without DEBUGINFOD_URLS),
# C++ and Rust (legacy and v0) names demangled in recorded profiles, and
# -O2 inline chains with their file:line in the native JSON.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
unset DEBUGINFOD_URLS DEBUGINFOD_CACHE_PATH
sysdbg=""
trap 'rm -f "$sysdbg"; tap_cleanup' EXIT

# build NAME TAG: a small C program $T/NAME with a unique build-id (TAG is
# compiled in), -O2 -g; its target function's address goes to $addr.
build() {
	cat >"$T/$1.c" <<EOC
#include <stdio.h>
const char *scorch_tag = "$2 $$";
__attribute__((noinline)) int
scorch_e2e_target(int x)
{
	return x * 7 + scorch_tag[0];
}
int
main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", scorch_e2e_target(argc));
	return 0;
}
EOC
	cc -O2 -g -Wl,--build-id -o "$T/$1" "$T/$1.c" || return 1
	addr=0x$(nm "$T/$1" | awk '$3 == "scorch_e2e_target" { print $1 }')
}

# build_id FILE: the GNU build-id as hex
build_id() {
	readelf -n "$1" | awk '/Build ID:/ { print $3 }'
}

# ---- scorch addr2line --------------------------------------------------------
build prog plain
def=$(grep -n '^scorch_e2e_target(' "$T/prog.c" | cut -d: -f1)
out=$("$SCORCH" addr2line -e "$T/prog" -f "$addr" 2>&1)
if [ "$(echo "$out" | sed -n 1p)" = scorch_e2e_target ] &&
	echo "$out" | sed -n 2p | grep -q "prog.c:$def\$"; then
	ok "addr2line names a function and the line of its definition"
else
	not_ok "addr2line names a function and its definition" "$out"
fi
peer=$(addr2line -f -e "$T/prog" "$addr" | head -1)
check "addr2line agrees with binutils addr2line ($peer)" test "$peer" = scorch_e2e_target
out=$(printf '%s\n\n0x0\n' "$addr" | "$SCORCH" addr2line -e "$T/prog" -a -f)
check "addresses from stdin, blank lines skipped, ?? for no function" \
	test "$(echo "$out" | tr '\n' ' ')" = "$(printf '0x%016x' "$addr") scorch_e2e_target $(echo "$out" | sed -n 3p) 0x0000000000000000 ?? ??:0 "

# Relative names: ./prog, prog, dir/../prog and a relative symlink name
# the same function as the absolute path (they were all "not a file").
ln -s prog "$T/link"
for rel in ./prog prog "../$(basename "$T")/prog" ./link; do
	out=$(cd "$T" && "$SCORCH" addr2line -e "$rel" -f "$addr" 2>&1)
	check "addr2line -e $rel (a relative path) names the function" \
		test "$(echo "$out" | sed -n 1p)" = scorch_e2e_target
done
# The README's example, literally, in the directory of a binary named server.
cp "$T/prog" "$T/server"
printf '%s\n0x0\n' "$addr" >"$T/addresses.txt"
(cd "$T" && "$SCORCH" addr2line -e ./server -a -f -i < addresses.txt > names.txt) 2>"$T/err"
rc=$?
check "the README's 'scorch addr2line -e ./server -a -f -i < addresses.txt > names.txt' (exit $rc)" \
	test $rc -eq 0 -a "$(sed -n 2p "$T/names.txt")" = scorch_e2e_target \
	-a "$(sed -n 4p "$T/names.txt")" = 0x0000000000000000 -a ! -s "$T/err"
out=$(cd "$T" && "$SCORCH" addr2line -e ./nope 0x10 2>&1)
check "a missing relative file is named as written ($out)" \
	test "$out" = "scorch: ./nope: No such file or directory"

# bad_input DESC EXPECTED-TEXT [STDIN-TEXT] -- ARGS...: exit 2, one line
bad_input() {
	desc=$1 want=$2 input=$3
	shift 4
	printf '%b' "$input" | "$SCORCH" addr2line "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -q "^scorch: .*$want" "$T/err"; then
		ok "bad input: $desc"
	else
		not_ok "bad input: $desc" "exit $rc" "$(cat "$T/err")"
	fi
}
bad_input "a missing file" "$T/nope: No such file" "" -- -e "$T/nope" 0x10
echo "not an ELF file" >"$T/text"
bad_input "not an ELF file" "$T/text: not a usable ELF" "" -- -e "$T/text" 0x10
head -c 3000 "$T/prog" >"$T/cut"
bad_input "a truncated ELF file" "$T/cut: truncated ELF" "" -- -e "$T/cut" 0x10
bad_input "an argument that is not an address" "'zz' is not a hex" "" -- -e "$T/prog" zz
bad_input "a stdin line that is not an address" "<stdin>:2: 'xyz'" "0x10\nxyz\n" -- -e "$T/prog"

# ---- separate debug files ------------------------------------------------------
# Debian's libc6-dbg puts libc's DWARF under the default path; _int_malloc is
# a static function: only that debug file can name it.
libc=$(ldd "$SCORCH" | awk '$1 == "libc.so.6" { print $3 }')
id=$(build_id "$libc" 2>/dev/null)
dbg=/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug
if [ ! -f "$dbg" ]; then
	skip "libc named from /usr/lib/debug/.build-id/" "libc6-dbg is not installed ($dbg)"
else
	a=0x$(readelf -sW "$dbg" 2>/dev/null | awk '$8 == "_int_malloc" { print $2; exit }')
	# -i: its first instruction may belong to a call inlined into it.
	out=$("$SCORCH" addr2line -e "$libc" -f -i "$a" 2>&1)
	ndyn=$(readelf --dyn-syms -W "$libc" | grep -c ' _int_malloc$')
	if [ "$ndyn" -eq 0 ] && [ "$(echo "$out" | tail -2 | head -1)" = _int_malloc ] &&
		echo "$out" | tail -1 | grep -q 'malloc\.c:[0-9]'; then
		ok "libc's static _int_malloc named from /usr/lib/debug/.build-id/ (libc6-dbg)"
	else
		not_ok "libc named from /usr/lib/debug/.build-id/" "$out"
	fi
fi

# A stripped test binary, its debug file placed under the real default path.
build sys "sysdbg $(date +%s%N)"
id=$(build_id "$T/sys")
d=/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)
if [ "$(id -u)" -ne 0 ] || ! mkdir -p "$d" 2>/dev/null; then
	skip "a stripped binary named through /usr/lib/debug/.build-id/" "needs root to write $d"
else
	sysdbg=$d/$(echo "$id" | cut -c3-).debug
	objcopy --only-keep-debug "$T/sys" "$sysdbg"
	objcopy --strip-all "$T/sys"
	out=$("$SCORCH" addr2line -e "$T/sys" -f "$addr" 2>&1)
	check "a stripped binary is named through /usr/lib/debug/.build-id/ ($(echo "$out" | head -1))" \
		test "$(echo "$out" | head -1)" = scorch_e2e_target
	rm -f "$sysdbg"
	out=$("$SCORCH" addr2line -e "$T/sys" -f "$addr" 2>&1)
	check "without the debug file it is not named ($(echo "$out" | head -1))" \
		test "$(echo "$out" | head -1)" = "??"
fi

# debuginfod: a local server on 127.0.0.1 serving the debug file.
if ! command -v debuginfod >/dev/null 2>&1 || ! command -v debuginfod-find >/dev/null 2>&1; then
	skip "debuginfod" "debuginfod is not installed (Debian package debuginfod)"
else
	build dfd "debuginfod $(date +%s%N)"
	id=$(build_id "$T/dfd")
	mkdir -p "$T/srv"
	objcopy --only-keep-debug "$T/dfd" "$T/srv/dfd.debug"
	objcopy --strip-all "$T/dfd"
	port=$((20000 + $$ % 20000))
	start_bg debuginfod -F -p "$port" -d "$T/db.sqlite" "$T/srv" >"$T/dfd.log" 2>&1
	url=http://127.0.0.1:$port
	i=0
	while ! DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$T/probe \
		debuginfod-find debuginfo "$id" >/dev/null 2>&1 && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	if [ $i -ge 100 ]; then
		not_ok "debuginfod server on $url did not serve the debug file" "$(tail -3 "$T/dfd.log")"
	else
		t0=$(date +%s%N)
		out=$(DEBUGINFOD_CACHE_PATH=$T/cache0 "$SCORCH" addr2line -e "$T/dfd" -f "$addr" 2>&1)
		ms=$((($(date +%s%N) - t0) / 1000000))
		if [ "$(echo "$out" | head -1)" = "??" ] && [ ! -e "$T/cache0" ] && [ $ms -lt 3000 ]; then
			ok "DEBUGINFOD_URLS unset: no debuginfod request, no delay (${ms} ms)"
		else
			not_ok "DEBUGINFOD_URLS unset: no debuginfod request" "$out, ${ms} ms" "$(ls "$T")"
		fi
		out=$(DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$T/cache \
			"$SCORCH" addr2line -e "$T/dfd" -f "$addr" 2>&1)
		check "DEBUGINFOD_URLS set: names come from the server ($(echo "$out" | head -1))" \
			test "$(echo "$out" | head -1)" = scorch_e2e_target
	fi
fi

# ---- recorded profiles ---------------------------------------------------------
if ! can_perf; then
	skip "C++, Rust and inline frames in recorded profiles" "no permission for perf events"
	tap_done
fi

# C++: namespaces, a class template, an operator, a lambda.
if ! command -v g++ >/dev/null 2>&1; then
	skip "C++ names" "g++ is not installed"
else
	g++ -std=c++17 -O1 -g -fno-omit-frame-pointer -o "$T/geo" "$top/tests/data/geo.cc"
	timeout 60 "$SCORCH" record -q -F 499 -o "$T/geo.folded" -- "$T/geo" 0.5
	want='double geo::sum<double>\(int\);geo::sum<double>\(int\)::\{lambda\(int\)#1\}::operator\(\)\(int\) const;geo::Vec<double>::operator\+\(geo::Vec<double> const&\) const'
	n=$(count "$T/geo.folded" "$want")
	t=$(count "$T/geo.folded" .)
	check "C++ frames demangled: sum<double>, its lambda, Vec<double>::operator+ ($n of $t)" \
		test "$n" -gt $((t / 2))
	timeout 60 "$SCORCH" record -q -F 499 --no-demangle -o "$T/geo-raw.folded" -- "$T/geo" 0.3
	n=$(count "$T/geo-raw.folded" ';_ZNK3geo3VecIdEplERKS1_')
	check "--no-demangle keeps _ZNK3geo3VecIdEplERKS1_ ($n samples)" test "$n" -gt 0
fi

# Rust, v0 and legacy mangling. Stable rustc makes v0 symbols by default
# and legacy ones only with an unstable flag, hence RUSTC_BOOTSTRAP; nm
# shows which mangling each build really has.
if ! command -v rustc >/dev/null 2>&1; then
	skip "Rust names (legacy and v0 mangling)" "rustc is not installed"
else
	for m in v0 legacy; do
		flags="-C symbol-mangling-version=$m"
		[ $m = legacy ] && flags="-Z unstable-options $flags"
		# shellcheck disable=SC2086
		RUSTC_BOOTSTRAP=1 rustc -O -g -C force-frame-pointers=yes $flags \
			-o "$T/hot-$m" "$top/tests/data/hot.rs" 2>"$T/rustc.err"
		case $m in
		v0) prefix=_R ;;
		legacy) prefix=_ZN ;;
		esac
		if ! nm "$T/hot-$m" 2>/dev/null | grep -q " $prefix.*4spin"; then
			skip "Rust $m mangling" "rustc did not build a $m-mangled binary: $(head -1 "$T/rustc.err")"
			continue
		fi
		timeout 60 "$SCORCH" record -q -F 499 -o "$T/hot-$m.folded" -- "$T/hot-$m" 0.5
		n=$(count "$T/hot-$m.folded" ';hot::main;hot::engine::spin(::<hot::engine::Mixer>)?;<hot::engine::Mixer as hot::engine::Step>::step(;[^;]*_\[i\])*$')
		t=$(count "$T/hot-$m.folded" .)
		# step's own code or core's functions inlined into it (the
		# inlined frames are below it, marked _[i]).
		check "Rust $m mangling demangled: hot::engine::spin, <Mixer as Step>::step ($n of $t)" \
			test "$n" -gt $((t / 2))
	done
fi

# -O2: burn_kernel is inlined into cpuburn's leaves; the JSON names it as an
# inlined frame with the file and line of its definition.
timeout 60 "$SCORCH" record -q -F 499 -o "$T/cpuburn.json" -- "$EXAMPLES/cpuburn" 0.5
line=$(grep -n '^burn_kernel(' "$top/examples/cpuburn.c" | cut -d: -f1)
check "an -O2 inline chain: burn_kernel is an inlined frame at examples/cpuburn.c:$line" \
	grep -q "{\"name\": \"burn_kernel\", \"module\": \"cpuburn\", \"kind\": \"inlined\", \"file\": \"[^\"]*examples/cpuburn.c\", \"line\": $line}" "$T/cpuburn.json"
line=$(grep -n '^alpha(' "$top/examples/cpuburn.c" | cut -d: -f1)
check "its caller alpha is a function frame at examples/cpuburn.c:$line" \
	grep -q "{\"name\": \"alpha\", \"module\": \"cpuburn\", \"kind\": \"user\", \"file\": \"[^\"]*examples/cpuburn.c\", \"line\": $line}" "$T/cpuburn.json"
timeout 60 "$SCORCH" record -q -F 499 -o "$T/cpuburn.folded" -- "$EXAMPLES/cpuburn" 0.5
n=$(count "$T/cpuburn.folded" ';main;run;alpha;burn_kernel_\[i\]$')
check "folded output marks it: main;run;alpha;burn_kernel_[i] ($n samples)" test "$n" -gt 15
tap_done
