/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_escape.c - the one escaping set (common/escape.c,
 * render/escape.c): hostile names through every output that shows them
 * (report tables as text, markdown and JSON; the diff report as text,
 * markdown and JSON; plain and differential SVG; profile JSON; the
 * diagnostics cli/output.c prints), each checked for raw control, bidi and
 * invalid bytes, for markup outside markdown code spans, and for the one
 * visible spelling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"
#include "diff/diff.h"
#include "profile/profile.h"
#include "render/internal.h"
#include "render/render.h"

/* A hostile name and how every output must spell it. */
struct hostile {
	const char *name;
	const char *visible; /* the visible form (no '|' in any) */
};

static const struct hostile hostile[] = {
	{ "evil\x1b[31mred", "evil\\u001b[31mred" },
	{ "csi\xc2\x9b"
	  "31m",
	  "csi\\u009b31m" },
	{ "rlo\xe2\x80\xae"
	  "gnp.exe",
	  "rlo\\u202egnp.exe" },
	{ "lri\xe2\x81\xa6x\xe2\x81\xa9 lrm\xe2\x80\x8e alm\xd8\x9c",
	  "lri\\u2066x\\u2069 lrm\\u200e alm\\u061c" },
	{ "two``<img src=x onerror=alert(1)>``",
	  "two``<img src=x onerror=alert(1)>``" },
	{ "three```<img src=x onerror=alert(2)>```x",
	  "three```<img src=x onerror=alert(2)>```x" },
	{ "`<img src=x onerror=alert(3)>`", "`<img src=x onerror=alert(3)>`" },
	{ "</text><script>alert(4)</script>",
	  "</text><script>alert(4)</script>" },
	{ "bad\xff\xc0\xafutf8\xe2\x82",
	  "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	  "utf8\xef\xbf\xbd\xef\xbf\xbd" },
	{ "c0\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11"
	  "\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f",
	  "c0\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\u0008\\u0009"
	  "\\u000a\\u000b\\u000c\\u000d\\u000e\\u000f\\u0010\\u0011\\u0012"
	  "\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
	  "\\u001c\\u001d\\u001e\\u001f\\u007f" },
};

/* ---- checks over a whole output ------------------------------------------ */

/* No raw C0 (but newline and tab: the SVG's script has tabs; assert_visible
 * finds the names' own as \u0009) or DEL, C1, bidi control, and valid
 * UTF-8. */
static void
assert_no_raw(const char *out, const char *what)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t n = strlen(out), i = 0, len;
	unsigned cp;

	while (i < n) {
		len = utf8_decode(s + i, n - i, &cp);
		if (!len || (cp < 0x20 && cp != '\n' && cp != '\t') ||
		    (cp >= 0x7f && cp < 0xa0) || cp == 0x61c || cp == 0x200e ||
		    cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			fail_msg("%s: raw U+%04X (byte %zu) in:\n%s", what, cp,
				 i, out);
		i += len;
	}
}

/*
 * CommonMark code spans of markdown text md, line by line: a run of k
 * backticks (not backslash-escaped) opens a span that the next run of
 * exactly k closes; without one the run is literal. Outside spans, no
 * HTML may start; every span's content (one space stripped from each end
 * when both have one) goes to spans, joined by '\n'.
 */
static void
md_scan(const char *md, struct strbuf *spans)
{
	const char *p = md;

	while (*p) {
		const char *eol = strchr(p, '\n'), *q, *close = NULL;
		size_t k, m;

		if (!eol)
			eol = p + strlen(p);
		while (p < eol) {
			if (*p == '\\' && p + 1 < eol) {
				p += 2;
				continue;
			}
			if (*p == '<')
				assert_true(strncmp(p, "<img", 4) &&
					    strncmp(p, "<script", 7) &&
					    strncmp(p, "</text", 6));
			if (*p != '`') {
				p++;
				continue;
			}
			for (k = 0; p + k < eol && p[k] == '`'; k++)
				;
			for (q = p + k; q < eol; q += m ? m : 1) {
				for (m = 0; q + m < eol && q[m] == '`'; m++)
					;
				if (m == k) {
					close = q;
					break;
				}
			}
			if (!close) {
				p += k;
				continue;
			}
			q = p + k;
			m = (size_t)(close - q);
			if (m >= 2 && q[0] == ' ' && q[m - 1] == ' ') {
				q++;
				m -= 2;
			}
			strbuf_add(spans, q, m);
			strbuf_addch(spans, '\n');
			p = close + k;
		}
		p = *eol ? eol + 1 : eol;
	}
}

/* md is safe, and each hostile name is one of its code spans, exactly. */
static void
assert_md(const char *md, const char *what)
{
	struct strbuf spans, want;
	size_t i;

	assert_no_raw(md, what);
	strbuf_init(&spans);
	strbuf_init(&want);
	strbuf_addch(&spans, '\n');
	md_scan(md, &spans);
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		strbuf_reset(&want);
		strbuf_addf(&want, "\n%s\n", hostile[i].visible);
		if (!strstr(spans.buf, want.buf))
			fail_msg("%s: no code span `%s` in:\n%s", what,
				 hostile[i].visible, md);
	}
	strbuf_fini(&want);
	strbuf_fini(&spans);
}

