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
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/* Characters (code points) in valid UTF-8 s[0..n). */
static size_t
escape_count(const char *s, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < n; i++)
		chars += ((unsigned char)s[i] & 0xc0) != 0x80;
	return chars;
}

/* The byte offset of character k of valid UTF-8 s[0..n). */
static size_t
escape_offset(const char *s, size_t n, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && !k--)
			return i;
	return n;
}

/* str in its visible form (common/escape.c) into v, which is initialized. */
static void
escape_visible(struct strbuf *v, const char *str)
{
	strbuf_init(v);
	escape_text(v, str, strlen(str));
}

/*
 * Append visible text v[0..n) (chars characters) in at most max, keeping
 * its start and its end around "..": both ends of a name tell (a
 * namespace, an argument list). Returns the characters appended.
 */
static size_t
escape_add_cut(struct strbuf *sb, const char *v, size_t n, size_t chars,
	       size_t max)
{
	size_t head, tail;

	if (!max || chars <= max) {
		strbuf_add(sb, v, n);
		return chars;
	}
	head = (max - 2) * 2 / 3;
	tail = escape_offset(v, n, chars - (max - 2 - head));
	strbuf_add(sb, v, escape_offset(v, n, head));
	strbuf_addstr(sb, "..");
	strbuf_add(sb, v + tail, n - tail);
	return max;
}

size_t
escape_term(struct strbuf *sb, const char *str, size_t max)
{
	size_t n = strlen(str), chars;
	struct strbuf v;

	if (max && max < 4)
		max = 4;
	if (!escape_needed(str, n))
		return escape_add_cut(sb, str, n, escape_count(str, n), max);
	escape_visible(&v, str);
	chars = escape_add_cut(sb, v.buf, v.len, escape_count(v.buf, v.len),
			       max);
	strbuf_fini(&v);
	return chars;
}

size_t
escape_term_width(const char *str)
{
	size_t n = strlen(str), chars;
	struct strbuf v;

	if (!escape_needed(str, n))
		return escape_count(str, n);
	escape_visible(&v, str);
	chars = escape_count(v.buf, v.len);
	strbuf_fini(&v);
	return chars;
}

/* ---- markdown ------------------------------------------------------------ */

void
escape_md_code(struct strbuf *sb, const char *str, size_t max, bool in_table)
{
	struct strbuf v, cut;
	size_t run = 0, longest = 0, i;
	bool pad, spaces = true;

	escape_visible(&v, str);
	strbuf_init(&cut);
	escape_add_cut(&cut, v.buf, v.len, escape_count(v.buf, v.len), max);
	strbuf_fini(&v);
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
	size_t n = strlen(str), chars, keep;
	const char *v = str;
	struct strbuf vis;

	if (escape_needed(str, n)) {
		escape_visible(&vis, str);
		v = vis.buf;
		n = vis.len;
	}
	chars = escape_count(v, n);
	keep = chars;
	if (maxchars && chars > maxchars)
		keep = maxchars > 2 ? maxchars - 2 : 0;
	escape_add_xml(sb, v, keep < chars ? escape_offset(v, n, keep) : n);
	if (keep < chars)
		strbuf_addstr(sb, "..");
	if (v != str)
		strbuf_fini(&vis);
	return keep;
}
