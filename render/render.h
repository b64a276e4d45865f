/* SPDX-License-Identifier: MIT */
/*
 * render/render.h - turns a profile into pictures and tables: the flame
 * graph layout (shared by plain and differential graphs) and its
 * interactive, self-contained SVG writer, and report tables (text,
 * markdown, JSON). Works offline on a struct profile; never needs the
 * target process or its binaries.
 *
 * Ownership: callers own the profile, the options and the stream; render
 * functions only read them. Every string that comes from the profile or the
 * options (frame names, titles, labels) is shown only through escape.c
 * (one spelling in every output; docs/FORMAT.md, "Names in outputs"), and
 * the embedded script treats it as text only: profiles are untrusted, and
 * the SVG is opened in browsers.
 */
#ifndef SCORCH_RENDER_H
#define SCORCH_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct profile;
struct diff_result;
struct diff_fn;

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
	/* > 0: the ms one count stands for (per run, profile_run_ms()):
	 * tooltips and the total say times, then the counts unless
	 * count_name is "ns" (a view whose counts are the time) */
	double count_ms;
	int width;	      /* image width in px, default 1200 */
	int frame_height;     /* px per frame, default 16 */
	int font_size;	      /* px, default 12 */
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
 * and below; frames[0..same) are unchanged since the previous call (0 at the
 * first), so a callback that works per prefix need not compare them: a
 * path's callers are drawn right after it, and the whole graph costs work
 * linear in its frames, not quadratic in its depth. The callback fills
 * *out (zeroed before the call) and may not keep the frames pointer. The writer then:
 *  - colors the frame red when delta > 0 (grew), blue when delta < 0
 *    (shrank), white-ish at 0; intensity (0..1, clamped) sets how strong;
 *    only frames marked significant get saturated colors, possible ones
 *    half of it, the others stay pale whatever their intensity;
 *  - shows in the tooltip each side's own numbers ("PR: 120 samples,
 *    12.00% of PR", with ", 1.20 ms a run" when value_unit is set), the
 *    delta with its sign, two decimals, delta_unit and delta_note
 *    ("change: +4.00 pts (PR - baseline, each side's own share)"), and
 *    note as a last line when there is one.
 */
struct flame_annot {
	uint64_t other;	  /* the other side's samples in this path */
	double delta;	  /* the change, in the caller's unit; sign = color */
	double intensity; /* 0..1: how far from white */
	int significant;  /* 1: saturated color allowed */
	int possible;	  /* 1: weaker evidence, half the color at most */
	const char *note; /* a last tooltip line, or NULL (borrowed: lives
			     as long as the flame_diff's ctx) */
};

struct flame_diff {
	const char *this_name;	/* e.g. "PR" */
	const char *other_name; /* e.g. "baseline" */
	uint64_t other_total;	/* the other side's total, for its % */
	const char *delta_unit; /* after the delta: "%", " pp", ... */
	void (*annotate)(void *ctx, const uint32_t *frames, uint32_t depth,
			 uint32_t same, uint64_t samples,
			 struct flame_annot *out);
	void *ctx;
	const char *delta_note; /* after the unit, e.g. "(PR - baseline)" */
	/* Each side's value of one sample (e.g. ms a run), and its unit;
	 * value_unit NULL: none shown. */
	double this_per_sample, other_per_sample;
	const char *value_unit;
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

/*
 * table.c: tables of names and numbers for reports, and documents made of
 * a title, "label: value" lines and tables.
 *
 * A table owns copies of every string given to it; table_free() frees
 * them. Columns are added before the first row; table_set_*() fill a cell
 * of the last row added. Every string is untrusted and shown through the
 * one escaping set (render/escape.c on common/escape.c): control and bidi
 * characters as a visible \uXXXX, invalid UTF-8 as U+FFFD, in text,
 * markdown (names in code spans fenced past their own backticks) and JSON
 * alike.
 *
 * Text fits opts->width columns: numbers are never cut; name columns share
 * the rest (the last name column gets at most a third), and a longer name
 * keeps its start and end around "..". Markdown cuts names past 200
 * characters the same way; JSON never cuts.
 */
enum table_format { TABLE_TEXT, TABLE_MARKDOWN, TABLE_JSON };

enum table_col {
	TABLE_COL_NAME,	   /* a string, left-aligned */
	TABLE_COL_COUNT,   /* an unsigned integer, right-aligned */
	TABLE_COL_PERCENT, /* a percentage: "12.3%" (text), 12.34 (JSON) */
	TABLE_COL_DECIMAL, /* a number: "12.3" (text), 12.34 (JSON) */
};

struct table_opts {
	int width;  /* text: line width in columns (at least 40), e.g. 80 */
	bool color; /* text: bold titles, underlined headings (ANSI) */
};

struct table;

/* name is the table's JSON key; title a line above it (may be ""). */
struct table *table_new(const char *name, const char *title);
void table_free(struct table *t);
/* key names the column in JSON, heading in text and markdown. Returns the
 * column's index. */
size_t table_add_column(struct table *t, const char *key, const char *heading,
			enum table_col type);
void table_add_row(struct table *t);
void table_set_str(struct table *t, size_t col, const char *s);
void table_set_count(struct table *t, size_t col, uint64_t v);
void table_set_percent(struct table *t, size_t col, double pct);
void table_set_decimal(struct table *t, size_t col, double v);
/* A line of text below the table. */
void table_add_note(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t table_nrows(const struct table *t);

/* One "label: value" line of a document; key is its JSON key. */
struct table_info {
	const char *key;
	const char *label;
	const char *str; /* the value, or NULL for num */
	uint64_t num;	 /* a count: samples, runs */
};

struct table_doc {
	const char *title;
	const struct table_info *info;
	size_t ninfo;
	struct table *const *tables;
	size_t ntables;
};

/*
 * Write d to fp as text, markdown or a JSON object
 * ({"title", "info": {key: value}, "tables": [{"name", "title", "rows":
 * [{key: value}], "notes"}]}). Returns 0, or -1 on a write error.
 */
int table_write_doc(const struct table_doc *d, enum table_format fmt,
		    const struct table_opts *o, FILE *fp);

/*
 * diffreport.c, diffreport_json.c: the result of diff_compute()
 * (diff/diff.h) as a report: text (80 columns; color: the verdict in ANSI
 * color), markdown for a PR comment, or JSON (docs/DIFF.md). Returns 0, or
 * -1 on a write error.
 */
int diffreport_write_text(const struct diff_result *r, FILE *fp, bool color);
int diffreport_write_markdown(const struct diff_result *r, FILE *fp);
int diffreport_write_json(const struct diff_result *r, FILE *fp);
/* One line on a listed function (a finding or a possible change) for
 * the differential flame graph's tooltip, naming no function; the caller
 * frees it. */
char *diffreport_fn_note(const struct diff_result *r, const struct diff_fn *fn);

#endif
