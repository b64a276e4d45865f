/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/aa.c - the A/A program: one source, built twice
 * (aa-1, aa-2) from identical source, and compared with itself. Nothing
 * changed, so nothing may be flagged. A mix of the program's own
 * functions and libc's (strlen, memcpy, qsort with a comparator).
 *
 *   main - round - tokenize        20000 steps
 *                |- compute        25000
 *                |- reduce         15000
 *                |- measure         2000, strlen() on 8 rows of 16 KiB
 *                |- copy_blocks     2000, memcpy() of 4 x 32 KiB
 *                |- sort_keys       qsort() of 512 keys (by_key)
 *                `- tiny            1500
 */
#include <string.h>

#include "work.h"

#define ROW_BYTES 16384
#define BLOCK_BYTES 32768
#define NKEYS 512

static char row[ROW_BYTES + 1];
static char src[BLOCK_BYTES], dst[BLOCK_BYTES];
static uint32_t keys[NKEYS];

DC_FRAME static void
tokenize(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
compute(void)
{
	DC_WORK(25000);
}

DC_FRAME static void
reduce(void)
{
	DC_WORK(15000);
}

DC_FRAME static void
tiny(void)
{
	DC_WORK(1500);
}

DC_FRAME static void
measure(void)
{
	int i;

	DC_WORK(2000);
	for (i = 0; i < 8; i++) {
		dc_sink += strlen(row);
		DC_AFTER_CALL();
	}
}

DC_FRAME static void
copy_blocks(void)
{
	int i;

	DC_WORK(2000);
	for (i = 0; i < 4; i++) {
		memcpy(dst, src, sizeof dst);
		DC_AFTER_CALL();
	}
	dc_sink += (unsigned char)dst[i];
}

static int
by_key(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

DC_FRAME static void
sort_keys(void)
{
	uint64_t x = dc_sink;
	int i;

	for (i = 0; i < NKEYS; i++) {
		x ^= x >> 29;
		x = x * 0xbf58476d1ce4e5b9ULL + 1;
		keys[i] = (uint32_t)(x >> 32);
	}
	dc_sink = x;
	qsort(keys, NKEYS, sizeof keys[0], by_key);
	DC_AFTER_CALL();
}

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2600);

	memset(row, 'x', ROW_BYTES);
	memset(src, 'y', sizeof src);
	for (i = 0; i < n; i++) {
		tokenize();
		compute();
		reduce();
		measure();
		copy_blocks();
		sort_keys();
		tiny();
	}
	return dc_done("diffcorpus-aa");
}
