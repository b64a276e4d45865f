/* SPDX-License-Identifier: MIT */
/*
 * examples/lockstep.c - a program that runs in rounds of a fixed length on
 * the clock the sampler's timer runs on: the trap for a sampling profiler
 * with a fixed period (sampler/jitter.c, tests/e2e/jitter.sh).
 *
 *   lockstep ROUND_US SECONDS [PERCENT]
 *
 * Every round of ROUND_US microseconds (CLOCK_MONOTONIC, rounds laid end
 * to end from the start, so they never drift) spends its first PERCENT
 * (default 30) in phase_a and the rest in phase_b, both busy on the CPU,
 * for SECONDS seconds. When a round lasts the sampling period or a
 * fraction of it, a fixed period puts every sample at the same point of
 * the round: phase_a gets 0% or 100% of the samples instead of PERCENT.
 * At exit it prints its own CPU time: "lockstep: cpu_ms N".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Busy until the clock reads until_ns; each phase its own code. */
__attribute__((noinline)) static void
phase_a(uint64_t until_ns)
{
	uint64_t x = sink;

	while (now_ns() < until_ns)
		x = x * 6364136223846793005ULL + 1;
	sink = x;
}

__attribute__((noinline)) static void
phase_b(uint64_t until_ns)
{
	uint64_t x = sink;

	while (now_ns() < until_ns)
		x ^= x << 13, x ^= x >> 7, x ^= x << 17, x += 3;
	sink = x;
}

int
main(int argc, char **argv)
{
	uint64_t round, start, end, t, a;
	struct timespec cpu;
	double secs, pct = 30;

	if (argc < 3 || atof(argv[1]) <= 0 || atof(argv[2]) <= 0) {
		fprintf(stderr, "usage: lockstep ROUND_US SECONDS [PERCENT]\n");
		return 2;
	}
	round = (uint64_t)(atof(argv[1]) * 1000);
	secs = atof(argv[2]);
	if (argc > 3)
		pct = atof(argv[3]);
	a = (uint64_t)((double)round * pct / 100);
	start = now_ns();
	end = start + (uint64_t)(secs * 1e9);
	for (t = start; t < end; t += round) {
		phase_a(t + a);
		phase_b(t + round);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	printf("lockstep: cpu_ms %.1f\n",
	       (double)cpu.tv_sec * 1e3 + (double)cpu.tv_nsec / 1e6);
	return 0;
}
