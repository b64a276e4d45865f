/* SPDX-License-Identifier: MIT */
/* tests/unit/test_profile.c - the data model, folded and JSON round trips. */
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

static void
test_profile_intern_frame_dedups(void **state)
{
	struct profile *p = profile_new();
	uint32_t a, b, c, d, e, g;

	(void)state;
	a = profile_intern_frame(p, "main", "app", FRAME_USER);
	b = profile_intern_frame(p, "main", "app", FRAME_USER);
	c = profile_intern_frame(p, "main", "app", FRAME_KERNEL);
	d = profile_intern_frame(p, "main", NULL, FRAME_USER);
	/* Two static functions of one name in two files stay apart. */
	e = profile_intern_frame_src(p, "cmp", "app", FRAME_USER, "a.c", 3);
	g = profile_intern_frame_src(p, "cmp", "app", FRAME_USER, "b.c", 3);
	assert_int_equal(a, b);
	assert_int_not_equal(a, c);
	assert_int_not_equal(a, d);
	assert_int_not_equal(e, g);
	assert_int_equal(
		profile_intern_frame_src(p, "cmp", "app", FRAME_USER, "a.c", 3),
		e);
	assert_int_equal(profile_nframes(p), 5);
	assert_string_equal(profile_frame(p, d)->module, "");
	assert_null(profile_frame(p, 99));
	profile_free(p);
}

static void
test_profile_add_stack_merges(void **state)
{
	struct profile *p = profile_new();
	uint32_t f[3], t1, t2;
	size_t i;

	(void)state;
	f[0] = profile_intern_frame(p, "app", "", FRAME_PROCESS);
	f[1] = profile_intern_frame(p, "main", "app", FRAME_USER);
	f[2] = profile_intern_frame(p, "work", "app", FRAME_USER);
	t1 = profile_add_task(p, 10, 10, "app", "app");
	t2 = profile_add_task(p, 10, 11, "app", "worker");
	assert_int_equal(profile_add_task(p, 10, 11, "app", "w2"), t2);
	assert_string_equal(profile_task(p, t2)->thread, "w2");
	profile_add_stack(p, t1, f, 3, 2);
	profile_add_stack(p, t1, f, 3, 3);
	profile_add_stack(p, t2, f, 3, 1);
	profile_add_stack(p, t1, f, 2, 4);
	assert_int_equal(profile_nstacks(p), 3);
	assert_int_equal(profile_stack(p, 0)->count, 5);
	assert_int_equal(profile_total(p), 10);
	/* Many stacks: the table grows and the frame arrays move. */
	for (i = 0; i < 20000; i++) {
		uint32_t g[2] = { f[0], profile_intern_frame(p, "x", "",
							     FRAME_USER) };

		g[1] += (uint32_t)(i % 7);
		if (g[1] >= profile_nframes(p))
			g[1] = f[2];
		profile_add_stack(p, TASK_NONE, g, 2, 1);
	}
	assert_int_equal(profile_stack(p, 0)->frames[2], f[2]);
	assert_int_equal(profile_total(p), 20010);
	profile_free(p);
}

static void
test_profile_add_stack_empty_first(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	/* depth 0 before any frame array exists: no NULL reaches memcmp. */
	profile_add_stack(p, TASK_NONE, NULL, 0, 1);
	profile_add_stack(p, TASK_NONE, NULL, 0, 2);
	assert_int_equal(profile_nstacks(p), 1);
	assert_int_equal(profile_stack(p, 0)->count, 3);
	profile_free(p);
}

static void
test_profile_meta_set_replaces(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	profile_meta_set_str(p, "event", "cpu-clock");
	profile_meta_set_int(p, "samples", 5);
	profile_meta_set_str(p, "event", "task-clock");
	assert_int_equal(profile_nmeta(p), 2);
	assert_string_equal(profile_meta_str(p, "event"), "task-clock");
	assert_int_equal(profile_meta_int(p, "samples", -1), 5);
	assert_int_equal(profile_meta_int(p, "event", -1), -1);
	assert_null(profile_meta_str(p, "samples"));
	assert_null(profile_meta_str(p, "absent"));
	profile_meta_set_int(p, "event", 7);
	assert_int_equal(profile_meta_int(p, "event", 0), 7);
	assert_string_equal(profile_meta(p, 0)->key, "event");
	profile_free(p);
}

