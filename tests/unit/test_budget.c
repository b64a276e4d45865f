/* SPDX-License-Identifier: MIT */
/* tests/unit/test_budget.c - performance budgets: parsing and checking. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "profile/profile.h"

/*
 * 100 samples of "app", period 2 ms:
 *   app;main;parse                30   parse: self 40, total 55
 *   app;main;parse;memcpy(libc)   10   memcpy: self 10
 *   app;main;parse;parse          5    (recursion counts once in total)
 *   app;main;hash_[i]             20
 *   app;main;parse(libc)          15   another module's parse
 *   app;main                      20
 */
static struct profile *
test_budget_profile(void)
{
	struct profile *p = profile_new();
	uint32_t app = profile_intern_frame(p, "app", NULL, FRAME_PROCESS);
	uint32_t mn = profile_intern_frame(p, "main", "app", FRAME_USER);
	uint32_t parse = profile_intern_frame(p, "parse", "app", FRAME_USER);
	uint32_t mc =
		profile_intern_frame(p, "memcpy", "libc.so.6", FRAME_USER);
	uint32_t hash = profile_intern_frame(p, "hash", "app", FRAME_INLINED);
	uint32_t lparse =
		profile_intern_frame(p, "parse", "libc.so.6", FRAME_USER);

	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, parse }, 3, 30);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, parse, mc }, 4,
			  10);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, parse, parse },
			  4, 5);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, hash }, 3, 20);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, lparse }, 3, 15);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn }, 2, 20);
	profile_meta_set_int(p, "period_ns", 2000000);
	return p;
}

static struct budget *
test_budget_parse_ok(const char *json)
{
	struct scorch_err err = { "" };
	struct budget *b = budget_parse(json, strlen(json), "b.json", &err);

	if (!b)
		fail_msg("budget_parse: %s", err.msg);
	return b;
}

