/* SPDX-License-Identifier: MIT */
/*
 * sampler/jitter.c - a sampling period re-timed at random moments
 * (docs/DIFF.md, "Sampling in lockstep", has the measurements).
 *
 * A clock event with a fixed period samples a program that runs in
 * rounds of a fixed length in lockstep: when the round lasts the period
 * (or a half, a third of it), every sample falls at the same point of the
 * round, and a function that takes 30% of each round gets 0% or 100% of
 * the samples; near such a ratio, the samples sweep the round so slowly
 * that one run's shares are off by a third and the next run's otherwise.
 * A differential profile then flags functions that did not change: the
 * PR's rounds are longer, so its samples fall elsewhere.
 *
 * So every JITTER_MIN_PERIODS to JITTER_MAX_PERIODS nominal periods, at a
 * moment of no relation to the program, each clock event gets a new
 * period drawn uniformly within 1/8 of the nominal one
 * (PERF_EVENT_IOC_PERIOD, which also restarts the event's timer there):
 * the samples' phase in the program's rounds is new at every change, so a
 * function's share of the samples is its share of the time, on average,
 * whatever its rhythm. What a sample stands for is measured, not assumed:
 * each event's count (CPU nanoseconds) is read at every change, a stretch
 * of c ns at period p holds floor(c / p) samples (the timer starts afresh
 * at each change), and period_ns is the stretches' nanoseconds over their
 * samples.
 *
 * Only per-CPU events (cpu scope, -a, --cgroup) are re-timed: an
 * inherited per-thread event's copies in the threads it follows cannot be
 * reached from here.
 */
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

/* A change every 16 to 32 nominal periods, and not more often than every
 * JITTER_MIN_NS (at 4999 Hz: every 10 to 20 ms). */
#define JITTER_MIN_PERIODS 16
#define JITTER_MAX_PERIODS 32
#define JITTER_MIN_NS 10000000ULL
/* Later than this past the moment drawn, the moment is drawn again. */
#define JITTER_LATE_NS 100000ULL
/* Events changed at one moment, round-robin beyond: bounds the work of a
 * wake-up on a machine of many CPUs. */
#define JITTER_MAX_PER_TICK 64

/* splitmix64: a well-mixed 64-bit draw from a counter. */
static uint64_t
jitter_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A draw uniform in [lo, hi]. */
static uint64_t
jitter_uniform(uint64_t *state, uint64_t lo, uint64_t hi)
{
	return lo + jitter_rand(state) % (hi - lo + 1);
}

uint64_t
jitter_draw_period(uint64_t nominal, uint64_t *state)
{
	uint64_t d = nominal / 8;

	return jitter_uniform(state, nominal - d, nominal + d);
}

uint64_t
jitter_draw_wait(uint64_t nominal, uint64_t *state)
{
	uint64_t lo = nominal * JITTER_MIN_PERIODS;
	uint64_t hi = nominal * JITTER_MAX_PERIODS;

	if (lo < JITTER_MIN_NS) {
		lo = JITTER_MIN_NS;
		hi = 2 * JITTER_MIN_NS;
	}
	return jitter_uniform(state, lo, hi);
}

void
jitter_stretch(struct jitter *j, uint64_t ns, uint64_t period)
{
	if (!period)
		return;
	j->ns += ns;
	j->samples += ns / period;
}

uint64_t
jitter_period_ns(const struct jitter *j, uint64_t nominal)
{
	if (!j->samples)
		return nominal;
	return (j->ns + j->samples / 2) / j->samples;
}

void
jitter_init(struct sampler *s)
{
	struct jitter *j = &s->jit;

	j->nominal = s->opts.freq_hz ? 1000000000ULL / s->opts.freq_hz : 0;
	j->rng = sampler_now_ns() ^ ((uint64_t)getpid() << 32);
}

void
jitter_note_fd(struct sampler *s, int fd)
{
	struct jitter *j = &s->jit;

	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 8;
		j->fds = xreallocarray(j->fds, j->cap, sizeof(*j->fds));
	}
	j->fds[j->n].fd = fd;
	j->fds[j->n].period = j->nominal;
	j->fds[j->n].count = 0;
	j->n++;
}

void
jitter_start(struct sampler *s, uint64_t now_ns)
{
	struct jitter *j = &s->jit;

	j->on = s->spec.is_clock && !s->opts.fixed_period && j->nominal &&
		s->scope == SCOPE_CPU && j->n;
	if (j->on)
		j->next_ns = now_ns + jitter_draw_wait(j->nominal, &j->rng);
}

int64_t
jitter_wait_ns(const struct sampler *s, uint64_t now_ns)
{
	const struct jitter *j = &s->jit;

	if (!j->on || !j->n)
		return -1;
	return j->next_ns > now_ns ? (int64_t)(j->next_ns - now_ns) : 0;
}

/* Close event e's stretch: its CPU ns since the last change at its
 * period. False when the count cannot be read. */
static bool
jitter_close(struct jitter *j, struct jitter_fd *e)
{
	uint64_t count;

	if (read(e->fd, &count, sizeof(count)) != (ssize_t)sizeof(count))
		return false;
	if (count >= e->count)
		jitter_stretch(j, count - e->count, e->period);
	e->count = count;
	return true;
}

void
jitter_tick(struct sampler *s, uint64_t now_ns)
{
	struct jitter *j = &s->jit;
	size_t k,
		todo = j->n < JITTER_MAX_PER_TICK ? j->n : JITTER_MAX_PER_TICK;

	if (!j->on || !j->n || now_ns < j->next_ns)
		return;
	/*
	 * Woken late (a pass that began at a ring's wake-up, itself right
	 * after a sample, ran past the moment): a change now would come a
	 * fixed time after a sample, in step with the samples' phase. So a
	 * new moment within a period from now, and the change then.
	 */
	if (now_ns - j->next_ns > JITTER_LATE_NS && !j->late) {
		j->late = true;
		j->next_ns = now_ns + jitter_uniform(&j->rng, 0, j->nominal);
		return;
	}
	j->late = false;
	for (k = 0; k < todo; k++) {
		struct jitter_fd *e = &j->fds[j->next_fd];
		uint64_t p = jitter_draw_period(j->nominal, &j->rng);

		j->next_fd = (j->next_fd + 1) % j->n;
		if (e->fd < 0 || !jitter_close(j, e))
			continue;
		if (ioctl(e->fd, PERF_EVENT_IOC_PERIOD, &p) < 0) {
			e->fd = -1; /* the last stretch is counted; leave it */
			continue;
		}
		e->period = p;
		j->changes++;
	}
	j->next_ns = now_ns + jitter_draw_wait(j->nominal, &j->rng);
}

void
jitter_finish(struct sampler *s)
{
	struct jitter *j = &s->jit;
	size_t i;

	if (j->on && j->changes) {
		for (i = 0; i < j->n; i++)
			if (j->fds[i].fd >= 0)
				jitter_close(j, &j->fds[i]);
		s->stats.period_ns = jitter_period_ns(j, j->nominal);
	}
	s->stats.period_changes = j->changes;
}

void
jitter_free(struct sampler *s)
{
	free(s->jit.fds);
	s->jit.fds = NULL;
	s->jit.n = s->jit.cap = 0;
}
