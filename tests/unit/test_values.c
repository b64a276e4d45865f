/* SPDX-License-Identifier: MIT */
/* tests/unit/test_values.c - profile values (cpu, off-cpu, wall) and views. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "profile/profile.h"

/*
 * A recording with three stacks of one task: main;work (10 CPU samples),
 * main;read;pipe_read_[k] (3 s off CPU), main;work;lock (2 samples and
 * 500 ns off CPU); sites on every frame; 1 ms period.
 */
static struct profile *
values_fixture(bool period)
{
	struct profile *p = profile_new();
	uint32_t t = profile_add_task(p, 7, 8, "app", "worker");
	uint32_t m = profile_intern_frame(p, "app", NULL, FRAME_PROCESS);
	uint32_t w = profile_intern_frame_src(p, "work", "app", FRAME_USER,
					      "w.c", 3);
	uint32_t r = profile_intern_frame(p, "read", "libc.so.6", FRAME_USER);
	uint32_t k =
		profile_intern_frame(p, "pipe_read", "[kernel]", FRAME_KERNEL);
	uint32_t l = profile_intern_frame(p, "lock", "app", FRAME_USER);
	uint32_t s = profile_intern_site(p, 0x1234, 9);
	uint32_t a[] = { m, w }, b[] = { m, r, k }, c[] = { m, w, l };
	uint32_t sa[] = { 0, s }, sb[] = { 0, s, s }, sc[] = { 0, s, s };

	profile_add_stack_values(p, t, a, sa, 2, 10, 0);
	profile_add_stack_values(p, t, b, sb, 3, 0, 3000000000ULL);
	profile_add_stack_values(p, t, c, sc, 3, 2, 500);
	profile_add_module(p, "app", "/usr/bin/app", "abcd");
	if (period)
		profile_meta_set_int(p, "period_ns", 1000000);
	profile_meta_set_str(p, "command", "app --serve");
	return p;
}

/* The count of the stack whose leaf frame is named leaf, or 0 (absent). */
static uint64_t
values_count_at(const struct profile *p, const char *leaf, bool *found)
{
	size_t i;

	*found = false;
	for (i = 0; i < profile_nstacks(p); i++) {
		const struct stack *st = profile_stack(p, i);

		if (st->depth &&
		    !strcmp(profile_frame(p, st->frames[st->depth - 1])->name,
			    leaf)) {
			*found = true;
			return st->count;
		}
	}
	return 0;
}

static void
test_profile_value_parse_and_name(void **state)
{
	enum profile_value v = PROFILE_VALUE_MAX;
	int i;

	(void)state;
	for (i = 0; i < PROFILE_VALUE_MAX; i++) {
		assert_int_equal(
			profile_value_parse(
				profile_value_name((enum profile_value)i), &v),
			0);
		assert_int_equal(v, i);
	}
	assert_string_equal(profile_value_name(PROFILE_VALUE_OFF_CPU),
			    "off-cpu");
	assert_string_equal(profile_value_unit(PROFILE_VALUE_CPU), "samples");
	assert_string_equal(profile_value_unit(PROFILE_VALUE_WALL), "ns");
	assert_int_equal(profile_value_parse("offcpu", &v), -1);
	assert_int_equal(profile_value_parse("", &v), -1);
	assert_int_equal(profile_value_parse("CPU", &v), -1);
}

static void
test_profile_value_default(void **state)
{
	struct profile *p = profile_new(), *q = values_fixture(true);
	struct profile *r = values_fixture(false);
	uint32_t f = profile_intern_frame(p, "f", NULL, FRAME_USER);

	(void)state;
	profile_add_stack(p, TASK_NONE, &f, 1, 4);
	assert_int_equal(profile_value_default(p), PROFILE_VALUE_CPU);
	assert_int_equal(profile_value_default(q), PROFILE_VALUE_WALL);
	/* samples without a period cannot be weighed: off-CPU time alone */
	assert_int_equal(profile_value_default(r), PROFILE_VALUE_OFF_CPU);
	profile_meta_set_str(p, "value", "off-cpu");
	assert_int_equal(profile_value_default(p), PROFILE_VALUE_OFF_CPU);
	profile_free(p);
	profile_free(q);
	profile_free(r);
}

