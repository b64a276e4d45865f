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
#include "chain.h"

struct mixed {
	uint64_t value;
};

CHAIN_FRAME static uint64_t
step(uint64_t x)
{
	for (int i = 0; i < CHAIN_ROUNDS; i++)
		x = CHAIN_MIX(x, (uint64_t)i);
	throw mixed{ x };
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

CHAIN_DEFINE_DRIVE()

int
main(int argc, char **argv)
{
	double seconds = chain_seconds(argc, argv);

	if (seconds < 0)
		return 2;
	printf("checksum: %llx\n", (unsigned long long)drive(seconds));
	return 0;
}
