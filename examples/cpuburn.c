/* SPDX-License-Identifier: MIT */
/*
 * examples/cpuburn.c - a single-threaded CPU burner whose call structure and
 * split of CPU time between functions are known exactly, for checking what a
 * profiler reports.
 *
 * Usage: cpuburn [SECONDS]
 *
 * Without SECONDS it runs until killed; with SECONDS (a positive decimal, e.g.
 * 1.5) it exits 0 after that much wall time. Bad arguments exit 2.
 *
 * Call structure (every function is a real frame: no inlining, no cloning,
 * no tail calls), with each leaf's share of the CPU time:
 *
 *   main
 *    `- run                       loops over rounds of ~1 ms
 *        |- alpha                 50%  (leaf, 5 units of work per round)
 *        |- beta
 *        |   `- beta_inner        30%  (leaf, 3 units)
 *        `- gamma
 *            `- gamma_mid
 *                `- gamma_leaf    20%  (leaf, 2 units)
 *
 * Folded, the three hot stacks are "cpuburn;main;run;alpha",
 * "cpuburn;main;run;beta;beta_inner" and
 * "cpuburn;main;run;gamma;gamma_mid;gamma_leaf" (below main, the C library's
 * start-up frames may appear, depending on the unwinder). A profiler that
 * shows inlined calls adds burn_kernel above each leaf (scorch: "_[i]").
 *
 * Why the split is exact: each leaf runs its own copy of the same kernel
 * (burn_kernel(), forced inline, so in the machine code the leaf's own
 * frame is the one that burns; scorch's report counts the inlined copies
 * as burn_kernel's self time, its --no-inline view as the leaf's) for
 * 5:3:2 times the same number of iterations. One iteration is a serial
 * chain of shift, xor, multiply and add on one register, so its cost
 * is set by instruction latency, not by code alignment or by the caches, and
 * it is the same in every leaf. The non-leaf functions only call (run also
 * reads the clock once per round, about 20 ns in 1 ms), so every ancestor
 * frame has ~0% self time. A round is ~1 ms, short enough that any sampling
 * window sees many rounds and so the 50/30/20 ratio.
 *
 * The unit size is drawn afresh each round (27500..82500 iterations, from a
 * fixed-seed generator, so every run is the same), the three leaves always
 * in 5:3:2. A fixed round of ~1 ms would alias with a 999 Hz sampler: when
 * the round time drifts close to the sampling period, samples keep landing
 * at the same point of the round, and 20 s runs at 999 Hz measured alpha at
 * 52.5%. With the jitter, 20 s runs measure 49.6-50.1%.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * A frame a profiler must see: never inlined, never cloned into
 * "alpha.constprop.0" and never merged with an identical function
 * (-fipa-icf would otherwise fold the three identical leaves into one).
 */
#if defined(__clang__)
#define BURN_FRAME __attribute__((noinline))
#else
#define BURN_FRAME __attribute__((noipa))
#endif

/*
 * Placed after a call, this keeps the call a `call` (not a sibling-call
 * `jmp`, which would drop the caller's frame from the stack).
 */
#define BURN_AFTER_CALL() __asm__ volatile("" ::: "memory")

/*
 * Placed first in a leaf, this makes the leaf set up its own frame (push
 * %rbp; mov %rsp,%rbp). GCC 12 on x86-64 leaves it out of leaf functions
 * that never touch the stack, even with -fno-omit-frame-pointer, and then a
 * frame-pointer unwind from inside the leaf finds the *caller's* frame
 * first and drops the caller: "main;alpha" instead of "main;run;alpha".
 * Asking for the frame address is what makes the compiler build the frame.
 */
#define BURN_LEAF_FRAME()                                                      \
	__asm__ volatile("" : : "r"(__builtin_frame_address(0)))

/*
 * Kernel iterations in one unit of work: 10 units make a round, ~1 ms on
 * average. Each round draws its unit size uniformly from MEAN +- SPREAD.
 */
