/* SPDX-License-Identifier: MIT */
/*
 * examples/regression/app.c - one program, two builds: the baseline
 * (-DAPP_PR=0) and a pull request (-DAPP_PR=1) that made one function
 * slower, and changed a few others, so `scorch diff` has something real to
 * find. A loop serves "requests" for SECONDS of wall time and prints the
 * requests per second.
 *
 *   main
 *    `- serve                       one request
 *        |- parse_header            10 units; PR: 22 (the planted slowdown)
 *        |- route                   15 units
 *        |- checksum                25 units
 *        |- handle
 *        |   |- lookup               9 units
 *        |   |- compress_block      20 units; PR: 12 (an improvement)
 *        |   `- format_row          12 units, and strlen() on 64 rows;
 *        |       `- strlen          PR: on 160 rows (libc code, unchanged,
 *        |                          called more by format_row)
 *        |- log_line                strlen() on 64 rows
 *        `- audit_log               PR only: 4 units (a new function)
 *
 * A unit is the same serial multiply-xorshift chain everywhere (see
 * examples/cpuburn.c), each function running its own inlined copy, so the
 * split of time is set by the units.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef APP_PR
#define APP_PR 0
#endif

#if defined(__clang__)
#define APP_FRAME __attribute__((noinline))
#else
#define APP_FRAME __attribute__((noipa))
#endif
#define APP_AFTER_CALL() __asm__ volatile("" ::: "memory")

#define UNIT_ITERS 2000 /* about 6 us of work */
#define ROW_BYTES 16384 /* in L1/L2: strlen's speed is not the memory's */

static volatile uint64_t app_sink = 0x9e3779b97f4a7c15ULL;
static char app_row[ROW_BYTES + 1];

static inline __attribute__((always_inline)) void
work(unsigned units)
{
	uint64_t x = app_sink;
	unsigned long i;

	for (i = 0; i < (unsigned long)units * UNIT_ITERS; i++) {
		x ^= x >> 29;
		x = x * 0xbf58476d1ce4e5b9ULL + 1;
		__asm__ volatile("" : "+r"(x));
	}
	app_sink = x;
}

/* strlen() on n rows: library code whose cost is set by its caller. */
static inline __attribute__((always_inline)) void
scan_rows(unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		app_sink += strlen(app_row);
		APP_AFTER_CALL();
	}
}

APP_FRAME static void
parse_header(void)
{
	work(APP_PR ? 22 : 10);
}

APP_FRAME static void
route(void)
{
	work(15);
}

APP_FRAME static void
checksum(void)
{
	work(25);
}

APP_FRAME static void
lookup(void)
{
	work(9);
}

APP_FRAME static void
compress_block(void)
{
	work(APP_PR ? 12 : 20);
}

APP_FRAME static void
format_row(void)
{
	work(12);
	scan_rows(APP_PR ? 160 : 64);
}

APP_FRAME static void
handle(void)
{
	lookup();
	APP_AFTER_CALL();
	compress_block();
	APP_AFTER_CALL();
	format_row();
	APP_AFTER_CALL();
}

APP_FRAME static void
log_line(void)
{
	scan_rows(64);
}

#if APP_PR
APP_FRAME static void
audit_log(void)
{
	work(4);
}
#endif

APP_FRAME static void
serve(void)
{
	parse_header();
	APP_AFTER_CALL();
	route();
	APP_AFTER_CALL();
	checksum();
	APP_AFTER_CALL();
	handle();
	APP_AFTER_CALL();
	log_line();
	APP_AFTER_CALL();
#if APP_PR
	audit_log();
	APP_AFTER_CALL();
#endif
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double seconds = 2, start, t;
	unsigned long requests = 0;
	char *end;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		errno = 0;
		seconds = strtod(argv[1], &end);
		if (errno || end == argv[1] || *end || !(seconds > 0) ||
		    seconds > 1e6) {
			fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
			return 2;
		}
	}
	memset(app_row, 'r', ROW_BYTES);
	start = now();
	do {
		serve();
		APP_AFTER_CALL();
		requests++;
	} while ((t = now()) - start < seconds);
	printf("requests/s: %.0f\n", (double)requests / (t - start));
	return 0;
}
