/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_jitter.c - sampler/jitter.c: the draws stay within
 * their bounds and cover them, a stretch holds floor(ns / period)
 * samples, and a real clock event re-timed by jitter_tick ends with the
 * period its samples stood for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sampler/internal.h"

#define DRAWS 20000

/* Periods within 1/8 of nominal, reaching both ends, centred on it. */
static void
test_jitter_period_draws(void **state)
{
	static const uint64_t nominals[] = { 1001001, 10101010, 200040,
					     100000 };
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(nominals) / sizeof(nominals[0]); i++) {
		uint64_t nom = nominals[i], rng = 42 + i, lo = UINT64_MAX;
		uint64_t hi = 0;
		double sum = 0;

		for (k = 0; k < DRAWS; k++) {
			uint64_t p = jitter_draw_period(nom, &rng);

			assert_true(p >= nom - nom / 8 && p <= nom + nom / 8);
			lo = p < lo ? p : lo;
			hi = p > hi ? p : hi;
			sum += (double)p;
		}
		assert_true(lo < nom - nom / 10);
		assert_true(hi > nom + nom / 10);
		/* The mean of 20000 uniform draws: sd 0.05% of nominal. */
		assert_true(sum / DRAWS > (double)nom * 0.997);
		assert_true(sum / DRAWS < (double)nom * 1.003);
	}
}

/* Waits of 16 to 32 periods, never under 10 ms. */
static void
test_jitter_wait_draws(void **state)
{
	uint64_t rng = 7, w, k, lo = UINT64_MAX, hi = 0;

	(void)state;
	for (k = 0; k < DRAWS; k++) {
		w = jitter_draw_wait(1001001, &rng);
		assert_true(w >= 16 * 1001001ULL && w <= 32 * 1001001ULL);
		lo = w < lo ? w : lo;
		hi = w > hi ? w : hi;
	}
	assert_true(lo < 18 * 1001001ULL && hi > 30 * 1001001ULL);
	for (k = 0; k < DRAWS; k++) {
		w = jitter_draw_wait(200040, &rng); /* 4999 Hz */
		assert_true(w >= 10000000 && w <= 20000000);
	}
}

/* A stretch holds whole periods only: the timer starts afresh at each
 * change, and the part of a period left at the next one is lost. */
static void
test_jitter_stretches(void **state)
{
	struct jitter j;

	(void)state;
	memset(&j, 0, sizeof(j));
	assert_int_equal(jitter_period_ns(&j, 1001001), 1001001);
	jitter_stretch(&j, 10500000, 1000000); /* 10 samples */
	jitter_stretch(&j, 20000000, 900000);  /* 22 */
	jitter_stretch(&j, 0, 1100000);	       /* none */
	jitter_stretch(&j, 5000000, 0);	       /* no period: ignored */
	assert_int_equal(j.samples, 32);
	assert_int_equal(j.ns, 30500000);
	assert_int_equal(jitter_period_ns(&j, 1001001), 953125);
}

static long
open_clock(uint64_t period)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.sample_period = period;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

