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

#include <zlib.h>

#include "common/common.h"
#include "pprof.pb-c.h"
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
	assert_int_equal(profile_add_task(p, 10, 11, "app", "worker"), t2);
	/* Renamed (or exec'd): a task of its own, the old one keeps its name. */
	assert_int_not_equal(profile_add_task(p, 10, 11, "app", "w2"), t2);
	assert_int_not_equal(profile_add_task(p, 10, 11, "sh", "worker"), t2);
	assert_string_equal(profile_task(p, t2)->thread, "worker");
	assert_int_equal(profile_ntasks(p), 4);
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
	/* Nor is NULL + 0 computed for its frames (clang UBSan: "applying
	 * zero offset to null pointer"): they point at no frames, not NULL. */
	assert_non_null(profile_stack(p, 0)->frames);
	assert_int_equal(profile_stack(p, 0)->depth, 0);
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

/*
 * Sites and modules (1.2) survive a write and a read (the fast stack path
 * and cJSON's), stacks that differ only in sites stay apart, and a stack
 * without sites keeps none; a 1.1 document reads with no sites at all.
 */
static void
test_profile_json_sites_round_trip(void **state)
{
	struct profile *p = profile_new(), *q = profile_new(),
		       *r = profile_new();
	struct scorch_err err;
	uint32_t f[2], s1[2], s2[2];
	const struct stack *st;
	const char *old;
	char *a, *b, *c;

	(void)state;
	f[0] = profile_intern_frame(p, "main", "app", FRAME_USER);
	f[1] = profile_intern_frame(p, "step", "app", FRAME_INLINED);
	s1[0] = s1[1] = profile_intern_site(p, 0x1234, 10);
	s2[0] = profile_intern_site(p, 0x1240, 23);
	s2[1] = profile_intern_site(p, 0x1240, 11);
	assert_int_equal(s1[0], 1);
	profile_add_module(p, "app", "/bin/app", "abcdef01");
	profile_add_stack_sites(p, TASK_NONE, f, s1, 2, 3);
	profile_add_stack_sites(p, TASK_NONE, f, s2, 2, 4);
	profile_add_stack_sites(p, TASK_NONE, f, s1, 2, 1);
	assert_int_equal(profile_nstacks(p), 2);
	a = written(profile_write_json, p);
	assert_non_null(strstr(a, "\"version\": \"1.2\""));
	assert_int_equal(profile_read_json(q, a, strlen(a), "a.json", &err), 0);
	assert_int_equal(profile_nstacks(q), 2);
	st = profile_stack(q, 1);
	assert_non_null(st->sites);
	assert_int_equal(profile_site(q, st->sites[0])->addr, 0x1240);
	assert_int_equal(profile_site(q, st->sites[0])->line, 23);
	assert_int_equal(profile_site(q, st->sites[1])->line, 11);
	assert_int_equal(profile_stack(q, 0)->count, 4);
	assert_int_equal(profile_nmodules(q), 1);
	assert_string_equal(profile_module_find(q, "app")->build_id,
			    "abcdef01");
	assert_string_equal(profile_module(q, 0)->path, "/bin/app");
	b = written(profile_write_json, q);
	assert_string_equal(b, a);
	/* Spaced otherwise, a stack goes through cJSON: the same profile. */
	c = strdup(b);
	assert_non_null(c);
	free(b);
	b = strstr(c, "\"sites\": [1");
	assert_non_null(b);
	b[8] = '[';
	b[9] = ' ';
	assert_int_equal(profile_read_json(r, c, strlen(c), "b.json", &err), 0);
	free(c);
	b = written(profile_write_json, r);
	assert_string_equal(b, a);
	free(a);
	free(b);
	profile_free(p);
	profile_free(q);
	profile_free(r);
	/* 1.1: no sites, no modules. */
	q = profile_new();
	old = "{\"format\": \"scorch-profile\", \"version\": \"1.1\", "
	      "\"frames\": [{\"name\": \"f\"}], "
	      "\"stacks\": [{\"frames\": [0], \"count\": 2}]}";
	assert_int_equal(
		profile_read_json(q, old, strlen(old), "old.json", &err), 0);
	assert_null(profile_stack(q, 0)->sites);
	assert_int_equal(profile_nsites(q), 1);
	assert_int_equal(profile_nmodules(q), 0);
	profile_free(q);
	/* A stack's sites must be one per frame, each a site id. */
	q = profile_new();
	old = "{\"format\": \"scorch-profile\", \"version\": \"1.2\", "
	      "\"frames\": [{\"name\": \"f\"}], \"sites\": [[0, 0], [16, 3]], "
	      "\"stacks\": [{\"frames\": [0], \"sites\": [2], \"count\": 2}]}";
	assert_int_equal(
		profile_read_json(q, old, strlen(old), "bad.json", &err), -1);
	assert_non_null(strstr(err.msg, "stack site id"));
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

#define DOC                                                                    \
	"{\"format\":\"scorch-profile\",\"version\":\"1.1\",\"frames\":"       \
	"[{\"name\":\"a\"},{\"name\":\"b\"}],\"stacks\":[{\"frames\":[0,1],"   \
	"\"count\":5}]}"

/* Load len bytes of text from a file: the profile, or NULL and err. */
static struct profile *
load_bytes(const char *text, size_t len, struct scorch_err *err)
{
	char path[] = "/tmp/scorch-test-XXXXXX";
	int fd = mkstemp(path);
	struct profile *p;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	err->msg[0] = '\0';
	p = profile_load(path, err);
	/* Messages name the file: compare what follows the name. */
	if (!strncmp(err->msg, path, strlen(path)))
		memmove(err->msg, err->msg + strlen(path),
			strlen(err->msg + strlen(path)) + 1);
	unlink(path);
	return p;
}

/* Nothing read silently as less: a second document or garbage after the
 * first, empty or blank input and NUL bytes are errors; a BOM is skipped. */
static void
test_profile_load_no_silent_loss(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* the message after the file name */
	} bad[] = {
		{ DOC DOC,
		  ": trailing data after the JSON profile (at byte 118)" },
		{ DOC "\n\n" DOC, ": trailing data after the JSON profile" },
		{ DOC "garbage", ": trailing data after the JSON profile" },
		{ DOC " ]", ": trailing data after the JSON profile" },
		{ DOC "\n1\n", ": trailing data after the JSON profile" },
		{ "\xef\xbb\xbf" DOC "x",
		  ": trailing data after the JSON profile" },
		{ "", ": empty, not a profile" },
		{ " ", ": empty, not a profile" },
		{ "\n\n\t\r\n  ", ": empty, not a profile" },
		{ "\xef\xbb\xbf", ": empty, not a profile" },
		{ "\xef\xbb\xbf \n", ": empty, not a profile" },
		{ "\xef\xbb", "" }, /* a cut mark: not empty, not a profile */
	};
	static const char *const good[] = {
		DOC,
		DOC "\n",
		DOC " \r\n\t\n",
		"\xef\xbb\xbf" DOC,
		"\xef\xbb\xbf\n  " DOC,
		"\xef\xbb\xbf"
		"a;b 5\n",
		"\xef\xbb\xbf\n\na;b 2\na;b 3",
		"\n \na;b 5\n\n",
	};
	static const char nul_cases[][8] = { "\0\0\0", " \n\0a;b 1",
					     "\xef\xbb\xbf\0" };
	struct scorch_err err;
	struct profile *p;
	size_t i, big = (size_t)100 << 20;
	char *buf;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = load_bytes(bad[i].text, strlen(bad[i].text), &err);
		if (p)
			fail_msg("bad case %zu loaded", i);
		if (strncmp(err.msg, bad[i].want, strlen(bad[i].want)))
			fail_msg("bad case %zu: '%s', want '%s'", i, err.msg,
				 bad[i].want);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		p = load_bytes(good[i], strlen(good[i]), &err);
		if (!p)
			fail_msg("good case %zu: %s", i, err.msg);
		assert_int_equal(profile_total(p), 5);
		assert_string_equal(profile_frame(p, 0)->name, "a");
		profile_free(p);
	}
	for (i = 0; i < ARRAY_SIZE(nul_cases); i++) {
		assert_null(
			load_bytes(nul_cases[i], sizeof(nul_cases[i]), &err));
		assert_string_equal(err.msg, ": binary data, not a profile");
	}
	/* 64 KiB of blanks and more: past what detection reads, still empty. */
	buf = xmalloc(big);
	memset(buf, '\n', (size_t)200 << 10);
	assert_null(load_bytes(buf, (size_t)200 << 10, &err));
	assert_string_equal(err.msg, ": empty, not a profile");
	/* 100 MB of NULs: refused at once. */
	memset(buf, 0, big);
	assert_null(load_bytes(buf, big, &err));
	assert_string_equal(err.msg, ": binary data, not a profile");
	free(buf);
}

