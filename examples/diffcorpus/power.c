/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/power.c - the power probe: one binary whose change
 * is a knob. `power SCALE PCT` runs the same six functions as always and
 * gives `target` extra work equal to PCT% of the baseline's total: `power 1
 * 0` against `power 1 2` is a change of +2% of the total in one function
 * (bench/diff-power.sh).
 *
 *   main - round - stage_a  30000 steps
 *                |- stage_b 25000
 *                |- stage_c 20000
 *                |- stage_d 10000
 *                |- stage_e 10000
 *                `- target   5000 + PCT x 1000
 */
#include "work.h"

static long extra;

DC_FRAME static void
stage_a(void)
{
	DC_WORK(30000);
}

DC_FRAME static void
stage_b(void)
{
	DC_WORK(25000);
}

DC_FRAME static void
stage_c(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
stage_d(void)
{
	DC_WORK(10000);
}

DC_FRAME static void
stage_e(void)
{
	DC_WORK(10000);
}

DC_FRAME static void
target(void)
{
	DC_WORK(5000 + extra);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2500);

	extra = (long)(dc_arg(argc, argv, 2, 0) * 1000 + 0.5);
	for (i = 0; i < n; i++) {
		stage_a();
		stage_b();
		stage_c();
		stage_d();
		stage_e();
		target();
	}
	return dc_done("diffcorpus-power");
}
