/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/f.c - class f: a library callee called more. libc's
 * strlen is the same code in both builds; in the PR, format_rows calls it
 * on twice as many rows. Culprit: strlen (libc's variant of it, e.g.
 * __strlen_avx2), called more via format_rows.
 *
 *   main - round - parse_input    25000 steps
 *                |- render        20000
 *                |- layout        15000
 *                `- format_rows    3000, and strlen() on ROWS rows of
 *                    `- strlen     16 KiB; PR: 2 x ROWS
 */
#include <string.h>

#include "work.h"

#define ROW_BYTES 16384 /* in L1/L2: strlen's speed is not the memory's */
#define ROWS 160

static char row[ROW_BYTES + 1];

DC_FRAME static void
format_rows(void)
{
	int i;

	DC_WORK(3000);
	for (i = 0; i < (PR ? 2 * ROWS : ROWS); i++) {
		dc_sink += strlen(row);
		DC_AFTER_CALL();
	}
}

DC_FRAME static void
parse_input(void)
{
	DC_WORK(25000);
}

DC_FRAME static void
render(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
layout(void)
{
	DC_WORK(15000);
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 3300);

	memset(row, 'x', ROW_BYTES);
	for (i = 0; i < n; i++) {
		parse_input();
		render();
		layout();
		format_rows();
	}
	return dc_done("diffcorpus-f");
}