/* A profile from folded text (frames get no module). */
static struct profile *
folded_profile(const char *text)
{
	struct profile *p = profile_new();
	struct scorch_err err;
	FILE *fp = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(fp);
	if (profile_read_folded(p, fp, "t.folded", &err) < 0)
		fail_msg("%s", err.msg);
	fclose(fp);
	return p;
}

static const struct agg_row *
find_fn(const struct aggregate *a, const char *name)
{
	const struct agg_row *r =
		aggregate_find(a, name, "", FRAME_USER, TASK_NONE);

	if (!r)
		fail_msg("no row for %s", name);
	return r;
}

static void
test_aggregate_new_self_and_total(void **state)
{
	/* f recurses: its total counts each sample once. */
	struct profile *p = folded_profile("main;f;f;g 4\n"
					   "main;f 3\n"
					   "main;h;f 2\n"
					   "main;h;do_read_[k] 1\n");
	struct aggregate *a = aggregate_new(p, AGG_FUNCTION);
	const struct agg_row *r;
	uint64_t self = 0;
	size_t i;

	(void)state;
	assert_int_equal(aggregate_total(a), 10);
	assert_int_equal(aggregate_nrows(a), 5);
	r = find_fn(a, "f");
	assert_int_equal(r->self, 5);
	assert_int_equal(r->total, 9);
	r = find_fn(a, "main");
	assert_int_equal(r->self, 0);
	assert_int_equal(r->total, 10);
	assert_int_equal(find_fn(a, "g")->total, 4);
	assert_int_equal(find_fn(a, "h")->total, 3);
	/* Kind is part of a function's identity. */
	assert_null(aggregate_find(a, "do_read", "", FRAME_USER, TASK_NONE));
	r = aggregate_find(a, "do_read", NULL, FRAME_KERNEL, TASK_NONE);
	assert_non_null(r);
	assert_int_equal(r->self, 1);
	for (i = 0; i < aggregate_nrows(a); i++)
		self += aggregate_row(a, i)->self;
	assert_int_equal(self, 10);

	aggregate_sort(a, AGG_ORDER_SELF);
	assert_string_equal(aggregate_row(a, 0)->name, "f");
	assert_string_equal(aggregate_row(a, 1)->name, "g");
	/* Ties break by name: do_read (1 self) before main/h (0 self) is by
	 * count; main and h tie on self 0 and order by total. */
	assert_string_equal(aggregate_row(a, 2)->name, "do_read");
	assert_string_equal(aggregate_row(a, 3)->name, "main");
	assert_string_equal(aggregate_row(a, 4)->name, "h");
	/* The index follows the rows. */
	assert_int_equal(find_fn(a, "h")->total, 3);
	aggregate_sort(a, AGG_ORDER_TOTAL);
	assert_string_equal(aggregate_row(a, 0)->name, "main");
	assert_string_equal(aggregate_row(a, 1)->name, "f");
	aggregate_free(a);
	profile_free(p);
}

