/* SPDX-License-Identifier: MIT */
/*
 * render/table.c - reports as tables of names and numbers: aligned text
 * for a terminal or a CI log, GitHub markdown, or JSON for scripts.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

#define TABLE_MD_MAX_CHARS 200 /* names longer than this are cut in markdown */
#define TABLE_MIN_NAME 12      /* a text name column is never narrower */

struct table_cell {
	char *str;    /* TABLE_COL_NAME */
	uint64_t num; /* TABLE_COL_COUNT */
	double pct;   /* TABLE_COL_PERCENT, TABLE_COL_DECIMAL */
};

struct table_column {
	char *key;     /* JSON key */
	char *heading; /* text and markdown heading */
	enum table_col type;
};

struct table {
	char *name;  /* JSON key of the table */
	char *title; /* a line above the table */
	struct table_column *cols;
	size_t ncols;
	struct table_cell *cells; /* nrows * ncols, row-major */
	size_t nrows, rows_cap;
	char **notes; /* lines below the table */
	size_t nnotes;
};

struct table *
table_new(const char *name, const char *title)
{
	struct table *t = xcalloc(1, sizeof(*t));

	t->name = xstrdup(name);
	t->title = xstrdup(title ? title : "");
	return t;
}

void
table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].str);
	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].key);
		free(t->cols[i].heading);
	}
	for (i = 0; i < t->nnotes; i++)
		free(t->notes[i]);
	free(t->notes);
	free(t->cols);
	free(t->cells);
	free(t->name);
	free(t->title);
	free(t);
}

size_t
table_add_column(struct table *t, const char *key, const char *heading,
		 enum table_col type)
{
	/* Columns come first: rows have a fixed number of cells. */
	if (t->nrows)
		abort();
	t->cols = xreallocarray(t->cols, t->ncols + 1, sizeof(*t->cols));
	t->cols[t->ncols].key = xstrdup(key);
	t->cols[t->ncols].heading = xstrdup(heading);
	t->cols[t->ncols].type = type;
	return t->ncols++;
}

