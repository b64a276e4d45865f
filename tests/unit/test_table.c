/* SPDX-License-Identifier: MIT */
/* tests/unit/test_table.c - render/table.c: report tables in text,
 * markdown and JSON, with untrusted names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "render/render.h"

/* A two-row table: count, percent, function, module. */
static struct table *
sample_table(const char *name1)
{
	struct table *t = table_new("by_self", "Top functions");

	table_add_column(t, "self", "self", TABLE_COL_COUNT);
	table_add_column(t, "self_pct", "self%", TABLE_COL_PERCENT);
	table_add_column(t, "function", "function", TABLE_COL_NAME);
	table_add_column(t, "module", "module", TABLE_COL_NAME);
	table_add_row(t);
	table_set_count(t, 0, 1234567);
	table_set_percent(t, 1, 99.95);
	table_set_str(t, 2, name1);
	table_set_str(t, 3, "libfoo.so");
	table_add_row(t);
	table_set_count(t, 0, 3);
	table_set_percent(t, 1, 0.04);
	table_set_str(t, 2, "main");
	table_set_str(t, 3, "");
	return t;
}

static char *
doc_text(struct table *t, enum table_format fmt, int width, bool color)
{
	static const struct table_info info[] = {
		{ "samples", "samples", NULL, 42 },
		{ "cmd", "command", "./a | b", 0 },
	};
	struct table_doc d = { "report: x", info, 2, &t, 1 };
	struct table_opts o = { width, color };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(table_write_doc(&d, fmt, &o, fp), 0);
	fclose(fp);
	return buf;
}

static size_t
max_line_chars(const char *s)
{
	size_t max = 0, cur = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			cur = 0;
			continue;
		}
		/* Count characters, not UTF-8 continuation bytes. */
		if (((unsigned char)*s & 0xc0) != 0x80 && ++cur > max)
			max = cur;
	}
	return max;
}

static void
test_table_write_doc_text_fits_width(void **state)
{
	char name[400];
	struct table *t;
	char *out;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[0] = 'S';
	memcpy(name + sizeof(name) - 5, "_end", 5);
	t = sample_table(name);
	out = doc_text(t, TABLE_TEXT, 80, false);
	assert_true(max_line_chars(out) <= 80);
	/* Numbers are whole; a long name keeps both ends. */
	assert_non_null(strstr(out, "1234567  100.0%  Saaaa"));
	assert_non_null(strstr(out, "aa..aa"));
	assert_non_null(strstr(out, "aaa_end  libfoo.so\n"));
	assert_non_null(strstr(out, "      3    0.0%  main\n"));
	assert_non_null(strstr(out, "samples: 42\n"));
	assert_null(strchr(out, '\033'));
	free(out);
	out = doc_text(t, TABLE_TEXT, 120, false);
	assert_true(max_line_chars(out) <= 120);
	assert_true(max_line_chars(out) > 80);
	free(out);
	table_free(t);
}

static void
test_table_write_doc_text_untrusted_names(void **state)
{
	/* An escape sequence, a C1 control, invalid UTF-8, and a valid é. */
	struct table *t = sample_table("x\033]0;title\007y\xc2\x9bz\xff é");
	char *out = doc_text(t, TABLE_TEXT, 80, false);

	(void)state;
	assert_non_null(
		strstr(out, "x\\u001b]0;title\\u0007y\\u009bz\xef\xbf\xbd é"));
	assert_null(strchr(out, '\033'));
	assert_null(strchr(out, '\007'));
	free(out);
	/* Color only when asked: bold title, underlined headings. */
	out = doc_text(t, TABLE_TEXT, 80, true);
	assert_non_null(strstr(out, "\033[1mreport: x\033[0m"));
	assert_non_null(strstr(out, "\033[4m"));
	free(out);
	table_free(t);
}

static void
test_table_write_doc_markdown_escapes(void **state)
{
	struct table *t = sample_table("a|b`c<d>");
	char *out;

	(void)state;
	table_add_note(t, "1 more *not* shown");
	out = doc_text(t, TABLE_MARKDOWN, 80, true);
	assert_non_null(strstr(out, "### report: x\n"));
	/* Not in a table: | is not escaped (it would show). */
	assert_non_null(strstr(out, "- command: `./a | b`\n"));
	assert_non_null(strstr(out, "| self | self% | function | module |\n"
				    "|---:|---:|---|---|\n"));
	/* A backtick in a name: a double fence; '|' escaped; no HTML. */
	assert_non_null(strstr(out, "| 1234567 | 100.0% | ``a\\|b`c<d>`` | "
				    "`libfoo.so` |\n"));
	assert_non_null(strstr(out, "| 3 | 0.0% | `main` |  |\n"));
	assert_non_null(strstr(out, "1 more \\*not\\* shown"));
	assert_null(strchr(out, '\033'));
	free(out);
	table_free(t);
}

static void
test_table_write_doc_json(void **state)
{
	struct table *t = sample_table("q\"uote\\ \x01");
	char *out = doc_text(t, TABLE_JSON, 80, true);
	cJSON *root = cJSON_Parse(out), *rows, *r0;

	(void)state;
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "title")->valuestring,
			    "report: x");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "info"),
					     "samples")
				 ->valuedouble,
			 42);
	rows = cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(root, "tables"), 0),
		"rows");
	assert_int_equal(cJSON_GetArraySize(rows), 2);
	r0 = cJSON_GetArrayItem(rows, 0);
	assert_int_equal(cJSON_GetObjectItem(r0, "self")->valuedouble, 1234567);
	assert_true(cJSON_GetObjectItem(r0, "self_pct")->valuedouble > 99.9);
	/* JSON never cuts or replaces: the name comes back as it went in. */
	assert_string_equal(cJSON_GetObjectItem(r0, "function")->valuestring,
			    "q\"uote\\ \x01");
	cJSON_Delete(root);
	free(out);
	table_free(t);
}

/* A decimal column: one decimal right-aligned in text and markdown, a
 * number in JSON. */
static void
test_table_decimal_column(void **state)
{
	struct table *t = table_new("limits", "");
	char *out;

	(void)state;
	table_add_column(t, "name", "name", TABLE_COL_NAME);
	table_add_column(t, "max", "max", TABLE_COL_DECIMAL);
	table_add_row(t);
	table_set_str(t, 0, "a");
	table_set_decimal(t, 1, 1234.56);
	table_add_row(t);
	table_set_str(t, 0, "b");
	table_set_decimal(t, 1, 5);
	out = doc_text(t, TABLE_TEXT, 80, false);
	assert_non_null(strstr(out, "  name     max\n  a     1234.6\n  b"
				    "        5.0\n"));
	free(out);
	out = doc_text(t, TABLE_MARKDOWN, 80, false);
	assert_non_null(strstr(out, "|---|---:|\n| `a` | 1234.6 |\n"));
	free(out);
	out = doc_text(t, TABLE_JSON, 80, false);
	assert_non_null(strstr(out, "{\"name\": \"a\", \"max\": 1234.56}"));
	free(out);
	table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_write_doc_text_fits_width),
		cmocka_unit_test(test_table_write_doc_text_untrusted_names),
		cmocka_unit_test(test_table_write_doc_markdown_escapes),
		cmocka_unit_test(test_table_write_doc_json),
		cmocka_unit_test(test_table_decimal_column),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
