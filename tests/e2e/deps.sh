#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/deps.sh's sets, on a machine that has none of them (a dpkg-query
# that knows no package, no node on the PATH): `make` asks for the build set
# only, which holds no test tool; `make check` for the test set, which holds
# every family's packages. Nothing is installed: -n only prints.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$T/bin"
printf '#!/bin/sh\nexit 1\n' >"$T/bin/dpkg-query"
chmod +x "$T/bin/dpkg-query"
# sh and the tools deps.sh runs, without node and npm.
for c in sh awk printf id; do
	p=$(command -v $c) && ln -sf "$p" "$T/bin/$c"
done
fresh() {
	PATH=$T/bin "$T/bin/sh" "$top/scripts/deps.sh" -n "$@"
}

fresh build >"$T/build" 2>"$T/err"
check "deps.sh -n build runs" test $? -eq 0 -a -s "$T/build"
n=$(grep -c . "$T/build")
if [ "$n" -ge 5 ] && [ "$n" -le 12 ]; then
	ok "the build set is small ($n packages)"
else
	not_ok "the build set is small" "$n packages: $(tr '\n' ' ' <"$T/build")"
fi
for p in gcc make pkg-config libdw-dev libelf-dev libprotobuf-c-dev protobuf-c-compiler; do
	check "build set has $p" grep -qx "$p" "$T/build"
done
bad=$(grep -xE 'chromium|wrk|linux-perf|debuginfod|libcmocka-dev|clang|rustc|golang-go|nodejs|npm|curl' "$T/build" | tr '\n' ' ')
check "build set has no test tool${bad:+ (has $bad)}" test -z "$bad"

fresh test >"$T/test" 2>"$T/err"
for p in gcc libcmocka-dev libxml2-utils chromium nodejs npm libclang-rt-14-dev rustc golang-go wrk curl libc6-dbg debuginfod git python3-yaml; do
	check "test set has $p" grep -qx "$p" "$T/test"
done
fresh bogus >/dev/null 2>"$T/err"
rc=$?
check "an unknown set exits 2 with one line" test $rc -eq 2 -a "$(grep -c . "$T/err")" -eq 1

# The Makefile's goals and the sets they ask for (check's own comes last,
# after those of the makes it runs).
sets() {
	make -C "$top" -n -p "$@" 2>/dev/null | sed -n 's/^DEPS_SETS := //p' | tail -1
}
check "make asks for the build set" test "$(sets all)" = build
check "make check asks for the test set" test "$(sets check)" = test
check "make bench asks for the bench set" test "$(sets bench)" = bench
check "make clean asks for none" test -z "$(sets clean)"
tap_done