static void
test_aggregate_new_modules_and_threads(void **state)
{
	struct profile *p = profile_new();
	struct aggregate *a;
	const struct agg_row *r;
	uint32_t f[4], t1, t2;

	(void)state;
	f[0] = profile_intern_frame(p, "app", "", FRAME_PROCESS);
	f[1] = profile_intern_frame(p, "main", "app", FRAME_USER);
	f[2] = profile_intern_frame(p, "memcpy", "libc.so.6", FRAME_USER);
	f[3] = profile_intern_frame(p, "qsort", "libc.so.6", FRAME_USER);
	t1 = profile_add_task(p, 5, 5, "app", "main");
	t2 = profile_add_task(p, 5, 6, "app", "worker");
	profile_add_stack(p, t1, f, 3, 6); /* app;main;memcpy */
	profile_add_stack(p, t2, f, 2, 3); /* app;main */
	{
		uint32_t g[4] = { f[0], f[1], f[3], f[2] };

		profile_add_stack(p, t2, g, 4, 1); /* app;main;qsort;memcpy */
	}
	profile_add_stack(p, TASK_NONE, f, 1, 2); /* the process frame only */

	a = aggregate_new(p, AGG_MODULE);
	/* The process frame is not a module's code. */
	assert_int_equal(aggregate_nrows(a), 2);
	r = aggregate_find(a, "libc.so.6", NULL, FRAME_USER, TASK_NONE);
	assert_non_null(r);
	assert_int_equal(r->self, 7);
	assert_int_equal(r->total, 7); /* qsort;memcpy counts once */
	r = aggregate_find(a, "app", NULL, FRAME_KERNEL, TASK_NONE);
	assert_non_null(r); /* kind does not matter for modules */
	assert_int_equal(r->self, 3);
	assert_int_equal(r->total, 10);
	aggregate_free(a);

	a = aggregate_new(p, AGG_THREAD);
	assert_int_equal(aggregate_nrows(a), 3);
	r = aggregate_find(a, NULL, NULL, FRAME_USER, t2);
	assert_non_null(r);
	assert_string_equal(r->name, "worker");
	assert_string_equal(r->module, "app");
	assert_int_equal(r->self, 4);
	assert_int_equal(r->total, 4);
	r = aggregate_find(a, NULL, NULL, FRAME_USER, TASK_NONE);
	assert_non_null(r);
	assert_int_equal(r->total, 2);
	aggregate_sort(a, AGG_ORDER_TOTAL);
	assert_int_equal(aggregate_row(a, 0)->task, t1);
	aggregate_free(a);

	a = aggregate_new(p, AGG_FUNCTION);
	assert_null(aggregate_find(a, "app", "", FRAME_PROCESS, TASK_NONE));
	assert_int_equal(aggregate_total(a), 12);
	aggregate_free(a);
	profile_free(p);
}

static char *
strip_dot(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? strndup(name, (size_t)(dot - name)) : strdup(name);
}

static void
test_aggregate_inlined_copies_are_one_function(void **state)
{
	/* mix runs out of line (8), inlined into process (5, 3 of them
	 * under a further inlined step) and into load (2). */
	struct profile *p = folded_profile("main;mix 8\n"
					   "main;process;mix_[i] 2\n"
					   "main;process;mix_[i];step_[i] 3\n"
					   "main;load;mix_[i] 2\n"
					   "main;load;mix.constprop.0 1\n"
					   "main;load;mix_[i];memcpy_[k] 4\n"
					   "step_[i] 1\n");
	struct agg_opts o = { .by = AGG_FUNCTION, .name = strip_dot };
	struct aggregate *a = aggregate_new(p, AGG_FUNCTION);
	const struct agg_row *r;
	uint32_t i;

	(void)state;
	r = aggregate_find(a, "mix", "", FRAME_USER, TASK_NONE);
	assert_non_null(r);
	assert_ptr_equal(
		r, aggregate_find(a, "mix", "", FRAME_INLINED, TASK_NONE));
	assert_int_equal(r->kind, FRAME_USER);
	assert_int_equal(r->self, 12); /* its leaf samples, inlined too */
	assert_int_equal(r->total, 19);
	assert_int_equal(r->self_inlined, 4);
	/* Where its inlined self ran: process 2, load 2; the tie goes to
	 * the first name. */
	assert_string_equal(r->into, "load");
	assert_int_equal(r->into_self, 2);
	r = aggregate_find(a, "step", "", FRAME_USER, TASK_NONE);
	assert_int_equal(r->self, 4);
	assert_int_equal(r->self_inlined, 4);
	assert_string_equal(r->into, "process"); /* past mix_[i] */
	assert_int_equal(r->into_self, 3);	 /* the root one has none */
	assert_int_equal(
		aggregate_find(a, "process", "", FRAME_USER, TASK_NONE)->self,
		0);
	assert_int_equal(find_fn(a, "mix.constprop.0")->self, 1);
	assert_null(find_fn(a, "main")->into);
	/* Every frame maps to its row; the leaf takes self. */
	for (i = 0; i < profile_nframes(p); i++) {
		const struct frame *f = profile_frame(p, i);

		assert_ptr_equal(aggregate_row(a, aggregate_frame_row(a, i)),
				 aggregate_find(a, f->name, f->module, f->kind,
						TASK_NONE));
	}
	assert_int_equal(aggregate_frame_row(a, 9999), SIZE_MAX);
	/* Every (function, function it ran inlined in) pair: mix in process
	 * and load, step in process (past mix_[i]). */
	{
		const struct agg_inlined *in;
		size_t n, k;
		uint64_t sum = 0;

		in = aggregate_inlined(a, &n);
		assert_int_equal(n, 3);
		for (k = 0; k < n; k++) {
			const char *row = aggregate_row(a, in[k].row)->name;
			const char *into = aggregate_row(a, in[k].into)->name;

			assert_true(!strcmp(row, "mix") ||
				    !strcmp(row, "step"));
			assert_true(!strcmp(into, "process") ||
				    !strcmp(into, "load"));
			assert_false(!strcmp(row, "step") &&
				     strcmp(into, "process"));
			sum += in[k].self;
		}
		assert_int_equal(sum, 7);
	}
	aggregate_free(a);

	/* A key policy: the clone is the function too. */
	a = aggregate_new_opts(p, &o);
	r = aggregate_find(a, "mix", "", FRAME_USER, TASK_NONE);
	assert_int_equal(r->self, 13);
	assert_int_equal(r->total, 20);
	assert_null(aggregate_find(a, "mix.constprop.0", "", FRAME_USER,
				   TASK_NONE));
	aggregate_free(a);
	profile_free(p);
}

static void
test_profile_inline_fold_machine_view(void **state)
{
	struct profile *p = folded_profile("main;mix 8\n"
					   "main;process;mix_[i] 2\n"
					   "main;process;mix_[i];step_[i] 3\n"
					   "main;process 1\n"
					   "main;load;mix_[i];memcpy_[k] 4\n"
					   "step_[i];x 1\n");
	struct profile *q;
	struct aggregate *a;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	profile_meta_set_int(p, "period_ns", 1000);
	q = profile_inline_fold(p);
	assert_int_equal(profile_total(q), profile_total(p));
	assert_int_equal(profile_meta_int(q, "period_ns", 0), 1000);
	fp = open_memstream(&buf, &len);
	assert_int_equal(profile_write_folded(q, fp), 0);
	fclose(fp);
	/* Inlined frames gone, their samples the caller's; one with no
	 * function above it stays. */
	assert_string_equal(buf, "main;load;memcpy_[k] 4\n"
				 "main;mix 8\n"
				 "main;process 6\n"
				 "step_[i];x 1\n");
	a = aggregate_new(q, AGG_FUNCTION);
	assert_int_equal(find_fn(a, "process")->self, 6);
	assert_int_equal(find_fn(a, "mix")->self, 8);
	assert_int_equal(find_fn(a, "mix")->total, 8);
	assert_int_equal(find_fn(a, "mix")->self_inlined, 0);
	aggregate_free(a);
	free(buf);
	profile_free(q);
	profile_free(p);
}

