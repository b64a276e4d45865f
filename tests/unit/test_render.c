/* SPDX-License-Identifier: MIT */
/* tests/unit/test_render.c - SVG escaping and flame graph layout
 * (tests/unit/test_escape.c has every output's escaping). */
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
	escape_svg(&sb, s, maxchars);
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
	assert_escape("a\x01\x1b[31mb\tc", 0,
		      "a\\u0001\\u001b[31mb\\u0009c"); /* controls */
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

	snprintf(key, sizeof(key), "<title>%s&#10;", title);
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
	assert_non_null(strstr(svg, "<title>a&#10;60 samples (60.00%), self "
				    "60</title>"));
	assert_non_null(
		strstr(svg, "<title>main&#10;100 samples (100.00%), self 10<"));
	/* Exact sample offsets and counts for the script; a frame's own
	 * samples come before its callees, as in flamegraph.pl. */
	assert_non_null(strstr(svg, "<g o=\"70\" n=\"30\"><title>b&#10;"));
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
	assert_non_null(strstr(svg, "<title>app&#10;100001 samples"));
	/* The image is as tall as what is drawn: all, app, big (3 rows of
	 * 16 px, plus 36 above and 34 below), not as the pruned stack. */
	assert_non_null(strstr(svg, "height=\"118\""));
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
	u = strstr(svg, "<title>read&#10;");
	k = strstr(svg, "<title>read_[k]&#10;");
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
	assert_null(strstr(svg, "<script>"));
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

static void
test_flame_layout_build_preorder_and_parents(void **state)
{
	struct profile *p = folded("x;b;c 2\nx;a 3\nx;b 1\nx 4\ny;b 5\n");
	struct flame_layout l;
	const struct flame_rect *r;

	(void)state;
	flame_layout_build(&l, p, 0, 0, NULL);
	assert_int_equal(l.total, 15);
	assert_int_equal(l.len, 7); /* all, x, a, b, c, y, b */
	assert_int_equal(l.max_depth, 3);
	r = l.rects;
	assert_int_equal(r[0].frame, FLAME_ROOT);
	assert_int_equal(r[0].parent, FLAME_NONE);
	/* x: its own 4 samples first, then a (3) and b (3, with c 2). */
	assert_string_equal(profile_frame(p, r[1].frame)->name, "x");
	assert_int_equal(r[1].total, 10);
	assert_int_equal(r[1].self, 4);
	assert_int_equal(r[1].parent, 0);
	assert_string_equal(profile_frame(p, r[2].frame)->name, "a");
	assert_int_equal(r[2].start, 4);
	assert_int_equal(r[2].parent, 1);
	assert_string_equal(profile_frame(p, r[3].frame)->name, "b");
	assert_int_equal(r[3].start, 7);
	assert_int_equal(r[3].total, 3);
	assert_int_equal(r[3].self, 1);
	assert_string_equal(profile_frame(p, r[4].frame)->name, "c");
	assert_int_equal(r[4].parent, 3);
	assert_int_equal(r[4].depth, 3);
	assert_string_equal(profile_frame(p, r[5].frame)->name, "y");
	assert_int_equal(r[5].start, 10);
	assert_int_equal(r[6].parent, 5);
	flame_layout_fini(&l);

	/* Pruning drops paths below the threshold, totals stay exact. */
	flame_layout_build(&l, p, 2.5, 0, NULL);
	assert_int_equal(l.len, 6); /* c (2 samples) is gone */
	assert_int_equal(l.rects[3].total, 3);
	assert_int_equal(l.max_depth, 2);
	flame_layout_fini(&l);
	profile_free(p);
}

static void
test_flame_layout_build_reverse(void **state)
{
	struct profile *p = folded("main;f;leaf 2\nmain;g;leaf 3\n");
	struct flame_layout l;

	(void)state;
	flame_layout_build(&l, p, 0, 1, NULL);
	/* all, leaf (5), f (2), main, g (3), main */
	assert_int_equal(l.len, 6);
	assert_string_equal(profile_frame(p, l.rects[1].frame)->name, "leaf");
	assert_int_equal(l.rects[1].total, 5);
	assert_string_equal(profile_frame(p, l.rects[2].frame)->name, "f");
	assert_string_equal(profile_frame(p, l.rects[3].frame)->name, "main");
	assert_int_equal(l.rects[3].depth, 3);
	flame_layout_fini(&l);
	profile_free(p);
}

/* The y of the rect of the frame titled name. */
static double
frame_y(const char *svg, const char *name)
{
	return frame_attr(svg, name, "y");
}

