/* SPDX-License-Identifier: MIT */
/*
 * examples/plt/libmain.c - runs libham.so's loop for SECONDS of CPU time.
 * usage: main [SECONDS] (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

unsigned long ham_work(unsigned long n);

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec t0, t;
	unsigned long s = 0;

	if (argc > 2 || !(secs > 0)) {
		fprintf(stderr, "usage: main [SECONDS]\n");
		return 2;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		s += ham_work(100000);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) +
			 (double)(t.tv_nsec - t0.tv_nsec) / 1e9 <
		 secs);
	printf("%lu\n", s);
	return 0;
}
