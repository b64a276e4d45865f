#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/node/install.sh - install the npm packages the tests and benchmarks
# use (package.json, pinned by package-lock.json: decoders for scorch's
# exports, and playwright-core, which drives Debian's chromium and never
# downloads a browser) into tests/node/node_modules, once. Silent when they
# are there.
# Exits 1 with a message when node or npm is missing or npm fails.
set -eu
cd "$(dirname "$0")"
[ -f node_modules/.package-lock.json ] &&
	[ node_modules/.package-lock.json -nt package-lock.json ] && exit 0
for c in node npm; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "scorch: tests/node: $c is not installed (scripts/deps.sh node installs it; make check does)" >&2
		exit 1
	fi
done
echo "scorch: tests/node: npm ci (pprof-format, speedscope, playwright-core, markdown-it)" >&2
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
