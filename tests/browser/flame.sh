#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/browser/flame.sh - run the browser test of the SVG flame graph
# (flame.mjs, TAP) for tests/run.sh: SCORCH names the binary to render with.
if ! command -v node >/dev/null 2>&1; then
	echo "ok 1 - browser tests # SKIP node not installed (Debian nodejs)"
	echo "1..1"
	exit 0
fi
exec node "$(dirname "$0")/flame.mjs"
