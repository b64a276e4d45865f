/* SPDX-License-Identifier: MIT */
/*
 * examples/matrix/chain.h - what the C and C++ programs of the toolchain
 * matrix share: the chain main -> drive -> crunch -> step, each a real
 * frame (never inlined, cloned or merged), run for a number of seconds of
 * the process's own CPU time. Included by chain.c and chain-throw.cc;
 * examples/matrix/matrix.list lists the binaries.
 */
#ifndef MATRIX_CHAIN_H
#define MATRIX_CHAIN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__clang__)
#define CHAIN_FRAME __attribute__((noinline))
#else
#define CHAIN_FRAME __attribute__((noipa))
#endif

/* Work per crunch() call: about a millisecond of CPU. */
#define CHAIN_STEPS 4000
#define CHAIN_ROUNDS 64 /* rounds of mixing per step() call */

/* One round of step()'s mixing. */
#define CHAIN_MIX(x, i) (((x) ^ ((x) >> 29)) * 0xbf58476d1ce4e5b9ull + (i))

/* The process's CPU time in seconds. */
static inline double
chain_cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The program's one argument, [SECONDS] of CPU (default 3), or -1 after
 * the usage line when it is not a number in (0, 3600].
 */
static inline double
chain_seconds(int argc, char **argv)
{
	double seconds = 3;
	char *e;

	if (argc > 2 || (argc == 2 && ((seconds = strtod(argv[1], &e)) <= 0 ||
				       *e || seconds > 3600))) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return -1;
	}
	return seconds;
}

/*
 * drive(): crunch() until seconds of CPU time have passed, reading the
 * clock between calls; crunch is the including file's (a function, or a
 * pointer to a library's). Expands to the definition.
 */
#define CHAIN_DEFINE_DRIVE()                                                   \
	CHAIN_FRAME static uint64_t drive(double seconds)                      \
	{                                                                      \
		double end = chain_cpu_seconds() + seconds;                    \
		uint64_t sum = 0;                                              \
                                                                               \
		while (chain_cpu_seconds() < end)                              \
			sum += crunch(sum + 1);                                \
		return sum;                                                    \
	}

#endif
