/* SPDX-License-Identifier: MIT */
/*
 * examples/inlined.c - a program whose hottest code is an always-inline
 * helper, for the one meaning of self (docs/BUDGETS.md, "What a function
 * is"): mix_step() is compiled into process(), so in the machine code it
 * is process's, while in the source it is a function of its own.
 *
 *   main
 *    `- run                    one round
 *        |- process             8 units of its own code
 *        |   `- mix_step        MIX units, always inlined (default 8)
 *        |- route              12 units
 *        `- checksum           20 units
 *
 * Self time: the source view (scorch's default) gives mix_step MIX units
 * and process 8; the machine view (--no-inline) gives process 8 + MIX and
 * no mix_step at all. Recording two runs with different MIX makes a
 * baseline and a PR whose regression sits in the inlined helper.
 *
 * A unit is the serial multiply-xorshift chain of examples/cpuburn.c; each
 * function's own units are a macro, so they are its code and no inlined
 * frame of another function.
 *
 * Usage: inlined ROUNDS [MIX]   ROUNDS rounds of fixed work
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__clang__)
#define INL_FRAME __attribute__((noinline))
#else
#define INL_FRAME __attribute__((noipa))
#endif

#define UNIT_ITERS 2000 /* about 6 us of work */

static volatile uint64_t inl_sink = 0x9e3779b97f4a7c15ULL;

/* units of work, as the calling function's own code */
#define OWN_WORK(units)                                                        \
	do {                                                                   \
		uint64_t x_ = inl_sink;                                        \
		unsigned long i_;                                              \
                                                                               \
		for (i_ = 0; i_ < (unsigned long)(units)*UNIT_ITERS; i_++) {   \
			x_ ^= x_ >> 29;                                        \
			x_ = x_ * 0xbf58476d1ce4e5b9ULL + 1;                   \
			__asm__ volatile("" : "+r"(x_));                       \
		}                                                              \
		inl_sink = x_;                                                 \
	} while (0)

/* The helper: always inlined, so it has no code of its own. */
static inline __attribute__((always_inline)) void
mix_step(unsigned units)
{
	uint64_t x = inl_sink;
	unsigned long i;

	for (i = 0; i < (unsigned long)units * UNIT_ITERS; i++) {
		x ^= x >> 31;
		x = x * 0x94d049bb133111ebULL + 3;
		__asm__ volatile("" : "+r"(x));
	}
	inl_sink = x;
}

INL_FRAME static void
process(unsigned mix)
{
	OWN_WORK(8);
	mix_step(mix);
}

INL_FRAME static void
route(void)
{
	OWN_WORK(12);
}

INL_FRAME static void
checksum(void)
{
	OWN_WORK(20);
}

INL_FRAME static void
run(unsigned mix)
{
	process(mix);
	__asm__ volatile("" ::: "memory");
	route();
	__asm__ volatile("" ::: "memory");
	checksum();
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	unsigned long rounds, mix = 8, i;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s ROUNDS [MIX]\n", argv[0]);
		return 2;
	}
	errno = 0;
	rounds = strtoul(argv[1], &end, 10);
	if (errno || end == argv[1] || *end || !rounds)
		return 2;
	if (argc == 3) {
		mix = strtoul(argv[2], &end, 10);
		if (end == argv[2] || *end || mix > 1000)
			return 2;
	}
	for (i = 0; i < rounds; i++)
		run((unsigned)mix);
	printf("%lu rounds\n", rounds);
	return 0;
}
