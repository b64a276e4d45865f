/* SPDX-License-Identifier: MIT */
/*
 * examples/stackmix.c - workloads whose stacks are hard to unwind: hot paths
 * through C library callbacks and string functions, frameless leaves, deep
 * recursion, threads and a library loaded while the program runs. Built
 * twice: stackmix (frame pointers) and stackmix-nofp (-fomit-frame-pointer),
 * plus stackmix-dbgframe whose own CFI is only in .debug_frame.
 *
 * Usage:
 *   stackmix mix [SECONDS]              the known split below
 *   stackmix deep DEPTH [SECONDS]       a DEPTH-deep recursion
 *   stackmix threads N [SECONDS]        N threads, each running mix
 *   stackmix plugin LIB DELAY [SECONDS] mix for DELAY seconds, then dlopen
 *                                       LIB and run its plugin_work()
 *
 * Without SECONDS it runs until killed. Bad arguments exit 2. Once running
 * it prints "ready" (and "plugin loaded" after the dlopen) on stdout; mix
 * with SECONDS ends with "units/s: N", the work done per second of wall
 * time (one unit is one qsort, hash or copy call), and "units/cpu-s: N",
 * per second of its own CPU time: the throughput a profiler's overhead
 * takes from (make bench).
 *
 * mix: rounds of 2 to 6 ms of CPU time, split exactly by the thread's CPU
 * clock, whatever each phase's work costs:
 *
 *   main
 *    `- run_mix
 *        |- sort_phase   50%   qsort() of small records; the time is in
 *        |                     the C library's merge sort and in the
 *        |                     comparator cmp_records (a frameless leaf)
 *        |- hash_phase   30%   hash_buffer (a frameless leaf)
 *        `- copy_phase   20%   memcpy() and strlen() (C library leaves)
 *
 * Each phase works in chunks of ~20 us and reads the thread CPU clock after
 * each (a system call, so kernel frames appear under the phase too).
 * Frame-pointer unwinding breaks on every path: the C library has no frame
 * pointers (qsort's frames vanish and the comparator's caller is wrong), and
 * a frameless leaf (hash_buffer, memcpy) hides its caller from the kernel's
 * frame-pointer walk, so hash_phase and copy_phase drop out of their stacks.
 *
 * deep: recurse() calls itself DEPTH times; every level burns one unit in
 * burn_step (a frameless leaf) before going deeper, so samples are spread
 * evenly over depths 1..DEPTH, and each recurse frame holds 64 bytes of
 * locals, so DEPTH 200 needs a ~20 KiB stack copy to reach main.
 *
 * plugin: after DELAY seconds of mix, dlopen(LIB) (examples/stackmix-plugin.c,
 * built without frame pointers) and run plugin_work(hash_buffer) for the rest:
 *   main;run_plugin;plugin_work;plugin_inner 60%, ...;plugin_inner;hash_buffer 40%
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A real frame: never inlined, cloned or merged with a twin (cpuburn.c). */
#if defined(__clang__)
#define MIX_FRAME __attribute__((noinline))
#else
#define MIX_FRAME __attribute__((noipa))
#endif
#define MIX_AFTER_CALL() __asm__ volatile("" ::: "memory")

#define MIX_RECORDS 512	     /* records per qsort() call */
#define MIX_HASH_BYTES 4096  /* bytes per hash_buffer() call */
#define MIX_COPY_BYTES 65536 /* bytes per memcpy() call */
#define MIX_STR_BYTES 16384  /* length of the strlen() string */
#define DEEP_MAX 10000	     /* deepest recursion accepted */

struct record {
	uint32_t key;
	uint32_t seq;
	char name[8];
};

static struct record mix_records[MIX_RECORDS];
static unsigned char mix_hash_buf[MIX_HASH_BYTES];
static char mix_src[MIX_COPY_BYTES], mix_dst[MIX_COPY_BYTES];
static char mix_str[MIX_STR_BYTES + 1];
static volatile uint64_t mix_sink;
static uint64_t mix_units; /* calls of the work functions, for units/s */
static double mix_seconds; /* 0: run until killed */
static struct timespec mix_start;

