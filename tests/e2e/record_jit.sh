#!/bin/sh
# SPDX-License-Identifier: MIT
# JIT frames are named from the process's perf map: Node with
# --perf-basic-prof runs examples/jit-hot.js, whose time is almost all in
# the JIT-compiled scorchHotLoop.
. "$(dirname "$0")/lib.sh"

if ! can_perf; then
	skip "JIT frames from perf maps" "no permission for perf events"
	tap_done
fi
if ! command -v node >/dev/null 2>&1; then
	skip "JIT frames from perf maps" "node is not installed"
	tap_done
fi
js="$(cd "$(dirname "$0")/../.." && pwd)/examples/jit-hot.js"
cd "$T" || exit 1
timeout 60 "$SCORCH" record -F 499 -o "$T/node.json" -- \
	node --perf-basic-prof "$js" 1.5 2>"$T/err"
rc=$?
pid=$(sed -n 's/.*"pids": *"\([0-9]*\)".*/\1/p' "$T/node.json")
rm -f "/tmp/perf-$pid.map"
check "record -- node exits 0" test $rc -eq 0
"$SCORCH" fold "$T/node.json" >"$T/node.folded"
s=$(share "$T/node.folded" 'JS:[*~^]?scorchHotLoop [^;]*_\[j\]' '.')
if within "$s" 100 50; then
	ok "the JIT-compiled function is named and marked _[j] in $s% of samples"
else
	not_ok "the JIT-compiled function is named in at least half the samples" \
		"$s%" "$(sort -t' ' -k2 -nr "$T/node.folded" | head -3 | cut -c1-300)"
fi
# MMAP2 calls anonymous memory "//anon": it is not a file to open.
check "no warning about anonymous memory" sh -c "! grep -q '//anon' '$T/err'"
check "its frame has kind jit in the native profile" \
	grep -q '"name": "JS:[*~^]*scorchHotLoop[^"]*", "module": "\[jit\]", "kind": "jit"' "$T/node.json"
# Node's own C++ frames are demangled, unless --no-demangle.
check "C++ frames are demangled (node::Start(int, char**))" \
	grep -q 'node::Start(int, char\*\*)' "$T/node.folded"
timeout 60 "$SCORCH" record --no-demangle -F 499 -o "$T/raw.json" -- \
	node --perf-basic-prof "$js" 0.5 2>"$T/err"
pid=$(sed -n 's/.*"pids": *"\([0-9]*\)".*/\1/p' "$T/raw.json")
rm -f "/tmp/perf-$pid.map"
check "--no-demangle keeps the mangled name (_ZN4node5StartEiPPc)" \
	grep -q '"name": "_ZN4node5StartEiPPc"' "$T/raw.json"
tap_done
