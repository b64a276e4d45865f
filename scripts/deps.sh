#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/deps.sh - install the Debian packages scorch builds and tests with.
# Silent and fast when everything is present; installs only what is missing.
# Run by `make` (every goal but clean/format), so a fresh clone needs nothing else.
set -eu

# Build: compiler, libraries. Tests: cmocka, xmllint, readelf/eu-* tools;
# g++ (C++ test binaries), libc6-dbg (libc's DWARF under
# /usr/lib/debug/.build-id/), debuginfod (a local server for the debuginfod
# test; libdebuginfod1 is what libdw loads when DEBUGINFOD_URLS is set).
# Bench: perf, eu-addr2line and addr2line (the peers scorch is measured
# against), GNU time (peak RSS). Export: protobuf-c (protoc-c generates the
# pprof encoder), zlib. Browser tests of the SVG: chromium (driven by npm's
# playwright-core, tests/node). examples/loadtest and its test: wrk (the
# load), curl (single requests); scripts/profile-diff.sh and the bisect
# test: git; the CI workflow test: python3-yaml (Debian's python3 reads
# examples/ci/profile-diff.yml). Toolchain layouts (load bias tests, the
# LLD-linked stackmix): clang, lld; gold comes with binutils.
PKGS="gcc g++ make pkg-config libelf-dev libdw-dev libunwind-dev libcjson-dev
libcmocka-dev libiberty-dev libxml2-utils elfutils binutils linux-perf
libc6-dbg debuginfod libdebuginfod1 libprotobuf-c-dev protobuf-c-compiler
zlib1g-dev chromium time wrk curl git python3 python3-yaml"
# clang + LLD: the PLT naming tests and the LLD-linked unwinding tests
# link with LLD as well as GNU ld (gold comes with binutils).
PKGS="$PKGS clang lld"
# The libFuzzer targets (tests/fuzz/, make fuzz, part of make check):
# clang's libFuzzer and sanitizer runtimes, only Recommended by clang-14 (so
# not installed with --no-install-recommends); Debian 12's clang is 14.
PKGS="$PKGS libclang-rt-14-dev"

# The toolchain matrix (make matrix, tests/e2e/toolchain_matrix.sh):
# Debian's Rust and Go compilers (binutils brings gold, g++ is above); Go's
# own `go tool pprof` reads the pprof export in tests/e2e/pprof_go.sh.
PKGS="$PKGS rustc golang-go"

# One dpkg-query for all: the installed ones print "ii NAME".
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $PKGS 2>/dev/null |
	awk '$1 == "ii" { sub(/:.*/, "", $2); print $2 }')
missing=""
for p in $PKGS; do
	case " $(echo $installed) " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
# Tests decode exports with npm packages (tests/node/install.sh): Debian's
# nodejs and npm, unless a node and npm are already on the PATH (from any
# source: asking dpkg would fight a Node.js installed another way).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "scorch: missing Debian packages:$missing" >&2
	echo "scorch: install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "scorch: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (a parallel make, unattended-upgrades) rather
# than fail on its lock.
lock="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2086
apt-get $lock update -qq >&2
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends $missing >&2
