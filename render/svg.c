/* SPDX-License-Identifier: MIT */
/*
 * render/svg.c - escaping untrusted text for SVG. Names in a profile come
 * from binaries, JIT maps and files anyone can write, and an SVG is opened
 * in a browser: nothing from the data may become markup.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

size_t
svg_utf8_len(const unsigned char *s, size_t n)
{
	unsigned cp = 0;
	size_t len = utf8_decode(s, n, &cp);

	/* XML 1.0 has no place for U+FFFE and U+FFFF either. */
	return cp == 0xfffe || cp == 0xffff ? 0 : len;
}

/* Characters (after repair) in s. */
static size_t
svg_count_chars(const unsigned char *s, size_t n)
{
	size_t i = 0, chars = 0, len;

	while (i < n) {
		if (s[i] < 0x20 && s[i] != '\t') {
			i++;
			continue; /* dropped */
		}
		len = svg_utf8_len(s + i, n - i);
		i += len ? len : 1;
		chars++;
	}
	return chars;
}

size_t
svg_escape(struct strbuf *sb, const char *str, size_t maxchars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, chars = 0, keep;
	bool cut = false;

	/* Most names are plain ASCII with nothing to escape: copy them. */
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f || c == '&' || c == '<' || c == '>' ||
		    c == '"' || c == '\'')
			break;
	}
	if (i == n && (!maxchars || n <= maxchars)) {
		strbuf_add(sb, s, n);
		return n;
	}
	i = 0;
	keep = svg_count_chars(s, n);
	if (maxchars && keep > maxchars) {
		keep = maxchars > 2 ? maxchars - 2 : 0;
		cut = true;
	}
	while (i < n && chars < keep) {
		unsigned char c = s[i];
		size_t len;

		if (c < 0x20 && c != '\t') {
			i++;
			continue;
		}
		switch (c) {
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
		case '\'':
			strbuf_addstr(sb, "&#39;");
			break;
		default:
			len = svg_utf8_len(s + i, n - i);
			if (len) {
				strbuf_add(sb, s + i, len);
				i += len;
			} else {
				strbuf_addstr(sb, "\xef\xbf\xbd"); /* U+FFFD */
				i++;
			}
			chars++;
			continue;
		}
		i++;
		chars++;
	}
	if (cut)
		strbuf_addstr(sb, "..");
	return chars;
}
