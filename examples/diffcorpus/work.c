/* SPDX-License-Identifier: MIT */
/* examples/diffcorpus/work.c - the command line of every corpus program. */
#include "work.h"

volatile uint64_t dc_sink = 0x9e3779b97f4a7c15ULL;

double
dc_arg(int argc, char **argv, int i, double def)
{
	char *end;
	double v;

	if (argc <= i)
		return def;
	v = strtod(argv[i], &end);
	if (end == argv[i] || *end || !(v >= 0) || v > 1e6) {
		fprintf(stderr,
			"%s: '%s' is not a number (usage: %s [SCALE])\n",
			argv[0], argv[i], argv[0]);
		exit(2);
	}
	return v;
}

long
dc_rounds(int argc, char **argv, long rounds)
{
	double scale = dc_arg(argc, argv, 1, 1.0);
	long n = (long)(rounds * scale + 0.5);

	return n < 1 ? 1 : n;
}

int
dc_done(const char *name)
{
	printf("%s: checksum %016llx\n", name, (unsigned long long)dc_sink);
	return 0;
}
