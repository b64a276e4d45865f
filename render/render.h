/* SPDX-License-Identifier: MIT */
/*
 * render/render.h - turns a profile into pictures: the flame graph layout
 * (shared by plain and differential graphs) and its interactive, self-
 * contained SVG writer. Works offline on a struct profile; never needs the
 * target process or its binaries.
 *
 * Ownership: callers own the profile, the options and the stream; render
 * functions only read them. Every string that comes from the profile or the
 * options (frame names, titles, labels) is escaped before it reaches the
 * SVG, and the embedded script treats it as text only: profiles are
 * untrusted, and the SVG is opened in browsers.
 */
#ifndef SCORCH_RENDER_H
#define SCORCH_RENDER_H

#include <stdint.h>
#include <stdio.h>

struct profile;

/* How frames are colored; every palette is stable by name hash. */
enum flame_palette {
	FLAME_PALETTE_KIND, /* kernel, user, JIT, inlined, unknown apart */
	FLAME_PALETTE_HOT,  /* flamegraph.pl's default: red to yellow */
	FLAME_PALETTE_MEM,  /* greens and blues, for allocation profiles */
	FLAME_PALETTE_IO,   /* blue-greys, for I/O and off-CPU profiles */
	FLAME_PALETTE_RED,
	FLAME_PALETTE_GREEN,
	FLAME_PALETTE_BLUE,
	FLAME_PALETTE_AQUA,
	FLAME_PALETTE_YELLOW,
	FLAME_PALETTE_PURPLE,
	FLAME_PALETTE_ORANGE,
	FLAME_PALETTE_MAX
};

struct flame_opts {
	const char *title;	/* default "Flame Graph" ("Icicle Graph") */
	const char *subtitle;	/* NULL for none */
	const char *count_name; /* "samples" */
	int width;		/* image width in px, default 1200 */
	int frame_height;	/* px per frame, default 16 */
	int font_size;		/* px, default 12 */
	double min_width;     /* px; narrower frames are pruned, default 0.1 */
	double min_width_pct; /* > 0: prune below this % of all samples
			       * instead (flamegraph.pl's --minwidth N%) */
	enum flame_palette palette; /* default FLAME_PALETTE_KIND */
	int inverted; /* icicle graph: roots at the top, growing down */
	int reverse;  /* stacks reversed: leaves become roots */
};

/*
 * The differential seam (for `scorch diff`): the graph has the shape of one
 * profile (the one passed to flame_write_diff_svg(), "this side") and every
 * frame is annotated by the caller with the other side's numbers.
 *
 * annotate() is called once for each frame that will be drawn, after its
 * samples are known, in no particular order. frames[0..depth) is the call
 * path from the root to the frame, as frame ids of this side's profile
 * (depth 0 is the "all" root); samples is this side's samples in that path
 * and below. The callback fills *out (zeroed before the call) and may not
 * keep the frames pointer. The writer then:
 *  - colors the frame red when delta > 0 (grew), blue when delta < 0
 *    (shrank), white-ish at 0; intensity (0..1, clamped) sets how strong;
 *    only frames marked significant get saturated colors, the others stay
 *    pale whatever their intensity;
 *  - shows in the tooltip both sides' samples ("PR: 120 (12.00%)",
 *    "baseline: 80 (8.00%)") and the delta with its sign, two decimals and
 *    delta_unit ("delta: +4.00%"), and "(significant)" when it is.
 */
struct flame_annot {
	uint64_t other;	  /* the other side's samples in this path */
	double delta;	  /* the change, in the caller's unit; sign = color */
	double intensity; /* 0..1: how far from white */
	int significant;  /* 1: saturated color allowed */
};

struct flame_diff {
	const char *this_name;	/* e.g. "PR" */
	const char *other_name; /* e.g. "baseline" */
	uint64_t other_total;	/* the other side's total, for its % */
	const char *delta_unit; /* after the delta: "%", " pp", ... */
	void (*annotate)(void *ctx, const uint32_t *frames, uint32_t depth,
			 uint64_t samples, struct flame_annot *out);
	void *ctx;
};

/* flamegraph.c */
void flame_opts_init(struct flame_opts *o);
/*
 * Write a flame graph of p to fp: an SVG with its script and style
 * embedded, no external resources. Returns 0, or -1 on a write error.
 * Memory grows with the number of unique stacks, not with sample counts;
 * the output holds only the frames at least min_width wide.
 */
int flame_write_svg(const struct profile *p, const struct flame_opts *o,
		    FILE *fp);
/* The same as a differential graph, annotated through d (see above). */
int flame_write_diff_svg(const struct profile *p, const struct flame_opts *o,
			 const struct flame_diff *d, FILE *fp);

/* palette.c */
/* The palette called name ("hot", "kind", ...); 0, or -1 if unknown. */
int flame_palette_parse(const char *name, enum flame_palette *out);
/* "hot, mem, io, kind, ..." for usage text. */
const char *flame_palette_names(void);

#endif
