/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_roundtrip.c - the readers' round trips: every writer
 * emits only what its reader accepts, and the inputs the libFuzzer targets
 * (tests/fuzz/) found, each kept as a literal here and in the corpus.
 */
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

#define FOLDED_LINE_MAX (1 << 20) /* the folded reader's, docs/FORMAT.md */

/* What the folded writer makes of p (caller frees); NULL when it refuses,
 * having written nothing. */
static char *
folded_of(const struct profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int ret;

	assert_non_null(fp);
	ret = profile_write_folded(p, fp);
	assert_int_equal(fclose(fp), 0);
	if (ret < 0) {
		assert_int_equal(len, 0);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Read folded text back: the reader must accept it. */
static struct profile *
folded_read(const char *text)
{
	struct profile *p = profile_new();
	struct scorch_err err = { 0 };
	FILE *fp;

	if (!*text)
		return p;
	fp = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(fp);
	if (profile_read_folded(p, fp, "rt.folded", &err) < 0)
		fail_msg("the folded writer's output is refused: %s", err.msg);
	fclose(fp);
	return p;
}

/* What the JSON writer makes of p (caller frees). */
static char *
written_json(const struct profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(profile_write_json(p, fp), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static struct profile *
json_read(const char *text)
{
	struct profile *p = profile_new();
	struct scorch_err err = { 0 };

	if (profile_read_json(p, text, strlen(text), "rt.json", &err) < 0)
		fail_msg("%s", err.msg);
	return p;
}

/* write -> read -> write gives the same folded text; returns the text. */
static char *
folded_fixed_point(const struct profile *p)
{
	char *first = folded_of(p), *second;
	struct profile *q;

	assert_non_null(first);
	q = folded_read(first);
	second = folded_of(q);
	assert_non_null(second);
	assert_string_equal(first, second);
	assert_int_equal(profile_total(p), profile_total(q));
	free(second);
	profile_free(q);
	return first;
}

/*
 * Found by fuzz_roundtrip_json on its first seeds (corpus/roundtrip_json/
 * edges): a JSON frame named "" became an empty folded frame, which the
 * folded reader refuses ("empty frame name"), so `scorch fold` wrote files
 * scorch then refused. The JSON reader now refuses an empty name too (one
 * set of limits); a profile built in memory may still hold one.
 */
static void
test_write_folded_empty_name(void **state)
{
	struct profile *p = profile_new();
	struct scorch_err err = { 0 };
	uint32_t f[3];
	char *text;
	static const char empty[] =
		"{\"format\":\"scorch-profile\",\"version\":\"1.1\","
		"\"frames\":[{\"name\":\"\"}],\"stacks\":[]}";
	struct profile *q = profile_new();

	(void)state;
	assert_int_equal(
		profile_read_json(q, empty, strlen(empty), "rt.json", &err),
		-1);
	profile_free(q);
	f[0] = profile_intern_frame(p, "", "", FRAME_USER);
	f[1] = profile_intern_frame(p, "x", "", FRAME_JIT);
	f[2] = f[0];
	profile_add_stack(p, TASK_NONE, f, 3, 9);
	profile_add_stack(p, TASK_NONE, f, 0, 0);
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "rt", &err), 0);
	text = folded_fixed_point(p);
	assert_string_equal(text, "[unknown];x_[j];[unknown] 9\n");
	free(text);
	profile_free(p);
}

/*
 * Names the folded format cannot carry as they are: ';' splits a frame,
 * a newline ends the line, blanks at the end of the leaf are taken for
 * the space before the count.
 */
static void
test_write_folded_neutralizes_names(void **state)
{
	struct profile *p = profile_new();
	uint32_t f[4];
	char *text;

	(void)state;
	f[0] = profile_intern_frame(p, "a;b", "", FRAME_USER);
	f[1] = profile_intern_frame(p, "two\nlines", "", FRAME_USER);
	f[2] = profile_intern_frame(p, " \t", "", FRAME_USER);
	f[3] = profile_intern_frame(p, "leaf \t", "", FRAME_USER);
	profile_add_stack(p, TASK_NONE, f, 4, 3);
	profile_add_stack(p, TASK_NONE, f, 3, 2);
	text = folded_fixed_point(p);
	assert_string_equal(text, "a:b;two lines; \t;leaf 3\n"
				  "a:b;two lines;[unknown] 2\n");
	free(text);
	profile_free(p);
}

/* A stack of n frames named by a name of len bytes. */
static struct profile *
deep_profile(uint32_t n, size_t len, uint64_t count)
{
	struct profile *p = profile_new();
	char *name = xmalloc(len + 1);
	uint32_t *ids = xcalloc(n, sizeof(*ids));

	memset(name, 'f', len);
	name[len] = '\0';
	ids[0] = profile_intern_frame(p, name, "", FRAME_USER);
	profile_add_stack(p, TASK_NONE, ids, n, count);
	free(ids);
	free(name);
	return p;
}

/* Deeper than the folded reader's 65,535 frames: refused at the writer
 * with a line saying why, nothing written. */
static void
test_write_folded_refuses_deep_stack(void **state)
{
	struct scorch_err err = { 0 };
	struct profile *p = deep_profile(65536, 1, 1);
	char *text;

	(void)state;
	assert_null(folded_of(p));
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "rt", &err), -1);
	assert_string_equal(err.msg, "rt: cannot write folded stacks: a stack "
				     "of 65536 frames (leaf \"f\") is deeper "
				     "than 65535");
	profile_free(p);
	p = deep_profile(65535, 1, 1);
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "rt", &err), 0);
	text = folded_fixed_point(p);
	free(text);
	profile_free(p);
}

