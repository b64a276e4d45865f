/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/c.c - class c: the regression is in an always-inline
 * helper (mix_step), inlined into its caller (process); the PR makes the
 * helper 50% slower. Culprit: mix_step, inlined into process.
 *
 *   main - round - load_input        20000 steps
 *                |- process          20000 of its own
 *                |   `- mix_step     15000, inlined; PR 22500 (+50%)
 *                |- store_output     15000
 *                `- checksum         15000
 */
#include "work.h"

static inline __attribute__((always_inline)) void
mix_step(void)
{
	DC_WORK(PR ? 22500 : 15000);
}

DC_FRAME static void
process(void)
{
	DC_WORK(20000);
	mix_step();
	DC_AFTER_CALL();
}

DC_FRAME static void
load_input(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
store_output(void)
{
	DC_WORK(15000);
}

DC_FRAME static void
checksum(void)
{
	DC_WORK(15000);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2700);

	for (i = 0; i < n; i++) {
		load_input();
		process();
		store_output();
		checksum();
	}
	return dc_done("diffcorpus-c");
}