void
table_add_row(struct table *t)
{
	if (t->nrows == t->rows_cap) {
		t->rows_cap = t->rows_cap ? t->rows_cap * 2 : 32;
		t->cells = xreallocarray(t->cells, t->rows_cap * t->ncols,
					 sizeof(*t->cells));
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
}

static struct table_cell *
table_cell(struct table *t, size_t col)
{
	if (!t->nrows || col >= t->ncols)
		abort(); /* a programming error, not bad input */
	return &t->cells[(t->nrows - 1) * t->ncols + col];
}

void
table_set_str(struct table *t, size_t col, const char *s)
{
	struct table_cell *c = table_cell(t, col);

	free(c->str);
	c->str = xstrdup(s ? s : "");
}

void
table_set_count(struct table *t, size_t col, uint64_t v)
{
	table_cell(t, col)->num = v;
}

void
table_set_percent(struct table *t, size_t col, double pct)
{
	table_cell(t, col)->pct = pct;
}

void
table_set_decimal(struct table *t, size_t col, double v)
{
	table_cell(t, col)->pct = v;
}

void
table_add_note(struct table *t, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;

	strbuf_init(&sb);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	t->notes = xreallocarray(t->notes, t->nnotes + 1, sizeof(*t->notes));
	t->notes[t->nnotes++] = strbuf_detach(&sb);
}

size_t
table_nrows(const struct table *t)
{
	return t->nrows;
}

/* ---- text ------------------------------------------------------------ */

static void
table_format_num(const struct table_column *col, const struct table_cell *c,
		 char *buf, size_t size)
{
	if (col->type == TABLE_COL_COUNT)
		snprintf(buf, size, "%" PRIu64, c->num);
	else if (col->type == TABLE_COL_DECIMAL)
		snprintf(buf, size, "%.1f", c->pct);
	else
		snprintf(buf, size, "%.1f%%", c->pct);
}

static void
table_pad(struct strbuf *sb, size_t n)
{
	while (n--)
		strbuf_addch(sb, ' ');
}

static void
table_write_text(const struct table *t, const struct table_opts *o,
		 struct strbuf *sb)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	size_t i, r, fixed = 2, nnames = 0, width;
	char num[64];

	width = o->width >= 40 ? (size_t)o->width : 40;
	for (i = 0; i < t->ncols; i++) {
		const struct table_column *col = &t->cols[i];

		w[i] = escape_term_width(col->heading);
		for (r = 0; r < t->nrows; r++) {
			const struct table_cell *c =
				&t->cells[r * t->ncols + i];
			size_t cw;

			if (col->type == TABLE_COL_NAME) {
				cw = escape_term_width(c->str ? c->str : "");
			} else {
				table_format_num(col, c, num, sizeof(num));
				cw = strlen(num);
			}
			if (cw > w[i])
				w[i] = cw;
		}
		if (col->type == TABLE_COL_NAME)
			nnames++;
		else
			fixed += w[i] + 2;
	}
	/* Name columns share what the numbers leave; the last one (a module,
	 * say) gets at most a third, the first takes the rest. */
	if (nnames) {
		size_t room = width > fixed + 2 * nnames
				      ? width - fixed - 2 * (nnames - 1)
				      : 0;
		size_t left = room, k = 0;

		for (i = t->ncols; i-- > 0;) {
			size_t cap;

			if (t->cols[i].type != TABLE_COL_NAME)
				continue;
			k++;
			cap = k == nnames ? left : room / 3;
			if (cap < TABLE_MIN_NAME)
				cap = TABLE_MIN_NAME;
			if (w[i] > cap)
				w[i] = cap;
			left = left > w[i] ? left - w[i] : 0;
		}
	}
	if (t->title[0]) {
		if (o->color)
			strbuf_addstr(sb, "\033[1m");
		escape_term(sb, t->title, width);
		if (o->color)
			strbuf_addstr(sb, "\033[0m");
		strbuf_addch(sb, '\n');
	}
	for (r = 0; r <= t->nrows; r++) {
		size_t start = sb->len, pending = 0;

		strbuf_addstr(sb, "  ");
		if (!r && o->color)
			strbuf_addstr(sb, "\033[4m");
		for (i = 0; i < t->ncols; i++) {
			const struct table_column *col = &t->cols[i];
			const struct table_cell *c =
				r ? &t->cells[(r - 1) * t->ncols + i] : NULL;
			const char *text;
			size_t cw;

			if (i)
				pending += 2;
			if (col->type == TABLE_COL_NAME) {
				/* Left-aligned: pad only before more text. */
				table_pad(sb, pending);
				text = c ? (c->str ? c->str : "")
					 : col->heading;
				cw = escape_term(sb, text, w[i]);
				pending = w[i] - cw;
				continue;
			}
			if (c) {
				table_format_num(col, c, num, sizeof(num));
				text = num;
			} else {
				text = col->heading;
			}
			cw = escape_term_width(text);
			table_pad(sb, pending + w[i] - cw);
			escape_term(sb, text, w[i]);
			pending = 0;
		}
		if (!r && o->color)
			strbuf_addstr(sb, "\033[0m");
		/* No trailing blanks. */
		while (sb->len > start && sb->buf[sb->len - 1] == ' ')
			sb->buf[--sb->len] = '\0';
		strbuf_addch(sb, '\n');
	}
	for (i = 0; i < t->nnotes; i++) {
		strbuf_addstr(sb, "  ");
		escape_term(sb, t->notes[i], width - 2);
		strbuf_addch(sb, '\n');
	}
	free(w);
}

/* ---- markdown ---------------------------------------------------------- */

static void
table_write_markdown(const struct table *t, struct strbuf *sb)
{
	size_t i, r;
	char num[64];

	if (t->title[0]) {
		strbuf_addstr(sb, "**");
		escape_md_text(sb, t->title);
		strbuf_addstr(sb, "**\n\n");
	}
	strbuf_addch(sb, '|');
	for (i = 0; i < t->ncols; i++) {
		strbuf_addch(sb, ' ');
		escape_md_text(sb, t->cols[i].heading);
		strbuf_addstr(sb, " |");
	}
	strbuf_addstr(sb, "\n|");
	for (i = 0; i < t->ncols; i++)
		strbuf_addstr(sb, t->cols[i].type == TABLE_COL_NAME ? "---|"
								    : "---:|");
	strbuf_addch(sb, '\n');
	for (r = 0; r < t->nrows; r++) {
		strbuf_addch(sb, '|');
		for (i = 0; i < t->ncols; i++) {
			const struct table_cell *c =
				&t->cells[r * t->ncols + i];

			strbuf_addch(sb, ' ');
			if (t->cols[i].type == TABLE_COL_NAME) {
				escape_md_code(sb, c->str ? c->str : "",
					       TABLE_MD_MAX_CHARS, true);
			} else {
				table_format_num(&t->cols[i], c, num,
						 sizeof(num));
				strbuf_addstr(sb, num);
			}
			strbuf_addstr(sb, " |");
		}
		strbuf_addch(sb, '\n');
	}
	for (i = 0; i < t->nnotes; i++) {
		strbuf_addch(sb, '\n');
		escape_md_text(sb, t->notes[i]);
		strbuf_addch(sb, '\n');
	}
}

