/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/a.c - class a: fixed work, five hot functions; the
 * PR makes the recursive one (walk, a binary tree of 127 nodes a round)
 * 35% slower. Culprit: walk.
 *
 *   main - round - walk (recursive)  50800 steps; PR 68580 (+35%)
 *                |- hash_block       25000
 *                |- scan_table       25000
 *                |- mix_rows         20000
 *                `- sum_squares      15000
 */
#include "work.h"

#define NODE_STEPS (PR ? 540 : 400)

DC_FRAME static void
walk(int depth)
{
	DC_WORK(NODE_STEPS);
	if (depth > 0) {
		walk(depth - 1);
		walk(depth - 1);
	}
	DC_AFTER_CALL();
}

DC_FRAME static void
hash_block(void)
{
	DC_WORK(25000);
}

DC_FRAME static void
scan_table(void)
{
	DC_WORK(25000);
}

DC_FRAME static void
mix_rows(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
sum_squares(void)
{
	DC_WORK(15000);
}

DC_FRAME static void
round_once(void)
{
	walk(6);
	hash_block();
	scan_table();
	mix_rows();
	sum_squares();
	DC_AFTER_CALL();
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 1800);

	for (i = 0; i < n; i++)
		round_once();
	return dc_done("diffcorpus-a");
}
