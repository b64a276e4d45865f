/* SPDX-License-Identifier: MIT */
/*
 * examples/pingpong.c - the price of one context switch, measured by the
 * program that pays it (bench/offcpu.sh, "Off-CPU cost per switch").
 *
 *   pingpong [ROUND_TRIPS]
 *
 * Two threads pinned to one CPU pass a byte back and forth over two pipes
 * ROUND_TRIPS times (default 200000): every round trip is two switches
 * (each thread blocks in read until the other writes), so nearly all of
 * the process's CPU time is the kernel switching between them. Whatever a
 * profiler does at each switch (a sample, a stack copy, a switch record)
 * runs in the switching thread's context and lands in that time, without
 * the noise of a load generator sharing the machine. At exit it prints
 *
 *   pingpong: N switches, X.XXX us CPU per switch
 *
 * where X is the process's user + system time over N = 2 * ROUND_TRIPS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int to_peer[2], to_main[2];
static long trips;

static void
usage(void)
{
	fprintf(stderr, "usage: pingpong [ROUND_TRIPS]\n");
	exit(2);
}

/* The peer: answer every byte. */
__attribute__((noipa)) static void *
peer_loop(void *arg)
{
	char c;
	long i;

	for (i = 0; i < trips; i++) {
		if (read(to_peer[0], &c, 1) != 1 ||
		    write(to_main[1], &c, 1) != 1)
			break;
	}
	asm volatile("");
	return arg;
}

/* The main thread: send a byte, wait for it to come back. */
__attribute__((noipa)) static long
main_loop(void)
{
	char c = 'x';
	long i;

	for (i = 0; i < trips; i++) {
		if (write(to_peer[1], &c, 1) != 1 ||
		    read(to_main[0], &c, 1) != 1)
			break;
	}
	asm volatile("");
	return i;
}

/* Pin the process to the first CPU it may run on: both threads then
 * switch on one CPU, never spinning on two. */
static void
pin_one_cpu(void)
{
	cpu_set_t set, one;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			break;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	(void)sched_setaffinity(0, sizeof(one), &one);
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	pthread_t t;
	double cpu_us;
	char *end;
	long done;

	trips = 200000;
	if (argc > 2)
		usage();
	if (argc == 2) {
		errno = 0;
		trips = strtol(argv[1], &end, 10);
		if (errno || *end || end == argv[1] || trips <= 0)
			usage();
	}
	pin_one_cpu();
	if (pipe(to_peer) < 0 || pipe(to_main) < 0 ||
	    pthread_create(&t, NULL, peer_loop, NULL) != 0) {
		fprintf(stderr, "pingpong: %s\n", strerror(errno));
		return 1;
	}
	done = main_loop();
	pthread_join(t, NULL);
	getrusage(RUSAGE_SELF, &ru);
	cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	printf("pingpong: %ld switches, %.3f us CPU per switch\n", 2 * done,
	       cpu_us / (double)(2 * done));
	return done == trips ? 0 : 1;
}