static bool
match_prefix(const struct frame *f, void *arg)
{
	return !strncmp(f->name, arg, strlen(arg));
}

static void
test_aggregate_focus_callers_callees(void **state)
{
	struct profile *p = folded_profile("main;parse;lex 5\n"
					   "main;parse 2\n"
					   "main;load;parse;parse_num;atoi 3\n"
					   "main;load;read 4\n"
					   "parse_main;x 1\n");
	struct agg_focus fo;
	const struct agg_row *r;

	(void)state;
	aggregate_focus(p, match_prefix, (void *)"parse", &fo);
	assert_int_equal(fo.nfunctions, 3); /* parse, parse_num, parse_main */
	assert_int_equal(fo.total, 11);
	assert_int_equal(fo.self, 2); /* main;parse */
	assert_int_equal(fo.no_caller, 1);
	/* Callers of the root-most match. */
	assert_int_equal(aggregate_nrows(fo.callers), 2);
	assert_int_equal(find_fn(fo.callers, "main")->total, 7);
	assert_int_equal(find_fn(fo.callers, "load")->total, 3);
	/* Callees of the leaf-most match: parse;parse_num counts once. */
	assert_int_equal(aggregate_nrows(fo.callees), 3);
	r = find_fn(fo.callees, "lex");
	assert_int_equal(r->total, 5);
	assert_int_equal(r->self, 5);
	assert_int_equal(find_fn(fo.callees, "atoi")->total, 3);
	assert_int_equal(find_fn(fo.callees, "x")->total, 1);
	assert_null(aggregate_find(fo.callees, "parse_num", "", FRAME_USER,
				   TASK_NONE));
	/* The matching functions with their own sums. */
	assert_int_equal(find_fn(fo.functions, "parse")->total, 10);
	assert_int_equal(find_fn(fo.functions, "parse")->self, 2);
	assert_int_equal(find_fn(fo.functions, "parse_num")->total, 3);
	agg_focus_fini(&fo);

	/* Nothing matches: empty, not an error. */
	aggregate_focus(p, match_prefix, (void *)"zzz", &fo);
	assert_int_equal(fo.nfunctions, 0);
	assert_int_equal(fo.total, 0);
	assert_int_equal(aggregate_nrows(fo.callers), 0);
	aggregate_sort(fo.callers, AGG_ORDER_TOTAL); /* empty: no qsort(NULL) */
	agg_focus_fini(&fo);
	profile_free(p);
}

static void
test_profile_merge_sums_stacks_and_meta(void **state)
{
	struct profile *in[3], *m, *mm;
	const struct stack *st;
	uint32_t f[2], t;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		in[i] = profile_new();
		f[0] = profile_intern_frame(in[i], "app", "", FRAME_PROCESS);
		/* Frame ids differ between the runs. */
		if (i)
			profile_intern_frame(in[i], "other", "", FRAME_USER);
		f[1] = profile_intern_frame_src(in[i], "main", "app",
						FRAME_USER, "main.c", 3);
		t = profile_add_task(in[i], 7, 7, "app", "app");
		profile_add_stack(in[i], t, f, 2, 10 + (uint64_t)i);
		profile_meta_set_str(in[i], "tool", "scorch 0.1.0");
		profile_meta_set_str(in[i], "start_time",
				     i ? "2024-01-01T00:00:00Z"
				       : "2024-02-01T00:00:00Z");
		profile_meta_set_str(in[i], "hostname", i ? "b" : "a");
		profile_meta_set_int(in[i], "samples", 10 + i);
		profile_meta_set_int(in[i], "frequency_hz", 99);
		/* Each run's own period (record re-draws it). */
		profile_meta_set_int(in[i], "period_ns", i ? 1020000 : 1000000);
		profile_meta_set_int(in[i], "period_changes", 40 + i);
		profile_meta_set_int(in[i], "off_cpu_switches", 3 + i);
		profile_meta_set_int(in[i], "off_cpu_preempted_ns",
				     1000 * (i + 1));
		profile_meta_set_str(in[i], "label.commit", "abc");
		profile_meta_set_str(in[i], "label.run", i ? "2" : "1");
	}
	in[2] = folded_profile("app;main 5\n");
	m = profile_merge(in, 3, NULL, NULL);
	assert_int_equal(profile_total(m), 26);
	/* Same pid/tid and frames: one stack with a task, one without. */
	assert_int_equal(profile_nstacks(m), 2);
	st = profile_stack(m, 0);
	assert_int_equal(st->count, 21);
	assert_string_equal(profile_frame(m, st->frames[1])->file, "main.c");
	assert_int_equal(profile_meta_int(m, "samples", 0), 26);
	assert_int_equal(profile_meta_int(m, "merged_from", 0), 3);
	assert_string_equal(profile_meta_str(m, "start_time"),
			    "2024-01-01T00:00:00Z");
	/* The folded run has no metadata, so nothing else is shared. */
	assert_null(profile_meta_str(m, "tool"));
	assert_int_equal(profile_meta_int(m, "period_ns", -1), -1);
	assert_null(profile_meta_str(m, "label.commit"));
	profile_free(m);

	m = profile_merge(in, 2, NULL, NULL);
	assert_string_equal(profile_meta_str(m, "tool"), "scorch 0.1.0");
	assert_int_equal(profile_meta_int(m, "frequency_hz", 0), 99);
	assert_string_equal(profile_meta_str(m, "label.commit"), "abc");
	assert_null(profile_meta_str(m, "label.run"));
	assert_null(profile_meta_str(m, "hostname"));
	assert_int_equal(profile_meta_int(m, "samples", 0), 21);
	/* The runs' CPU time over their samples: (10 x 1000000 + 11 x
	 * 1020000) / 21 = 1010476.2 ns; the changes summed. */
	assert_int_equal(profile_meta_int(m, "period_ns", 0), 1010476);
	assert_int_equal(profile_meta_int(m, "period_changes", 0), 81);
	/* Every run's switches and preempted time counted. */
	assert_int_equal(profile_meta_int(m, "off_cpu_switches", 0), 7);
	assert_int_equal(profile_meta_int(m, "off_cpu_preempted_ns", 0), 3000);
	/* Merging merged profiles counts the original runs. */
	{
		struct profile *two[2] = { m, in[0] };

		mm = profile_merge(two, 2, NULL, NULL);
		assert_int_equal(profile_meta_int(mm, "merged_from", 0), 3);
		assert_int_equal(profile_total(mm), 31);
		profile_free(mm);
	}
	profile_free(m);
	for (i = 0; i < 3; i++)
		profile_free(in[i]);
}