/* Each hostile name's visible form is in out, as it is. */
static void
assert_visible(const char *out, const char *what)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hostile); i++)
		if (!strstr(out, hostile[i].visible))
			fail_msg("%s: no \"%s\" in:\n%s", what,
				 hostile[i].visible, out);
}

/* out is JSON, holds every visible form as written (JSON's \uXXXX is the
 * same spelling) and, parsed, has no C1 or bidi character left raw
 * only where the name had one (the reader gets the name back). */
static void
assert_json(const char *out, const char *what)
{
	cJSON *root = cJSON_Parse(out);

	if (!root)
		fail_msg("%s: not JSON:\n%s", what, out);
	cJSON_Delete(root);
	assert_no_raw(out, what);
	assert_visible(out, what);
}

/* ---- the outputs ------------------------------------------------------ */

static char *
mem_output(int (*write)(FILE *fp, void *arg), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(write(fp, arg), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

struct doc_arg {
	const struct table_doc *d;
	enum table_format fmt;
};

static int
doc_write(FILE *fp, void *arg)
{
	const struct doc_arg *a = arg;
	struct table_opts o = { 2000, false }; /* no name is cut */

	return table_write_doc(a->d, a->fmt, &o, fp);
}

/* A report table with every hostile name as a function and a module. */
static void
test_escape_table_outputs(void **state)
{
	struct table *t = table_new("by_self", "Top functions");
	struct table_info info = { "cmd", "command", hostile[0].name, 0 };
	struct table_doc d = { "report: x", &info, 1, &t, 1 };
	struct doc_arg a = { &d, TABLE_TEXT };
	size_t i;
	char *out;

	(void)state;
	table_add_column(t, "self", "self", TABLE_COL_COUNT);
	table_add_column(t, "function", "function", TABLE_COL_NAME);
	table_add_column(t, "module", "module", TABLE_COL_NAME);
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		table_add_row(t);
		table_set_count(t, 0, i + 1);
		table_set_str(t, 1, hostile[i].name);
		table_set_str(t, 2, hostile[ARRAY_SIZE(hostile) - 1 - i].name);
	}
	out = mem_output(doc_write, &a);
	assert_no_raw(out, "report text");
	assert_visible(out, "report text");
	free(out);
	a.fmt = TABLE_MARKDOWN;
	out = mem_output(doc_write, &a);
	assert_md(out, "report markdown");
	free(out);
	a.fmt = TABLE_JSON;
	out = mem_output(doc_write, &a);
	assert_json(out, "report JSON");
	free(out);
	table_free(t);
}

/* A diff result by hand: every hostile name a regression (with a call
 * path through all of them) and new in the PR. */
static struct diff_result *
hostile_diff(void)
{
	struct diff_result *r = xcalloc(1, sizeof(*r));
	size_t i, j, n = ARRAY_SIZE(hostile);

	r->verdict = DIFF_REGRESSION;
	r->why = xstrdup("1 function got significantly slower");
	r->nbase = r->npr = 1;
	r->base_samples = r->pr_samples = 1000;
	r->dispersion_from = "functions";
	r->unit = "pts";
	diff_opts_init(&r->opts);
	r->nfns = n;
	r->fns = xcalloc(n, sizeof(*r->fns));
	r->regressions = xcalloc(n, sizeof(size_t));
	r->added = xcalloc(n, sizeof(size_t));
	for (i = 0; i < n; i++) {
		struct diff_fn *fn = &r->fns[i];

		fn->key = xstrdup(hostile[i].name);
		fn->name = xstrdup(hostile[i].name);
		fn->module = xstrdup(hostile[n - 1 - i].name);
		fn->self.pr_v = 10;
		fn->self.delta = 10;
		fn->significant = true;
		fn->npath = 2;
		fn->path = xcalloc(2, sizeof(char *));
		fn->path[0] = xstrdup("main");
		fn->path[1] = xstrdup(hostile[i].name);
		r->regressions[i] = r->added[i] = i;
	}
	r->nregressions = r->nadded = n;
	r->nregression_findings = n;
	for (j = 0; j < n; j++)
		r->fns[j].explains = 1.0 / (double)n;
	return r;
}

static int
diff_text(FILE *fp, void *arg)
{
	return diffreport_write_text(arg, fp, false);
}

static int
diff_md(FILE *fp, void *arg)
{
	return diffreport_write_markdown(arg, fp);
}

static int
diff_json(FILE *fp, void *arg)
{
	return diffreport_write_json(arg, fp);
}

static void
test_escape_diff_report_outputs(void **state)
{
	struct diff_result *r = hostile_diff();
	char *out;
	size_t i;

	(void)state;
	out = mem_output(diff_text, r);
	assert_no_raw(out, "diff text");
	/* Text cuts names to a column: the short ones show whole. */
	for (i = 0; i < 4; i++)
		assert_non_null(strstr(out, hostile[i].visible));
	free(out);
	out = mem_output(diff_md, r);
	assert_md(out, "diff markdown");
	free(out);
	out = mem_output(diff_json, r);
	assert_json(out, "diff JSON");
	free(out);
	diff_result_free(r);
}

/* A profile with every hostile name as a frame, a module and a file. */
static struct profile *
hostile_profile(void)
{
	struct profile *p = profile_new();
	uint32_t task = profile_add_task(p, 1, 1, "app", "app");
	size_t i, n = ARRAY_SIZE(hostile);

	for (i = 0; i < n; i++) {
		uint32_t f[2];

		f[0] = profile_intern_frame(p, "main", "app", FRAME_USER);
		f[1] = profile_intern_frame_src(p, hostile[i].name,
						hostile[n - 1 - i].name,
						FRAME_USER, hostile[i].name, 7);
		profile_add_stack(p, task, f, 2, 100);
	}
	return p;
}

static int
svg_write(FILE *fp, void *arg)
{
	struct flame_opts o;

	flame_opts_init(&o);
	o.title = hostile[4].name;
	o.subtitle = hostile[2].name;
	o.width = 60000; /* every label drawn whole */
	return flame_write_svg(arg, &o, fp);
}

static void
diff_annotate(void *ctx, const uint32_t *frames, uint32_t depth, uint32_t same,
	      uint64_t samples, struct flame_annot *out)
{
	(void)ctx;
	(void)frames;
	(void)depth;
	(void)same;
	out->other = samples / 2;
	out->delta = 1;
	out->intensity = 1;
	out->significant = 1;
}

static int
svg_diff_write(FILE *fp, void *arg)
{
	struct flame_diff d = {
		.this_name = hostile[0].name,
		.other_name = hostile[1].name,
		.other_total = 500,
		.delta_unit = " pts",
		.annotate = diff_annotate,
		.delta_note = hostile[2].name,
		.value_unit = hostile[3].name,
	};
	struct flame_opts o;

	flame_opts_init(&o);
	o.width = 60000;
	return flame_write_diff_svg(arg, &o, &d, fp);
}

/* The visible forms, as XML text. */
static void
assert_svg(const char *svg, const char *what)
{
	struct strbuf want;
	size_t i;

	assert_no_raw(svg, what);
	assert_null(strstr(svg, "<img"));
	assert_null(strstr(svg, "</text><script"));
	assert_null(strstr(svg, "<script>alert"));
	strbuf_init(&want);
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		strbuf_reset(&want);
		escape_svg(&want, hostile[i].name, 0);
		if (!strstr(svg, want.buf))
			fail_msg("%s: no %s", what, want.buf);
	}
	strbuf_fini(&want);
}

