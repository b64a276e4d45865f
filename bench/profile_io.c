/* SPDX-License-Identifier: MIT */
/*
 * bench/profile_io.c - time scorch's profile readers and writers in one
 * process, for bench/artifacts.sh: `profile_io PROFILE.json REPS` prints
 * "OPERATION MEDIAN_MS" lines. Writers write to /dev/null (the formatting,
 * not the disk, is measured); readers read files from the page cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "profile/profile.h"

static double
io_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
io_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum io_op {
	IO_LOAD_JSON,
	IO_WRITE_JSON,
	IO_LOAD_FOLDED,
	IO_WRITE_FOLDED,
	IO_WRITE_PPROF,
	IO_WRITE_SPEEDSCOPE,
	IO_AGGREGATE,
	IO_MAX
};

static const char *const io_names[IO_MAX] = {
	"load_json",   "write_json",	   "load_folded", "write_folded",
	"write_pprof", "write_speedscope", "aggregate",
};

static struct profile *
io_load(const char *path)
{
	struct scorch_err err;
	struct profile *p = profile_load(path, &err);

	if (!p) {
		fprintf(stderr, "profile_io: %s\n", err.msg);
		exit(2);
	}
	return p;
}

/* One run of op; returns its time in ms. */
static double
io_run(enum io_op op, const struct profile *p, const char *json,
       const char *folded)
{
	FILE *null = fopen("/dev/null", "w");
	struct profile *q = NULL;
	struct aggregate *a = NULL;
	double t0 = io_now_ms(), t;

	switch (op) {
	case IO_LOAD_JSON:
		q = io_load(json);
		break;
	case IO_LOAD_FOLDED:
		q = io_load(folded);
		break;
	case IO_WRITE_JSON:
		profile_write_json(p, null);
		break;
	case IO_WRITE_FOLDED:
		profile_write_folded(p, null);
		break;
	case IO_WRITE_PPROF:
		profile_write_pprof(p, null);
		break;
	case IO_WRITE_SPEEDSCOPE:
		profile_write_speedscope(p, "bench", null);
		break;
	case IO_AGGREGATE:
		a = aggregate_new(p, AGG_FUNCTION);
		aggregate_sort(a, AGG_ORDER_SELF);
		break;
	case IO_MAX:
		break;
	}
	fflush(null);
	t = io_now_ms() - t0;
	fclose(null);
	profile_free(q);
	aggregate_free(a);
	return t;
}

int
main(int argc, char **argv)
{
	char folded[] = "/tmp/scorch-bench-io-XXXXXX";
	struct profile *p;
	double *times;
	int reps, i, op, fd;
	FILE *fp;

	if (argc != 3 || (reps = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: profile_io PROFILE.json REPS\n");
		return 2;
	}
	p = io_load(argv[1]);
	fd = mkstemp(folded);
	if (fd < 0 || !(fp = fdopen(fd, "w"))) {
		perror("profile_io: temporary file");
		return 2;
	}
	profile_write_folded(p, fp);
	fclose(fp);
	times = xcalloc((size_t)reps, sizeof(*times));
	printf("stacks %zu\nsamples %llu\n", profile_nstacks(p),
	       (unsigned long long)profile_total(p));
	for (op = 0; op < IO_MAX; op++) {
		for (i = 0; i < reps; i++)
			times[i] = io_run((enum io_op)op, p, argv[1], folded);
		qsort(times, (size_t)reps, sizeof(*times), io_cmp_double);
		printf("%s %.1f\n", io_names[op], times[reps / 2]);
		fflush(stdout);
	}
	unlink(folded);
	free(times);
	profile_free(p);
	return 0;
}