/* Thread CPU time in nanoseconds. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
mix_time_up(void)
{
	struct timespec now;

	if (mix_seconds <= 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - mix_start.tv_sec) +
		       (double)(now.tv_nsec - mix_start.tv_nsec) / 1e9 >=
	       mix_seconds;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The qsort comparator: a frameless leaf the C library calls. */
MIX_FRAME static int
cmp_records(const void *a, const void *b)
{
	const struct record *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* FNV-1a: a frameless leaf (it never touches the stack). */
MIX_FRAME uint64_t
hash_buffer(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

MIX_FRAME static void
sort_phase(uint64_t budget_ns, uint64_t *seed)
{
	uint64_t end = cpu_ns() + budget_ns;
	size_t i;

	do {
		for (i = 0; i < MIX_RECORDS; i++) {
			mix_records[i].key = (uint32_t)xorshift(seed);
			mix_records[i].seq = (uint32_t)i;
		}
		qsort(mix_records, MIX_RECORDS, sizeof(mix_records[0]),
		      cmp_records);
		MIX_AFTER_CALL();
		mix_units++;
	} while (cpu_ns() < end);
}

MIX_FRAME static void
hash_phase(uint64_t budget_ns)
{
	uint64_t end = cpu_ns() + budget_ns;
	int i;

	do {
		for (i = 0; i < 4; i++) {
			mix_sink += hash_buffer(mix_hash_buf, MIX_HASH_BYTES);
			MIX_AFTER_CALL();
		}
		mix_units++;
	} while (cpu_ns() < end);
}

MIX_FRAME static void
copy_phase(uint64_t budget_ns)
{
	uint64_t end = cpu_ns() + budget_ns;

	do {
		memcpy(mix_dst, mix_src, MIX_COPY_BYTES);
		MIX_AFTER_CALL();
		mix_sink += strlen(mix_str);
		MIX_AFTER_CALL();
		mix_units++;
	} while (cpu_ns() < end);
}

/* One round of 2 to 6 ms of CPU time, split 5:3:2. */
MIX_FRAME static void
run_mix(uint64_t seed)
{
	do {
		uint64_t round_ns = 2000000 + xorshift(&seed) % 4000000;

		sort_phase(round_ns / 10 * 5, &seed);
		hash_phase(round_ns / 10 * 3);
		copy_phase(round_ns / 10 * 2);
		MIX_AFTER_CALL();
	} while (!mix_time_up());
}

/* One unit of work for the recursion: a frameless leaf. */
MIX_FRAME static void
burn_step(unsigned long iters)
{
	uint64_t x = mix_sink;
	unsigned long i;

	for (i = 0; i < iters; i++) {
		x ^= x >> 29;
		x = x * 0xbf58476d1ce4e5b9ULL + 1;
		__asm__ volatile("" : "+r"(x));
	}
	mix_sink = x;
}

MIX_FRAME static void
recurse(int level, int depth)
{
	/* 64 bytes of locals the compiler must keep on the stack. */
	volatile uint64_t pad[8];

	pad[0] = (uint64_t)level;
	burn_step(20000);
	MIX_AFTER_CALL();
	if (level < depth)
		recurse(level + 1, depth);
	MIX_AFTER_CALL();
	mix_sink += pad[0];
}

MIX_FRAME static void
run_deep(int depth)
{
	do {
		recurse(1, depth);
		MIX_AFTER_CALL();
	} while (!mix_time_up());
}

static void *
worker(void *arg)
{
	run_mix((uint64_t)(uintptr_t)arg);
	return NULL;
}

MIX_FRAME static int
run_threads(int n)
{
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	int i;

	if (!t)
		return 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker,
				   (void *)(uintptr_t)(0x9e3779b9U + i))) {
			fprintf(stderr, "stackmix: pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}

MIX_FRAME static int
run_plugin(const char *lib, double delay)
{
	double total = mix_seconds;
	void (*work)(uint64_t(*)(const unsigned char *, size_t), double);
	void *h;

	mix_seconds = delay;
	if (delay > 0)
		run_mix(88172645463325252ULL);
	h = dlopen(lib, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "stackmix: %s\n", dlerror());
		return 1;
	}
	*(void **)&work = dlsym(h, "plugin_work");
	if (!work) {
		fprintf(stderr, "stackmix: %s: no plugin_work\n", lib);
		return 1;
	}
	printf("plugin loaded\n");
	fflush(stdout);
	work(hash_buffer, total > 0 ? total - delay : 0);
	MIX_AFTER_CALL();
	return 0;
}

static int
usage(void)
{
	fprintf(stderr,
		"usage: stackmix mix [SECONDS] | deep DEPTH [SECONDS] | "
		"threads N [SECONDS] | plugin LIB DELAY [SECONDS]\n");
	return 2;
}

static int
parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !(*out >= lo) || *out > hi ? -1 : 0;
}

int
main(int argc, char **argv)
{
	double a = 0, b = 0;
	size_t i;
	int ret;

	if (argc < 2)
		return usage();
	for (i = 0; i < MIX_HASH_BYTES; i++)
		mix_hash_buf[i] = (unsigned char)(i * 131 + 7);
	memset(mix_src, 'x', sizeof(mix_src));
	memset(mix_str, 'y', MIX_STR_BYTES);
	clock_gettime(CLOCK_MONOTONIC, &mix_start);
	if (!strcmp(argv[1], "mix") && argc <= 3) {
		if (argc == 3 && parse_num(argv[2], 0.001, 1e7, &mix_seconds))
			return usage();
		printf("ready\n");
		fflush(stdout);
		run_mix(88172645463325252ULL);
		MIX_AFTER_CALL();
		if (mix_seconds > 0) {
			struct timespec cpu;

			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
			printf("units/s: %.0f\n",
			       (double)mix_units / mix_seconds);
			/* Per second of its own CPU time: what a profiler's
			 * work in its context (the sampling interrupt, the
			 * stack copy) takes, with little of the machine's
			 * noise. */
			printf("units/cpu-s: %.0f\n",
			       (double)mix_units / ((double)cpu.tv_sec +
						    (double)cpu.tv_nsec / 1e9));
		}
		ret = 0;
	} else if (!strcmp(argv[1], "deep") && (argc == 3 || argc == 4)) {
		if (parse_num(argv[2], 1, DEEP_MAX, &a) ||
		    (argc == 4 && parse_num(argv[3], 0.001, 1e7, &mix_seconds)))
			return usage();
		printf("ready\n");
		fflush(stdout);
		run_deep((int)a);
		MIX_AFTER_CALL();
		ret = 0;
	} else if (!strcmp(argv[1], "threads") && (argc == 3 || argc == 4)) {
		if (parse_num(argv[2], 1, 256, &a) ||
		    (argc == 4 && parse_num(argv[3], 0.001, 1e7, &mix_seconds)))
			return usage();
		printf("ready\n");
		fflush(stdout);
		ret = run_threads((int)a);
		MIX_AFTER_CALL();
	} else if (!strcmp(argv[1], "plugin") && (argc == 4 || argc == 5)) {
		if (parse_num(argv[3], 0, 1e7, &b) ||
		    (argc == 5 && parse_num(argv[4], 0.001, 1e7, &mix_seconds)))
			return usage();
		if (mix_seconds > 0 && b >= mix_seconds)
			return usage();
		printf("ready\n");
		fflush(stdout);
		ret = run_plugin(argv[2], b);
		MIX_AFTER_CALL();
	} else {
		return usage();
	}
	return ret;
}
