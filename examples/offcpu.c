/* SPDX-License-Identifier: MIT */
/*
 * examples/offcpu.c - a workload that spends its time off CPU in three known
 * ways, each in a named function that times itself, for checking an
 * off-CPU profile against the workload's own clock.
 *
 * Usage: offcpu [--start-after MS] [--scale X]
 *
 * After MS milliseconds (default 0: at once; the main thread sleeps
 * meanwhile in offcpu_start_wait, so a profiler attached with -p sees the
 * threads start after it did), the main thread starts five threads and
 * joins them:
 *
 *   sleeper   offcpu_sleep        nanosleep, 300 ms in 6 naps  (do_nanosleep)
 *   holder    offcpu_hold         takes the mutex, sleeps 400 ms holding it
 *   waiter    offcpu_mutex_wait   blocks on that mutex: ~400 ms (futex_wait)
 *   writer    offcpu_write_later  sleeps 500 ms, then writes to a pipe
 *   reader    offcpu_pipe_read    blocks reading the pipe: ~500 ms (pipe_read)
 *
 * (times multiplied by --scale X, default 1). Each of offcpu_sleep,
 * offcpu_mutex_wait and offcpu_pipe_read prints, once done,
 *   "offcpu: FUNCTION MS ms"
 * the wall time it took, and every thread prints
 *   "offcpu: thread NAME tid TID MS ms"
 * its life from its start routine's entry to its return. Exit 0; bad
 * arguments exit 2; a failed system call exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A frame a profiler must see: never inlined, cloned or merged. */
#if defined(__clang__)
#define OFFCPU_FRAME __attribute__((noinline))
#else
#define OFFCPU_FRAME __attribute__((noipa))
#endif

/* After a call, this keeps the call a `call` rather than a sibling `jmp`. */
#define OFFCPU_AFTER_CALL() __asm__ volatile("" ::: "memory")

static double offcpu_scale = 1.0;
static pthread_mutex_t offcpu_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t offcpu_held; /* the holder has the lock */
static int offcpu_pipe[2];

static double
offcpu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
offcpu_die(const char *what, int err)
{
	fprintf(stderr, "offcpu: %s: %s\n", what, strerror(err));
	exit(1);
}

static void
offcpu_nap(double ms)
{
	struct timespec ts;

	ms *= offcpu_scale;
	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
offcpu_report(const char *fn, double t0)
{
	printf("offcpu: %s %.1f ms\n", fn, offcpu_now_ms() - t0);
	fflush(stdout);
}

OFFCPU_FRAME static void
offcpu_sleep(void)
{
	double t0 = offcpu_now_ms();
	int i;

	for (i = 0; i < 6; i++)
		offcpu_nap(50);
	offcpu_report("offcpu_sleep", t0);
}

OFFCPU_FRAME static void
offcpu_hold(void)
{
	pthread_mutex_lock(&offcpu_lock);
	pthread_barrier_wait(&offcpu_held);
	offcpu_nap(400);
	pthread_mutex_unlock(&offcpu_lock);
	OFFCPU_AFTER_CALL();
}

OFFCPU_FRAME static void
offcpu_mutex_wait(void)
{
	double t0 = offcpu_now_ms();

	pthread_mutex_lock(&offcpu_lock);
	offcpu_report("offcpu_mutex_wait", t0);
	pthread_mutex_unlock(&offcpu_lock);
}

/* The waiter: once the holder has the lock, wait for it. */
static void
offcpu_waiter(void)
{
	pthread_barrier_wait(&offcpu_held);
	offcpu_mutex_wait();
	OFFCPU_AFTER_CALL();
}

OFFCPU_FRAME static void
offcpu_write_later(void)
{
	char c = 'x';

	offcpu_nap(500);
	if (write(offcpu_pipe[1], &c, 1) != 1)
		offcpu_die("write", errno);
	OFFCPU_AFTER_CALL();
}

OFFCPU_FRAME static void
offcpu_pipe_read(void)
{
	double t0 = offcpu_now_ms();
	char c;

	if (read(offcpu_pipe[0], &c, 1) != 1)
		offcpu_die("read", errno);
	offcpu_report("offcpu_pipe_read", t0);
}

struct offcpu_thread {
	const char *name;
	void (*fn)(void);
	pthread_t thread;
};

static void *
offcpu_thread_main(void *arg)
{
	struct offcpu_thread *t = arg;
	double t0 = offcpu_now_ms();

	pthread_setname_np(pthread_self(), t->name);
	t->fn();
	printf("offcpu: thread %s tid %d %.1f ms\n", t->name, (int)gettid(),
	       offcpu_now_ms() - t0);
	fflush(stdout);
	return NULL;
}

OFFCPU_FRAME static void
offcpu_start_wait(double ms)
{
	offcpu_nap(ms / offcpu_scale);
	OFFCPU_AFTER_CALL();
}

static int
offcpu_args(int argc, char **argv, double *start_ms)
{
	int i;
	char *end;

	for (i = 1; i < argc; i++) {
		double *to = !strcmp(argv[i], "--start-after") ? start_ms
			     : !strcmp(argv[i], "--scale")     ? &offcpu_scale
							       : NULL;

		if (!to || i + 1 == argc)
			return -1;
		*to = strtod(argv[++i], &end);
		if (*end || *to < 0 || *to > 1e6)
			return -1;
	}
	return offcpu_scale > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct offcpu_thread threads[] = {
		{ "sleeper", offcpu_sleep, 0 },
		{ "holder", offcpu_hold, 0 },
		{ "waiter", offcpu_waiter, 0 },
		{ "writer", offcpu_write_later, 0 },
		{ "reader", offcpu_pipe_read, 0 },
	};
	double start_ms = 0;
	size_t i, n = sizeof(threads) / sizeof(threads[0]);
	int err;

	if (offcpu_args(argc, argv, &start_ms) < 0) {
		fprintf(stderr,
			"usage: offcpu [--start-after MS] [--scale X]\n");
		return 2;
	}
	if (pipe(offcpu_pipe) < 0)
		offcpu_die("pipe", errno);
	pthread_barrier_init(&offcpu_held, NULL, 2);
	if (start_ms > 0)
		offcpu_start_wait(start_ms);
	for (i = 0; i < n; i++) {
		err = pthread_create(&threads[i].thread, NULL,
				     offcpu_thread_main, &threads[i]);
		if (err)
			offcpu_die("pthread_create", err);
	}
	for (i = 0; i < n; i++)
		pthread_join(threads[i].thread, NULL);
	return 0;
}