/*
 * Mutated inputs: bytes flipped, cut, duplicated in a valid JSON profile
 * and a folded file. Every one must load or fail with a message naming the
 * file; the sanitizers catch anything worse. Deterministic seed.
 */
static void
test_profile_load_mutations(void **state)
{
	static const char *const seeds[] = {
		"{\"format\":\"scorch-profile\",\"version\":\"1.1\","
		"\"meta\":{\"tool\":\"scorch\",\"samples\":9},"
		"\"tasks\":[{\"pid\":1,\"tid\":2,\"comm\":\"a\",\"thread\":\"b\"}],"
		"\"frames\":[{\"name\":\"a\",\"kind\":\"process\"},"
		"{\"name\":\"main\",\"module\":\"a\",\"kind\":\"user\","
		"\"file\":\"a.c\",\"line\":3}],"
		"\"stacks\":[{\"task\":0,\"frames\":[0,1],\"count\":9}]}",
		"a;main;f_[k] 3\na;[unknown];g_[i] 12\n\na;main 1\r\n",
	};
	unsigned long long rng = 0x5eed;
	char path[] = "/tmp/scorch-mut-XXXXXX";
	int fd = mkstemp(path);
	size_t i, loaded = 0, failed = 0;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < 3000; i++) {
		const char *seed = seeds[i % ARRAY_SIZE(seeds)];
		size_t len = strlen(seed), n, k;
		char buf[1024];
		struct scorch_err err;
		struct profile *p;
		FILE *fp;

		memcpy(buf, seed, len);
		n = 1 + (i / 2) % 4;
		for (k = 0; k < n && len; k++) {
			size_t at;

			rng = rng * 6364136223846793005ULL +
			      1442695040888963407ULL;
			at = (size_t)(rng >> 33) % len;
			switch ((rng >> 20) % 4) {
			case 0: /* flip a byte */
				buf[at] = (char)(rng >> 8);
				break;
			case 1: /* cut the file */
				len = at;
				break;
			case 2: /* a digit somewhere */
				buf[at] = (char)('0' + (rng >> 12) % 10);
				break;
			default: /* duplicate a run of bytes */
				if (len + 16 < sizeof(buf) && at + 16 <= len) {
					memmove(buf + at + 16, buf + at,
						len - at);
					len += 16;
				}
				break;
			}
		}
		fp = fopen(path, "w");
		assert_non_null(fp);
		assert_int_equal(fwrite(buf, 1, len, fp), len);
		fclose(fp);
		err.msg[0] = '\0';
		p = profile_load(path, &err);
		if (p) {
			loaded++;
			profile_free(p);
		} else {
			failed++;
			if (strncmp(err.msg, path, strlen(path)))
				fail_msg("mutation %zu: '%s' does not name "
					 "the file",
					 i, err.msg);
		}
	}
	unlink(path);
	/* Both outcomes happen, or the mutations test nothing. */
	assert_true(loaded > 100);
	assert_true(failed > 100);
}

/*
 * Stack objects in many spellings: the fast path for scorch's own shape
 * and cJSON for the rest must agree on what is valid, and on the counts.
 */