static void
test_profile_view_values(void **state)
{
	struct profile *p = values_fixture(true), *v;
	struct scorch_err err;
	bool found;

	(void)state;
	/* cpu: the samples; the off-CPU-only stack left out */
	v = profile_view(p, PROFILE_VALUE_CPU, &err);
	assert_non_null(v);
	assert_int_equal(profile_nstacks(v), 2);
	assert_int_equal(profile_total(v), 12);
	assert_int_equal(profile_total_off_cpu(v), 0);
	assert_int_equal(values_count_at(v, "lock", &found), 2);
	values_count_at(v, "pipe_read", &found);
	assert_false(found);
	assert_string_equal(profile_meta_str(v, "value"), "cpu");
	assert_string_equal(profile_meta_str(v, "unit"), "samples");
	profile_free(v);

	/* off-cpu: nanoseconds off CPU; the CPU-only stack left out */
	v = profile_view(p, PROFILE_VALUE_OFF_CPU, &err);
	assert_non_null(v);
	assert_int_equal(profile_nstacks(v), 2);
	assert_int_equal(profile_total(v), 3000000500ULL);
	assert_int_equal(values_count_at(v, "pipe_read", &found),
			 3000000000ULL);
	assert_int_equal(values_count_at(v, "lock", &found), 500);
	values_count_at(v, "work", &found);
	assert_false(found);
	assert_string_equal(profile_meta_str(v, "unit"), "ns");
	profile_free(v);

	/* wall: samples * period + off-CPU time */
	v = profile_view(p, PROFILE_VALUE_WALL, &err);
	assert_non_null(v);
	assert_int_equal(profile_nstacks(v), 3);
	assert_int_equal(values_count_at(v, "work", &found), 10000000);
	assert_int_equal(values_count_at(v, "lock", &found), 2000500);
	assert_int_equal(profile_total(v), 3000000000ULL + 12000500);
	assert_string_equal(profile_meta_str(v, "value"), "wall");
	assert_string_equal(profile_meta_str(v, "unit"), "ns");
	profile_free(v);
	profile_free(p);
}

static void
test_profile_view_keeps_tables(void **state)
{
	struct profile *p = values_fixture(true), *v;
	struct scorch_err err;
	const struct stack *a, *b;
	size_t i;

	(void)state;
	v = profile_view(p, PROFILE_VALUE_WALL, &err);
	assert_non_null(v);
	assert_int_equal(profile_nframes(v), profile_nframes(p));
	for (i = 0; i < profile_nframes(p); i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);
		const struct frame *g = profile_frame(v, (uint32_t)i);

		assert_string_equal(f->name, g->name);
		assert_string_equal(f->module, g->module);
		assert_string_equal(f->file, g->file);
		assert_int_equal(f->kind, g->kind);
		assert_int_equal(f->line, g->line);
	}
	assert_int_equal(profile_ntasks(v), 1);
	assert_string_equal(profile_task(v, 0)->thread, "worker");
	assert_int_equal(profile_task(v, 0)->tid, 8);
	assert_int_equal(profile_nsites(v), profile_nsites(p));
	assert_int_equal(profile_site(v, 1)->addr, 0x1234);
	assert_int_equal(profile_nmodules(v), 1);
	assert_string_equal(profile_module(v, 0)->build_id, "abcd");
	assert_string_equal(profile_meta_str(v, "command"), "app --serve");
	assert_int_equal(profile_meta_int(v, "period_ns", 0), 1000000);
	for (i = 0; i < profile_nstacks(p); i++) {
		a = profile_stack(p, i);
		b = profile_stack(v, i);
		assert_int_equal(a->depth, b->depth);
		assert_int_equal(a->task, b->task);
		assert_memory_equal(a->frames, b->frames,
				    a->depth * sizeof(*a->frames));
		assert_non_null(b->sites);
		assert_memory_equal(a->sites, b->sites,
				    a->depth * sizeof(*a->sites));
		assert_int_equal(b->off_cpu_ns, 0);
	}
	profile_free(v);
	profile_free(p);
}

static void
test_profile_view_refusals(void **state)
{
	struct profile *p = values_fixture(false), *v, *w;
	struct scorch_err err;

	(void)state;
	/* wall needs a period to weigh the samples */
	assert_null(profile_view(p, PROFILE_VALUE_WALL, &err));
	assert_non_null(strstr(err.msg, "period_ns"));
	/* a view shows its own value again, and no other */
	v = profile_view(p, PROFILE_VALUE_OFF_CPU, &err);
	assert_non_null(v);
	w = profile_view(v, PROFILE_VALUE_OFF_CPU, &err);
	assert_non_null(w);
	assert_int_equal(profile_total(w), profile_total(v));
	profile_free(w);
	assert_null(profile_view(v, PROFILE_VALUE_CPU, &err));
	assert_non_null(strstr(err.msg, "off-cpu values only"));
	profile_free(v);
	profile_free(p);

	/* a wall time past 2^64 - 1 ns is refused, not wrapped */
	p = values_fixture(true);
	profile_meta_set_int(p, "period_ns", INT64_MAX);
	assert_null(profile_view(p, PROFILE_VALUE_WALL, &err));
	assert_non_null(strstr(err.msg, "2^64"));
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_value_parse_and_name),
		cmocka_unit_test(test_profile_value_default),
		cmocka_unit_test(test_profile_view_values),
		cmocka_unit_test(test_profile_view_keeps_tables),
		cmocka_unit_test(test_profile_view_refusals),
	};

	return cmocka_run_group_tests_name("values", tests, NULL, NULL);
}