/* ---- JSON ------------------------------------------------------------ */

static void
table_write_json(const struct table *t, FILE *fp)
{
	size_t i, r;

	fputs("{\"name\": ", fp);
	json_put_string(fp, t->name);
	fputs(", \"title\": ", fp);
	json_put_string(fp, t->title);
	fputs(", \"rows\": [", fp);
	for (r = 0; r < t->nrows; r++) {
		fputs(r ? ",\n    {" : "\n    {", fp);
		for (i = 0; i < t->ncols; i++) {
			const struct table_cell *c =
				&t->cells[r * t->ncols + i];

			if (i)
				fputs(", ", fp);
			json_put_string(fp, t->cols[i].key);
			fputs(": ", fp);
			if (t->cols[i].type == TABLE_COL_NAME)
				json_put_string(fp, c->str ? c->str : "");
			else if (t->cols[i].type == TABLE_COL_COUNT)
				fprintf(fp, "%" PRIu64, c->num);
			else
				fprintf(fp, "%.2f", c->pct);
		}
		putc('}', fp);
	}
	fputs(t->nrows ? "\n  ]" : "]", fp);
	if (t->nnotes) {
		fputs(", \"notes\": [", fp);
		for (i = 0; i < t->nnotes; i++) {
			if (i)
				fputs(", ", fp);
			json_put_string(fp, t->notes[i]);
		}
		putc(']', fp);
	}
	putc('}', fp);
}

/* ---- documents ------------------------------------------------------- */

int
table_write_doc(const struct table_doc *d, enum table_format fmt,
		const struct table_opts *o, FILE *fp)
{
	struct strbuf sb;
	size_t i;

	if (fmt == TABLE_JSON) {
		fputs("{\n\"title\": ", fp);
		json_put_string(fp, d->title);
		fputs(",\n\"info\": {", fp);
		for (i = 0; i < d->ninfo; i++) {
			fputs(i ? ", " : "", fp);
			json_put_string(fp, d->info[i].key);
			fputs(": ", fp);
			if (d->info[i].str)
				json_put_string(fp, d->info[i].str);
			else
				fprintf(fp, "%" PRIu64, d->info[i].num);
		}
		fputs("},\n\"tables\": [", fp);
		for (i = 0; i < d->ntables; i++) {
			fputs(i ? ",\n  " : "\n  ", fp);
			table_write_json(d->tables[i], fp);
		}
		fputs("\n]\n}\n", fp);
		return ferror(fp) ? -1 : 0;
	}
	strbuf_init(&sb);
	if (fmt == TABLE_MARKDOWN) {
		strbuf_addstr(&sb, "### ");
		escape_md_text(&sb, d->title);
		strbuf_addstr(&sb, "\n\n");
		for (i = 0; i < d->ninfo; i++) {
			char num[32];

			strbuf_addstr(&sb, "- ");
			escape_md_text(&sb, d->info[i].label);
			strbuf_addstr(&sb, ": ");
			if (d->info[i].str) {
				escape_md_code(&sb, d->info[i].str,
					       TABLE_MD_MAX_CHARS, false);
			} else {
				snprintf(num, sizeof(num), "%" PRIu64,
					 d->info[i].num);
				strbuf_addstr(&sb, num);
			}
			strbuf_addch(&sb, '\n');
		}
	} else {
		if (o->color)
			strbuf_addstr(&sb, "\033[1m");
		escape_term(&sb, d->title, (size_t)o->width);
		if (o->color)
			strbuf_addstr(&sb, "\033[0m");
		strbuf_addch(&sb, '\n');
		for (i = 0; i < d->ninfo; i++) {
			size_t lw = escape_term(&sb, d->info[i].label, 20);

			strbuf_addstr(&sb, ": ");
			if (d->info[i].str)
				escape_term(&sb, d->info[i].str,
					    o->width > (int)lw + 10
						    ? (size_t)o->width - lw - 2
						    : 8);
			else
				strbuf_addf(&sb, "%" PRIu64, d->info[i].num);
			strbuf_addch(&sb, '\n');
		}
	}
	for (i = 0; i < d->ntables; i++) {
		strbuf_addch(&sb, '\n');
		if (fmt == TABLE_MARKDOWN)
			table_write_markdown(d->tables[i], &sb);
		else
			table_write_text(d->tables[i], o, &sb);
	}
	fwrite(sb.buf, 1, sb.len, fp);
	strbuf_fini(&sb);
	return ferror(fp) ? -1 : 0;
}