/*
 * A stack whose folded text (frames and ';'s, before " COUNT") is len
 * bytes: frames of 60,000 bytes (names stay under the 64 KiB limit), the
 * last one the rest; *ids (caller frees) and *n are its frames.
 */
static struct profile *
line_profile(size_t len, uint64_t count, uint32_t **ids, uint32_t *n)
{
	struct profile *p = profile_new();
	size_t chunk = 60000, nf = (len + 1 + chunk) / (chunk + 1), last, i;
	char *name = xmalloc(chunk + 1);

	last = len - (nf - 1) - chunk * (nf - 1);
	assert_true(last >= 1 && last <= 65535);
	*ids = xcalloc(nf, sizeof(**ids));
	memset(name, 'f', chunk);
	name[chunk] = '\0';
	for (i = 0; i + 1 < nf; i++)
		(*ids)[i] = profile_intern_frame(p, name, "", FRAME_USER);
	name[last] = '\0';
	(*ids)[nf - 1] = profile_intern_frame(p, name, "", FRAME_USER);
	*n = (uint32_t)nf;
	profile_add_stack(p, TASK_NONE, *ids, *n, count);
	free(name);
	return p;
}

/*
 * A line over 1 MiB (1,100 frames of 1,000 bytes: a 3 kB JSON profile)
 * is refused at the writer; a line of exactly 1 MiB, the count included
 * and the newline aside (docs/FORMAT.md, "Limits"), is written and read
 * back. The count's digits decide: 1 is one digit, 10 two.
 */