static void
test_frame_kind_parse_names(void **state)
{
	enum frame_kind k;
	int i;

	(void)state;
	for (i = 0; i < FRAME_KIND_MAX; i++) {
		assert_int_equal(frame_kind_parse(frame_kind_name(i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_int_equal(frame_kind_parse("bogus", &k), -1);
	assert_string_equal(frame_kind_suffix(FRAME_KERNEL), "_[k]");
	assert_string_equal(frame_kind_suffix(FRAME_USER), "");
}

/* What writer fn makes of p, as a string (caller frees). */
static char *
written(int (*fn)(const struct profile *, FILE *), const struct profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_int_equal(fn(p, fp), 0);
	fclose(fp);
	return buf;
}

static int
read_folded_str(struct profile *p, const char *text, struct scorch_err *err)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(fp);
	ret = profile_read_folded(p, fp, "in.folded", err);
	fclose(fp);
	return ret;
}

static void
test_profile_write_folded_sorted_with_suffixes(void **state)
{
	struct profile *p = profile_new();
	uint32_t f[3];
	char *text;

	(void)state;
	f[0] = profile_intern_frame(p, "app", "", FRAME_PROCESS);
	f[1] = profile_intern_frame(p, "read", "libc.so.6", FRAME_USER);
	f[2] = profile_intern_frame(p, "vfs_read", "", FRAME_KERNEL);
	profile_add_stack(p, profile_add_task(p, 1, 2, "app", ""), f, 3, 2);
	profile_add_stack(p, profile_add_task(p, 1, 3, "app", ""), f, 3, 5);
	profile_add_stack(p, TASK_NONE, f, 2, 1);
	text = written(profile_write_folded, p);
	/* Stacks differing only by thread merge; lines are sorted. */
	assert_string_equal(text, "app;read 1\napp;read;vfs_read_[k] 7\n");
	free(text);
	profile_free(p);
}

static void
test_profile_read_folded_dialect(void **state)
{
	struct profile *p = profile_new();
	struct scorch_err err;
	char *text;

	(void)state;
	assert_int_equal(read_folded_str(p,
					 "app;operator new(unsigned long) 3\r\n"
					 "\n"
					 "app;main;do_sys_open_[k] 2\n"
					 "app;[unknown];main  4\n"
					 "app;main;do_sys_open_[k] 1",
					 &err),
			 0);
	assert_int_equal(profile_total(p), 10);
	assert_int_equal(profile_nstacks(p), 3);
	assert_int_equal(profile_frame(p, 1)->kind, FRAME_USER);
	assert_string_equal(profile_frame(p, 1)->name,
			    "operator new(unsigned long)");
	assert_string_equal(profile_frame(p, 3)->name, "do_sys_open");
	assert_int_equal(profile_frame(p, 3)->kind, FRAME_KERNEL);
	assert_int_equal(profile_frame(p, 4)->kind, FRAME_UNKNOWN);
	text = written(profile_write_folded, p);
	assert_string_equal(text, "app;[unknown];main 4\n"
				  "app;main;do_sys_open_[k] 3\n"
				  "app;operator new(unsigned long) 3\n");
	free(text);
	profile_free(p);
}

static void
test_profile_read_folded_errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "a;b 1\nnocount\n", "in.folded:2: missing sample count" },
		{ "a;b x1\n", "in.folded:1: invalid sample count 'x1'" },
		{ "a;b 1.5\n", "in.folded:1: invalid sample count '1.5'" },
		{ "a;;b 1\n", "in.folded:1: empty frame name" },
		{ "a 99999999999999999999999\n",
		  "in.folded:1: sample count overflows" },
		{ "a 18446744073709551615\nb 1\n",
		  "in.folded:2: sample count overflows" },
	};
	struct scorch_err err;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct profile *p = profile_new();

		err.msg[0] = '\0';
		assert_int_equal(read_folded_str(p, cases[i].text, &err), -1);
		assert_string_equal(err.msg, cases[i].want);
		profile_free(p);
	}
}

static void
test_profile_read_folded_binary(void **state)
{
	static const char data[] = "a;b 1\nx\0y 2\n";
	struct profile *p = profile_new();
	struct scorch_err err;
	FILE *fp = fmemopen((void *)data, sizeof(data) - 1, "r");

	(void)state;
	assert_int_equal(profile_read_folded(p, fp, "bin", &err), -1);
	assert_string_equal(err.msg, "bin:2: binary data, not a profile");
	fclose(fp);
	profile_free(p);
}

