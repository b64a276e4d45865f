/* SPDX-License-Identifier: MIT */
/*
 * common/escape.c - the one classifier of characters that must never reach
 * a reader raw, and their one visible spelling. Every output that shows a
 * name (render/escape.c wraps this for terminals, text files, markdown and
 * SVG; common/json.c for JSON; cli/output.c for diagnostics) goes through
 * escape_next(), so a name reads the same, neutralized, everywhere.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"

/*
 * Code points that change how the text around them is shown: the C0
 * controls (ESC starts a terminal sequence, a newline ends a table row),
 * DEL, the C1 controls (U+009B is a one-character CSI), the Unicode
 * direction marks, embeddings, overrides and isolates (U+202E can make a
 * reviewer read a name backwards), the line and paragraph separators, and
 * the two noncharacters XML has no place for.
 */
static int
escape_is_control(unsigned cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 1;
	switch (cp) {
	case 0x061c: /* ARABIC LETTER MARK */
	case 0x200e: /* LEFT-TO-RIGHT MARK */
	case 0x200f: /* RIGHT-TO-LEFT MARK */
	case 0x2028: /* LINE SEPARATOR */
	case 0x2029: /* PARAGRAPH SEPARATOR */
	case 0xfffe:
	case 0xffff:
		return 1;
	}
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t
escape_next(const unsigned char *s, size_t n, unsigned *cp,
	    enum escape_class *cls)
{
	size_t len;

	if (!n)
		return 0;
	len = utf8_decode(s, n, cp);
	if (!len) {
		*cp = s[0];
		*cls = ESCAPE_INVALID;
		return 1;
	}
	*cls = escape_is_control(*cp) ? ESCAPE_CONTROL : ESCAPE_PLAIN;
	return len;
}

bool
escape_needed(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	enum escape_class cls;
	unsigned cp;

	while (i < n) {
		/* Printable ASCII is always plain: the common case, fast. */
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			i++;
			continue;
		}
		len = escape_next(s + i, n - i, &cp, &cls);
		if (cls != ESCAPE_PLAIN)
			return true;
		i += len;
	}
	return false;
}

void
escape_add_visible(struct strbuf *sb, unsigned cp, enum escape_class cls)
{
	if (cls == ESCAPE_INVALID)
		strbuf_addstr(sb, ESCAPE_INVALID_TEXT);
	else
		strbuf_addf(sb, ESCAPE_CONTROL_FMT, cp);
}

void
escape_text(struct strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	enum escape_class cls;
	unsigned cp;

	while (i < n) {
		len = escape_next(s + i, n - i, &cp, &cls);
		if (cls == ESCAPE_PLAIN)
			strbuf_add(sb, s + i, len);
		else
			escape_add_visible(sb, cp, cls);
		i += len;
	}
}
