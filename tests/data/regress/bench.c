/* SPDX-License-Identifier: MIT */
/*
 * tests/data/regress/bench.c - the benchmark of the throwaway repositories
 * that tests/e2e/bisect.sh and tests/e2e/profile_diff.sh build
 * (make-repo.sh): a fixed amount of work split by construction between
 * three functions, PARSE_UNITS : CHECKSUM_UNITS : RENDER_UNITS. The
 * regressing commit raises CHECKSUM_UNITS from 2 to 12, so checksum goes
 * from 20% to 60% of the samples, and from ~60 ms to ~360 ms of CPU.
 *
 * Each function runs its own copy of the loop (a macro, not a shared
 * helper), so the function is the leaf of its samples; noipa keeps it a
 * real frame.
 */
#include <stdint.h>
#include <stdio.h>

#define PARSE_UNITS 5
#define CHECKSUM_UNITS 2
#define RENDER_UNITS 3
#define ROUNDS 400
#define UNIT_ITERS 40000 /* ~80 us: one serial multiply-xorshift chain */

static volatile uint64_t sink = 0x9e3779b97f4a7c15ULL;

#define BURN(units)                                                            \
	do {                                                                   \
		uint64_t x = sink;                                             \
		unsigned long i;                                               \
		for (i = 0; i < (unsigned long)(units)*UNIT_ITERS; i++) {      \
			x ^= x >> 29;                                          \
			x = x * 0xbf58476d1ce4e5b9ULL + 1;                     \
			__asm__ volatile("" : "+r"(x));                        \
		}                                                              \
		sink = x;                                                      \
	} while (0)

__attribute__((noipa)) static void
parse_records(void)
{
	BURN(PARSE_UNITS);
}

__attribute__((noipa)) static void
checksum(void)
{
	BURN(CHECKSUM_UNITS);
}

__attribute__((noipa)) static void
render_output(void)
{
	BURN(RENDER_UNITS);
}

int
main(void)
{
	int r;

	for (r = 0; r < ROUNDS; r++) {
		parse_records();
		checksum();
		render_output();
	}
	printf("%llx\n", (unsigned long long)sink);
	return 0;
}
