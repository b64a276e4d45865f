/* SPDX-License-Identifier: MIT */
/*
 * render/flamegraph.c - the SVG writer: one <g> per drawn frame (its name
 * and numbers in a <title>, a <rect>, a label when it fits), the titles and
 * buttons, and the embedded style and script (render/flame.css, flame.js)
 * that make it interactive. Plain and differential graphs share it.
 *
 * Each frame is written as
 *   <g o="START" n="SAMPLES"><title>NAME&#10;INFO...</title>
 *   <rect x=".." y=".." width=".." height=".." fill="#rrggbb"/>
 *   <text x=".." y="..">LABEL</text></g>
 * in preorder (a parent before its children), so the script can rebuild
 * the tree from o, n and the row; START and SAMPLES are exact sample
 * counts, so zooming needs no rounded pixel positions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

#define XPAD 10		/* px left and right, as flamegraph.pl */
#define CHAR_WIDTH 0.59 /* average glyph width per px of font size */

void
flame_opts_init(struct flame_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->count_name = "samples";
	o->width = 1200;
	o->frame_height = 16;
	o->font_size = 12;
	o->min_width = 0.1;
	o->palette = FLAME_PALETTE_KIND;
}

struct flame_writer {
	FILE *fp;
	const struct profile *p;
	const struct flame_opts *o;
	const struct flame_diff *d;
	struct flame_layout l;
	double scale; /* px per sample */
	int height, top, bottom;
	struct strbuf sb, name;
};

/* The name shown for a rect: the frame's name and its kind suffix. */
static const char *
flame_rect_name(struct flame_writer *w, const struct flame_rect *r)
{
	const struct frame *f;

	if (r->frame == FLAME_ROOT)
		return "all";
	f = profile_frame(w->p, r->frame);
	strbuf_reset(&w->name);
	strbuf_addstr(&w->name, f->name);
	strbuf_addstr(&w->name, frame_kind_suffix(f->kind));
	return w->name.buf;
}

static double
flame_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/*
 * v (>= 0) in tenths, rounded as printf's "%.1f" rounds it (the exact
 * binary value, ties to even), which is how flamegraph.pl places frames.
 * v * 10 is itself rounded, so values within a hair of a tie ask printf.
 */
static int64_t
flame_tenths(double v)
{
	double t = v * 10, d = t - (double)(int64_t)t - 0.5;

	if (d > -1e-6 && d < 1e-6) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%.1f", v);
		return (int64_t)(strtod(buf, NULL) * 10 + 0.5);
	}
	return (int64_t)(t + 0.5);
}

/* Append tenths as a decimal with one digit after the point. */
static void
flame_add_tenths(struct strbuf *sb, int64_t t)
{
	strbuf_addf(sb, "%" PRId64 ".%d", t / 10, (int)(t % 10));
}

/* One side's own numbers: "PR: 120 samples, 12.00% of PR[, 1.2 ms a run]". */
static void
flame_write_side(struct flame_writer *w, const char *name, uint64_t samples,
		 uint64_t total, double per_sample)
{
	struct strbuf *sb = &w->sb;
	const struct flame_diff *d = w->d;

	strbuf_addstr(sb, "&#10;");
	escape_svg(sb, name, 0);
	strbuf_addf(sb, ": %" PRIu64 " samples, %.2f%% of ", samples,
		    flame_pct(samples, total));
	escape_svg(sb, name, 0);
	if (d->value_unit) {
		strbuf_addf(sb, ", %.2f ", per_sample * (double)samples);
		escape_svg(sb, d->value_unit, 0);
	}
}

/* The differential lines of a frame's <title>: both sides' own numbers,
 * the change, and the caller's note. */
static void
flame_write_diff_info(struct flame_writer *w, const struct flame_rect *r)
{
	struct strbuf *sb = &w->sb;
	const struct flame_diff *d = w->d;

	flame_write_side(w, d->this_name ? d->this_name : "this", r->total,
			 w->l.total, d->this_per_sample);
	flame_write_side(w, d->other_name ? d->other_name : "other",
			 r->annot.other, d->other_total, d->other_per_sample);
	strbuf_addf(sb, "&#10;change: %+.2f", r->annot.delta);
	escape_svg(sb, d->delta_unit ? d->delta_unit : "", 0);
	if (d->delta_note) {
		strbuf_addch(sb, ' ');
		escape_svg(sb, d->delta_note, 0);
	}
	if (r->annot.note) {
		strbuf_addstr(sb, "&#10;");
		escape_svg(sb, r->annot.note, 0);
	}
}

