/* SPDX-License-Identifier: MIT */
/*
 * render/render.h - turns a profile into pictures and tables: the flame
 * graph layout and its SVG writer, and report tables (text, markdown,
 * JSON). Works offline on a struct profile; never needs the target process
 * or its binaries.
 *
 * Ownership: callers own the profile and the stream; render functions only
 * read the profile. Every string that comes from the profile (frame names,
 * titles) is escaped before it reaches the SVG: profiles are untrusted.
 */
#ifndef SCORCH_RENDER_H
#define SCORCH_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct profile;

struct flame_opts {
	const char *title;	/* default "Flame Graph" */
	const char *subtitle;	/* NULL for none */
	const char *count_name; /* "samples" */
	int width;		/* image width in px, default 1200 */
	int frame_height;	/* px per frame, default 16 */
	int font_size;		/* px, default 12 */
	double min_width; /* px; narrower frames are pruned, default 0.1 */
};

/* flamegraph.c */
void flame_opts_init(struct flame_opts *o);
/* Write a flame graph of p to fp. Returns 0, or -1 on a write error. */
int flame_write_svg(const struct profile *p, const struct flame_opts *o,
		    FILE *fp);

/*
 * table.c: tables of names and numbers for reports, and documents made of
 * a title, "label: value" lines and tables.
 *
 * A table owns copies of every string given to it; table_free() frees
 * them. Columns are added before the first row; table_set_*() fill a cell
 * of the last row added. Every string is untrusted: text output replaces
 * control characters and invalid UTF-8 with '?' (no escape sequence from a
 * profile reaches a terminal), markdown puts names in code spans and
 * escapes '|', JSON escapes as JSON does.
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
	int64_t num;
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

#endif
