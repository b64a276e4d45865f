/* SPDX-License-Identifier: MIT */
/*
 * examples/stackmix-plugin.c - a shared library that `stackmix plugin`
 * loads with dlopen() while it is being profiled. Built without frame
 * pointers, so only CFI unwinding can walk through its frames back to the
 * program's main().
 *
 *   plugin_work                 loops until its time is up
 *    `- plugin_inner            ~60% self (a multiply-xorshift chain)
 *        `- (callback)          ~40% (stackmix's hash_buffer)
 */
#include <stdint.h>
#include <time.h>

#if defined(__clang__)
#define PLUGIN_FRAME __attribute__((noinline))
#else
#define PLUGIN_FRAME __attribute__((noipa))
#endif

typedef uint64_t (*plugin_cb)(const unsigned char *p, unsigned long n);

static unsigned char plugin_buf[4096];
static volatile uint64_t plugin_sink = 1;

void plugin_work(plugin_cb cb, double seconds);

PLUGIN_FRAME static void
plugin_inner(plugin_cb cb)
{
	uint64_t x = plugin_sink;
	int i;

	for (i = 0; i < 12000; i++) {
		x ^= x >> 29;
		x = x * 0xbf58476d1ce4e5b9ULL + 1;
		__asm__ volatile("" : "+r"(x));
	}
	for (i = 0; i < 8; i++)
		x += cb(plugin_buf, sizeof(plugin_buf));
	__asm__ volatile("" ::: "memory");
	plugin_sink = x;
}

void
plugin_work(plugin_cb cb, double seconds)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (;;) {
		plugin_inner(cb);
		__asm__ volatile("" ::: "memory");
		if (seconds <= 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if ((double)(b.tv_sec - a.tv_sec) +
			    (double)(b.tv_nsec - a.tv_nsec) / 1e9 >=
		    seconds)
			break;
	}
}