/* The lines of a frame's <title> after its name. */
static void
flame_write_info(struct flame_writer *w, const struct flame_rect *r)
{
	struct strbuf *sb = &w->sb;

	strbuf_addf(sb, "&#10;%" PRIu64 " ", r->total);
	escape_svg(sb, w->o->count_name, 0);
	strbuf_addf(sb, " (%.2f%%), self %" PRIu64,
		    flame_pct(r->total, w->l.total), r->self);
	if (r->frame != FLAME_ROOT) {
		const struct frame *f = profile_frame(w->p, r->frame);

		if (f->file[0] || f->module[0]) {
			strbuf_addstr(sb, "&#10;");
			if (f->file[0]) {
				escape_svg(sb, f->file, 0);
				if (f->line)
					strbuf_addf(sb, ":%" PRIu32, f->line);
				if (f->module[0])
					strbuf_addstr(sb, " in ");
			}
			escape_svg(sb, f->module, 0);
		}
	}
	if (w->d)
		flame_write_diff_info(w, r);
}

static void
flame_write_rect(struct flame_writer *w, const struct flame_rect *r)
{
	const struct flame_opts *o = w->o;
	const char *name = flame_rect_name(w, r);
	int64_t x1 = flame_tenths(XPAD + (double)r->start * w->scale);
	int64_t x2 =
		flame_tenths(XPAD + (double)(r->start + r->total) * w->scale);
	double fit = ((double)(x2 - x1) / 10 - 6) / (o->font_size * CHAR_WIDTH);
	int y = o->inverted ? w->top + (int)r->depth * o->frame_height
			    : w->height - w->bottom -
				      (int)(r->depth + 1) * o->frame_height + 1;
	char color[8];

	if (w->d)
		flame_palette_diff_color(&r->annot, color);
	else
		flame_palette_color(o->palette,
				    r->frame == FLAME_ROOT
					    ? NULL
					    : profile_frame(w->p, r->frame),
				    color);
	strbuf_reset(&w->sb);
	strbuf_addf(&w->sb, "<g o=\"%" PRIu64 "\" n=\"%" PRIu64 "\"><title>",
		    r->start, r->total);
	escape_svg(&w->sb, name, 0);
	flame_write_info(w, r);
	strbuf_addstr(&w->sb, "</title><rect x=\"");
	flame_add_tenths(&w->sb, x1);
	strbuf_addf(&w->sb, "\" y=\"%d\" width=\"", y);
	flame_add_tenths(&w->sb, x2 - x1);
	strbuf_addf(&w->sb, "\" height=\"%d\" fill=\"%s\"/>",
		    o->frame_height - 1, color);
	if (fit >= 3) {
		strbuf_addstr(&w->sb, "<text x=\"");
		flame_add_tenths(&w->sb, x1 + 30);
		strbuf_addstr(&w->sb, "\" y=\"");
		flame_add_tenths(&w->sb, (int64_t)y * 10 + o->frame_height * 5 +
						 (o->font_size * 10 + 1) / 3);
		strbuf_addstr(&w->sb, "\">");
		escape_svg(&w->sb, name, (size_t)fit);
		strbuf_addstr(&w->sb, "</text>");
	}
	strbuf_addstr(&w->sb, "</g>\n");
	fwrite(w->sb.buf, 1, w->sb.len, w->fp);
}

/* Title, subtitle, buttons; the frames' container with the numbers the
 * script needs (all of them integers, nothing from the data). */
