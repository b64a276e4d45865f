// SPDX-License-Identifier: MIT
/*
 * examples/matrix/chain-throw.cc - the matrix chain in C++ whose hot path
 * throws and catches: main -> drive -> crunch -> step, where step() mixes
 * a word and throws it, and crunch() catches it, CHAIN_STEPS / 8 times a
 * call. Much of the time is in the C++ runtime and libgcc's unwinder
 * (__cxa_throw, _Unwind_RaiseException, the personality routine) under
 * step and crunch. Usage: chain-throw [SECONDS] (CPU seconds, default 3).
 * Bad arguments exit 2.
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "chain.h"

struct mixed {
	uint64_t value;
};

CHAIN_FRAME static uint64_t
step(uint64_t x)
{
	for (int i = 0; i < CHAIN_ROUNDS; i++)
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull + (uint64_t)i;
	throw mixed{x};
}

CHAIN_FRAME static uint64_t
crunch(uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < CHAIN_STEPS / 8; i++) {
		try {
			x = step(x);
		} catch (const mixed &m) {
			x = m.value + (x >> 7);
		}
	}
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
		std::fprintf(stderr, "usage: chain-throw [SECONDS]\n");
		return 2;
	}
	std::printf("checksum: %llx\n", (unsigned long long)drive(seconds));
	return 0;
}
