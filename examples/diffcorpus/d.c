/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/d.c - class d: four named worker threads (worker-0
 * to worker-3), each running its own function a fixed number of rounds;
 * the PR makes worker-2's function (work_gamma) 40% slower. Culprit:
 * work_gamma.
 *
 *   main - start 4 threads, join them
 *   worker-0: work_alpha  30000 steps a round
 *   worker-1: work_beta   30000
 *   worker-2: work_gamma  30000; PR 42000 (+40%)
 *   worker-3: work_delta  30000
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "work.h"

static long rounds;

DC_FRAME static void
work_alpha(void)
{
	DC_WORK(30000);
}

DC_FRAME static void
work_beta(void)
{
	DC_WORK(30000);
}

DC_FRAME static void
work_gamma(void)
{
	DC_WORK(PR ? 42000 : 30000);
}

DC_FRAME static void
work_delta(void)
{
	DC_WORK(30000);
}

static void (*const workers[4])(void) = { work_alpha, work_beta, work_gamma,
					  work_delta };

static void *
worker(void *arg)
{
	void (*fn)(void) = workers[(long)arg];
	char name[16];
	long i;

	snprintf(name, sizeof name, "worker-%ld", (long)arg);
	pthread_setname_np(pthread_self(), name);
	for (i = 0; i < rounds; i++) {
		fn();
		DC_AFTER_CALL();
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[4];
	long i;
	int rc;

	rounds = dc_rounds(argc, argv, 2300);
	for (i = 0; i < 4; i++) {
		rc = pthread_create(&t[i], NULL, worker, (void *)i);
		if (rc) {
			fprintf(stderr, "%s: pthread_create: %s\n", argv[0],
				strerror(rc));
			return 1;
		}
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return dc_done("diffcorpus-d");
}
