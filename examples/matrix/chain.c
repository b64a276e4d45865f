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
 *
 * Built three ways: the program; with -DCHAIN_LIB, only crunch and step,
 * as libchain.so; with -DCHAIN_DL, a program whose main dlopen()s the
 * libchain.so beside it and whose drive calls the library's crunch.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"

#ifdef CHAIN_DL
static uint64_t (*crunch)(uint64_t); /* libchain.so's, set by main */
#else
CHAIN_FRAME static uint64_t
step(uint64_t x)
{
	int i;

	for (i = 0; i < CHAIN_ROUNDS; i++)
		x = CHAIN_MIX(x, (uint64_t)i);
	return x;
}

#ifdef CHAIN_LIB
uint64_t crunch(uint64_t seed);
#else
static
#endif
CHAIN_FRAME uint64_t
crunch(uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < CHAIN_STEPS; i++)
		x = step(x) + (x >> 7);
	return x;
}
#endif

#ifndef CHAIN_LIB
CHAIN_DEFINE_DRIVE()

#ifdef CHAIN_DL
/* Load crunch() from libchain.so in this program's directory. */
static int
chain_load(void)
{
	char path[PATH_MAX], *slash;
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 16);
	void *lib;

	if (len <= 0 || !(slash = memrchr(path, '/', (size_t)len))) {
		fprintf(stderr, "chain: /proc/self/exe: cannot read\n");
		return -1;
	}
	strcpy(slash + 1, "libchain.so");
	lib = dlopen(path, RTLD_NOW);
	if (!lib || !(*(void **)&crunch = dlsym(lib, "crunch"))) {
		fprintf(stderr, "chain: %s\n", dlerror());
		return -1;
	}
	return 0;
}
#endif

int
main(int argc, char **argv)
{
	double seconds = chain_seconds(argc, argv);

	if (seconds < 0)
		return 2;
#ifdef CHAIN_DL
	if (chain_load() < 0)
		return 2;
#endif
	printf("checksum: %llx\n", (unsigned long long)drive(seconds));
	return 0;
}
#endif
