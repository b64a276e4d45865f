/* SPDX-License-Identifier: MIT */
/*
 * examples/matrix/chain-dl.c - the matrix chain with crunch() and step()
 * in a library loaded at run time: main -> drive -> crunch -> step, where
 * crunch and step are examples/matrix/chain-lib.c, built as libchain.so
 * beside this program and dlopen()ed by main. Usage: chain-dl [SECONDS]
 * (CPU seconds, default 3). Bad arguments or a library that does not
 * load exit 2.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain.h"

typedef uint64_t (*crunch_fn)(uint64_t);

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

CHAIN_FRAME static uint64_t
drive(crunch_fn crunch, double seconds)
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
	char path[PATH_MAX], *slash, *e;
	double seconds = 3;
	crunch_fn crunch;
	ssize_t len;
	void *lib;

	if (argc > 2 || (argc == 2 && ((seconds = strtod(argv[1], &e)) <= 0 ||
				       *e || seconds > 3600))) {
		fprintf(stderr, "usage: chain-dl [SECONDS]\n");
		return 2;
	}
	/* libchain.so in this program's directory. */
	len = readlink("/proc/self/exe", path, sizeof(path) - 16);
	if (len <= 0 || !(slash = memrchr(path, '/', (size_t)len))) {
		fprintf(stderr, "chain-dl: /proc/self/exe: cannot read\n");
		return 2;
	}
	strcpy(slash + 1, "libchain.so");
	lib = dlopen(path, RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "chain-dl: %s\n", dlerror());
		return 2;
	}
	*(void **)&crunch = dlsym(lib, "crunch");
	if (!crunch) {
		fprintf(stderr, "chain-dl: %s: no crunch()\n", path);
		return 2;
	}
	printf("checksum: %llx\n", (unsigned long long)drive(crunch, seconds));
	dlclose(lib);
	return 0;
}
