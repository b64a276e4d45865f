/* SPDX-License-Identifier: MIT */
/*
 * examples/workers/workers.c - a threaded program, two builds: four named
 * worker threads run in parallel, each its own function, a fixed amount of
 * work; the PR build (-DWORKERS_PR=1) makes one worker function 40%
 * slower, for checking that `scorch diff` judges threaded profiles like
 * single-threaded ones (tests/e2e/diff_threads.sh).
 *
 *   worker-parse `- parse_worker   10 units a round
 *   worker-hash  `- hash_worker    10 units; PR: 14 (the planted slowdown)
 *   worker-sort  `- sort_worker    10 units
 *   worker-pack  `- pack_worker    10 units
 *
 * A unit is the same serial multiply-xorshift chain everywhere. Four
 * threads on fewer CPUs share them: the work, not the wall time, is fixed.
 *
 * Usage: workers-{base,pr} [ROUNDS]   (default 1000; about 2 s of CPU)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef WORKERS_PR
#define WORKERS_PR 0
#endif

#if defined(__clang__)
#define WORKERS_FRAME __attribute__((noinline))
#else
#define WORKERS_FRAME __attribute__((noipa))
#endif

#define UNIT_ITERS 20000 /* about 40 us of work */

static volatile uint64_t workers_sink;

/*
 * The unit of work: a serial chain the compiler cannot shorten. A macro,
 * not an inline function: its inlined copies would be one function of
 * the source (docs/BUDGETS.md, "What a function is") and take every
 * worker's self time, while each worker is meant to own its own.
 */
#define WORKERS_BURN(x, units)                                                 \
	do {                                                                   \
		unsigned long i_, n_ = (unsigned long)(units)*UNIT_ITERS;      \
		for (i_ = 0; i_ < n_; i_++) {                                  \
			(x) = (x)*6364136223846793005ULL +                     \
			      1442695040888963407ULL;                          \
			(x) ^= (x) >> 29;                                      \
		}                                                              \
	} while (0)

WORKERS_FRAME static uint64_t
parse_worker(uint64_t x)
{
	WORKERS_BURN(x, 10);
	return x;
}

WORKERS_FRAME static uint64_t
hash_worker(uint64_t x)
{
	WORKERS_BURN(x, WORKERS_PR ? 14 : 10);
	return x;
}

WORKERS_FRAME static uint64_t
sort_worker(uint64_t x)
{
	WORKERS_BURN(x, 10);
	return x;
}

WORKERS_FRAME static uint64_t
pack_worker(uint64_t x)
{
	WORKERS_BURN(x, 10);
	return x;
}

struct workers_job {
	const char *name;
	uint64_t (*fn)(uint64_t);
	long rounds;
};

static void *
workers_main(void *arg)
{
	const struct workers_job *j = arg;
	uint64_t x = (uint64_t)(uintptr_t)arg;
	long r;

	pthread_setname_np(pthread_self(), j->name);
	for (r = 0; r < j->rounds; r++)
		x = j->fn(x);
	workers_sink += x;
	return NULL;
}

int
main(int argc, char **argv)
{
	struct workers_job jobs[4] = {
		{ "worker-parse", parse_worker, 0 },
		{ "worker-hash", hash_worker, 0 },
		{ "worker-sort", sort_worker, 0 },
		{ "worker-pack", pack_worker, 0 },
	};
	pthread_t t[4];
	char *end;
	long rounds = 1000;
	int i;

	if (argc > 2 ||
	    (argc == 2 && ((rounds = strtol(argv[1], &end, 10)) <= 0 || *end ||
			   rounds > 1000000))) {
		fprintf(stderr, "usage: workers [ROUNDS]\n");
		return 2;
	}
	for (i = 0; i < 4; i++) {
		jobs[i].rounds = rounds;
		if (pthread_create(&t[i], NULL, workers_main, &jobs[i])) {
			fprintf(stderr, "workers: cannot start a thread\n");
			return 1;
		}
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
