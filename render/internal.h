/* SPDX-License-Identifier: MIT */
/* render/internal.h - declarations shared by the files of render/ only. */
#ifndef SCORCH_RENDER_INTERNAL_H
#define SCORCH_RENDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render.h"

struct strbuf;
struct frame;

/*
 * escape.c: untrusted text for each output, built on common/escape.c's one
 * classifier (controls and bidi controls as a visible \uXXXX, invalid UTF-8
 * as U+FFFD: see common.h). Widths and limits count characters of that
 * visible form.
 *
 * escape_term() appends s for a terminal or a text file in at most max
 * characters (0: no limit; at least 4): a longer s keeps its start and end
 * around "..". Returns the characters appended. escape_term_width() is
 * the characters escape_term() would append without a limit.
 */
size_t escape_term(struct strbuf *sb, const char *s, size_t max);
size_t escape_term_width(const char *s);
/*
 * Append s as a markdown code span (cut as escape_term() to max; nothing
 * for an empty s): fenced by one backtick more than the longest run of
 * them in s, padded by a space when s starts or ends with a backtick or a
 * space, so the span holds s exactly and nothing in it is markup. With
 * in_table, '|' is escaped so a GFM table cell cannot end early.
 */
void escape_md_code(struct strbuf *sb, const char *s, size_t max,
		    bool in_table);
/* Append s as markdown text (titles, headings, notes): markdown's special
 * characters backslash-escaped, < > & as HTML entities. */
void escape_md_text(struct strbuf *sb, const char *s);
/*
 * Append s for XML text and attribute values: & < > " ' as entities. At
 * most maxchars characters of s are kept (0: no limit); a longer s is
 * shortened to leave room for "..", never cutting a character or an
 * entity in half. Returns the characters of s kept.
 */
size_t escape_svg(struct strbuf *sb, const char *s, size_t maxchars);

/* layout.c */
#define FLAME_ROOT UINT32_MAX /* the frame id of the "all" root */
#define FLAME_NONE UINT32_MAX /* no parent */

/* One frame drawn in the graph: a call path wide enough to be seen. */
struct flame_rect {
	uint64_t start;	 /* samples to its left */
	uint64_t total;	 /* samples in this path and above */
	uint64_t self;	 /* samples with this path as the leaf */
	uint32_t frame;	 /* frame id, FLAME_ROOT for "all" */
	uint32_t depth;	 /* 0 for "all", 1 for the stacks' roots */
	uint32_t parent; /* index of the parent rect, FLAME_NONE for "all" */
	struct flame_annot annot; /* differential graphs only */
};

/*
 * The layout: stacks sorted by frame names and merged into call paths
 * (siblings in name order, as flamegraph.pl), keeping only paths with at
 * least min_samples samples. Memory is the stacks' sort keys plus the
 * drawn rects; the full tree of call paths is never held.
 */
struct flame_layout {
	struct flame_rect *rects; /* drawn frames in preorder; [0] is "all" */
	size_t len, cap;
	uint64_t total;	      /* samples */
	uint32_t max_depth;   /* depth of the deepest drawn frame */
	uint32_t stack_depth; /* frames in the deepest stack */
	uint64_t paths;	      /* call paths, drawn or not */
};

/*
 * Lay out p. With reverse, every stack is read leaf first. With d, each
 * drawn frame's annot is filled by d->annotate. Frames with equal names
 * (and kinds) at the same place in the tree are one rect, labeled with
 * the first one's frame id. flame_layout_fini() frees what it holds.
 */
void flame_layout_build(struct flame_layout *l, const struct profile *p,
			double min_samples, int reverse,
			const struct flame_diff *d);
void flame_layout_fini(struct flame_layout *l);

/* palette.c */
/* The fill of a frame (f NULL for the "all" root) as "#rrggbb". */
void flame_palette_color(enum flame_palette pal, const struct frame *f,
			 char buf[8]);
/* The fill of a frame of a differential graph. */
void flame_palette_diff_color(const struct flame_annot *a, char buf[8]);

/* assets.c: the browser code embedded in every SVG (render/regex.js,
 * render/flame.js and render/flame.css, turned into C arrays at build
 * time); regex.js goes first: flame.js calls it. */
extern const char flame_asset_regex_js[];
extern const char flame_asset_js[];
extern const char flame_asset_css[];

/*
 * diffreport.c, for diffreport_json.c: a frame kind's name; a q- or
 * p-value as text ("<1e-16" below double's reach); the unit of a change
 * ("ms", "samples", "pts"); "record about N runs a side to decide" for a
 * possible change (a static buffer).
 */
struct diff_result;
struct diff_fn;
const char *diffreport_kind(int kind);
void diffreport_pval(char *buf, size_t n, double p);
const char *diffreport_change_unit(const struct diff_result *r);
const char *diffreport_advice(const struct diff_fn *fn);

#endif