static void
test_budget_parse_errors_name_the_field(void **state)
{
	static const struct {
		const char *json;
		const char *msg;
	} cases[] = {
		{ "", "b.json: not valid JSON (line 1, column 1)" },
		{ "{\"budgets\": [\n  {\"function\": \"f\",,}]}",
		  "b.json: not valid JSON (line 2, column 21)" },
		{ "[]", "b.json: not a budget file (not a JSON object)" },
		{ "{}", "b.json: budgets: missing (a list of limits)" },
		{ "{\"budgets\": {}}", "b.json: budgets: must be a list" },
		{ "{\"budgets\": []}",
		  "b.json: budgets: empty (nothing to check)" },
		{ "{\"budget\": []}",
		  "b.json: budget: unknown field (known: budgets, "
		  "min_samples, value, comment)" },
		{ "{\"value\": \"idle\", \"budgets\": []}",
		  "b.json: value: must be \"cpu\", \"off-cpu\" or \"wall\"" },
		{ "{\"value\": 1, \"budgets\": []}",
		  "b.json: value: must be \"cpu\", \"off-cpu\" or \"wall\"" },
		{ "{\"min_samples\": -1, \"budgets\": []}",
		  "b.json: min_samples: must be a whole number, 0 or more" },
		{ "{\"budgets\": [7]}",
		  "b.json: budgets[0]: must be an object" },
		{ "{\"budgets\": [{\"function\": \"f\", \"max_self_percent\": "
		  "5}, {\"function\": \"g\", \"max_self_percent\": \"5\"}]}",
		  "b.json: budgets[1].max_self_percent: must be a number" },
		{ "{\"budgets\": [{\"function\": \"f\", \"max_total_percent\": "
		  "120}]}",
		  "b.json: budgets[0].max_total_percent: 120 is not a "
		  "percentage (0 to 100)" },
		{ "{\"budgets\": [{\"function\": \"f\", \"max_self_ms\": -1}]}",
		  "b.json: budgets[0].max_self_ms: -1 is not a number of "
		  "milliseconds (0 or more)" },
		{ "{\"budgets\": [{\"function\": \"f\", \"max_self_pct\": 1}]}",
		  "b.json: budgets[0].max_self_pct: unknown field (known: "
		  "function, function_regex, module, max_self_percent, "
		  "max_total_percent, max_self_ms, max_total_ms, comment)" },
		{ "{\"budgets\": [{\"function\": 3, \"max_self_ms\": 1}]}",
		  "b.json: budgets[0].function: must be a string" },
		{ "{\"budgets\": [{\"function\": \"\", \"max_self_ms\": 1}]}",
		  "b.json: budgets[0].function: must not be empty" },
		{ "{\"budgets\": [{\"max_self_ms\": 1}]}",
		  "b.json: budgets[0]: no function (give function or "
		  "function_regex)" },
		{ "{\"budgets\": [{\"function\": \"f\", \"function_regex\": "
		  "\"g\", \"max_self_ms\": 1}]}",
		  "b.json: budgets[0]: has both function and function_regex "
		  "(give one)" },
		{ "{\"budgets\": [{\"function\": \"f\"}]}",
		  "b.json: budgets[0]: no limit (give max_self_percent, "
		  "max_total_percent, max_self_ms or max_total_ms)" },
		{ "{\"budgets\": [{\"function\": \"f\", \"max_self_ms\": 1, "
		  "\"max_self_ms\": 2}]}",
		  "b.json: budgets[0].max_self_ms: given twice" },
		{ "{\"budgets\": [{\"function\": \"f\", \"module\": false, "
		  "\"max_self_ms\": 1}]}",
		  "b.json: budgets[0].module: must be a string" },
		{ "{\"budgets\": [{\"function\": \"f\", \"comment\": 1, "
		  "\"max_self_ms\": 1}]}",
		  "b.json: budgets[0].comment: must be a string" },
	};
	const char *bad_regex = "{\"budgets\": [{\"function_regex\": \"(\", "
				"\"max_self_ms\": 1}]}";
	const char *huge_regex = "{\"budgets\": [{\"function_regex\": "
				 "\"((a{1000}){1000}){1000}\", "
				 "\"max_self_ms\": 1}]}";
	const char *long_regex =
		"{\"budgets\": [{\"function_regex\": \"" /* 80 a's, then ( */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaa(\", \"max_self_ms\": 1}]}";
	struct scorch_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct budget *b;

		strcpy(err.msg, "(unset)");
		b = budget_parse(cases[i].json, strlen(cases[i].json), "b.json",
				 &err);
		if (b)
			fail_msg("case %zu parsed: %s", i, cases[i].json);
		assert_string_equal(err.msg, cases[i].msg);
	}
	/* A bad regex names the field, the regex and what is wrong. */
	assert_null(budget_parse(bad_regex, strlen(bad_regex), "b.json", &err));
	assert_string_equal(err.msg, "b.json: budgets[0].function_regex: "
				     "'(': unmatched (");
	/* 70 bytes that took all of glibc regcomp's memory: refused at once,
	 * and a long regex is cut in the message. */
	assert_null(
		budget_parse(huge_regex, strlen(huge_regex), "b.json", &err));
	assert_string_equal(err.msg,
			    "b.json: budgets[0].function_regex: "
			    "'((a{1000}){1000}){1000}': too large (more than "
			    "2000 states once repetition is expanded)");
	assert_null(
		budget_parse(long_regex, strlen(long_regex), "b.json", &err));
	assert_string_equal(
		err.msg, "b.json: budgets[0].function_regex: "
			 "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaaaa...': unmatched (");
}

static void
test_budget_check_percent(void **state)
{
	struct profile *p = test_budget_profile();
	struct budget *b = test_budget_parse_ok(
		"{\"comment\": \"x\", \"budgets\": ["
		"{\"function\": \"parse\", \"module\": \"app\", "
		"\"max_self_percent\": 35, \"max_total_percent\": 55},"
		"{\"function\": \"parse\", \"max_self_percent\": 50},"
		"{\"function\": \"memcpy\", \"max_self_percent\": 9.5}]}");
	struct budget_result r[4];
	struct scorch_err err;

	(void)state;
	assert_int_equal(budget_nlimits(b), 4);
	assert_int_equal(budget_min_samples(b), 1);
	assert_int_equal(budget_check(b, p, "p.json", r, &err), 1);
	/* app's parse: self 35 (30 + 5), total 45 (30 + 10 + 5, once). */
	assert_int_equal(r[0].entry, 0);
	assert_int_equal(r[0].metric, BUDGET_SELF_PERCENT);
	assert_int_equal(r[0].samples, 35);
	assert_true(r[0].actual == 35.0);
	assert_false(r[0].exceeded); /* equal to the limit holds */
	assert_int_equal(r[1].metric, BUDGET_TOTAL_PERCENT);
	assert_int_equal(r[1].samples, 45);
	assert_false(r[1].exceeded);
	assert_int_equal(r[1].nfunctions, 1);
	/* Without a module, libc's parse counts too: self 35 + 15. */
	assert_int_equal(r[2].entry, 1);
	assert_int_equal(r[2].samples, 50);
	assert_int_equal(r[2].nfunctions, 2);
	assert_false(r[2].exceeded);
	assert_string_equal(r[2].module, "");
	assert_int_equal(r[3].samples, 10);
	assert_true(r[3].exceeded);
	assert_true(r[3].limit == 9.5);
	budget_free(b);
	profile_free(p);
}

