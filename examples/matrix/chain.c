/* SPDX-License-Identifier: MIT */
/*
 * examples/matrix/chain.c - the C program of the toolchain matrix, built
 * with each compiler and linker (Makefile: matrix). Its stacks are known:
 *
 *   _start -> __libc_start_main... -> main -> drive -> crunch -> step
 *
 * crunch() calls step() CHAIN_STEPS times and step() mixes a word
 * CHAIN_ROUNDS times: the time is in step (a frameless leaf) and crunch;
 * drive() reads the CPU clock between crunch() calls (kernel frames under
 * drive). Usage: chain [SECONDS] (CPU seconds, default 3); prints the
 * checksum so no work can be dropped. Bad arguments exit 2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "chain.h"

CHAIN_FRAME static uint64_t
step(uint64_t x)
{
	int i;

	for (i = 0; i < CHAIN_ROUNDS; i++)
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull + (uint64_t)i;
	return x;
}

CHAIN_FRAME static uint64_t
crunch(uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < CHAIN_STEPS; i++)
		x = step(x) + (x >> 7);
	return x;
}

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

CHAIN_FRAME static uint64_t
drive(double seconds)
{
	double end = cpu_seconds() + seconds;
	uint64_t sum = 0;

	while (cpu_seconds() < end)
		sum += crunch(sum + 1);
	return sum;
}

int
main(int argc, char **argv)
{
	double seconds = 3;
	char *e;

	if (argc > 2 || (argc == 2 && ((seconds = strtod(argv[1], &e)) <= 0 ||
				       *e || seconds > 3600))) {
		fprintf(stderr, "usage: chain [SECONDS]\n");
		return 2;
	}
	printf("checksum: %llx\n", (unsigned long long)drive(seconds));
	return 0;
}
