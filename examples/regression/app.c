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
 *        |- parse_header            10 units; PR: 30 (the planted slowdown)
 *        |- route                   15 units
 *        |- checksum                25 units
 *        |- handle
 *        |   |- lookup               9 units
 *        |   |- compress_block      20 units; PR: 5 (an improvement)
 *        |   `- format_row          12 units, and strlen() on 64 rows;
 *        |       `- strlen          PR: on 256 rows (libc code, unchanged,
 *        |                          called more by format_row)
 *        |- log_line                strlen() on 64 rows
 *        `- audit_log               PR only: 4 units (a new function)
 *
 * A unit is the same serial multiply-xorshift chain everywhere (see
 * examples/cpuburn.c), each function running its own copy (a macro, not an
 * inlined function), so the split of time is set by the units.
 *
 * Usage: regression-{base,pr} [SECONDS]   serve for SECONDS (default 2)
 *        regression-{base,pr} -n REQUESTS fixed work: serve REQUESTS
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

/*
 * The work of `units` units, as a macro so that the code is each
 * function's own: an inlined helper would be a function of the source of
 * its own, the self time of all of them (docs/BUDGETS.md, "What a
 * function is").
 */
#define work(units)                                                            \
	do {                                                                   \
		uint64_t x_ = app_sink;                                        \
		unsigned long i_;                                              \
                                                                               \
		for (i_ = 0; i_ < (unsigned long)(units)*UNIT_ITERS; i_++) {   \
			x_ ^= x_ >> 29;                                        \
			x_ = x_ * 0xbf58476d1ce4e5b9ULL + 1;                   \
			__asm__ volatile("" : "+r"(x_));                       \
		}                                                              \
		app_sink = x_;                                                 \
	} while (0)

/* strlen() on n rows: library code whose cost is set by its caller (a
 * macro too, so the caller is the one calling strlen). */
#define scan_rows(n)                                                           \
	do {                                                                   \
		unsigned j_;                                                   \
                                                                               \
		for (j_ = 0; j_ < (unsigned)(n); j_++) {                       \
			app_sink += strlen(app_row);                           \
			APP_AFTER_CALL();                                      \
		}                                                              \
	} while (0)

APP_FRAME static void
parse_header(void)
{
	work(APP_PR ? 30 : 10);
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
	work(APP_PR ? 5 : 20);
}

APP_FRAME static void
format_row(void)
{
	work(12);
	scan_rows(APP_PR ? 256 : 64);
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

static int
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [SECONDS] | -n REQUESTS\n", argv0);
	return 2;
}

int
main(int argc, char **argv)
{
	double seconds = 2, start, t;
	unsigned long requests = 0, fixed = 0;
	char *end;

	if (argc == 3 && !strcmp(argv[1], "-n")) {
		errno = 0;
		fixed = strtoul(argv[2], &end, 10);
		if (errno || end == argv[2] || *end || !fixed)
			return usage(argv[0]);
	} else if (argc > 2) {
		return usage(argv[0]);
	} else if (argc == 2) {
		errno = 0;
		seconds = strtod(argv[1], &end);
		if (errno || end == argv[1] || *end || !(seconds > 0) ||
		    seconds > 1e6)
			return usage(argv[0]);
	}
	memset(app_row, 'r', ROW_BYTES);
	start = now();
	do {
		serve();
		APP_AFTER_CALL();
		requests++;
		t = now();
	} while (fixed ? requests < fixed : t - start < seconds);
	printf("requests/s: %.0f\n", (double)requests / (t - start));
	return 0;
}