#define BURN_UNIT_ITERS_MEAN 55000
#define BURN_UNIT_ITERS_SPREAD 27500

#define BURN_ALPHA_UNITS 5
#define BURN_BETA_UNITS 3
#define BURN_GAMMA_UNITS 2

/* The kernels' state lives here between calls, so no work is dead code. */
static volatile uint64_t burn_sink = 0x9e3779b97f4a7c15ULL;

/*
 * The arithmetic kernel: iters rounds of a multiply-xorshift mix, one
 * dependent chain of ~6 cycles per round. The empty asm hides x from the
 * optimizer each time round, so the loop can be neither vectorized nor
 * reduced to a closed form.
 */
static inline __attribute__((always_inline)) void
burn_kernel(unsigned long iters)
{
	uint64_t x = burn_sink;
	unsigned long i;

	for (i = 0; i < iters; i++) {
		x ^= x >> 29;
		x = x * 0xbf58476d1ce4e5b9ULL + 1;
		__asm__ volatile("" : "+r"(x));
	}
	burn_sink = x;
}

BURN_FRAME static void
alpha(unsigned long unit_iters)
{
	BURN_LEAF_FRAME();
	burn_kernel(BURN_ALPHA_UNITS * unit_iters);
}

BURN_FRAME static void
beta_inner(unsigned long unit_iters)
{
	BURN_LEAF_FRAME();
	burn_kernel(BURN_BETA_UNITS * unit_iters);
}

BURN_FRAME static void
beta(unsigned long unit_iters)
{
	beta_inner(unit_iters);
	BURN_AFTER_CALL();
}

BURN_FRAME static void
gamma_leaf(unsigned long unit_iters)
{
	BURN_LEAF_FRAME();
	burn_kernel(BURN_GAMMA_UNITS * unit_iters);
}

BURN_FRAME static void
gamma_mid(unsigned long unit_iters)
{
	gamma_leaf(unit_iters);
	BURN_AFTER_CALL();
}

/*
 * GCC knows gamma() as the C library's old name for lgamma(); this one is
 * ours and unrelated, so silence the "conflicting types for built-in" check.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wbuiltin-declaration-mismatch"
#endif
BURN_FRAME static void
gamma(unsigned long unit_iters)
{
	gamma_mid(unit_iters);
	BURN_AFTER_CALL();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static uint64_t
burn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The unit size of the next round, from a fixed-seed xorshift generator:
 * the sequence, like everything else here, is the same on every run.
 */
static unsigned long
burn_next_unit_iters(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return BURN_UNIT_ITERS_MEAN - BURN_UNIT_ITERS_SPREAD +
	       (unsigned long)(x % (2 * BURN_UNIT_ITERS_SPREAD + 1));
}

/*
 * Run rounds of alpha, beta and gamma until duration_ns of wall time has
 * passed, or forever when duration_ns is 0. The clock is read once a round.
 */
BURN_FRAME static void
run(uint64_t duration_ns)
{
	uint64_t deadline_ns = burn_now_ns() + duration_ns;
	uint64_t rng_state = 0x2545f4914f6cdd1dULL;
	unsigned long unit_iters;

	for (;;) {
		unit_iters = burn_next_unit_iters(&rng_state);
		alpha(unit_iters);
		beta(unit_iters);
		gamma(unit_iters);
		if (duration_ns && burn_now_ns() >= deadline_ns)
			break;
	}
	BURN_AFTER_CALL();
}

/* Parse SECONDS into *duration_ns; return 0, or -EINVAL if it is no good. */
static int
burn_parse_seconds(const char *s, uint64_t *duration_ns)
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

int
main(int argc, char **argv)
{
	uint64_t duration_ns = 0;

	if (argc > 2 ||
	    (argc == 2 && burn_parse_seconds(argv[1], &duration_ns) < 0)) {
		fprintf(stderr, "usage: cpuburn [SECONDS]\n");
		return 2;
	}
	run(duration_ns);
	return 0;
}
