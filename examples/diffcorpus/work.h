/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/work.h - what every corpus program shares: a unit of
 * CPU work and the command line.
 *
 * DC_SPIN is a macro, not a function: the work of a function is its own
 * code (its self time), with no inlined helper frame of a function of the
 * source that a profiler would then name instead. A step is one serial
 * multiply-xorshift (about 3 ns on the development VM).
 *
 * Every program runs a fixed amount of work (ROUNDS rounds) and exits;
 * argv[1], when given, scales it (0.5: half the rounds), so tests can
 * record short runs. It prints one checksum line, so nothing is optimized
 * away.
 */
#ifndef DIFFCORPUS_WORK_H
#define DIFFCORPUS_WORK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef PR
#define PR 0
#endif

/*
 * A corpus function is never inlined, and starts on a 64-byte boundary:
 * the PR adds or grows code (main is longer, a function is new), which
 * moves the functions after it. Moved by 16 bytes, an unchanged loop can
 * run several percent faster or slower (its jumps cross another fetch or
 * micro-op cache boundary; by how much depends on the CPU), which a
 * profiler rightly reports as a change. Aligned, an unchanged function's
 * machine code sits at the same offsets in both builds, so "unchanged in
 * the source" is also unchanged on the CPU.
 */
#if defined(__clang__)
#define DC_FRAME __attribute__((noinline, aligned(64)))
#else
#define DC_FRAME __attribute__((noipa, aligned(64)))
#endif
/* After a call: no tail call, so the caller stays on the stack. */
#define DC_AFTER_CALL() __asm__ volatile("" ::: "memory")

#define DC_SPIN(x, steps)                                                      \
	do {                                                                   \
		long dc_i_;                                                    \
		for (dc_i_ = 0; dc_i_ < (long)(steps); dc_i_++) {              \
			(x) ^= (x) >> 29;                                      \
			(x) = (x)*0xbf58476d1ce4e5b9ULL + 1;                   \
			__asm__ volatile("" : "+r"(x));                        \
		}                                                              \
	} while (0)

extern volatile uint64_t dc_sink;

/* STEPS steps of work in the function that writes it. */
#define DC_WORK(steps)                                                         \
	do {                                                                   \
		uint64_t dc_x_ = dc_sink;                                      \
		DC_SPIN(dc_x_, steps);                                         \
		dc_sink = dc_x_;                                               \
	} while (0)

/* Rounds to run: ROUNDS scaled by argv[1] (a positive number), at least 1. */
long dc_rounds(int argc, char **argv, long rounds);
/* argv[i] as a number, or DEFAULT when absent; a bad one exits 2. */
double dc_arg(int argc, char **argv, int i, double def);
/* Print the checksum line and return 0. */
int dc_done(const char *name);

#endif