/*
 * 50 samples: hash runs out of line and inlined into parse.
 *   app;main;hash                  10   hash: self 10 + 20, total 35
 *   app;main;parse;hash_[i]        20   parse: self 0, total 25
 *   app;main;parse;hash_[i];memcpy  5
 *   app;main;do_read_[k]            5
 *   app;main                       10
 */
static struct profile *
test_budget_inlined_profile(void)
{
	struct profile *p = profile_new();
	uint32_t app = profile_intern_frame(p, "app", NULL, FRAME_PROCESS);
	uint32_t mn = profile_intern_frame(p, "main", "app", FRAME_USER);
	uint32_t parse = profile_intern_frame(p, "parse", "app", FRAME_USER);
	uint32_t hash = profile_intern_frame(p, "hash", "app", FRAME_USER);
	uint32_t ihash = profile_intern_frame(p, "hash", "app", FRAME_INLINED);
	uint32_t mc =
		profile_intern_frame(p, "memcpy", "libc.so.6", FRAME_USER);
	uint32_t rd = profile_intern_frame(p, "do_read", "", FRAME_KERNEL);

	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, hash }, 3, 10);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, parse, ihash },
			  4, 20);
	profile_add_stack(p, TASK_NONE,
			  (uint32_t[]){ app, mn, parse, ihash, mc }, 5, 5);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn, rd }, 3, 5);
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ app, mn }, 2, 10);
	return p;
}

static const char test_budget_inlined_json[] =
	"{\"budgets\": ["
	"{\"function\": \"hash\", \"max_self_percent\": 50, "
	"\"max_total_percent\": 70},"
	"{\"function\": \"hash_[i]\", \"max_self_percent\": 1},"
	"{\"function_regex\": \"^hash$\", \"max_self_percent\": 60},"
	"{\"function\": \"parse\", \"max_self_percent\": 30, "
	"\"max_total_percent\": 50},"
	"{\"function\": \"do_read_[k]\", \"max_self_percent\": 20},"
	"{\"function\": \"do_read\", \"max_self_percent\": 20},"
	"{\"function\": \"app\", \"max_total_percent\": 1}]}";

static void
test_budget_check_inlined_copies_are_the_function(void **state)
{
	struct profile *p = test_budget_inlined_profile();
	struct budget *b = test_budget_parse_ok(test_budget_inlined_json);
	struct budget_result r[9];
	struct scorch_err err;
	struct aggregate *a = aggregate_new(p, AGG_FUNCTION);
	const struct agg_row *row;

	(void)state;
	assert_int_equal(budget_nlimits(b), 9);
	assert_int_equal(budget_check(b, p, "p.json", r, &err), 1);
	/* hash: its body and its inlined copy, as report counts it. */
	row = aggregate_find(a, "hash", "app", FRAME_USER, TASK_NONE);
	assert_non_null(row);
	assert_int_equal(r[0].samples, 30);
	assert_int_equal(r[0].samples, row->self);
	assert_true(r[0].exceeded); /* 60% > 50% */
	assert_int_equal(r[1].samples, 35);
	assert_int_equal(r[1].samples, row->total);
	assert_false(r[1].exceeded); /* 70% holds */
	/* The inlined copy is no function of its own. */
	assert_int_equal(r[2].nfunctions, 0);
	assert_int_equal(r[2].samples, 0);
	assert_true(r[3].regex);
	assert_int_equal(r[3].samples, 30);
	assert_false(r[3].exceeded);
	/* parse ran hash's inlined code, which is hash's self, not its. */
	assert_int_equal(r[4].samples, 0);
	assert_int_equal(r[5].samples, 25);
	/* Kernel frames keep their suffix. */
	assert_int_equal(r[6].samples, 5);
	assert_int_equal(r[7].nfunctions, 0);
	/* The process frame is not a function. */
	assert_int_equal(r[8].nfunctions, 0);
	aggregate_free(a);
	budget_free(b);
	profile_free(p);
}

static void
test_budget_check_machine_view(void **state)
{
	struct profile *src = test_budget_inlined_profile();
	struct profile *p = profile_inline_fold(src);
	struct budget *b = test_budget_parse_ok(test_budget_inlined_json);
	struct budget_result r[9];
	struct scorch_err err;

	(void)state;
	/* Folded into parse, hash's inlined code is parse's time. */
	assert_int_equal(budget_check(b, p, "p.json", r, &err), 1);
	assert_int_equal(r[0].samples, 10);
	assert_false(r[0].exceeded);
	assert_int_equal(r[1].samples, 10);
	assert_int_equal(r[4].samples, 20);
	assert_true(r[4].exceeded); /* 40% > 30% */
	assert_int_equal(r[5].samples, 25);
	assert_int_equal(profile_total(p), profile_total(src));
	budget_free(b);
	profile_free(p);
	profile_free(src);
}

