/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/h.c - class h: an improvement beside a regression.
 * The PR makes encode 40% slower and decode twice as fast. Culprit:
 * encode; decode must be listed as an improvement, never a regression.
 *
 *   main - round - encode   20000 steps; PR 28000 (+40%)
 *                |- decode  30000;       PR 15000 (-50%)
 *                |- frame   20000
 *                |- flush   15000
 *                `- verify  15000
 */
#include "work.h"

DC_FRAME static void
encode(void)
{
	DC_WORK(PR ? 28000 : 20000);
}

DC_FRAME static void
decode(void)
{
	DC_WORK(PR ? 15000 : 30000);
}

DC_FRAME static void
frame(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
flush(void)
{
	DC_WORK(15000);
}

DC_FRAME static void
verify(void)
{
	DC_WORK(15000);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2500);

	for (i = 0; i < n; i++) {
		encode();
		decode();
		frame();
		flush();
		verify();
	}
	return dc_done("diffcorpus-h");
}
