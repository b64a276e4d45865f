/* SPDX-License-Identifier: MIT */
/* tests/unit/test_render.c - SVG escaping and flame graph layout. */
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
#include "render/internal.h"
#include "render/render.h"

static char *
escaped(const char *s, size_t maxchars)
{
	struct strbuf sb;

	strbuf_init(&sb);
	svg_escape(&sb, s, maxchars);
	return strbuf_detach(&sb);
}

#define assert_escape(in, max, want)                                           \
	do {                                                                   \
		char *got_ = escaped(in, max);                                 \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_svg_escape_markup(void **state)
{
	(void)state;
	assert_escape("<script>alert(1)</script>", 0,
		      "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_escape("a&b \"q\" 'q' ]]>", 0,
		      "a&amp;b &quot;q&quot; &#39;q&#39; ]]&gt;");
	assert_escape("std::vector<int>::push_back", 0,
		      "std::vector&lt;int&gt;::push_back");
}

static void
test_svg_escape_invalid_utf8(void **state)
{
	(void)state;
	assert_escape("a\xff\xfe"
		      "b",
		      0,
		      "a\xef\xbf\xbd\xef\xbf\xbd"
		      "b");
	assert_escape("\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong */
	assert_escape("x\xe2\x82", 0, "x\xef\xbf\xbd\xef\xbf\xbd"); /* cut */
	assert_escape("\xed\xa0\x80", 0,
		      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	assert_escape("caf\xc3\xa9 \xe2\x82\xac", 0,
		      "caf\xc3\xa9 \xe2\x82\xac");
	assert_escape("a\x01\x1b[31mb\tc", 0, "a[31mb\tc"); /* controls */
}

static void
test_svg_escape_truncates_by_character(void **state)
{
	(void)state;
	assert_escape("abcdef", 6, "abcdef");
	assert_escape("abcdefg", 6, "abcd..");
	/* Multi-byte characters count once and are never split. */
	assert_escape("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4,
		      "\xc3\xa9\xc3\xa9..");
	/* An entity is one character and is never cut in half. */
	assert_escape("<<<<<<", 5, "&lt;&lt;&lt;..");
}

/* Build a profile from folded text. */
static struct profile *
folded(const char *text)
{
	struct profile *p = profile_new();
	struct scorch_err err;
	FILE *fp = fmemopen((void *)text, strlen(text), "r");

	assert_int_equal(profile_read_folded(p, fp, "t", &err), 0);
	fclose(fp);
	return p;
}

static char *
render(const struct profile *p, const struct flame_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_int_equal(flame_write_svg(p, o, fp), 0);
	fclose(fp);
	return buf;
}

/* The attribute value after `attr="` in the <g> whose title starts with
 * title (a frame's name), or -1. */
static double
frame_attr(const char *svg, const char *title, const char *attr)
{
	char key[256], akey[32];
	const char *g, *a;

	snprintf(key, sizeof(key), "<title>%s (", title);
	g = strstr(svg, key);
	if (!g)
		return -1;
	snprintf(akey, sizeof(akey), " %s=\"", attr);
	a = strstr(g, akey);
	return a ? atof(a + strlen(akey)) : -1;
}

static void
test_flame_write_svg_widths_add_up(void **state)
{
	struct profile *p =
		folded("app;main;a 60\napp;main;b 30\napp;main 10\n");
	struct flame_opts o;
	char *svg;
	double main_w, a_w, b_w, a_x, b_x;

	(void)state;
	flame_opts_init(&o);
	svg = render(p, &o);
	main_w = frame_attr(svg, "main", "width");
	a_w = frame_attr(svg, "a", "width");
	b_w = frame_attr(svg, "b", "width");
	assert_true(main_w > 0 && a_w > 0 && b_w > 0);
	/* 1180 px for 100 samples: 60% and 30%, main's self time is 10%. */
	assert_true(a_w > 707 && a_w < 709);
	assert_true(b_w > 353 && b_w < 355);
	assert_true(main_w > 1179 && main_w < 1181);
	/* Children are in name order, left to right. */
	a_x = frame_attr(svg, "a", "x");
	b_x = frame_attr(svg, "b", "x");
	assert_true(a_x < b_x);
	assert_non_null(strstr(svg, "<title>a (60 samples, 60.00%)</title>"));
	assert_non_null(
		strstr(svg, "<title>main (100 samples, 100.00%; self 10)"));
	free(svg);
	profile_free(p);
}

static void
test_flame_write_svg_prunes_narrow_frames(void **state)
{
	struct profile *p = folded("app;big 100000\napp;tiny;deeper 1\n");
	struct flame_opts o;
	char *svg;

	(void)state;
	flame_opts_init(&o);
	o.min_width = 0.5;
	svg = render(p, &o);
	assert_null(strstr(svg, "tiny"));
	assert_null(strstr(svg, "deeper"));
	/* The totals still count the pruned samples. */
	assert_non_null(strstr(svg, "<title>app (100001 samples"));
	/* The image is as tall as what is drawn: all, app, big (3 rows of
	 * 16 px, plus 56 above and 28 below), not as the pruned stack. */
	assert_non_null(strstr(svg, "height=\"132\""));
	free(svg);
	profile_free(p);
}

static void
test_flame_write_svg_kernel_colored_apart(void **state)
{
	struct profile *p = folded("app;read 5\napp;read_[k] 5\n");
	struct flame_opts o;
	const char *u, *k;
	char *svg, ufill[32], kfill[32];

	(void)state;
	flame_opts_init(&o);
	svg = render(p, &o);
	u = strstr(svg, "<title>read (");
	k = strstr(svg, "<title>read_[k] (");
	assert_non_null(u);
	assert_non_null(k);
	assert_int_equal(sscanf(strstr(u, "fill=\""), "fill=\"%31[^\"]", ufill),
			 1);
	assert_int_equal(sscanf(strstr(k, "fill=\""), "fill=\"%31[^\"]", kfill),
			 1);
	assert_string_not_equal(ufill, kfill);
	free(svg);
	profile_free(p);
}

static void
test_flame_write_svg_escapes_everything(void **state)
{
	struct profile *p = folded("app;<script>alert(1)</script> 3\n"
				   "app;a&b\"c'd]]> 2\napp;bad\xff 1\n");
	struct flame_opts o;
	char *svg;

	(void)state;
	flame_opts_init(&o);
	o.title = "<img src=x onerror=alert(2)>";
	o.subtitle = "sub & \"title\"";
	o.count_name = "<b>ms</b>";
	svg = render(p, &o);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "<img"));
	assert_null(strstr(svg, "<b>"));
	assert_null(strstr(svg, "\xff"));
	assert_non_null(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(svg, "a&amp;b&quot;c&#39;d]]&gt;"));
	assert_non_null(strstr(svg, "sub &amp; &quot;title&quot;"));
	free(svg);
	profile_free(p);
}

static void
test_flame_write_svg_empty_profile(void **state)
{
	struct profile *p = profile_new();
	struct flame_opts o;
	char *svg;

	(void)state;
	flame_opts_init(&o);
	svg = render(p, &o);
	assert_non_null(strstr(svg, "no samples"));
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
	profile_free(p);
}

/* The output parses as XML (xmllint from libxml2-utils, a test dependency). */
static void
test_flame_write_svg_well_formed(void **state)
{
	struct profile *p =
		folded("app;<x>;&y;\"z\" 3\napp;\xc3\xa9t\xc3\xa9 2\n"
		       "app;\xff\xfe 1\n");
	char path[] = "/tmp/scorch-svg-XXXXXX";
	struct flame_opts o;
	char cmd[128];
	FILE *fp;
	int fd;

	(void)state;
	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP: xmllint not installed "
				"(Debian libxml2-utils)\n");
		skip();
	}
	flame_opts_init(&o);
	o.title = "t <&> \"";
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_int_equal(flame_write_svg(p, &o, fp), 0);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_escape_markup),
		cmocka_unit_test(test_svg_escape_invalid_utf8),
		cmocka_unit_test(test_svg_escape_truncates_by_character),
		cmocka_unit_test(test_flame_write_svg_widths_add_up),
		cmocka_unit_test(test_flame_write_svg_prunes_narrow_frames),
		cmocka_unit_test(test_flame_write_svg_kernel_colored_apart),
		cmocka_unit_test(test_flame_write_svg_escapes_everything),
		cmocka_unit_test(test_flame_write_svg_empty_profile),
		cmocka_unit_test(test_flame_write_svg_well_formed),
	};

	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
