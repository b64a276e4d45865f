/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_offcpu.c - sampler/offcpu.c's switch bookkeeping, driven
 * by decoded records built by hand: each way a switch can go (weighed,
 * preempted, its sample or its switch-in lost, off CPU since the start, a
 * new thread, an exiting one, still off at the end) lands in its counter
 * and its time under the right stack.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sampler/internal.h"

#define PID 100
#define START 1000000ULL /* the recording's start, ns */

static struct sampler *
offcpu_sampler(void)
{
	struct sampler *s = xcalloc(1, sizeof(*s));

	s->opts.off_cpu = true;
	s->stacks = stack_table_new();
	s->tasks = task_table_new();
	intmap_init(&s->offcpu_ids);
	intmap_init(&s->offcpu_tasks);
	s->start_ns = START;
	return s;
}

static void
offcpu_sampler_free(struct sampler *s)
{
	offcpu_free(s);
	stack_table_free(s->stacks);
	task_table_free(s->tasks);
	free(s);
}

/* A switch-out sample of tid at time t, at a one-frame kernel stack ip. */
static size_t
sample_at(struct sampler *s, pid_t tid, uint64_t t, uint64_t ip)
{
	struct perf_rec pr;
	size_t idx;

	memset(&pr, 0, sizeof(pr));
	pr.type = PERF_RECORD_SAMPLE;
	pr.id.pid = PID;
	pr.id.tid = (uint32_t)tid;
	pr.id.time = t;
	idx = stack_table_add(s->stacks, PID, tid, 0, &ip, NULL, 1, 0, 0, 0);
	offcpu_sample(s, &pr, idx);
	return idx;
}

static void
switch_at(struct sampler *s, pid_t tid, uint64_t t, bool out, bool preempt)
{
	struct perf_rec pr;

	memset(&pr, 0, sizeof(pr));
	pr.type = PERF_RECORD_SWITCH;
	pr.id.pid = PID;
	pr.id.tid = (uint32_t)tid;
	pr.id.time = t;
	pr.switch_.out = out;
	pr.switch_.preempt = preempt;
	offcpu_switch(s, &pr);
}

/* The off-CPU ns of the stack of tid with these flags (and ip, when it has
 * a frame). */
static uint64_t
off_at(const struct sampler *s, pid_t tid, uint32_t flags, uint64_t ip)
{
	size_t i;
	uint64_t ns = 0;

	for (i = 0; i < stack_table_len(s->stacks); i++) {
		const struct addr_stack *a = stack_table_get(s->stacks, i);

		if (a->tid == tid && a->flags == flags &&
		    (!a->nkernel || a->ips[0] == ip))
			ns += a->off_cpu_ns;
	}
	return ns;
}

static void
test_offcpu_weighed_and_preempted(void **state)
{
	struct sampler *s = offcpu_sampler();

	(void)state;
	/* blocked: out at 2000 (sample, then its record), back at 3000 */
	sample_at(s, 10, START + 2000, 0xa);
	switch_at(s, 10, START + 2001, true, false);
	switch_at(s, 10, START + 3000, false, false);
	assert_int_equal(off_at(s, 10, 0, 0xa), 1000);
	/* preempted: the same stack again, under a [preempted] leaf */
	sample_at(s, 10, START + 4000, 0xa);
	switch_at(s, 10, START + 4001, true, true);
	switch_at(s, 10, START + 4500, false, false);
	assert_int_equal(off_at(s, 10, 0, 0xa), 1000);
	assert_int_equal(off_at(s, 10, STACK_PREEMPTED, 0xa), 500);
	assert_int_equal(s->stats.off_cpu_switches, 2);
	assert_int_equal(s->stats.off_cpu_samples, 2);
	assert_int_equal(s->stats.off_cpu_ns, 1500);
	assert_int_equal(s->stats.off_cpu_preempted_ns, 500);
	assert_int_equal(s->stats.off_cpu_unmatched, 0);
	offcpu_sampler_free(s);
}

static void
test_offcpu_lost_records_counted(void **state)
{
	struct sampler *s = offcpu_sampler();

	(void)state;
	sample_at(s, 10, START + 100, 0xa); /* seen running */
	switch_at(s, 10, START + 101, true, false);
	switch_at(s, 10, START + 200, false, false);
	/* the sample lost, its record kept: the time under [unknown] */
	switch_at(s, 10, START + 1000, true, false);
	switch_at(s, 10, START + 1400, false, false);
	assert_int_equal(off_at(s, 10, STACK_BROKEN, 0), 400);
	assert_int_equal(s->stats.off_cpu_unmatched, 1);
	/* both lost: counted, not weighed */
	switch_at(s, 10, START + 2000, false, false);
	assert_int_equal(s->stats.off_cpu_unmatched, 2);
	/* a switch-in lost: the next switch-out says so */
	sample_at(s, 10, START + 3000, 0xb);
	sample_at(s, 10, START + 5000, 0xc);
	switch_at(s, 10, START + 5100, false, false);
	assert_int_equal(s->stats.off_cpu_no_switch_in, 1);
	assert_int_equal(off_at(s, 10, 0, 0xb), 0);
	assert_int_equal(off_at(s, 10, 0, 0xc), 100);
	assert_int_equal(s->stats.off_cpu_ns, 100 + 400 + 100);
	offcpu_sampler_free(s);
}

static void
test_offcpu_start_end_fork_exit(void **state)
{
	struct sampler *s = offcpu_sampler();

	(void)state;
	/* off CPU since before the recording: from its start */
	switch_at(s, 11, START + 700, false, false);
	assert_int_equal(s->stats.off_cpu_before, 1);
	assert_int_equal(off_at(s, 11, STACK_BROKEN, 0), 700);
	/* a new thread's first switch-in is no off-CPU time */
	offcpu_fork(s, PID, 12);
	switch_at(s, 12, START + 900, false, false);
	assert_int_equal(s->stats.off_cpu_before, 1);
	assert_int_equal(s->stats.off_cpu_unmatched, 0);
	/* an exiting thread's last switch, and one past its exit (-1) */
	sample_at(s, 13, START + 1000, 0xd);
	switch_at(s, 13, START + 1100, false, false);
	offcpu_exit(s, 13);
	sample_at(s, 13, START + 1200, 0xd);
	sample_at(s, -1, START + 1300, 0xe);
	switch_at(s, -1, START + 1301, true, false);
	/* still off CPU at the end: weighed to it */
	sample_at(s, 14, START + 9000, 0xf);
	offcpu_finish(s, START + 9500);
	assert_int_equal(s->stats.off_cpu_open, 1);
	assert_int_equal(off_at(s, 14, 0, 0xf), 500);
	assert_int_equal(off_at(s, 13, 0, 0xd), 100);
	assert_int_equal(s->stats.off_cpu_samples, 2);
	assert_int_equal(s->stats.off_cpu_ns, 700 + 100 + 500);
	offcpu_sampler_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offcpu_weighed_and_preempted),
		cmocka_unit_test(test_offcpu_lost_records_counted),
		cmocka_unit_test(test_offcpu_start_end_fork_exit),
	};

	return cmocka_run_group_tests_name("offcpu", tests, NULL, NULL);
}