static void
test_profile_read_json_stack_forms(void **state)
{
	static const struct {
		const char *stack;
		int ok;		/* 0: error expected */
		uint64_t total; /* when ok */
	} cases[] = {
		{ "{\"task\": 0, \"frames\": [0,1], \"count\": 5}", 1, 5 },
		{ "{\"frames\": [1,0], \"count\": 7}", 1, 7 },
		{ "{ \"task\" : 1 , \"frames\" : [ 0 , 1 ] , \"count\" : 2 }",
		  1, 2 },
		{ "{\"count\": 3, \"frames\": [0], \"task\": 1}", 1, 3 },
		{ "{\"task\": 0, \"frames\": [], \"count\": 4}", 1, 4 },
		{ "{\"frames\": [0], \"count\": 9007199254740992}", 1,
		  9007199254740992ULL },
		/* Counts are exact past 2^53, in either path. */
		{ "{\"frames\": [0], \"count\": 9007199254740993}", 1,
		  9007199254740993ULL },
		{ "{\"count\": 9007199254740993, \"frames\": [0]}", 1,
		  9007199254740993ULL },
		{ "{\"frames\": [0], \"count\": 18446744073709551615}", 1,
		  UINT64_MAX },
		{ "{\"count\": 18446744073709551615, \"frames\": [0]}", 1,
		  UINT64_MAX },
		{ "{\"frames\": [0], \"count\": 18446744073709551616}", 0, 0 },
		{ "{\"count\": 18446744073709551616, \"frames\": [0]}", 0, 0 },
		{ "{\"frames\": [0], \"count\": 9007199254740993.0}", 0, 0 },
		{ "{\"frames\": [0], \"count\": 1e19}", 0, 0 },
		{ "{\"frames\": [0], \"count\": 1e2}", 1, 100 },
		{ "{\"frames\": [0], \"count\": 2.5}", 0, 0 },
		{ "{\"frames\": [0], \"count\": -1}", 0, 0 },
		{ "{\"frames\": [2], \"count\": 1}", 0, 0 },
		{ "{\"frames\": [9], \"count\": 1}", 0, 0 },
		{ "{\"frames\": [18446744073709551617], \"count\": 1}", 0, 0 },
		{ "{\"task\": 2, \"frames\": [0], \"count\": 1}", 0, 0 },
		{ "{\"task\": 9, \"frames\": [0], \"count\": 1}", 0, 0 },
		{ "{\"frames\": [0,], \"count\": 1}", 0, 0 },
		{ "{\"frames\": [0], \"count\": 1, \"extra\": [1]}", 1, 1 },
		{ "{\"frames\": [0], \"count\": 1}, 7", 0, 0 },
		{ "[0, 1]", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct profile *p = profile_new();
		struct scorch_err err;
		char *doc = xasprintf(
			"{\"format\":\"scorch-profile\",\"version\":\"1.1\","
			"\"tasks\":[{\"pid\":1,\"tid\":1},{\"pid\":1,\"tid\":2}],"
			"\"frames\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
			"\"stacks\":[%s]}",
			cases[i].stack);
		int ret =
			profile_read_json(p, doc, strlen(doc), "s.json", &err);

		if (cases[i].ok && ret < 0)
			fail_msg("case %zu: %s", i, err.msg);
		if (!cases[i].ok && ret == 0)
			fail_msg("case %zu: accepted", i);
		if (cases[i].ok)
			assert_int_equal(profile_total(p), cases[i].total);
		free(doc);
		profile_free(p);
	}
}

/* A JSON profile with frames a, b and these stacks, read into p. */
static int
read_json_stacks(struct profile *p, const char *meta, const char *stacks,
		 struct scorch_err *err)
{
	char *doc = xasprintf("{\"format\":\"scorch-profile\",\"version\":"
			      "\"1.1\",\"meta\":{%s},\"frames\":[{\"name\":"
			      "\"a\"},{\"name\":\"b\"}],\"stacks\":[%s]}",
			      meta, stacks);
	int ret = profile_read_json(p, doc, strlen(doc), "s.json", err);

	free(doc);
	return ret;
}

/* Counts past 2^53 (where a double stops being exact) up to 2^64 - 1:
 * folded in, JSON out and in, folded out, the same numbers. */
static void
test_profile_counts_exact_end_to_end(void **state)
{
	static const char *const counts[] = {
		"9007199254740993",	/* 2^53 + 1 */
		"9223372036854775808",	/* 2^63 */
		"18446744073709551615", /* 2^64 - 1 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		struct profile *p = profile_new(), *q = profile_new();
		char *in = xasprintf("main;a %s\n", counts[i]), *json, *out;
		struct scorch_err err;

		assert_int_equal(read_folded_str(p, in, &err), 0);
		assert_int_equal(profile_total(p),
				 strtoull(counts[i], NULL, 10));
		json = written(profile_write_json, p);
		assert_non_null(strstr(json, counts[i]));
		if (profile_read_json(q, json, strlen(json), "rt.json", &err) <
		    0)
			fail_msg("%s: %s", counts[i], err.msg);
		assert_int_equal(profile_total(q), profile_total(p));
		out = written(profile_write_folded, q);
		assert_string_equal(out, in);
		free(in);
		free(json);
		free(out);
		profile_free(p);
		profile_free(q);
	}
}

/* Integer metadata is exact over all of int64_t, and refused past it. */
static void
test_profile_read_json_meta_exact(void **state)
{
	struct profile *p = profile_new();
	struct scorch_err err;

	(void)state;
	assert_int_equal(read_json_stacks(p,
					  "\"big\": 9223372036854775807, "
					  "\"low\": -9223372036854775808, "
					  "\"odd\": 9007199254740993",
					  "{\"frames\":[0],\"count\":1}", &err),
			 0);
	assert_true(profile_meta_int(p, "big", 0) == INT64_MAX);
	assert_true(profile_meta_int(p, "low", 0) == INT64_MIN);
	assert_true(profile_meta_int(p, "odd", 0) == 9007199254740993LL);
	profile_free(p);
	p = profile_new();
	assert_int_equal(read_json_stacks(p, "\"big\": 9223372036854775808",
					  "{\"frames\":[0],\"count\":1}", &err),
			 -1);
	assert_non_null(strstr(err.msg, "out of range"));
	profile_free(p);
}

/* A merge whose counts would pass 2^64 - 1 is refused, naming the input. */
static void
test_profile_merge_refuses_overflow(void **state)
{
	struct profile *in[2] = { profile_new(), profile_new() }, *m;
	const char *names[2] = { "one.folded", "two.folded" };
	struct scorch_err err;

	(void)state;
	assert_int_equal(
		read_folded_str(in[0], "main;a 9223372036854775808\n", &err),
		0);
	assert_int_equal(
		read_folded_str(in[1], "main;b 9223372036854775808\n", &err),
		0);
	m = profile_merge(in, 2, names, &err);
	assert_null(m);
	assert_non_null(strstr(err.msg, "two.folded: sample counts overflow"));
	/* One less fits exactly, and the summed "samples" is dropped, not
	 * wrapped into a negative number. */
	profile_free(in[1]);
	in[1] = profile_new();
	assert_int_equal(
		read_folded_str(in[1], "main;b 9223372036854775807\n", &err),
		0);
	m = profile_merge(in, 2, names, &err);
	assert_non_null(m);
	assert_true(profile_total(m) == UINT64_MAX);
	assert_null(profile_meta_find(m, "samples"));
	profile_free(m);
	profile_free(in[0]);
	profile_free(in[1]);
}

/* A stack of PROFILE_MAX_DEPTH frames reads in both formats, one more in
 * neither; a name of PROFILE_MAX_NAME bytes reads, one more does not. */
static void
test_profile_limits_same_in_every_reader(void **state)
{
	struct strbuf folded, json;
	struct scorch_err err;
	struct profile *p;
	char *name;
	int extra;

	(void)state;
	for (extra = 0; extra < 2; extra++) {
		size_t depth = PROFILE_MAX_DEPTH + (size_t)extra, i;

		strbuf_init(&folded);
		strbuf_init(&json);
		for (i = 0; i < depth; i++) {
			strbuf_addstr(&folded, i ? ";a" : "a");
			strbuf_addstr(&json, i ? ",0" : "0");
		}
		strbuf_addstr(&folded, " 1\n");
		p = profile_new();
		assert_int_equal(read_folded_str(p, folded.buf, &err), -extra);
		profile_free(p);
		strbuf_reset(&folded);
		strbuf_addf(&folded, "{\"frames\":[%s],\"count\":1}", json.buf);
		p = profile_new();
		assert_int_equal(read_json_stacks(p, "", folded.buf, &err),
				 -extra);
		if (extra)
			assert_non_null(strstr(err.msg, "deeper than 65535"));
		profile_free(p);
		/* The same through cJSON's path (count first). */
		strbuf_reset(&folded);
		strbuf_addf(&folded, "{\"count\":1,\"frames\":[%s]}", json.buf);
		p = profile_new();
		assert_int_equal(read_json_stacks(p, "", folded.buf, &err),
				 -extra);
		profile_free(p);
		strbuf_fini(&folded);
		strbuf_fini(&json);

		name = xmalloc(PROFILE_MAX_NAME + 2);
		memset(name, 'n', PROFILE_MAX_NAME + (size_t)extra);
		name[PROFILE_MAX_NAME + extra] = '\0';
		strbuf_init(&folded);
		strbuf_addf(&folded, "main;%s 1\n", name);
		p = profile_new();
		assert_int_equal(read_folded_str(p, folded.buf, &err), -extra);
		profile_free(p);
		strbuf_reset(&folded);
		strbuf_addf(
			&folded,
			"{\"format\":\"scorch-profile\",\"version\":\"1.1\","
			"\"frames\":[{\"name\":\"%s\"}],\"stacks\":[]}",
			name);
		p = profile_new();
		assert_int_equal(profile_read_json(p, folded.buf, folded.len,
						   "n.json", &err),
				 -extra);
		profile_free(p);
		strbuf_fini(&folded);
		free(name);
	}
}

/* A recording's name past the limit is cut to it at a character, so the
 * profile stays writable and readable. */
static void
test_profile_intern_frame_clips_long_names(void **state)
{
	struct profile *p = profile_new();
	struct scorch_err err;
	const struct frame *f;
	char *name = xmalloc(70001), *json;
	struct profile *q = profile_new();
	uint32_t id;
	size_t i;

	(void)state;
	/* "a" then "é" (2 bytes) throughout, so the limit falls inside
	 * one: the cut must not split it. */
	name[0] = 'a';
	for (i = 1; i + 1 < 70000; i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	name[i] = '\0';
	id = profile_intern_frame(p, name, "m", FRAME_USER);
	f = profile_frame(p, id);
	assert_true(strlen(f->name) <= PROFILE_MAX_NAME);
	assert_true(strlen(f->name) >= PROFILE_MAX_NAME - 4);
	assert_string_equal(f->name + strlen(f->name) - 3, "...");
	assert_int_equal(((unsigned char)f->name[strlen(f->name) - 4]), 0xa9);
	profile_add_stack(p, TASK_NONE, &id, 1, 1);
	assert_int_equal(profile_check(p, PROFILE_FMT_JSON, "o", &err), 0);
	json = written(profile_write_json, p);
	if (profile_read_json(q, json, strlen(json), "o.json", &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(profile_frame(q, 0)->name, f->name);
	free(json);
	free(name);
	profile_free(p);
	profile_free(q);
}

/* profile_check() refuses what a format cannot hold, before a write. */
static void
test_profile_check_writers(void **state)
{
	struct profile *p = profile_new();
	struct scorch_err err;
	uint32_t f[2];

	(void)state;
	f[0] = profile_intern_frame(p, "main", "", FRAME_USER);
	f[1] = profile_intern_frame(p, "work", "", FRAME_USER);
	profile_add_stack(p, TASK_NONE, f, 2, 9007199254740993ULL);
	assert_int_equal(profile_check(p, PROFILE_FMT_JSON, "o", &err), 0);
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "o", &err), 0);
	assert_int_equal(profile_check(p, PROFILE_FMT_PPROF, "o", &err), 0);
	assert_int_equal(
		profile_check(p, PROFILE_FMT_SPEEDSCOPE, "o.json", &err), -1);
	assert_non_null(strstr(err.msg, "o.json: cannot write speedscope"));
	/* pprof's values are signed, and multiplied by the period. */
	profile_meta_set_int(p, "period_ns", 1024);
	assert_int_equal(profile_check(p, PROFILE_FMT_PPROF, "o.pb.gz", &err),
			 -1);
	assert_non_null(strstr(err.msg, "times period_ns"));
	profile_free(p);
	/* The folded writer spells a ';' and an empty name (as ':' and
	 * "[unknown]"), so folded stacks take them; JSON's reader refuses an
	 * empty name, so its writer does too. */
	p = profile_new();
	f[0] = profile_intern_frame(p, "operator;", "", FRAME_USER);
	profile_add_stack(p, TASK_NONE, f, 1, 1);
	assert_int_equal(profile_check(p, PROFILE_FMT_JSON, "o", &err), 0);
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "o", &err), 0);
	profile_free(p);
	p = profile_new();
	f[0] = profile_intern_frame(p, "", "", FRAME_USER);
	profile_add_stack(p, TASK_NONE, f, 1, 1);
	assert_int_equal(profile_check(p, PROFILE_FMT_JSON, "o", &err), -1);
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "o", &err), 0);
	profile_free(p);
	/* Folded stacks write only the frames of their lines. */
	p = profile_new();
	f[0] = profile_intern_frame(p, "main", "", FRAME_USER);
	profile_intern_frame(p, "", "", FRAME_USER);
	profile_add_stack(p, TASK_NONE, f, 1, 1);
	assert_int_equal(profile_check(p, PROFILE_FMT_JSON, "o", &err), -1);
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "o", &err), 0);
	profile_free(p);
}

