/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/i.c - class i: recursion deeper than 150 frames
 * (descend calls itself 200 deep), the regression at the bottom: the PR
 * makes deep_leaf 40% slower. Culprit: deep_leaf.
 *
 *   main - round - top_a               20000 steps
 *                |- top_b              15000
 *                `- descend x 200        50 each
 *                    `- deep_leaf      20000; PR 28000 (+40%)
 */
#include "work.h"

#define DEPTH 200

DC_FRAME static void
deep_leaf(void)
{
	DC_WORK(PR ? 28000 : 20000);
}

DC_FRAME static void
descend(int depth)
{
	DC_WORK(50);
	if (depth > 0)
		descend(depth - 1);
	else
		deep_leaf();
	DC_AFTER_CALL();
}

DC_FRAME static void
top_a(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
top_b(void)
{
	DC_WORK(15000);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 3800);

	for (i = 0; i < n; i++) {
		top_a();
		top_b();
		descend(DEPTH);
	}
	return dc_done("diffcorpus-i");
}