static void
flame_write_head(struct flame_writer *w)
{
	const struct flame_opts *o = w->o;
	struct strbuf *sb = &w->sb;
	const char *title = o->title;

	if (!title)
		title = w->d	      ? "Differential Flame Graph"
			: o->inverted ? "Icicle Graph"
				      : "Flame Graph";
	strbuf_reset(sb);
	strbuf_addf(sb,
		    "<?xml version=\"1.0\" encoding=\"UTF-8\" "
		    "standalone=\"no\"?>\n"
		    "<svg version=\"1.1\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n"
		    "<style><![CDATA[\ntext{font-size:%dpx}"
		    "#title{font-size:%dpx}\n",
		    o->width, w->height, o->width, w->height, o->font_size,
		    o->font_size + 5);
	strbuf_addstr(sb, flame_asset_css);
	strbuf_addstr(sb, "]]></style>\n<rect class=\"bg\" x=\"0\" y=\"0\" "
			  "width=\"100%\" height=\"100%\"/>\n");
	strbuf_addf(sb, "<text id=\"title\" x=\"%d\" y=\"%d\">", o->width / 2,
		    o->font_size * 2);
	escape_svg(sb, title, 0);
	strbuf_addstr(sb, "</text>\n");
	if (o->subtitle) {
		strbuf_addf(sb, "<text id=\"subtitle\" x=\"%d\" y=\"%d\">",
			    o->width / 2, o->font_size * 4);
		escape_svg(sb, o->subtitle, 0);
		strbuf_addstr(sb, "</text>\n");
	}
	strbuf_addf(sb,
		    "<text id=\"unzoom\" class=\"btn hide\" x=\"%d\" y=\"%d\">"
		    "Reset Zoom</text>\n"
		    "<text id=\"search\" class=\"btn\" x=\"%d\" y=\"%d\">"
		    "Search</text>\n",
		    XPAD, o->font_size * 2, o->width - XPAD, o->font_size * 2);
	strbuf_addf(sb,
		    "<g id=\"frames\" pad=\"%d\" w=\"%d\" fs=\"%d\" "
		    "total=\"%" PRIu64 "\">\n",
		    XPAD, o->width, o->font_size, w->l.total);
	fwrite(sb->buf, 1, sb->len, w->fp);
}

static void
flame_write_foot(struct flame_writer *w)
{
	const struct flame_opts *o = w->o;
	struct strbuf *sb = &w->sb;
	int y = w->height - w->bottom / 2;

	strbuf_reset(sb);
	strbuf_addf(sb, "</g>\n<text id=\"details\" x=\"%d\" y=\"%d\">", XPAD,
		    y);
	if (w->l.total) {
		strbuf_addf(sb, "%" PRIu64 " ", w->l.total);
		escape_svg(sb, o->count_name, 0);
		strbuf_addf(sb,
			    ", %zu unique stacks, %u frames deep, %zu of "
			    "%" PRIu64 " call paths drawn",
			    profile_nstacks(w->p), w->l.stack_depth, w->l.len,
			    w->l.paths + 1);
	} else {
		strbuf_addstr(sb, "no samples");
	}
	strbuf_addf(sb,
		    "</text>\n<text id=\"matched\" x=\"%d\" y=\"%d\"></text>\n"
		    "<g id=\"tip\" class=\"hide\"><rect/><text/></g>\n"
		    "<script type=\"text/ecmascript\"><![CDATA[\n",
		    o->width - XPAD, y);
	strbuf_addstr(sb, flame_asset_regex_js);
	strbuf_addstr(sb, flame_asset_js);
	strbuf_addstr(sb, "]]></script>\n</svg>\n");
	fwrite(sb->buf, 1, sb->len, w->fp);
}

static int
flame_write(const struct profile *p, const struct flame_opts *o,
	    const struct flame_diff *d, FILE *fp)
{
	struct flame_writer w;
	uint64_t total = profile_total(p);
	double min_samples = 0;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.fp = fp;
	w.p = p;
	w.o = o;
	w.d = d;
	/* Prune as flamegraph.pl does: by width in px at the full view. */
	if (total) {
		w.scale = (double)(o->width - 2 * XPAD) / (double)total;
		min_samples = o->min_width_pct > 0
				      ? (double)total * o->min_width_pct / 100
				      : o->min_width / w.scale;
	}
	flame_layout_build(&w.l, p, min_samples, o->reverse, d);
	if (w.l.total != total && w.l.total)
		w.scale = (double)(o->width - 2 * XPAD) / (double)w.l.total;
	w.top = o->font_size * 3 + (o->subtitle ? o->font_size * 2 : 0);
	w.bottom = o->font_size * 2 + 10;
	w.height =
		w.top + (int)(w.l.max_depth + 1) * o->frame_height + w.bottom;
	strbuf_init(&w.sb);
	strbuf_init(&w.name);
	flame_write_head(&w);
	if (w.l.total)
		for (i = 0; i < w.l.len; i++)
			flame_write_rect(&w, &w.l.rects[i]);
	flame_write_foot(&w);
	strbuf_fini(&w.sb);
	strbuf_fini(&w.name);
	flame_layout_fini(&w.l);
	return ferror(fp) ? -1 : 0;
}

int
flame_write_svg(const struct profile *p, const struct flame_opts *o, FILE *fp)
{
	return flame_write(p, o, NULL, fp);
}

int
flame_write_diff_svg(const struct profile *p, const struct flame_opts *o,
		     const struct flame_diff *d, FILE *fp)
{
	return flame_write(p, o, d, fp);
}