/* pprof: a function's out-of-line frame and its inlined copies are one
 * Function, as report counts them; another module's namesake is not. */
static void
test_profile_write_pprof_one_function_per_source_function(void **state)
{
	struct profile *p = profile_new();
	Perftools__Profiles__Profile *pb;
	uint32_t f[5], fn_hash = 0;
	unsigned char buf[1 << 16];
	FILE *fp = tmpfile();
	size_t i, j, nhash = 0;
	gzFile gz;
	int n;

	(void)state;
	f[0] = profile_intern_frame_src(p, "main", "app", FRAME_USER, "m.c", 1);
	f[1] = profile_intern_frame_src(p, "parse", "app", FRAME_USER, "p.c",
					5);
	f[2] = profile_intern_frame_src(p, "hash", "app", FRAME_INLINED, "h.c",
					9);
	f[3] = profile_intern_frame_src(p, "hash", "app", FRAME_USER, "h.c", 9);
	f[4] = profile_intern_frame_src(p, "hash", "libz.so", FRAME_USER, "z.c",
					2);
	profile_add_stack(p, TASK_NONE, f, 3, 4); /* inlined */
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ f[0], f[3] }, 2,
			  2); /* body */
	profile_add_stack(p, TASK_NONE, (uint32_t[]){ f[0], f[4] }, 2, 1);
	assert_non_null(fp);
	assert_int_equal(profile_write_pprof(p, fp), 0);
	rewind(fp);
	gz = gzdopen(dup(fileno(fp)), "rb");
	n = gzread(gz, buf, sizeof(buf));
	gzclose(gz);
	fclose(fp);
	assert_true(n > 0);
	pb = perftools__profiles__profile__unpack(NULL, (size_t)n, buf);
	assert_non_null(pb);
	/* main, parse, hash (body and inlined copy), libz's hash. */
	assert_int_equal(pb->n_function, 4);
	for (i = 0; i < pb->n_function; i++)
		if (!strcmp(pb->string_table[pb->function[i]->name], "hash") &&
		    !strcmp(pb->string_table[pb->function[i]->filename],
			    "h.c")) {
			fn_hash = (uint32_t)pb->function[i]->id;
			nhash++;
		}
	assert_int_equal(nhash, 1);
	/* Both the inlined line and the body's location name it. */
	nhash = 0;
	for (i = 0; i < pb->n_location; i++)
		for (j = 0; j < pb->location[i]->n_line; j++)
			nhash += pb->location[i]->line[j]->function_id ==
				 fn_hash;
	assert_int_equal(nhash, 2);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	profile_free(p);
}

