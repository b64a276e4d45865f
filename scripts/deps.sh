#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/deps.sh [-n|--dry-run] [--list] [SET...] - install the Debian
# packages a set of goals needs (default: build). Silent and fast when
# everything is present; installs only what is missing.
#   -n, --dry-run   print the missing packages, one a line; install nothing
#       --list      print every package of the sets, one a line
# The Makefile calls it with the sets of the goals it was given (`make`:
# build; `make check`: test; `make bench`: bench; ...), so a fresh clone
# needs nothing else and `make` alone never installs the test tools.
#
# Sets (each includes build):
#   build    compiler and libraries: scorch and the examples
#   unit     cmocka (tests/unit)
#   e2e      what tests/e2e/*.sh run (below)
#   node     Debian's nodejs and npm (tests/node/install.sh: the decoders
#            and speedscope's app the export tests read exports with)
#   browser  chromium (tests/browser, speedscope's importer; driven by
#            npm's playwright-core) and node
#   fuzz     clang's libFuzzer (tests/fuzz, make fuzz)
#   matrix   the toolchain matrix's compilers (make matrix)
#   test     all of the above: make check
#   bench    make bench: the peers scorch is measured against, the matrix
#            and the browser
#   demo     make demo: build only
#   soak     make soak: wrk, the load
#   all      everything
set -eu

BUILD="gcc make pkg-config libelf-dev libdw-dev libunwind-dev libcjson-dev
libiberty-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev"
UNIT="libcmocka-dev"
# xmllint (SVG well-formed), readelf/eu-* and objcopy/strip (debug-info
# tests); g++ (C++ test binaries); libc6-dbg (libc's DWARF under
# /usr/lib/debug/.build-id/); debuginfod (a local server for the debuginfod
# test; libdebuginfod1 is what libdw loads when DEBUGINFOD_URLS is set);
# git (scripts/profile-diff.sh, the bisect test); python3-yaml (the CI
# workflow test reads examples/ci/profile-diff.yml); wrk and curl
# (examples/loadtest's test); clang and lld (the PLT naming and LLD-linked
# unwinding tests; gold comes with binutils); linux-perf (bad_input.sh asks
# `perf stat` whether the machine has hardware counters).
E2E="libxml2-utils elfutils binutils g++ libc6-dbg debuginfod libdebuginfod1
git python3 python3-yaml wrk curl clang lld linux-perf"
BROWSER="chromium"
# clang's libFuzzer and sanitizer runtimes, only Recommended by clang-14 (so
# not installed with --no-install-recommends); Debian 12's clang is 14.
FUZZ="clang libclang-rt-14-dev"
# Debian's Rust and Go compilers, clang + LLD, g++ (binutils brings gold).
MATRIX="clang lld g++ binutils rustc golang-go"
# perf, eu-addr2line and addr2line (the peers), GNU time (peak RSS), wrk
# and curl (bench/loadtest.sh).
BENCH="linux-perf elfutils binutils time wrk curl"
SOAK="wrk curl time"

dry=0 list=0 sets="" node=0
for a in "$@"; do
	case $a in
	-n | --dry-run) dry=1 ;;
	--list) list=1 ;;
	build | unit | e2e | node | browser | fuzz | matrix | test | bench | demo | soak | all)
		sets="$sets $a" ;;
	*)
		echo "scorch: scripts/deps.sh: unknown set '$a' (build, unit, e2e," \
			"node, browser, fuzz, matrix, test, bench, demo, soak, all)" >&2
		exit 2
		;;
	esac
done
[ -n "$sets" ] || sets=build

PKGS=$BUILD
for s in $sets; do
	case $s in
	unit) PKGS="$PKGS $UNIT" ;;
	e2e) PKGS="$PKGS $E2E" ;;
	node) node=1 ;;
	browser) PKGS="$PKGS $BROWSER" node=1 ;;
	fuzz) PKGS="$PKGS $FUZZ" ;;
	matrix) PKGS="$PKGS $MATRIX" ;;
	test | all)
		PKGS="$PKGS $UNIT $E2E $BROWSER $FUZZ $MATRIX" node=1
		[ "$s" = all ] && PKGS="$PKGS $BENCH $SOAK"
		;;
	bench) PKGS="$PKGS $BENCH $MATRIX $BROWSER" node=1 ;;
	soak) PKGS="$PKGS $SOAK" ;;
	esac
done
# One name a line, each once, in the order first given.
# shellcheck disable=SC2086
PKGS=$(printf '%s\n' $PKGS | awk '!seen[$0]++')

if [ $list -eq 1 ]; then
	printf '%s\n' $PKGS
	[ $node -eq 1 ] && printf '%s\n' nodejs npm
	exit 0
fi

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
# Node.js: Debian's nodejs and npm, unless a node and npm are already on
# the PATH (from any source: asking dpkg would fight a Node.js installed
# another way).
if [ $node -eq 1 ]; then
	command -v node >/dev/null 2>&1 || missing="$missing nodejs"
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
if [ $dry -eq 1 ]; then
	[ -z "$missing" ] || printf '%s\n' $missing
	exit 0
fi
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