static int
json_write(FILE *fp, void *arg)
{
	return profile_write_json(arg, fp);
}

static void
test_escape_svg_and_json_outputs(void **state)
{
	struct profile *p = hostile_profile(), *back = profile_new();
	struct scorch_err err;
	char *out;
	size_t i;

	(void)state;
	out = mem_output(svg_write, p);
	assert_svg(out, "SVG");
	free(out);
	out = mem_output(svg_diff_write, p);
	assert_svg(out, "differential SVG");
	free(out);
	out = mem_output(json_write, p);
	assert_json(out, "profile JSON");
	/* The JSON reader gets back every name that was valid UTF-8. */
	assert_int_equal(profile_read_json(back, out, strlen(out), "t", &err),
			 0);
	for (i = 0; i < profile_nframes(back); i++)
		if (!strcmp(profile_frame(back, i)->name, hostile[0].name))
			break;
	assert_true(i < profile_nframes(back));
	free(out);
	profile_free(back);
	profile_free(p);
}

/* cli_error(fmt, ...) as it reaches stderr (a file, here). */
static char *
diagnostic(const char *input_msg)
{
	char *buf = xcalloc(1, 4096);
	FILE *tmp = tmpfile();
	int saved;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), 2) == 2);
	cli_error("%s", input_msg);
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	rewind(tmp);
	assert_true(fread(buf, 1, 4095, tmp) > 0);
	fclose(tmp);
	return buf;
}

