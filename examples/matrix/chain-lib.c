/* SPDX-License-Identifier: MIT */
/*
 * examples/matrix/chain-lib.c - crunch() and step() of the matrix chain
 * in a shared library that examples/matrix/chain-dl.c dlopen()s once it
 * runs: the stacks cross from the executable into code mapped late.
 */
#include <stdint.h>

#include "chain.h"

uint64_t crunch(uint64_t seed);

CHAIN_FRAME static uint64_t
step(uint64_t x)
{
	int i;

	for (i = 0; i < CHAIN_ROUNDS; i++)
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull + (uint64_t)i;
	return x;
}

CHAIN_FRAME uint64_t
crunch(uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < CHAIN_STEPS; i++)
		x = step(x) + (x >> 7);
	return x;
}