/* The bad line kinds of lines.c, by how the line is built. */
enum text_bad { TEXT_LONG, TEXT_NUL, TEXT_LONG_NUL, TEXT_NBAD };

/* A folded or perf script text whose second sample holds one bad line
 * (line 2 of folded, 5 of perf script) between good ones. */
static void
text_with_bad_line(struct strbuf *sb, bool perf, enum text_bad bad)
{
	static const char hdr[] = "prog 1/1 [000] 1.000000: 10 cpu-clock:\n";
	size_t i;

	strbuf_init(sb);
	strbuf_addstr(sb, perf ? "" : "a;b 1\n");
	if (perf)
		strbuf_addf(sb, "%s\t1 f (/bin/p)\n\n%s\t1 ", hdr, hdr);
	if (bad != TEXT_LONG)
		strbuf_add(sb, "x\0y", 3);
	for (i = 0; bad != TEXT_NUL && i <= PROFILE_MAX_LINE; i++)
		strbuf_addch(sb, 'x');
	strbuf_addstr(sb, perf ? " (/bin/p)\n\t2 main (/bin/p)\n\n" : " 2\n");
	if (perf)
		strbuf_addf(sb, "%s\t1 g (/bin/p)\r\n\r\n", hdr);
	else
		strbuf_addstr(sb, "c 3\r\n");
}

static int
text_read(struct profile *p, const struct strbuf *sb, bool perf,
	  struct profile_read_opts *opts, struct scorch_err *err)
{
	FILE *fp = fmemopen(sb->buf, sb->len, "r");
	int ret;

	assert_non_null(fp);
	ret = perf ? profile_read_perf_script(p, fp, "t", opts, err)
		   : profile_read_folded_opts(p, fp, "t", opts, err);
	fclose(fp);
	return ret;
}

/* The folded and perf script readers share their line input: a line past
 * PROFILE_MAX_LINE or holding a NUL byte (a long one too: binary data wins)
 * is refused with the same message, or skipped and counted. */
static void
test_profile_text_readers_share_lines(void **state)
{
	static const char *const want[TEXT_NBAD] = {
		[TEXT_LONG] = "line longer than 1048576 bytes",
		[TEXT_NUL] = "binary data, not a profile",
		[TEXT_LONG_NUL] = "binary data, not a profile",
	};
	struct profile_read_opts opts = { .skip_bad = 1 };
	struct scorch_err err;
	struct profile *p;
	struct strbuf sb, msg;
	int perf, bad;

	(void)state;
	for (perf = 0; perf < 2; perf++) {
		for (bad = 0; bad < TEXT_NBAD; bad++) {
			text_with_bad_line(&sb, perf, (enum text_bad)bad);
			strbuf_init(&msg);
			strbuf_addf(&msg, "t:%d: %s", perf ? 5 : 2, want[bad]);
			p = profile_new();
			assert_int_equal(text_read(p, &sb, perf, NULL, &err),
					 -1);
			assert_string_equal(err.msg, msg.buf);
			profile_free(p);
			p = profile_new();
			assert_int_equal(text_read(p, &sb, perf, &opts, &err),
					 0);
			assert_int_equal(opts.skipped, 1);
			assert_string_equal(opts.first_bad, msg.buf);
			/* The rest of the line skipped, the lines after it
			 * (CRLF ended) read. */
			assert_int_equal(profile_total(p), perf ? 20 : 4);
			profile_free(p);
			strbuf_fini(&msg);
			strbuf_fini(&sb);
		}
	}
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
		cmocka_unit_test(test_profile_text_readers_share_lines),
		cmocka_unit_test(test_profile_json_round_trip),
		cmocka_unit_test(test_profile_json_sites_round_trip),
		cmocka_unit_test(test_profile_read_json_errors),
		cmocka_unit_test(test_profile_load_sniffs_format),
		cmocka_unit_test(test_profile_load_no_silent_loss),
		cmocka_unit_test(test_aggregate_new_self_and_total),
		cmocka_unit_test(test_aggregate_new_modules_and_threads),
		cmocka_unit_test(test_aggregate_focus_callers_callees),
		cmocka_unit_test(
			test_aggregate_inlined_copies_are_one_function),
		cmocka_unit_test(test_profile_inline_fold_machine_view),
		cmocka_unit_test(
			test_profile_write_pprof_one_function_per_source_function),
		cmocka_unit_test(test_profile_merge_sums_stacks_and_meta),
		cmocka_unit_test(test_profile_load_mutations),
		cmocka_unit_test(test_profile_read_json_stack_forms),
		cmocka_unit_test(test_profile_counts_exact_end_to_end),
		cmocka_unit_test(test_profile_read_json_meta_exact),
		cmocka_unit_test(test_profile_merge_refuses_overflow),
		cmocka_unit_test(test_profile_limits_same_in_every_reader),
		cmocka_unit_test(test_profile_check_writers),
		cmocka_unit_test(test_profile_intern_frame_clips_long_names),
	};

	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
