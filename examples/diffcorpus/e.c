/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/e.c - class e: a small leaf, 2.5% of the CPU time,
 * 9% slower in the PR (+0.22% of the total). Culprit: small_leaf; with 3
 * runs a side the evidence is weak, so a report may call it a possible
 * regression rather than a finding.
 *
 *   main - round - big_a       40000 steps
 *                |- big_b      30000
 *                |- big_c      20000
 *                |- mid_d       7500
 *                `- small_leaf  2500; PR 2725 (+9%)
 */
#include "work.h"

DC_FRAME static void
big_a(void)
{
	DC_WORK(40000);
}

DC_FRAME static void
big_b(void)
{
	DC_WORK(30000);
}

DC_FRAME static void
big_c(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
mid_d(void)
{
	DC_WORK(7500);
}

DC_FRAME static void
small_leaf(void)
{
	DC_WORK(PR ? 2725 : 2500);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2500);

	for (i = 0; i < n; i++) {
		big_a();
		big_b();
		big_c();
		mid_d();
		small_leaf();
	}
	return dc_done("diffcorpus-e");
}