static void
test_flame_write_svg_inverted(void **state)
{
	struct profile *p = folded("app;main;leaf 4\n");
	struct flame_opts o;
	char *svg;

	(void)state;
	flame_opts_init(&o);
	svg = render(p, &o);
	assert_true(frame_y(svg, "leaf") < frame_y(svg, "main"));
	assert_non_null(strstr(svg, ">Flame Graph</text>"));
	free(svg);
	o.inverted = 1;
	svg = render(p, &o);
	assert_true(frame_y(svg, "leaf") > frame_y(svg, "main"));
	assert_true(frame_y(svg, "all") < frame_y(svg, "app"));
	assert_non_null(strstr(svg, ">Icicle Graph</text>"));
	free(svg);
	profile_free(p);
}

/* The fill of the rect of the frame titled name, as "#rrggbb". */
static void
frame_fill(const char *svg, const char *name, char fill[8])
{
	char key[256];
	const char *g;

	snprintf(key, sizeof(key), "<title>%s&#10;", name);
	g = strstr(svg, key);
	assert_non_null(g);
	assert_int_equal(sscanf(strstr(g, "fill=\""), "fill=\"%7[^\"]", fill),
			 1);
}

static void
test_flame_write_svg_palettes_stable_by_name(void **state)
{
	struct profile *p = folded("app;parse;lex 4\napp;eval 3\n");
	struct profile *q = folded("other;x;y;parse 9\n");
	enum flame_palette pal;
	struct flame_opts o;
	char *a, *b, fa[8], fb[8], hot[8], mem[8];

	(void)state;
	assert_int_equal(flame_palette_parse("mem", &pal), 0);
	assert_int_equal(pal, FLAME_PALETTE_MEM);
	assert_int_equal(flame_palette_parse("nope", &pal), -1);
	flame_opts_init(&o);
	a = render(p, &o);
	b = render(q, &o);
	/* The same function, the same color, wherever it is drawn. */
	frame_fill(a, "parse", fa);
	frame_fill(b, "parse", fb);
	assert_string_equal(fa, fb);
	frame_fill(a, "eval", fb);
	assert_string_not_equal(fa, fb);
	strcpy(hot, fa);
	free(a);
	o.palette = FLAME_PALETTE_MEM;
	a = render(p, &o);
	frame_fill(a, "parse", mem);
	assert_string_not_equal(hot, mem);
	/* mem: no red at all. */
	assert_memory_equal(mem, "#00", 3);
	free(a);
	free(b);
	profile_free(p);
	profile_free(q);
}

/* The other side of a differential graph: samples by path, from q. */
struct diff_ctx {
	const struct profile *p, *q;
	int calls;
};

static uint64_t
diff_other(const struct profile *p, const struct profile *q,
	   const uint32_t *frames, uint32_t depth)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < profile_nstacks(q); i++) {
		const struct stack *st = profile_stack(q, i);
		uint32_t j;

		if (st->depth < depth)
			continue;
		for (j = 0; j < depth; j++)
			if (strcmp(profile_frame(q, st->frames[j])->name,
				   profile_frame(p, frames[j])->name))
				break;
		if (j == depth)
			sum += st->count;
	}
	return sum;
}

static void
diff_annotate(void *arg, const uint32_t *frames, uint32_t depth, uint32_t same,
	      uint64_t samples, struct flame_annot *out)
{
	struct diff_ctx *c = arg;
	double share, other_share;

	(void)same;
	c->calls++;
	out->other = diff_other(c->p, c->q, frames, depth);
	share = 100.0 * (double)samples / (double)profile_total(c->p);
	other_share = 100.0 * (double)out->other / (double)profile_total(c->q);
	out->delta = share - other_share;
	out->intensity = out->delta > 0 ? out->delta / 50 : -out->delta / 50;
	out->significant = out->intensity > 0.1;
	out->note = out->significant ? "finding <&>" : NULL;
}

/* The annotate hint: frames[0..same) are the previous call's. */
struct same_ctx {
	uint32_t prev[16];
	uint32_t prev_depth;
	int calls, reused; /* calls, and those with same > 0 */
};

static void
same_annotate(void *arg, const uint32_t *frames, uint32_t depth, uint32_t same,
	      uint64_t samples, struct flame_annot *out)
{
	struct same_ctx *c = arg;
	uint32_t j;

	(void)samples;
	(void)out;
	assert_true(same <= depth);
	if (!c->calls)
		assert_int_equal(same, 0);
	for (j = 0; j < same && j < c->prev_depth; j++)
		assert_int_equal(frames[j], c->prev[j]);
	assert_true(depth <= 16);
	memcpy(c->prev, frames, depth * sizeof(*frames));
	c->prev_depth = depth;
	c->calls++;
	c->reused += same > 0;
}

