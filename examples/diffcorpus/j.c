/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/j.c - class j: the regression is inside a shared
 * library. j-base and j-pr are the same program, each linked with its own
 * build of libdcshared.so (jlib.c; the PR's lib_transform is 40% slower),
 * found through the rpath $ORIGIN/j-base.lib or $ORIGIN/j-pr.lib.
 * Culprit: lib_transform (libdcshared.so).
 *
 *   main - round - prepare             20000 steps
 *                |- lib_transform      25000; PR 35000 (+40%)  [.so]
 *                |- lib_helper         10000                   [.so]
 *                `- emit               15000
 */
#include "jlib.h"
#include "work.h"

DC_FRAME static void
prepare(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
emit(void)
{
	DC_WORK(15000);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2500);

	for (i = 0; i < n; i++) {
		prepare();
		lib_transform();
		lib_helper();
		emit();
	}
	return dc_done("diffcorpus-j");
}