static void
test_profile_read_folded_opts_skips_bad_lines(void **state)
{
	static const char text[] = "a;b 1\nnocount\na;;b 2\na;c 3\nx\0y 4\n"
				   "a;b 5\n";
	struct profile_read_opts opts = { .skip_bad = 1 };
	struct profile *p = profile_new();
	struct scorch_err err;
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_int_equal(
		profile_read_folded_opts(p, fp, "in.folded", &opts, &err), 0);
	fclose(fp);
	assert_int_equal(opts.skipped, 3);
	assert_string_equal(opts.first_bad,
			    "in.folded:2: missing sample count");
	assert_int_equal(profile_total(p), 9);
	assert_int_equal(profile_nstacks(p), 2);
	profile_free(p);
}

static void
test_profile_read_folded_same_name_other_kind(void **state)
{
	struct profile *p = profile_new();
	struct scorch_err err;

	(void)state;
	/* The frame cache tells read from read_[k] and reuses both ids. */
	assert_int_equal(read_folded_str(p,
					 "app;read 1\napp;read_[k] 2\n"
					 "app;read;read_[k] 4\n",
					 &err),
			 0);
	assert_int_equal(profile_nframes(p), 3);
	assert_int_equal(profile_frame(p, 1)->kind, FRAME_USER);
	assert_int_equal(profile_frame(p, 2)->kind, FRAME_KERNEL);
	assert_int_equal(profile_stack(p, 2)->frames[1], 1);
	assert_int_equal(profile_stack(p, 2)->frames[2], 2);
	profile_free(p);
}

static void
test_profile_json_round_trip(void **state)
{
	struct profile *p = profile_new(), *q = profile_new();
	struct scorch_err err;
	uint32_t f[4], t;
	char *a, *b;

	(void)state;
	f[0] = profile_intern_frame(p, "app", "", FRAME_PROCESS);
	f[1] = profile_intern_frame(p, "say \"hi\"\t\\ <é>", "libx.so",
				    FRAME_USER);
	f[2] = profile_intern_frame(p, "bad \xff utf8", "", FRAME_KERNEL);
	f[3] = profile_intern_frame_src(p, "hash", "app", FRAME_INLINED,
					"src/hash.c", 42);
	t = profile_add_task(p, 42, 43, "app", "worker-1");
	profile_add_stack(p, t, f, 3, 7);
	profile_add_stack(p, t, f, 4, 1);
	profile_add_stack(p, TASK_NONE, f, 1, 2);
	profile_meta_set_str(p, "event", "cpu-clock");
	profile_meta_set_int(p, "samples", 9);
	profile_meta_set_int(p, "negative", -5);
	a = written(profile_write_json, p);
	assert_int_equal(profile_read_json(q, a, strlen(a), "a.json", &err), 0);
	assert_int_equal(profile_nframes(q), 4);
	assert_string_equal(profile_frame(q, 1)->name, "say \"hi\"\t\\ <é>");
	assert_string_equal(profile_frame(q, 1)->file, "");
	assert_int_equal(profile_frame(q, 1)->line, 0);
	assert_string_equal(profile_frame(q, 3)->file, "src/hash.c");
	assert_int_equal(profile_frame(q, 3)->line, 42);
	assert_int_equal(profile_frame(q, 3)->kind, FRAME_INLINED);
	assert_string_equal(profile_frame(q, 1)->module, "libx.so");
	/* Invalid UTF-8 is replaced, so the file stays valid JSON. */
	assert_string_equal(profile_frame(q, 2)->name, "bad \xef\xbf\xbd utf8");
	assert_int_equal(profile_frame(q, 2)->kind, FRAME_KERNEL);
	assert_int_equal(profile_ntasks(q), 1);
	assert_int_equal(profile_task(q, 0)->tid, 43);
	assert_string_equal(profile_task(q, 0)->thread, "worker-1");
	assert_int_equal(profile_nstacks(q), 3);
	assert_int_equal(profile_stack(q, 0)->task, 0);
	assert_int_equal(profile_stack(q, 2)->task, TASK_NONE);
	assert_int_equal(profile_total(q), 10);
	assert_string_equal(profile_meta_str(q, "event"), "cpu-clock");
	assert_int_equal(profile_meta_int(q, "negative", 0), -5);
	/* Writing what was read gives the same document. */
	b = written(profile_write_json, q);
	assert_string_equal(b, a);
	free(a);
	free(b);
	profile_free(p);
	profile_free(q);
}

