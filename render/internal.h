/* SPDX-License-Identifier: MIT */
/* render/internal.h - declarations shared by the files of render/ only. */
#ifndef SCORCH_RENDER_INTERNAL_H
#define SCORCH_RENDER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "render.h"

struct strbuf;
struct frame;

/* svg.c */
/*
 * Append s to sb escaped for XML text and attribute values: & < > " ' as
 * entities, control characters dropped, invalid UTF-8 replaced by U+FFFD.
 * At most maxchars characters of s are kept; when s is longer, the kept
 * part is shortened to leave room for "..". maxchars 0 means no limit.
 * Truncation counts characters, never cutting one or an entity in half.
 * Returns the number of characters of s that were kept.
 */
size_t svg_escape(struct strbuf *sb, const char *s, size_t maxchars);
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t svg_utf8_len(const unsigned char *s, size_t n);

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

#endif