/* A reader's error quoting a hostile line, and messages naming hostile
 * files, reach stderr neutralized, in the one visible spelling. */
static void
test_escape_diagnostics(void **state)
{
	struct profile *p = profile_new();
	struct scorch_err err;
	char line[256], *out;
	FILE *fp;
	size_t i;

	(void)state;
	/* A bad count: the folded reader quotes it. */
	snprintf(line, sizeof(line), "main;f 1%s\n", hostile[1].name);
	fp = fmemopen(line, strlen(line), "r");
	assert_non_null(fp);
	assert_int_not_equal(profile_read_folded(p, fp, hostile[2].name, &err),
			     0);
	fclose(fp);
	out = diagnostic(err.msg);
	assert_no_raw(out, "folded error");
	assert_non_null(strstr(out, "scorch: rlo\\u202egnp.exe:1: "));
	assert_non_null(strstr(out, "'1csi\\u009b31m'"));
	free(out);
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		out = diagnostic(hostile[i].name);
		assert_no_raw(out, "diagnostic");
		assert_non_null(strstr(out, hostile[i].visible));
		assert_non_null(strchr(out, '\n'));
		assert_int_equal(strchr(out, '\n')[1], '\0'); /* one line */
		free(out);
	}
	profile_free(p);
}

/* The pieces: the classifier and each format's wrapper. */
static void
test_escape_wrappers(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	escape_text(&sb, "a\x1b\xc2\x9b\xe2\x80\xae\xff\\u", 10);
	assert_string_equal(sb.buf, "a\\u001b\\u009b\\u202e\xef\xbf\xbd\\u");
	/* Plain UTF-8 (é, €, a CJK character) stays as it is. */
	strbuf_reset(&sb);
	escape_text(&sb, "\xc3\xa9\xe2\x82\xac\xe4\xb8\xad", 8);
	assert_string_equal(sb.buf, "\xc3\xa9\xe2\x82\xac\xe4\xb8\xad");
	/* Code spans: the fence is one longer than the longest run. */
	strbuf_reset(&sb);
	escape_md_code(&sb, "a``b```c", 0, false);
	assert_string_equal(sb.buf, "````a``b```c````");
	strbuf_reset(&sb);
	escape_md_code(&sb, "`x|y`", 0, true);
	assert_string_equal(sb.buf, "`` `x\\|y` ``");
	strbuf_reset(&sb);
	escape_md_code(&sb, " a ", 0, false);
	assert_string_equal(sb.buf, "`  a  `");
	strbuf_reset(&sb);
	escape_md_code(&sb, "  ", 0, false);
	assert_string_equal(sb.buf, "`  `");
	/* Widths count the visible form's characters, not bytes; a cut
	 * keeps both ends. */
	assert_int_equal(escape_term_width("a\x1b"), 7);
	assert_int_equal(escape_term_width("\xc3\xa9\xe2\x82\xac"), 2);
	strbuf_reset(&sb);
	assert_int_equal(escape_svg(&sb, "\xc3\xa9\xc3\xa9\xc3\xa9", 3), 3);
	assert_string_equal(sb.buf, "\xc3\xa9\xc3\xa9\xc3\xa9");
	strbuf_reset(&sb);
	assert_int_equal(escape_term(&sb, "abcdefghijklmnopqrstuvwxyz", 10),
			 10);
	assert_string_equal(sb.buf, "abcde..xyz");
	/* A cut never splits an escape: it is shown whole or not at all. */
	strbuf_reset(&sb);
	assert_int_equal(escape_term(&sb,
				     "abc\x1b"
				     "defghijklmno",
				     12),
			 9);
	assert_string_equal(sb.buf, "abc..lmno");
	strbuf_reset(&sb);
	assert_int_equal(escape_svg(&sb, "ab\x1b", 6), 2);
	assert_string_equal(sb.buf, "ab..");
	strbuf_reset(&sb);
	escape_md_text(&sb, "<b>*x*</b> \x1b");
	assert_string_equal(sb.buf, "&lt;b&gt;\\*x\\*&lt;/b&gt; \\\\u001b");
	strbuf_fini(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_wrappers),
		cmocka_unit_test(test_escape_table_outputs),
		cmocka_unit_test(test_escape_diff_report_outputs),
		cmocka_unit_test(test_escape_svg_and_json_outputs),
		cmocka_unit_test(test_escape_diagnostics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