static void
test_profile_read_json_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"format\": ", "x.json: not valid JSON" },
		{ "[1,2]", "x.json: not a scorch profile" },
		{ "{\"format\":\"other\",\"version\":\"1.0\"}",
		  "x.json: not a scorch profile" },
		{ "{\"format\":\"scorch-profile\",\"version\":\"2.0\","
		  "\"frames\":[],\"stacks\":[]}",
		  "x.json: unsupported profile version 2.0" },
		{ "{\"format\":\"scorch-profile\",\"version\":\"1.0\","
		  "\"frames\":[{\"name\":\"a\"}],"
		  "\"stacks\":[{\"frames\":[1],\"count\":1}]}",
		  "x.json: stack frame id: 1 is out of range" },
		{ "{\"format\":\"scorch-profile\",\"version\":\"1.0\","
		  "\"frames\":[{\"name\":\"a\"}],"
		  "\"stacks\":[{\"frames\":[0],\"count\":-3}]}",
		  "x.json: stack count: -3 is out of range" },
		{ "{\"format\":\"scorch-profile\",\"version\":\"1.0\","
		  "\"frames\":[{\"name\":\"a\",\"kind\":\"alien\"}],"
		  "\"stacks\":[]}",
		  "x.json: frame \"a\": unknown kind \"alien\"" },
		{ "{\"format\":\"scorch-profile\",\"version\":\"1.0\","
		  "\"frames\":[{\"name\":7}],\"stacks\":[]}",
		  "x.json: frame: \"name\" must be a string" },
	};
	struct scorch_err err;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct profile *p = profile_new();

		err.msg[0] = '\0';
		assert_int_equal(profile_read_json(p, cases[i].text,
						   strlen(cases[i].text),
						   "x.json", &err),
				 -1);
		if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg,
				 cases[i].want);
		profile_free(p);
	}
}

static char *
temp_file(const char *text)
{
	char *path = xstrdup("/tmp/scorch-test-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_profile_load_sniffs_format(void **state)
{
	char *folded = temp_file("a;b 3\na;c 1\n");
	char *json = temp_file("  \n{\"format\":\"scorch-profile\",\"version\":"
			       "\"1.3\",\"future\":true,\"frames\":"
			       "[{\"name\":\"a\"}],\"stacks\":[{\"frames\":"
			       "[0],\"count\":5}]}");
	struct scorch_err err;
	struct profile *p;

	(void)state;
	p = profile_load(folded, &err);
	assert_non_null(p);
	assert_int_equal(profile_total(p), 4);
	profile_free(p);
	/* A newer minor version with unknown keys still loads. */
	p = profile_load(json, &err);
	assert_non_null(p);
	assert_int_equal(profile_total(p), 5);
	profile_free(p);
	assert_null(profile_load("/nonexistent/p.json", &err));
	assert_string_equal(err.msg,
			    "/nonexistent/p.json: No such file or directory");
	/* Folded input streams from a pipe, blank lines first included. */
	{
		FILE *saved = fdopen(dup(0), "r");
		int fds[2];

		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], "\n\n  a;b 2\n", 10), 10);
		close(fds[1]);
		dup2(fds[0], 0);
		close(fds[0]);
		p = profile_load("-", &err);
		dup2(fileno(saved), 0);
		fclose(saved);
		assert_non_null(p);
		assert_int_equal(profile_total(p), 2);
		assert_string_equal(profile_frame(p, 0)->name, "  a");
		profile_free(p);
	}
	assert_null(profile_load("/tmp", &err));
	assert_string_equal(err.msg, "/tmp: is a directory, not a profile");
	unlink(folded);
	unlink(json);
	free(folded);
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_intern_frame_dedups),
		cmocka_unit_test(test_profile_add_stack_merges),
		cmocka_unit_test(test_profile_add_stack_empty_first),
		cmocka_unit_test(test_profile_meta_set_replaces),
		cmocka_unit_test(test_frame_kind_parse_names),
		cmocka_unit_test(
			test_profile_write_folded_sorted_with_suffixes),
		cmocka_unit_test(test_profile_read_folded_dialect),
		cmocka_unit_test(test_profile_read_folded_errors_name_the_line),
		cmocka_unit_test(test_profile_read_folded_binary),
		cmocka_unit_test(test_profile_read_folded_opts_skips_bad_lines),
		cmocka_unit_test(test_profile_read_folded_same_name_other_kind),
		cmocka_unit_test(test_profile_json_round_trip),
		cmocka_unit_test(test_profile_read_json_errors),
		cmocka_unit_test(test_profile_load_sniffs_format),
	};

	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
