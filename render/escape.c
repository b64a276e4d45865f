/* SPDX-License-Identifier: MIT */
/*
 * render/escape.c - untrusted text (names from binaries, JIT maps and files
 * anyone can write; titles; paths) as every output of render/ shows it:
 * a terminal or text file, markdown, SVG. All of them start from the one
 * classifier in common/escape.c, so a name reads the same, neutralized,
 * everywhere; this file only adds what each format needs on top (a width,
 * code span fences, markup characters, XML entities).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/*
 * The units of text widths and cuts: a character of str as it is shown,
 * one column when plain (or U+FFFD), the columns of its \uXXXX otherwise.
 * A cut never splits a unit, so an escape is shown whole or not at all.
 */
static size_t
escape_unit(const unsigned char *s, size_t n, size_t *cols, unsigned *cp,
	    enum escape_class *cls)
{
	size_t len = escape_next(s, n, cp, cls);

	*cols = *cls == ESCAPE_CONTROL
			? (size_t)snprintf(NULL, 0, ESCAPE_CONTROL_FMT, *cp)
			: 1;
	return len;
}

/* Columns str[0..n) takes when shown. */
static size_t
escape_width(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, cols, total = 0;
	enum escape_class cls;
	unsigned cp;

	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7f) { /* printable ASCII: fast */
			i++;
			total++;
			continue;
		}
		i += escape_unit(s + i, n - i, &cols, &cp, &cls);
		total += cols;
	}
	return total;
}

/*
 * Append the units of str[0..n) that start at column from or later and end
 * by column to (columns counted from the start of str), in their visible
 * form. Returns the columns appended.
 */
static size_t
escape_add_span(struct strbuf *sb, const char *str, size_t n, size_t from,
		size_t to)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, col = 0, cols, len, added = 0;
	enum escape_class cls;
	unsigned cp;

	while (i < n && col < to) {
		len = escape_unit(s + i, n - i, &cols, &cp, &cls);
		if (col >= from && col + cols <= to) {
			if (cls == ESCAPE_PLAIN)
				strbuf_add(sb, s + i, len);
			else
				escape_add_visible(sb, cp, cls);
			added += cols;
		}
		col += cols;
		i += len;
	}
	return added;
}

size_t
escape_term(struct strbuf *sb, const char *str, size_t max)
{
	size_t n = strlen(str), total = escape_width(str, n), head, tail;

	if (max && max < 4)
		max = 4;
	if (!max || total <= max) {
		if (!escape_needed(str, n)) {
			strbuf_add(sb, str, n);
			return total;
		}
		return escape_add_span(sb, str, n, 0, total);
	}
	/* Both ends of a name tell (a namespace, an argument list): keep
	 * its start and its end around "..". */
	head = (max - 2) * 2 / 3;
	tail = max - 2 - head;
	head = escape_add_span(sb, str, n, 0, head);
	strbuf_addstr(sb, "..");
	return head + 2 + escape_add_span(sb, str, n, total - tail, total);
}

size_t
escape_term_width(const char *str)
{
	return escape_width(str, strlen(str));
}

/* str in its visible form (common/escape.c) into v, which is initialized. */
static void
escape_visible(struct strbuf *v, const char *str)
{
	strbuf_init(v);
	escape_text(v, str, strlen(str));
}

/* ---- markdown ------------------------------------------------------------ */

void
escape_md_code(struct strbuf *sb, const char *str, size_t max, bool in_table)
{
	struct strbuf cut;
	size_t run = 0, longest = 0, i;
	bool pad, spaces = true;

	strbuf_init(&cut);
	escape_term(&cut, str, max);
	if (!cut.len) {
		strbuf_fini(&cut);
		return;
	}
	/* CommonMark: a span ends at a run of exactly as many backticks as
	 * opened it, so the fence is longer than any run inside. A space
	 * pads content that starts or ends with a backtick (or a space: one
	 * is stripped from each end when both have one), unless it is all
	 * spaces, which is never stripped. */
	for (i = 0; i < cut.len; i++) {
		run = cut.buf[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
		if (cut.buf[i] != ' ')
			spaces = false;
	}
	pad = !spaces &&
	      (strchr("` ", cut.buf[0]) || strchr("` ", cut.buf[cut.len - 1]));
	for (i = 0; i <= longest; i++)
		strbuf_addch(sb, '`');
	if (pad)
		strbuf_addch(sb, ' ');
	for (i = 0; i < cut.len; i++) {
		/* GFM splits table rows at '|' before it sees code spans. */
		if (in_table && cut.buf[i] == '|')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, cut.buf[i]);
	}
	if (pad)
		strbuf_addch(sb, ' ');
	for (i = 0; i <= longest; i++)
		strbuf_addch(sb, '`');
	strbuf_fini(&cut);
}

void
escape_md_text(struct strbuf *sb, const char *str)
{
	struct strbuf v;
	size_t i;

	escape_visible(&v, str);
	for (i = 0; i < v.len; i++) {
		char c = v.buf[i];

		if (c == '<')
			strbuf_addstr(sb, "&lt;");
		else if (c == '>')
			strbuf_addstr(sb, "&gt;");
		else if (c == '&')
			strbuf_addstr(sb, "&amp;");
		else {
			if (strchr("\\`*_[]|#~", c))
				strbuf_addch(sb, '\\');
			strbuf_addch(sb, c);
		}
	}
	strbuf_fini(&v);
}

/* ---- SVG ------------------------------------------------------------------ */

/* The visible text v[0..n) with XML's five special characters as
 * entities. */
static void
escape_add_xml(struct strbuf *sb, const char *v, size_t n)
{
	size_t i = 0, run;

	while (i < n) {
		/* Copy the run up to the next special character at once. */
		for (run = i; run < n && !strchr("&<>\"'", v[run]); run++)
			;
		strbuf_add(sb, v + i, run - i);
		if (run == n)
			break;
		switch (v[run]) {
		case '&':
			strbuf_addstr(sb, "&amp;");
			break;
		case '<':
			strbuf_addstr(sb, "&lt;");
			break;
		case '>':
			strbuf_addstr(sb, "&gt;");
			break;
		case '"':
			strbuf_addstr(sb, "&quot;");
			break;
		default:
			strbuf_addstr(sb, "&#39;");
		}
		i = run + 1;
	}
}

size_t
escape_svg(struct strbuf *sb, const char *str, size_t maxchars)
{
	size_t n = strlen(str), total = escape_width(str, n), keep = total;
	struct strbuf vis;

	if (maxchars && total > maxchars)
		keep = maxchars > 2 ? maxchars - 2 : 0;
	if (keep == total && !escape_needed(str, n)) {
		escape_add_xml(sb, str, n);
		return total;
	}
	strbuf_init(&vis);
	keep = escape_add_span(&vis, str, n, 0, keep);
	escape_add_xml(sb, vis.buf, vis.len);
	if (keep < total)
		strbuf_addstr(sb, "..");
	strbuf_fini(&vis);
	return keep;
}
