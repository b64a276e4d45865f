/* SPDX-License-Identifier: MIT */
/*
 * examples/plt/hammer.c - calls memcpy, strlen and qsort through the PLT in
 * a tight loop, so that samples land in the PLT stubs (memcpy@plt ...).
 * Built by each linker in each PLT layout (Makefile, "PLT stubs").
 * usage: hammer [SECONDS] (CPU seconds, default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
hammer_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

#ifdef HAMMER_TAKE_ADDR
/* strlen's address in data: a GOT slot (GLOB_DAT), so GNU ld calls it
 * through .plt.got. */
size_t (*volatile hammer_strlen)(const char *) = strlen;
#endif

int
main(int argc, char **argv)
{
	static char a[16], b[16] = "abc";
	int v[1] = { 1 };
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec t0, t;
	unsigned long i, s = 0;

	if (argc > 2 || !(secs > 0)) {
		fprintf(stderr, "usage: hammer [SECONDS]\n");
		return 2;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (i = 0; i < 100000; i++) {
			memcpy(a, b + (i & 3), 1);
			s += strlen(b + (i & 1));
			qsort(v, 1, sizeof(v[0]), hammer_cmp);
			s += (unsigned char)a[0];
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) +
			 (double)(t.tv_nsec - t0.tv_nsec) / 1e9 <
		 secs);
	printf("%lu\n", s);
	return 0;
}
