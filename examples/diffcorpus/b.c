/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/b.c - class b: a hot function reached through two
 * callers; in the PR one of them (parse_b) passes it 57% longer inputs.
 * Culprit: crunch (its own code did not change; its time did).
 *
 *   main - round - setup             15000 steps
 *                |- parse_a           2000 + crunch(300)  30000
 *                |- parse_b           2000 + crunch(300)  30000; PR crunch(471)
 *                `- finish            10000
 */
#include "work.h"

DC_FRAME static void
crunch(long len)
{
	DC_WORK(len * 100);
}

DC_FRAME static void
parse_a(void)
{
	DC_WORK(2000);
	crunch(300);
	DC_AFTER_CALL();
}

DC_FRAME static void
parse_b(void)
{
	DC_WORK(2000);
	crunch(PR ? 471 : 300);
	DC_AFTER_CALL();
}

DC_FRAME static void
setup(void)
{
	DC_WORK(15000);
}

DC_FRAME static void
finish(void)
{
	DC_WORK(10000);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2800);

	for (i = 0; i < n; i++) {
		setup();
		parse_a();
		parse_b();
		finish();
	}
	return dc_done("diffcorpus-b");
}
