# SPDX-License-Identifier: MIT
# tests/data/regress/make-repo.sh - sourced by end-to-end tests:
# make_repo DIR builds a throwaway git repository of six commits around
# bench.c, in which exactly one commit makes `checksum` slower:
#
#   1 good      bench: parse, checksum, render    checksum 20% of the work
#   2           render: bigger buffers             does not build
#   3           render: fix the build
#   4 culprit   checksum: verify every record      checksum 60% of the work
#   5           parse: comments
#   6 bad       README
#
# and sets good, broken, culprit and bad to the full ids of commits 1, 2, 4
# and 6. Needs git, cc, make and sed.

regress_data=$(cd "$(dirname "$0")/../data/regress" && pwd)

# regress_commit DIR MESSAGE: commit everything in DIR, as a fixed author
# and whatever the user's git configuration says.
regress_commit() {
	git -C "$1" add -A &&
		git -C "$1" -c user.name=scorch-test -c user.email=test@scorch.invalid \
			-c commit.gpgsign=false commit -q -m "$2" &&
		git -C "$1" rev-parse HEAD
}

make_repo() {
	d=$1
	mkdir -p "$d" && git init -q "$d" || return 1
	cp "$regress_data/bench.c" "$d/bench.c"
	printf 'bench: bench.c\n\tcc -O2 -g -o bench bench.c\n' >"$d/Makefile"
	printf 'bench\n' >"$d/.gitignore"
	good=$(regress_commit "$d" "bench: parse, checksum, render") || return 1
	sed -i 's/^#define RENDER_UNITS 3$/#define RENDER_UNITS 3 +/' "$d/bench.c"
	broken=$(regress_commit "$d" "render: bigger buffers") || return 1
	sed -i 's/^#define RENDER_UNITS 3 +$/#define RENDER_UNITS 3/' "$d/bench.c"
	regress_commit "$d" "render: fix the build" >/dev/null || return 1
	sed -i 's/^#define CHECKSUM_UNITS 2$/#define CHECKSUM_UNITS 12/' "$d/bench.c"
	culprit=$(regress_commit "$d" "checksum: verify every record") || return 1
	sed -i 's|^parse_records(void)$|parse_records(void) /* the input */|' "$d/bench.c"
	regress_commit "$d" "parse: comments" >/dev/null || return 1
	printf 'A benchmark.\n' >"$d/README"
	bad=$(regress_commit "$d" "README") || return 1
}
