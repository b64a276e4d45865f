/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/jlib.c - libdcshared.so for class j (j.c): built
 * twice, the PR's lib_transform 40% slower.
 */
#include "jlib.h"
#include "work.h"

static volatile uint64_t lib_sink = 0x2545f4914f6cdd1dULL;

/* The library's own copy of DC_WORK's state: it links no work.c. */
#define LIB_WORK(steps)                                                        \
	do {                                                                   \
		uint64_t x_ = lib_sink;                                        \
		DC_SPIN(x_, steps);                                            \
		lib_sink = x_;                                                 \
	} while (0)

DC_FRAME void
lib_transform(void)
{
	LIB_WORK(PR ? 35000 : 25000);
}

DC_FRAME void
lib_helper(void)
{
	LIB_WORK(10000);
}
