/* SPDX-License-Identifier: MIT */
/*
 * examples/threads.c - a workload that keeps starting short-lived worker
 * threads, for checking that a profiler follows threads created after it
 * attached.
 *
 * Usage: threads [SECONDS]
 *
 * Without SECONDS it runs until killed; with SECONDS (a positive decimal) it
 * stops starting workers after that much wall time, joins the live ones and
 * exits 0. Bad arguments exit 2; failing to start a thread exits 1.
 *
 * The main thread does no CPU work: every 50 ms it starts worker number N
 * (named "worker-N" with pthread_setname_np, N = 1, 2, 3, ...), which burns
 * CPU for 100 ms of wall time and exits. Before starting a worker, the main
 * thread joins the one started two ticks earlier, so at most two workers are
 * alive at once (they fill two CPUs) and about 20 new threads appear every
 * second. Call structure of every worker, which gets ~100% of the samples:
 *
 *   (C library thread start, e.g. start_thread)
 *    `- worker_main               names the thread, nothing else
 *        `- spawned_work          ~100%: the arithmetic loop (and a clock read
 *                                 every ~1 ms of work)
 *
 * Folded: "worker-N;...;worker_main;spawned_work". A profiler that only
 * opens the threads alive when it attaches sees the workers of its first
 * 100 ms and then nothing; one that follows new threads sees spawned_work
 * throughout, in many distinct threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A frame a profiler must see: never inlined, cloned or merged. */
#if defined(__clang__)
#define THREADS_FRAME __attribute__((noinline))
#else
#define THREADS_FRAME __attribute__((noipa))
#endif

/* After a call, this keeps the call a `call` rather than a sibling `jmp`. */
#define THREADS_AFTER_CALL() __asm__ volatile("" ::: "memory")

#define THREADS_SPAWN_PERIOD_NS 50000000ULL /* a new worker every 50 ms */
#define THREADS_WORK_NS 100000000ULL	    /* each burns for 100 ms */
#define THREADS_MAX_LIVE 2		    /* = WORK_NS / SPAWN_PERIOD_NS */

/* Kernel iterations between clock reads in a worker: ~1 ms of work. */
#define THREADS_CHUNK_ITERS 500000

/* One worker slot of the main thread's ring. */
struct threads_worker {
	pthread_t thread;
	int live; /* started and not yet joined */
};

/* The kernels' state lives here, so no work is dead code (races are fine). */
static volatile uint64_t threads_sink = 0x9e3779b97f4a7c15ULL;

static uint64_t
threads_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Burn CPU until deadline_ns (CLOCK_MONOTONIC): chunks of a serial
 * multiply-xorshift chain, with one clock read after each chunk.
 */
THREADS_FRAME static void
spawned_work(uint64_t deadline_ns)
{
	uint64_t x = threads_sink;
	unsigned long i;

	do {
		for (i = 0; i < THREADS_CHUNK_ITERS; i++) {
			x ^= x >> 29;
			x = x * 0xbf58476d1ce4e5b9ULL + 1;
			__asm__ volatile("" : "+r"(x));
		}
	} while (threads_now_ns() < deadline_ns);
	threads_sink = x;
}

/* Thread start routine: arg is the worker's number, N in "worker-N". */
THREADS_FRAME static void *
worker_main(void *arg)
{
	unsigned long n = (unsigned long)(uintptr_t)arg;
	char name[16]; /* the kernel's limit, NUL included */

	snprintf(name, sizeof(name), "worker-%lu", n);
	pthread_setname_np(pthread_self(), name);
	spawned_work(threads_now_ns() + THREADS_WORK_NS);
	THREADS_AFTER_CALL();
	return NULL;
}

/* Parse SECONDS into *duration_ns; return 0, or -EINVAL if it is no good. */
static int
threads_parse_seconds(const char *s, uint64_t *duration_ns)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(s, &end);
	if (errno || end == s || *end || !(secs > 0 && secs <= 1e9))
		return -EINVAL;
	*duration_ns = (uint64_t)(secs * 1e9);
	if (*duration_ns == 0)
		*duration_ns = 1;
	return 0;
}

/* Sleep until the CLOCK_MONOTONIC time when_ns, through interruptions. */
static void
threads_sleep_until(uint64_t when_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(when_ns / 1000000000u),
		.tv_nsec = (long)(when_ns % 1000000000u),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

int
main(int argc, char **argv)
{
	struct threads_worker ring[THREADS_MAX_LIVE] = { 0 };
	uint64_t duration_ns = 0, start_ns, tick_ns;
	unsigned long n;
	int err = 0, i;

	if (argc > 2 ||
	    (argc == 2 && threads_parse_seconds(argv[1], &duration_ns) < 0)) {
		fprintf(stderr, "usage: threads [SECONDS]\n");
		return 2;
	}

	start_ns = threads_now_ns();
	for (n = 1;; n++) {
		struct threads_worker *w = &ring[n % THREADS_MAX_LIVE];

		tick_ns = start_ns + (n - 1) * THREADS_SPAWN_PERIOD_NS;
		if (duration_ns && tick_ns - start_ns >= duration_ns)
			break;
		threads_sleep_until(tick_ns);
		if (w->live) {
			pthread_join(w->thread, NULL);
			w->live = 0;
		}
		err = pthread_create(&w->thread, NULL, worker_main,
				     (void *)(uintptr_t)n);
		if (err) {
			fprintf(stderr, "threads: pthread_create: %s\n",
				strerror(err));
			break;
		}
		w->live = 1;
	}

	for (i = 0; i < THREADS_MAX_LIVE; i++) {
		if (ring[i].live)
			pthread_join(ring[i].thread, NULL);
	}
	return err ? 1 : 0;
}