/* The event's own count: the CPU ns it has counted (task-clock). */
static uint64_t
event_count(long fd)
{
	uint64_t v = 0;

	assert_int_equal(read((int)fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	return v;
}

/*
 * A real clock event (this thread's task-clock, sampling every 1 ms)
 * re-timed while the thread burns 300 ms of CPU: changes are made at the
 * pace drawn (by the wall clock), the stretches hold the whole periods of
 * that CPU time, and the period in the stats is their ns per sample: the
 * mean of a dozen draws or more (sd 2% of nominal) plus what each change
 * loses, under a period of its stretch (bounded below).
 */
static void
test_jitter_tick_real_event(void **state)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	uint64_t t0, c0, now, nom = 1000000, wall_ms, cpu_ms, periods;
	volatile uint64_t x = 1;
	long fd;

	(void)state;
	fd = open_clock(nom);
	if (fd < 0) {
		free(s);
		skip();
	}
	s->opts.freq_hz = 1000;
	s->spec.is_clock = true;
	s->scope = SCOPE_CPU;
	jitter_init(s);
	jitter_note_fd(s, (int)fd);
	t0 = sampler_now_ns();
	c0 = event_count(fd);
	jitter_start(s, t0);
	assert_true(s->jit.on);
	assert_true(jitter_wait_ns(s, t0) >= 16 * (int64_t)nom);
	do {
		x = x * 3 + 1;
		now = sampler_now_ns();
		jitter_tick(s, now);
	} while (event_count(fd) - c0 < 300000000ULL);
	jitter_finish(s);
	wall_ms = (now - t0) / 1000000;
	cpu_ms = s->jit.ns / 1000000;
	/* A change every 16 to 32 ms of wall time. */
	assert_true(s->stats.period_changes >= wall_ms / 32 - 1);
	assert_true(s->stats.period_changes <= wall_ms / 16 + 1);
	/* The event's own CPU ns (its count, not the thread's clock, which
	 * leaves out time the event counts, e.g. interrupts, so the bound
	 * can be tight), and whole periods of 7/8 to 9/8 ms in it. */
	assert_true(cpu_ms >= 299 && cpu_ms <= 302);
	assert_true(s->jit.samples >= cpu_ms * 8 / 9 - s->stats.period_changes);
	assert_true(s->jit.samples <= cpu_ms * 8 / 7);
	assert_int_equal(s->stats.period_ns, jitter_period_ns(&s->jit, nom));
	/* Each change loses under a period of the stretch it ends, so with
	 * n changes in N nominal periods of CPU time a sample stands for at
	 * most N / (N - n - 1) of the drawn mean, which is within 8% of
	 * nominal. A loaded machine slows the thread, not the changes (they
	 * follow the wall clock): more changes, each stretch shorter. */
	periods = s->jit.ns / nom;
	assert_true(periods > s->stats.period_changes + 1);
	assert_true(s->stats.period_ns > nom - nom * 8 / 100);
	assert_true(s->stats.period_ns *
			    (periods - s->stats.period_changes - 1) <
		    (nom + nom * 8 / 100) * periods);
	close((int)fd);
	jitter_free(s);
	free(s);
}

/* Woken late, the change is not made at once (it would follow a sample
 * by a fixed time) but at a new moment within a period; then it is. */
static void
test_jitter_late_moment_redrawn(void **state)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	uint64_t t, nom = 1001001;
	int k;

	(void)state;
	s->opts.freq_hz = 999;
	s->spec.is_clock = true;
	s->scope = SCOPE_CPU;
	jitter_init(s);
	jitter_note_fd(s, -1); /* no event: nothing to change */
	jitter_start(s, 1000);
	for (k = 0; k < 100; k++) {
		t = s->jit.next_ns + 5000000; /* 5 ms late */
		jitter_tick(s, t);
		assert_true(s->jit.late);
		assert_true(s->jit.next_ns >= t && s->jit.next_ns <= t + nom);
		/* On time now: the change is made, the next one drawn. */
		t = s->jit.next_ns + 1000;
		jitter_tick(s, t);
		assert_false(s->jit.late);
		assert_true(s->jit.next_ns >= t + 16 * nom &&
			    s->jit.next_ns <= t + 32 * nom);
	}
	jitter_free(s);
	free(s);
}

/* --fixed-period, or thread scope: nothing changes, period nominal. */
static void
test_jitter_off(void **state)
{
	struct sampler *s = xcalloc(1, sizeof(*s));

	(void)state;
	s->opts.freq_hz = 999;
	s->spec.is_clock = true;
	s->scope = SCOPE_THREAD;
	s->stats.period_ns = 1001001;
	jitter_init(s);
	jitter_note_fd(s, -1);
	jitter_start(s, 1);
	assert_false(s->jit.on);
	assert_int_equal(jitter_wait_ns(s, 1), -1);
	jitter_tick(s, UINT64_MAX / 2);
	s->scope = SCOPE_CPU;
	s->opts.fixed_period = true;
	jitter_start(s, 1);
	assert_false(s->jit.on);
	jitter_finish(s);
	assert_int_equal(s->stats.period_changes, 0);
	assert_int_equal(s->stats.period_ns, 1001001);
	jitter_free(s);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jitter_period_draws),
		cmocka_unit_test(test_jitter_wait_draws),
		cmocka_unit_test(test_jitter_stretches),
		cmocka_unit_test(test_jitter_tick_real_event),
		cmocka_unit_test(test_jitter_late_moment_redrawn),
		cmocka_unit_test(test_jitter_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