static void
test_flame_layout_build_annotate_same_is_true(void **state)
{
	/* Paths that share prefixes, diverge and come back, some pruned. */
	struct profile *p = folded("x;b;c;d 2\nx;a 3\nx;b 1\nx 4\ny;b 5\n"
				   "x;b;c;e;f 1\nx;b;c;e;g 2\nz 1\n");
	struct same_ctx c = { { 0 }, 0, 0, 0 };
	struct flame_diff d = { .this_name = "PR",
				.other_name = "baseline",
				.other_total = 1,
				.delta_unit = "%",
				.annotate = same_annotate,
				.ctx = &c };
	struct flame_layout l;

	(void)state;
	flame_layout_build(&l, p, 1.5, 0, &d);
	assert_int_equal(c.calls, (int)l.len);
	/* Callers follow their callees: most calls reuse a prefix. */
	assert_true(c.reused > c.calls / 2);
	flame_layout_fini(&l);
	c.calls = c.reused = 0;
	flame_layout_build(&l, p, 0, 1, &d);
	assert_int_equal(c.calls, (int)l.len);
	flame_layout_fini(&l);
	profile_free(p);
}

static void
test_flame_write_diff_svg_colors_and_tooltips(void **state)
{
	/* The PR spends 80% in slow (baseline: 20%) and 20% in fast. */
	struct profile *pr = folded("app;slow 80\napp;fast 20\n");
	struct profile *base = folded("app;slow 20\napp;fast 80\n");
	struct diff_ctx c = { pr, base, 0 };
	struct flame_diff d = { .this_name = "PR",
				.other_name = "baseline",
				.other_total = profile_total(base),
				.delta_unit = " pts",
				.delta_note = "(own)",
				.annotate = diff_annotate,
				.ctx = &c };
	struct flame_annot weak = { .delta = 10,
				    .intensity = 1,
				    .possible = 1 };
	struct flame_opts o;
	char *buf = NULL, slow[8], fast[8], app[8];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	flame_opts_init(&o);
	assert_int_equal(flame_write_diff_svg(pr, &o, &d, fp), 0);
	fclose(fp);
	assert_int_equal(c.calls, 4); /* all, app, fast, slow */
	frame_fill(buf, "slow", slow);
	frame_fill(buf, "fast", fast);
	frame_fill(buf, "app", app);
	/* Grew: red (r > g, b); shrank: blue (b > r); unchanged: white. */
	assert_string_equal(slow, "#ff2828");
	assert_string_equal(fast, "#2850ff");
	assert_string_equal(app, "#fafafa");
	/* Each side's own numbers, the change with its unit and note, and
	 * the caller's line, escaped. */
	assert_non_null(strstr(buf, "<title>slow&#10;80 samples (80.00%), self "
				    "80&#10;PR: 80 samples, 80.00% of PR&#10;"
				    "baseline: 20 samples, 20.00% of "
				    "baseline&#10;change: +60.00 pts (own)"
				    "&#10;finding &lt;&amp;&gt;</title>"));
	/* A possible change: half the color of a finding, more than none. */
	flame_palette_diff_color(&weak, app);
	assert_string_equal(app, "#ff9191");
	weak.possible = 0;
	flame_palette_diff_color(&weak, app);
	assert_string_equal(app, "#ffc5c5");
	assert_non_null(strstr(buf, ">Differential Flame Graph</text>"));
	free(buf);
	profile_free(pr);
	profile_free(base);
}

static void
test_flame_write_svg_embeds_script_and_style(void **state)
{
	struct profile *p = folded("a;b 1\n");
	struct flame_opts o;
	const char *s;
	char *svg;

	(void)state;
	flame_opts_init(&o);
	svg = render(p, &o);
	/* Self-contained: the script and style inline, nothing fetched. */
	s = strstr(svg, "<script type=\"text/ecmascript\"><![CDATA[");
	assert_non_null(s);
	assert_non_null(strstr(s, "getElementById(\"frames\")"));
	assert_non_null(strstr(svg, "<style><![CDATA["));
	assert_null(strstr(svg, "href="));
	assert_null(strstr(svg, "url("));
	assert_null(strstr(svg, "innerHTML"));
	free(svg);
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
		cmocka_unit_test(test_flame_layout_build_preorder_and_parents),
		cmocka_unit_test(test_flame_layout_build_reverse),
		cmocka_unit_test(test_flame_write_svg_inverted),
		cmocka_unit_test(test_flame_write_svg_palettes_stable_by_name),
		cmocka_unit_test(test_flame_write_diff_svg_colors_and_tooltips),
		cmocka_unit_test(test_flame_layout_build_annotate_same_is_true),
		cmocka_unit_test(test_flame_write_svg_embeds_script_and_style),
	};

	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