static void
test_write_folded_line_limit(void **state)
{
	struct scorch_err err = { 0 };
	size_t len = (size_t)FOLDED_LINE_MAX - 2; /* " 1" after it */
	uint32_t *ids, n, other, t;
	struct profile *p;
	char *text;

	(void)state;
	p = deep_profile(1100, 1000, 1);
	assert_null(folded_of(p));
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "rt", &err), -1);
	assert_non_null(strstr(err.msg, "folded lines hold at most 1048576"));
	profile_free(p);
	/* The line exactly FOLDED_LINE_MAX bytes with count 1. */
	p = line_profile(len, 1, &ids, &n);
	text = folded_fixed_point(p);
	assert_int_equal(strlen(text), FOLDED_LINE_MAX + 1);
	free(text);
	free(ids);
	profile_free(p);
	p = line_profile(len, 10, &ids, &n); /* one byte more */
	assert_null(folded_of(p));
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "rt", &err), -1);
	free(ids);
	profile_free(p);
	/* Two threads' stacks of 5 samples: one line of 10, one byte over;
	 * with 4 and 5 (9) it fits, a third stack keeping the total's
	 * digits from deciding. */
	p = line_profile(len, 5, &ids, &n);
	t = profile_add_task(p, 1, 2, "app", "worker");
	profile_add_stack(p, t, ids, n, 5);
	assert_null(folded_of(p));
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "rt", &err), -1);
	free(ids);
	profile_free(p);
	p = line_profile(len, 4, &ids, &n);
	t = profile_add_task(p, 1, 2, "app", "worker");
	profile_add_stack(p, t, ids, n, 5);
	other = profile_intern_frame(p, "other", "", FRAME_USER);
	profile_add_stack(p, TASK_NONE, &other, 1, 100);
	assert_int_equal(profile_check(p, PROFILE_FMT_FOLDED, "rt", &err), 0);
	text = folded_fixed_point(p);
	free(text);
	free(ids);
	profile_free(p);
}

/*
 * Found by fuzz_roundtrip_json (corpus/roundtrip_json/invalid-utf8): a
 * JSON string with a byte that is not UTF-8 was read as it was, and the
 * writer wrote U+FFFD for it, so the profile read back differed. JSON
 * text is UTF-8: such a file is refused, in every string the reader keeps;
 * valid UTF-8 (escaped or not) reads back the same.
 */
static void
test_read_json_refuses_invalid_utf8(void **state)
{
	static const struct {
		const char *frames, *meta, *tasks, *msg;
	} cases[] = {
		{ "{\"name\":\"x\xd2\"}", "", "",
		  "rt.json: frame: \"name\" is not valid UTF-8" },
		{ "{\"name\":\"x\",\"module\":\"\xff\"}", "", "",
		  "rt.json: frame: \"module\" is not valid UTF-8" },
		{ "{\"name\":\"x\",\"file\":\"\xed\xa0\x80\"}", "", "",
		  "rt.json: frame: \"file\" is not valid UTF-8" },
		{ "{\"name\":\"x\"}", "\"k\xc0\":1", "",
		  "rt.json: meta: a key or value is not valid UTF-8" },
		{ "{\"name\":\"x\"}", "\"k\":\"\xf5\x80\x80\x80\"", "",
		  "rt.json: meta: a key or value is not valid UTF-8" },
		{ "{\"name\":\"x\"}", "",
		  "{\"pid\":1,\"tid\":1,\"comm\":\"\xe2\x82\"}",
		  "rt.json: task: \"comm\" is not valid UTF-8" },
	};
	struct scorch_err err = { 0 };
	struct profile *p, *q;
	char *text, *again;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		text = xasprintf("{\"format\":\"scorch-profile\",\"version\":"
				 "\"1.1\",\"meta\":{%s},\"tasks\":[%s],"
				 "\"frames\":[%s],\"stacks\":[]}",
				 cases[i].meta, cases[i].tasks,
				 cases[i].frames);
		p = profile_new();
		assert_int_equal(profile_read_json(p, text, strlen(text),
						   "rt.json", &err),
				 -1);
		assert_string_equal(err.msg, cases[i].msg);
		profile_free(p);
		free(text);
	}
	p = json_read("{\"format\":\"scorch-profile\",\"version\":\"1.1\","
		      "\"meta\":{\"k\\u00e9\":\"\xe2\x82\xac\"},\"frames\":"
		      "[{\"name\":\"\xf0\x9f\x94\xa5\\ud83d\\udd25\"}],"
		      "\"stacks\":[{\"frames\":[0],\"count\":1}]}");
	text = written_json(p);
	q = json_read(text);
	again = written_json(q);
	assert_string_equal(text, again);
	assert_string_equal(profile_frame(q, 0)->name,
			    "\xf0\x9f\x94\xa5\xf0\x9f\x94\xa5");
	free(text);
	free(again);
	profile_free(p);
	profile_free(q);
}