static void
test_budget_check_regex(void **state)
{
	struct profile *p = test_budget_profile();
	struct budget *b = test_budget_parse_ok(
		"{\"budgets\": [{\"function_regex\": \"^(parse|memcpy)$\", "
		"\"module\": \"app\", \"max_self_percent\": 40, "
		"\"max_total_percent\": 44},"
		"{\"function_regex\": \"^(parse|memcpy)$\", "
		"\"max_total_percent\": 60}]}");
	struct budget_result r[3];
	struct scorch_err err;

	(void)state;
	assert_int_equal(budget_check(b, p, "p.json", r, &err), 1);
	/* In app only memcpy is out: self 35, total 45. */
	assert_int_equal(r[0].samples, 35);
	assert_false(r[0].exceeded);
	assert_int_equal(r[1].samples, 45);
	assert_true(r[1].exceeded);
	/* Anywhere: app's parse, libc's memcpy and parse, 60 samples. */
	assert_int_equal(r[2].samples, 60);
	assert_int_equal(r[2].nfunctions, 3);
	assert_false(r[2].exceeded);
	budget_free(b);
	profile_free(p);
}

static void
test_budget_check_milliseconds(void **state)
{
	struct profile *p = test_budget_profile();
	struct budget *b = test_budget_parse_ok(
		"{\"min_samples\": 50, \"budgets\": ["
		"{\"function\": \"main\", \"max_total_ms\": 200},"
		"{\"function\": \"memcpy\", \"max_self_ms\": 19.9}]}");
	struct budget_result r[2];
	struct scorch_err err;

	(void)state;
	assert_int_equal(budget_min_samples(b), 50);
	/* 100 samples of 2 ms: main 200 ms (holds), memcpy 20 ms. */
	assert_int_equal(budget_check(b, p, "p.json", r, &err), 1);
	assert_true(r[0].actual == 200.0);
	assert_false(r[0].exceeded);
	assert_true(r[1].actual == 20.0);
	assert_true(r[1].exceeded);
	/* A merged profile: milliseconds per run. */
	profile_meta_set_int(p, "merged_from", 4);
	assert_int_equal(budget_check(b, p, "p.json", r, &err), 0);
	assert_true(r[0].actual == 50.0);
	assert_true(r[1].actual == 5.0);
	/* No period_ns: an error that names the limit. */
	profile_free(p);
	p = profile_new();
	assert_int_equal(budget_check(b, p, "p.folded", r, &err), -1);
	assert_string_equal(
		err.msg,
		"p.folded: b.json: budgets[0].max_total_ms needs CPU time, "
		"but the profile has no period_ns (folded input, or not a "
		"clock event): record a .json profile with cpu-clock (the "
		"default), or use a percent limit");
	budget_free(b);
	profile_free(p);
}

static void
test_budget_load_files(void **state)
{
	char path[] = "/tmp/scorch-budget-XXXXXX";
	struct scorch_err err;
	struct budget *b;
	FILE *fp;
	int fd;
	size_t i;

	(void)state;
	assert_null(budget_load("/nonexistent/b.json", &err));
	assert_string_equal(err.msg,
			    "/nonexistent/b.json: No such file or directory");
	assert_null(budget_load("/tmp", &err));
	assert_string_equal(err.msg, "/tmp: not a regular file");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("{\"budgets\": [{\"function\": \"f\", \"max_self_ms\": 1}]}", fp);
	fflush(fp);
	b = budget_load(path, &err);
	assert_non_null(b);
	assert_int_equal(budget_nlimits(b), 1);
	budget_free(b);
	/* A file over 1 MiB is refused before it is parsed. */
	for (i = 0; i < (1u << 20) / 8 + 1; i++)
		fputs("        ", fp);
	fclose(fp);
	assert_null(budget_load(path, &err));
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_parse_errors_name_the_field),
		cmocka_unit_test(test_budget_check_percent),
		cmocka_unit_test(
			test_budget_check_inlined_copies_are_the_function),
		cmocka_unit_test(test_budget_check_machine_view),
		cmocka_unit_test(test_budget_check_regex),
		cmocka_unit_test(test_budget_check_milliseconds),
		cmocka_unit_test(test_budget_load_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
