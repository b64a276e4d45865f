/* SPDX-License-Identifier: MIT */
/* tests/unit/test_meta.c - the typed accessors of a profile's metadata. */
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

/* Folded input: no period, one run, no duration, bare samples. */
static void
test_profile_meta_unknown(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	assert_int_equal(profile_period_ns(p), 0);
	assert_int_equal(profile_runs(p), 1);
	assert_int_equal(profile_duration_ms(p), -1);
	assert_int_equal(profile_unit(p), PROFILE_UNIT_SAMPLES);
	assert_int_equal(profile_count_ns(p), 0);
	assert_true(profile_run_ms(p, 1000) == 0.0);
	profile_free(p);
}

/* A recording at 10 ms a sample: 250 samples are 2.5 s of CPU. */
static void
test_profile_meta_recording(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	profile_meta_set_int(p, "period_ns", 10000000);
	profile_meta_set_int(p, "duration_ms", 3000);
	assert_int_equal(profile_period_ns(p), 10000000);
	assert_int_equal(profile_runs(p), 1);
	assert_int_equal(profile_duration_ms(p), 3000);
	assert_int_equal(profile_count_ns(p), 10000000);
	assert_true(profile_run_ms(p, 250) == 2500.0);
	profile_free(p);
}

/*
 * The one meaning of a merged profile's time: per run. Four runs of
 * 250 samples at 10 ms are 1000 samples and 2.5 s a run (report, check,
 * budgets and diff all said it with this one function).
 */
static void
test_profile_meta_per_run(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	profile_meta_set_int(p, "period_ns", 10000000);
	profile_meta_set_int(p, "merged_from", 4);
	assert_int_equal(profile_runs(p), 4);
	assert_true(profile_run_ms(p, 1000) == 2500.0);
	profile_free(p);
}

/* A view in ns (off-CPU, wall): a count is one ns, whatever the period. */
static void
test_profile_meta_ns_view(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	profile_meta_set_int(p, "period_ns", 10000000);
	profile_meta_set_str(p, "unit", "ns");
	assert_int_equal(profile_unit(p), PROFILE_UNIT_NS);
	assert_int_equal(profile_count_ns(p), 1);
	assert_true(profile_run_ms(p, 3000000) == 3.0);
	profile_meta_set_str(p, "unit", "samples");
	assert_int_equal(profile_count_ns(p), 10000000);
	profile_free(p);
}

/* Bad values (hand-written JSON) read as not known, never as negative
 * times or zero runs. */
static void
test_profile_meta_bad_values(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	profile_meta_set_int(p, "period_ns", -5);
	profile_meta_set_int(p, "merged_from", 0);
	profile_meta_set_int(p, "duration_ms", -7);
	assert_int_equal(profile_period_ns(p), 0);
	assert_int_equal(profile_runs(p), 1);
	assert_int_equal(profile_duration_ms(p), -1);
	profile_meta_set_str(p, "period_ns", "10ms");
	profile_meta_set_str(p, "merged_from", "four");
	assert_int_equal(profile_period_ns(p), 0);
	assert_int_equal(profile_runs(p), 1);
	profile_meta_set_str(p, "unit", "furlongs");
	assert_int_equal(profile_unit(p), PROFILE_UNIT_SAMPLES);
	profile_free(p);
}

/* What a view says it shows: its title, and what its counts add up to. */
static void
test_profile_value_label_views(void **state)
{
	struct profile *p = profile_new(), *v;
	uint32_t f = profile_intern_frame(p, "wait", NULL, FRAME_KERNEL);
	struct scorch_err err;

	(void)state;
	assert_string_equal(profile_value_title(PROFILE_VALUE_CPU), "CPU");
	assert_string_equal(profile_value_title(PROFILE_VALUE_OFF_CPU),
			    "Off-CPU");
	assert_string_equal(profile_value_title(PROFILE_VALUE_WALL),
			    "Wall clock");
	profile_add_stack_values(p, TASK_NONE, &f, NULL, 1, 3, 5000000);
	assert_string_equal(profile_value_label(p), "samples"); /* no period */
	profile_meta_set_int(p, "period_ns", 1000000);
	assert_string_equal(profile_value_label(p), "wall time");
	v = profile_view(p, PROFILE_VALUE_OFF_CPU, &err);
	assert_non_null(v);
	assert_string_equal(profile_value_label(v), "off-CPU time");
	/* 5 ms off CPU: 5e6 counts of 1 ns, 5 ms */
	assert_true(profile_run_ms(v, profile_total(v)) == 5.0);
	profile_free(v);
	v = profile_view(p, PROFILE_VALUE_WALL, &err);
	assert_non_null(v);
	assert_true(profile_run_ms(v, profile_total(v)) == 8.0);
	profile_free(v);
	v = profile_view(p, PROFILE_VALUE_CPU, &err);
	assert_non_null(v);
	assert_string_equal(profile_value_label(v), "CPU time");
	assert_true(profile_run_ms(v, profile_total(v)) == 3.0);
	profile_free(v);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_meta_unknown),
		cmocka_unit_test(test_profile_meta_recording),
		cmocka_unit_test(test_profile_meta_per_run),
		cmocka_unit_test(test_profile_meta_ns_view),
		cmocka_unit_test(test_profile_meta_bad_values),
		cmocka_unit_test(test_profile_value_label_views),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
