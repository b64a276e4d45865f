#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/embed.sh FILE - print FILE as the bytes of a C array initializer,
# NUL-terminated, for render/assets.c to #include: the browser code ships
# inside the binary but is kept as real .js/.css files. Fails when FILE
# holds "]]>", which would end the CDATA section the SVG wraps it in.
set -eu
if grep -q ']]>' "$1"; then
	echo "scorch: $1: holds ']]>', which would end the SVG's CDATA section" >&2
	exit 1
fi
od -An -v -tx1 "$1" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'
echo 0x00