/*
 * Found by fuzz_roundtrip_json (corpus/roundtrip_json/hash-kind-collision):
 * the folded reader's frame hash took the kind in with the length at the
 * start, where a first (or last-word) byte one bit apart cancelled it, so
 * "a" and the kernel's "`" were one frame ("a;`_[k] 5" read as "a;a"),
 * as were "malloc_consolidate" and a kernel "lalloc_consolidate".
 */
static void
test_read_folded_kinds_do_not_collide(void **state)
{
	static const char text[] = "a;`_[k] 5\n"
				   "app;a_[j] 4\n"
				   "app;c 3\n"
				   "app;lalloc_consolidate_[k] 2\n"
				   "app;malloc_consolidate 1\n";
	struct profile *p;
	char *again;

	(void)state;
	p = folded_read(text);
	assert_int_equal(profile_nframes(p), 7);
	again = folded_fixed_point(p);
	assert_string_equal(again, text);
	free(again);
	profile_free(p);
}

/* Read a folded text, write it, read it again: the same profile. */
static void
test_folded_round_trip_identity(void **state)
{
	struct profile *p;
	char *text;

	(void)state;
	p = folded_read("app;main;work_[k] 5\r\n\r\napp;[unknown] 0\n"
			"a;b\t7\n  a;b  8  \nx_[k]_[k];y_[i];z_[j] 2\n");
	text = folded_fixed_point(p);
	assert_string_equal(text, "  a;b 8\n"
				  "a;b 7\n"
				  "app;main;work_[k] 5\n"
				  "x_[k]_[k];y_[i];z_[j] 2\n");
	free(text);
	profile_free(p);
}

/* Off-CPU time survives the JSON writer and reader and merge, stack by
 * stack, beside the CPU samples (docs/FORMAT.md, "Values"). */
static void
test_off_cpu_round_trip(void **state)
{
	struct profile *p = profile_new(), *q, *m;
	struct profile *both[2];
	struct scorch_err err = { 0 };
	uint32_t f[2];
	char *text;
	size_t i;

	(void)state;
	f[0] = profile_intern_frame(p, "main", "app", FRAME_USER);
	f[1] = profile_intern_frame(p, "futex_wait", "", FRAME_KERNEL);
	profile_add_stack_values(p, TASK_NONE, f, NULL, 2, 0, 7000000000ULL);
	profile_add_stack_values(p, TASK_NONE, f, NULL, 1, 5, 0);
	profile_add_stack_values(p, TASK_NONE, f, NULL, 2, 3, 1);
	assert_int_equal(profile_total(p), 8);
	assert_int_equal(profile_total_off_cpu(p), 7000000001ULL);
	text = written_json(p);
	q = json_read(text);
	free(text);
	assert_int_equal(profile_nstacks(q), 2);
	assert_int_equal(profile_total(q), 8);
	assert_int_equal(profile_total_off_cpu(q), 7000000001ULL);
	for (i = 0; i < profile_nstacks(q); i++) {
		const struct stack *st = profile_stack(q, i);

		assert_int_equal(st->off_cpu_ns,
				 st->depth == 2 ? 7000000001ULL : 0);
	}
	both[0] = p;
	both[1] = q;
	m = profile_merge(both, 2, NULL, &err);
	assert_non_null(m);
	assert_int_equal(profile_total_off_cpu(m), 14000000002ULL);
	profile_free(m);
	profile_free(q);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_folded_empty_name),
		cmocka_unit_test(test_write_folded_neutralizes_names),
		cmocka_unit_test(test_write_folded_refuses_deep_stack),
		cmocka_unit_test(test_write_folded_line_limit),
		cmocka_unit_test(test_read_json_refuses_invalid_utf8),
		cmocka_unit_test(test_read_folded_kinds_do_not_collide),
		cmocka_unit_test(test_folded_round_trip_identity),
		cmocka_unit_test(test_off_cpu_round_trip),
	};

	return cmocka_run_group_tests_name("roundtrip", tests, NULL, NULL);
}
