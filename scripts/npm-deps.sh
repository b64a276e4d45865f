#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/npm-deps.sh - install the npm packages the browser tests use
# (tests/browser/package.json: playwright-core, which drives Debian's
# chromium and never downloads a browser of its own) with `npm ci` from the
# committed lock file. Run by deps.sh; silent when they are installed and
# the lock file has not changed since.
set -eu
dir=$(cd "$(dirname "$0")/../tests/browser" && pwd)
stamp=$dir/node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "scorch: npm is missing: sudo apt-get install -y nodejs npm" >&2
		exit 1
	fi
	echo "scorch: installing Debian packages: nodejs npm" >&2
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -qq --no-install-recommends nodejs npm >&2
fi
echo "scorch: installing the browser tests' npm packages (npm ci)" >&2
cd "$dir"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent >&2
